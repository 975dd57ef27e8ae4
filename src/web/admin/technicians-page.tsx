import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import { ownEntry } from '../../lib/own-entry.js';
import {
  autoMapTechniciansOperation,
  listTechnicians,
  saveTechnicianMappingOperation,
  type techniciansViewSchema,
} from '../api/operations/technician-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

type TechniciansView = z.infer<typeof techniciansViewSchema>;

const NOTICES: Record<string, string> = {
  saved: 'Saved. Ticket notes of this user are attributed to the chosen member.',
  cleared: 'Cleared. This user’s ticket notes are written by the API member, and automatic matching leaves the user unmapped.',
};

function TechniciansPage(props: {
  auth: Auth;
  view: TechniciansView;
  /** A PSA kind's name, for mappings made under a previous PSA. */
  psaLabel: (kind: string) => string;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const { view, psaLabel } = props;
  const previous = view.technicians.filter((technician) => technician.mapping && technician.mapping.psaKind !== view.psaKind);
  const members = [...view.members].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <AdminLayout title="Technicians" active="/admin/technicians" auth={props.auth} notice={props.notice} error={props.error}>
      <p class="muted">
        Each toolbox user can be linked to their PSA member, so the ticket note a form writes is attributed to them where the PSA allows it
        (otherwise the note is written by the API member and names the technician in its text). Users are matched by email automatically; a
        choice made here is never replaced by the automatic match.
      </p>
      {view.membersPulledAt === null ? (
        <section class="card" aria-labelledby="technicians-empty">
          <h2 id="technicians-empty">No PSA members yet</h2>
          <p>
            Run the systems check to pull the members: <a href="/admin/psa/check">PSA systems check</a>. The toolbox then maps users to
            members by email, and you can change any of them here.
          </p>
          {previous.length > 0 ? (
            <p class="muted">
              {previous.length === 1 ? '1 user is' : `${previous.length} users are`} mapped to members of a previous PSA (
              {[...new Set(previous.map((technician) => psaLabel(technician.mapping!.psaKind)))].join(', ')}): those mappings are not used.
            </p>
          ) : null}
        </section>
      ) : (
        <>
          <form method="post" action="/admin/technicians/auto-map" class="row">
            <CsrfField auth={props.auth} />
            <button type="submit">Match users to members by email</button>
            <span class="muted">
              {view.members.length} members pulled {view.membersPulledAt.slice(0, 16).replace('T', ' ')} UTC.{' '}
              <a href="/admin/psa/check">Pull them again</a>
            </span>
          </form>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">PSA member</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {view.technicians.map((technician) => (
                <tr>
                  <td>
                    <strong>{technician.name}</strong>
                    <div class="muted">
                      {technician.email} · {technician.role}
                      {technician.disabled ? ' · disabled' : ''}
                    </div>
                  </td>
                  <td>
                    {technician.mapping && technician.mapping.psaKind !== view.psaKind ? (
                      <>
                        <span class="muted">
                          Not mapped in this PSA. Mapped in the previous PSA ({psaLabel(technician.mapping.psaKind)}) to{' '}
                          {technician.mapping.name} ({technician.mapping.identifier}), which is not used.
                        </span>
                        {technician.emailMatch && !technician.clearedByAdmin ? (
                          <div class="hint">Not matched by e-mail: {technician.emailMatch}</div>
                        ) : null}
                      </>
                    ) : technician.mapping ? (
                      <>
                        {technician.mapping.name} ({technician.mapping.identifier}){' '}
                        <span class="badge">{technician.mapping.source === 'auto' ? 'auto: matched by email' : 'manual'}</span>
                      </>
                    ) : (
                      <>
                        <span class="muted">{technician.clearedByAdmin ? 'None (cleared by an admin)' : 'Not mapped'}</span>
                        {technician.emailMatch && !technician.clearedByAdmin ? (
                          <div class="hint">Not matched by e-mail: {technician.emailMatch}</div>
                        ) : null}
                      </>
                    )}
                  </td>
                  <td>
                    <form method="post" action={`/admin/technicians/${encodeURIComponent(technician.userId)}`}>
                      <CsrfField auth={props.auth} />
                      <input type="hidden" name="revision" value={view.revision ?? ''} />
                      <div class="field">
                        <label for={`member-${technician.userId}`}>PSA member for {technician.name}</label>
                        <select id={`member-${technician.userId}`} name="memberId">
                          <option value="">Choose a member…</option>
                          {members.map((member) => (
                            <option
                              value={member.id}
                              selected={technician.mapping?.psaKind === view.psaKind && member.id === technician.mapping?.memberId}
                            >
                              {member.name} ({member.identifier}) · {member.email ?? 'no e-mail in the PSA'}
                              {member.inactive ? ' – inactive' : ''}
                            </option>
                          ))}
                        </select>
                      </div>
                      <div class="row">
                        <button type="submit" name="action" value="save">
                          Save
                        </button>
                        <button type="submit" name="action" value="clear">
                          Clear
                        </button>
                      </div>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </AdminLayout>
  );
}

async function loadView(c: Context<AppEnv>, auth: Auth): Promise<TechniciansView> {
  const result = await runConsoleAction<TechniciansView>(c, auth, listTechnicians);
  if (!result.ok) throw result.error;
  return result.value;
}

const EXPIRED = 'The form had expired. Nothing was changed; try again.';

/** A PSA kind by its connector's label (the kind itself for one this build does not have). */
const psaLabelOf = (c: Context<AppEnv>) => (kind: string) => ownEntry(c.get('services').connectors.psa, kind)?.label ?? kind;

export const techniciansPage = new Hono<AppEnv>()
  .get('/admin/technicians', async (c) => {
    const auth = c.get('auth')!;
    const key = c.req.query('notice');
    let notice = key ? NOTICES[key] : undefined;
    const mapped = c.req.query('mapped');
    if (key === 'auto-mapped' && mapped !== undefined) {
      const count = Number(mapped) || 0;
      const unmatched = Number(c.req.query('unmatched')) || 0;
      notice =
        `Matched by e-mail: ${count === 0 ? 'nothing changed' : `${count} user${count === 1 ? '' : 's'} mapped or changed`}.` +
        (unmatched > 0
          ? ` ${unmatched} user${unmatched === 1 ? ' has' : 's have'} no matching member: the reason is under each one.`
          : '') +
        ' Manual choices were kept.';
    }
    return c.html(<TechniciansPage auth={auth} psaLabel={psaLabelOf(c)} view={await loadView(c, auth)} notice={notice} />);
  })
  // Registered before the per-user route so "auto-map" is not read as a user id.
  .post('/admin/technicians/auto-map', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<TechniciansPage auth={auth} psaLabel={psaLabelOf(c)} view={await loadView(c, auth)} error={EXPIRED} />, 403);
    const result = await runConsoleAction<{ mapped: unknown[]; unmapped: unknown[]; unmatched: number }>(
      c,
      auth,
      autoMapTechniciansOperation,
    );
    if (result.ok) {
      const changed = result.value.mapped.length + result.value.unmapped.length;
      return c.redirect(`/admin/technicians?notice=auto-mapped&mapped=${changed}&unmatched=${result.value.unmatched}`, 303);
    }
    return c.html(
      <TechniciansPage auth={auth} psaLabel={psaLabelOf(c)} view={await loadView(c, auth)} error={result.error.message} />,
      result.error.httpStatus as 400,
    );
  })
  .post('/admin/technicians/:userId', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<TechniciansPage auth={auth} psaLabel={psaLabelOf(c)} view={await loadView(c, auth)} error={EXPIRED} />, 403);
    const clear = form.action === 'clear';
    if (!clear && !form.memberId) {
      return c.html(
        <TechniciansPage
          psaLabel={psaLabelOf(c)}
          auth={auth}
          view={await loadView(c, auth)}
          error="Choose a PSA member before saving, or use Clear to leave the user unmapped."
        />,
        400,
      );
    }
    const result = await runConsoleAction(c, auth, saveTechnicianMappingOperation, {
      params: { userId: c.req.param('userId') },
      body: { memberId: clear ? null : form.memberId, revision: form.revision ? form.revision : null },
    });
    if (result.ok) return c.redirect(`/admin/technicians?notice=${clear ? 'cleared' : 'saved'}`, 303);
    return c.html(
      <TechniciansPage auth={auth} psaLabel={psaLabelOf(c)} view={await loadView(c, auth)} error={result.error.message} />,
      result.error.httpStatus as 400,
    );
  });
