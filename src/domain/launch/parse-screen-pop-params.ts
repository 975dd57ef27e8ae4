import type { PsaConnector, PsaIdKind } from '../../connectors/psa/types.js';

/**
 * Reads the screen-pop query string. 1Stream replaces `@ticketid`-style variables with PSA ids;
 * when it has no value the parameter arrives empty or still holding the literal placeholder,
 * which means "absent", not an id.
 */
export type ScreenPopParams = {
  ticketId: string | null;
  companyId: string;
  contactId: string;
  formName: string;
  /** Anything else 1Stream sent, kept for the record (never secrets: `secret` is dropped). */
  extra: Record<string, string>;
};

export type ParamProblem = { param: string; message: string };

const KNOWN = new Set(['ticket_id', 'company_id', 'contact_id', 'form_name', 'secret']);

/** Empty, or a 1Stream variable it could not fill (`@ticketid`): the parameter is absent. */
export const absent = (value: string | undefined): boolean => value === undefined || value.trim() === '' || value.trim().startsWith('@');

/** The PSA's id rules, per kind of record (the connector's). */
export type ScreenPopIds = Pick<PsaConnector, 'parseId' | 'idFormat'>;

export function parseScreenPopParams(
  query: Record<string, string | undefined>,
  ids: ScreenPopIds,
): { ok: true; value: ScreenPopParams } | { ok: false; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const id = (param: string, kind: PsaIdKind, required: boolean): string | null => {
    const raw = query[param];
    if (absent(raw)) {
      if (required) {
        problems.push({
          param,
          message:
            raw?.trim().startsWith('@') === true
              ? `${param} still holds the placeholder "${raw.trim().slice(0, 40)}": 1Stream had no value for it. Open the screen pop from a call that has a ${param.replace('_id', '')}.`
              : `${param} is missing or empty; it is required.`,
        });
      }
      return null;
    }
    const parsed = ids.parseId(kind, (raw as string).trim());
    if (parsed === null)
      problems.push({ param, message: `${param} "${(raw as string).slice(0, 40)}" is not a valid id: expected ${ids.idFormat[kind]}.` });
    return parsed;
  };

  const ticketId = id('ticket_id', 'ticket', false);
  const companyId = id('company_id', 'company', true);
  const contactId = id('contact_id', 'contact', true);
  const formName = (query.form_name ?? '').trim();
  if (absent(formName))
    problems.push({ param: 'form_name', message: 'form_name is missing; it names the form to open, e.g. password_reset.' });
  else if (!/^[a-z][a-z0-9_]{0,63}$/.test(formName))
    problems.push({ param: 'form_name', message: `form_name "${formName.slice(0, 40)}" is not a form name.` });

  if (problems.length > 0) return { ok: false, problems };
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!KNOWN.has(key) && value !== undefined && Object.keys(extra).length < 20) extra[key.slice(0, 64)] = value.slice(0, 256);
  }
  return { ok: true, value: { ticketId, companyId: companyId as string, contactId: contactId as string, formName, extra } };
}
