import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type { ConnectWiseClient } from './connectwise-client.js';
import { cwMemberSchema, cwSystemInfoSchema, mapMember } from './connectwise-map.js';

/** Where a ConnectWise administrator grants each permission: security role modules (System > Security Roles). */
const ROLE = {
  tickets: 'Service Desk > Service Tickets ("Inquire Level" All)',
  companies: 'Companies > Company Maintenance ("Inquire Level" All)',
  contacts: 'Companies > Contacts ("Inquire Level" All)',
  members: 'System > Member Maintenance ("Inquire Level" All)',
  notes: 'Service Desk > Service Tickets ("Add Level" and "Edit Level" All)',
};

const roleHint = (module: string) =>
  `In ConnectWise, open System > Security Roles, edit the API member's role and allow ${module}; then run the check again.`;

const KEYS_HINT =
  'Re-check companyId (the company typed at the ConnectWise login), publicKey and privateKey. The keys come from System > Members > ' +
  'API Members > (the API member) > API Keys; the private key is shown only once, so if it is lost create a new key pair and enter both ' +
  'keys again. The API member must be active. If the keys are right, check clientId as well.';

const CLIENT_ID_HINT =
  "clientId is the integration's Client ID (a GUID) from developer.connectwise.com > Client IDs; ConnectWise requires it on every " +
  'call. Paste it into clientId under PSA connection (a mistyped or revoked Client ID is refused).';

const CLOUD_404_HINT =
  'ConnectWise Cloud answers wrong API keys, a wrong company id or a wrong clientId with 404 "not found" instead of 401. Re-check ' +
  'companyId, publicKey, privateKey (create a new key pair if it was lost) and clientId. If all are right, check that apiUrl is the ' +
  'api- host of your region, e.g. https://api-na.myconnectwise.net.';

const RATE_LIMIT_HINT =
  "ConnectWise is limiting how many API calls it answers (HTTP 429): this is not a problem with the toolbox's settings. Wait as " +
  'long as it says, then run the check again. If it happens often, another integration may be calling the ConnectWise API heavily.';

const RATE_LIMITED = 'Not tried: ConnectWise is rate-limiting the toolbox (see above).';

const rateLimited = (error: unknown) => isToolboxError(error) && error.code === 'TBX_ERR_PSA_RATE_LIMITED';

const describe = (error: unknown): { message: string; upstreamCode?: string } => {
  if (isToolboxError(error)) {
    const status = error.upstream?.status;
    const code = error.upstream?.code;
    const upstreamCode = [status, code].filter((part) => part !== undefined).join(' ') || error.code;
    return { message: error.message, upstreamCode };
  }
  return { message: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
};

/**
 * The ConnectWise systems check, one line per step. Never throws: each step catches its own
 * failure, and a step that depends on an earlier failed one says so instead of repeating the
 * same error. Nothing is written: the note check is explicitly "not tested by writing".
 */
export async function runConnectWiseSystemsCheck(client: ConnectWiseClient): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const settings = client.settings;
  const apiHost = new URL(settings.apiUrl).host;

  // 1. Site reachable, codebase discovered.
  let codebaseKnown = Boolean(settings.codebase);
  try {
    const info = await client.fetchCompanyInfo();
    codebaseKnown = true;
    results.push({
      name: 'ConnectWise site and codebase',
      ok: true,
      message:
        `Company '${settings.companyId}' found at ${info.host}: codebase ${info.codebase}` +
        `${info.cloud ? ' (ConnectWise Cloud)' : ''}${settings.codebase ? `; the configured codebase ${settings.codebase} is used instead` : ''}.`,
    });
  } catch (error) {
    results.push({
      name: 'ConnectWise site and codebase',
      ok: false,
      ...describe(error),
      hint: settings.codebase
        ? `The configured codebase ${settings.codebase} will be used, but check siteUrl and companyId: the API calls need both.`
        : 'Check siteUrl (the address you sign in to ConnectWise at, e.g. https://na.myconnectwise.net) and companyId (the company ' +
          'typed at the ConnectWise login). If your server blocks this lookup, set codebase (e.g. v2025_1/) to skip it.',
    });
  }

  // 2 + 3. API host answers; keys and clientId accepted (one call to /system/info).
  let signedIn = false;
  /** Set after a 429: the steps after it are not tried (ConnectWise would refuse them too). */
  let throttled = false;
  if (!codebaseKnown) {
    results.push({
      name: 'ConnectWise API host answers',
      ok: false,
      outcome: 'not-run',
      message: 'Not tried: the codebase is unknown (see above).',
    });
    results.push({
      name: 'API keys and clientId accepted',
      ok: false,
      outcome: 'not-run',
      message: 'Not tried: the codebase is unknown (see above).',
    });
  } else {
    try {
      const response = await client.request({
        method: 'GET',
        path: '/system/info',
        operation: 'GET /system/info',
        action: 'read the system info',
      });
      const info = cwSystemInfoSchema.safeParse(response.data);
      const version = info.success && info.data.version ? ` (ConnectWise ${info.data.version})` : '';
      results.push({
        name: 'ConnectWise API host answers',
        ok: true,
        message: `${apiHost} answered with API version ${settings.apiVersion}${version}.`,
      });
      results.push({
        name: 'API keys and clientId accepted',
        ok: true,
        message: `ConnectWise accepted the API keys for company '${settings.companyId}' and the clientId.`,
      });
      signedIn = true;
    } catch (error) {
      const status = isToolboxError(error) ? error.upstream?.status : undefined;
      const answered =
        isToolboxError(error) && (error.code === 'TBX_ERR_PSA_AUTH' || error.code === 'TBX_ERR_PSA_FORBIDDEN' || status === 404);
      if (rateLimited(error)) {
        // The host answered, but refused for its limits before saying whether it accepts the keys.
        throttled = true;
        results.push({ name: 'ConnectWise API host answers', ok: true, message: `${apiHost} answered (HTTP 429).` });
        results.push({ name: 'API keys and clientId accepted', ok: false, ...describe(error), hint: RATE_LIMIT_HINT });
      } else if (answered) {
        results.push({ name: 'ConnectWise API host answers', ok: true, message: `${apiHost} answered (HTTP ${status}).` });
        results.push({
          name: 'API keys and clientId accepted',
          ok: false,
          ...describe(error),
          hint:
            status === 404
              ? CLOUD_404_HINT
              : status === 403
                ? "The keys were accepted, but the API member's security role refused the system info call. In ConnectWise, check the API member's role under System > Security Roles (compare it with the role 1Stream's API member uses)."
                : // connectWiseHttpError words a 401 about the clientId this way (connectwise-errors.ts).
                  isToolboxError(error) && /refused the clientId/i.test(error.message)
                  ? CLIENT_ID_HINT
                  : KEYS_HINT,
        });
      } else {
        const apiHostHint =
          /myconnectwise\.net$/i.test(apiHost) && !apiHost.startsWith('api-') ? ` Use the api- host, e.g. https://api-${apiHost}.` : '';
        results.push({
          name: 'ConnectWise API host answers',
          ok: false,
          ...describe(error),
          hint: `Check apiUrl and apiVersion.${apiHostHint}`,
        });
        results.push({
          name: 'API keys and clientId accepted',
          ok: false,
          outcome: 'not-run',
          message: 'Not tried: the API host did not answer properly (see above).',
        });
      }
    }
  }

  const credentialsNotTried = 'Not tried: ConnectWise did not accept the credentials (see above).';
  const notTried = () => (throttled ? RATE_LIMITED : credentialsNotTried);
  /** A permission failure names the role module; anything else may pass, but the role is still the usual cause. */
  const readHint = (error: unknown, module: string) => {
    const status = isToolboxError(error) ? error.upstream?.status : undefined;
    if (rateLimited(error)) {
      throttled = true;
      return RATE_LIMIT_HINT;
    }
    if (status === 403) return roleHint(module);
    if (isToolboxError(error) && error.retryable)
      return `ConnectWise did not answer properly; run the check again in a minute. If it keeps failing: ${roleHint(module)}`;
    return `This usually means the API member's security role lacks it (ConnectWise sometimes answers that with 404). ${roleHint(module)}`;
  };

  const readCheck = async (name: string, path: string, what: string, module: string): Promise<unknown[] | undefined> => {
    if (!signedIn || throttled) {
      results.push({ name, ok: false, outcome: 'not-run', message: notTried() });
      return undefined;
    }
    try {
      const response = await client.request({
        method: 'GET',
        path,
        operation: `GET ${path}`,
        action: `list ${what}`,
        query: { pageSize: 1 },
      });
      const rows = Array.isArray(response.data) ? response.data : [];
      results.push({
        name,
        ok: true,
        message: rows.length > 0 ? `The API member can read ${what}.` : `The API member can read ${what}, but none are visible to it.`,
      });
      return rows;
    } catch (error) {
      results.push({ name, ok: false, ...describe(error), hint: readHint(error, module) });
      return undefined;
    }
  };

  const tickets = await readCheck('Can read tickets', '/service/tickets', 'service tickets', ROLE.tickets);
  await readCheck('Can read companies', '/company/companies', 'companies', ROLE.companies);
  await readCheck('Can read contacts', '/company/contacts', 'contacts', ROLE.contacts);

  // Members: read them all, as the technician mapping does, and report how many.
  if (!signedIn || throttled) {
    results.push({ name: 'Can read members', ok: false, outcome: 'not-run', message: notTried() });
  } else {
    try {
      const rows = await client.requestAllPages({
        method: 'GET',
        path: '/system/members',
        operation: 'GET /system/members',
        action: 'list members',
        query: { pageSize: 1000 },
      });
      const members = rows.map((row) =>
        mapMember(client.parse(cwMemberSchema, row, { operation: 'GET /system/members', action: 'list members' })),
      );
      const active = members.filter((m) => !m.inactive).length;
      results.push({ name: 'Can read members', ok: true, message: `${members.length} members found (${active} active).` });
    } catch (error) {
      const hint = readHint(error, ROLE.members);
      results.push({
        name: 'Can read members',
        ok: false,
        ...describe(error),
        hint: throttled ? hint : `${hint} The technician mapping needs the members.`,
      });
    }
  }

  // Notes: a real test would write a note on a customer's ticket, so it is not done.
  const firstTicket = tickets?.[0] as { id?: unknown } | undefined;
  if (!signedIn || throttled) {
    results.push({ name: 'Can add ticket notes', ok: false, outcome: 'not-run', message: notTried() });
  } else if (typeof firstTicket?.id !== 'number') {
    results.push({
      name: 'Can add ticket notes',
      ok: false,
      outcome: 'unverified',
      message: 'Not tested: writing a test note would change a real ticket, and there is no ticket to check read access on.',
      hint: `Create a service ticket the API member can see (or widen its ticket inquire level), then run the check again. Adding notes needs ${ROLE.notes} in the API member's security role.`,
    });
  } else {
    const id = firstTicket.id;
    try {
      await client.request({
        method: 'GET',
        path: `/service/tickets/${id}/notes`,
        operation: 'GET /service/tickets/{id}/notes',
        action: `read the notes of ticket ${id}`,
        query: { pageSize: 1 },
      });
      results.push({
        name: 'Can add ticket notes',
        // Reading notes works; adding one is not tried (it would change a customer's ticket), so
        // this is not a pass.
        ok: false,
        outcome: 'unverified',
        message: `Not tested by writing (that would add a note to ticket #${id}). The API member can read ticket notes; adding them also needs ${ROLE.notes} in its security role.`,
      });
    } catch (error) {
      results.push({
        name: 'Can add ticket notes',
        ok: false,
        ...describe(error),
        hint: readHint(error, ROLE.notes),
      });
    }
  }
  return results;
}
