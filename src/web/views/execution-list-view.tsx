import { EXECUTION_STATUSES } from '../api/operations/execution-operations.js';

type Summary = {
  id: string;
  form: string;
  status: string;
  ticketId: string | null;
  companyId: string;
  /** The company's name as its screen pop read it; null when unknown (the id is shown then). */
  companyName?: string | null;
  target: { display: string };
  technician: { email: string };
  note: { status: string };
  createdAt: string;
  rerunOf: string | null;
};

export type ExecutionListProps = {
  /** Where the filter form and the pager links go: `/admin/executions` or `/executions`. */
  basePath: string;
  /** Where one execution's page is: `/admin/executions/` or `/executions/`. */
  detailPath: string;
  /** The filters as the query had them (strings), kept in every link. */
  values: Record<string, string>;
  forms: { name: string; label: string }[];
  /** Admins filter by technician; a technician's own list has no such filter. */
  technicians?: { id: string; label: string }[];
  result: { items: Summary[]; total: number; limit: number; offset: number } | null;
  /** Each finished row gets a "Run again…" link to its review (`/executions/{id}/rerun`). */
  offerRerun?: boolean;
};

const FINISHED = ['succeeded', 'partial', 'failed'];

const FILTER_NAMES = ['form', 'status', 'companyId', 'technician', 'from', 'to'] as const;

/** The query string for these filters at this offset (empty filters left out). */
export function listHref(basePath: string, values: Record<string, string>, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (values[name]) params.set(name, values[name]);
  if (values.limit && values.limit !== '50') params.set('limit', values.limit);
  for (const [name, value] of Object.entries(extra)) if (value !== '' && value !== 0) params.set(name, String(value));
  const query = params.toString();
  return query ? `${basePath}?${query}` : basePath;
}

export const shortTime = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

/** Filters, the matching executions as a table, and the pager; works without JavaScript. */
export function ExecutionList(props: ExecutionListProps) {
  const { values, result } = props;
  const filtered = FILTER_NAMES.some((name) => values[name]);
  return (
    <>
      <form method="get" action={props.basePath} class="card filters" aria-label="Filter executions">
        <div class="filter-grid">
          <div class="field">
            <label for="filter-form">Form</label>
            <select id="filter-form" name="form">
              <option value="">Any form</option>
              {props.forms.map((form) => (
                <option value={form.name} selected={values.form === form.name}>
                  {form.label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-status">Status</label>
            <select id="filter-status" name="status">
              <option value="">Any status</option>
              {EXECUTION_STATUSES.map((status) => (
                <option value={status} selected={values.status === status}>
                  {status}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-company">PSA company id</label>
            <input id="filter-company" name="companyId" type="text" inputmode="numeric" value={values.companyId ?? ''} />
          </div>
          {props.technicians ? (
            <div class="field">
              <label for="filter-technician">Technician</label>
              <select id="filter-technician" name="technician">
                <option value="">Any technician</option>
                {props.technicians.map((technician) => (
                  <option value={technician.id} selected={values.technician === technician.id}>
                    {technician.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div class="field">
            <label for="filter-from">From (day, UTC)</label>
            <input id="filter-from" name="from" type="date" value={values.from ?? ''} />
          </div>
          <div class="field">
            <label for="filter-to">To (day, UTC, included)</label>
            <input id="filter-to" name="to" type="date" value={values.to ?? ''} />
          </div>
        </div>
        <div class="row">
          <button type="submit" class="primary">
            Filter
          </button>
          {filtered ? <a href={props.basePath}>Clear filters</a> : null}
          <a href={listHref('/api/executions.csv', values)} download>
            Export these as CSV
          </a>
        </div>
      </form>
      {result === null ? null : result.items.length === 0 ? (
        <p class="muted">
          {filtered
            ? 'No execution matches these filters. Widen the dates or clear a filter.'
            : result.offset > 0
              ? 'There are no more executions.'
              : 'No executions yet. They appear here once a technician submits a form from a screen pop.'}
        </p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            Showing {result.offset + 1}–{result.offset + result.items.length} of {result.total}
          </p>
          <table class="data executions">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Form</th>
                <th scope="col">Status</th>
                <th scope="col">User</th>
                <th scope="col">Ticket</th>
                <th scope="col">Company</th>
                {props.technicians ? <th scope="col">Technician</th> : null}
                <th scope="col">Note</th>
                {props.offerRerun ? <th scope="col">Again</th> : null}
              </tr>
            </thead>
            <tbody>
              {result.items.map((item) => (
                <tr>
                  <td class="nowrap">
                    <a href={`${props.detailPath}${item.id}`}>{shortTime(item.createdAt)}</a>
                  </td>
                  <td>
                    {props.forms.find((form) => form.name === item.form)?.label ?? item.form}
                    {item.rerunOf ? <small class="muted"> (run again)</small> : null}
                  </td>
                  <td class={`status-${item.status}`}>
                    <span class="badge">{item.status}</span>
                  </td>
                  <td class="breakable">{item.target.display}</td>
                  <td class="nowrap">{item.ticketId ? `#${item.ticketId}` : 'none'}</td>
                  <td>
                    {item.companyName ? (
                      <span title={`PSA company ${item.companyId}`}>{item.companyName}</span>
                    ) : (
                      `company ${item.companyId}`
                    )}
                  </td>
                  {props.technicians ? <td class="breakable">{item.technician.email}</td> : null}
                  <td>{item.note.status}</td>
                  {props.offerRerun ? (
                    <td>
                      {FINISHED.includes(item.status) ? (
                        <a
                          class="button"
                          href={`/executions/${item.id}/rerun`}
                          aria-label={`Run again: ${item.form} for ${item.target.display}, ${shortTime(item.createdAt)}`}
                        >
                          Run again…
                        </a>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {result.offset > 0 ? (
              <a href={listHref(props.basePath, values, { offset: Math.max(0, result.offset - result.limit) })} rel="prev">
                Previous {result.limit}
              </a>
            ) : null}
            {result.offset + result.items.length < result.total ? (
              <a href={listHref(props.basePath, values, { offset: result.offset + result.limit })} rel="next">
                Next {result.limit}
              </a>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}
