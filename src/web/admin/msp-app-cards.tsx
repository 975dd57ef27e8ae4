import { type ConnectedTenant, type ConsentRefusal, sentLinkStatus } from '../../domain/microsoft-app/connect-tenant.js';
import type { MspAppRegistration } from '../../domain/microsoft-app/msp-app-registration.js';
import type { ConsentResultRecord } from '../../store/types.js';

/**
 * Two cards of the Microsoft 365 tenants page (microsoft-page.tsx) that only show what they are
 * given: the links sent to customers' admins with what came of each, and the steps to register
 * the MSP app.
 */

/** Links made to send (console or API), newest first, with what came of each. */
export function SentLinksCard(props: { links: ConsentResultRecord[]; now: number }) {
  if (props.links.length === 0) return null;
  return (
    <section class="card" aria-labelledby="sent-links">
      <h2 id="sent-links">Links sent</h2>
      <ul>
        {props.links.map((link) => {
          const result = link.result as (ConnectedTenant | ConsentRefusal) | null;
          const made = `made ${link.createdAt.slice(0, 16).replace('T', ' ')} UTC by ${link.userEmail}`;
          const status = sentLinkStatus(link, props.now);
          if (status === 'pending' || status === 'expired' || !result) {
            return <li>{status === 'expired' ? `Expired without an answer (${made}).` : `Waiting for the customer’s admin (${made}).`}</li>;
          }
          if (!result.ok) {
            return (
              <li class="warning">
                {result.title} ({made}).
              </li>
            );
          }
          return (
            <li>
              <a href={`/admin/directories/${encodeURIComponent(result.directoryId)}`}>{result.displayName}</a> is connected ({made}
              {result.manualSteps.length > 0
                ? `; ${result.manualSteps.length} step${result.manualSteps.length === 1 ? '' : 's'} left in the tenant`
                : ''}
              ).
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The exact steps to register the MSP app: open while none is set up, folded once it is. */
export function RegistrationCard(props: { registration: MspAppRegistration; configured: boolean }) {
  const { registration } = props;
  return (
    <section class="card" aria-labelledby="app-registration">
      <h2 id="app-registration">Registering the MSP app</h2>
      <details open={!props.configured}>
        <summary>The steps in the Microsoft Entra admin center</summary>
        <ol>
          <li>
            App registrations → New registration. Supported account types:{' '}
            <strong>Accounts in any organizational directory (Multitenant)</strong>.
          </li>
          <li>
            Authentication → Add a platform → <strong>Web</strong>, with these redirect URIs (exact):
            <ul>
              {registration.redirectUris.map((redirect) => (
                <li>
                  <code>{redirect.uri}</code> — {redirect.why}
                </li>
              ))}
            </ul>
          </li>
          <li>
            API permissions → Add a permission → <strong>Application permissions</strong>, then “Grant admin consent” in your tenant. Each
            customer consents to exactly this list.
            <table class="data">
              <caption class="visually-hidden">Application permissions and what needs them</caption>
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  <th scope="col">Needed for</th>
                </tr>
              </thead>
              <tbody>
                {registration.permissions.map((permission) => (
                  <tr>
                    <td>
                      <code>{permission.name}</code>
                      {permission.api === 'Microsoft Graph' ? null : <span class="muted"> ({permission.api})</span>}
                    </td>
                    <td>
                      {permission.optional ? 'Optional: ' : null}
                      {[
                        ...permission.forms.map((form) => (form.enabled ? form.label : `${form.label} (not enabled)`)),
                        ...(permission.why ? [permission.why] : []),
                      ].join('; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
          <li>
            Certificates &amp; secrets: a <strong>certificate</strong> (preferred; <code>npm run toolbox -- microsoft-certificate</code>{' '}
            makes the key and the certificate to upload) or a client secret (at most 24 months; Microsoft advises against secrets in
            production).
          </li>
          <li>Enter the app’s client id, your tenant id and the credential under “The MSP app”, then “Check the app”.</li>
        </ol>
      </details>
    </section>
  );
}
