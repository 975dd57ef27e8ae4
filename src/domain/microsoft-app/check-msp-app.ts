import { X509Certificate } from 'node:crypto';
import type { MspTenantGraph } from '../../connectors/directory/entra/msp-tenant-graph.js';
import type { CapabilityProof, DirectoryConnector } from '../../connectors/directory/types.js';
import type { SystemsCheckResult } from '../../connectors/systems-check.js';
import type { RegisteredForm } from '../../forms/types.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import { consentCallbackUrl, type MspApp, microsoftSignInCallbackUrl } from './msp-app.js';

/** A certificate or secret ending within this many days is reported, so there is time to roll it over. */
export const CREDENTIAL_WARNING_DAYS = 30;
const DAY_MS = 24 * 3600_000;

export type CheckMspAppDeps = {
  mspApp: MspApp;
  publicUrl: string;
  now: () => number;
  /** Graph in the MSP's own tenant with the app's credential. */
  homeGraph: MspTenantGraph;
  enabledForms: RegisteredForm[];
  capabilities: DirectoryConnector['capabilities'];
  /** "Sign in with Microsoft" is offered (roles set): its callback must be registered too. */
  signInOffered?: boolean;
};

const line = (name: string, ok: boolean, message: string, extra: Partial<SystemsCheckResult> = {}): SystemsCheckResult => ({
  name,
  ok,
  message,
  ...extra,
});

/**
 * The MSP app's own systems check (issue 13 §1): the credential works (a token from the MSP
 * tenant), the app is multi-tenant, the consent callback is a registered redirect URI for this
 * `publicUrl`, the app asks for what the enabled forms need, and no certificate or secret runs out
 * within {@link CREDENTIAL_WARNING_DAYS} days.
 */
export async function checkMspApp(deps: CheckMspAppDeps): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const { mspApp } = deps;
  // Expiry known locally, without Microsoft: the certificate the toolbox signs with.
  if (mspApp.credential.kind === 'certificate') {
    const expiry = certificateExpiry(mspApp.credential.certificatePem);
    if (expiry) results.push(expiryLine(`Certificate ${expiry.thumbprint}`, expiry.notAfter, deps.now()));
  }
  let granted: string[];
  try {
    granted = await deps.homeGraph.grantedPermissions();
    results.push(
      line(
        'MSP app credential',
        true,
        `The app ${mspApp.clientId} obtained a token in the MSP tenant ${mspApp.tenantId} with its ${mspApp.credential.kind}.`,
      ),
    );
  } catch (error) {
    results.push(
      line('MSP app credential', false, isToolboxError(error) ? error.message : (error as Error).message, {
        hint: 'Check the client id, the tenant id and the credential; an expired secret or certificate must be replaced in the app registration and here.',
        ...(isToolboxError(error) && error.upstream?.code ? { upstreamCode: error.upstream.code } : {}),
      }),
    );
    return results;
  }

  let application: Awaited<ReturnType<MspTenantGraph['application']>> = null;
  try {
    application = await deps.homeGraph.application();
  } catch (error) {
    results.push(
      line(
        'MSP app registration',
        false,
        `The app registration could not be read: ${isToolboxError(error) ? error.message : (error as Error).message}`,
        {
          outcome: 'unverified',
          hint: 'Grant the app Application.Read.All (application permission) with admin consent in the MSP tenant, so the toolbox can read its own redirect URIs and credential end dates.',
        },
      ),
    );
  }
  if (application) {
    const multi = application.signInAudience === 'AzureADMultipleOrgs';
    results.push(
      line(
        'Multi-tenant app',
        multi,
        multi
          ? 'The app accepts accounts of any Microsoft Entra tenant (AzureADMultipleOrgs).'
          : `The app's supported account types are ${application.signInAudience}.`,
        multi ? {} : { hint: 'In the app registration → Authentication, set “Accounts in any organizational directory (Multitenant)”.' },
      ),
    );
    const callbacks: [string, string][] = [['Consent redirect URI', consentCallbackUrl(deps.publicUrl)]];
    if (deps.signInOffered) callbacks.push(['Sign-in redirect URI', microsoftSignInCallbackUrl(deps.publicUrl)]);
    for (const [name, callback] of callbacks) {
      const registered = application.redirectUris.includes(callback);
      results.push(
        line(
          name,
          registered,
          registered
            ? `${callback} is a registered web redirect URI.`
            : `${callback} is not among the app's redirect URIs (${application.redirectUris.join(', ') || 'none'}).`,
          registered
            ? {}
            : { hint: `Add ${callback} under Authentication → Web → Redirect URIs (exact, case-sensitive), or correct publicUrl.` },
        ),
      );
    }
    for (const credential of application.credentialEndDates)
      results.push(
        expiryLine(
          credential.kind === 'certificate' ? `Certificate ${credential.name}` : `Client ${credential.name}`,
          credential.endDateTime,
          deps.now(),
        ),
      );
  }

  // `/.default` in the MSP tenant grants every permission the app lists (reference §6.10), so the
  // MSP tenant's token shows what the app asks for; each customer's consent grants the same list.
  const needed = new Map<string, string[]>();
  for (const form of deps.enabledForms) {
    for (const permission of formPermissions(deps.capabilities, form))
      needed.set(permission, [...(needed.get(permission) ?? []), form.label]);
  }
  const missing = [...needed].filter(([permission]) => !permission.startsWith('Exchange.') && !granted.includes(permission));
  const graphNeeded = [...needed.keys()].filter((permission) => !permission.startsWith('Exchange.'));
  if (deps.enabledForms.length === 0) {
    results.push(
      line('Permissions the forms need', false, 'No form is enabled yet, so there is nothing to compare yet.', {
        outcome: 'unverified',
        hint: 'Enable forms (Forms), then check the app again: it compares what they need with what the app asks for.',
      }),
    );
    return results;
  }
  results.push(
    line(
      'Permissions the forms need',
      missing.length === 0,
      missing.length === 0
        ? `The app asks for every Microsoft Graph permission the enabled forms need (${graphNeeded.join(', ')}).`
        : `The app does not ask for: ${missing.map(([permission, forms]) => `${permission} (${forms.join(', ')})`).join('; ')}.`,
      missing.length === 0
        ? {}
        : {
            hint: 'Add them under API permissions → Microsoft Graph → Application permissions, grant admin consent in the MSP tenant, then have each customer consent again.',
          },
    ),
  );
  return results;
}

function expiryLine(name: string, endDateTime: string, now: number): SystemsCheckResult {
  const end = Date.parse(endDateTime);
  const days = Math.floor((end - now) / DAY_MS);
  const date = new Date(end).toISOString().slice(0, 10);
  if (end <= now)
    return line(name, false, `Expired on ${date}.`, {
      hint: 'Create a new one in the app registration (Certificates & secrets) and enter it here.',
    });
  if (days < CREDENTIAL_WARNING_DAYS) {
    return line(name, false, `Expires on ${date}, in ${days} day${days === 1 ? '' : 's'}.`, {
      outcome: 'warning',
      hint: 'Add a new certificate or secret to the app registration now, enter it here, then remove the old one: every connected tenant stops working when it expires.',
    });
  }
  return line(name, true, `Valid until ${date}.`);
}

function certificateExpiry(pem: string): { thumbprint: string; notAfter: string } | null {
  try {
    const certificate = new X509Certificate(pem);
    return { thumbprint: certificate.fingerprint.replaceAll(':', ''), notAfter: new Date(certificate.validTo).toISOString() };
  } catch {
    return null;
  }
}

/** Graph and Exchange permissions a form's capabilities are proved by ("Permission X" check lines). */
export function formPermissions(capabilities: DirectoryConnector['capabilities'], form: RegisteredForm): string[] {
  const needs = new Set([...(form.form.needs ?? []), ...form.workflow.steps.flatMap((step) => step.needs)]);
  const names = new Set<string>();
  for (const need of needs) {
    for (const proof of (capabilities.proofs[need] ?? []) as (CapabilityProof & { partial?: string })[]) {
      if (proof.checkName.startsWith('Permission ') && !proof.partial) names.add(proof.checkName.slice('Permission '.length));
    }
  }
  return [...names];
}
