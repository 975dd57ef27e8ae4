import { z } from 'zod';
import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type { HaloPsaClient } from './halopsa-client.js';
import { type HaloAgent, haloAgentSchema, haloOutcomeSchema, mapMember } from './halopsa-map.js';

/** The stock outcome of an internal note, used when the settings name no outcome id. */
export const DEFAULT_NOTE_OUTCOME = 'Private Note';

const AGENT_PATH = 'Configuration > Teams & Agents > Agents';
const APPLICATION_PATH = 'Configuration > Integrations > HaloPSA API > View Applications';

const PERMISSIONS_HINT = (what: string) =>
  `In HaloPSA, open ${AGENT_PATH} > (the API agent) > Permissions and set ${what} (1Stream's set-up uses "Read and Modify"); ` +
  `check too that the application under ${APPLICATION_PATH} has "all" ticked on its Permissions tab. Then run the check again.`;

const TEAM_HINT = (agent: string) =>
  `In HaloPSA, open ${AGENT_PATH} > ${agent} and choose one of your teams as its Default Team, then run the check again. ` +
  "1Stream's Halo set-up needs it too: without a default team the agent cannot see the other agents.";

const RATE_LIMIT_HINT =
  "HaloPSA is limiting how many API calls it answers (HTTP 429): this is not a problem with the toolbox's settings. Wait as long " +
  'as it says, then run the check again. If it happens often, another integration may be calling the HaloPSA API heavily.';

const RATE_LIMITED = 'Not tried: HaloPSA is rate-limiting the toolbox (see above).';

const rateLimited = (error: unknown) => isToolboxError(error) && error.code === 'TBX_ERR_PSA_RATE_LIMITED';

const authInfoSchema = z.looseObject({ auth_url: z.string().nullish(), tenant_id: z.string().nullish() });

const describe = (error: unknown): { message: string; upstreamCode?: string } => {
  if (isToolboxError(error)) {
    const status = error.upstream?.status;
    const code = error.upstream?.code;
    const upstreamCode = [status, code].filter((part) => part !== undefined).join(' ') || error.code;
    return { message: error.message, upstreamCode };
  }
  return { message: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
};

/** The likely tenant of a Halo-hosted URL: the `yourcompany` of yourcompany.halopsa.com. */
export function hostedTenantOf(url: string): string | undefined {
  const match = /^([a-z0-9-]+)\.halopsa\.com$/i.exec(new URL(url).hostname);
  return match?.[1]?.toLowerCase();
}

/**
 * The HaloPSA systems check, one line per step with a fix for each failure: the URL, the token
 * (client id, secret, tenant), the API agent and its default team, read access to tickets,
 * clients, users and agents, and what a note needs. Never throws; a step that depends on a failed
 * one says so instead of repeating the same error. Nothing is written.
 */
export async function runHaloPsaSystemsCheck(client: HaloPsaClient, noteOutcomeId: number | undefined): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const settings = client.settings;
  const host = client.host;
  const guessedTenant = hostedTenantOf(settings.url);

  // 1. The URL is a Halo instance (authinfo needs no credentials).
  let reachable = true;
  let throttled = false;
  let reportedTenant: string | undefined;
  try {
    const info = authInfoSchema.safeParse((await client.authInfo()).data);
    const authUrl = info.success ? info.data.auth_url : undefined;
    reportedTenant = (info.success ? info.data.tenant_id?.trim() : undefined) || undefined;
    results.push({
      name: 'HaloPSA URL answers',
      ok: true,
      message:
        `${host} is a HaloPSA instance${authUrl ? ` (its sign-in service: ${authUrl})` : ''}.` +
        (reportedTenant && !settings.tenant ? ` It reports the tenant '${reportedTenant}'.` : ''),
    });
  } catch (error) {
    reachable = !(isToolboxError(error) && (error.code === 'TBX_ERR_PSA_UNAVAILABLE' || error.code === 'TBX_ERR_PSA_TIMEOUT'));
    throttled = rateLimited(error);
    results.push({
      name: 'HaloPSA URL answers',
      ok: false,
      ...describe(error),
      hint: throttled
        ? RATE_LIMIT_HINT
        : 'Set url to the address you sign in to Halo at, e.g. https://yourcompany.halopsa.com for a Halo-hosted instance or your own ' +
          "server's address; the toolbox calls {url}/api and {url}/auth/token.",
    });
  }

  // 2. The token: client id, secret and tenant.
  let signedIn = false;
  /** Why the steps after a failure are not tried; undefined while they can be. */
  let blocked: string | undefined = throttled ? RATE_LIMITED : undefined;
  const tokenLine = 'Client ID, Client Secret and tenant accepted';
  if (!reachable) blocked = 'Not tried: the HaloPSA URL could not be reached (see above).';
  if (blocked) {
    results.push({ name: tokenLine, ok: false, outcome: 'not-run', message: blocked });
  } else {
    try {
      await client.renewToken();
      signedIn = true;
      results.push({
        name: tokenLine,
        ok: true,
        message: `HaloPSA issued a token for the API application${settings.tenant ? ` in tenant '${settings.tenant}'` : ''}.`,
      });
    } catch (error) {
      const aboutTenant = isToolboxError(error) && /tenant/i.test(error.upstream?.message ?? '');
      // The tenant Halo reports at /api/authinfo (as HaloAPI's Connect-HaloAPI uses it), else the one of a halopsa.com address.
      const likely = reportedTenant && reportedTenant.toLowerCase() !== settings.tenant?.toLowerCase() ? reportedTenant : guessedTenant;
      const tenantFix = likely
        ? ` For ${host} that is probably '${likely}'${likely === reportedTenant ? ' (the tenant it reports at /api/authinfo)' : ''}.`
        : '';
      let hint: string;
      if (rateLimited(error)) {
        hint = RATE_LIMIT_HINT;
      } else if (aboutTenant) {
        hint = `Choose Hosting "Hosted by Halo" and set tenant to your tenant's name (1Stream: "CRM Company", the HaloPSA Company ID).${tenantFix} A self-hosted Halo needs no tenant.`;
      } else if (isToolboxError(error) && error.code === 'TBX_ERR_PSA_AUTH') {
        hint =
          `Re-enter clientId (1Stream: "API Key") and clientSecret ("API Private Key") from ${APPLICATION_PATH} > (the application), ` +
          'Authentication Method "Client ID and Secret (Services)". Copy the Client ID after saving the application: it changes on save.' +
          (settings.tenant ? ` Check too that tenant '${settings.tenant}' is the tenant the application is in.` : '') +
          (!settings.tenant && guessedTenant ? ` A Halo-hosted instance may need tenant '${guessedTenant}' as well.` : '');
      } else if (isToolboxError(error) && error.code === 'TBX_ERR_PSA_FORBIDDEN') {
        hint = `In HaloPSA, open ${APPLICATION_PATH} > (the application) > Permissions and tick "all".`;
      } else if (isToolboxError(error) && error.retryable) {
        hint = 'HaloPSA did not answer properly; run the check again in a minute.';
      } else {
        hint = 'Check url: it must be the Halo instance itself, whose sign-in service is at {url}/auth/token.';
      }
      results.push({ name: tokenLine, ok: false, ...describe(error), hint });
      blocked = rateLimited(error) ? RATE_LIMITED : 'Not tried: HaloPSA did not issue a token (see above).';
    }
  }

  const readHint = (error: unknown, what: string) =>
    rateLimited(error)
      ? RATE_LIMIT_HINT
      : isToolboxError(error) && error.retryable
        ? `HaloPSA did not answer properly; run the check again in a minute. If it keeps failing: ${PERMISSIONS_HINT(what)}`
        : PERMISSIONS_HINT(what);
  /** Fails a line for this error; a 429 also stops the steps after it (Halo would refuse them too). */
  const failed = (name: string, error: unknown, what: string): SystemsCheckResult => {
    if (rateLimited(error)) blocked = RATE_LIMITED;
    return { name, ok: false, ...describe(error), hint: readHint(error, what) };
  };

  // 3 + 4. The API agent and its default team.
  let agent: HaloAgent | undefined;
  if (blocked || !signedIn) {
    results.push({ name: 'API agent', ok: false, outcome: 'not-run', message: blocked ?? '' });
    results.push({ name: 'API agent has a default team', ok: false, outcome: 'not-run', message: blocked ?? '' });
  } else {
    try {
      const request = { method: 'GET' as const, path: '/Agent/me', operation: 'GET /api/Agent/me', action: 'read the API agent' };
      const response = await client.request(request);
      agent = client.parse(haloAgentSchema, response.data, request);
      const name = agent.name?.trim() || `#${agent.id}`;
      if (agent.isdisabled === true) {
        results.push({
          name: 'API agent',
          ok: false,
          message: `The API application logs in as agent '${name}', which is disabled.`,
          hint: `In HaloPSA, open ${AGENT_PATH} > ${name} and make the account active again.`,
        });
      } else if (agent.isapiagent === false) {
        results.push({
          name: 'API agent',
          ok: false,
          outcome: 'warning',
          message: `The API application logs in as agent '${name}', which is a regular agent, not an API-only one.`,
          hint: `Create an agent with "Is an API-only Agent" ticked (${AGENT_PATH} > New) and choose it under Login Type "Agent" in the application.`,
        });
      } else {
        results.push({ name: 'API agent', ok: true, message: `The API application logs in as the API agent '${name}'.` });
      }
      const team = agent.team?.trim();
      results.push(
        team
          ? { name: 'API agent has a default team', ok: true, message: `Its default team is '${team}'.` }
          : {
              name: 'API agent has a default team',
              ok: false,
              message: `The API agent '${name}' has no default team.`,
              hint: TEAM_HINT(name),
            },
      );
    } catch (error) {
      const missing = isToolboxError(error) && error.upstream?.status === 404;
      if (missing) {
        results.push({
          name: 'API agent',
          ok: false,
          message: 'The API application does not log in as an agent: Halo knows no "me" for its token.',
          upstreamCode: '404',
          hint:
            `In HaloPSA, create an agent with "Is an API-only Agent" ticked and a Default Team (${AGENT_PATH} > New), then open ` +
            `${APPLICATION_PATH} > (the application), set Login Type to "Agent" and choose that agent.`,
        });
      } else {
        // Not an answer about the agent (throttled, or Halo failed): say what happened, not "create an agent".
        results.push({ name: 'API agent', ok: false, ...describe(error), hint: readHint(error, 'the agent permissions') });
        if (rateLimited(error)) blocked = RATE_LIMITED;
      }
      results.push({
        name: 'API agent has a default team',
        ok: false,
        outcome: 'not-run',
        message: missing ? 'Not tried: no API agent (see above).' : (blocked ?? 'Not tried: the API agent could not be read (see above).'),
      });
    }
  }

  const readCheck = async (name: string, path: string, key: string, what: string, permission: string): Promise<unknown[] | undefined> => {
    if (blocked || !signedIn) {
      results.push({ name, ok: false, outcome: 'not-run', message: blocked ?? '' });
      return undefined;
    }
    try {
      const request = { method: 'GET' as const, path, operation: `GET /api${path}`, action: `list ${what}` };
      const response = await client.request({ ...request, query: { pageinate: true, page_size: 1, page_no: 1 } });
      const rows = client.listItems(response.data, key, request);
      results.push({
        name,
        ok: true,
        message: rows.length > 0 ? `The API agent can read ${what}.` : `The API agent can read ${what}, but none are visible to it.`,
        ...(rows.length === 0 && key === 'tickets'
          ? { hint: "Halo shows an agent only its teams' tickets: add the API agent to the teams whose tickets the toolbox serves." }
          : {}),
      });
      return rows;
    } catch (error) {
      results.push(failed(name, error, permission));
      return undefined;
    }
  };

  const tickets = await readCheck('Can read tickets', '/Tickets', 'tickets', 'tickets', 'Tickets Access Level');
  await readCheck('Can read clients', '/Client', 'clients', 'clients', 'Customers Access Level');
  await readCheck('Can read users (contacts)', '/Users', 'users', 'users', 'Users Access Level');

  // Agents: read them as the technician mapping does, and report how many.
  if (blocked || !signedIn) {
    results.push({ name: 'Can read agents', ok: false, outcome: 'not-run', message: blocked ?? '' });
  } else {
    try {
      const request = { method: 'GET' as const, path: '/Agent', operation: 'GET /api/Agent', action: 'list agents' };
      const rows = client.listItems((await client.request(request)).data, 'agents', request);
      const members = rows.map((row) => mapMember(client.parse(haloAgentSchema, row, request))).filter((m) => m.id !== String(agent?.id));
      const active = members.filter((m) => !m.inactive).length;
      const teamMissing = agent !== undefined && !agent.team?.trim();
      results.push(
        members.length > 0
          ? { name: 'Can read agents', ok: true, message: `${members.length} agents found (${active} active).` }
          : {
              name: 'Can read agents',
              ok: false,
              message: 'HaloPSA shows the API agent no agents, so technicians cannot be mapped to them.',
              hint: teamMissing ? TEAM_HINT(agent?.name?.trim() || 'the API agent') : PERMISSIONS_HINT('the agent permissions'),
            },
      );
    } catch (error) {
      results.push(failed('Can read agents', error, 'the agent permissions'));
    }
  }

  // Notes: writing one would change a customer's ticket, so only what a note needs is checked.
  const noteLine = 'Can add ticket notes';
  if (blocked || !signedIn) {
    results.push({ name: noteLine, ok: false, outcome: 'not-run', message: blocked ?? '' });
    return results;
  }
  try {
    const request = { method: 'GET' as const, path: '/Outcome', operation: 'GET /api/Outcome', action: 'list the action outcomes' };
    const outcomes = client
      .listItems((await client.request(request)).data, 'outcomes', request)
      .map((row) => client.parse(haloOutcomeSchema, row, request));
    const wanted = noteOutcomeId ?? DEFAULT_NOTE_OUTCOME;
    const outcome =
      typeof wanted === 'number'
        ? outcomes.find((o) => o.id === wanted)
        : outcomes.find((o) => (o.outcome ?? '').trim().toLowerCase() === wanted.toLowerCase());
    if (!outcome) {
      const names = outcomes.map((o) => `${o.outcome ?? '?'} (${o.id})`).join(', ');
      results.push({
        name: noteLine,
        ok: false,
        message:
          typeof wanted === 'number'
            ? `HaloPSA has no outcome with id ${wanted}, which noteOutcomeId names.`
            : `HaloPSA has no "${DEFAULT_NOTE_OUTCOME}" outcome, which the toolbox's notes use.`,
        hint: `Set noteOutcomeId to the id of the outcome for internal notes. This Halo has: ${names || '(none visible)'}.`,
      });
      return results;
    }
    const firstTicket = tickets?.[0] as { id?: unknown } | undefined;
    if (typeof firstTicket?.id === 'number') {
      await client.request({
        method: 'GET',
        path: '/Actions',
        operation: 'GET /api/Actions',
        action: `read the actions of ticket ${firstTicket.id}`,
        query: { ticket_id: firstTicket.id, count: 1 },
      });
    }
    results.push({
      name: noteLine,
      ok: false,
      outcome: 'unverified',
      message:
        `Not tested by writing (that would add a note to a customer's ticket). Notes use the outcome '${outcome.outcome ?? outcome.id}' ` +
        `(id ${outcome.id})${typeof firstTicket?.id === 'number' ? ', and the API agent can read ticket actions' : ''}.`,
      hint: 'Adding notes needs Tickets Access Level "Read and Modify" and "Can Edit All Actions" on the API agent, as 1Stream\'s set-up has.',
    });
  } catch (error) {
    results.push(failed(noteLine, error, 'Tickets Access Level'));
  }
  return results;
}
