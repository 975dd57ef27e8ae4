import type { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { ConnectionField } from '../connection-fields.js';
import type { SystemsCheckResult } from '../systems-check.js';

/**
 * The PSA connector port. A PSA (ConnectWise, Autotask, HaloPSA) is one folder beside this file
 * implementing `PsaConnector`, plus one line in `index.ts`.
 *
 * Ids are strings at this boundary: each PSA has its own id format, checked by `parseId`.
 */
export type PsaTicket = {
  id: string;
  /** What a technician calls the ticket, e.g. "#123". */
  number: string;
  summary: string;
  kind: 'service' | 'project';
  board?: string;
  status?: string;
  companyId?: string;
  companyName?: string;
  contactId?: string;
  contactName?: string;
  /** Link to the ticket in the PSA's web UI. */
  url?: string;
};

export type PsaCompany = {
  id: string;
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

export type PsaMember = {
  id: string;
  identifier: string;
  name: string;
  email?: string;
  inactive: boolean;
};

export type PsaNote = {
  /**
   * The note text. Lines are separated by "\n"; each connector formats them for its PSA (ConnectWise
   * collapses newlines, so the connector must keep the note readable without them).
   */
  lines: string[];
  internal: boolean;
  /**
   * The PSA member (technician) the note is attributed to, when the toolbox user is mapped to one.
   * Left out, the note is the API member's. A PSA may refuse it (unknown or inactive member); the
   * caller then writes the note without it.
   */
  member?: { id: string; identifier: string };
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
  listMembers(): Promise<PsaMember[]>;
  /** Every active company, all pages. */
  listCompanies(options?: { signal?: AbortSignal }): Promise<PsaCompany[]>;
  /** Per company id asked for (each one present, possibly with no contacts), its contacts' e-mail domains. */
  listContactEmailDomains(companyIds: string[], options?: { signal?: AbortSignal }): Promise<Record<string, PsaCompanyEmailDomains>>;
  /** Writes a note on a ticket. Never retried blindly: a failure is reported, not repeated. */
  addTicketNote(ticketId: string, note: PsaNote): Promise<{ id: string }>;
  /**
   * The note on this ticket whose text contains `marker`, or null. Before a note is written again
   * after a lost answer, this tells whether the first attempt landed after all.
   */
  findTicketNote(ticketId: string, marker: string): Promise<{ id: string } | null>;
  /** Moves a ticket to the status with this name on the ticket's own board. */
  setTicketStatus(ticketId: string, statusName: string): Promise<void>;
  /** Link to a ticket in the PSA's web UI. */
  ticketUrl(ticketId: string): string;
  /** Check by check, what works with these settings. Never throws. */
  systemsCheck(): Promise<SystemsCheckResult[]>;
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
  label: string;
  /** Validates the connector's settings block of the configuration. */
  settings: z.ZodType<S>;
  /** How the admin console asks for those settings. */
  fields: ConnectionField[];
  /** Normalises an id from a screen-pop URL; null when it is not a valid id for this PSA. */
  parseId(raw: string): string | null;
  /** Describes a valid id for error pages, e.g. "a positive whole number". */
  idFormat: string;
  /**
   * Calls this PSA takes at once from one connection (one set of API keys). More wait in a
   * bounded queue; the screen pop refuses a launch whose reads could not start in time. Autotask,
   * for one, refuses a 4th concurrent call per endpoint.
   */
  maxConcurrentRequests: number;
  create(settings: S, deps: PsaConnectorDeps): PsaClient;
};
