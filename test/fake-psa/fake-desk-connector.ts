import { z } from 'zod';
import { authorRefused, checkedAuthorId } from '../../src/connectors/psa/author-refused.js';
import type { PsaClient, PsaConnector, PsaConnectorDeps, PsaIdKind } from '../../src/connectors/psa/types.js';
import { ToolboxError } from '../../src/lib/toolbox-error.js';

/**
 * The connector of FakeDesk (see fake-desk-server.ts): a fourth PSA as a developer would add one,
 * using only the port (`src/connectors/psa/types.ts`). It leaves out the optional capabilities
 * (contacts' e-mail domains, ticket status), has ids of its own per kind, its own words, its own
 * 1Stream variables, and a select and a conditional field among its settings.
 */
const settingsSchema = z
  .strictObject({
    url: z.url(),
    apiKey: z.string().min(1),
    hosting: z.enum(['cloud', 'own']),
    tenant: z.string().min(1).optional(),
  })
  .refine((settings) => settings.hosting !== 'cloud' || settings.tenant !== undefined, {
    message: 'tenant is required for a cloud instance',
    path: ['tenant'],
  });
export type FakeDeskSettings = z.infer<typeof settingsSchema>;

const ID_PATTERNS: Record<PsaIdKind, RegExp> = {
  ticket: /^INC-\d{1,9}$/,
  company: /^CUST-\d{1,9}$/,
  contact: /^REQ-\d{1,9}$/,
  member: /^AG-\d{1,9}$/,
};

const WORDS = {
  name: 'FakeDesk',
  ticket: { one: 'incident', many: 'incidents' },
  company: { one: 'customer', many: 'customers' },
  contact: { one: 'requester', many: 'requesters' },
  member: { one: 'agent', many: 'agents' },
};

function parseId(kind: PsaIdKind, raw: string): string | null {
  const id = raw.trim().toUpperCase();
  return ID_PATTERNS[kind].test(id) ? id : null;
}

function createClient(settings: FakeDeskSettings, deps: PsaConnectorDeps): PsaClient {
  const base = settings.url.replace(/\/+$/, '');

  async function call(method: 'GET' | 'POST', path: string, what: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const response = await deps.fetch(`${base}/api${path}`, {
      method,
      headers: {
        'x-api-key': settings.apiKey,
        ...(settings.tenant ? { 'x-tenant': settings.tenant } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    if (response.ok) return answer;
    const upstream = { service: 'fakedesk', status: response.status, code: answer.error ?? 'unknown', operation: `${method} ${path}` };
    if (response.status === 404)
      throw new ToolboxError({ code: 'TBX_ERR_PSA_NOT_FOUND', httpStatus: 404, message: `FakeDesk has no ${what}.`, upstream });
    if (response.status === 401 || response.status === 403)
      throw new ToolboxError({ code: 'TBX_ERR_PSA_AUTH', httpStatus: 502, message: 'FakeDesk refused the API key or tenant.', upstream });
    if (response.status === 422)
      throw new ToolboxError({ code: 'TBX_ERR_PSA_BAD_REQUEST', httpStatus: 422, message: `FakeDesk refused to ${what}.`, upstream });
    throw new ToolboxError({
      code: 'TBX_ERR_PSA_UNAVAILABLE',
      httpStatus: 502,
      retryable: true,
      message: `FakeDesk did not answer properly when asked to ${what}; try again later.`,
      upstream,
    });
  }

  const requireId = (kind: PsaIdKind, raw: string) => {
    const id = parseId(kind, raw);
    if (id === null)
      throw new ToolboxError({ code: 'TBX_ERR_PSA_BAD_ID', httpStatus: 400, message: `'${raw}' is not a FakeDesk ${kind} id.` });
    return id;
  };

  return {
    async getTicket(raw, options) {
      const id = requireId('ticket', raw);
      const incident = (await call('GET', `/incidents/${id}`, `incident ${id}`, undefined, options?.signal)) as {
        id: string;
        title: string;
        queue: string;
        state: string;
        customerId: string;
        requesterId: string;
      };
      return {
        id: incident.id,
        number: incident.id,
        summary: incident.title,
        queue: incident.queue,
        status: incident.state,
        companyId: incident.customerId,
        contactId: incident.requesterId,
        url: `${base}/desk/${incident.id}`,
      };
    },
    async getCompany(raw, options) {
      const id = requireId('company', raw);
      const customer = (await call('GET', `/customers/${id}`, `customer ${id}`, undefined, options?.signal)) as {
        id: string;
        code: string;
        name: string;
      };
      return { id: customer.id, identifier: customer.code, name: customer.name };
    },
    async getContact(raw, options) {
      const id = requireId('contact', raw);
      const requester = (await call('GET', `/requesters/${id}`, `requester ${id}`, undefined, options?.signal)) as {
        id: string;
        givenName: string;
        familyName: string;
        email: string;
        phone: string;
        customerId: string;
      };
      return {
        id: requester.id,
        firstName: requester.givenName,
        lastName: requester.familyName,
        name: `${requester.givenName} ${requester.familyName}`.trim(),
        email: requester.email,
        phones: [{ label: 'Phone', number: requester.phone }],
        companyId: requester.customerId,
      };
    },
    async listMembers() {
      const agents = (await call('GET', '/agents', 'list the agents')) as {
        id: string;
        handle: string;
        fullName: string;
        email: string;
        active: boolean;
      }[];
      return agents.map((agent) => ({
        id: agent.id,
        identifier: agent.handle,
        name: agent.fullName,
        email: agent.email,
        inactive: !agent.active,
      }));
    },
    async listCompanies(options) {
      const customers = (await call('GET', '/customers', 'list the customers', undefined, options?.signal)) as {
        id: string;
        code: string;
        name: string;
      }[];
      return customers.map((customer) => ({ id: customer.id, identifier: customer.code, name: customer.name }));
    },
    async addTicketNote(raw, note) {
      const id = requireId('ticket', raw);
      const author = note.author;
      const agentId = author ? checkedAuthorId(() => requireId('member', author.id)) : undefined;
      const created = (await call('POST', `/incidents/${id}/notes`, `add a note to incident ${id}`, {
        body: note.lines.join('\n'),
        private: note.visibility === 'internal',
        ...(agentId ? { agentId } : {}),
      }).catch((error: unknown) => {
        // FakeDesk refuses an unknown agent with 422, saving nothing.
        throw agentId && error instanceof ToolboxError && error.upstream?.status === 422 ? authorRefused(error) : error;
      })) as { id: string };
      return { id: created.id };
    },
    async findTicketNote(raw, marker) {
      const id = requireId('ticket', raw);
      const notes = (await call('GET', `/incidents/${id}/notes`, `read the notes of incident ${id}`)) as { id: string; body: string }[];
      const found = notes.find((note) => note.body.includes(marker));
      return found ? { id: found.id } : null;
    },
    ticketUrl: (raw) => `${base}/desk/${requireId('ticket', raw)}`,
    async systemsCheck() {
      try {
        const agents = (await call('GET', '/agents', 'list the agents')) as unknown[];
        return [{ name: 'API key accepted', ok: true, message: `FakeDesk answered with ${agents.length} agents.` }];
      } catch (error) {
        return [{ name: 'API key accepted', ok: false, message: error instanceof Error ? error.message : String(error) }];
      }
    },
  };
}

export const fakeDeskConnector: PsaConnector<FakeDeskSettings> = {
  kind: 'fakedesk',
  label: 'FakeDesk Service Cloud',
  words: WORDS,
  settings: settingsSchema,
  fields: [
    { name: 'url', label: 'FakeDesk address', type: 'url', placeholder: 'https://desk.example' },
    { name: 'apiKey', label: 'API key', secret: true },
    {
      name: 'hosting',
      label: 'Hosting',
      type: 'select',
      options: [
        { value: 'cloud', label: 'FakeDesk cloud' },
        { value: 'own', label: 'Our own server' },
      ],
    },
    {
      name: 'tenant',
      label: 'Cloud tenant',
      help: 'The tenant name of a cloud instance.',
      showWhen: { field: 'hosting', values: ['cloud'] },
    },
  ],
  parseId,
  idFormat: {
    ticket: 'INC- and a number, e.g. INC-1001',
    company: 'CUST- and a number, e.g. CUST-7',
    contact: 'REQ- and a number, e.g. REQ-301',
    member: 'AG- and a number, e.g. AG-151',
  },
  screenPop: { ticket: '@incidentref', company: '@customerref', contact: '@requesterref' },
  maxConcurrentRequests: 4,
  create: createClient,
};
