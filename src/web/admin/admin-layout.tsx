import type { Child } from 'hono/jsx';
import type { Auth } from '../app-env.js';
import { Layout } from '../views/layout.js';

/** The console's pages, in the order an admin sets the toolbox up. */
export const ADMIN_PAGES = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/psa', label: 'PSA connection' },
  { href: '/admin/technicians', label: 'Technicians' },
  { href: '/admin/directories', label: 'Directories' },
  { href: '/admin/companies', label: 'Company mapping' },
  { href: '/admin/forms', label: 'Forms' },
  { href: '/admin/screenpop', label: 'Screen-pop URLs' },
  { href: '/admin/executions', label: 'Executions' },
  { href: '/admin/audit', label: 'Audit log' },
  { href: '/admin/users', label: 'Users and API tokens' },
  { href: '/admin/general', label: 'General settings' },
] as const;

export type AdminPageHref = (typeof ADMIN_PAGES)[number]['href'];

export type AdminLayoutProps = {
  title: string;
  active: AdminPageHref;
  auth: Auth;
  /** A one-line confirmation after a change ("Saved."). */
  notice?: string | undefined;
  /** A problem with the last action, shown above the page. */
  error?: string | undefined;
  children?: Child;
};

/** The console frame: the site layout with the admin navigation beside (or, narrow, above) the page. */
export function AdminLayout(props: AdminLayoutProps) {
  const { auth } = props;
  return (
    <Layout
      title={`${props.title} · Admin`}
      user={{ name: auth.user.name, email: auth.user.email, role: auth.user.role }}
      csrfToken={auth.session.csrfToken}
    >
      <div class="admin">
        <nav class="admin-nav" aria-label="Admin console">
          <ul>
            {ADMIN_PAGES.map((page) => (
              <li>
                <a href={page.href} aria-current={page.href === props.active ? 'page' : undefined}>
                  {page.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="admin-page">
          <h1>{props.title}</h1>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          {props.error ? (
            <p class="error" role="alert">
              {props.error}
            </p>
          ) : null}
          {props.children}
        </div>
      </div>
    </Layout>
  );
}

/** "From the configuration file" beside a value the console cannot change. */
export function SourceBadge(props: { source: string }) {
  if (props.source === 'file') return <span class="badge source-file">from the configuration file (read-only)</span>;
  if (props.source === 'console') return <span class="badge source-console">set in the console</span>;
  return null;
}

/** The hidden CSRF field every console form carries. */
export function CsrfField(props: { auth: Auth }) {
  return <input type="hidden" name="_csrf" value={props.auth.session.csrfToken} />;
}
