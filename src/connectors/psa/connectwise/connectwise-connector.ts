import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import { authorRefused, checkedAuthorId } from '../author-refused.js';
import type { PsaClient, PsaConnector, PsaConnectorDeps, PsaIdKind, PsaTicket } from '../types.js';
import { ConnectWiseClient } from './connectwise-client.js';
import { listConnectWiseCompanies, listConnectWiseContactEmailDomains } from './connectwise-companies.js';
import {
  type CwStatus,
  type CwTicket,
  cwCompanySchema,
  cwContactSchema,
  cwMemberSchema,
  cwNoteSchema,
  cwStatusSchema,
  cwTicketSchema,
  mapCompany,
  mapContact,
  mapMember,
  mapTicket,
} from './connectwise-map.js';
import { quoteConditionValue } from './connectwise-query.js';
import { type ConnectWiseSettings, connectWiseSettingsSchema } from './connectwise-settings.js';
import { runConnectWiseSystemsCheck } from './connectwise-systems-check.js';
import { formatNoteText } from './format-note.js';

const ID_FORMAT = 'a positive whole number, e.g. 12345';

/** What ConnectWise calls its records (technicians are "members"). */
const CONNECTWISE_WORDS = {
  name: 'ConnectWise',
  ticket: { one: 'ticket', many: 'tickets' },
  company: { one: 'company', many: 'companies' },
  contact: { one: 'contact', many: 'contacts' },
  member: { one: 'member', many: 'members' },
} as const;
const MAX_ID = 2 ** 31 - 1;

/** ConnectWise record ids are positive 32-bit integers, written without sign or leading zeros. */
export function parseConnectWiseId(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed)) return null;
  return Number(trimmed) <= MAX_ID ? trimmed : null;
}

function requireId(raw: string, kind: PsaIdKind): string {
  const id = parseConnectWiseId(raw);
  if (id === null) {
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_BAD_ID',
      message: `'${raw.slice(0, 40)}' is not a ConnectWise ${CONNECTWISE_WORDS[kind].one} number: expected ${ID_FORMAT}.`,
      httpStatus: 400,
    });
  }
  return id;
}

const isNotFound = (error: unknown) => isToolboxError(error) && error.code === 'TBX_ERR_PSA_NOT_FOUND';

export function createConnectWiseClient(settings: ConnectWiseSettings, deps: PsaConnectorDeps): PsaClient {
  const client = new ConnectWiseClient(settings, deps);

  /** A service ticket, or on 404 the project ticket with that id (a screen-pop id can be one). */
  async function loadTicket(id: string, signal?: AbortSignal): Promise<{ ticket: CwTicket; kind: 'service' | 'project' }> {
    const read = async (kind: 'service' | 'project') => {
      const operation = `GET /${kind}/tickets/{id}`;
      const action = `read ticket ${id}`;
      const response = await client.request({
        method: 'GET',
        path: `/${kind}/tickets/${id}`,
        operation,
        action,
        subject: { kind: 'Ticket', id },
        signal,
      });
      return { ticket: client.parse(cwTicketSchema, response.data, { operation, action }), kind };
    };
    try {
      return await read('service');
    } catch (serviceError) {
      if (!isNotFound(serviceError)) throw serviceError;
      try {
        return await read('project');
      } catch (projectError) {
        // Both missing: report the service lookup, which is what the technician asked for.
        throw isNotFound(projectError) ? serviceError : projectError;
      }
    }
  }

  async function listStatuses(boardId: number, boardName: string, name?: string): Promise<CwStatus[]> {
    const quoted = name === undefined ? undefined : quoteConditionValue(name);
    const rows = await client.requestAllPages({
      method: 'GET',
      path: `/service/boards/${boardId}/statuses`,
      operation: 'GET /service/boards/{id}/statuses',
      action: `read the statuses of board '${boardName}'`,
      query: { conditions: quoted === undefined ? undefined : `name=${quoted}`, pageSize: 1000 },
    });
    return rows.map((row) =>
      client.parse(cwStatusSchema, row, {
        operation: 'GET /service/boards/{id}/statuses',
        action: `read the statuses of board '${boardName}'`,
      }),
    );
  }

  return {
    async getTicket(rawId, options): Promise<PsaTicket> {
      const id = requireId(rawId, 'ticket');
      const { ticket, kind } = await loadTicket(id, options?.signal);
      return mapTicket(ticket, kind, client.ticketUrl(String(ticket.id)));
    },

    async getCompany(rawId, options) {
      const id = requireId(rawId, 'company');
      const request = {
        method: 'GET' as const,
        path: `/company/companies/${id}`,
        operation: 'GET /company/companies/{id}',
        action: `read company ${id}`,
        subject: { kind: 'Company', id },
        signal: options?.signal,
      };
      const response = await client.request(request);
      return mapCompany(client.parse(cwCompanySchema, response.data, request));
    },

    async getContact(rawId, options) {
      const id = requireId(rawId, 'contact');
      const request = {
        method: 'GET' as const,
        path: `/company/contacts/${id}`,
        operation: 'GET /company/contacts/{id}',
        action: `read contact ${id}`,
        subject: { kind: 'Contact', id },
        signal: options?.signal,
      };
      const response = await client.request(request);
      return mapContact(client.parse(cwContactSchema, response.data, request));
    },

    async listMembers() {
      const request = { method: 'GET' as const, path: '/system/members', operation: 'GET /system/members', action: 'list members' };
      const rows = await client.requestAllPages({ ...request, query: { pageSize: 1000 } });
      return rows.map((row) => mapMember(client.parse(cwMemberSchema, row, request)));
    },

    listCompanies: (options) => listConnectWiseCompanies(client, options),
    listContactEmailDomains: (companyIds, options) => listConnectWiseContactEmailDomains(client, companyIds, options),

    async addTicketNote(rawTicketId, note) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const text = formatNoteText(note.lines);
      const internal = note.visibility === 'internal';
      if (text === '') {
        throw new ToolboxError({ code: 'TBX_ERR_PSA_BAD_REQUEST', message: 'The note to add to the ticket is empty.', httpStatus: 400 });
      }
      const author = note.author;
      const memberId = author ? checkedAuthorId(() => requireId(author.id, 'member')) : undefined;
      const request = {
        method: 'POST' as const,
        path: `/service/tickets/${ticketId}/notes`,
        operation: 'POST /service/tickets/{id}/notes',
        action: `add a note to ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        body: {
          text,
          // Exactly one place to show it: Internal, or Discussion (customer-visible). At least one
          // display flag must be true or ConnectWise refuses the note (reference §4).
          internalAnalysisFlag: internal,
          detailDescriptionFlag: !internal,
          resolutionFlag: false,
          customerUpdatedFlag: false,
          // true would e-mail the ticket's contacts and resources.
          processNotifications: false,
          // ServiceNote.member is a MemberReference (reference §3.1, §4): the note then shows as the
          // technician's rather than the API member's. The id alone names the member; ConnectWise
          // ids are numbers.
          ...(memberId ? { member: { id: Number(memberId) } } : {}),
        },
      };
      const response = await client.request(request).catch((error: unknown) => {
        // ConnectWise checks the member with the rest of the note and refuses it (400 InvalidObject,
        // or 403/422) before saving anything: the toolbox may then write it without the member.
        if (memberId && isToolboxError(error) && !error.retryable && [400, 403, 422].includes(error.upstream?.status ?? 0)) {
          throw authorRefused(error);
        }
        throw error;
      });
      const created = client.parse(cwNoteSchema, response.data, request);
      return { id: String(created.id) };
    },

    async findTicketNote(rawTicketId, marker) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const quoted = quoteConditionValue(marker);
      const request = {
        method: 'GET' as const,
        path: `/service/tickets/${ticketId}/notes`,
        operation: 'GET /service/tickets/{id}/notes',
        action: `look for an earlier note on ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
      };
      // The condition narrows the list on the server; the text is checked here again because a
      // server that ignored the condition would otherwise make any note look like a match.
      const rows = await client.requestAllPages({
        ...request,
        query: { pageSize: 100, ...(quoted ? { conditions: `text contains ${quoted}` } : {}) },
      });
      for (const row of rows) {
        const note = client.parse(cwNoteSchema, row, request) as { id: number; text?: unknown };
        if (typeof note.text === 'string' && note.text.includes(marker)) return { id: String(note.id) };
      }
      return null;
    },

    async setTicketStatus(rawTicketId, statusName) {
      const ticketId = requireId(rawTicketId, 'ticket');
      const wanted = statusName.trim();
      const { ticket, kind } = await loadTicket(ticketId);
      if (kind === 'project') {
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_UNSUPPORTED',
          message: `Ticket ${ticketId} is a project ticket; the toolbox only changes the status of service tickets.`,
          httpStatus: 422,
        });
      }
      const board = ticket.board;
      if (!board) {
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_BAD_RESPONSE',
          message: `ConnectWise did not say which board ticket ${ticketId} is on, so its status cannot be changed.`,
          httpStatus: 502,
        });
      }
      const boardName = board.name ?? `#${board.id}`;
      // Status ids are per board (reference §5): look the name up on the ticket's own board.
      const candidates = (await listStatuses(board.id, boardName, wanted)).filter(
        (s) => s.name.trim().toLowerCase() === wanted.toLowerCase(),
      );
      const status =
        candidates.find((s) => s.name.trim() === wanted && !s.inactive) ?? candidates.find((s) => !s.inactive) ?? candidates[0];
      if (!status) {
        const all = await listStatuses(board.id, boardName);
        const names = all.filter((s) => !s.inactive).map((s) => s.name);
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_STATUS_UNKNOWN',
          message: `Board '${boardName}' has no status called '${wanted}'. Its statuses are: ${names.join(', ') || '(none)'}.`,
          httpStatus: 422,
        });
      }
      if (ticket.status?.id === status.id) return;
      await client.request({
        method: 'PATCH',
        path: `/service/tickets/${ticketId}`,
        operation: 'PATCH /service/tickets/{id}',
        action: `change the status of ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        body: [{ op: 'replace', path: 'status', value: { id: status.id } }],
      });
    },

    ticketUrl(rawTicketId) {
      return client.ticketUrl(requireId(rawTicketId, 'ticket'));
    },

    async systemsCheck() {
      // Each step catches its own failures; this is the last line of the "never throws" promise.
      try {
        return await runConnectWiseSystemsCheck(client);
      } catch (error) {
        return [
          {
            name: 'ConnectWise systems check',
            ok: false,
            message: `The check itself failed: ${error instanceof Error ? error.message : String(error)}`,
          },
        ];
      }
    },
  };
}

export const connectWiseConnector: PsaConnector<ConnectWiseSettings> = {
  kind: 'connectwise',
  label: 'ConnectWise PSA (Manage)',
  words: CONNECTWISE_WORDS,
  settings: connectWiseSettingsSchema,
  // The fields of 1Stream's ConnectWise set-up, in its order (seed: "Setting up ConnectWise Integration").
  fields: [
    { name: 'companyId', label: 'Company ID', help: 'The company id typed at the ConnectWise login screen (1Stream: "CRM Company").' },
    { name: 'publicKey', label: 'Public API key', help: 'From the API member’s API Keys tab in ConnectWise.' },
    { name: 'privateKey', label: 'Private API key', help: 'Shown once by ConnectWise when the key pair is created.', secret: true },
    {
      name: 'siteUrl',
      label: 'Site URL (CRM details link)',
      help: 'Where technicians open tickets, e.g. https://na.myconnectwise.net.',
      placeholder: 'https://na.myconnectwise.net',
      type: 'url',
    },
    {
      name: 'apiUrl',
      label: 'API endpoint',
      help: 'The API host, e.g. https://api-na.myconnectwise.net; the codebase is discovered.',
      placeholder: 'https://api-na.myconnectwise.net',
      type: 'url',
    },
    { name: 'clientId', label: 'Client ID', help: 'The integration’s clientId from developer.connectwise.com (a GUID).' },
    {
      name: 'apiVersion',
      label: 'API version',
      help: 'The PSA release pinned in requests, e.g. 2025.1.',
      advanced: true,
      placeholder: '2025.1',
    },
    { name: 'codebase', label: 'Codebase', help: 'Leave empty to discover it, e.g. v2025_1/.', advanced: true },
    { name: 'timeoutMs', label: 'Timeout (ms)', help: 'Per request; default 8000.', advanced: true, type: 'number' },
  ],
  // Every ConnectWise record id has the same form.
  parseId: (_kind, raw) => parseConnectWiseId(raw),
  idFormat: { ticket: ID_FORMAT, company: ID_FORMAT, contact: ID_FORMAT, member: ID_FORMAT },
  // 1Stream's ConnectWise variables (seed: "Screen Pop URLs"; product.md, the main path).
  screenPop: { ticket: '@ticketid', company: '@companyid', contact: '@contactid' },
  // ConnectWise publishes no concurrency limit (it throttles with 429); 32 matches the HTTP
  // pool's connections per host, so calls wait here, where the wait is measured, not in the pool.
  maxConcurrentRequests: 32,
  // A Hosted API pod in the service ticket screen (Setup Tables → "Manage Hosted API"). ConnectWise
  // replaces [cw_id] and [cw_screen] with the record id and the screen's name (ConnectWise's
  // ConnectWiseHostedApi client README, "Using URI Tokens"; not checked against a live tenant).
  ticketLauncher: {
    name: 'Hosted API pod',
    opens: 'frame',
    query: { ticket_id: '[cw_id]', screen: '[cw_screen]' },
    // ConnectWise's own pages (the site technicians sign in at) frame the pod.
    frameAncestor: (settings) => settings.siteUrl,
    frameProtocol: 'connectwise-hosted-api',
    setup: [
      {
        text: 'In ConnectWise PSA, open System → Setup Tables and the table "Manage Hosted API" (an administrator’s security role is needed).',
      },
      {
        text: 'Add an entry with these values, then save it:',
        values: [
          { label: 'Description', value: { kind: 'literal', text: 'Technician Toolbox' } },
          { label: 'Screen', value: { kind: 'literal', text: 'Service Tickets' } },
          { label: 'Origin', value: { kind: 'origin' } },
          { label: 'URL', value: { kind: 'url' } },
          { label: 'Type', value: { kind: 'literal', text: 'Pod' } },
          { label: 'Pod height', value: { kind: 'literal', text: '320' } },
        ],
      },
      {
        text: 'Open a service ticket: the pod lists the enabled forms. Each technician signs in to the toolbox once from the pod (a sign-in window opens); the form opens in a new tab, filled.',
      },
    ],
  },
  create: createConnectWiseClient,
};
