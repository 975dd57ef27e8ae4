import { Hono } from 'hono';
import { companyNamesOf } from '../../domain/execution/company-names.js';
import { listOpenLaunches } from '../../domain/launch/list-open-launches.js';
import { screenPopTemplate } from '../../forms/screen-pop-template.js';
import type { AppEnv } from '../app-env.js';
import { shortTime } from '../views/execution-list-view.js';
import { Layout } from '../views/layout.js';

/**
 * The start page, in the order a technician needs it: the screen pops they opened and can still
 * submit, their recent executions, then (for reference) the screen-pop URLs.
 */
export const homeRoute = new Hono<AppEnv>().get('/', async (c) => {
  const auth = c.get('auth');
  if (!auth) return c.redirect('/login', 303);
  const services = c.get('services');
  const [recent, open] = await Promise.all([
    services.store.executions.listRecent({ technicianUserId: auth.user.id, limit: 10 }),
    listOpenLaunches({ launches: services.store.launches, directories: services.directories, clock: services.clock }, auth.user.id, 10),
  ]);
  const companyNames = await companyNamesOf(services.store.launches, recent);
  const formLabel = services.forms.labelOf;
  // The URLs carry the PSA's own 1Stream variables: none to show before a PSA is connected.
  const screenPop = services.settings.psaConnector()?.screenPop;
  return c.html(
    <Layout title="Home" user={{ name: auth.user.name, email: auth.user.email, role: auth.user.role }} csrfToken={auth.session.csrfToken}>
      <h1>Technician Toolbox</h1>
      <section class="card" aria-labelledby="open-title">
        <h2 id="open-title">Your open screen pops</h2>
        {open.length > 0 ? (
          <>
            <p class="muted">Forms you opened from a screen pop and have not submitted yet, until they expire.</p>
            <ul class="recent">
              {open.map((launch) => {
                const company = launch.context?.company.ok ? launch.context.company.value.name : `company ${launch.companyId}`;
                return (
                  <li>
                    <a href={`/launches/${launch.id}`}>
                      {formLabel(launch.formName)} · {launch.ticketId ? `ticket #${launch.ticketId} · ` : ''}
                      {company}
                    </a>{' '}
                    <small class="muted">
                      opened {launch.createdAt.slice(11, 16)} UTC, usable until {launch.expiresAt.slice(11, 16)} UTC
                    </small>
                  </li>
                );
              })}
            </ul>
          </>
        ) : (
          <p class="muted">None. Click a screen-pop link in 1Stream to open a form; it stays here until you submit it or it expires.</p>
        )}
      </section>
      <section class="card" aria-labelledby="recent-title">
        <h2 id="recent-title">Your recent executions</h2>
        {recent.length === 0 ? (
          <p class="muted">Nothing yet. Click a screen-pop link in 1Stream to open a form.</p>
        ) : (
          <ul class="recent">
            {recent.map((execution) => (
              <li>
                <a href={`/executions/${execution.id}`}>
                  {formLabel(execution.formName)} · {execution.targetDisplay}
                  {execution.ticketId ? ` · ticket #${execution.ticketId}` : ''} ·{' '}
                  {companyNames.get(execution.companyId) ?? `company ${execution.companyId}`}
                </a>{' '}
                <span class={`status-${execution.status}`}>
                  <span class="badge">{execution.status}</span>
                </span>{' '}
                <small class="muted">{shortTime(execution.createdAt)}</small>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href="/executions">All your executions, with filters</a>
        </p>
      </section>
      <section class="card" aria-labelledby="forms-title">
        <h2 id="forms-title">Screen-pop URLs</h2>
        <p class="muted">
          Paste one per form into 1Stream (Administration → Manage Organization → Screen Pop URLs, Link Type <em>Custom</em>).
          {services.settings.current().screenpop.secret
            ? ' Send the 1Stream Client API Key as the x-toolbox-secret header or a secret query parameter.'
            : ''}
        </p>
        {auth.user.role === 'admin' ? (
          <p>
            <a href="/admin/screenpop">Copy the URLs and set the webhook secret</a> in the admin console.
          </p>
        ) : null}
        <table class="forms">
          <thead>
            <tr>
              <th scope="col">Form</th>
              <th scope="col">State</th>
              <th scope="col">URL template</th>
            </tr>
          </thead>
          <tbody>
            {services.forms.list.map((form) => (
              <tr>
                <td>{form.label}</td>
                <td>{services.settings.current().forms.enabled.includes(form.name) ? 'enabled' : 'not enabled'}</td>
                <td>
                  {screenPop ? (
                    <code class="url">{screenPopTemplate(services.config.publicUrl, form.name, screenPop)}</code>
                  ) : (
                    <span class="muted">once the PSA is connected</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
});
