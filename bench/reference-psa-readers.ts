/**
 * The reference server's PSA side (bench/reference-server.ts): for each PSA, the least code that
 * does the same upstream work as the toolbox's connector on a screen pop, and obeys the same
 * vendor rules. Set-up work the connectors cache (ConnectWise's codebase, Autotask's zone and
 * ticket picklists, HaloPSA's token) is done once at start; each pop then reads the ticket, the
 * company and the contact in parallel and returns what the form shows.
 */

/** The upstream HTTP the reference has: JSON in, JSON out, a non-2xx is an error. */
export type ReferenceHttp = {
  get<T>(url: string, headers: Record<string, string>): Promise<T>;
  postForm<T>(url: string, form: URLSearchParams): Promise<T>;
};

export type ReferenceConnectWiseSettings = {
  kind?: 'connectwise';
  siteUrl: string;
  apiUrl: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  apiVersion?: string;
};

export type ReferenceAutotaskSettings = {
  kind: 'autotask';
  zoneDiscoveryUrl: string;
  username: string;
  secret: string;
  integrationCode: string;
};

export type ReferenceHaloPsaSettings = {
  kind: 'halopsa';
  url: string;
  clientId: string;
  clientSecret: string;
  tenant?: string;
};

/** The `psa` block of the demo configuration, whichever PSA it points at. */
export type ReferencePsaSettings = ReferenceConnectWiseSettings | ReferenceAutotaskSettings | ReferenceHaloPsaSettings;

/** What a pop shows of the PSA's records, already in words. */
export type PopContext = {
  ticket: { label: string; summary: string; queue: string; status: string } | null;
  company: { name: string; identifier: string };
  contact: { name: string; email: string | undefined };
};

export type PsaReader = (ids: { ticketId: string | null; companyId: string; contactId: string }) => Promise<PopContext>;

const text = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
const firstNonBlank = (...values: unknown[]) =>
  values.map((value) => (typeof value === 'string' ? value.trim() : '')).find((value) => value !== '') || undefined;

/** Runs the set-up for the PSA the settings name, and returns its per-pop reader. */
export async function startReferencePsaReader(settings: ReferencePsaSettings, http: ReferenceHttp): Promise<PsaReader> {
  if (settings.kind === 'autotask') return autotaskReader(settings, http);
  if (settings.kind === 'halopsa') return haloPsaReader(settings, http);
  return connectWiseReader(settings, http);
}

type CwRef = { id?: number; name?: string } | undefined;
type CwTicket = { id: number; summary?: string; board?: CwRef; status?: CwRef };
type CwCompany = { id: number; identifier?: string; name?: string };
type CwContact = {
  id: number;
  firstName?: string;
  lastName?: string;
  communicationItems?: { communicationType?: string; value?: string; defaultFlag?: boolean }[];
};

/**
 * ConnectWise, as the connector calls it: `{api}/{codebase}apis/3.0/service/tickets/{id}`,
 * `/company/companies/{id}`, `/company/contacts/{id}` with Basic `company+public:private`,
 * `clientId` and the versioned vendor Accept; the codebase is discovered once at start.
 */
async function connectWiseReader(psa: ReferenceConnectWiseSettings, http: ReferenceHttp): Promise<PsaReader> {
  const companyInfo = await http.get<{ Codebase: string }>(`${psa.siteUrl}/login/companyinfo/${encodeURIComponent(psa.companyId)}`, {
    accept: 'application/json',
  });
  const apiBase = `${psa.apiUrl}/${companyInfo.Codebase.replace(/^\/+|\/+$/g, '')}/apis/3.0`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${psa.companyId}+${psa.publicKey}:${psa.privateKey}`, 'utf8').toString('base64')}`,
    clientId: psa.clientId,
    accept: `application/vnd.connectwise.com+json; version=${psa.apiVersion ?? '2025.1'}, application/json`,
  };
  return async ({ ticketId, companyId, contactId }) => {
    const [ticket, company, contact] = await Promise.all([
      ticketId ? http.get<CwTicket>(`${apiBase}/service/tickets/${ticketId}`, headers) : Promise.resolve(null),
      http.get<CwCompany>(`${apiBase}/company/companies/${companyId}`, headers),
      http.get<CwContact>(`${apiBase}/company/contacts/${contactId}`, headers),
    ]);
    const emails = (contact.communicationItems ?? []).filter((item) => item.communicationType === 'Email' && item.value?.trim());
    return {
      ticket: ticket
        ? { label: `#${ticket.id}`, summary: text(ticket.summary), queue: text(ticket.board?.name), status: text(ticket.status?.name) }
        : null,
      company: { name: text(company.name), identifier: text(company.identifier) },
      contact: {
        name: `${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
        email: (emails.find((item) => item.defaultFlag) ?? emails[0])?.value?.trim(),
      },
    };
  };
}

/**
 * At most `limit` tasks at once, the rest waiting in order. A finished task hands its slot straight
 * to the next waiter, so a newcomer can never slip in between and make it `limit + 1`.
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (task) => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Autotask's thread limit (reference autotask.md §8): 3 requests at once per object endpoint. */
const AUTOTASK_THREADS_PER_ENDPOINT = 3;

type AtPicklistField = { name: string; picklistValues?: { value: string | number; label?: string | null }[] | null };

/**
 * Autotask, as the connector calls it (reference autotask.md §1–§3, §8): the zone looked up once at
 * start (`zoneInformation?user=`, without credentials, with the integration code), the three
 * headers on every call, `GET Tickets/{id}`, `Companies/{id}`, `Contacts/{id}` answered in
 * `{item}` envelopes, the contact's first non-blank e-mail of its three, the status and queue
 * labels from the ticket picklists read once at start (the connector keeps them 15 minutes), and
 * never more than 3 calls at once per endpoint: a 4th waits for a slot, as the connector's do.
 * Unlike the connector it does not watch the hourly threshold (one `ThresholdInformation` call a
 * minute in the toolbox), so that difference is in the reference's favour.
 */
async function autotaskReader(psa: ReferenceAutotaskSettings, http: ReferenceHttp): Promise<PsaReader> {
  const zone = await http.get<{ url: string }>(`${psa.zoneDiscoveryUrl}?user=${encodeURIComponent(psa.username)}`, {
    accept: 'application/json',
    ApiIntegrationCode: psa.integrationCode,
  });
  const apiBase = `${zone.url.endsWith('/') ? zone.url : `${zone.url}/`}V1.0`;
  const headers = { ApiIntegrationCode: psa.integrationCode, UserName: psa.username, Secret: psa.secret, accept: 'application/json' };
  const slots = new Map<string, ReturnType<typeof concurrencyLimit>>();
  const get = <T>(path: string) => slotted(slots, endpointOf(path), () => http.get<T>(`${apiBase}/${path}`, headers));
  const item = async <T>(path: string): Promise<T> => {
    const body = await get<{ item: T | null }>(path);
    if (!body.item) throw new Error(`${path}: no such record`);
    return body.item;
  };

  const picklists = await get<{ fields: AtPicklistField[] }>('Tickets/entityInformation/fields');
  const labels = (name: string) =>
    new Map(
      (picklists.fields.find((field) => field.name.toLowerCase() === name)?.picklistValues ?? []).map((value) => [
        Number(value.value),
        text(value.label),
      ]),
    );
  const statuses = labels('status');
  const queues = labels('queueid');

  type AtTicket = { id: number; ticketNumber?: string | null; title?: string | null; status?: number | null; queueID?: number | null };
  type AtCompany = { companyName?: string | null; companyNumber?: string | null };
  type AtContact = {
    firstName?: string | null;
    lastName?: string | null;
    emailAddress?: string | null;
    emailAddress2?: string | null;
    emailAddress3?: string | null;
  };
  return async ({ ticketId, companyId, contactId }) => {
    const [ticket, company, contact] = await Promise.all([
      ticketId ? item<AtTicket>(`Tickets/${ticketId}`) : Promise.resolve(null),
      item<AtCompany>(`Companies/${companyId}`),
      item<AtContact>(`Contacts/${contactId}`),
    ]);
    return {
      ticket: ticket
        ? {
            label: firstNonBlank(ticket.ticketNumber) ?? `#${ticket.id}`,
            summary: text(ticket.title),
            queue: ticket.queueID === null || ticket.queueID === undefined ? '' : (queues.get(ticket.queueID) ?? ''),
            status: ticket.status === null || ticket.status === undefined ? '' : (statuses.get(ticket.status) ?? ''),
          }
        : null,
      company: { name: text(company.companyName), identifier: text(company.companyNumber) },
      contact: {
        name: `${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
        email: firstNonBlank(contact.emailAddress, contact.emailAddress2, contact.emailAddress3),
      },
    };
  };
}

/** The object endpoint a call counts against: the path's first segment (`Tickets/1001` → tickets). */
const endpointOf = (path: string) => (path.split(/[/?]/).find(Boolean) ?? '').toLowerCase();

/** Runs a task in the endpoint's slots (made on first use). */
function slotted<T>(slots: Map<string, ReturnType<typeof concurrencyLimit>>, endpoint: string, task: () => Promise<T>): Promise<T> {
  let slot = slots.get(endpoint);
  if (!slot) {
    slot = concurrencyLimit(AUTOTASK_THREADS_PER_ENDPOINT);
    slots.set(endpoint, slot);
  }
  return slot(task);
}

type HaloTicket = { id: number; summary?: string | null; team?: string | null; status_name?: string | null };
type HaloClient = { name?: string | null; accountsid?: string | null };
type HaloUser = {
  name?: string | null;
  firstname?: string | null;
  surname?: string | null;
  emailaddress?: string | null;
  email2?: string | null;
};

/**
 * HaloPSA, as the connector calls it (reference halopsa.md §2–§3): a client-credentials token from
 * `{url}/auth/token` (form-encoded, `scope=all`, `?tenant=` when hosted) fetched once at start
 * (the connector caches it until shortly before it expires), then `GET /api/Tickets/{id}` with
 * `includedetails=true`, `/api/Client/{id}` and `/api/Users/{id}` with the bearer token. Halo
 * publishes no concurrency rule; the connector allows 32 calls at once, as the upstream pool does.
 */
async function haloPsaReader(psa: ReferenceHaloPsaSettings, http: ReferenceHttp): Promise<PsaReader> {
  const tokenUrl = `${psa.url}/auth/token${psa.tenant ? `?${new URLSearchParams({ tenant: psa.tenant })}` : ''}`;
  const token = await http.postForm<{ access_token?: string }>(
    tokenUrl,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: psa.clientId, client_secret: psa.clientSecret, scope: 'all' }),
  );
  if (!token.access_token) throw new Error('HaloPSA gave no access_token');
  const headers = { authorization: `Bearer ${token.access_token}`, accept: 'application/json' };
  const api = `${psa.url}/api`;
  return async ({ ticketId, companyId, contactId }) => {
    const [ticket, company, contact] = await Promise.all([
      ticketId ? http.get<HaloTicket>(`${api}/Tickets/${ticketId}?includedetails=true`, headers) : Promise.resolve(null),
      http.get<HaloClient>(`${api}/Client/${companyId}`, headers),
      http.get<HaloUser>(`${api}/Users/${contactId}`, headers),
    ]);
    const contactName = `${contact.firstname ?? ''} ${contact.surname ?? ''}`.trim() || text(contact.name);
    return {
      ticket: ticket
        ? { label: `#${ticket.id}`, summary: text(ticket.summary), queue: text(ticket.team), status: text(ticket.status_name) }
        : null,
      company: { name: text(company.name), identifier: text(company.accountsid) },
      contact: { name: contactName, email: firstNonBlank(contact.emailaddress, contact.email2) },
    };
  };
}
