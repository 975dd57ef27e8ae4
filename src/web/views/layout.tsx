import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

export type LayoutProps = {
  title: string;
  user?: { name: string; email: string; role: string } | undefined;
  csrfToken?: string | undefined;
  /** Re-load the page every N seconds when scripts are off (live progress without JavaScript). */
  refreshWithoutScriptSeconds?: number | undefined;
  /** Scripts of our own beyond app.js (the pod's sign-in window adds pod.js). */
  scripts?: string[];
  children?: Child;
};

/** The page frame: one stylesheet, one script, no third-party assets (the CSP allows only 'self'). */
export function Layout({ title, user, csrfToken, refreshWithoutScriptSeconds, scripts, children }: LayoutProps) {
  // The doctype keeps browsers in standards mode (without it they lay pages out in quirks mode).
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Technician Toolbox`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/app.js" defer />
          {(scripts ?? []).map((src) => (
            <script src={src} defer />
          ))}
          {refreshWithoutScriptSeconds ? (
            <noscript>
              <meta http-equiv="refresh" content={String(refreshWithoutScriptSeconds)} />
            </noscript>
          ) : null}
        </head>
        <body>
          <header class="top">
            <a class="brand" href="/">
              Technician Toolbox
            </a>
            {user ? (
              <form method="post" action="/logout" class="signout">
                {user.role === 'admin' ? (
                  <a class="console-link" href="/admin">
                    Admin console
                  </a>
                ) : null}
                <span class="who">{user.name}</span>
                <input type="hidden" name="_csrf" value={csrfToken ?? ''} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            ) : null}
          </header>
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  );
}

/** A page that explains a problem: what happened and what to do. */
export function ProblemPage(props: { title: string; user?: LayoutProps['user']; csrfToken?: string; children?: Child }) {
  return (
    <Layout title={props.title} user={props.user} csrfToken={props.csrfToken}>
      <section class="problem" aria-labelledby="problem-title">
        <h1 id="problem-title">{props.title}</h1>
        {props.children}
      </section>
    </Layout>
  );
}
