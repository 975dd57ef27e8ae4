import { createHash, randomBytes } from 'node:crypto';
import type { MspTenantGraph } from '../../connectors/directory/entra/msp-tenant-graph.js';
import type { CapabilityProof, DirectoryConnector } from '../../connectors/directory/types.js';
import { checkLineState } from '../../connectors/systems-check.js';
import type { RegisteredForm } from '../../forms/types.js';
import type { Clock } from '../../lib/clock.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { DirectoryCheckDocument } from '../settings/directory-check-document.js';
import type { Actor } from '../settings/write-settings.js';
import { consentCallbackUrl, type MspApp } from './msp-app.js';

/** How long an admin-consent link opened by the admin who made it works. */
export const CONSENT_LINK_TTL_MS = 60 * 60_000;
/** How long a link sent to a customer's admin works: they may answer the next day, or after a weekend. */
export const SENT_CONSENT_LINK_TTL_MS = 3 * 24 * 3600_000;

/** The Entra roles a form may need on the app's service principal, by the systems-check line that proves each (entra-capabilities.ts). */
export const ROLE_BY_CHECK_LINE: Record<string, { role: string; templateId: string; why: string }> = {
  'Entra role for password resets': {
    role: 'User Administrator',
    templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    why: 'password resets, enabling and disabling accounts, creating users',
  },
  'Exchange Online commands': {
    role: 'Exchange Administrator',
    templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    why: 'the Exchange Online steps (distribution lists, mail-enabled security groups, mailboxes)',
  },
  'Entra role for MFA resets': {
    role: 'Authentication Administrator',
    templateId: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
    why: 'MFA method resets and Temporary Access Passes',
  },
};
const ROLE_ASSIGNMENT_PERMISSION = 'RoleManagement.ReadWrite.Directory';

export type ConsentSession = { sessionId: string; actor: Actor & { userId: string } };

/**
 * Who a link is bound to: the console session that made it, for an admin who opens it themselves
 * (the answer is accepted only in that session), or, for a link to send to the customer's admin
 * (the console's "a link to send", or the API), the user who made it: its one-use `state` alone
 * then completes it, since the customer's admin who opens it is not signed in here. Its result is
 * kept under `consentId` for the console and the API to read.
 */
export type ConsentBinding = ConsentSession | { toSend: true; actor: Actor & { userId: string } };

/** Who opened the callback: the signed-in admin's session, or nobody signed in (sessionId null). */
export type ConsentCallbackCaller = { sessionId: string | null; actor: (Actor & { userId: string }) | null };

/** What came of a link to send: still waiting, past its three days unanswered, or answered either way. */
export type SentLinkStatus = 'pending' | 'expired' | 'connected' | 'refused';

export function sentLinkStatus(record: { createdAt: string; result: unknown }, now: number): SentLinkStatus {
  const result = record.result as { ok?: boolean } | null;
  if (result) return result.ok ? 'connected' : 'refused';
  return Date.parse(record.createdAt) + SENT_CONSENT_LINK_TTL_MS <= now ? 'expired' : 'pending';
}

/** How long the result of an API-made link stays readable. */
export const CONSENT_RESULT_TTL_MS = 7 * 24 * 3600_000;

export type ConnectTenantDeps = {
  /** The MSP app in force now (the file's or the console's), undefined while none is set up. */
  mspApp(): MspApp | undefined;
  publicUrl: string;
  store: Pick<Store, 'consentStates' | 'consentResults'>;
  clock: Clock;
  /** Graph with the MSP app's credential in one tenant (connectors/directory/entra/msp-tenant-graph.ts). */
  tenantGraph(tenantId: string): MspTenantGraph;
  /** The directories in force: an already connected tenant is updated, not added twice. */
  directories(): {
    id: string;
    kind: string;
    name: string;
    tenantId: string | undefined;
    source: 'file' | 'console';
    /** `credential: msp-app`: the tenant was connected with the MSP app. */
    usesMspApp?: boolean;
  }[];
  /** Records the tenant as a console directory (save-directory.ts). */
  saveDirectory(id: string, mode: 'create' | 'update', input: { name: string; tenantId: string }, actor: Actor): Promise<void>;
  runCheck(directoryId: string, actor: Actor): Promise<DirectoryCheckDocument>;
  enabledForms(): RegisteredForm[];
  capabilities: DirectoryConnector['capabilities'];
  /** Between attempts while a new consent reaches the token service (reference §2: undocumented delay). */
  sleep?: (ms: number) => Promise<void>;
  /** Token attempts after consent before giving up; default 4 (about 30 s with the default waits). */
  attempts?: number;
};

export type ConsentRefusal = { ok: false; title: string; message: string; upstreamCode?: string };

export type RoleStep = { role: string; templateId: string; why: string; state: 'assigned' | 'already' | 'manual'; detail?: string };

export type ConnectedTenant = {
  ok: true;
  directoryId: string;
  displayName: string;
  tenantId: string;
  verifiedDomains: string[];
  reconnected: boolean;
  check: DirectoryCheckDocument;
  roles: RoleStep[];
  /** Exact steps for what the toolbox could not assign itself; empty when nothing is left. */
  manualSteps: string[];
  /** Per enabled form, the permissions this tenant did not consent to ("MFA reset needs UserAuthenticationMethod.ReadWrite.All"). */
  missingPermissions: { form: string; permissions: string[] }[];
};

const hashState = (state: string) => createHash('sha256').update(state).digest('base64url');

/**
 * The admin-consent link for the MSP app (reference microsoft-identity.md §2): `/organizations`
 * so any customer's admin can open it, `/.default` so consent covers every permission the app
 * requests, and a `state` stored (hashed) against the admin's session, used once and expiring.
 */
export async function createConsentLink(
  deps: Pick<ConnectTenantDeps, 'mspApp' | 'publicUrl' | 'store' | 'clock'>,
  binding: ConsentBinding,
): Promise<{ url: string; expiresAt: string; consentId: string | null } | null> {
  const app = deps.mspApp();
  if (!app) return null;
  const state = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const createdAt = new Date(now).toISOString();
  const consentId = 'toSend' in binding ? randomBytes(16).toString('base64url') : null;
  const expiresAt = new Date(now + (consentId ? SENT_CONSENT_LINK_TTL_MS : CONSENT_LINK_TTL_MS)).toISOString();
  if (consentId) {
    await deps.store.consentResults.create({
      consentId,
      userId: binding.actor.userId,
      userEmail: binding.actor.email,
      createdAt,
      expiresAt: new Date(now + CONSENT_RESULT_TTL_MS).toISOString(),
    });
  }
  await deps.store.consentStates.create({
    stateHash: hashState(state),
    sessionId: 'sessionId' in binding ? binding.sessionId : null,
    consentId,
    userId: binding.actor.userId,
    createdAt,
    expiresAt,
  });
  const url = new URL(`${app.authorityHost}/organizations/v2.0/adminconsent`);
  url.search = new URLSearchParams({
    client_id: app.clientId,
    scope: `${new URL(app.graphUrl).origin}/.default`,
    redirect_uri: consentCallbackUrl(deps.publicUrl),
    state,
  }).toString();
  return { url: url.toString(), expiresAt, consentId };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refuse = (title: string, message: string, upstreamCode?: string): ConsentRefusal => ({
  ok: false,
  title,
  message,
  ...(upstreamCode ? { upstreamCode } : {}),
});

/** Microsoft's AADSTS code in an error description, kept for the log and shown as a reference. */
const aadstsOf = (text: string | undefined) => /AADSTS(\d+)/.exec(text ?? '')?.[0];

/**
 * The consent callback: checks `state` (this session's, unused, unexpired), reads Microsoft's
 * answer, confirms the tenant with a token for it and `GET /organization` (the `tenant` parameter
 * can be forged), records it as a directory using the MSP app, runs its systems check, assigns the
 * Entra roles the enabled forms need where the consent allows it, and names what is left.
 */
export async function completeConsent(
  deps: ConnectTenantDeps,
  caller: ConsentCallbackCaller,
  query: Record<string, string | undefined>,
): Promise<ConnectedTenant | ConsentRefusal> {
  if (!deps.mspApp()) return refuse('The MSP app is not set up', 'Add the MSP app (the "microsoft" settings) before connecting tenants.');
  const state = query.state;
  if (!state)
    return refuse(
      'This is not a consent answer from Microsoft',
      'The link back from Microsoft has no state. Start again with “Connect a Microsoft 365 tenant”.',
    );
  const stored = await deps.store.consentStates.take(hashState(state));
  if (!stored) {
    return refuse(
      'This consent link was already used or not made here',
      'Each link from “Connect a Microsoft 365 tenant” works once. If the customer’s admin consented, the tenant may already be connected: look under Directories. Otherwise make a new link.',
    );
  }
  if (stored.consentId) {
    // A link made through the API: its state alone completes it; what came of it is kept for the API.
    const record = await deps.store.consentResults.get(stored.consentId);
    if (!record) {
      return refuse('This consent link is no longer known', 'Its record was removed. Make a new link through the API or the console.');
    }
    const actor = { userId: record.userId, email: record.userEmail, requestId: caller.actor?.requestId ?? null };
    const result = await answerConsent(deps, actor, stored.expiresAt, query);
    await deps.store.consentResults.complete(stored.consentId, result, new Date(deps.clock.now()).toISOString());
    return result;
  }
  if (!caller.actor || stored.sessionId !== caller.sessionId) {
    return refuse(
      'This consent link was made for another sign-in',
      'The link was made by another admin session, so the toolbox did not accept the answer here. Make a new link with “Connect a Microsoft 365 tenant” while signed in, and open the callback in the same browser. (To send a link to a customer’s admin, make it through the API: its answer is accepted without a sign-in.)',
    );
  }
  return answerConsent(deps, caller.actor, stored.expiresAt, query);
}

/** Microsoft's answer to a link whose state checked out, from its expiry on. */
async function answerConsent(
  deps: ConnectTenantDeps,
  actor: Actor & { userId: string },
  linkExpiresAt: string,
  query: Record<string, string | undefined>,
): Promise<ConnectedTenant | ConsentRefusal> {
  if (linkExpiresAt <= new Date(deps.clock.now()).toISOString()) {
    return refuse(
      'This consent link has expired',
      `It worked until ${linkExpiresAt.slice(0, 16).replace('T', ' ')} UTC. Make a new one with “Connect a Microsoft 365 tenant”.`,
    );
  }
  // Failures still say admin_consent=True (reference §2): the error parameter decides.
  if (query.error) {
    const code = aadstsOf(query.error_description) ?? query.error;
    if (query.error === 'access_denied' || query.error === 'consent_required' || code === 'AADSTS65004') {
      return refuse(
        'The customer’s admin declined',
        'Nothing was connected: Microsoft reports that the admin cancelled or declined the permissions. Send a new link when they are ready; they must be a Global Administrator or Privileged Role Administrator of their tenant.',
        code,
      );
    }
    return refuse(
      'Microsoft did not grant consent',
      `Nothing was connected. Microsoft answered “${query.error}”${code !== query.error ? ` (${code})` : ''}. Check that the admin is a Global Administrator or Privileged Role Administrator, then make a new link.`,
      code,
    );
  }
  const tenantId = query.tenant ?? '';
  if (query.admin_consent !== 'True' || !GUID.test(tenantId)) {
    return refuse(
      'This is not a consent answer from Microsoft',
      'The answer names no tenant. Make a new link with “Connect a Microsoft 365 tenant”.',
    );
  }

  // A token for the tenant proves the consent; a new consent can take a while to reach the token service.
  let graph: MspTenantGraph;
  try {
    graph = deps.tenantGraph(tenantId);
  } catch (error) {
    return refuse('The MSP app’s settings cannot be used', isToolboxError(error) ? error.message : (error as Error).message);
  }
  const attempts = deps.attempts ?? 4;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let organization: Awaited<ReturnType<MspTenantGraph['organization']>> | undefined;
  for (let attempt = 1; !organization; attempt++) {
    try {
      organization = await graph.organization();
    } catch (error) {
      if (attempt >= attempts) {
        const message = isToolboxError(error) ? error.message : (error as Error).message;
        return refuse(
          'The tenant could not be read with the MSP app',
          `Microsoft accepted the consent, but the toolbox could not read the tenant with the MSP app: ${message} Try “Connect” again in a minute; new consents can take a while to take effect.`,
          isToolboxError(error) ? error.upstream?.code : undefined,
        );
      }
      await sleep(2_000 * attempt ** 2);
    }
  }
  if (organization.id.toLowerCase() !== tenantId.toLowerCase()) {
    return refuse(
      'The tenant does not match',
      'The tenant Microsoft named is not the one the MSP app signed in to. Nothing was connected; make a new link.',
    );
  }

  const existing = deps.directories().find((d) => d.kind === 'entra' && d.tenantId?.toLowerCase() === tenantId.toLowerCase());
  if (existing?.source === 'file') {
    return refuse(
      'This tenant is set in the configuration file',
      `Directory “${existing.name}” (${existing.id}) in the configuration file already connects tenant ${tenantId}. Change it there to use the MSP app (credential: msp-app).`,
    );
  }
  const domains = organization.verifiedDomains.map((d) => d.name);
  const directoryId =
    existing?.id ??
    uniqueId(
      deps.directories().map((d) => d.id),
      organization.verifiedDomains,
    );
  try {
    await deps.saveDirectory(
      directoryId,
      existing ? 'update' : 'create',
      { name: existing?.name ?? organization.displayName, tenantId },
      actor,
    );
  } catch (error) {
    // The consent stands at Microsoft; connecting again with a new link records it.
    return refuse(
      'The tenant could not be recorded',
      `Microsoft accepted the consent for ${organization.displayName}, but saving it failed: ${isToolboxError(error) ? error.message : (error as Error).message} Make a new link and connect again.`,
    );
  }
  const review = await reviewTenant(deps, actor, { directoryId, tenantId, displayName: organization.displayName }, graph);
  return {
    ok: true,
    directoryId,
    displayName: organization.displayName,
    tenantId,
    verifiedDomains: domains,
    reconnected: !!existing,
    ...review,
  };
}

/**
 * After consent, and again on "check again": runs the tenant's systems check, assigns the Entra
 * roles the enabled forms need when the consent includes RoleManagement.ReadWrite.Directory (else
 * lists the exact steps), and names the permissions each enabled form is missing.
 */
export async function reviewTenant(
  deps: ConnectTenantDeps,
  actor: Actor,
  tenant: { directoryId: string; tenantId: string; displayName: string },
  graph: MspTenantGraph = deps.tenantGraph(tenant.tenantId),
): Promise<Pick<ConnectedTenant, 'check' | 'roles' | 'manualSteps' | 'missingPermissions'>> {
  const { directoryId } = tenant;
  let check = await deps.runCheck(directoryId, actor);
  const proofs = deps.enabledForms().map((form) => ({ form, proofs: formProofs(deps.capabilities, form) }));
  const neededRoles = new Map<string, (typeof ROLE_BY_CHECK_LINE)[string]>();
  for (const { proofs: list } of proofs) {
    for (const proof of list) {
      const role = ROLE_BY_CHECK_LINE[proof.checkName];
      if (role) neededRoles.set(proof.checkName, role);
    }
  }
  const granted = await graph.grantedPermissions().catch(() => [] as string[]);
  const roles: RoleStep[] = [];
  const canAssign = granted.includes(ROLE_ASSIGNMENT_PERMISSION);
  // Read whenever possible, so "check again" sees roles an admin assigned by hand.
  const principalId = neededRoles.size > 0 ? await graph.servicePrincipalId().catch(() => null) : null;
  const assigned = principalId ? await graph.assignedRoleIds(principalId).catch(() => [] as string[]) : [];
  for (const role of neededRoles.values()) {
    if (assigned.includes(role.templateId)) {
      roles.push({ ...role, state: 'already' });
      continue;
    }
    if (!canAssign || !principalId) {
      roles.push({
        ...role,
        state: 'manual',
        ...(canAssign ? { detail: 'The app’s service principal was not found in the tenant yet.' } : {}),
      });
      continue;
    }
    try {
      // Check-then-act: the assignments were read just above; Graph refuses a duplicate anyway.
      await graph.assignRole(principalId, role.templateId);
      roles.push({ ...role, state: 'assigned' });
    } catch (error) {
      roles.push({ ...role, state: 'manual', detail: isToolboxError(error) ? error.message : (error as Error).message });
    }
  }
  if (roles.some((r) => r.state === 'assigned')) check = await deps.runCheck(directoryId, actor);

  const manualSteps = roles
    .filter((r) => r.state === 'manual')
    .map(
      (r) =>
        `In the Microsoft Entra admin center of ${tenant.displayName}, open Roles & admins → ${r.role} → Add assignments, select the enterprise application of the MSP app (application id ${deps.mspApp()?.clientId ?? ''}), and assign it at directory scope. Needed for ${r.why}.`,
    );
  const lineState = new Map(check.results.map((line) => [line.name, checkLineState(line)]));
  const missingPermissions = proofs
    .map(({ form, proofs: list }) => ({
      form: form.label,
      permissions: list
        .filter((p) => p.checkName.startsWith('Permission ') && !p.partial && lineState.get(p.checkName) !== 'pass')
        .map((p) => p.checkName.slice('Permission '.length)),
    }))
    .filter((entry) => entry.permissions.length > 0);
  return { check, roles, manualSteps, missingPermissions };
}

/**
 * "Check again" for a tenant connected with the MSP app (console and API): the same review as
 * right after consent, for the directory as it is now. Null when no such tenant is connected.
 */
export async function checkTenantAgain(deps: ConnectTenantDeps, directoryId: string, actor: Actor): Promise<ConnectedTenant | null> {
  const directory = deps.directories().find((d) => d.id === directoryId);
  if (!directory?.usesMspApp || !directory.tenantId || !deps.mspApp()) return null;
  const review = await reviewTenant(deps, actor, { directoryId, tenantId: directory.tenantId, displayName: directory.name });
  return {
    ok: true,
    directoryId,
    displayName: directory.name,
    tenantId: directory.tenantId,
    verifiedDomains: [],
    reconnected: true,
    ...review,
  };
}

/** What proves each capability a form uses (its own needs and every step's), in the connector's terms. */
function formProofs(capabilities: DirectoryConnector['capabilities'], form: RegisteredForm): (CapabilityProof & { partial?: string })[] {
  const needs = new Set([...(form.form.needs ?? []), ...form.workflow.steps.flatMap((step) => step.needs)]);
  const byName = new Map<string, CapabilityProof & { partial?: string }>();
  for (const need of needs)
    for (const proof of capabilities.proofs[need] ?? []) if (!byName.has(proof.checkName)) byName.set(proof.checkName, proof);
  return [...byName.values()];
}

/** A directory id from the tenant's default domain ("contoso" for contoso.com), unique among the directories. */
function uniqueId(taken: string[], domains: { name: string; isDefault: boolean }[]): string {
  const domain = domains.find((d) => d.isDefault)?.name ?? domains[0]?.name ?? 'tenant';
  const base =
    domain
      .toLowerCase()
      .split('.')[0]
      ?.replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+/, '')
      .slice(0, 50) || 'tenant';
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}
