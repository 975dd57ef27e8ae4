import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type { ConnectWiseClient } from './connectwise-client.js';
import { cwMemberSchema, cwSystemInfoSchema, mapMember } from './connectwise-map.js';

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
        ? `The configured codebase ${settings.codebase} will be used, but check the site URL and company id.`
        : 'Check siteUrl (e.g. https://na.myconnectwise.net) and the company id, or set codebase to skip this lookup.',
    });
  }

  // 2 + 3. API host answers; keys and clientId accepted (one call to /system/info).
  let signedIn = false;
  if (!codebaseKnown) {
    results.push({ name: 'ConnectWise API host answers', ok: false, message: 'Not tried: the codebase is unknown (see above).' });
    results.push({ name: 'API keys and clientId accepted', ok: false, message: 'Not tried: the codebase is unknown (see above).' });
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
      if (answered) {
        results.push({ name: 'ConnectWise API host answers', ok: true, message: `${apiHost} answered (HTTP ${status}).` });
        results.push({
          name: 'API keys and clientId accepted',
          ok: false,
          ...describe(error),
          hint:
            status === 404
              ? 'ConnectWise Cloud answers bad keys, a wrong company id or a wrong clientId with 404. Re-check all of them.'
              : 'Re-check the company id, public key, private key and clientId. The API member must not be inactive.',
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
          message: 'Not tried: the API host did not answer properly (see above).',
        });
      }
    }
  }

  const notTried = 'Not tried: ConnectWise did not accept the credentials (see above).';
  const readCheck = async (name: string, path: string, what: string): Promise<unknown[] | undefined> => {
    if (!signedIn) {
      results.push({ name, ok: false, message: notTried });
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
      results.push({ name, ok: false, ...describe(error), hint: `Give the API member's security role "Inquire" access to ${what}.` });
      return undefined;
    }
  };

  const tickets = await readCheck('Can read tickets', '/service/tickets', 'service tickets');
  await readCheck('Can read companies', '/company/companies', 'companies');
  await readCheck('Can read contacts', '/company/contacts', 'contacts');

  // Members: read them all, as the technician mapping does, and report how many.
  if (!signedIn) {
    results.push({ name: 'Can read members', ok: false, message: notTried });
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
      results.push({
        name: 'Can read members',
        ok: false,
        ...describe(error),
        hint: 'Give the API member\'s security role "Inquire" access to members (System > Members).',
      });
    }
  }

  // Notes: a real test would write a note on a customer's ticket, so it is not done.
  const firstTicket = tickets?.[0] as { id?: unknown } | undefined;
  if (!signedIn) {
    results.push({ name: 'Can add ticket notes', ok: false, message: notTried });
  } else if (typeof firstTicket?.id !== 'number') {
    results.push({
      name: 'Can add ticket notes',
      ok: false,
      message: 'Not tested: writing a test note would change a real ticket, and there is no ticket to check read access on.',
      hint: "Make sure the API member's security role allows adding to service tickets.",
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
        ok: true,
        message: `Not tested by writing (that would add a note to ticket #${id}). The API member can read ticket notes; adding them also needs "Add" on service tickets in its security role.`,
      });
    } catch (error) {
      results.push({
        name: 'Can add ticket notes',
        ok: false,
        ...describe(error),
        hint: "Give the API member's security role access to service ticket notes.",
      });
    }
  }
  return results;
}
