import type { Logger } from '../../../lib/logger.js';
import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import type { AssignedLicense, DirectoryCore, DirectoryParts, DirectoryUser, MailboxInfo, MobileDevice } from '../types.js';
import type { EntraClientParts } from './entra-connector.js';
import { EXCHANGE_ERROR_CODES } from './exchange-client.js';
import {
  ENTRA_ERROR_CODES,
  NO_MAILBOX_MESSAGE,
  SYNCED_HIDE_FROM_GAL_MESSAGE,
  SYNCED_MANAGER_MESSAGE,
  SYNCED_SIGN_IN_MESSAGE,
} from './graph-errors.js';
import { shippedLicenceCatalogue } from './licence-names.js';

/** The operations offboarding needs, before the client sorts them into the core and its parts. */
type OffboardingMethods = Pick<DirectoryCore, 'setAccountEnabled'> &
  Pick<DirectoryParts['licences'], 'listLicenses' | 'removeLicenses'> &
  Pick<DirectoryParts['manager'], 'getManager' | 'removeManager'> &
  DirectoryParts['automaticReplies'] &
  DirectoryParts['mailbox'] &
  DirectoryParts['mobileDevices'];

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

export type OffboardingDeps = {
  getUser(id: string): Promise<DirectoryUser>;
  findUsersByEmail(email: string): Promise<DirectoryUser[]>;
  toDirectoryUser(user: GraphUserLike): DirectoryUser;
  userSelect: string;
};

/** Exchange's words for a cmdlet that had nothing to do (the texts are *unverified*, so the match is broad). */
const ALREADY_DONE = /already (present|exists|has|a )|no settings of .* have been modified/i;
/** Exchange's refusal for an attribute mastered on-prem ("…being synchronized from your on-premises organization"). */
const SYNCED_OBJECT = /synchroni[sz]ed from your on-premises|on-premises organization|out of the current user's write scope/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Offboarding (reference §9): sign-in, licences, manager and out of office through Graph; the
 * mailbox (conversion, forwarding, address lists, delegation, mobile devices) through Exchange
 * Online's InvokeCommand, anchored on the user's UPN. Each method is idempotent: a change already
 * made is a success, so a workflow can re-run a step.
 */
export function createOffboardingMethods(parts: EntraClientParts, deps: OffboardingDeps, log: Logger): OffboardingMethods {
  const { graph, exchange } = parts;
  const enc = encodeURIComponent;
  /** The tenant's verified domains (lower case), read once per client. */
  let verifiedDomains: Promise<Set<string> | undefined> | undefined;

  /** Graph's licence states: skuId → assigned directly and/or by a group; undefined when Graph does not say. */
  async function licenseStates(userId: string): Promise<Map<string, { direct: boolean; group: boolean }> | undefined> {
    try {
      const { body } = await graph.request<{ licenseAssignmentStates?: { skuId?: string; assignedByGroup?: string | null }[] | null }>({
        method: 'GET',
        path: `/users/${enc(userId)}?$select=id,licenseAssignmentStates`,
        operation: 'GET /users/{id}?$select=licenseAssignmentStates',
        purpose: 'read',
        failureLogLevel: 'debug',
      });
      if (!Array.isArray(body?.licenseAssignmentStates)) return undefined;
      const states = new Map<string, { direct: boolean; group: boolean }>();
      for (const s of body.licenseAssignmentStates) {
        if (!s.skuId) continue;
        const key = s.skuId.toLowerCase();
        const entry = states.get(key) ?? { direct: false, group: false };
        if (s.assignedByGroup) entry.group = true;
        else entry.direct = true;
        states.set(key, entry);
      }
      return states;
    } catch (error) {
      if (isToolboxError(error) && error.code === ENTRA_ERROR_CODES.notFound) throw error;
      log.debug({ code: isToolboxError(error) ? error.code : undefined }, 'licenseAssignmentStates unavailable: licences shown as direct');
      return undefined;
    }
  }

  async function listLicenses(userId: string): Promise<AssignedLicense[]> {
    const [details, states] = await Promise.all([
      graph.list<{ skuId?: string; skuPartNumber?: string }>(
        {
          method: 'GET',
          path: `/users/${enc(userId)}/licenseDetails`,
          operation: 'GET /users/{id}/licenseDetails',
          purpose: 'read',
        },
        100,
      ),
      licenseStates(userId),
    ]);
    return details
      .filter((d): d is { skuId: string; skuPartNumber?: string } => typeof d.skuId === 'string')
      .map((d) => {
        const state = states?.get(d.skuId.toLowerCase());
        // A sku held both directly and through a group counts as direct: removing the direct
        // assignment is possible (the group's stays). Only a group-only sku is "via group".
        const skuPartNumber = d.skuPartNumber ?? d.skuId;
        return {
          skuId: d.skuId,
          skuPartNumber,
          displayName: shippedLicenceCatalogue().displayName({ skuId: d.skuId, skuPartNumber }),
          viaGroup: state ? state.group && !state.direct : false,
        };
      });
  }

  /** Exchange needs the UPN (identity and anchor); the user is read first. */
  async function mailboxUser(userId: string): Promise<DirectoryUser> {
    return deps.getUser(userId);
  }

  async function exo<T = Record<string, unknown>>(cmdlet: string, parameters: Record<string, unknown>, upn: string) {
    return exchange.invokeCommand<T>(cmdlet, parameters, { anchorUpn: upn });
  }

  const isExchangeNotFound = (error: unknown) => isToolboxError(error) && error.code === EXCHANGE_ERROR_CODES.notFound;
  const exchangeText = (error: unknown) => (isToolboxError(error) ? (error.upstream?.message ?? '') : '');

  function noMailbox(user: DirectoryUser, error: ToolboxError, extra = ''): ToolboxError {
    return new ToolboxError({
      code: ENTRA_ERROR_CODES.noMailbox,
      message: `${user.displayName}: ${NO_MAILBOX_MESSAGE}${extra}`,
      httpStatus: 409,
      ...(error.upstream ? { upstream: error.upstream } : {}),
    });
  }

  /** Set-Mailbox on the user's mailbox; "nothing modified" is success, not-found means no mailbox. */
  async function setMailbox(user: DirectoryUser, parameters: Record<string, unknown>, notFoundHint = ''): Promise<void> {
    try {
      await exo('Set-Mailbox', { Identity: user.userPrincipalName, ...parameters }, user.userPrincipalName);
    } catch (error) {
      if (isExchangeNotFound(error)) throw noMailbox(user, error as ToolboxError, notFoundHint);
      if (isToolboxError(error) && error.code === EXCHANGE_ERROR_CODES.commandFailed && ALREADY_DONE.test(exchangeText(error))) return;
      throw error;
    }
  }

  /**
   * Internal or external forwarding target, by the domain of the address: a tenant's verified
   * domain means a recipient in the tenant (Set-Mailbox -ForwardingAddress, which Exchange resolves
   * and which the outbound spam policy does not block); anything else is external
   * (-ForwardingSmtpAddress). The domains come from `GET /organization?$select=verifiedDomains`
   * (Organization.Read.All), read once per client. Without that permission the answer falls back
   * to "a user of the tenant has this address" (User.Read.All, which the toolbox has anyway).
   */
  async function isInternal(address: string): Promise<boolean> {
    verifiedDomains ??= graph
      .request<{ value?: { verifiedDomains?: { name?: string }[] }[] }>({
        method: 'GET',
        path: '/organization?$select=verifiedDomains',
        operation: 'GET /organization?$select=verifiedDomains',
        purpose: 'read-organization',
        failureLogLevel: 'debug',
      })
      .then(({ body }) => {
        const names = (body?.value ?? []).flatMap((o) => o.verifiedDomains ?? []).map((d) => d.name?.toLowerCase());
        return new Set(names.filter((n): n is string => !!n));
      })
      .catch((error: unknown) => {
        log.debug({ code: isToolboxError(error) ? error.code : undefined }, 'verified domains unavailable: looking the address up instead');
        verifiedDomains = undefined;
        return undefined;
      });
    const domains = await verifiedDomains;
    if (domains) return domains.has(address.split('@')[1]?.toLowerCase() ?? '');
    return (await deps.findUsersByEmail(address)).length > 0;
  }

  return {
    async setAccountEnabled(userId, enabled) {
      // Re-read: a synced user's accountEnabled is mastered in AD and sync would undo the change.
      const user = await deps.getUser(userId);
      if (user.onPremisesSyncEnabled) {
        throw new ToolboxError({ code: ENTRA_ERROR_CODES.syncedUser, message: SYNCED_SIGN_IN_MESSAGE, httpStatus: 409 });
      }
      await graph.request<void>({
        method: 'PATCH',
        path: `/users/${enc(user.id)}`,
        operation: 'PATCH /users/{id} accountEnabled',
        purpose: 'account-enabled',
        // Idempotent, but as for the password PATCH only a refusal that ran nothing (429/503) is repeated.
        retry: 'rejected-only',
        body: { accountEnabled: enabled },
      });
      log.info({ enabled }, 'account sign-in changed');
    },

    listLicenses,

    async removeLicenses(userId, skuIds) {
      if (skuIds.length === 0) return;
      const held = await listLicenses(userId);
      const wanted = new Set(skuIds.map((s) => s.toLowerCase()));
      const viaGroup = held.filter((l) => wanted.has(l.skuId.toLowerCase()) && l.viaGroup);
      if (viaGroup.length > 0) {
        const names = viaGroup.map((l) => l.displayName).join(', ');
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.licenseViaGroup,
          message:
            `The licence ${names} comes from a group, so it cannot be removed from the user directly: remove the user from the ` +
            'licensing group (group membership form), and the licence goes with it.',
          httpStatus: 409,
        });
      }
      // Already gone is done: only licences the user still holds are sent, so a re-run is a no-op.
      const remove = held.filter((l) => wanted.has(l.skuId.toLowerCase())).map((l) => l.skuId);
      if (remove.length === 0) return;
      await graph.request<unknown>({
        method: 'POST',
        path: `/users/${enc(userId)}/assignLicense`,
        operation: 'POST /users/{id}/assignLicense',
        purpose: 'licenses',
        retry: 'rejected-only',
        body: { addLicenses: [], removeLicenses: remove },
      });
      log.info({ removed: remove.length }, 'licences removed');
    },

    async getManager(userId) {
      const { status, body } = await graph.request<GraphUserLike>({
        method: 'GET',
        path: `/users/${enc(userId)}/manager?$select=${deps.userSelect}`,
        operation: 'GET /users/{id}/manager',
        purpose: 'read',
        // No manager is 404 "Resource 'manager' does not exist…".
        okStatuses: [404],
      });
      return status === 404 || !body?.id ? null : deps.toDirectoryUser(body);
    },

    async removeManager(userId) {
      try {
        const { status } = await graph.request<void>({
          method: 'DELETE',
          path: `/users/${enc(userId)}/manager/$ref`,
          operation: 'DELETE /users/{id}/manager/$ref',
          purpose: 'manager',
          retry: 'rejected-only',
          okStatuses: [404],
        });
        return status === 404 ? 'none' : 'removed';
      } catch (error) {
        if (isToolboxError(error) && error.code === ENTRA_ERROR_CODES.syncedUser) {
          throw new ToolboxError({
            code: error.code,
            message: SYNCED_MANAGER_MESSAGE,
            httpStatus: 409,
            ...(error.upstream ? { upstream: error.upstream } : {}),
          });
        }
        throw error;
      }
    },

    async setAutomaticReplies(userId, replies) {
      const automaticRepliesSetting = replies
        ? {
            status: 'alwaysEnabled',
            externalAudience: replies.externalAudience,
            internalReplyMessage: replies.internalMessage,
            externalReplyMessage: replies.externalMessage,
          }
        : { status: 'disabled' };
      await graph.request<unknown>({
        method: 'PATCH',
        path: `/users/${enc(userId)}/mailboxSettings`,
        operation: 'PATCH /users/{id}/mailboxSettings',
        purpose: 'mailbox-settings',
        retry: 'rejected-only',
        body: { automaticRepliesSetting },
      });
      log.info({ enabled: replies !== null }, 'automatic replies set');
    },

    async getMailbox(userId) {
      const user = await mailboxUser(userId);
      const upn = user.userPrincipalName;
      let mailbox: Record<string, unknown> | undefined;
      try {
        ({
          value: [mailbox],
        } = await exo('Get-Mailbox', { Identity: upn }, upn));
      } catch (error) {
        if (isExchangeNotFound(error)) return null;
        throw error;
      }
      if (!mailbox) return null;
      const details = String(mailbox.RecipientTypeDetails ?? '');
      const smtpForward = typeof mailbox.ForwardingSmtpAddress === 'string' ? mailbox.ForwardingSmtpAddress.replace(/^smtp:/i, '') : '';
      const internalForward = typeof mailbox.ForwardingAddress === 'string' ? mailbox.ForwardingAddress : '';
      const info: MailboxInfo = {
        type: details === 'UserMailbox' ? 'user' : details === 'SharedMailbox' ? 'shared' : 'other',
        primarySmtpAddress: String(mailbox.PrimarySmtpAddress ?? user.mail ?? upn),
        hiddenFromAddressLists: mailbox.HiddenFromAddressListsEnabled === true,
        // Exchange delivers to ForwardingAddress when both are set.
        forwardingTo: internalForward || smtpForward || null,
        keepCopy: mailbox.DeliverToMailboxAndForward === true,
      };
      // The size is a bonus (the >50 GB warning): a failure leaves it out.
      try {
        const { value } = await exo<{ TotalItemSize?: unknown }>('Get-MailboxStatistics', { Identity: upn }, upn);
        const sizeGb = parseSizeGb(value[0]?.TotalItemSize);
        if (sizeGb !== undefined) info.sizeGb = sizeGb;
      } catch (error) {
        log.debug({ code: isToolboxError(error) ? error.code : undefined }, 'mailbox size unavailable');
      }
      return info;
    },

    async convertMailboxToShared(userId) {
      const user = await mailboxUser(userId);
      // Converting a mailbox that is already shared succeeds with "no settings modified".
      await setMailbox(
        user,
        { Type: 'Shared' },
        ' If its licence was removed before the conversion, the mailbox was disconnected: give the licence back, convert, then remove it.',
      );
      log.info('mailbox converted to shared');
    },

    async setMailboxForwarding(userId, forwarding) {
      const user = await mailboxUser(userId);
      if (forwarding === null) {
        await setMailbox(user, { ForwardingAddress: null, ForwardingSMTPAddress: null, DeliverToMailboxAndForward: false });
        log.info('mailbox forwarding turned off');
        return;
      }
      const to = forwarding.to.trim();
      if (!EMAIL.test(to)) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.invalidInput,
          message: `“${to}” is not an e-mail address: forwarding needs a full address such as name@example.com.`,
          httpStatus: 400,
        });
      }
      const internal = await isInternal(to);
      // Each call sets both addresses, so a switch from internal to external leaves no stale target.
      // The external address is sent bare: Exchange stores and shows it as "smtp:…" (reference §10; the
      // prefix on input is accepted too, *unverified* which form CIPP sends).
      await setMailbox(
        user,
        internal
          ? { ForwardingAddress: to, ForwardingSMTPAddress: null, DeliverToMailboxAndForward: forwarding.keepCopy }
          : { ForwardingAddress: null, ForwardingSMTPAddress: to, DeliverToMailboxAndForward: forwarding.keepCopy },
      );
      log.info({ internal, keepCopy: forwarding.keepCopy }, 'mailbox forwarding set');
    },

    async setHiddenFromAddressLists(userId, hidden) {
      const user = await mailboxUser(userId);
      // For synced users the attribute is msExchHideFromAddressLists in AD (reference §9.2).
      if (user.onPremisesSyncEnabled) {
        throw new ToolboxError({ code: ENTRA_ERROR_CODES.syncedUser, message: SYNCED_HIDE_FROM_GAL_MESSAGE, httpStatus: 409 });
      }
      try {
        await setMailbox(user, { HiddenFromAddressListsEnabled: hidden });
      } catch (error) {
        if (isToolboxError(error) && SYNCED_OBJECT.test(exchangeText(error))) {
          throw new ToolboxError({
            code: ENTRA_ERROR_CODES.syncedUser,
            message: SYNCED_HIDE_FROM_GAL_MESSAGE,
            httpStatus: 409,
            ...(error.upstream ? { upstream: error.upstream } : {}),
          });
        }
        throw error;
      }
      log.info({ hidden }, 'mailbox address-list visibility set');
    },

    async grantMailboxAccess(userId, grant) {
      const [user, delegate] = await Promise.all([mailboxUser(userId), deps.getUser(grant.delegateUserId)]);
      const upn = user.userPrincipalName;
      const run = async (cmdlet: string, parameters: Record<string, unknown>) => {
        try {
          await exo(cmdlet, { Identity: upn, ...parameters }, upn);
        } catch (error) {
          if (isToolboxError(error) && error.code === EXCHANGE_ERROR_CODES.commandFailed && ALREADY_DONE.test(exchangeText(error))) return;
          if (isExchangeNotFound(error)) {
            throw new ToolboxError({
              code: ENTRA_ERROR_CODES.noMailbox,
              message: `Exchange Online has no mailbox for ${user.displayName} or ${delegate.displayName}: ${exchangeText(error)}`,
              httpStatus: 409,
              ...((error as ToolboxError).upstream ? { upstream: (error as ToolboxError).upstream } : {}),
            });
          }
          throw error;
        }
      };
      if (grant.fullAccess) {
        await run('Add-MailboxPermission', {
          User: delegate.userPrincipalName,
          AccessRights: ['FullAccess'],
          InheritanceType: 'All',
          AutoMapping: grant.autoMapping,
        });
      }
      if (grant.sendAs) {
        await run('Add-RecipientPermission', { Trustee: delegate.userPrincipalName, AccessRights: ['SendAs'], Confirm: false });
      }
      log.info({ fullAccess: grant.fullAccess, sendAs: grant.sendAs, autoMapping: grant.autoMapping }, 'mailbox access granted');
    },

    async listMobileDevices(userId) {
      const user = await mailboxUser(userId);
      const upn = user.userPrincipalName;
      let devices: Record<string, unknown>[];
      try {
        ({ value: devices } = await exo('Get-MobileDevice', { Mailbox: upn }, upn));
      } catch (error) {
        // No mailbox, no devices.
        if (isExchangeNotFound(error)) return [];
        throw error;
      }
      return devices.flatMap((d): MobileDevice[] => {
        const id = str(d.Identity) ?? str(d.Guid);
        if (!id) return [];
        const name = str(d.FriendlyName) ?? str(d.DeviceModel) ?? str(d.DeviceType) ?? 'Unnamed device';
        // Get-MobileDevice itself may not carry a sync time (Get-MobileDeviceStatistics does): *unverified*.
        const lastSync = str(d.LastSuccessSync) ?? str(d.LastSyncAttemptTime);
        return [{ id, name, ...(lastSync ? { lastSync } : {}) }];
      });
    },

    async removeMobileDevice(userId, deviceId) {
      const user = await mailboxUser(userId);
      try {
        await exo('Remove-MobileDevice', { Identity: deviceId, Confirm: false }, user.userPrincipalName);
      } catch (error) {
        // Gone already is what the caller wanted.
        if (isExchangeNotFound(error)) return;
        throw error;
      }
      log.info('mobile device removed');
    },
  };
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * GB (1024³ bytes, two decimals) from Exchange's ByteQuantifiedSize text, e.g.
 * "1.229 GB (1,319,413,953 bytes)": the exact byte count in brackets when present, else the
 * number and unit before it. Undefined when neither reads.
 */
export function parseSizeGb(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return round(value / 1024 ** 3);
  if (typeof value !== 'string') return undefined;
  const bytes = /\(([\d,.\s]+)\s*bytes\)/i.exec(value)?.[1];
  if (bytes) {
    const n = Number(bytes.replace(/[,.\s]/g, ''));
    if (Number.isFinite(n)) return round(n / 1024 ** 3);
  }
  const match = /^\s*([\d.]+)\s*(B|KB|MB|GB|TB)\b/i.exec(value);
  if (!match) return undefined;
  const factor = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[(match[2] as string).toUpperCase() as 'B'];
  return round((Number(match[1]) * factor) / 1024 ** 3);
}

const round = (gb: number) => Math.round(gb * 100) / 100;
