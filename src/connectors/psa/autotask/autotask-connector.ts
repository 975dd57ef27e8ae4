import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import { authorRefused, checkedAuthorId } from '../author-refused.js';
import type { PsaClient, PsaConnector, PsaConnectorDeps, PsaIdKind, PsaTicket, PsaTicketLauncher } from '../types.js';
import { AutotaskClient, type AutotaskRequest } from './autotask-client.js';
import { listAutotaskCompanies, listAutotaskContactEmailDomains } from './autotask-companies.js';
import { AUTOTASK_CALLS_PER_CONNECTION } from './autotask-endpoint-slots.js';
import {
  atCompanySchema,
  atContactSchema,
  atNoteSchema,
  atResourceSchema,
  atTicketSchema,
  atWriteResultSchema,
  mapCompany,
  mapContact,
  mapMember,
  mapTicket,
} from './autotask-map.js';
import {
  AutotaskPicklists,
  activeLabels,
  internalPublish,
  labelOf,
  noteTypeFor,
  type Picklists,
  publicPublish,
  statusByName,
  unusualLabel,
} from './autotask-picklists.js';
import { AUTOTASK_ZONE_DISCOVERY_URL, type AutotaskSettings, autotaskSettingsSchema } from './autotask-settings.js';
import { runAutotaskSystemsCheck } from './autotask-systems-check.js';
import { AutotaskTicketIds, isAutotaskTicketNumber, parseAutotaskTicketNumber } from './autotask-ticket-ref.js';
import { formatAutotaskNote } from './format-autotask-note.js';

const ID_FORMAT = 'a positive whole number, e.g. 29682885';
const TICKET_FORMAT = 'a ticket id (a positive whole number, e.g. 29682885) or a ticket number, e.g. T20240101.0001';

/** What Autotask calls its records: technicians are "resources" (1Stream: "CRM users"). */
const AUTOTASK_WORDS = {
  name: 'Autotask',
  ticket: { one: 'ticket', many: 'tickets' },
  company: { one: 'company', many: 'companies' },
  contact: { one: 'contact', many: 'contacts' },
  member: { one: 'resource', many: 'resources' },
} as const;

/**
 * Autotask ids are positive whole numbers (`long` in the swagger), written without sign or leading
 * zeros. 15 digits keep them exact in a JavaScript number.
 */
export function parseAutotaskId(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[1-9][0-9]{0,14}$/.test(trimmed)) return null;
  return Number(trimmed) <= Number.MAX_SAFE_INTEGER ? trimmed : null;
}

function requireId(raw: string, kind: PsaIdKind): string {
  const id = parseAutotaskId(raw);
  if (id === null) {
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_BAD_ID',
      message: `'${raw.slice(0, 40)}' is not an Autotask ${AUTOTASK_WORDS[kind].one} id: expected ${ID_FORMAT}.`,
      httpStatus: 400,
    });
  }
  return id;
}

/** A ticket as Autotask's id, or as the ticket number technicians see (`autotask-ticket-ref.ts`). */
export const parseAutotaskTicketRef = (raw: string): string | null => parseAutotaskId(raw) ?? parseAutotaskTicketNumber(raw);

function requireTicket(raw: string): string {
  const ref = parseAutotaskTicketRef(raw);
  if (ref === null) {
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_BAD_ID',
      message: `'${raw.slice(0, 40)}' is not an Autotask ticket: expected ${TICKET_FORMAT}.`,
      httpStatus: 400,
    });
  }
  return ref;
}

const notFound = (kind: string, id: string, operation: string) =>
  new ToolboxError({
    code: 'TBX_ERR_PSA_NOT_FOUND',
    message: `${kind} ${id} was not found in Autotask.`,
    httpStatus: 404,
    // Autotask answered 200 {"item": null}: kept as such for the log.
    upstream: { service: 'autotask', status: 200, operation, message: 'item is null' },
  });

/** A refusal that names a picklist field: the codes may have changed since they were read. */
const aboutPicklist = (error: unknown) =>
  isToolboxError(error) &&
  error.code === 'TBX_ERR_PSA_BAD_REQUEST' &&
  /picklist|noteType|publish|status/i.test(error.upstream?.message ?? '');

/** Autotask checked the write and refused it (a validation error or a security level): nothing was saved. */
const refusedUnsaved = (error: unknown): error is ToolboxError =>
  isToolboxError(error) && !error.retryable && (error.code === 'TBX_ERR_PSA_BAD_REQUEST' || error.code === 'TBX_ERR_PSA_FORBIDDEN');

export function createAutotaskClient(settings: AutotaskSettings, deps: PsaConnectorDeps): PsaClient {
  const client = new AutotaskClient(settings, deps);
  const picklists = new AutotaskPicklists(client, deps.clock);
  const ticketIds = new AutotaskTicketIds(client);

  /** The ticket picklists for labels; a screen pop still opens without them, only without names. */
  async function ticketLabels(signal?: AbortSignal): Promise<Picklists | undefined> {
    try {
      return await picklists.of('Tickets', signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      deps.logger.warn(
        { connector: 'autotask', err: isToolboxError(error) ? error.toLog() : String(error) },
        'autotask ticket picklists unreadable',
      );
      return undefined;
    }
  }

  async function readItem(kind: string, id: string, path: string, operation: string, signal?: AbortSignal): Promise<unknown> {
    const request: AutotaskRequest = {
      method: 'GET',
      path,
      operation,
      action: `read ${kind.toLowerCase()} ${id}`,
      subject: { kind, id },
      signal,
    };
    const item = await client.item(request);
    // Some entities answer a missing id with 200 {"item": null} rather than 404 (reference §3).
    if (item === null || item === undefined) throw notFound(kind, id, operation);
    return item;
  }

  return {
    async getTicket(rawId, options): Promise<PsaTicket> {
      const ref = requireTicket(rawId);
      const byNumber = isAutotaskTicketNumber(ref);
      const operation = byNumber ? 'POST /Tickets/query' : 'GET /Tickets/{id}';
      // The picklists are cached; the first screen pop reads them beside the ticket, not after it.
      const [item, lists] = await Promise.all([
        byNumber ? ticketIds.find(ref, options?.signal) : readItem('Ticket', ref, `Tickets/${ref}`, operation, options?.signal),
        ticketLabels(options?.signal),
      ]);
      const ticket = client.parse(atTicketSchema, item, { operation, action: `read ticket ${ref}` });
      return mapTicket(
        ticket,
        {
          status: labelOf(lists?.status, ticket.status),
          queue: labelOf(lists?.queueid, ticket.queueID),
          type: unusualLabel(lists?.tickettype, ticket.ticketType),
        },
        client.ticketUrl(String(ticket.id)),
      );
    },

    async getCompany(rawId, options) {
      const id = requireId(rawId, 'company');
      const operation = 'GET /Companies/{id}';
      const item = await readItem('Company', id, `Companies/${id}`, operation, options?.signal);
      return mapCompany(client.parse(atCompanySchema, item, { operation, action: `read company ${id}` }));
    },

    async getContact(rawId, options) {
      const id = requireId(rawId, 'contact');
      const operation = 'GET /Contacts/{id}';
      const item = await readItem('Contact', id, `Contacts/${id}`, operation, options?.signal);
      return mapContact(client.parse(atContactSchema, item, { operation, action: `read contact ${id}` }));
    },

    async listMembers() {
      const request = { operation: 'POST /Resources/query', action: 'list resources' };
      const rows = await client.queryAll(
        'Resources',
        {
          // No "all" query exists: filter on id (reference §6).
          filter: [{ op: 'gte', field: 'id', value: 0 }],
          IncludeFields: ['id', 'userName', 'firstName', 'lastName', 'email', 'isActive'],
        },
        request,
      );
      return rows.map((row) => mapMember(client.parse(atResourceSchema, row, request)));
    },

    listCompanies: (options) => listAutotaskCompanies(client, options),
    listContactEmailDomains: (companyIds, options) => listAutotaskContactEmailDomains(client, companyIds, options),

    async addTicketNote(rawTicketId, note) {
      const ticketId = await ticketIds.idOf(requireTicket(rawTicketId));
      const { title, description } = formatAutotaskNote(note.lines);
      if (description.trim() === '') {
        throw new ToolboxError({ code: 'TBX_ERR_PSA_BAD_REQUEST', message: 'The note to add to the ticket is empty.', httpStatus: 400 });
      }
      const internal = note.visibility === 'internal';
      const author = note.author;
      const resourceId = author ? checkedAuthorId(() => requireId(author.id, 'member')) : undefined;
      const lists = await picklists.of('TicketNotes');
      const publish = internal ? internalPublish(lists.publish) : publicPublish(lists.publish);
      const noteType = noteTypeFor(lists.notetype, internal);
      if (!publish || !noteType) {
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_CONFIG',
          message:
            `The toolbox did not add the note to ticket ${ticketId}: the Autotask database has no ${!publish ? `${internal ? 'internal' : 'customer-visible'} "publish" value` : 'active note type'} ` +
            `for ticket notes (its publish values: ${activeLabels(lists.publish).join(', ') || 'none'}). An Autotask administrator can add one under Admin > Features & Settings > Note Types.`,
          httpStatus: 502,
        });
      }
      const request: AutotaskRequest = {
        method: 'POST',
        path: `Tickets/${ticketId}/Notes`,
        operation: 'POST /Tickets/{id}/Notes',
        action: `add a note to ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        body: { ticketID: Number(ticketId), title, description, noteType: noteType.value, publish: publish.value },
        // The note then shows as the technician's (reference §2); the API user's security level must
        // allow resource impersonation, or Autotask refuses the note and the caller writes it without.
        headers: resourceId ? { ImpersonationResourceId: resourceId } : undefined,
      };
      let answer: unknown;
      try {
        answer = await client.request(request);
      } catch (error) {
        if (aboutPicklist(error)) {
          picklists.forget('TicketNotes');
        } else if (resourceId && refusedUnsaved(error)) {
          // Autotask answers a resource it will not impersonate (unknown, inactive, or a security
          // level without "Allow impersonation of resources") with a validation error, HTTP 500
          // {"errors": [...]}, or 403: nothing was saved, so the note may go without the resource.
          throw authorRefused(error);
        }
        throw error;
      }
      return { id: String(client.parse(atWriteResultSchema, answer, request).itemId) };
    },

    async findTicketNote(rawTicketId, marker) {
      const ticketId = await ticketIds.idOf(requireTicket(rawTicketId));
      const request = {
        operation: 'POST /TicketNotes/query',
        action: `look for an earlier note on ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
      };
      const filter: Record<string, unknown>[] = [{ op: 'eq', field: 'ticketID', value: Number(ticketId) }];
      if (marker.trim() !== '') filter.push({ op: 'contains', field: 'description', value: marker });
      // The filter narrows the list on the server; the text is checked here again because a
      // server that ignored it (or read the marker's _ and % as wildcards) would otherwise make any
      // note look like a match.
      const rows = await client.queryAll('TicketNotes', { filter, IncludeFields: ['id', 'ticketID', 'description'] }, request);
      for (const row of rows) {
        const found = client.parse(atNoteSchema, row, request);
        if (typeof found.description === 'string' && found.description.includes(marker)) return { id: String(found.id) };
      }
      return null;
    },

    async setTicketStatus(rawTicketId, statusName) {
      const ticketId = await ticketIds.idOf(requireTicket(rawTicketId));
      const lists = await picklists.of('Tickets');
      // Autotask has one status list for every queue (no per-board statuses as in ConnectWise).
      const status = statusByName(lists.status, statusName);
      if (!status) {
        throw new ToolboxError({
          code: 'TBX_ERR_PSA_STATUS_UNKNOWN',
          message: `Autotask has no active ticket status called '${statusName.trim()}'. Its statuses are: ${activeLabels(lists.status).join(', ') || '(none)'}.`,
          httpStatus: 422,
        });
      }
      const request: AutotaskRequest = {
        method: 'PATCH',
        path: 'Tickets',
        operation: 'PATCH /Tickets',
        action: `change the status of ticket ${ticketId}`,
        subject: { kind: 'Ticket', id: ticketId },
        // One object with the id and the changed field, not a JSON Patch array (reference §5).
        body: { id: Number(ticketId), status: status.value },
      };
      try {
        client.parse(atWriteResultSchema, await client.request(request), request);
      } catch (error) {
        if (aboutPicklist(error)) picklists.forget('Tickets');
        throw error;
      }
    },

    ticketUrl(rawTicketId) {
      return client.ticketUrl(requireTicket(rawTicketId));
    },

    async systemsCheck() {
      // Each step catches its own failures; this is the last line of the "never throws" promise.
      try {
        return await runAutotaskSystemsCheck(client, picklists);
      } catch (error) {
        return [
          {
            name: 'Autotask systems check',
            ok: false,
            message: `The check itself failed: ${error instanceof Error ? error.message : String(error)}`,
          },
        ];
      }
    },
  };
}

/**
 * The variable Autotask replaces with the ticket's id in a LiveLink's URL. NOT VERIFIED: Autotask's
 * help (LiveLinks Designer, "Creating or editing a LiveLink") could not be read past its first
 * fields. Autotask's e-mail templates use variables of the form `[Entity: Field]` (e.g.
 * `[Ticket: Number]`, as MSPs publish their Autotask templates); that LiveLinks take the same form
 * and that the ticket's id is `[Ticket: ID]` is assumed. The set-up steps tell the admin what to
 * insert if it reads otherwise: the ticket's number works too, since `parseId` takes it.
 */
const AUTOTASK_LIVELINK_TICKET_VARIABLE = '[Ticket: ID]';

/**
 * A LiveLink on the Ticket entity: Autotask shows it on every ticket and opens its URL in a new
 * window (the toolbox's `/launcher`). Only the ticket is passed: the launcher reads its company
 * and contact from it, so no second variable can be mistyped. The menu path is Autotask's help
 * ("LiveLinks Designer": Admin > Automation > AutoForms & LiveLinks > LiveLinks Designer); the
 * field names beyond LiveLink Name, Label and Active are not verified, so the steps say what to
 * choose rather than which box it is in.
 */
const AUTOTASK_LIVELINK: PsaTicketLauncher<AutotaskSettings> = {
  name: 'LiveLink',
  opens: 'window',
  query: { ticket_id: AUTOTASK_LIVELINK_TICKET_VARIABLE },
  setup: [
    {
      text: 'In Autotask, open Admin > Automation > AutoForms & LiveLinks > LiveLinks Designer (your security level needs the Administer LiveLinks permission), the LiveLinks tab, and click New.',
    },
    {
      text: 'Make it a link to a web page (a URL) available from tickets, opening in a new window, keep it Active, and give it these values. The Label is what technicians see on the ticket.',
      values: [
        { label: 'LiveLink Name', value: { kind: 'literal', text: 'Technician Toolbox' } },
        { label: 'Label', value: { kind: 'literal', text: 'Toolbox forms' } },
        { label: 'URL', value: { kind: 'url' } },
      ],
    },
    {
      text: `The URL ends with Autotask's ticket ID variable, ${AUTOTASK_LIVELINK_TICKET_VARIABLE}. If Autotask's variable list writes the ticket's ID differently, insert that variable after "ticket_id=" instead; the ticket's number (e.g. [Ticket: Number]) works too. To check what Autotask fills in, tick "Run in debug mode": the LiveLink then opens a page of Autotask's showing the parameters instead of the toolbox; clear it afterwards.`,
    },
    {
      text: 'Publish the LiveLink to your technicians’ security levels, and save it.',
    },
    {
      text: 'Open a ticket and click the LiveLink: the toolbox opens in a new window with the enabled forms for the ticket’s company and contact. Technicians sign in to the toolbox there, as always; each form opens filled, like a screen pop.',
    },
  ],
};

export const autotaskConnector: PsaConnector<AutotaskSettings> = {
  kind: 'autotask',
  label: 'Autotask PSA',
  words: AUTOTASK_WORDS,
  settings: autotaskSettingsSchema,
  // 1Stream's words where it has them (its Autotask set-up: "CRM Username", "CRM Password").
  fields: [
    {
      name: 'username',
      label: 'CRM Username',
      help: 'The API user’s username (its Key, in e-mail form): Admin > Resources/Users > the API user > Credentials.',
      placeholder: 'toolbox-api@example.com',
    },
    {
      name: 'secret',
      label: 'CRM Password',
      help: 'The API user’s secret, shown when it is generated on the API user’s Credentials.',
      secret: true,
    },
    {
      name: 'integrationCode',
      label: 'Integration code (API tracking identifier)',
      help: 'On the API user: API Tracking Identifier > Custom (Internal Integration).',
      secret: true,
    },
    {
      name: 'zoneDiscoveryUrl',
      label: 'Zone discovery URL',
      help: 'Where the toolbox asks Autotask which zone the API user is in. Leave empty for Autotask’s own.',
      placeholder: AUTOTASK_ZONE_DISCOVERY_URL,
      type: 'url',
      advanced: true,
    },
    { name: 'timeoutMs', label: 'Timeout (ms)', help: 'Per request; default 8000.', advanced: true, type: 'number' },
  ],
  // Record ids are numbers; a ticket may be named by its number too, as technicians see it.
  parseId: (kind, raw) => (kind === 'ticket' ? parseAutotaskTicketRef(raw) : parseAutotaskId(raw)),
  idFormat: { ticket: TICKET_FORMAT, company: ID_FORMAT, contact: ID_FORMAT, member: ID_FORMAT },
  // 1Stream documents one set of screen-pop variables for every CRM (reference/products.md §3);
  // no Autotask-specific ones are published.
  screenPop: { ticket: '@ticketid', company: '@companyid', contact: '@contactid' },
  // Autotask refuses a 4th concurrent call per endpoint and tracking identifier (reference §8):
  // 3 for each of the three endpoints a screen pop reads at once; the client keeps each at 3.
  maxConcurrentRequests: AUTOTASK_CALLS_PER_CONNECTION,
  ticketLauncher: AUTOTASK_LIVELINK,
  create: createAutotaskClient,
};
