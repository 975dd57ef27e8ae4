import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { OpenLaunchResult } from '../../domain/launch/open-launch.js';
import { type FieldErrors, type FormDefinition, type FormValues, NO_TARGET_USER } from '../../forms/types.js';
import { Layout, type LayoutProps } from './layout.js';

type Ready = Extract<OpenLaunchResult, { kind: 'ready' }>;

const MATCH_WORDS = { email: 'e-mail address', upn: 'user principal name', name: 'display name' } as const;

function ContextPanel({ result }: { result: Ready }) {
  const { ticket, company, contact } = result.context;
  return (
    <section class="context" aria-label="Ticket, company and contact">
      <div class="card">
        <h2>Ticket</h2>
        {ticket ? (
          <>
            <p class="big">
              {ticket.url ? (
                <a href={ticket.url} target="_blank" rel="noopener noreferrer">
                  {ticket.number}
                </a>
              ) : (
                ticket.number
              )}{' '}
              {ticket.summary}
            </p>
            <p class="muted">
              {[ticket.board, ticket.status].filter(Boolean).join(' · ')}
              {ticket.kind === 'project' ? ' · project ticket' : ''}
            </p>
          </>
        ) : (
          <p class="muted">No ticket came with this screen pop: no note will be written.</p>
        )}
      </div>
      <div class="card">
        <h2>Company</h2>
        <p class="big">{company.name}</p>
        <p class="muted">
          {company.identifier ? `${company.identifier} · ` : ''}served by {result.directory.config.name}
        </p>
      </div>
      <div class="card">
        <h2>Contact</h2>
        <p class="big">{contact.name}</p>
        <p class="muted">
          {contact.email ?? 'no e-mail address'}
          {contact.phones.map((phone) => (
            <>
              {' · '}
              {phone.label}: {phone.number}
              {phone.extension ? ` x${phone.extension}` : ''}
            </>
          ))}
        </p>
      </div>
    </section>
  );
}

function UserSummary({ user }: { user: DirectoryUser }) {
  return (
    <dl class="user">
      <dt>Name</dt>
      <dd>{user.displayName}</dd>
      <dt>Sign-in name</dt>
      <dd>
        <code>{user.userPrincipalName}</code>
      </dd>
      <dt>Account</dt>
      <dd>
        {user.accountEnabled ? 'enabled' : 'disabled'}
        {user.onPremisesSyncEnabled ? ' · synchronised from on-premises AD' : ' · cloud-only'}
      </dd>
    </dl>
  );
}

function UserChoice({ users, launchId }: { users: DirectoryUser[]; launchId: string }) {
  return (
    <ul class="choices">
      {users.map((user) => (
        <li>
          <a href={`/launches/${launchId}?user=${encodeURIComponent(user.id)}`} class="choice-link">
            <strong>{user.displayName}</strong> <code>{user.userPrincipalName}</code> {user.accountEnabled ? '' : '(disabled)'}
          </a>
        </li>
      ))}
    </ul>
  );
}

function SearchBox({ launchId, query }: { launchId: string; query: string }) {
  return (
    <form method="get" action={`/launches/${launchId}`} class="search">
      <label for="q">Find the user by name, e-mail or sign-in name</label>
      <div class="row">
        <input id="q" name="q" type="search" value={query} minlength={2} required />
        <button type="submit">Search</button>
      </div>
    </form>
  );
}

export type LaunchPageProps = {
  result: Ready;
  form: FormDefinition<unknown>;
  values: FormValues;
  errors: FieldErrors;
  csrfToken: string;
  user: LayoutProps['user'];
};

/** The form page: who and what this is about, the matched user, and the form's own fields. */
export function LaunchPage({ result, form, values, errors, csrfToken, user }: LaunchPageProps) {
  const { match, selected, search, launch } = result;
  const changing = Boolean(search) || (match.kind !== 'one' && !selected);
  return (
    <Layout title={form.label} user={user} csrfToken={csrfToken}>
      <h1>{form.label}</h1>
      <p class="muted">{form.description}</p>
      <ContextPanel result={result} />

      <section class="card" aria-labelledby="user-title">
        <h2 id="user-title">User in {result.directory.config.name}</h2>
        {selected ? (
          <>
            <UserSummary user={selected} />
            {match.kind === 'one' && match.user.id === selected.id ? (
              <p class="muted">Matched from the contact by {MATCH_WORDS[match.matchedBy]}.</p>
            ) : (
              <p class="muted">Chosen by you.</p>
            )}
            {selected.onPremisesSyncEnabled ? (
              <p class="warning" role="status">
                This account is synchronised from on-premises Active Directory: its password must be reset there. The toolbox will refuse
                this reset.
              </p>
            ) : null}
            {!changing ? (
              <p>
                <a href={`/launches/${launch.id}?q=${encodeURIComponent(result.context.contact.name)}`}>Not the right user? Search</a>
              </p>
            ) : null}
          </>
        ) : null}
        {!selected && match.kind === 'several' ? (
          <>
            <p>
              {match.users.length} users match the contact's {MATCH_WORDS[match.matchedBy]}. Choose one:
            </p>
            <UserChoice users={match.users} launchId={launch.id} />
          </>
        ) : null}
        {!selected && match.kind === 'none' ? (
          <p>
            No user matches {result.context.contact.name}
            {result.context.contact.email ? ` (${result.context.contact.email})` : ''} by{' '}
            {match.tried.map((rule) => MATCH_WORDS[rule]).join(', ') || 'anything'}. Search for the user:
          </p>
        ) : null}
        {changing || !selected ? <SearchBox launchId={launch.id} query={search?.query ?? ''} /> : null}
        {search ? (
          search.results.length > 0 ? (
            <UserChoice users={search.results} launchId={launch.id} />
          ) : (
            <p role="status">No user found for "{search.query}".</p>
          )
        ) : null}
        {errors.user_id ? (
          <p class="error" role="alert">
            {errors.user_id}
          </p>
        ) : null}
      </section>

      {selected || form.createsUser ? (
        <section class="card" aria-labelledby="form-title">
          <h2 id="form-title">Options</h2>
          <form method="post" action={`/launches/${launch.id}`} class="workflow-form" data-submit-once>
            <input type="hidden" name="_csrf" value={csrfToken} />
            {selected ? <input type="hidden" name="user_id" value={selected.id} /> : null}
            {form.Fields({ values, errors, target: selected ?? NO_TARGET_USER, data: result.formData })}
            <button type="submit" class="primary">
              {form.submitLabel?.(values, selected ?? NO_TARGET_USER) ??
                (form.createsUser ? form.label : `${form.label} for ${selected?.displayName}`)}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
