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

/**
 * The Autotask systems check, one line per step, each failure with its fix. Never throws: each
 * step catches its own failure, and a step that depends on an earlier failed one says so instead
 * of repeating the same error. Nothing is written: the note line is "not tested by writing".
 */
export async function runAutotaskSystemsCheck(client: AutotaskClient, picklists: AutotaskPicklists): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const settings = client.settings;
  const discoveryHost = new URL(settings.zoneDiscoveryUrl).host;
  const customDiscovery = settings.zoneDiscoveryUrl !== AUTOTASK_ZONE_DISCOVERY_URL;
  const discoveryHint = customDiscovery
    ? ` zoneDiscoveryUrl is set to ${settings.zoneDiscoveryUrl}: unless a proxy needs it, remove it so the toolbox asks Autotask itself (${AUTOTASK_ZONE_DISCOVERY_URL}).`
    : '';

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
      results.push({
        name: 'Autotask zone discovery',
        ok: false,
        ...describe(error),
        hint: unknownUser
          ? `Autotask does not know the username '${settings.username}'. Enter the API user’s username (its Key, in e-mail form, from ` +
            `Admin > Resources/Users > the API user > Credentials) as the CRM Username, not a technician’s e-mail address.${discoveryHint}`
          : `Check zoneDiscoveryUrl and that this server can reach ${discoveryHost} over HTTPS.${discoveryHint}`,
      });
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
    results.push({
      name: 'Integration code accepted',
      ok: false,
      outcome: 'not-run',
      message: 'Not tried: the zone is unknown (see above).',
    });
  } else if (codeError) {
    results.push({
      name: 'Integration code accepted',
      ok: false,
      ...describe(codeError),
      hint:
        'Open the API user in Autotask (Admin > Resources/Users), copy its API Tracking Identifier (Custom (Internal Integration)) ' +
        'and paste it as the integration code. Each integration has its own; another product’s code is refused.',
    });
  } else {
    results.push({ name: 'Integration code accepted', ok: true, message: 'Autotask’s zone lookup accepted the integration code.' });
  }

  // 3 + 4. Credentials at the zone, and the request threshold (one call: ThresholdInformation).
  let signedIn = false;
  let usage: ThresholdInfo | undefined;
  let usageError: unknown;
  if (!zone) {
    results.push({
      name: 'API user and secret accepted',
      ok: false,
      outcome: 'not-run',
      message: 'Not tried: the zone is unknown (see above).',
    });
  } else {
    try {
      usage = await client.thresholdInfo();
      signedIn = true;
    } catch (error) {
      const status = isToolboxError(error) ? error.upstream?.status : undefined;
      // A 429 or 403 comes after the credentials were accepted.
      if (status === 429 || status === 403) {
        signedIn = status === 403;
        usageError = error;
      } else {
        const wrongZoneHint =
          `If they are right, the zone may be wrong: the toolbox was sent to zone '${zone.zoneName}' (${zone.host}` +
          `${zone.webUrl ? `, web address ${new URL(zone.webUrl).host}` : ''}) by ${discoveryHost}; compare it with the address you ` +
          `sign in to Autotask at.${discoveryHint}`;
        results.push({
          name: 'API user and secret accepted',
          ok: false,
          ...describe(error),
          hint:
            status === 401
              ? 'Re-enter the CRM Username, the CRM Password and the integration code from the API user (Admin > Resources/Users). ' +
                'The secret is shown only when it is generated: if it is lost, generate a new one on the API user and enter it as the ' +
                `CRM Password. Check that the API user is active and not locked. ${wrongZoneHint}`
              : `The zone ${zone.host} did not answer properly. Try again in a minute.${discoveryHint}`,
        });
      }
    }
    if (signedIn || usageError) {
      results.push({
        name: 'API user and secret accepted',
        ok: true,
        message: `Autotask accepted the API user '${settings.username}' in zone '${zone.zoneName}'.`,
      });
      signedIn = true;
    }
  }

  if (usage) {
    const share = usage.used / usage.threshold;
    const line = `${count(usage.used)} of ${count(usage.threshold)} API requests used in the past ${usage.timeframeMinutes} minutes (${percent(usage)} %), by every integration of this Autotask database.`;
    if (share < 0.5) {
      results.push({ name: 'API request threshold headroom', ok: true, message: line });
    } else if (share < PACING.slowFrom) {
      results.push({
        name: 'API request threshold headroom',
        ok: false,
        outcome: 'warning',
        message: `${line} Autotask slows every integration down from 50 %.`,
        hint: `See which integration uses the requests under ${USAGE_PAGE}.`,
      });
    } else {
      results.push({
        name: 'API request threshold headroom',
        ok: false,
        message: `${line} The toolbox slows its own calls from ${PACING.slowFrom * 100} % and stops calling at ${PACING.stopFrom * 100} %, before Autotask turns the API off for every integration.`,
        hint: `Find the integration that uses the requests under ${USAGE_PAGE}, and reduce its polling; usage drops as the hour rolls on.`,
      });
    }
  } else if (usageError) {
    const status = isToolboxError(usageError) ? usageError.upstream?.status : undefined;
    results.push({
      name: 'API request threshold headroom',
      ok: false,
      ...describe(usageError),
      ...(status === 403 ? { outcome: 'unverified' as const } : {}),
      hint:
        status === 429
          ? `The hourly threshold is used up or too many calls run at once. See ${USAGE_PAGE}, and run the check again later.`
          : `The API user’s security level does not allow reading the usage: ${SECURITY_LEVEL}.`,
    });
  } else {
    results.push({
      name: 'API request threshold headroom',
      ok: false,
      outcome: 'not-run',
      message: 'Not tried: Autotask did not accept the credentials (see above).',
    });
  }

  const notTried = 'Not tried: Autotask did not accept the credentials (see above).';
  const readHint = (error: unknown, what: string) => {
    const status = isToolboxError(error) ? error.upstream?.status : undefined;
    if (isToolboxError(error) && error.retryable) return `Autotask did not answer properly; run the check again in a minute.`;
    if (status === 403) return `Allow the API user to read ${what}: ${SECURITY_LEVEL}.`;
    return `Check that the API user’s security level can read ${what} (${SECURITY_LEVEL}); an API user sees only what its level allows.`;
  };

  // 5. Picklists: ticket statuses and queues, note types and publish values.
  if (!signedIn) {
    results.push({ name: 'Ticket and note picklists readable', ok: false, outcome: 'not-run', message: notTried });
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
      results.push({
        name: 'Ticket and note picklists readable',
        ok: false,
        ...describe(error),
        hint: readHint(error, 'ticket and ticket note information'),
      });
    }
  }

  const readCheck = async (name: string, entity: string, what: string): Promise<boolean> => {
    if (!signedIn) {
      results.push({ name, ok: false, outcome: 'not-run', message: notTried });
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
      results.push({ name, ok: false, ...describe(error), hint: readHint(error, what) });
      return false;
    }
  };

  await readCheck('Can read tickets', 'Tickets', 'tickets');
  await readCheck('Can read companies', 'Companies', 'companies');
  await readCheck('Can read contacts', 'Contacts', 'contacts');

  // 6. Resources: read them all, as the technician mapping does, and say how many.
  if (!signedIn) {
    results.push({ name: 'Can read resources (technicians)', ok: false, outcome: 'not-run', message: notTried });
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
      results.push({
        name: 'Can read resources (technicians)',
        ok: false,
        ...describe(error),
        hint: `${readHint(error, 'resources')} The technician mapping matches technicians to resources by e-mail.`,
      });
    }
  }

  // 7. Notes: a real test would write a note on a customer's ticket, so it is not done.
  if (!signedIn) {
    results.push({ name: 'Can add ticket notes', ok: false, outcome: 'not-run', message: notTried });
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
      results.push({ name: 'Can add ticket notes', ok: false, ...describe(error), hint: readHint(error, 'ticket notes') });
    }
  }
  return results;
}
