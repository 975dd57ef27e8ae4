import type { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { ConnectionField } from '../connection-fields.js';
import type { SystemsCheckResult } from '../systems-check.js';

/**
 * The PSA connector port. A PSA (ConnectWise, Autotask, HaloPSA, …) is one folder beside this file
 * implementing `PsaConnector`, plus one line in `index.ts`. Nothing outside the folder knows which
 * PSA it is: each connector maps its own concepts (a ConnectWise board, an Autotask queue, a Halo
 * team; members, resources, agents) into the neutral shapes below, and supplies its own words,
 * id formats and screen-pop variables.
 *
 * Ids are strings at this boundary: each PSA has its own id format per kind of record, checked by
 * `parseId`.
 */
export type PsaTicket = {
  id: string;
  /** What a technician calls the ticket, e.g. "#123" or "T20240101.0042". */
  number: string;
  summary: string;
  /**
   * Where the ticket is filed, in the PSA's words: a ConnectWise board, an Autotask queue, a Halo
   * team. A label to show, nothing the toolbox acts on.
   */
  queue?: string;
  /** The ticket's status as the PSA names it, e.g. "New", "In Progress". */
  status?: string;
  /**
   * What sort of ticket it is, when that is worth saying beside queue and status (e.g. "project
   * ticket" in ConnectWise, "change request" elsewhere). Left out for the usual kind.
   */
  type?: string;
  companyId?: string;
  companyName?: string;
  contactId?: string;
  contactName?: string;
  /** Link to the ticket in the PSA's web UI. */
  url?: string;
};

export type PsaCompany = {
  id: string;
  /** A short code the PSA shows beside the name (ConnectWise's company identifier), if it has one. */
  identifier?: string;
  name: string;
};

export type PsaPhone = {
  /** The PSA's own label, e.g. "Direct", "Cell". */
  label: string;
  number: string;
  extension?: string;
};

export type PsaContact = {
  id: string;
  firstName: string;
  lastName: string;
  /** "First Last", trimmed. */
  name: string;
  email?: string;
  phones: PsaPhone[];
  /** The PSA company the contact belongs to, which may differ from the screen pop's company. */
  companyId?: string;
  companyName?: string;
  title?: string;
};

/**
 * A technician as the PSA knows them: a ConnectWise member, an Autotask resource, a Halo agent.
 * The toolbox maps its users to these (by e-mail) to attribute ticket notes.
 */
export type PsaMember = {
  id: string;
  /**
   * The short name the PSA shows for the technician: a ConnectWise member identifier, an Autotask
   * user name, a Halo agent's name. Shown beside `name` and in note attribution messages.
   */
  identifier: string;
  name: string;
  email?: string;
  inactive: boolean;
};

/** Who a note is written as: a technician of the PSA, by id, and how to name them in messages. */
export type PsaAuthor = {
  /** The member's id in this PSA (`parseId('member', …)`). */
  id: string;
  /** How the toolbox names them to people, e.g. their PSA identifier. Never sent as an id. */
  display: string;
};

export type PsaNote = {
  /**
   * The note text. Lines are separated by "\n"; each connector formats them for its PSA (ConnectWise
   * collapses newlines, so the connector must keep the note readable without them).
   */
  lines: string[];
  /**
   * `internal`: only the MSP's technicians see it (ConnectWise "Internal", Autotask internal
   * publish, Halo hidden from the user). `customer`: the customer may see it. The toolbox writes
   * internal notes only today; a connector must never widen the visibility it is given.
   */
  visibility: 'internal' | 'customer';
  /**
   * The technician the note is attributed to, when the toolbox user is mapped to one. Left out,
   * the note is the API user's. A PSA may refuse the author (unknown, inactive, not allowed): the
   * connector then throws `PSA_AUTHOR_REFUSED` (`author-refused.ts`), only when the PSA's answer
   * proves nothing was saved, and the caller writes the note once more without the author.
   */
  author?: PsaAuthor;
};

/** The e-mail domains a company's contacts use, for suggesting which directory serves it. */
export type PsaCompanyEmailDomains = {
  /** Active contacts with an e-mail address. */
  contactsWithEmail: number;
  /** Lower-case domain → how many of those contacts use it (each contact counted once, by its main address). */
  domains: Record<string, number>;
};

export type PsaClient = {
  getTicket(id: string, options?: { signal?: AbortSignal }): Promise<PsaTicket>;
  getCompany(id: string, options?: { signal?: AbortSignal }): Promise<PsaCompany>;
  getContact(id: string, options?: { signal?: AbortSignal }): Promise<PsaContact>;
  /** Every technician of the PSA (active or not), for the technician mapping. */
  listMembers(): Promise<PsaMember[]>;
  /** Every active company, all pages. */
  listCompanies(options?: { signal?: AbortSignal }): Promise<PsaCompany[]>;
  /** Writes a note on a ticket. Never retried blindly: a failure is reported, not repeated. */
  addTicketNote(ticketId: string, note: PsaNote): Promise<{ id: string }>;
  /**
   * The note on this ticket whose text contains `marker` verbatim (case and punctuation included,
   * once the connector's own formatting such as HTML is undone), or null. Before a note is written
   * again after a lost answer, this tells whether the first attempt landed after all. The marker
   * is delimited on both sides ("; execution X."), so containing it is an exact match: another
   * note that merely mentions the execution (a re-run's) does not carry it.
   */
  findTicketNote(ticketId: string, marker: string): Promise<{ id: string } | null>;
  /** Link to a ticket in the PSA's web UI. */
  ticketUrl(ticketId: string): string;
  /** Check by check, what works with these settings. Never throws. */
  systemsCheck(): Promise<SystemsCheckResult[]>;

  // Optional capabilities: a connector whose PSA cannot do one leaves it out (never a method that
  // only throws), and the toolbox does without it.

  /**
   * Per company id asked for (each one present, possibly with no contacts), its contacts' e-mail
   * domains. Without it the company mapping page makes no suggestions.
   */
  listContactEmailDomains?(companyIds: string[], options?: { signal?: AbortSignal }): Promise<Record<string, PsaCompanyEmailDomains>>;
  /**
   * Moves a ticket to the status with this name, as the PSA's statuses for that ticket go (a
   * ConnectWise board's statuses, an Autotask status picklist, a Halo status). Throws a
   * `ToolboxError` naming the statuses it has when there is none by that name.
   */
  setTicketStatus?(ticketId: string, statusName: string): Promise<void>;
};

/** The kinds of record a screen pop or a mapping names by id. */
export type PsaIdKind = 'ticket' | 'company' | 'contact' | 'member';

export const PSA_ID_KINDS: readonly PsaIdKind[] = ['ticket', 'company', 'contact', 'member'];

/** A noun in the PSA's own words, singular and plural. */
export type PsaNoun = { one: string; many: string };

/**
 * What the PSA calls things, so pages say "Autotask resource" or "Halo client" rather than a
 * ConnectWise word. Lower case (start of sentence is the page's business), except `name`.
 */
export type PsaWords = {
  /** The PSA's short name in a sentence, e.g. "ConnectWise", "Autotask", "HaloPSA". */
  name: string;
  ticket: PsaNoun;
  company: PsaNoun;
  contact: PsaNoun;
  /** A technician: ConnectWise "member", Autotask "resource", Halo "agent". */
  member: PsaNoun;
};

/**
 * The 1Stream variables that carry each id in a screen-pop URL for this PSA (1Stream replaces
 * them with the ids of the call's ticket, company and contact).
 */
export type PsaScreenPopVariables = { ticket: string; company: string; contact: string };

/**
 * How technicians open the toolbox from inside the PSA's own ticket screen, when the PSA can: a
 * page of the PSA's that frames ours (a ConnectWise Hosted API pod) or a link that opens ours in a
 * window (an Autotask LiveLink, a HaloPSA custom button). Both lead to the toolbox's ticket
 * launcher: the enabled forms for that ticket's company and contact, each opening pre-filled
 * exactly like a screen pop. The console builds the URL to paste from `query`.
 */
export type PsaTicketLauncher<S = unknown> = {
  /** What the PSA calls the thing the admin sets up, e.g. "Hosted API pod", "LiveLink", "custom button". */
  name: string;
  /**
   * `frame`: the PSA shows the toolbox's page inside its own (an iframe): the toolbox serves it at
   * `/pod`, which only `frameAncestor(settings)` may frame. `window`: the PSA opens the URL in a new
   * window or tab: the toolbox serves it at `/launcher`.
   */
  opens: 'frame' | 'window';
  /**
   * The launcher URL's query, each value written in the PSA's own placeholder syntax, which the
   * PSA replaces when it opens the URL: `ticket_id` is required; `company_id` and `contact_id`
   * are optional (without them the toolbox takes them from the ticket); `screen` names the screen
   * the PSA opened it from (anything but a ticket screen is refused, so that a company id is never
   * read as a ticket id).
   */
  query: { ticket_id: string; company_id?: string; contact_id?: string; screen?: string };
  /**
   * `frame` only: the origin of the PSA's web pages, the only page that may frame the toolbox's
   * (`Content-Security-Policy: frame-ancestors`), from this connection's settings. Null when the
   * settings do not say.
   */
  frameAncestor?(settings: S): string | null;
  /**
   * `frame` only: the message protocol the PSA speaks with the framed page, which the pod's script
   * implements (`public/pod.js`).
   */
  frameProtocol?: 'connectwise-hosted-api';
  /**
   * The set-up in the PSA, in its own words, step by step; each step may show values to copy:
   * `url` (the launcher URL), `origin` (the toolbox's origin), or a literal to type.
   */
  setup: { text: string; values?: { label: string; value: { kind: 'url' } | { kind: 'origin' } | { kind: 'literal'; text: string } }[] }[];
};

export type PsaConnectorDeps = {
  fetch: FetchLike;
  logger: Logger;
  clock: Clock;
  /** Waits between retries; tests pass a fake so nothing actually sleeps. */
  sleep?: (ms: number) => Promise<void>;
};

export type PsaConnector<S = unknown> = {
  /** Stable id used in configuration, e.g. `connectwise`. */
  kind: string;
  /** The product's full name, e.g. "ConnectWise PSA (Manage)": headings and lists. */
  label: string;
  /** The PSA's words for its records, for every page and message that names them. */
  words: PsaWords;
  /** Validates the connector's settings block of the configuration. */
  settings: z.ZodType<S>;
  /** How the admin console asks for those settings. */
  fields: ConnectionField[];
  /** Normalises an id of this kind (from a screen-pop URL, a mapping); null when it is not one. */
  parseId(kind: PsaIdKind, raw: string): string | null;
  /** Describes a valid id of each kind for error pages, e.g. "a positive whole number". */
  idFormat: Record<PsaIdKind, string>;
  /** The 1Stream variables of this PSA's screen-pop URLs. */
  screenPop: PsaScreenPopVariables;
  /**
   * Calls this PSA takes at once from one connection (one set of API keys). More wait in a
   * bounded queue; the screen pop refuses a launch whose reads could not start in time. Autotask,
   * for one, refuses a 4th concurrent call per endpoint.
   */
  maxConcurrentRequests: number;
  /**
   * Optional: how the toolbox is opened from inside this PSA's ticket screen (left out when the
   * PSA has no such place; the console then offers the plain launcher URL).
   */
  ticketLauncher?: PsaTicketLauncher<S>;
  create(settings: S, deps: PsaConnectorDeps): PsaClient;
};

/** Every PSA connector a toolbox has, by the `psa.kind` that selects it. */
export type PsaConnectorRegistry = Record<string, PsaConnector<unknown>>;
