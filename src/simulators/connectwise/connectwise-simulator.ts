import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { demoMsp } from '../../demo/demo-data.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import {
  buildConnectWiseData,
  type ConnectWiseSeed,
  type CwBoard,
  type CwData,
  type CwRecord,
  demoConnectWiseSeed,
} from './connectwise-seed.js';
import {
  ConditionError,
  checkConditionTypes,
  evaluateConditions,
  type FieldType,
  parseConditions,
  readPath,
  valueType,
} from './cw-conditions.js';
import { type CwHostedSetup, TICKET_SCREEN_PATH, ticketScreenPage } from './hosted-api-screen.js';

/**
 * A stateful ConnectWise Manage (PSA) REST API double, held to the real API's rules as listed in
 * the reference's §10 fidelity checklist: codebase lookup without auth, Basic auth plus a
 * mandatory clientId, Accept-header versioning, paging with `Link` headers, the conditions
 * language, note display-flag validation, the PATCH dialect (with its false 200), per-board
 * statuses, and the odd 429 body. Connector tests point at it; `npm run sim:connectwise` runs it.
 */
export type ConnectWiseSimulatorOptions = {
  /** Starting data; any collection left out comes from the demo MSP (src/demo/demo-data.ts). */
  seed?: Partial<ConnectWiseSeed>;
  companyId?: string;
  publicKey?: string;
  privateKey?: string;
  clientId?: string;
  /** The tenant's codebase, with its trailing slash. `v4_6_release/` is always accepted too. */
  codebase?: string;
  companyName?: string;
  /** Cloud behaviour: bad credentials get 404 instead of 401, and companyinfo says IsCloud "True". */
  cloudMode?: boolean;
  /** Delay before every answer. Also settable later through `state.latencyMs`. */
  latencyMs?: number;
  /** Request budget per window; beyond it, 429 with Retry-After and the non-standard body. */
  rateLimit?: { requests: number; windowMs: number };
  /** Answer "SSL is required." to API calls whose Host does not start with `api-`. */
  requireApiHostPrefix?: boolean;
  /** Requests the API member's security role denies (403). Patterns as for `failNext`. */
  forbidden?: { method?: string; path: string | RegExp }[];
  /** The newest model version the server knows; the default when no version is pinned. */
  latestVersion?: string;
  clock?: Clock;
};

export type SimulatorRequestLogEntry = {
  method: string;
  /** Path relative to `…/apis/3.0` for API calls, else the full path. */
  path: string;
  query: Record<string, string>;
  /** Request headers, lower-case names; the Authorization value is replaced by its scheme. */
  headers: Record<string, string>;
  /** True when the Basic credential matched (the clientId is checked separately). */
  basicAuthOk: boolean;
  /** The model version served, when the request reached an API route. */
  apiVersion?: string;
  body?: unknown;
  status: number;
};

export type FailureOptions = {
  method?: string;
  /** Seconds for Retry-After (429/503). */
  retryAfterSeconds?: number;
  body?: unknown;
};

type Failure = { pattern: string | RegExp; status: number; remaining: number; options: FailureOptions };

export type ConnectWiseSimulatorState = CwData & {
  /** Notes written, per ticket id, as stored (newlines already collapsed). */
  notes: Map<number, CwRecord[]>;
  requests: SimulatorRequestLogEntry[];
  latencyMs: number;
  cloudMode: boolean;
  requireApiHostPrefix: boolean;
  rateLimit: { requests: number; windowMs: number } | undefined;
  forbidden: { method?: string; path: string | RegExp }[];
  /** Manage Hosted API entries: pages the simulated ticket screen shows as pods. */
  hostedSetups: CwHostedSetup[];
};

export type ConnectWiseSimulator = {
  app: Hono;
  /** Calls the simulator in-process, honouring `init.signal` like a real fetch. */
  fetch: FetchLike;
  state: ConnectWiseSimulatorState;
  /**
   * The next `times` requests matching the pattern (and method) get `status`. A string pattern is
   * matched against the path relative to `…/apis/3.0` (or the full path outside the API, e.g.
   * `/login/companyinfo/northwind`), with `*` standing for one path segment; a RegExp is tested as is.
   */
  failNext(pattern: string | RegExp, status: number, times?: number, options?: FailureOptions): void;
  /**
   * Adds a Manage Hosted API entry, as an admin does in Setup Tables: the simulated service ticket
   * screen (`ticketUrl`'s page) then shows it as a pod and speaks the Hosted API messages with it.
   */
  addHostedSetup(setup: Omit<CwHostedSetup, 'screen' | 'type' | 'podHeight'> & Partial<Pick<CwHostedSetup, 'podHeight'>>): void;
  listen(options?: { port?: number; host?: string; tls?: { key: string | Buffer; cert: string | Buffer } }): Promise<{
    url: string;
    port: number;
    close(): Promise<void>;
  }>;
  credentials: { companyId: string; publicKey: string; privateKey: string; clientId: string; codebase: string };
};

const LATEST_VERSION = '2025.8';
/** The API member the keys belong to: notes are its own unless they name another member. */
const API_MEMBER = { id: 199, identifier: 'APIMember', name: 'API Member' };
const VENDOR_TYPE = 'application/vnd.connectwise.com+json';
const API_PATH = /^\/([A-Za-z0-9_.]+\/)?apis\/3\.0(\/.*)?$/;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 25;

// Writable ticket fields a PATCH may name (case-sensitive, reference §5).
const TICKET_PATCH_FIELDS = new Set([
  'summary',
  'status',
  'board',
  'priority',
  'company',
  'contact',
  'contactName',
  'contactPhoneNumber',
  'contactPhoneExtension',
  'contactEmailAddress',
  'owner',
  'closedFlag',
  'severity',
  'impact',
  'customFields',
  'initialDescription',
  'type',
  'subType',
  'item',
  'team',
  'site',
  'resources',
  'requiredDate',
  'budgetHours',
]);

type CwErrorBody = { code: string; message: string; errors: unknown[] | null };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

const cwError = (status: number, code: string, message: string, errors: unknown[] | null = null) =>
  json(status, { code, message, errors } satisfies CwErrorBody);

const notFound = (what: string, id: number | string) => cwError(404, 'NotFound', `${what} recid ${id} not found`);

const routeNotFound = (url: URL) =>
  cwError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.origin}${url.pathname}'.`);

function matches(pattern: string | RegExp, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return regex.test(path);
}

function versionParts(version: string): [number, number] | undefined {
  const match = /^(\d{4})\.(\d{1,2})$/.exec(version);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2])];
}

/**
 * Reads the model version from Accept. Only a vendor media type listed FIRST pins a version
 * (reference §9, connectwise-rest PR #19); anything else gets the latest models.
 */
function negotiateVersion(accept: string | null, latest: string): { version: string } | { unsupported: string } {
  if (!accept) return { version: latest };
  const first = accept.split(',')[0] ?? '';
  const [type, ...params] = first.split(';').map((part) => part.trim());
  if (type?.toLowerCase() !== VENDOR_TYPE) return { version: latest };
  const param = params.find((p) => p.toLowerCase().startsWith('version='));
  if (!param) return { version: latest };
  const requested = param.slice('version='.length).replace(/^"|"$/g, '').trim();
  const parts = versionParts(requested);
  const latestParts = versionParts(latest) ?? [2025, 8];
  // A value that is not a PSA release (3.0.0, 0.0) is read as version 0.0, as the real server reports.
  if (!parts) return { unsupported: '0.0' };
  const [year, minor] = parts;
  if (year < 2019 || year > latestParts[0] || (year === latestParts[0] && minor > latestParts[1])) return { unsupported: requested };
  return { version: requested };
}

function pickFields(record: CwRecord, fields: string | null): unknown {
  if (!fields) return record;
  const out: Record<string, unknown> = {};
  for (const field of fields.split(',').map((f) => f.trim())) {
    if (!field) continue;
    const segments = field.split('/');
    const value = readPath(record, field);
    if (value === undefined) continue;
    let target = out;
    for (const segment of segments.slice(0, -1)) {
      target[segment] = (target[segment] as Record<string, unknown> | undefined) ?? {};
      target = target[segment] as Record<string, unknown>;
    }
    target[segments[segments.length - 1] as string] = value;
  }
  return out;
}

/** The model type of each path, inferred from the data (plus the rows of an empty collection's seed). */
/**
 * Field types of a resource the server knows from its model, not from the rows it happens to hold:
 * a condition on an empty list is still checked (the real API knows `text` on a ticket with no
 * notes yet).
 */
const SERVICE_NOTE_FIELDS: Record<string, FieldType> = {
  id: 'number',
  ticketId: 'number',
  text: 'string',
  detailDescriptionFlag: 'boolean',
  internalAnalysisFlag: 'boolean',
  resolutionFlag: 'boolean',
  issueFlag: 'boolean',
  customerUpdatedFlag: 'boolean',
  processNotifications: 'boolean',
  internalFlag: 'boolean',
  externalFlag: 'boolean',
  dateCreated: 'datetime',
  createdBy: 'string',
  member: 'object',
  contact: 'object',
};

function typeOfIn(rows: unknown[], known?: Record<string, FieldType>): (path: string) => FieldType | undefined {
  return (path) => {
    const declared = known?.[path];
    if (declared) return declared;
    let seen = false;
    for (const row of rows) {
      const value = readPath(row, path);
      if (value === undefined) continue;
      seen = true;
      const type = valueType(value);
      if (type) return type;
    }
    return seen ? 'any' : undefined;
  };
}

class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors: unknown[] | null = null,
  ) {
    super(message);
  }
}

function parseFilter(text: string | null, rows: unknown[], known?: Record<string, FieldType>): ((row: unknown) => boolean) | undefined {
  if (text === null || text.trim() === '') return undefined;
  try {
    const tree = parseConditions(text);
    checkConditionTypes(tree, typeOfIn(rows, known));
    return (row) => evaluateConditions(tree, (path) => readPath(row, path));
  } catch (error) {
    // ApiFindCondition is the code reported for a rejected find condition (reference §6).
    if (error instanceof ConditionError) throw new BadRequest('ApiFindCondition', error.message);
    throw error;
  }
}

/**
 * childConditions query arrays inside a record (reference §6): the record matches when one
 * element of the array satisfies the whole expression, e.g. the same communication item has both
 * the value and the Email type.
 */
/**
 * The list fields childConditions can query, with their elements' field types, so a query is
 * checked the same way whether or not any record has such a list yet (an empty company answers
 * [] like ConnectWise, not an error).
 */
const CHILD_LIST_FIELDS: Record<string, Record<string, FieldType>> = {
  communicationItems: {
    id: 'number',
    value: 'string',
    extension: 'string',
    defaultFlag: 'boolean',
    communicationType: 'string',
    'type/id': 'number',
    'type/name': 'string',
  },
};

function parseChildFilter(text: string | null, rows: CwRecord[]): ((row: CwRecord) => boolean) | undefined {
  if (text === null || text.trim() === '') return undefined;
  try {
    const tree = parseConditions(text);
    const arrays = new Set<string>();
    const collect = (node: ReturnType<typeof parseConditions>): void => {
      if (node.kind === 'and' || node.kind === 'or') {
        collect(node.left);
        collect(node.right);
      } else if (node.kind === 'not') collect(node.expr);
      else arrays.add(node.field.split('/')[0] as string);
    };
    collect(tree);
    const [arrayField] = [...arrays];
    const declared = arrayField === undefined ? undefined : CHILD_LIST_FIELDS[arrayField];
    if (arrays.size !== 1 || arrayField === undefined || (!declared && !rows.some((r) => Array.isArray(r[arrayField])))) {
      throw new ConditionError('childConditions must all refer to one list field, e.g. communicationItems/value.');
    }
    const elements = rows.flatMap((r) => (Array.isArray(r[arrayField]) ? (r[arrayField] as unknown[]) : []));
    checkConditionTypes(tree, (path) => typeOfIn(elements, declared)(path.slice(arrayField.length + 1)));
    return (row) => {
      const items = Array.isArray(row[arrayField]) ? (row[arrayField] as unknown[]) : [];
      return items.some((item) => evaluateConditions(tree, (path) => readPath(item, path.slice(arrayField.length + 1))));
    };
  } catch (error) {
    if (error instanceof ConditionError) throw new BadRequest('ApiFindCondition', error.message);
    throw error;
  }
}

function positiveInt(raw: string | null, name: string, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new BadRequest('InvalidObject', `${name} must be a positive whole number.`);
  return Number(raw);
}

function listResponse(
  request: Request,
  url: URL,
  allRows: CwRecord[],
  options: { conditions?: string | null; childConditions?: boolean; fields?: Record<string, FieldType> } = {},
): Response {
  const params = url.searchParams;
  const filter = parseFilter(options.conditions ?? params.get('conditions'), allRows, options.fields);
  const childFilter = options.childConditions ? parseChildFilter(params.get('childConditions'), allRows) : undefined;
  let rows = allRows.filter((row) => (filter ? filter(row) : true) && (childFilter ? childFilter(row) : true));
  const pageSize = Math.min(MAX_PAGE_SIZE, positiveInt(params.get('pageSize'), 'pageSize', DEFAULT_PAGE_SIZE));
  const fields = params.get('fields');
  const link = (changes: Record<string, string>) => {
    const target = new URL(url);
    for (const [key, value] of Object.entries(changes)) target.searchParams.set(key, value);
    return target.toString();
  };

  if (request.headers.get('pagination-type')?.toLowerCase() === 'forward-only') {
    if (params.has('orderBy')) throw new BadRequest('InvalidObject', 'orderBy is not supported with forward-only pagination.');
    const pageId = params.has('pageId') ? Number(params.get('pageId')) : 0;
    if (!Number.isInteger(pageId) || pageId < 0) throw new BadRequest('InvalidObject', 'pageId must be a whole number.');
    // pageId acts as `id > pageId`, in id order; page is ignored.
    const page = rows
      .filter((r) => r.id > pageId)
      .sort((a, b) => a.id - b.id)
      .slice(0, pageSize);
    const headers: Record<string, string> = {};
    const last = page[page.length - 1];
    if (last) headers.link = `<${link({ pageId: String(last.id), pageSize: String(pageSize) })}>; rel="next"`;
    return json(
      200,
      page.map((r) => pickFields(r, fields)),
      headers,
    );
  }

  const orderBy = params.get('orderBy');
  if (orderBy) {
    const keys = orderBy.split(',').map((part) => {
      const [field = '', direction = 'asc'] = part.trim().split(/\s+/);
      if (!['asc', 'desc'].includes(direction.toLowerCase()))
        throw new BadRequest('InvalidObject', `Invalid orderBy direction '${direction}'.`);
      if (typeOfIn(allRows)(field) === undefined) throw new BadRequest('InvalidObject', `Unknown orderBy field '${field}'.`);
      return { field, sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
    });
    rows = [...rows].sort((a, b) => {
      for (const { field, sign } of keys) {
        const x = readPath(a, field) as string | number | null;
        const y = readPath(b, field) as string | number | null;
        if (x === y) continue;
        if (x === null || x === undefined) return -sign;
        if (y === null || y === undefined) return sign;
        return (typeof x === 'string' ? x.localeCompare(String(y)) : x < (y as number) ? -1 : 1) * sign;
      }
      return 0;
    });
  } else {
    rows = [...rows].sort((a, b) => a.id - b.id);
  }
  const page = positiveInt(params.get('page'), 'page', 1);
  const lastPage = Math.max(1, Math.ceil(rows.length / pageSize));
  const size = String(pageSize);
  const links = [`<${link({ page: '1', pageSize: size })}>; rel="first"`];
  if (page > 1) links.push(`<${link({ page: String(Math.min(page - 1, lastPage)), pageSize: size })}>; rel="prev"`);
  if (page < lastPage) links.push(`<${link({ page: String(page + 1), pageSize: size })}>; rel="next"`);
  links.push(`<${link({ page: String(lastPage), pageSize: size })}>; rel="last"`);
  const slice = rows.slice((page - 1) * pageSize, page * pageSize);
  return json(
    200,
    slice.map((r) => pickFields(r, fields)),
    { link: links.join(', ') },
  );
}

function countResponse(url: URL, rows: CwRecord[]): Response {
  const filter = parseFilter(url.searchParams.get('conditions'), rows);
  return json(200, { count: filter ? rows.filter(filter).length : rows.length });
}

export function createConnectWiseSimulator(options: ConnectWiseSimulatorOptions = {}): ConnectWiseSimulator {
  const clock = options.clock ?? systemClock;
  const credentials = {
    companyId: options.companyId ?? demoMsp.connectWiseCompanyId,
    publicKey: options.publicKey ?? demoMsp.publicKey,
    privateKey: options.privateKey ?? demoMsp.privateKey,
    clientId: options.clientId ?? demoMsp.clientId,
    codebase: options.codebase ?? demoMsp.codebase,
  };
  const latestVersion = options.latestVersion ?? LATEST_VERSION;
  const seed: ConnectWiseSeed = { ...demoConnectWiseSeed(), ...options.seed };
  const nowIso = () => new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const data = buildConnectWiseData(seed, `/${credentials.codebase}apis/3.0`, nowIso());
  const state: ConnectWiseSimulatorState = {
    ...data,
    notes: new Map(),
    requests: [],
    latencyMs: options.latencyMs ?? 0,
    cloudMode: options.cloudMode ?? false,
    requireApiHostPrefix: options.requireApiHostPrefix ?? false,
    rateLimit: options.rateLimit,
    forbidden: [...(options.forbidden ?? [])],
    hostedSetups: [],
  };
  const failures: Failure[] = [];
  let window = { start: clock.now(), used: 0 };
  let nextNoteId = 9001;
  const expectedBasic = `${credentials.companyId}+${credentials.publicKey}:${credentials.privateKey}`;

  function takeFailure(method: string, path: string): Response | undefined {
    const failure = failures.find(
      (f) => f.remaining > 0 && (!f.options.method || f.options.method.toUpperCase() === method) && matches(f.pattern, path),
    );
    if (!failure) return undefined;
    failure.remaining--;
    const headers: Record<string, string> = {};
    if (failure.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.options.retryAfterSeconds);
    const body =
      failure.options.body ??
      (failure.status === 429
        ? { error: 'ConnectWiseAPI', message: `Too many requests. Please try again in ${failure.options.retryAfterSeconds ?? 30} seconds.` }
        : {
            code: failure.status >= 500 ? 'UnexpectedError' : 'InvalidObject',
            message: `Injected failure (${failure.status}).`,
            errors: null,
          });
    return json(failure.status, body, headers);
  }

  function rateLimited(): Response | undefined {
    const limit = state.rateLimit;
    if (!limit) return undefined;
    const now = clock.now();
    if (now - window.start >= limit.windowMs) window = { start: now, used: 0 };
    window.used++;
    if (window.used <= limit.requests) return undefined;
    const seconds = Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000));
    // Not the usual {code,message} shape (reference §8).
    return json(
      429,
      { error: 'ConnectWiseAPI', message: `Too many requests. Please try again in ${seconds} seconds.` },
      { 'retry-after': String(seconds) },
    );
  }

  function checkAuth(request: Request): { ok: true } | { ok: false; reason: 'basic' | 'clientId' } {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
    if (!match || !constantTimeEquals(decoded, expectedBasic)) return { ok: false, reason: 'basic' };
    const clientId = request.headers.get('clientid');
    if (!clientId || !constantTimeEquals(clientId.trim().toLowerCase(), credentials.clientId.toLowerCase())) {
      return { ok: false, reason: 'clientId' };
    }
    return { ok: true };
  }

  async function readJson(request: Request): Promise<unknown> {
    const text = await request.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new BadRequest('InvalidObject', 'The request body is not valid JSON.');
    }
  }

  function ticketOr404(id: number): CwRecord {
    const ticket = state.tickets.get(id);
    if (!ticket) throw new NotFoundError('Ticket', id);
    return ticket;
  }

  /**
   * The member a note is attributed to: the one named in the body (a MemberReference, by id or
   * identifier, reference §3.1), else the API member that signed in. A member that does not exist
   * is refused with the usual validation body (reference §8 `{code, message, errors[]}`); the exact
   * code and wording ConnectWise uses for this is unverified, the status and shape are not.
   */
  function noteMember(raw: unknown): CwRecord {
    if (raw === undefined || raw === null) return { id: API_MEMBER.id, identifier: API_MEMBER.identifier, name: API_MEMBER.name };
    const ref = raw as { id?: unknown; identifier?: unknown };
    const refused = (message: string) =>
      new BadRequest('InvalidObject', 'serviceNote object is invalid', [
        { code: 'InvalidObject', message, resource: 'serviceNote', field: 'member' },
      ]);
    if (typeof raw !== 'object' || Array.isArray(raw) || (ref.id === undefined && ref.identifier === undefined)) {
      throw refused('member must be an object with an id or an identifier.');
    }
    if (ref.id !== undefined && (typeof ref.id !== 'number' || !Number.isInteger(ref.id)))
      throw refused('member id must be a whole number.');
    const found =
      typeof ref.id === 'number'
        ? state.members.get(ref.id)
        : [...state.members.values()].find((m) => String(m.identifier).toLowerCase() === String(ref.identifier).toLowerCase());
    if (!found) throw refused(`Member ${String(ref.id ?? ref.identifier)} was not found.`);
    return { id: found.id, identifier: found.identifier, name: `${String(found.firstName)} ${String(found.lastName)}`.trim() };
  }

  async function createNote(request: Request, ticketId: number, entry: SimulatorRequestLogEntry): Promise<Response> {
    ticketOr404(ticketId);
    const body = await readJson(request);
    entry.body = body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequest('InvalidObject', 'serviceNote object is invalid');
    }
    const input = body as Record<string, unknown>;
    const flag = (name: string) => {
      const value = input[name];
      if (value !== undefined && typeof value !== 'boolean') {
        throw new BadRequest('InvalidObject', 'serviceNote object is invalid', [
          { code: 'InvalidField', message: `${name} must be true or false.`, resource: 'serviceNote', field: name },
        ]);
      }
      return value === true;
    };
    const detail = flag('detailDescriptionFlag');
    const internal = flag('internalAnalysisFlag');
    const resolution = flag('resolutionFlag');
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      throw new BadRequest('InvalidObject', 'serviceNote object is invalid', [
        { code: 'NullValue', message: 'Text is required.', resource: 'serviceNote', field: 'text' },
      ]);
    }
    if (!detail && !internal && !resolution) {
      // Exact wording from LabtechConsulting/ConnectWise-Manage-Powershell #12 (reference §4).
      throw new BadRequest('InvalidObject', 'serviceNote object is invalid', [
        {
          code: 'InvalidObject',
          message: 'Please choose where to display the notes in order to save this record.',
          resource: 'serviceNote',
          field: 'detailDescriptionFlag',
        },
      ]);
    }
    const member = noteMember(input.member);
    const note: CwRecord = {
      id: nextNoteId++,
      ticketId,
      // Newline and CR collapse to a space; \b and \f are not supported (reference §4).
      text: input.text.replace(/\r\n|\r|\n/g, ' ').replace(/[\b\f]/g, ''),
      detailDescriptionFlag: detail,
      internalAnalysisFlag: internal,
      resolutionFlag: resolution,
      issueFlag: flag('issueFlag'),
      member,
      customerUpdatedFlag: flag('customerUpdatedFlag'),
      processNotifications: flag('processNotifications'),
      dateCreated: nowIso(),
      createdBy: 'APIMember',
      internalFlag: internal,
      externalFlag: detail,
      _info: { lastUpdated: nowIso(), updatedBy: 'APIMember' },
    };
    const list = state.notes.get(ticketId) ?? [];
    list.push(note);
    state.notes.set(ticketId, list);
    return json(201, note);
  }

  async function patchTicket(request: Request, id: number, entry: SimulatorRequestLogEntry): Promise<Response> {
    const ticket = ticketOr404(id);
    const body = await readJson(request);
    entry.body = body;
    if (!Array.isArray(body) || body.length === 0) {
      throw new BadRequest('InvalidObject', 'A PATCH body must be a non-empty array of {op, path, value} operations.');
    }
    const updated: CwRecord = structuredClone(ticket);
    let changed = false;
    for (const raw of body) {
      const operation = raw as { op?: unknown; path?: unknown; value?: unknown };
      if (operation === null || typeof operation !== 'object' || !['add', 'replace', 'remove'].includes(operation.op as string)) {
        throw new BadRequest('InvalidObject', 'Each patch operation needs op "add", "replace" or "remove".');
      }
      if (typeof operation.path !== 'string' || operation.path === '')
        throw new BadRequest('InvalidObject', 'Each patch operation needs a path.');
      const path = operation.path;
      if (path.startsWith('/')) {
        throw new BadRequest('InvalidObject', `Invalid patch path '${path}': use the bare field name without a leading '/'.`);
      }
      const [field = '', ...rest] = path.split('/');
      if (!TICKET_PATCH_FIELDS.has(field)) {
        throw new BadRequest('InvalidObject', `Cannot apply patch: '${field}' is not a field of ticket (paths are case-sensitive).`);
      }
      // A sub-path such as company/identifier answers 200 without changing anything (reference §5).
      if (rest.length > 0) continue;
      const value = operation.op === 'remove' ? null : operation.value;
      if (field === 'status' || field === 'board') {
        if (value === null || typeof value !== 'object')
          throw new BadRequest('InvalidObject', `${field} must be an object such as {"id": 1}.`);
        const ref = value as { id?: unknown; name?: unknown };
        if (field === 'board') {
          const board = typeof ref.id === 'number' ? state.boards.get(ref.id) : [...state.boards.values()].find((b) => b.name === ref.name);
          if (!board)
            throw new BadRequest('InvalidObject', 'ticket object is invalid', [
              { code: 'InvalidBoard', message: 'Board not found.', field: 'board' },
            ]);
          updated.board = { id: board.id, name: board.name };
          const status = updated.status as { id?: number } | undefined;
          if (!board.statuses.some((s) => s.id === status?.id)) {
            const first = board.statuses[0];
            updated.status = first ? { id: first.id, name: first.name } : null;
          }
        } else {
          const boardId = (updated.board as { id: number }).id;
          const board = state.boards.get(boardId);
          const status = board?.statuses.find((s) => (typeof ref.id === 'number' ? s.id === ref.id : s.name === ref.name));
          if (!status) {
            throw new BadRequest('InvalidObject', 'ticket object is invalid', [
              {
                code: 'InvalidStatus',
                message: `Status ${String(ref.id ?? ref.name)} is not a status of board '${board?.name ?? boardId}'.`,
                resource: 'ticket',
                field: 'status',
              },
            ]);
          }
          updated.status = { id: status.id, name: status.name };
        }
        changed = true;
        continue;
      }
      if (field === 'customFields') {
        // Replaced wholesale: whatever is not in the array is gone (reference §5).
        if (!Array.isArray(value)) throw new BadRequest('InvalidObject', 'customFields must be the entire array of custom field values.');
        updated.customFields = value;
        changed = true;
        continue;
      }
      if (field === 'summary' && (typeof value !== 'string' || value.length === 0 || value.length > 100)) {
        throw new BadRequest('InvalidObject', 'ticket object is invalid', [
          { code: 'InvalidField', message: 'Summary must be 1 to 100 characters.', field: 'summary' },
        ]);
      }
      if (field === 'closedFlag' && typeof value !== 'boolean') throw new BadRequest('InvalidObject', 'closedFlag must be true or false.');
      updated[field] = value;
      changed = true;
    }
    if (changed) {
      updated._info = { ...(updated._info as object), lastUpdated: nowIso(), updatedBy: 'APIMember' };
      state.tickets.set(id, updated);
    }
    return json(200, updated);
  }

  function single(map: Map<number, CwRecord>, label: string, rawId: string, url: URL): Response {
    const id = Number(rawId);
    const record = map.get(id);
    if (!record) return notFound(label, rawId);
    return json(200, pickFields(record, url.searchParams.get('fields')));
  }

  async function routeApi(request: Request, url: URL, path: string, entry: SimulatorRequestLogEntry): Promise<Response> {
    const method = request.method.toUpperCase();
    const seg = path.split('/').filter(Boolean);
    const isId = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
    const get = method === 'GET';
    const [a, b, c, d, e] = seg;

    if (a === 'system' && b === 'info' && seg.length === 2 && get) {
      return json(200, {
        version: `v${latestVersion}.${12345}`,
        isCloud: state.cloudMode,
        serverTimeZone: 'Eastern Standard Time',
        licenseBits: [{ name: 'Service', activeFlag: true }],
        cloudRegion: state.cloudMode ? 'NA' : '',
      });
    }
    const collections: Record<string, { map: Map<number, CwRecord>; label: string; child?: boolean }> = {
      'system/members': { map: state.members, label: 'Member' },
      'company/companies': { map: state.companies, label: 'Company' },
      'company/contacts': { map: state.contacts, label: 'Contact', child: true },
      'service/tickets': { map: state.tickets, label: 'Ticket' },
      'project/tickets': { map: state.projectTickets, label: 'Ticket' },
    };
    const collection = collections[`${a}/${b}`];
    if (collection) {
      const rows = [...collection.map.values()];
      if (seg.length === 2) {
        if (get) return listResponse(request, url, rows, { childConditions: collection.child === true });
        return cwError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      }
      if (seg.length === 3 && c === 'count' && get) return countResponse(url, rows);
      if (seg.length === 3 && c === 'search' && method === 'POST' && a === 'service') {
        const body = (await readJson(request)) as { conditions?: unknown };
        entry.body = body;
        return listResponse(request, url, rows, { conditions: typeof body?.conditions === 'string' ? body.conditions : null });
      }
      if (!isId(c)) return routeNotFound(url);
      const id = Number(c);
      if (seg.length === 3) {
        if (get) return single(collection.map, collection.label, c as string, url);
        if (method === 'PATCH' && a === 'service') return patchTicket(request, id, entry);
        return cwError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      }
      if (a === 'service' && d === 'notes') {
        if (seg.length === 4 && get) {
          ticketOr404(id);
          return listResponse(request, url, state.notes.get(id) ?? [], { fields: SERVICE_NOTE_FIELDS });
        }
        if (seg.length === 4 && method === 'POST') return createNote(request, id, entry);
        if (seg.length === 5 && get && isId(e)) {
          ticketOr404(id);
          const note = (state.notes.get(id) ?? []).find((n) => n.id === Number(e));
          return note ? json(200, note) : notFound('ServiceNote', e as string);
        }
      }
      if (a === 'company' && b === 'contacts' && d === 'communications' && seg.length === 4 && get) {
        const contact = state.contacts.get(id);
        if (!contact) return notFound('Contact', id);
        return listResponse(request, url, (contact.communicationItems as CwRecord[]) ?? []);
      }
      return routeNotFound(url);
    }
    if (a === 'service' && b === 'boards' && get) {
      const boards = [...state.boards.values()];
      const boardRecord = (board: CwBoard): CwRecord => ({ id: board.id, name: board.name, inactiveFlag: false });
      if (seg.length === 2) return listResponse(request, url, boards.map(boardRecord));
      if (!isId(c)) return routeNotFound(url);
      const board = state.boards.get(Number(c));
      if (!board) return notFound('Board', c as string);
      if (seg.length === 3) return json(200, boardRecord(board));
      if (d === 'statuses' && seg.length === 4) return listResponse(request, url, board.statuses);
      if (d === 'statuses' && seg.length === 5 && isId(e)) {
        const status = board.statuses.find((s) => s.id === Number(e));
        return status ? json(200, status) : notFound('ServiceStatus', e as string);
      }
    }
    return routeNotFound(url);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const apiMatch = API_PATH.exec(url.pathname);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = name === 'authorization' ? `${value.split(' ')[0]} [redacted]` : value;
    });
    const entry: SimulatorRequestLogEntry = {
      method,
      path: apiMatch ? (apiMatch[2] ?? '/') : url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      basicAuthOk: false,
      status: 0,
    };
    state.requests.push(entry);
    if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
    let response: Response;
    try {
      response = await dispatch(request, url, method, apiMatch, entry);
    } catch (error) {
      if (error instanceof BadRequest) response = cwError(400, error.code, error.message, error.errors);
      else if (error instanceof NotFoundError) response = notFound(error.label, error.id);
      else response = cwError(500, 'UnexpectedError', 'An unexpected error occurred.');
    }
    entry.status = response.status;
    return response;
  }

  async function dispatch(
    request: Request,
    url: URL,
    method: string,
    apiMatch: RegExpExecArray | null,
    entry: SimulatorRequestLogEntry,
  ): Promise<Response> {
    // The web UI's ticket screen (no API rules apply: it is the page technicians see).
    if (method === 'GET' && TICKET_SCREEN_PATH.test(url.pathname)) return ticketScreen(url);
    const injected = takeFailure(method, entry.path);
    if (injected) return injected;
    const limited = rateLimited();
    if (limited) return limited;

    const companyInfo = /^\/login\/companyinfo\/([^/]+)$/.exec(url.pathname);
    if (companyInfo && method === 'GET') {
      // No auth here: clients call it before they know where the API lives (reference §1).
      if (decodeURIComponent(companyInfo[1] as string).toLowerCase() !== credentials.companyId.toLowerCase()) {
        return routeNotFound(url);
      }
      return json(200, {
        CompanyName: options.companyName ?? demoMsp.name,
        Codebase: credentials.codebase,
        VersionCode: `v${latestVersion}`,
        VersionNumber: `v4.6.${latestVersion.replace('.', '')}`,
        CompanyID: credentials.companyId,
        IsCloud: state.cloudMode ? 'True' : 'False',
      });
    }
    if (!apiMatch) return routeNotFound(url);
    const codebase = apiMatch[1];
    if (codebase !== credentials.codebase && codebase !== 'v4_6_release/') return routeNotFound(url);
    if (state.requireApiHostPrefix && !url.hostname.toLowerCase().startsWith('api-')) {
      return cwError(400, 'Security', 'SSL is required.');
    }

    const auth = checkAuth(request);
    entry.basicAuthOk = auth.ok || auth.reason === 'clientId';
    if (!auth.ok) {
      // Cloud tenants answer bad credentials with 404 (reference §2).
      if (state.cloudMode) return routeNotFound(url);
      return auth.reason === 'basic'
        ? cwError(401, 'Unauthorized', 'Unauthorized: the API keys or company id are not valid.')
        : cwError(401, 'Unauthorized', 'A valid clientId header is required. Register one at developer.connectwise.com.');
    }

    const negotiated = negotiateVersion(request.headers.get('accept'), latestVersion);
    if ('unsupported' in negotiated) {
      return cwError(
        400,
        'ConnectWiseApi',
        `The HTTP resource that matches the request URI '${url.origin}${url.pathname}' does not support the API version '${negotiated.unsupported}'.`,
      );
    }
    entry.apiVersion = negotiated.version;

    const denied = state.forbidden.find((rule) => (!rule.method || rule.method.toUpperCase() === method) && matches(rule.path, entry.path));
    if (denied) {
      return cwError(403, 'NotAuthorized', `The API member's security role does not allow ${method} ${entry.path}.`);
    }
    const response = await routeApi(request, url, entry.path, entry);
    response.headers.set('content-type', `${VENDOR_TYPE}; version=${negotiated.version}; charset=utf-8`);
    return response;
  }

  function ticketScreen(url: URL): Response {
    const ticket = state.tickets.get(Number(url.searchParams.get('service_recid')));
    if (!ticket) return new Response('No such ticket', { status: 404, headers: { 'content-type': 'text/plain' } });
    // Who is signed in to the simulated UI: ?member=<identifier>, else the first member.
    const wanted = url.searchParams.get('member')?.toLowerCase();
    const members = [...state.members.values()];
    const member = members.find((m) => String(m.identifier).toLowerCase() === wanted) ?? members[0] ?? { id: 0, identifier: '' };
    return ticketScreenPage({ ticket, setups: state.hostedSetups, member, site: url.origin, companyId: credentials.companyId });
  }

  const app = new Hono();
  app.all('*', (c) => handle(c.req.raw));

  const fetchLike: FetchLike = (input, init) => {
    const request = new Request(input, init);
    const signal = init?.signal;
    if (!signal) return handle(request);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      handle(request).then(
        (response) => {
          signal.removeEventListener('abort', onAbort);
          resolve(response);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  };

  return {
    app,
    fetch: fetchLike,
    state,
    credentials,
    failNext(pattern, status, times = 1, failureOptions = {}) {
      failures.push({ pattern, status, remaining: times, options: failureOptions });
    },
    addHostedSetup(setup) {
      state.hostedSetups.push({ screen: 'Service Tickets', type: 'Pod', podHeight: 320, ...setup });
    },
    async listen(listenOptions = {}) {
      const listener = getRequestListener((request) => handle(request));
      const server: Server = listenOptions.tls
        ? createHttpsServer({ key: listenOptions.tls.key, cert: listenOptions.tls.cert }, listener)
        : createHttpServer(listener);
      const host = listenOptions.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listenOptions.port ?? 0, host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return {
        url: `${listenOptions.tls ? 'https' : 'http'}://${urlHost}:${port}`,
        port,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}

class NotFoundError extends Error {
  constructor(
    readonly label: string,
    readonly id: number | string,
  ) {
    super(`${label} recid ${id} not found`);
  }
}
