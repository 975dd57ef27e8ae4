import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type { AutotaskClient, AutotaskZone } from './autotask-client.js';
import { atResourceSchema, mapMember } from './autotask-map.js';
import { PACING, type ThresholdInfo } from './autotask-pacing.js';
import { type AutotaskPicklists, activeLabels, internalPublish, noteTypeFor } from './autotask-picklists.js';
import { AUTOTASK_ZONE_DISCOVERY_URL } from './autotask-settings.js';

/** Where an Autotask administrator grants each permission: the API user's security level. */
const SECURITY_LEVEL = 'Admin > Account Settings & Users > Security Levels > (the API user’s security level)';

const describe = (error: unknown): { message: string; upstreamCode?: string } => {
  if (isToolboxError(error)) {
    const status = error.upstream?.status;
    const code = error.upstream?.code;
    const upstreamCode = [status, code].filter((part) => part !== undefined).join(' ') || error.code;
    return { message: error.message, upstreamCode };
  }
  return { message: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
};

const percent = (info: ThresholdInfo) => Math.round((info.used / info.threshold) * 1000) / 10;
const count = (n: number) => n.toLocaleString('en-US');

const USAGE_PAGE = 'Admin > Extensions & Integrations > Other Extensions & Tools > API Activity by Hour';

const THRESHOLD_HINT =
  'Your Autotask database has used up its hourly API request threshold, which every integration of the database shares: this is ' +
  `not a problem with the toolbox's settings. Find the integration that uses the requests under ${USAGE_PAGE} and reduce its ` +
  'polling, then run the check again once usage drops (it is counted over the past hour).';

const THREADS_HINT =
  'Autotask answers at most 3 calls at once per kind of record for one integration code, and more were running: the toolbox ' +
  'service itself, or another program using the same integration code. Run the check again in a few seconds; give every other ' +
  'integration its own API tracking identifier.';

/**
 * Why a call was refused for Autotask's limits: the database's hourly threshold (Autotask's 429,
 * or the toolbox's own pacing refusing to spend the last requests), or the thread limit.
 */
function limitOf(error: unknown): 'threshold' | 'threads' | undefined {
  if (!isToolboxError(error) || error.code !== 'TBX_ERR_PSA_RATE_LIMITED') return undefined;
  return /thread/i.test(error.upstream?.message ?? '') ? 'threads' : 'threshold';
}

/** No answer at all from a host: nothing listens there, it is not reachable, or it is too slow. */
const unreachable = (error: unknown) =>
  isToolboxError(error) &&
  ((error.code === 'TBX_ERR_PSA_UNAVAILABLE' && error.upstream?.status === undefined) || error.code === 'TBX_ERR_PSA_TIMEOUT');

/** An answer, but not one Autotask gives there: the URL points at something else. */
const notAutotask = (error: unknown) =>
  isToolboxError(error) &&
  (error.code === 'TBX_ERR_PSA_BAD_RESPONSE' ||
    (error.upstream?.status !== undefined &&
      error.upstream.status >= 400 &&
      error.upstream.status < 500 &&
      error.upstream.status !== 429) ||
    (error.code === 'TBX_ERR_PSA_CONFIG' && !/zone information could not be determined/i.test(error.upstream?.message ?? '')));

/**
 * The Autotask systems check, one line per step, each failure with its fix. Never throws: each
 * step catches its own failure, and a step that depends on an earlier failed one says so instead
 * of repeating the same error. Nothing is written: the note line is "not tested by writing".
 *
 * Autotask's limits are not the toolbox's settings: a 429 (or usage so near the hourly threshold
 * that the toolbox stops calling) fails the threshold line with where to look, never the
 * credentials, and the steps after it are not run rather than failed one by one.
 */
export async function runAutotaskSystemsCheck(client: AutotaskClient, picklists: AutotaskPicklists): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const settings = client.settings;
  const discoveryHost = new URL(settings.zoneDiscoveryUrl).host;
  const customDiscovery = settings.zoneDiscoveryUrl !== AUTOTASK_ZONE_DISCOVERY_URL;
  const discoveryHint = customDiscovery
    ? ` zoneDiscoveryUrl is set to ${settings.zoneDiscoveryUrl}: unless a proxy needs it, remove it so the toolbox asks Autotask itself (${AUTOTASK_ZONE_DISCOVERY_URL}).`
    : '';
  /** Why the steps after a failure are not tried; undefined while they can be. */
  let blocked: string | undefined;

  // 1 + 2. Zone discovery, and the integration code (which zone discovery checks when it is sent).
  let zone: AutotaskZone | undefined;
  let codeError: unknown;
  try {
    zone = await client.discoverZone({ withIntegrationCode: true });
  } catch (firstError) {
    let error = firstError;
    // A refused code hides whether the username is known: ask again without it to tell them apart.
    if (isToolboxError(error) && /integration code/i.test(error.message)) {
      codeError = error;
      try {
        zone = await client.discoverZone({ withIntegrationCode: false });
      } catch (retryError) {
        codeError = undefined;
        error = retryError;
      }
    }
    if (!zone) {
      const unknownUser = isToolboxError(error) && /zone information could not be determined/i.test(error.upstream?.message ?? '');
      let hint: string;
      if (unknownUser) {
        hint =
          `Autotask does not know the username '${settings.username}'. Enter the API user’s username (its Key, in e-mail form, from ` +
          `Admin > Resources/Users > the API user > Credentials) as the CRM Username, not a technician’s e-mail address.${discoveryHint}`;
      } else if (unreachable(error)) {
        hint =
          `This server could not reach ${discoveryHost}: check that it may open HTTPS connections to it (firewall, proxy, DNS).` +
          discoveryHint;
      } else if (notAutotask(error)) {
        hint = customDiscovery
          ? `${discoveryHost} did not answer as Autotask’s zone lookup does: zoneDiscoveryUrl points at the wrong place. Remove ` +
            `zoneDiscoveryUrl so the toolbox asks Autotask itself (${AUTOTASK_ZONE_DISCOVERY_URL}), or correct it.`
          : `${discoveryHost} did not answer as Autotask’s zone lookup does: a proxy between this server and Autotask may be changing the answer.`;
      } else {
        hint = `Autotask’s zone lookup at ${discoveryHost} did not answer properly; run the check again in a minute.${discoveryHint}`;
      }
      results.push({ name: 'Autotask zone discovery', ok: false, ...describe(error), hint });
      blocked = 'Not tried: the zone is unknown (see above).';
    }
  }
  if (zone) {
    results.push({
      name: 'Autotask zone discovery',
      ok: true,
      message: `The API user '${settings.username}' is in zone '${zone.zoneName}': its API is at ${zone.host}${zone.webUrl ? `, its web address ${new URL(zone.webUrl).host}` : ''}.`,
    });
  }
  if (!zone) {
    results.push({ name: 'Integration code accepted', ok: false, outcome: 'not-run', message: blocked ?? '' });
  } else if (codeError) {
    results.push({
      name: 'Integration code accepted',
      ok: false,
      ...describe(codeError),
      hint:
        'Open the API user in Autotask (Admin > Resources/Users), copy its API Tracking Identifier (Custom (Internal Integration)) ' +
        'and paste it as the integration code. Each integration has its own; another product’s code is refused.',
    });
    // Every API call carries the code: with a refused one, the secret cannot be told right or wrong.
    blocked = 'Not tried: Autotask refuses every call made with a refused integration code (see above).';
  } else {
    results.push({ name: 'Integration code accepted', ok: true, message: 'Autotask’s zone lookup accepted the integration code.' });
  }

  // 3 + 4. Credentials at the zone, and the request threshold (one call: ThresholdInformation).
  const credentialsLine = 'API user and secret accepted';
  let usage: ThresholdInfo | undefined;
  let usageError: unknown;
  if (blocked || !zone) {
    results.push({ name: credentialsLine, ok: false, outcome: 'not-run', message: blocked ?? '' });
  } else {
    try {
      usage = await client.thresholdInfo();
    } catch (error) {
      const status = isToolboxError(error) ? error.upstream?.status : undefined;
      const limit = limitOf(error);
      if (status === 403) {
        // The security level refused the usage reading: the credentials themselves were accepted.
        usageError = error;
      } else if (limit) {
        usageError = error;
        // Autotask refuses for its limits without saying whether it would have accepted the credentials.
        results.push({
          name: credentialsLine,
          ok: false,
          outcome: 'unverified',
          message:
            limit === 'threshold'
              ? `Not verified: Autotask refused the call because the database’s hourly request threshold is used up (HTTP 429), before saying whether it accepts the API user '${settings.username}'.`
              : `Not verified: Autotask refused the call because too many ran at once (HTTP 429), before saying whether it accepts the API user '${settings.username}'.`,
        });
      } else {
        const where = `zone '${zone.zoneName}' (${zone.host}${zone.webUrl ? `, web address ${new URL(zone.webUrl).host}` : ''})`;
        let hint: string;
        if (status === 401) {
          hint =
            'Re-enter the CRM Username, the CRM Password and the integration code from the API user (Admin > Resources/Users). ' +
            'The secret is shown only when it is generated: if it is lost, generate a new one on the API user and enter it as the ' +
            `CRM Password. Check that the API user is active and not locked. If they are right, the zone may be wrong: the toolbox ` +
            `was sent to ${where} by ${discoveryHost}; compare it with the address you sign in to Autotask at.${discoveryHint}`;
        } else if (unreachable(error)) {
          hint =
            `${discoveryHost} named ${where}, which this server could not reach: check that it may open HTTPS connections to ` +
            `${zone.host} (firewall, proxy, DNS).${discoveryHint}`;
        } else if (notAutotask(error)) {
          hint = `${discoveryHost} named ${where}, which does not answer as an Autotask API: the zone is wrong.${discoveryHint || ' Run the check again in a few minutes; if it persists, ask Autotask support which zone your database is in.'}`;
        } else {
          hint = `The zone ${zone.host} did not answer properly. Try again in a minute.${discoveryHint}`;
        }
        results.push({ name: credentialsLine, ok: false, ...describe(error), hint });
        blocked =
          status === 401
            ? 'Not tried: Autotask did not accept the credentials (see above).'
            : 'Not tried: the zone did not answer (see above).';
      }
    }
    if (usage || (usageError && !limitOf(usageError))) {
      results.push({
        name: credentialsLine,
        ok: true,
        message: `Autotask accepted the API user '${settings.username}' in zone '${zone.zoneName}'.`,
      });
    }
  }

  const thresholdLine = 'API request threshold headroom';
  if (usage) {
    const share = usage.used / usage.threshold;
    const line = `${count(usage.used)} of ${count(usage.threshold)} API requests used in the past ${usage.timeframeMinutes} minutes (${percent(usage)} %), by every integration of this Autotask database.`;
    if (share < 0.5) {
      results.push({ name: thresholdLine, ok: true, message: line });
    } else if (share < PACING.slowFrom) {
      results.push({
        name: thresholdLine,
        ok: false,
        outcome: 'warning',
        message: `${line} Autotask slows every integration down from 50 %.`,
        hint: `See which integration uses the requests under ${USAGE_PAGE}.`,
      });
    } else {
      results.push({
        name: thresholdLine,
        ok: false,
        message: `${line} The database is near its hourly limit: the toolbox slows its own calls from ${PACING.slowFrom * 100} % and stops calling at ${PACING.stopFrom * 100} %, before Autotask turns the API off for every integration.`,
        hint: `Find the integration that uses the requests under ${USAGE_PAGE}, and reduce its polling; usage drops as the hour rolls on. This is not a problem with the toolbox's settings.`,
      });
      if (share >= PACING.stopFrom) blocked = 'Not tried: the toolbox makes no calls this near the hourly threshold (see above).';
    }
  } else if (usageError) {
    const limit = limitOf(usageError);
    results.push({
      name: thresholdLine,
      ok: false,
      ...describe(usageError),
      ...(limit ? {} : { outcome: 'unverified' as const }),
      hint:
        limit === 'threshold'
          ? THRESHOLD_HINT
          : limit === 'threads'
            ? THREADS_HINT
            : `The API user’s security level does not allow reading the usage: ${SECURITY_LEVEL}.`,
    });
    if (limit === 'threshold') blocked = 'Not tried: Autotask refuses every call until the database’s usage drops (see above).';
  } else {
    results.push({ name: thresholdLine, ok: false, outcome: 'not-run', message: blocked ?? '' });
  }

  /** Fails a line for this error; a threshold refusal also stops the steps after it. */
  const failed = (name: string, error: unknown, hint: string): SystemsCheckResult => {
    if (limitOf(error) === 'threshold') blocked = 'Not tried: Autotask refuses every call until the database’s usage drops (see above).';
    return { name, ok: false, ...describe(error), hint };
  };
  const readHint = (error: unknown, what: string) => {
    const status = isToolboxError(error) ? error.upstream?.status : undefined;
    const limit = limitOf(error);
    if (limit === 'threshold') return THRESHOLD_HINT;
    if (limit === 'threads') return THREADS_HINT;
    if (isToolboxError(error) && error.retryable) return `Autotask did not answer properly; run the check again in a minute.`;
    if (status === 403) return `Allow the API user to read ${what}: ${SECURITY_LEVEL}.`;
    return `Check that the API user’s security level can read ${what} (${SECURITY_LEVEL}); an API user sees only what its level allows.`;
  };

  // 5. Picklists: ticket statuses and queues, note types and publish values.
  if (blocked) {
    results.push({ name: 'Ticket and note picklists readable', ok: false, outcome: 'not-run', message: blocked });
  } else {
    try {
      picklists.forget('Tickets');
      picklists.forget('TicketNotes');
      const [tickets, notes] = await Promise.all([picklists.of('Tickets'), picklists.of('TicketNotes')]);
      const publish = internalPublish(notes.publish);
      const noteType = noteTypeFor(notes.notetype, true);
      const statuses = activeLabels(tickets.status).length;
      if (!publish || !noteType || statuses === 0) {
        results.push({
          name: 'Ticket and note picklists readable',
          ok: false,
          message: !publish
            ? `Ticket notes have no internal "publish" value (they have: ${activeLabels(notes.publish).join(', ') || 'none'}), so the toolbox cannot keep its notes internal.`
            : !noteType
              ? 'Ticket notes have no active note type.'
              : 'Tickets have no active status.',
          hint: 'In Autotask, check Admin > Features & Settings > Note Types (and the ticket status list), then run the check again.',
        });
      } else {
        results.push({
          name: 'Ticket and note picklists readable',
          ok: true,
          message: `${statuses} ticket statuses and ${activeLabels(tickets.queueid).length} queues; notes are written with publish '${publish.label}' and note type '${noteType.label}'.`,
        });
      }
    } catch (error) {
      results.push(failed('Ticket and note picklists readable', error, readHint(error, 'ticket and ticket note information')));
    }
  }

  const readCheck = async (name: string, entity: string, what: string): Promise<boolean> => {
    if (blocked) {
      results.push({ name, ok: false, outcome: 'not-run', message: blocked });
      return false;
    }
    try {
      const data = (await client.request({
        method: 'POST',
        path: `${entity}/query`,
        operation: `POST /${entity}/query`,
        action: `list ${what}`,
        body: { MaxRecords: 1, IncludeFields: ['id'], filter: [{ op: 'gte', field: 'id', value: 0 }] },
        readOnly: true,
      })) as { items?: unknown[] } | null;
      const rows = Array.isArray(data?.items) ? data.items : [];
      results.push({
        name,
        ok: true,
        message: rows.length > 0 ? `The API user can read ${what}.` : `The API user can read ${what}, but none are visible to it.`,
      });
      return true;
    } catch (error) {
      results.push(failed(name, error, readHint(error, what)));
      return false;
    }
  };

  await readCheck('Can read tickets', 'Tickets', 'tickets');
  await readCheck('Can read companies', 'Companies', 'companies');
  await readCheck('Can read contacts', 'Contacts', 'contacts');

  // 6. Resources: read them all, as the technician mapping does, and say how many.
  if (blocked) {
    results.push({ name: 'Can read resources (technicians)', ok: false, outcome: 'not-run', message: blocked });
  } else {
    const request = { operation: 'POST /Resources/query', action: 'list resources' };
    try {
      const rows = await client.queryAll(
        'Resources',
        { filter: [{ op: 'gte', field: 'id', value: 0 }], IncludeFields: ['id', 'userName', 'firstName', 'lastName', 'email', 'isActive'] },
        request,
      );
      const members = rows.map((row) => mapMember(client.parse(atResourceSchema, row, request)));
      const active = members.filter((m) => !m.inactive).length;
      results.push({
        name: 'Can read resources (technicians)',
        ok: true,
        message: `${members.length} resources found (${active} active).`,
      });
    } catch (error) {
      const hint = readHint(error, 'resources');
      results.push(
        failed(
          'Can read resources (technicians)',
          error,
          limitOf(error) ? hint : `${hint} The technician mapping matches technicians to resources by e-mail.`,
        ),
      );
    }
  }

  // 7. Notes: a real test would write a note on a customer's ticket, so it is not done.
  if (blocked) {
    results.push({ name: 'Can add ticket notes', ok: false, outcome: 'not-run', message: blocked });
  } else {
    try {
      await client.request({
        method: 'POST',
        path: 'TicketNotes/query',
        operation: 'POST /TicketNotes/query',
        action: 'read ticket notes',
        body: { MaxRecords: 1, IncludeFields: ['id'], filter: [{ op: 'gte', field: 'id', value: 0 }] },
        readOnly: true,
      });
      results.push({
        name: 'Can add ticket notes',
        ok: false,
        outcome: 'unverified',
        message:
          'Not tested by writing (that would add a note to a customer’s ticket). The API user can read ticket notes; adding them needs ' +
          'the Service Desk "Notes: Add" permission of its security level, and notes shown as the technician’s need "Allow impersonation ' +
          'of resources" in its Web Services API section.',
      });
    } catch (error) {
      results.push(failed('Can add ticket notes', error, readHint(error, 'ticket notes')));
    }
  }
  return results;
}
