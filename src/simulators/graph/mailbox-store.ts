import type { DemoMobileDevice, DemoUser } from '../../demo/demo-data.js';
import type { SimGroup } from './groups-store.js';

/**
 * Exchange Online mailboxes, one map per tenant, shared by Graph (`mailboxSettings`, licence
 * removal) and Exchange's `InvokeCommand` cmdlets (reference §9, §10).
 *
 * Rules:
 * - Every user holding a licence at start gets a regular mailbox (`UserMailbox`); `DemoUser.mailbox`
 *   only sets its size (default under 2 GB).
 * - **Licence removal before conversion loses the mailbox** (reference §9.2, CIPP #3968): when
 *   `assignLicense` leaves a user without any licence while the mailbox is still a `UserMailbox`,
 *   the mailbox is marked `removed` and disappears from every cmdlet (Exchange's not-found error,
 *   so a later `Set-Mailbox -Type Shared` fails) and from Graph's mailboxSettings. A shared mailbox
 *   needs no licence and stays. Giving the user a licence again reconnects it (Exchange keeps a
 *   disconnected mailbox for 30 days). Real Exchange takes minutes to act; here it is immediate.
 * - Sizes are reported by Get-MailboxStatistics as Exchange prints a ByteQuantifiedSize:
 *   `"52 GB (55,834,574,848 bytes)"`, `"1.229 GB (1,319,413,953 bytes)"`, `"45.06 MB (47,250,346 bytes)"`
 *   (three significant decimals at most, then the exact byte count). The REST serialisation of this
 *   value is *unverified*.
 * - Cmdlet error texts are *unverified* approximations in Exchange's `ExXXXXXX|Exception|Message` style.
 */
export type SimAutomaticReplies = {
  status: 'disabled' | 'alwaysEnabled' | 'scheduled';
  externalAudience: 'none' | 'contactsOnly' | 'all';
  internalReplyMessage: string;
  externalReplyMessage: string;
  scheduledStartDateTime?: { dateTime: string; timeZone: string };
  scheduledEndDateTime?: { dateTime: string; timeZone: string };
};

export type SimMailbox = {
  userId: string;
  type: 'UserMailbox' | 'SharedMailbox';
  primarySmtpAddress: string;
  hiddenFromAddressLists: boolean;
  /** Internal recipient, as its primary SMTP address. */
  forwardingAddress: string | null;
  /** External address, without the `smtp:` prefix. */
  forwardingSmtpAddress: string | null;
  deliverToMailboxAndForward: boolean;
  sizeBytes: number;
  itemCount: number;
  /** Gone: the user lost every licence while this was still a user mailbox (see above). */
  removed: boolean;
  fullAccess: { userId: string; autoMapping: boolean }[];
  sendAs: string[];
  devices: DemoMobileDevice[];
  automaticReplies: SimAutomaticReplies;
};

export type MailboxUser = Pick<
  DemoUser,
  'id' | 'userPrincipalName' | 'displayName' | 'mail' | 'onPremisesSyncEnabled' | 'proxyAddresses' | 'mailbox' | 'mobileDevices'
> & { assignedSkuIds?: string[] };

const GB = 1024 ** 3;

export function seedMailbox(user: MailboxUser, index: number): SimMailbox {
  // Small, distinct, stable sizes: 0.4 GB, 0.7 GB, 1.0 GB, … (under 2 GB).
  const sizeGb = user.mailbox?.sizeGb ?? 0.4 + (index % 5) * 0.3;
  const sizeBytes = Math.round(sizeGb * GB) + 4_321;
  return {
    userId: user.id,
    type: 'UserMailbox',
    primarySmtpAddress: user.mail ?? user.userPrincipalName,
    hiddenFromAddressLists: false,
    forwardingAddress: null,
    forwardingSmtpAddress: null,
    deliverToMailboxAndForward: false,
    sizeBytes,
    itemCount: Math.round(sizeBytes / 75_000),
    removed: false,
    fullAccess: [],
    sendAs: [],
    devices: structuredClone(user.mobileDevices ?? []),
    automaticReplies: { status: 'disabled', externalAudience: 'all', internalReplyMessage: '', externalReplyMessage: '' },
  };
}

/** `"1.229 GB (1,319,413,953 bytes)"`: Exchange's ByteQuantifiedSize text. */
export function formatByteQuantifiedSize(bytes: number): string {
  const units: [string, number][] = [
    ['TB', 1024 ** 4],
    ['GB', GB],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ];
  const [unit, size] = units.find(([, s]) => bytes >= s) ?? ['B', 1];
  const value = unit === 'B' ? String(bytes) : String(Number((bytes / size).toFixed(3)));
  return `${value} ${unit} (${bytes.toLocaleString('en-US')} bytes)`;
}

export type MailboxTenant = {
  users: MailboxUser[];
  groups: SimGroup[];
  mailboxes: Map<string, SimMailbox>;
};

export type CmdletResult = { value: Record<string, unknown>[]; warnings?: string[] } | { error: CmdletFailure };
export type CmdletFailure = { status: number; exception: string; text: string };

/** Parameters each cmdlet accepts, with PowerShell's case-insensitive names mapped to one spelling. */
const CMDLET_PARAMETERS: Record<string, string[]> = {
  'Get-Mailbox': ['Identity', 'RecipientTypeDetails', 'ResultSize'],
  'Get-MailboxStatistics': ['Identity'],
  'Set-Mailbox': [
    'Identity',
    'Type',
    'HiddenFromAddressListsEnabled',
    'ForwardingAddress',
    'ForwardingSmtpAddress',
    'DeliverToMailboxAndForward',
  ],
  'Add-MailboxPermission': ['Identity', 'User', 'AccessRights', 'InheritanceType', 'AutoMapping'],
  'Add-RecipientPermission': ['Identity', 'Trustee', 'AccessRights', 'Confirm'],
  'Get-MobileDevice': ['Mailbox', 'ResultSize'],
  'Remove-MobileDevice': ['Identity', 'Confirm'],
};

export const MAILBOX_CMDLETS = Object.keys(CMDLET_PARAMETERS);

const fail = (status: number, exception: string, text: string): { error: CmdletFailure } => ({ error: { status, exception, text } });
const notFound = (identity: string) =>
  fail(
    404,
    'ManagementObjectNotFoundException',
    `The operation couldn't be performed because object '${identity}' couldn't be found on 'SIM01A001DC001.PROD.OUTLOOK.COM'.`,
  );
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function runMailboxCmdlet(tenant: MailboxTenant, cmdlet: string, raw: Record<string, unknown>): CmdletResult {
  const allowed = CMDLET_PARAMETERS[cmdlet] ?? [];
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
    if (!name) return fail(400, 'ParameterBindingException', `A parameter cannot be found that matches parameter name '${key}'.`);
    params[name] = value;
  }
  const booleans = ['HiddenFromAddressListsEnabled', 'DeliverToMailboxAndForward', 'AutoMapping', 'Confirm'];
  for (const name of booleans) {
    if (name in params && typeof params[name] !== 'boolean') {
      return fail(
        400,
        'ParameterBindingArgumentTransformationException',
        `Cannot process argument transformation on parameter '${name}'. Cannot convert value "${String(params[name])}" to type "System.Boolean".`,
      );
    }
  }

  const userOf = (mailbox: SimMailbox) => tenant.users.find((u) => u.id === mailbox.userId) as MailboxUser;
  const live = () => [...tenant.mailboxes.values()].filter((m) => !m.removed);
  const resolveMailbox = (identity: unknown): SimMailbox | undefined => {
    if (typeof identity !== 'string' || !identity) return undefined;
    const needle = identity.toLowerCase().replace(/^smtp:/, '');
    return live().find((m) => {
      const user = userOf(m);
      return (
        m.userId === needle ||
        m.primarySmtpAddress.toLowerCase() === needle ||
        user.userPrincipalName.toLowerCase() === needle ||
        (user.proxyAddresses ?? []).some((p) => p.toLowerCase().replace(/^smtp:/, '') === needle)
      );
    });
  };
  const required = (name: string): { error: CmdletFailure } | undefined =>
    typeof params[name] === 'string' && params[name]
      ? undefined
      : fail(400, 'ParameterBindingValidationException', `Cannot validate argument on parameter '${name}'. The argument is null or empty.`);
  const toMailboxRecord = (m: SimMailbox) => {
    const user = userOf(m);
    return {
      Identity: user.displayName,
      Name: user.displayName,
      DisplayName: user.displayName,
      Alias: m.primarySmtpAddress.split('@')[0],
      UserPrincipalName: user.userPrincipalName,
      PrimarySmtpAddress: m.primarySmtpAddress,
      ExternalDirectoryObjectId: m.userId,
      RecipientType: 'UserMailbox',
      RecipientTypeDetails: m.type,
      IsDirSynced: user.onPremisesSyncEnabled,
      HiddenFromAddressListsEnabled: m.hiddenFromAddressLists,
      // Real Exchange prints the recipient's identity (often its Name) here; the simulator prints its address.
      ForwardingAddress: m.forwardingAddress,
      ForwardingSmtpAddress: m.forwardingSmtpAddress ? `smtp:${m.forwardingSmtpAddress}` : null,
      DeliverToMailboxAndForward: m.deliverToMailboxAndForward,
    };
  };

  switch (cmdlet) {
    case 'Get-Mailbox': {
      if (params.Identity === undefined) {
        const wanted = params.RecipientTypeDetails;
        return {
          value: live()
            .filter((m) => wanted === undefined || m.type === wanted)
            .map(toMailboxRecord),
        };
      }
      const mailbox = resolveMailbox(params.Identity);
      return mailbox ? { value: [toMailboxRecord(mailbox)] } : notFound(String(params.Identity));
    }
    case 'Get-MailboxStatistics': {
      const missing = required('Identity');
      if (missing) return missing;
      const mailbox = resolveMailbox(params.Identity);
      if (!mailbox) return notFound(String(params.Identity));
      return {
        value: [
          {
            DisplayName: userOf(mailbox).displayName,
            MailboxGuid: mailbox.userId,
            ItemCount: mailbox.itemCount,
            TotalItemSize: formatByteQuantifiedSize(mailbox.sizeBytes),
            TotalDeletedItemSize: formatByteQuantifiedSize(Math.round(mailbox.sizeBytes / 50)),
          },
        ],
      };
    }
    case 'Set-Mailbox': {
      const missing = required('Identity');
      if (missing) return missing;
      const mailbox = resolveMailbox(params.Identity);
      if (!mailbox) return notFound(String(params.Identity));
      const user = userOf(mailbox);
      const warnings: string[] = [];
      if ('HiddenFromAddressListsEnabled' in params && user.onPremisesSyncEnabled) {
        return fail(
          400,
          'TaskException',
          `The operation on mailbox "${user.displayName}" failed because it's out of the current user's write scope. ` +
            `The action 'Set-Mailbox', 'HiddenFromAddressListsEnabled', can't be performed on the object '${user.displayName}' because the ` +
            'object is being synchronized from your on-premises organization. This action should be performed on the object in your on-premises organization.',
        );
      }
      let type: SimMailbox['type'] | undefined;
      if ('Type' in params) {
        const t = String(params.Type).toLowerCase();
        if (t === 'shared') type = 'SharedMailbox';
        else if (t === 'regular') type = 'UserMailbox';
        else {
          return fail(
            400,
            'ParameterBindingArgumentTransformationException',
            `Cannot process argument transformation on parameter 'Type'. Cannot convert value "${String(params.Type)}" to type ` +
              '"Microsoft.Exchange.Management.RecipientTasks.ConvertibleMailboxSubType". Valid values: Regular, Room, Equipment, Shared.',
          );
        }
      }
      let forwardingAddress: string | null | undefined;
      if ('ForwardingAddress' in params) {
        const value = params.ForwardingAddress;
        if (value === null || value === '') forwardingAddress = null;
        else {
          const target = resolveMailbox(value) ?? tenant.groups.find((g) => g.mail && g.mail.toLowerCase() === String(value).toLowerCase());
          if (!target) {
            return fail(
              404,
              'ManagementObjectNotFoundException',
              `Couldn't find object "${String(value)}". Please make sure that it was spelled correctly or specify a different object.`,
            );
          }
          forwardingAddress = 'primarySmtpAddress' in target ? target.primarySmtpAddress : (target.mail as string);
        }
      }
      let forwardingSmtpAddress: string | null | undefined;
      if ('ForwardingSmtpAddress' in params) {
        const value = params.ForwardingSmtpAddress;
        if (value === null || value === '') forwardingSmtpAddress = null;
        else {
          const address = String(value).replace(/^smtp:/i, '');
          if (!EMAIL.test(address)) {
            return fail(
              400,
              'ParameterBindingArgumentTransformationException',
              `Cannot process argument transformation on parameter 'ForwardingSmtpAddress'. The address '${String(value)}' is invalid.`,
            );
          }
          forwardingSmtpAddress = address;
        }
      }
      if (type !== undefined) {
        if (type === mailbox.type) {
          warnings.push(`The command completed successfully but no settings of '${user.displayName}' have been modified.`);
        }
        mailbox.type = type;
      }
      if (typeof params.HiddenFromAddressListsEnabled === 'boolean') mailbox.hiddenFromAddressLists = params.HiddenFromAddressListsEnabled;
      if (forwardingAddress !== undefined) mailbox.forwardingAddress = forwardingAddress;
      if (forwardingSmtpAddress !== undefined) mailbox.forwardingSmtpAddress = forwardingSmtpAddress;
      if (typeof params.DeliverToMailboxAndForward === 'boolean') mailbox.deliverToMailboxAndForward = params.DeliverToMailboxAndForward;
      return { value: [], warnings };
    }
    case 'Add-MailboxPermission':
    case 'Add-RecipientPermission': {
      const who = cmdlet === 'Add-MailboxPermission' ? 'User' : 'Trustee';
      const right = cmdlet === 'Add-MailboxPermission' ? 'FullAccess' : 'SendAs';
      const missing = required('Identity') ?? required(who);
      if (missing) return missing;
      const rights = Array.isArray(params.AccessRights) ? params.AccessRights : [params.AccessRights];
      if (rights.length !== 1 || String(rights[0]).toLowerCase() !== right.toLowerCase()) {
        return fail(
          400,
          'ParameterBindingValidationException',
          `Cannot validate argument on parameter 'AccessRights'. The simulator supports only ${right} with ${cmdlet}.`,
        );
      }
      if (cmdlet === 'Add-MailboxPermission' && params.InheritanceType !== undefined && params.InheritanceType !== 'All') {
        return fail(400, 'ParameterBindingValidationException', "Cannot validate argument on parameter 'InheritanceType'.");
      }
      const mailbox = resolveMailbox(params.Identity);
      if (!mailbox) return notFound(String(params.Identity));
      const delegate = resolveMailbox(params[who]);
      if (!delegate) return notFound(String(params[who]));
      const identity = userOf(mailbox).displayName;
      const account = userOf(delegate).userPrincipalName;
      const already = `The appropriate access control entry is already present on the object "${identity}" for account "${account}".`;
      if (cmdlet === 'Add-MailboxPermission') {
        const existing = mailbox.fullAccess.find((p) => p.userId === delegate.userId);
        if (existing) return { value: [], warnings: [already] };
        mailbox.fullAccess.push({ userId: delegate.userId, autoMapping: params.AutoMapping !== false });
        return {
          value: [
            { Identity: identity, User: account, AccessRights: ['FullAccess'], IsInherited: false, Deny: false, InheritanceType: 'All' },
          ],
        };
      }
      if (mailbox.sendAs.includes(delegate.userId)) return { value: [], warnings: [already] };
      mailbox.sendAs.push(delegate.userId);
      return {
        value: [{ Identity: identity, Trustee: account, AccessControlType: 'Allow', AccessRights: ['SendAs'], IsInherited: false }],
      };
    }
    case 'Get-MobileDevice': {
      const missing = required('Mailbox');
      if (missing) return missing;
      const mailbox = resolveMailbox(params.Mailbox);
      if (!mailbox) return notFound(String(params.Mailbox));
      const alias = mailbox.primarySmtpAddress.split('@')[0];
      return {
        value: mailbox.devices.map((d) => ({
          Identity: deviceIdentity(alias ?? '', d),
          Guid: d.guid,
          FriendlyName: d.friendlyName,
          DeviceModel: d.deviceModel,
          DeviceOS: d.deviceOs,
          DeviceType: d.deviceType,
          DeviceId: d.deviceId,
          FirstSyncTime: d.firstSyncTime,
          UserDisplayName: userOf(mailbox).displayName,
          DeviceAccessState: 'Allowed',
        })),
      };
    }
    case 'Remove-MobileDevice': {
      const missing = required('Identity');
      if (missing) return missing;
      const needle = String(params.Identity).toLowerCase();
      for (const mailbox of live()) {
        const alias = mailbox.primarySmtpAddress.split('@')[0] ?? '';
        const index = mailbox.devices.findIndex((d) => d.guid === needle || deviceIdentity(alias, d).toLowerCase() === needle);
        if (index >= 0) {
          mailbox.devices.splice(index, 1);
          return { value: [] };
        }
      }
      return notFound(String(params.Identity));
    }
    default:
      return fail(400, 'CommandNotFoundException', `The term '${cmdlet}' is not recognized as a name of a cmdlet.`);
  }
}

function deviceIdentity(alias: string, device: DemoMobileDevice): string {
  return `${alias}\\ExchangeActiveSyncDevices\\${device.deviceType}§${device.deviceId}`;
}
