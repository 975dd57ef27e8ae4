import type { Logger } from '../../../lib/logger.js';
import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import type { DirectoryCore, DirectoryParts, DirectoryUser, SubscribedSku, UserProfile, VerifiedDomain } from '../types.js';
import type { EntraClientParts } from './entra-connector.js';
import type { GraphResponse } from './graph-client.js';
import { ENTRA_ERROR_CODES, type GraphErrorBody, type GraphPurpose, graphFailureToError } from './graph-errors.js';
import { shippedLicenceCatalogue } from './licence-names.js';

/** The operations onboarding needs, before the client sorts them into the core and its parts. */
type OnboardingMethods = Pick<DirectoryCore, 'createUser'> &
  DirectoryParts['domains'] &
  Pick<DirectoryParts['licences'], 'listSubscribedSkus' | 'addLicenses'> &
  Pick<DirectoryParts['manager'], 'setManager'> &
  DirectoryParts['profile'];

type GraphUserLike = {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
  accountEnabled?: boolean | null;
  onPremisesSyncEnabled?: boolean | null;
};

export type OnboardingDeps = {
  getUser(id: string): Promise<DirectoryUser>;
  toDirectoryUser(user: GraphUserLike): DirectoryUser;
};

/**
 * Waits before repeating a licence or manager write that Graph refused because the user was
 * created a moment ago and is not visible everywhere yet (reference §2.4), as the group `$ref`
 * does: 1 s, 2 s, 4 s, then a clear error.
 */
const CONSISTENCY_RETRY_DELAYS_MS = [1_000, 2_000, 4_000];
const NOT_YET_VISIBLE = /do(es)? not exist/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Characters Graph accepts in mailNickname (user resource: ASCII, no @ ( ) \ [ ] " ; : < > , or space). */
const MAIL_NICKNAME_DISALLOWED = /[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g;
const PROFILE_FIELDS = ['jobTitle', 'department', 'officeLocation', 'usageLocation', 'companyName'] as const;
/** Lost answers: the request may have run. */
const ANSWER_LOST = new Set([ENTRA_ERROR_CODES.unavailable, ENTRA_ERROR_CODES.timeout, ENTRA_ERROR_CODES.unreachable]);

/** mailNickname from the UPN's local part: only the characters Graph allows, no leading, trailing or doubled dots, at most 64. */
export function mailNicknameFromUpn(upn: string): string {
  const local = upn.slice(0, Math.max(0, upn.lastIndexOf('@')));
  return local
    .normalize('NFKD')
    .replace(MAIL_NICKNAME_DISALLOWED, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 64)
    .replace(/\.+$/, '');
}

/**
 * Onboarding (reference §8): create a cloud user, read the tenant's verified domains and licences,
 * add licences, set the manager, and read or change the profile attributes a new starter copies
 * from a colleague. Creating a user is not idempotent: it is sent once, and an answer lost on the
 * way (502/504, timeout) is reported as "may have been created", never repeated.
 */
export function createOnboardingMethods(parts: EntraClientParts, deps: OnboardingDeps, log: Logger): OnboardingMethods {
  const { settings, graph, sleep } = parts;
  const graphOrigin = new URL(settings.graphUrl).origin;
  const tenantLabel = `tenant ${settings.tenantId}`;
  const enc = encodeURIComponent;

  const invalid = (message: string) => new ToolboxError({ code: ENTRA_ERROR_CODES.invalidInput, message, httpStatus: 400 });
  const graphMessage = (body: unknown) => (body as GraphErrorBody | undefined)?.error?.message ?? '';
  const toError = (response: GraphResponse<unknown>, operation: string, purpose: GraphPurpose, retries = 0) =>
    graphFailureToError({
      status: response.status,
      body: response.body,
      headers: response.headers,
      operation,
      purpose,
      retries,
      tenantLabel,
    });
  const upstreamOf = (response: GraphResponse<unknown>, operation: string) => {
    const body = response.body as GraphErrorBody | undefined;
    return {
      service: 'graph',
      status: response.status,
      code: body?.error?.code ?? `HTTP ${response.status}`,
      message: body?.error?.message ?? '',
      operation,
    };
  };

  /** `$ref` needs the object id; a UPN is looked up first. */
  const objectId = async (userId: string) => (GUID.test(userId) ? userId : (await deps.getUser(userId)).id);

  /**
   * A write to a user who may have been created a moment ago: Graph's eventual-consistency 400
   * ("…do not exist") and 404 are repeated with short waits; any other 400 goes to `refusal` (or
   * the general translation). Only 429/503 are repeated by the client (they ran nothing).
   */
  async function freshUserWrite(
    request: { method: 'POST' | 'PUT'; path: string; operation: string; purpose: GraphPurpose; body: unknown },
    what: string,
    refusal?: (message: string, response: GraphResponse<unknown>) => ToolboxError | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const response = await graph.request<unknown>({ ...request, retry: 'rejected-only', okStatuses: [400, 404] });
      if (response.status < 400) return;
      const message = graphMessage(response.body);
      if (response.status === 400 && !NOT_YET_VISIBLE.test(message)) {
        const error = refusal?.(message, response) ?? toError(response, request.operation, request.purpose, attempt);
        log.warn({ failure: error.toLog() }, `${what} refused`);
        throw error;
      }
      const delayMs = CONSISTENCY_RETRY_DELAYS_MS[attempt];
      if (delayMs === undefined) {
        const error =
          response.status === 404
            ? new ToolboxError({
                code: ENTRA_ERROR_CODES.notFound,
                message: 'That user (or the manager) was not found in Microsoft 365, even after waiting a few seconds. Search again.',
                httpStatus: 404,
                upstream: upstreamOf(response, request.operation),
              })
            : new ToolboxError({
                code: ENTRA_ERROR_CODES.notYetVisible,
                message:
                  'Microsoft 365 does not see the new user everywhere yet (created a moment ago). The toolbox tried again for a few ' +
                  'seconds; wait a minute and try again.',
                httpStatus: 503,
                retryable: true,
                upstream: upstreamOf(response, request.operation),
              });
        log.warn({ failure: error.toLog() }, `${what} failed: object not visible`);
        throw error;
      }
      log.info(
        { operation: request.operation, attempt: attempt + 1, delayMs, status: response.status },
        'object not visible yet; retrying',
      );
      await sleep(delayMs);
    }
  }

  async function listSubscribedSkus(): Promise<SubscribedSku[]> {
    const skus = await graph.list<{
      skuId?: string;
      skuPartNumber?: string;
      consumedUnits?: number | null;
      prepaidUnits?: { enabled?: number | null } | null;
    }>(
      {
        method: 'GET',
        path: '/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits',
        operation: 'GET /subscribedSkus',
        purpose: 'read-skus',
      },
      500,
    );
    return skus
      .filter((s): s is typeof s & { skuId: string } => typeof s.skuId === 'string')
      .map((s) => {
        const total = Number(s.prepaidUnits?.enabled ?? 0) || 0;
        const consumed = Number(s.consumedUnits ?? 0) || 0;
        const skuPartNumber = s.skuPartNumber ?? s.skuId;
        const displayName = shippedLicenceCatalogue().displayName({ skuId: s.skuId, skuPartNumber });
        return { skuId: s.skuId, skuPartNumber, displayName, total, consumed, available: Math.max(0, total - consumed) };
      })
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** Product names for the skus a no-seats refusal names (best effort: the ids when the list cannot be read). */
  async function skuNames(skuIds: string[]): Promise<string> {
    try {
      const skus = await listSubscribedSkus();
      return skuIds
        .map(
          (id) =>
            skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase())?.displayName ??
            shippedLicenceCatalogue().displayName({ skuId: id }),
        )
        .join(', ');
    } catch {
      return skuIds.map((id) => shippedLicenceCatalogue().displayName({ skuId: id })).join(', ');
    }
  }

  return {
    async createUser(user) {
      const upn = user.userPrincipalName.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(upn)) {
        throw invalid(`“${upn}” is not a valid username: it needs the form name@domain, with one of the tenant’s verified domains.`);
      }
      const mailNickname = mailNicknameFromUpn(upn);
      if (!mailNickname) {
        throw invalid(`The part of “${upn}” before the @ has no letters or digits Microsoft 365 accepts as a mail alias.`);
      }
      const optional = (key: string, value: string | undefined) => (value?.trim() ? { [key]: value.trim() } : {});
      const body = {
        accountEnabled: true,
        displayName: user.displayName.trim(),
        ...optional('givenName', user.givenName),
        ...optional('surname', user.surname),
        mailNickname,
        userPrincipalName: upn,
        ...optional('usageLocation', user.usageLocation?.toUpperCase()),
        ...optional('jobTitle', user.jobTitle),
        ...optional('department', user.department),
        ...optional('officeLocation', user.officeLocation),
        ...optional('mobilePhone', user.mobilePhone),
        // Graph holds at most one business phone.
        ...(user.businessPhone?.trim() ? { businessPhones: [user.businessPhone.trim()] } : {}),
        passwordProfile: { password: user.password, forceChangePasswordNextSignIn: user.forceChangeNextSignIn },
      };
      const operation = 'POST /users';
      let response: GraphResponse<GraphUserLike>;
      try {
        // Not idempotent: a repeat after a lost answer could create the user twice (or fail with
        // "already exists" and hide the success). Only 429/503, which ran nothing, are repeated.
        response = await graph.request<GraphUserLike>({
          method: 'POST',
          path: '/users',
          operation,
          purpose: 'create-user',
          retry: 'rejected-only',
          okStatuses: [400],
          body,
        });
      } catch (error) {
        if (isToolboxError(error) && ANSWER_LOST.has(error.code as (typeof ENTRA_ERROR_CODES)['unavailable'])) {
          throw new ToolboxError({
            code: error.code,
            message:
              `${error.message} The answer to the create request was lost, so ${upn} may or may not have been created. ` +
              'Search for the username before trying again: the toolbox does not repeat a create on its own, as that could create the user twice.',
            httpStatus: error.httpStatus,
            retryable: false,
            ...(error.upstream ? { upstream: error.upstream } : {}),
          });
        }
        throw error;
      }
      if (response.status === 400) {
        const errorBody = response.body as GraphErrorBody | undefined;
        const message = errorBody?.error?.message ?? '';
        const conflict = errorBody?.error?.details?.find((d) => d.code === 'ObjectConflict');
        let error: ToolboxError;
        if (conflict && (!conflict.target || /userPrincipalName/i.test(conflict.target))) {
          error = new ToolboxError({
            code: ENTRA_ERROR_CODES.upnTaken,
            message: `The username ${upn} is already taken in this tenant (by a user, group or contact). Choose another username.`,
            httpStatus: 409,
            upstream: upstreamOf(response, operation),
          });
        } else if (/domain portion|verified domain/i.test(message)) {
          // *unverified* text: Graph's refusal of a UPN outside the tenant's verified domains.
          error = new ToolboxError({
            code: ENTRA_ERROR_CODES.invalidInput,
            message: `The domain of ${upn} is not a verified domain of this tenant: choose one of the tenant’s domains.`,
            httpStatus: 400,
            upstream: upstreamOf(response, operation),
          });
        } else {
          error = toError(response, operation, 'create-user');
        }
        log.warn({ failure: error.toLog() }, 'user creation refused');
        throw error;
      }
      const created = response.body;
      log.info({ userId: created?.id, licensed: false }, 'user created');
      // The create answer has Graph's default properties only: the rest is what was sent.
      return deps.toDirectoryUser({
        ...created,
        userPrincipalName: created?.userPrincipalName ?? upn,
        displayName: created?.displayName ?? body.displayName,
        accountEnabled: created?.accountEnabled ?? true,
        onPremisesSyncEnabled: false,
      });
    },

    /**
     * `GET /domains` needs Domain.Read.All, the narrowest permission that lists domains; without it
     * the organization's verifiedDomains (Organization.Read.All, which offboarding uses already) is
     * read instead.
     */
    async listVerifiedDomains() {
      let domains: VerifiedDomain[];
      try {
        const list = await graph.list<{ id?: string; isDefault?: boolean | null; isVerified?: boolean | null }>(
          {
            method: 'GET',
            path: '/domains?$select=id,isDefault,isVerified',
            operation: 'GET /domains',
            purpose: 'read-domains',
            failureLogLevel: 'debug',
          },
          500,
        );
        domains = list
          .filter((d): d is typeof d & { id: string } => typeof d.id === 'string' && d.isVerified === true)
          .map((d) => ({ name: d.id, isDefault: d.isDefault === true }));
      } catch (error) {
        if (!isToolboxError(error) || error.code !== ENTRA_ERROR_CODES.forbidden) throw error;
        log.debug('GET /domains forbidden: reading organization verifiedDomains instead');
        const { body } = await graph.request<{ value?: { verifiedDomains?: { name?: string; isDefault?: boolean | null }[] }[] }>({
          method: 'GET',
          path: '/organization?$select=verifiedDomains',
          operation: 'GET /organization?$select=verifiedDomains',
          purpose: 'read-domains',
        });
        domains = (body?.value ?? [])
          .flatMap((o) => o.verifiedDomains ?? [])
          .filter((d): d is typeof d & { name: string } => typeof d.name === 'string')
          .map((d) => ({ name: d.name, isDefault: d.isDefault === true }));
      }
      return domains.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
    },

    listSubscribedSkus,

    async addLicenses(userId, skuIds) {
      if (skuIds.length === 0) return;
      await freshUserWrite(
        {
          method: 'POST',
          path: `/users/${enc(userId)}/assignLicense`,
          operation: 'POST /users/{id}/assignLicense',
          purpose: 'licenses',
          // Adding a licence the user already holds is accepted by Graph, so a re-run is harmless.
          body: { addLicenses: skuIds.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: [] },
        },
        'licence assignment',
        (message, response) => {
          if (/usage location/i.test(message)) {
            return new ToolboxError({
              code: ENTRA_ERROR_CODES.noUsageLocation,
              message:
                'Microsoft 365 cannot assign a licence to a user without a usage location: set the usage location first ' +
                '(the country where the user works), then add the licence.',
              httpStatus: 409,
              upstream: upstreamOf(response, 'POST /users/{id}/assignLicense'),
            });
          }
          return undefined;
        },
      ).catch(async (error: unknown) => {
        // *unverified* text: Graph's refusal when a subscription has no free seat.
        const text = isToolboxError(error) ? (error.upstream?.message ?? '') : '';
        if (
          isToolboxError(error) &&
          error.upstream?.status === 400 &&
          /no more available|not enough|insufficient|available licen[cs]es|exceed/i.test(text)
        ) {
          const named = [...text.matchAll(GUID_IN_TEXT)]
            .map((m) => m[0])
            .filter((id) => skuIds.some((s) => s.toLowerCase() === id.toLowerCase()));
          const names = await skuNames(named.length > 0 ? named : skuIds);
          throw new ToolboxError({
            code: ENTRA_ERROR_CODES.noFreeSeats,
            message: `No free seat left for the licence ${names}: buy more seats, or free one by removing it from a former employee, then try again.`,
            httpStatus: 409,
            upstream: error.upstream as NonNullable<ToolboxError['upstream']>,
          });
        }
        throw error;
      });
      log.info({ added: skuIds.length }, 'licences added');
    },

    async setManager(userId, managerId) {
      const managerObjectId = await objectId(managerId);
      if (managerObjectId.toLowerCase() === userId.toLowerCase()) throw invalid('A user cannot be their own manager.');
      await freshUserWrite(
        {
          method: 'PUT',
          path: `/users/${enc(userId)}/manager/$ref`,
          operation: 'PUT /users/{id}/manager/$ref',
          purpose: 'manager',
          body: { '@odata.id': `${graphOrigin}/v1.0/users/${managerObjectId}` },
        },
        'manager change',
      );
      log.info('manager set');
    },

    async getUserProfile(userId) {
      const { body } = await graph.request<Partial<Record<(typeof PROFILE_FIELDS)[number], string | null>>>({
        method: 'GET',
        path: `/users/${enc(userId)}?$select=${PROFILE_FIELDS.join(',')}`,
        operation: 'GET /users/{id}?$select=profile',
        purpose: 'read',
      });
      const profile: UserProfile = {};
      for (const field of PROFILE_FIELDS) {
        const value = body?.[field];
        if (typeof value === 'string' && value) profile[field] = value;
      }
      return profile;
    },

    async updateUserProfile(userId, profile) {
      const patch: Record<string, string | null> = {};
      for (const field of PROFILE_FIELDS) {
        const value = profile[field];
        if (value === undefined) continue;
        // An empty value clears the attribute (Graph takes null, not "").
        const trimmed = value.trim();
        patch[field] = trimmed ? (field === 'usageLocation' ? trimmed.toUpperCase() : trimmed) : null;
      }
      if (typeof patch.usageLocation === 'string' && !/^[A-Z]{2}$/.test(patch.usageLocation)) {
        throw invalid(`“${patch.usageLocation}” is not a usage location: use the two-letter country code, e.g. US, GB or DE.`);
      }
      if (Object.keys(patch).length === 0) return;
      await graph.request<void>({
        method: 'PATCH',
        path: `/users/${enc(userId)}`,
        operation: 'PATCH /users/{id} profile',
        purpose: 'user-profile',
        retry: 'rejected-only',
        body: patch,
      });
      log.info({ fields: Object.keys(patch) }, 'user profile updated');
    },
  };
}
