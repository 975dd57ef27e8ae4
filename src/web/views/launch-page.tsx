import type { Child } from 'hono/jsx';
import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { PsaWords } from '../../connectors/psa/types.js';
import type { ChangePlace, OpenLaunchResult } from '../../domain/launch/open-launch.js';
import { type FieldErrors, type FormDefinition, type FormDirectory, type FormValues, NO_TARGET_USER } from '../../forms/types.js';
import { AccountNotices } from './account-notices.js';
import { ContactCompanyWarning } from './contact-company-warning.js';
import { DirectoryUserCard } from './directory-user-card.js';
import { ErrorSummary } from './error-summary.js';
import { Layout, type LayoutProps } from './layout.js';
import { ReviewPanel, type ReviewPanelProps } from './review-panel.js';

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
            <p class="muted">{[ticket.queue, ticket.status, ticket.type].filter(Boolean).join(' · ')}</p>
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

/** A hybrid company: which side each change goes to, before the technician submits. */
function ChangePlaces({ places, newAccount = false }: { places: ChangePlace[]; newAccount?: boolean }) {
  return (
    <div class="change-places">
      <p>Where the changes happen:</p>
      {newAccount && places.length > 1 ? (
        <p class="muted">
          The account is created on-premises; Microsoft 365 gets it with the next directory sync, and the steps there need it (they say so
          if it has not arrived yet).
        </p>
      ) : null}
      <ul>
        {places.map((entry) => (
          <li>
            <strong>{entry.place}</strong>: {entry.steps.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function UserSummary({ user }: { user: DirectoryUser }) {
  return <DirectoryUserCard user={user} layout="summary" />;
}

function UserChoice({ users, launchId }: { users: DirectoryUser[]; launchId: string }) {
  return (
    <ul class="choices">
      {users.map((user) => (
        <li>
          <DirectoryUserCard user={user} layout="choice" href={`/launches/${launchId}?user=${encodeURIComponent(user.id)}`} />
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
  /** What the form offers the company's directory, and its password rules. */
  formDirectory: FormDirectory;
  values: FormValues;
  errors: FieldErrors;
  csrfToken: string;
  user: LayoutProps['user'];
  /** The changes to confirm before the run, above the (still editable) options. */
  review?: Pick<ReviewPanelProps, 'review' | 'token' | 'values' | 'stale'> | undefined;
  /** Said at the top, e.g. that typed entries were kept from an expired screen pop. */
  notice?: string | undefined;
  /** The words of the launch's PSA (its name, what it calls a ticket, a company, a contact). */
  psaWords: PsaWords;
};

/** The submit button's words: the action and the person, as the form puts them. */
function submitLabel(form: FormDefinition<unknown>, values: FormValues, selected: DirectoryUser | null): Child {
  if (form.submitLabel) return form.submitLabel(values, selected ?? NO_TARGET_USER);
  return form.createsUser ? form.label : `${form.label} for ${selected?.displayName}`;
}

/** The form page: who and what this is about, the matched user, and the form's own fields. */
export function LaunchPage({ result, form, formDirectory, values, errors, csrfToken, user, review, notice, psaWords }: LaunchPageProps) {
  const { match, selected, search, launch } = result;
  const changing = Boolean(search) || (match.kind !== 'one' && !selected);
  return (
    <Layout title={review ? `Check: ${form.label}` : form.label} user={user} csrfToken={csrfToken}>
      <h1>{form.label}</h1>
      <p class="muted">{form.description}</p>
      <ErrorSummary errors={errors} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {review ? <ReviewPanel {...review} action={`/launches/${launch.id}`} csrfToken={csrfToken} changeHref="#form-title" /> : null}
      <ContextPanel result={result} />
      <ContactCompanyWarning contact={result.context.contact} company={result.context.company} words={psaWords} />

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
            <AccountNotices notices={result.accountNotices} user={selected} />
            {result.places.length > 0 ? <ChangePlaces places={result.places} /> : null}
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
          <p class="error" role="alert" id="user_id-error">
            {errors.user_id}
          </p>
        ) : null}
      </section>

      {selected || form.createsUser ? (
        <section class="card" aria-labelledby="form-title">
          <h2 id="form-title">Options</h2>
          {form.createsUser && result.places.length > 0 ? <ChangePlaces places={result.places} newAccount /> : null}
          <form method="post" action={`/launches/${launch.id}`} class="workflow-form" data-review-inline>
            <input type="hidden" name="_csrf" value={csrfToken} />
            {selected ? <input type="hidden" name="user_id" value={selected.id} /> : null}
            {form.Fields({ values, errors, target: selected ?? NO_TARGET_USER, data: result.formData, directory: formDirectory })}
            {errors._review ? (
              <p class="error" role="alert" id="_review-error">
                {errors._review}
              </p>
            ) : null}
            <button type="submit" class="primary">
              {submitLabel(form, values, selected)}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
