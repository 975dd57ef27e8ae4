import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import { hybridPairId, splitHybridPairId } from '../../engine/directory-registry.js';
import {
  type companyMappingsViewSchema,
  getCompanyMappings,
  saveCompanyMappingsOperation,
} from '../api/operations/company-mapping-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { readConsoleFormAll, runConsoleAction } from './console-action.js';

type CompanyMappingsView = z.infer<typeof companyMappingsViewSchema>;

/** The value of the "unmap" choice in a mapped company's select (directory ids never start with a dash). */
const UNMAP = '-';

function companyLabel(name: string | null, companyId: string) {
  return name ?? `Company ${companyId}`;
}

function UnmappedCompanies(props: { auth: Auth; view: CompanyMappingsView }) {
  const { view } = props;
  const suggested = view.unmapped.filter((company) => company.suggestion !== null);
  return (
    <section aria-labelledby="unmapped-heading">
      <h2 id="unmapped-heading">Unmapped companies ({view.unmapped.length})</h2>
      {view.unmapped.length === 0 ? (
        <p class="muted">
          {view.problems.length > 0
            ? 'None found, but see the problems above.'
            : 'Every active company in the PSA is mapped to a directory.'}
        </p>
      ) : (
        <>
          <p class="muted">
            A screen pop for these companies cannot find the customer’s users. Suggestions come from the contacts’ e-mail domains and the
            directories’ verified domains; the ticked ones are saved by “Confirm selected suggestions”.
          </p>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Suggestion</th>
                <th scope="col">Map by hand</th>
              </tr>
            </thead>
            <tbody>
              {view.unmapped.map((company) => (
                <tr>
                  <td>
                    <strong>{company.companyName}</strong>
                    <div class="muted">
                      {company.identifier ? `${company.identifier} · ` : ''}id {company.companyId}
                    </div>
                  </td>
                  <td>
                    {company.suggestion ? (
                      <>
                        <label class="choice">
                          <input type="checkbox" name="confirm" value={company.companyId} form="confirm-suggestions" checked />
                          Map to {company.suggestion.directoryName}
                        </label>
                        <div class="muted">{company.suggestion.reason}</div>
                      </>
                    ) : (
                      <span class="muted">{company.noSuggestionReason ?? 'No suggestion.'}</span>
                    )}
                  </td>
                  <td>
                    {view.directories.length > 0 ? (
                      <form method="post" action="/admin/companies">
                        <CsrfField auth={props.auth} />
                        <input type="hidden" name="action" value="map" />
                        <input type="hidden" name="companyId" value={company.companyId} />
                        <input type="hidden" name="revision" value={view.revision ?? ''} />
                        <DirectoryChoice view={view} idPrefix={`map-${company.companyId}`} companyName={company.companyName} />
                        <button type="submit">Map</button>
                      </form>
                    ) : (
                      <span class="muted">Add a directory first.</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {suggested.length > 0 ? (
            <form method="post" action="/admin/companies" id="confirm-suggestions" class="row">
              <CsrfField auth={props.auth} />
              <input type="hidden" name="action" value="confirm" />
              <input type="hidden" name="revision" value={view.revision ?? ''} />
              {suggested.map((company) => (
                <input type="hidden" name={`suggestion.${company.companyId}`} value={company.suggestion?.directoryId ?? ''} />
              ))}
              <button type="submit" class="primary">
                Confirm selected suggestions
              </button>
              <span class="muted">{suggested.length} suggested</span>
            </form>
          ) : null}
        </>
      )}
    </section>
  );
}

/**
 * The directory a company is mapped to, and for a hybrid customer the on-premises AD directory its
 * users are synced from (offered only when one is set up). Posted as `directoryId` and
 * `onPremisesDirectoryId`; saved as one mapping, the pair `<cloud id>+<AD id>`.
 */
function DirectoryChoice(props: { view: CompanyMappingsView; idPrefix: string; companyName: string; current?: string }) {
  const { view, idPrefix, current } = props;
  const pair = current ? splitHybridPairId(current) : null;
  const currentMain = pair?.cloudId ?? current;
  const currentOnPremises = pair?.onPremisesId;
  const onPremises = view.directories.filter((directory) => directory.onPremises);
  return (
    <>
      <div class="field">
        <label for={idPrefix}>Directory for {props.companyName}</label>
        <select id={idPrefix} name="directoryId">
          {current === undefined ? <option value="">Choose a directory…</option> : null}
          {view.directories.map((directory) => (
            <option value={directory.id} selected={directory.id === currentMain}>
              {directory.name}
            </option>
          ))}
          {current !== undefined ? <option value={UNMAP}>Not mapped (unmap)</option> : null}
        </select>
      </div>
      {onPremises.length > 0 ? (
        <div class="field">
          <label for={`${idPrefix}-ad`}>Synced from on-premises AD (hybrid)</label>
          <select id={`${idPrefix}-ad`} name="onPremisesDirectoryId">
            <option value="">None: cloud-only or AD-only</option>
            {onPremises.map((directory) => (
              <option value={directory.id} selected={directory.id === currentOnPremises}>
                {directory.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </>
  );
}

function MappedCompanies(props: { auth: Auth; view: CompanyMappingsView }) {
  const { view } = props;
  return (
    <section aria-labelledby="mapped-heading">
      <h2 id="mapped-heading">Mapped companies ({view.mappings.length})</h2>
      {view.mappings.length === 0 ? (
        <p class="muted">No company is mapped yet.</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">Directory</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {view.mappings.map((mapping) => {
              const name = companyLabel(mapping.companyName, mapping.companyId);
              return (
                <tr>
                  <td>
                    <strong>{name}</strong>
                    <div class="muted">
                      {mapping.identifier ? `${mapping.identifier} · ` : ''}id {mapping.companyId}
                    </div>
                  </td>
                  <td>
                    {mapping.directoryName} <SourceBadge source={mapping.source} />
                  </td>
                  <td>
                    {mapping.source === 'file' ? (
                      <span class="muted">Change it in the configuration file (directories[].psaCompanyIds) and restart.</span>
                    ) : (
                      <form method="post" action="/admin/companies">
                        <CsrfField auth={props.auth} />
                        <input type="hidden" name="action" value="map" />
                        <input type="hidden" name="companyId" value={mapping.companyId} />
                        <input type="hidden" name="revision" value={view.revision ?? ''} />
                        <DirectoryChoice
                          view={view}
                          idPrefix={`change-${mapping.companyId}`}
                          companyName={name}
                          current={mapping.directoryId}
                        />
                        <button type="submit">Save</button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Mappings made while another PSA was connected: shown so nothing seems lost, never applied. */
function OtherPsaMappings(props: { view: CompanyMappingsView }) {
  const { otherPsaMappings } = props.view;
  if (otherPsaMappings.length === 0) return null;
  return (
    <section aria-labelledby="other-psa-heading">
      <h2 id="other-psa-heading">Mapped under a previous PSA ({otherPsaMappings.length})</h2>
      <p class="muted">
        These company ids belong to a PSA the toolbox is no longer connected to, so they are not used: the same id in the PSA connected now
        is another company. They apply again if that PSA is connected again.
      </p>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">PSA</th>
            <th scope="col">Company id</th>
            <th scope="col">Directory</th>
          </tr>
        </thead>
        <tbody>
          {otherPsaMappings.map((mapping) => (
            <tr>
              <td>{mapping.psaLabel}</td>
              <td>{mapping.companyId}</td>
              <td>{mapping.directoryName}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CompaniesPage(props: { auth: Auth; view: CompanyMappingsView; notice?: string | undefined; error?: string | undefined }) {
  const { view } = props;
  return (
    <AdminLayout title="Company mapping" active="/admin/companies" auth={props.auth} notice={props.notice} error={props.error}>
      <p class="muted">
        Each PSA company is served by one directory (a customer’s Microsoft 365 tenant): a screen pop for a ticket of that company looks up
        the contact’s user there.
      </p>
      {view.problems.length > 0 ? (
        <section class="card" aria-labelledby="problems-heading">
          <h2 id="problems-heading">Some information could not be read</h2>
          <ul class="warning">
            {view.problems.map((problem) => (
              <li>{problem}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {!view.psaConfigured ? (
        <section class="card" aria-labelledby="no-psa">
          <h2 id="no-psa">No PSA connection yet</h2>
          <p>
            The companies come from the PSA. <a href="/admin/psa">Connect the PSA</a> first.
          </p>
        </section>
      ) : null}
      {view.directories.length === 0 ? (
        <section class="card" aria-labelledby="no-directories">
          <h2 id="no-directories">No directories yet</h2>
          <p>
            Companies are mapped to directories. <a href="/admin/directories">Add a customer’s Microsoft 365 tenant</a> first.
          </p>
        </section>
      ) : null}
      {view.psaConfigured ? <UnmappedCompanies auth={props.auth} view={view} /> : null}
      <MappedCompanies auth={props.auth} view={view} />
      <OtherPsaMappings view={view} />
    </AdminLayout>
  );
}

async function loadView(c: Context<AppEnv>, auth: Auth): Promise<CompanyMappingsView> {
  const result = await runConsoleAction<CompanyMappingsView>(c, auth, getCompanyMappings);
  if (!result.ok) throw result.error;
  return result.value;
}

const EXPIRED = 'The form had expired. Nothing was changed; try again.';

function noticeFor(key: string | undefined, count: string | undefined): string | undefined {
  if (key === 'confirmed') return `Saved: ${Number(count) || 0} compan${Number(count) === 1 ? 'y' : 'ies'} mapped as suggested.`;
  if (key === 'mapped') return 'Saved. Screen pops for this company now look up users in the chosen directory.';
  if (key === 'unmapped') return 'Unmapped. Screen pops for this company no longer find a directory.';
  return undefined;
}

/** What the posted form asks for, as the API's body; a string is the problem to show. */
function mappingsFromForm(form: Record<string, string[]>): Record<string, string | null> | string {
  const first = (name: string) => form[name]?.[0] ?? '';
  if (first('action') === 'confirm') {
    const ids = form.confirm ?? [];
    if (ids.length === 0) return 'Tick at least one suggestion to confirm. Nothing was saved.';
    const mappings: Record<string, string | null> = {};
    for (const id of ids) {
      const directoryId = first(`suggestion.${id}`);
      if (directoryId === '') return `Company ${id} has no suggestion to confirm; reload the page. Nothing was saved.`;
      mappings[id] = directoryId;
    }
    return mappings;
  }
  const companyId = first('companyId');
  const directoryId = first('directoryId');
  if (companyId === '') return 'The form did not say which company to map; reload the page. Nothing was saved.';
  if (directoryId === '') return 'Choose a directory before saving. Nothing was saved.';
  if (directoryId === UNMAP) return { [companyId]: null };
  // A hybrid customer: the Microsoft 365 directory and the AD it is synced from, as one pair.
  const onPremisesDirectoryId = first('onPremisesDirectoryId');
  if (onPremisesDirectoryId === '' || onPremisesDirectoryId === directoryId) return { [companyId]: directoryId };
  return { [companyId]: hybridPairId(directoryId, onPremisesDirectoryId) };
}

export const companiesPage = new Hono<AppEnv>()
  .get('/admin/companies', async (c) => {
    const auth = c.get('auth')!;
    const notice = noticeFor(c.req.query('notice'), c.req.query('count'));
    return c.html(<CompaniesPage auth={auth} view={await loadView(c, auth)} notice={notice} />);
  })
  .post('/admin/companies', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleFormAll(c);
    if (!form) return c.html(<CompaniesPage auth={auth} view={await loadView(c, auth)} error={EXPIRED} />, 403);
    const mappings = mappingsFromForm(form);
    if (typeof mappings === 'string') return c.html(<CompaniesPage auth={auth} view={await loadView(c, auth)} error={mappings} />, 400);
    const revision = form.revision?.[0] ?? '';
    const result = await runConsoleAction<{ saved: number }>(c, auth, saveCompanyMappingsOperation, {
      body: { mappings, revision: revision === '' ? null : revision },
    });
    if (!result.ok) {
      return c.html(
        <CompaniesPage auth={auth} view={await loadView(c, auth)} error={result.error.message} />,
        result.error.httpStatus as 400,
      );
    }
    if (form.action?.[0] === 'confirm') return c.redirect(`/admin/companies?notice=confirmed&count=${result.value.saved}`, 303);
    return c.redirect(`/admin/companies?notice=${Object.values(mappings)[0] === null ? 'unmapped' : 'mapped'}`, 303);
  });
