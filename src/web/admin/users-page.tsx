import { type Context, Hono } from 'hono';
import { MIN_PASSWORD_LENGTH } from '../../domain/auth/add-user.js';
import type { ToolboxError } from '../../lib/toolbox-error.js';
import type { ApiTokenRecord, UserRecord } from '../../store/types.js';
import { createApiTokenOperation, revokeApiTokenOperation } from '../api/operations/token-operations.js';
import {
  changeUserOperation,
  createUserOperation,
  latestLockByEmail,
  resetUserPasswordOperation,
  unlockUserSignInOperation,
} from '../api/operations/user-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

/** Something shown exactly once, in the answer to the POST that made it (never in a URL or a later page). */
type ShownOnce = { title: string; label: string; value: string; explanation: string };

type UsersPageState = {
  notice?: string;
  error?: string;
  /** The add-user form as typed (never the password), with its problems. */
  addUser?: { values: Record<string, string>; problems: ToolboxError['fields'] };
  tokenProblems?: ToolboxError['fields'];
  tokenName?: string;
  shownOnce?: ShownOnce;
};

const NOTICES: Record<string, string> = {
  'user-added': 'User added. They can sign in now.',
  'role-changed': 'Role changed.',
  disabled: 'User disabled. Their sessions and API tokens stop working.',
  enabled: 'User enabled. They can sign in again.',
  'password-reset': 'Password changed.',
  revoked: 'API token revoked. It no longer works.',
  unlocked: 'Sign-in unlocked. The user can sign in again at once.',
};

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

const problemFor = (problems: ToolboxError['fields'] | undefined, field: string) =>
  problems?.find((problem) => problem.path.replace(/^body\./, '') === field)?.message;

function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p class="error" id={props.id}>
      {props.message}
    </p>
  ) : null;
}

function ShownOnceCard(props: { shown: ShownOnce }) {
  return (
    <section class="secret" aria-labelledby="shown-once-title">
      <h2 id="shown-once-title">{props.shown.title}</h2>
      <p>
        Shown <strong>once</strong>: copy it now. {props.shown.explanation}
      </p>
      <div class="row">
        <input
          id="shown-once-value"
          class="secret-value"
          type="text"
          readonly
          value={props.shown.value}
          aria-label={props.shown.label}
          autocomplete="off"
          spellcheck={false}
        />
        <button type="button" data-copy="shown-once-value">
          Copy
        </button>
      </div>
    </section>
  );
}

function UserRow(props: { user: UserRecord; auth: Auth; lockedUntil: string | undefined }) {
  const { user, auth } = props;
  const base = `/admin/users/${encodeURIComponent(user.id)}`;
  const readOnly = user.source === 'config';
  return (
    <tr id={`user-${user.id}`}>
      <td>
        {user.email}
        {user.id === auth.user.id ? <span class="muted"> (you)</span> : null}
      </td>
      <td>{user.name}</td>
      <td>{user.role}</td>
      <td>
        {user.disabled ? <span class="badge">disabled</span> : 'active'}
        {props.lockedUntil ? (
          <div class="sign-in-lock">
            <span class="badge">sign-in locked until {when(props.lockedUntil)}</span>
            <span class="muted"> after too many failed sign-ins.</span>
            <form method="post" action={`${base}/unlock`}>
              <CsrfField auth={auth} />
              <button type="submit">
                Unlock <span class="visually-hidden">{user.email}</span>
              </button>
            </form>
          </div>
        ) : null}
      </td>
      <td>
        {readOnly ? (
          <span class="badge source-file">from the configuration file (read-only)</span>
        ) : (
          <span class="badge source-console">
            {user.source === 'cli'
              ? 'added by the command line'
              : user.source === 'microsoft'
                ? 'signed in with Microsoft (role from Entra)'
                : user.source === 'oidc'
                  ? 'signed in with SSO (role from the provider)'
                  : 'added in the console'}
          </span>
        )}
      </td>
      <td>
        {readOnly ? (
          <span class="muted">Change it in the configuration file: it sets this user again at every start.</span>
        ) : (
          <div class="user-actions">
            <form method="post" action={`${base}/role`} class="row">
              <CsrfField auth={auth} />
              <label for={`role-${user.id}`} class="visually-hidden">
                Role of {user.email}
              </label>
              <select id={`role-${user.id}`} name="role">
                <option value="technician" selected={user.role === 'technician'}>
                  technician
                </option>
                <option value="admin" selected={user.role === 'admin'}>
                  admin
                </option>
              </select>
              <button type="submit">Change role</button>
            </form>
            <form method="post" action={`${base}/${user.disabled ? 'enable' : 'disable'}`}>
              <CsrfField auth={auth} />
              <button type="submit">
                {user.disabled ? 'Enable' : 'Disable'} <span class="visually-hidden">{user.email}</span>
              </button>
            </form>
            <details>
              <summary>Reset password</summary>
              <form method="post" action={`${base}/password`}>
                <CsrfField auth={auth} />
                <div class="field">
                  <label for={`password-${user.id}`}>New password for {user.email}</label>
                  <input
                    id={`password-${user.id}`}
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minlength={MIN_PASSWORD_LENGTH}
                  />
                </div>
                <label class="choice">
                  <input type="checkbox" name="generatePassword" value="on" /> Generate one instead (shown to you once)
                </label>
                <button type="submit">Set the password</button>
              </form>
            </details>
          </div>
        )}
      </td>
    </tr>
  );
}

function TokenRow(props: { token: ApiTokenRecord; owner: UserRecord | undefined; auth: Auth }) {
  const { token } = props;
  return (
    <tr>
      <td>{token.name}</td>
      <td>
        {props.owner ? `${props.owner.email} (${props.owner.role})` : 'deleted user'}
        {props.owner?.disabled ? <span class="badge">user disabled</span> : null}
      </td>
      <td>
        <code>…{token.hint}</code>
      </td>
      <td>{when(token.createdAt)}</td>
      <td>{token.lastUsedAt ? when(token.lastUsedAt) : 'never'}</td>
      <td>
        {token.revokedAt ? (
          `revoked ${when(token.revokedAt)}`
        ) : (
          <form method="post" action={`/admin/users/tokens/${encodeURIComponent(token.id)}/revoke`}>
            <CsrfField auth={props.auth} />
            <button type="submit">
              Revoke <span class="visually-hidden">{token.name}</span>
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

async function UsersPage(props: { c: Context<AppEnv>; auth: Auth; state: UsersPageState }) {
  const { auth, state } = props;
  const services = props.c.get('services');
  const [users, tokens, locks] = await Promise.all([
    services.store.users.list(),
    services.store.apiTokens.list({}),
    services.store.signInThrottle.listLocked(new Date(services.clock.now()).toISOString()),
  ]);
  const lockedUntil = latestLockByEmail(locks);
  const byId = new Map(users.map((user) => [user.id, user]));
  const values = state.addUser?.values ?? {};
  const addProblems = state.addUser?.problems;
  const activeUsers = users.filter((user) => !user.disabled);
  return (
    <AdminLayout title="Users and API tokens" active="/admin/users" auth={auth} notice={state.notice} error={state.error}>
      {state.shownOnce ? <ShownOnceCard shown={state.shownOnce} /> : null}
      <section class="card" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <p class="muted">
          Technicians open the forms; administrators also use this console and the API. A disabled user cannot sign in, and their sessions
          and API tokens stop working. Users from the configuration file are set again from it at every start, so they are read-only here.
          After too many failed sign-ins an account is locked for 15 minutes; Unlock lifts it sooner.
        </p>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Source</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <UserRow user={user} auth={auth} lockedUntil={lockedUntil.get(user.email)} />
            ))}
          </tbody>
        </table>
      </section>

      <section class="card" aria-labelledby="add-user-title">
        <h2 id="add-user-title">Add a user</h2>
        <form method="post" action="/admin/users">
          <CsrfField auth={auth} />
          <div class="field">
            <label for="new-email">E-mail</label>
            <input
              id="new-email"
              name="email"
              type="email"
              required
              autocomplete="off"
              value={values.email ?? ''}
              aria-invalid={problemFor(addProblems, 'email') ? 'true' : undefined}
              aria-describedby={problemFor(addProblems, 'email') ? 'new-email-error' : undefined}
            />
            <FieldError id="new-email-error" message={problemFor(addProblems, 'email')} />
          </div>
          <div class="field">
            <label for="new-name">Name</label>
            <input id="new-name" name="name" type="text" autocomplete="off" value={values.name ?? ''} aria-describedby="new-name-help" />
            <p class="hint" id="new-name-help">
              Optional; shown in the toolbox. Default: the part of the e-mail before the @.
            </p>
          </div>
          <div class="field">
            <label for="new-role">Role</label>
            <select id="new-role" name="role">
              <option value="technician" selected={values.role !== 'admin'}>
                technician
              </option>
              <option value="admin" selected={values.role === 'admin'}>
                admin
              </option>
            </select>
          </div>
          <div class="field">
            <label for="new-password">Password</label>
            <input
              id="new-password"
              name="password"
              type="password"
              autocomplete="new-password"
              aria-describedby={`new-password-help${problemFor(addProblems, 'password') ? ' new-password-error' : ''}`}
              aria-invalid={problemFor(addProblems, 'password') ? 'true' : undefined}
            />
            <p class="hint" id="new-password-help">
              At least {MIN_PASSWORD_LENGTH} characters. Or leave it empty and tick "Generate one".
            </p>
            <FieldError id="new-password-error" message={problemFor(addProblems, 'password')} />
          </div>
          <label class="choice">
            <input type="checkbox" name="generatePassword" value="on" checked={values.generatePassword === 'on'} /> Generate one (shown to
            you once, to pass on)
          </label>
          <button type="submit" class="primary">
            Add the user
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p class="muted">
          For automation: send a token as <code>Authorization: Bearer tbx_…</code> to the API described at{' '}
          <a href="/api/openapi.json">/api/openapi.json</a>. A token acts as its user, with their role, until it is revoked or the user is
          disabled. It is shown once when created; the toolbox keeps only a hash of it.
        </p>
        {tokens.length === 0 ? (
          <p>No API tokens yet.</p>
        ) : (
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Acts as</th>
                <th scope="col">Ends with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <TokenRow token={token} owner={byId.get(token.userId)} auth={auth} />
              ))}
            </tbody>
          </table>
        )}
        <h3>Create an API token</h3>
        <form method="post" action="/admin/users/tokens">
          <CsrfField auth={auth} />
          <div class="field">
            <label for="token-name">Name</label>
            <input
              id="token-name"
              name="name"
              type="text"
              required
              autocomplete="off"
              value={state.tokenName ?? ''}
              aria-describedby={`token-name-help${problemFor(state.tokenProblems, 'name') ? ' token-name-error' : ''}`}
              aria-invalid={problemFor(state.tokenProblems, 'name') ? 'true' : undefined}
            />
            <p class="hint" id="token-name-help">
              What it is for, e.g. "nightly export".
            </p>
            <FieldError id="token-name-error" message={problemFor(state.tokenProblems, 'name')} />
          </div>
          <div class="field">
            <label for="token-user">Acts as</label>
            <select id="token-user" name="userId">
              {activeUsers.map((user) => (
                <option value={user.id} selected={user.id === auth.user.id}>
                  {user.email} ({user.role})
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="primary">
            Create the token
          </button>
        </form>
      </section>
    </AdminLayout>
  );
}

const expired = 'The form had expired. Nothing was changed; try again.';

/** `on` from a checkbox, else nothing (so the schema's "one of password or generate" rule applies). */
const checkbox = (value: string | undefined) => (value === 'on' ? true : undefined);
const optional = (value: string | undefined) => (value ? value : undefined);

export const usersPage = new Hono<AppEnv>()
  .get('/admin/users', async (c) => {
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return c.html(<UsersPage c={c} auth={c.get('auth')!} state={notice ? { notice } : {}} />);
  })
  .post('/admin/users', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<UsersPage c={c} auth={auth} state={{ error: expired }} />, 403);
    const result = await runConsoleAction<{ user: { email: string }; generatedPassword: string | null }>(c, auth, createUserOperation, {
      body: {
        email: form.email ?? '',
        name: optional(form.name),
        role: form.role ?? '',
        password: optional(form.password),
        generatePassword: checkbox(form.generatePassword),
      },
    });
    if (!result.ok) {
      const { password: _password, _csrf, ...kept } = form;
      return c.html(
        <UsersPage c={c} auth={auth} state={{ error: result.error.message, addUser: { values: kept, problems: result.error.fields } }} />,
        result.error.httpStatus as 400,
      );
    }
    if (!result.value.generatedPassword) return c.redirect('/admin/users?notice=user-added', 303);
    return c.html(
      <UsersPage
        c={c}
        auth={auth}
        state={{
          notice: `${result.value.user.email} added.`,
          shownOnce: {
            title: `Password for ${result.value.user.email}`,
            label: 'Generated password',
            value: result.value.generatedPassword,
            explanation: 'Give it to the user; it is not stored or logged, and cannot be shown again.',
          },
        }}
      />,
    );
  })
  .post('/admin/users/tokens', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<UsersPage c={c} auth={auth} state={{ error: expired }} />, 403);
    const result = await runConsoleAction<{ token: string; tokenInfo: { name: string } }>(c, auth, createApiTokenOperation, {
      body: { name: form.name ?? '', userId: optional(form.userId) },
    });
    if (!result.ok) {
      return c.html(
        <UsersPage
          c={c}
          auth={auth}
          state={{ error: result.error.message, tokenProblems: result.error.fields, tokenName: form.name ?? '' }}
        />,
        result.error.httpStatus as 400,
      );
    }
    return c.html(
      <UsersPage
        c={c}
        auth={auth}
        state={{
          notice: `API token "${result.value.tokenInfo.name}" created.`,
          shownOnce: {
            title: `API token "${result.value.tokenInfo.name}"`,
            label: 'New API token',
            value: result.value.token,
            explanation: 'Store it where the automation keeps its secrets; the toolbox keeps only a hash and cannot show it again.',
          },
        }}
      />,
    );
  })
  .post('/admin/users/tokens/:id/revoke', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<UsersPage c={c} auth={auth} state={{ error: expired }} />, 403);
    const result = await runConsoleAction(c, auth, revokeApiTokenOperation, { params: { id: c.req.param('id') }, body: {} });
    if (result.ok) return c.redirect('/admin/users?notice=revoked', 303);
    return c.html(<UsersPage c={c} auth={auth} state={{ error: result.error.message }} />, result.error.httpStatus as 400);
  })
  .post('/admin/users/:id/unlock', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<UsersPage c={c} auth={auth} state={{ error: expired }} />, 403);
    const result = await runConsoleAction(c, auth, unlockUserSignInOperation, { params: { id: c.req.param('id') } });
    if (result.ok) return c.redirect('/admin/users?notice=unlocked', 303);
    return c.html(<UsersPage c={c} auth={auth} state={{ error: result.error.message }} />, result.error.httpStatus as 400);
  })
  .post('/admin/users/:id/:action{role|disable|enable|password}', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<UsersPage c={c} auth={auth} state={{ error: expired }} />, 403);
    const id = c.req.param('id');
    const action = c.req.param('action');
    if (action === 'password') {
      const result = await runConsoleAction<{ generatedPassword: string | null }>(c, auth, resetUserPasswordOperation, {
        params: { id },
        body: { password: optional(form.password), generatePassword: checkbox(form.generatePassword) },
      });
      if (!result.ok)
        return c.html(<UsersPage c={c} auth={auth} state={{ error: result.error.message }} />, result.error.httpStatus as 400);
      if (!result.value.generatedPassword) return c.redirect('/admin/users?notice=password-reset', 303);
      const user = await c.get('services').store.users.findById(id);
      return c.html(
        <UsersPage
          c={c}
          auth={auth}
          state={{
            notice: 'Password changed.',
            shownOnce: {
              title: `New password for ${user?.email ?? 'the user'}`,
              label: 'Generated password',
              value: result.value.generatedPassword,
              explanation: 'Give it to the user; it is not stored or logged, and cannot be shown again.',
            },
          }}
        />,
      );
    }
    const body = action === 'role' ? { role: form.role ?? '' } : { disabled: action === 'disable' };
    const result = await runConsoleAction(c, auth, changeUserOperation, { params: { id }, body });
    if (result.ok) return c.redirect(`/admin/users?notice=${action === 'role' ? 'role-changed' : `${action}d`}`, 303);
    return c.html(<UsersPage c={c} auth={auth} state={{ error: result.error.message }} />, result.error.httpStatus as 400);
  });
