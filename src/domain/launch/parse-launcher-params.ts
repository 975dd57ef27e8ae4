import type { PsaConnector, PsaIdKind } from '../../connectors/psa/types.js';
import { absent, type ParamProblem } from './parse-screen-pop-params.js';

/**
 * The ticket launcher's query: what the PSA put in the URL its ticket screen opens (a ConnectWise
 * pod, an Autotask LiveLink, a HaloPSA custom button). The ticket is required; the company and
 * contact are optional (the ticket names them).
 */
export type LauncherParams = { ticketId: string; companyId: string | null; contactId: string | null };

/** The PSA's id rules and its launcher's placeholders (to tell an unfilled one from a bad id). */
export type LauncherIds = Pick<PsaConnector, 'parseId' | 'idFormat' | 'ticketLauncher'>;

const PARAMS: { param: 'ticket_id' | 'company_id' | 'contact_id'; kind: PsaIdKind; required: boolean }[] = [
  { param: 'ticket_id', kind: 'ticket', required: true },
  { param: 'company_id', kind: 'company', required: false },
  { param: 'contact_id', kind: 'contact', required: false },
];

export function parseLauncherParams(
  query: Record<string, string | undefined>,
  ids: LauncherIds,
): { ok: true; value: LauncherParams } | { ok: false; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const placeholders = new Set(Object.values(ids.ticketLauncher?.query ?? {}));
  const unfilled = (raw: string) => placeholders.has(raw) || /^[[{<@].*[\]}>]?$/.test(raw);

  // A launcher set up on another screen than a ticket's would pass a company or contact id as
  // ticket_id, which may well be some other ticket's number: refused before anything is read.
  const screen = query.screen?.trim();
  if (screen && !absent(screen) && !unfilled(screen) && !/ticket/i.test(screen)) {
    problems.push({
      param: 'screen',
      message: `This launcher was opened from the "${screen.slice(0, 40)}" screen; it works from a ticket screen only. Ask an administrator to set it up on the ticket screen.`,
    });
  }

  const values: Partial<Record<'ticket_id' | 'company_id' | 'contact_id', string | null>> = {};
  for (const { param, kind, required } of PARAMS) {
    const raw = query[param]?.trim();
    if (raw === undefined || absent(raw) || unfilled(raw)) {
      if (required) {
        problems.push({
          param,
          message:
            raw && raw !== ''
              ? `${param} still holds the placeholder "${raw.slice(0, 40)}": the PSA did not fill it in. Open the launcher from a ticket.`
              : `${param} is missing; the launcher needs the ticket it was opened from.`,
        });
      }
      values[param] = null;
      continue;
    }
    const parsed = ids.parseId(kind, raw);
    if (parsed === null)
      problems.push({ param, message: `${param} "${raw.slice(0, 40)}" is not a valid id: expected ${ids.idFormat[kind]}.` });
    values[param] = parsed;
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: { ticketId: values.ticket_id as string, companyId: values.company_id ?? null, contactId: values.contact_id ?? null },
  };
}
