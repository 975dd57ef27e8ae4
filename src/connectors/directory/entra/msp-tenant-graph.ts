import type { MspApp } from '../../../domain/microsoft-app/msp-app.js';
import type { Clock } from '../../../lib/clock.js';
import type { FetchLike } from '../../../lib/http-fetch.js';
import type { Logger } from '../../../lib/logger.js';
import { createEntraTokenProvider, graphScope } from './entra-token-provider.js';
import { createGraphClient } from './graph-client.js';
import { resolveEntraSettings } from './msp-app-settings.js';
import { odataString } from './odata-escape.js';

/**
 * What the consent flow and the app's own check ask Microsoft, with the MSP app's credential in
 * one tenant (a customer's, or the MSP's own for the application object). Every call goes through
 * the Entra connector's token provider and Graph client: same errors, same retries, no secret logged.
 */
export type MspTenantGraph = {
  /** The application permissions the tenant granted, from the app-only token's `roles` (diagnostics, reference §2). */
  grantedPermissions(): Promise<string[]>;
  organization(): Promise<{ id: string; displayName: string; verifiedDomains: { name: string; isDefault: boolean }[] }>;
  /** The MSP app's service principal in this tenant, or null when there is none. */
  servicePrincipalId(): Promise<string | null>;
  /** Role template ids assigned to a principal at directory scope. */
  assignedRoleIds(principalId: string): Promise<string[]>;
  assignRole(principalId: string, roleTemplateId: string): Promise<void>;
  /** The application object (MSP tenant only). */
  application(): Promise<MspApplicationObject | null>;
};

export type MspApplicationObject = {
  signInAudience: string;
  redirectUris: string[];
  /** End dates of the app's certificates and secrets (ISO). */
  credentialEndDates: { kind: 'certificate' | 'secret'; endDateTime: string; name: string }[];
};

export type MspTenantGraphDeps = { mspApp: MspApp; fetch: FetchLike; clock: Clock; logger: Logger; sleep?: (ms: number) => Promise<void> };

export function createMspTenantGraph(deps: MspTenantGraphDeps, tenantId: string): MspTenantGraph {
  const resolved = resolveEntraSettings({ credential: 'msp-app', tenantId, timeoutMs: 10_000 }, deps.mspApp);
  if ('problem' in resolved) throw resolved.problem;
  const settings = resolved;
  // Fresh tokens each time: a consent or role given a moment ago must show (reference §2, propagation).
  const tokens = createEntraTokenProvider({
    settings,
    scope: graphScope(settings),
    fetch: deps.fetch,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const graph = createGraphClient({
    settings,
    tokens,
    fetch: deps.fetch,
    logger: deps.logger,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const appFilter = `$filter=${encodeURIComponent(`appId eq ${odataString(deps.mspApp.clientId)}`)}`;
  return {
    async grantedPermissions() {
      tokens.invalidate();
      const token = await tokens.getToken();
      try {
        const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { roles?: unknown };
        return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
      } catch {
        return [];
      }
    },
    async organization() {
      const { body } = await graph.request<{
        value: { id: string; displayName: string; verifiedDomains: { name: string; isDefault: boolean }[] }[];
      }>({
        method: 'GET',
        path: '/organization?$select=id,displayName,verifiedDomains',
        operation: 'GET /organization',
        purpose: 'read-organization',
      });
      const org = body.value[0];
      if (!org) throw new Error('Microsoft Graph returned no organization for the tenant.');
      return {
        id: org.id,
        displayName: org.displayName,
        verifiedDomains: org.verifiedDomains.map((d) => ({ name: d.name, isDefault: !!d.isDefault })),
      };
    },
    async servicePrincipalId() {
      const { body } = await graph.request<{ value: { id: string }[] }>({
        method: 'GET',
        path: `/servicePrincipals?${appFilter}&$select=id`,
        operation: 'GET /servicePrincipals?$filter=appId',
        purpose: 'read',
      });
      return body.value[0]?.id ?? null;
    },
    async assignedRoleIds(principalId) {
      const { body } = await graph.request<{ value: { roleDefinitionId: string; directoryScopeId: string }[] }>({
        method: 'GET',
        path: `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq ${odataString(principalId)}`)}`,
        operation: 'GET /roleManagement/directory/roleAssignments',
        purpose: 'read-roles',
      });
      return body.value.filter((a) => a.directoryScopeId === '/').map((a) => a.roleDefinitionId.toLowerCase());
    },
    async assignRole(principalId, roleTemplateId) {
      // Not retried on an unclear failure: the caller re-reads the assignments first (check-then-act).
      await graph.request({
        method: 'POST',
        path: '/roleManagement/directory/roleAssignments',
        operation: 'POST /roleManagement/directory/roleAssignments',
        purpose: 'read-roles',
        retry: 'rejected-only',
        body: { principalId, roleDefinitionId: roleTemplateId, directoryScopeId: '/' },
      });
    },
    async application() {
      const { body } = await graph.request<{
        value: {
          signInAudience: string;
          web: { redirectUris: string[] } | null;
          keyCredentials: { endDateTime: string; displayName?: string | null }[] | null;
          passwordCredentials: { endDateTime: string; hint?: string | null }[] | null;
        }[];
      }>({
        method: 'GET',
        path: `/applications?${appFilter}&$select=signInAudience,web,keyCredentials,passwordCredentials`,
        operation: 'GET /applications?$filter=appId',
        purpose: 'read',
      });
      const app = body.value[0];
      if (!app) return null;
      return {
        signInAudience: app.signInAudience,
        redirectUris: app.web?.redirectUris ?? [],
        credentialEndDates: [
          ...(app.keyCredentials ?? []).map((k) => ({
            kind: 'certificate' as const,
            endDateTime: k.endDateTime,
            name: k.displayName ?? 'certificate',
          })),
          ...(app.passwordCredentials ?? []).map((p) => ({
            kind: 'secret' as const,
            endDateTime: p.endDateTime,
            name: p.hint ? `secret starting “${p.hint}…”` : 'secret',
          })),
        ],
      };
    },
  };
}
