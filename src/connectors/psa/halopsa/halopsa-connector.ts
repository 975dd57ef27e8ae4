import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import { authorRefused, checkedAuthorId } from '../author-refused.js';
import type { PsaClient, PsaConnector, PsaConnectorDeps, PsaIdKind, PsaTicketLauncher } from '../types.js';
import { HaloPsaClient } from './halopsa-client.js';
import { listHaloCompanies, listHaloContactEmailDomains } from './halopsa-companies.js';
import { haloBadResponseError, haloMissingAgentError, haloMissingTeamError } from './halopsa-errors.js';
import {
  type HaloStatus,
  type HaloTicket,
  haloActionSchema,
  haloAgentSchema,
  haloClientSchema,
  haloStatusSchema,
  haloTicketSchema,
  haloUserSchema,
  mapCompany,
  mapContact,
  mapMember,
  mapTicket,
} from './halopsa-map.js';
import { actionHasMarker, formatNoteHtml, htmlText } from './halopsa-note.js';
import { type HaloPsaSettings, haloPsaSettingsSchema } from './halopsa-settings.js';
import { DEFAULT_NOTE_OUTCOME, runHaloPsaSystemsCheck } from './halopsa-systems-check.js';

const ID_FORMAT = 'a positive whole number, e.g. 1001';
const MAX_ID = 2 ** 31 - 1;
/** Statuses change rarely; read once per this long rather than on every status change. */
const STATUS_CACHE_MS = 10 * 60_000;

/**
 * What Halo calls its records: a company is a client, a contact an end user (Halo's "user", named
 * so here to keep it apart from the directory's users), a technician an agent.
 */
const HALO_WORDS = {
  name: 'HaloPSA',
  ticket: { one: 'ticket', many: 'tickets' },
  company: { one: 'client', many: 'clients' },
  contact: { one: 'end user', many: 'end users' },
  member: { one: 'agent', many: 'agents' },
} as const;

/** Halo record ids are positive 32-bit integers (`integer/int32` in the spec), without sign or leading zeros. */
export function parseHaloId(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed)) return null;
  return Number(trimmed) <= MAX_ID ? trimmed : null;
}

function requireId(raw: string, kind: PsaIdKind): string {
  const id = parseHaloId(raw);
  if (id === null) {
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_BAD_ID',
      message: `'${raw.slice(0, 40)}' is not a HaloPSA ${HALO_WORDS[kind].one} id: expected ${ID_FORMAT}.`,
      httpStatus: 400,
    });
  }
  return id;
}

export function createHaloPsaClient(settings: HaloPsaSettings, deps: PsaConnectorDeps): PsaClient {
  const client = new HaloPsaClient(settings, deps);
  let statusCache: { statuses: HaloStatus[]; readAt: number } | undefined;

  async function loadTicket(id: string, signal?: AbortSignal): Promise<HaloTicket> {
    const request = {
      method: 'GET' as const,
      path: `/Tickets/${id}`,
      operation: 'GET /api/Tickets/{id}',
      action: `read ticket ${id}`,
      subject: { kind: 'Ticket', id },
      // includedetails is what public clients send for a full record (reference §3).
      query: { includedetails: true },
      signal,
    };
    const response = await client.request(request);
    return client.parse(haloTicketSchema, response.data, request);
  }

  /** Halo's ticket statuses: one global list (unlike ConnectWise's per-board ones). */
  async function listStatuses(fresh = false): Promise<HaloStatus[]> {
    if (!fresh && statusCache && deps.clock.now() - statusCache.readAt < STATUS_CACHE_MS) return statusCache.statuses;
    const request = { method: 'GET' as const, path: '/Status', operation: 'GET /api/Status', action: 'read the ticket statuses' };
    const response = await client.request({ ...request, query: { type: 'ticket' } });
    const statuses = client.listItems(response.data, 'statuses', request).map((row) => client.parse(haloStatusSchema, row, request));
    statusCache = { statuses, readAt: deps.clock.now() };
    return statuses;
  }

  return {
    async getTicket(rawId, options) {
      const id = requireId(rawId, 'ticket');
      const ticket = await loadTicket(id, options?.signal);
      // The reference lists status_id as the ticket's status field; its name is looked up only
      // when Halo leaves status_name out (the hot path then costs no second call).
      let statusName: string | undefined;
      if (!ticket.status_name?.trim() && typeof ticket.status_id === 'number') {
        statusName = (await listStatuses().catch(() => [])).find((s) => s.id === ticket.status_id)?.name;
      }
      return mapTicket(ticket, client.ticketUrl(String(ticket.id)), statusName);
    },

    async getCompany(rawId, options) {
      const id = requireId(rawId, 'company');
      const request = {
        method: 'GET' as const,
        path: `/Client/${id}`,
        operation: 'GET /api/Client/{id}',
        action: `read client ${id}`,
        subject: { kind: 'Client', id },
        signal: options?.signal,
      };
      const response = await client.request(request);
      return mapCompany(client.parse(haloClientSchema, response.data, request));
    },

    async getContact(rawId, options) {
      const id = requireId(rawId, 'contact');
      const request = {
        method: 'GET' as const,
        path: `/Users/${id}`,
        operation: 'GET /api/Users/{id}',
        action: `read user ${id}`,
        subject: { kind: 'User', id },
        signal: options?.signal,
      };
      const response = await client.request(request);
      return mapContact(client.parse(haloUserSchema, response.data, request));
    },

    async listMembers() {
      const request = { method: 'GET' as const, path: '/Agent', operation: 'GET /api/Agent', action: 'list agents' };
      // Halo's agent list has no paging (the spec gives it no page parameters): one call.
      const response = await client.request(request);
      const agents = client
        .listItems(response.data, 'agents', request)
        .map((row) => client.parse(haloAgentSchema, row, request))
        .filter((agent) => agent.isapiagent !== true);
      if (agents.length === 0) {
        // An empty list is what an API agent without a default team gets (1Stream's Halo guide):
        // say so, rather than leaving the technician mapping silently empty.
        const meRequest = { method: 'GET' as const, path: '/Agent/me', operation: 'GET /api/Agent/me', action: 'read the API agent' };
        const me = await client.request(meRequest).then(
          (r) => client.parse(haloAgentSchema, r.data, meRequest),
          () => undefined,
        );
        if (!me) throw haloMissingAgentError();
        if (!me.team?.trim()) throw haloMissingTeamError(me.name?.trim() || `#${me.id}`);
      }
      return agents.map(mapMember);
    },

    listCompanies: (options) => listHaloCompanies(client, options),
    listContactEmailDomains: (companyIds, options) => listHaloContactEmailDomains(client, companyIds, options),

    async addTicketNote(rawTicketId, note) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const html = formatNoteHtml(note.lines);
      if (html === '') {
        throw new ToolboxError({ code: 'TBX_ERR_PSA_BAD_REQUEST', message: 'The note to add to the ticket is empty.', httpStatus: 400 });
      }
      const author = note.author;
      const agentId = author ? checkedAuthorId(() => requireId(author.id, 'member')) : undefined;
      const action: Record<string, unknown> = {
        // Integer ids are sent as JSON numbers (reference §3): Halo refuses "123" for an int.
        ticket_id: Number(ticketId),
        ...(settings.noteOutcomeId !== undefined ? { outcome_id: settings.noteOutcomeId } : { outcome: DEFAULT_NOTE_OUTCOME }),
        note_html: html,
        // Internal: hidden from the end user, and never e-mailed (reference §4).
        hiddenfromuser: note.visibility === 'internal',
        sendemail: false,
        // The agent the note shows as, when the technician is mapped to one; else the API agent.
        ...(agentId ? { who_agentid: Number(agentId) } : {}),
      };
      const request = {
        method: 'POST' as const,
        path: '/Actions',
        operation: 'POST /api/Actions',
        action: `add a note to ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        // An ARRAY, even for one action (reference §4, §8).
        body: [action],
      };
      const response = await client.request(request).catch((error: unknown) => {
        // Halo checks the agent with the rest of the action and refuses it (400, or 403/422)
        // before saving anything: the toolbox may then write the note without the agent.
        if (agentId && isToolboxError(error) && !error.retryable && [400, 403, 422].includes(error.upstream?.status ?? 0)) {
          throw authorRefused(error);
        }
        throw error;
      });
      // Whether Halo answers with the action or a list of them is unverified: both are read.
      const created = Array.isArray(response.data) ? response.data[0] : response.data;
      const parsed = haloActionSchema.safeParse(created);
      if (parsed.success) return { id: String(parsed.data.id) };
      // Saved, but the answer names no id: find the action just written rather than fail a
      // write that worked (and must not be repeated).
      const text = htmlText(html);
      const found = await findActions(ticketId, (a) => a.note_html === html || htmlText(a.note ?? '').trim() === text.trim());
      if (found) return { id: String(found.id) };
      throw haloBadResponseError(request, 'the answer to the note names no action id', response.status);
    },

    async findTicketNote(rawTicketId, marker) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const found = await findActions(ticketId, (action) => actionHasMarker(action, marker));
      return found ? { id: String(found.id) } : null;
    },

    async setTicketStatus(rawTicketId, statusName) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const wanted = statusName.trim();
      const ticket = await loadTicket(ticketId);
      const pick = (statuses: HaloStatus[]) => {
        const candidates = statuses.filter((s) => s.name.trim().toLowerCase() === wanted.toLowerCase());
        return candidates.find((s) => s.name.trim() === wanted) ?? candidates[0];
      };
      // A status added since the cache was filled is found by reading the list again.
      const status = pick(await listStatuses()) ?? pick(await listStatuses(true));
      if (!status) {
        const names = (await listStatuses()).map((s) => s.name);
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_STATUS_UNKNOWN',
          message: `HaloPSA has no ticket status called '${wanted}'. Its statuses are: ${names.join(', ') || '(none)'}.`,
          httpStatus: 422,
        });
      }
      if (ticket.status_id === status.id) return;
      // Halo changes a ticket by upserting it: POST an array with its id (reference §3).
      await client.request({
        method: 'POST',
        path: '/Tickets',
        operation: 'POST /api/Tickets',
        action: `change the status of ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        body: [{ id: Number(ticketId), status_id: status.id }],
        // Setting a fixed status twice changes nothing the second time: safe to retry.
        idempotent: true,
      });
    },

    ticketUrl(rawTicketId) {
      return client.ticketUrl(requireId(rawTicketId, 'ticket'));
    },

    async systemsCheck() {
      // Each step catches its own failures; this is the last line of the "never throws" promise.
      try {
        return await runHaloPsaSystemsCheck(client, settings.noteOutcomeId);
      } catch (error) {
        return [
          {
            name: 'HaloPSA systems check',
            ok: false,
            message: `The check itself failed: ${error instanceof Error ? error.message : String(error)}`,
          },
        ];
      }
    },
  };

  /** The first of a ticket's actions that passes `test`; Halo lists a ticket's actions in one answer. */
  async function findActions(ticketId: string, test: (action: { id: number; note?: string | null; note_html?: string | null }) => boolean) {
    const request = {
      method: 'GET' as const,
      path: '/Actions',
      operation: 'GET /api/Actions',
      action: `look for an earlier note on ticket ${ticketId}`,
      subject: { kind: 'Ticket', id: ticketId },
    };
    const response = await client.request({ ...request, query: { ticket_id: Number(ticketId), includehtmlnote: true } });
    for (const row of client.listItems(response.data, 'actions', request)) {
      const action = client.parse(haloActionSchema, row, request);
      // A list that ignored ticket_id must not make another ticket's note look like ours.
      if (typeof action.ticket_id === 'number' && String(action.ticket_id) !== ticketId) continue;
      if (test(action)) return action;
    }
    return undefined;
  }
}

/**
 * The variable Halo replaces with the record's id in a custom button's URL: `{$ID}`, as in the
 * custom-button template of the HaloAPI PowerShell module (`"url": "…?thingid={$ID}"`, with
 * `newtab`), the public reference for Halo's `CustomButton` records. On a ticket's button it is the
 * ticket's id.
 */
const HALO_BUTTON_TICKET_VARIABLE = '{$ID}';

/**
 * A custom button on tickets that opens the toolbox's `/launcher` in a new tab. Only the ticket is
 * passed: the launcher reads its client and end user from it. NOT VERIFIED: the configuration menu
 * path (Halo's guides put custom fields under Configuration > Custom Objects, in the Advanced
 * heading; that Custom Buttons sit beside them is assumed) and the fields' exact labels; the steps
 * say what to choose rather than which box it is in.
 */
const HALO_CUSTOM_BUTTON: PsaTicketLauncher<HaloPsaSettings> = {
  name: 'custom button',
  opens: 'window',
  query: { ticket_id: HALO_BUTTON_TICKET_VARIABLE },
  setup: [
    {
      text: 'In HaloPSA, open Configuration > Custom Objects (under Advanced) > Custom Buttons and click New.',
    },
    {
      text: 'Make it a button on tickets that opens a URL, in a new tab, with these values. The Label is what agents see on the ticket.',
      values: [
        { label: 'Name', value: { kind: 'literal', text: 'Technician Toolbox' } },
        { label: 'Label', value: { kind: 'literal', text: 'Toolbox forms' } },
        { label: 'URL', value: { kind: 'url' } },
      ],
    },
    {
      text: `Halo replaces ${HALO_BUTTON_TICKET_VARIABLE} in the URL with the ticket’s id. Save the button.`,
    },
    {
      text: 'Open a ticket and click the button: the toolbox opens in a new tab with the enabled forms for the ticket’s client and end user. Agents sign in to the toolbox there, as always; each form opens filled, like a screen pop.',
    },
  ],
};

export const haloPsaConnector: PsaConnector<HaloPsaSettings> = {
  kind: 'halopsa',
  label: 'HaloPSA',
  words: HALO_WORDS,
  settings: haloPsaSettingsSchema,
  // The Halo address and where it is hosted, then 1Stream's Halo set-up in its words ("CRM Company",
  // "API Key", "API Private Key").
  fields: [
    {
      name: 'url',
      label: 'HaloPSA URL',
      help: 'The address you sign in to Halo at; the API is at {url}/api.',
      placeholder: 'https://yourcompany.halopsa.com',
      type: 'url',
    },
    {
      name: 'hosting',
      label: 'Hosting',
      help: 'Hosted by Halo: an address such as yourcompany.halopsa.com. Self-hosted: your own server.',
      type: 'select',
      options: [
        { value: 'hosted', label: 'Hosted by Halo' },
        { value: 'self-hosted', label: 'Self-hosted' },
      ],
    },
    {
      name: 'tenant',
      label: 'CRM Company (tenant)',
      help: 'The tenant name, the "yourcompany" of yourcompany.halopsa.com (1Stream: the HaloPSA Company ID).',
      placeholder: 'yourcompany',
      showWhen: { field: 'hosting', values: ['hosted'] },
    },
    {
      name: 'clientId',
      label: 'API Key (Client ID)',
      help: 'Configuration > Integrations > HaloPSA API > View Applications > the application, "Client ID and Secret (Services)". Copy it after saving.',
    },
    {
      name: 'clientSecret',
      label: 'API Private Key (Client Secret)',
      help: 'Shown with the Client ID when the application is created; the application logs in as an API-only agent with a default team.',
      secret: true,
    },
    {
      name: 'noteOutcomeId',
      label: 'Note outcome id',
      help: 'The id of the outcome (action type) of the toolbox’s internal notes; empty uses the outcome named "Private Note".',
      advanced: true,
      type: 'number',
    },
    { name: 'timeoutMs', label: 'Timeout (ms)', help: 'Per request; default 8000.', advanced: true, type: 'number' },
  ],
  // Every Halo record id has the same form.
  parseId: (_kind, raw) => parseHaloId(raw),
  idFormat: { ticket: ID_FORMAT, company: ID_FORMAT, contact: ID_FORMAT, member: ID_FORMAT },
  // 1Stream documents one set of screen-pop variables for every CRM (reference/products.md §3);
  // no Halo-specific ones are published.
  screenPop: { ticket: '@ticketid', company: '@companyid', contact: '@contactid' },
  // Halo publishes no concurrency limit; it throttles a request budget with 429 (reference §7),
  // which concurrency does not change. 32 matches the HTTP pool's connections per host, so calls
  // wait in the toolbox's measured queue rather than in the pool.
  maxConcurrentRequests: 32,
  ticketLauncher: HALO_CUSTOM_BUTTON,
  create: createHaloPsaClient,
};
