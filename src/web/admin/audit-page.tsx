import { Hono } from 'hono';
import type { AuditEntry } from '../../store/types.js';
import { listAuditOperation } from '../api/operations/audit-operations.js';
import type { AppEnv } from '../app-env.js';
import { shortTime } from '../views/execution-list-view.js';
import { AdminLayout } from './admin-layout.js';
import { runConsoleAction } from './console-action.js';

type AuditPage = { items: AuditEntry[]; total: number; limit: number; offset: number };

const FILTERS = ['action', 'actor', 'target'] as const;

function auditHref(values: Record<string, string>, offset: number) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (values[name]) params.set(name, values[name]);
  if (values.limit && values.limit !== '50') params.set('limit', values.limit);
  if (offset > 0) params.set('offset', String(offset));
  const query = params.toString();
  return query ? `/admin/audit?${query}` : '/admin/audit';
}

const compact = (value: unknown) => (value === null || value === undefined ? 'nothing' : JSON.stringify(value));

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What changed, readably: for two objects, only the keys whose value differs (before → after);
 * otherwise the whole values. Secrets were replaced by a marker before the entry was written.
 */
export function AuditChange(props: { before: unknown; after: unknown }) {
  const { before, after } = props;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    if (keys.length === 0) return <span class="muted">no difference</span>;
    return (
      <ul class="audit-diff">
        {keys.map((key) => (
          <li>
            <code>{key}</code>: <code>{compact(before[key])}</code> → <code>{compact(after[key])}</code>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <ul class="audit-diff">
      <li>
        before: <code>{compact(before)}</code>
      </li>
      <li>
        after: <code>{compact(after)}</code>
      </li>
    </ul>
  );
}

/** `/admin/audit`: every admin change, newest first, with filters and paging. */
export const auditPage = new Hono<AppEnv>().get('/admin/audit', async (c) => {
  const auth = c.get('auth')!;
  const values = c.req.query();
  const result = await runConsoleAction<AuditPage>(c, auth, listAuditOperation, { query: values });
  const filtered = FILTERS.some((name) => values[name]);
  const page = result.ok ? result.value : null;
  return c.html(
    <AdminLayout title="Audit log" active="/admin/audit" auth={auth} error={result.ok ? undefined : result.error.message}>
      <p class="muted">
        Every change to the toolbox’s set-up and every re-run, newest first: who, when, what, and the value before and after. Secrets are
        never recorded, only that they changed.
      </p>
      <form method="get" action="/admin/audit" class="card filters" aria-label="Filter the audit log">
        <div class="filter-grid">
          <div class="field">
            <label for="audit-action">Action</label>
            <input id="audit-action" name="action" type="text" value={values.action ?? ''} aria-describedby="audit-action-hint" />
            <small class="hint" id="audit-action-hint">
              exact, e.g. psa.update
            </small>
          </div>
          <div class="field">
            <label for="audit-actor">Who (e-mail)</label>
            <input id="audit-actor" name="actor" type="text" value={values.actor ?? ''} />
          </div>
          <div class="field">
            <label for="audit-target">Target</label>
            <input id="audit-target" name="target" type="text" value={values.target ?? ''} aria-describedby="audit-target-hint" />
            <small class="hint" id="audit-target-hint">
              exact, e.g. psa or execution:…
            </small>
          </div>
        </div>
        <div class="row">
          <button type="submit" class="primary">
            Filter
          </button>
          {filtered ? <a href="/admin/audit">Clear filters</a> : null}
        </div>
      </form>
      {page === null ? null : page.items.length === 0 ? (
        <p class="muted">
          {filtered ? 'No entry matches these filters.' : 'No changes yet. Saving anything in the console records it here.'}
        </p>
      ) : (
        <>
          <p class="muted">
            Showing {page.offset + 1}–{page.offset + page.items.length} of {page.total}
          </p>
          <table class="data audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Target</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((entry) => (
                <tr>
                  <td>{shortTime(entry.at)}</td>
                  <td>{entry.actorEmail}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    <code>{entry.target}</code>
                  </td>
                  <td>
                    <AuditChange before={entry.before} after={entry.after} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {page.offset > 0 ? (
              <a href={auditHref(values, Math.max(0, page.offset - page.limit))} rel="prev">
                Previous {page.limit}
              </a>
            ) : null}
            {page.offset + page.items.length < page.total ? (
              <a href={auditHref(values, page.offset + page.limit)} rel="next">
                Next {page.limit}
              </a>
            ) : null}
          </nav>
        </>
      )}
    </AdminLayout>,
    result.ok ? 200 : (result.error.httpStatus as 400),
  );
});
