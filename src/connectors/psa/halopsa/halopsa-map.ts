import { z } from 'zod';
import type { PsaCompany, PsaContact, PsaMember, PsaPhone, PsaTicket } from '../types.js';

/**
 * Narrow schemas for the few fields the toolbox reads (reference §3 key fields), loose so every
 * other field Halo adds passes through, and the mappers from Halo JSON to the port's types.
 * Halo names things its own way: a company is a Client (`Area`), a contact a User, a technician an
 * Agent (`Uname`), a ticket a `Faults` record, and a note an Action.
 */
const id = z.number().int();
const text = z.string().nullish();

export const haloTicketSchema = z.looseObject({
  id,
  summary: text,
  status_id: z.number().int().nullish(),
  status_name: text,
  team: text,
  tickettype_name: text,
  client_id: z.number().int().nullish(),
  client_name: text,
  user_id: z.number().int().nullish(),
  user_name: text,
});
export type HaloTicket = z.infer<typeof haloTicketSchema>;

export const haloClientSchema = z.looseObject({ id, name: text, inactive: z.boolean().nullish() });

export const haloUserSchema = z.looseObject({
  id,
  name: text,
  firstname: text,
  surname: text,
  emailaddress: text,
  email2: text,
  phonenumber: text,
  phonenumber_preferred: text,
  mobilenumber: text,
  mobilenumber2: text,
  client_id: z.number().int().nullish(),
  client_name: text,
  title: text,
  inactive: z.boolean().nullish(),
});

export const haloAgentSchema = z.looseObject({
  id,
  name: text,
  firstname: text,
  surname: text,
  initials: text,
  email: text,
  /** The agent's default team (Halo shows an agent without one no other agents). */
  team: text,
  isdisabled: z.boolean().nullish(),
  isapiagent: z.boolean().nullish(),
});
export type HaloAgent = z.infer<typeof haloAgentSchema>;

export const haloStatusSchema = z.looseObject({ id, name: z.string() });
export type HaloStatus = z.infer<typeof haloStatusSchema>;

export const haloOutcomeSchema = z.looseObject({ id, outcome: text, hidden: z.boolean().nullish() });

export const haloActionSchema = z.looseObject({ id, ticket_id: z.number().int().nullish(), note: text, note_html: text });
export type HaloAction = z.infer<typeof haloActionSchema>;

const clean = (value: string | null | undefined) => (value ?? '').trim();
const optional = (value: string | null | undefined) => {
  const trimmed = clean(value);
  return trimmed === '' ? undefined : trimmed;
};
/** Halo uses 0 (or nothing) for "no client", "no user". */
const refId = (value: number | null | undefined) => (typeof value === 'number' && value > 0 ? String(value) : undefined);

export function mapTicket(ticket: HaloTicket, url: string, statusName?: string): PsaTicket {
  return {
    id: String(ticket.id),
    number: `#${ticket.id}`,
    summary: clean(ticket.summary),
    // A Halo team is the queue the ticket sits in.
    queue: optional(ticket.team),
    status: optional(ticket.status_name) ?? statusName,
    // Halo's ticket types are each instance's own (Incident, Change, Project, …) and tell a
    // technician what the record is, so the name is shown whenever Halo gives one.
    ...(optional(ticket.tickettype_name) ? { type: optional(ticket.tickettype_name) } : {}),
    companyId: refId(ticket.client_id),
    companyName: optional(ticket.client_name),
    contactId: refId(ticket.user_id),
    contactName: optional(ticket.user_name),
    url,
  };
}

export function mapCompany(client: z.infer<typeof haloClientSchema>): PsaCompany {
  return { id: String(client.id), name: clean(client.name) };
}

/** A Halo user's name parts: users created from an e-mail often have only `name`. */
function nameParts(user: z.infer<typeof haloUserSchema>): { firstName: string; lastName: string } {
  const first = clean(user.firstname);
  const last = clean(user.surname);
  if (first || last) return { firstName: first, lastName: last };
  const [head = '', ...rest] = clean(user.name).split(/\s+/);
  return { firstName: head, lastName: rest.join(' ') };
}

/** The contact's main address, as getContact and the company-domain suggestions both choose it. */
export const mainEmail = (user: { emailaddress?: string | null; email2?: string | null }) =>
  optional(user.emailaddress) ?? optional(user.email2);

export function mapContact(user: z.infer<typeof haloUserSchema>): PsaContact {
  const { firstName, lastName } = nameParts(user);
  const phones: PsaPhone[] = [];
  const add = (label: string, number: string | null | undefined) => {
    const value = optional(number);
    if (value && !phones.some((phone) => phone.number === value)) phones.push({ label, number: value });
  };
  add('Phone', user.phonenumber);
  add('Mobile', user.mobilenumber);
  add('Mobile 2', user.mobilenumber2);
  // The preferred number is usually one of the above; listed on its own only when it is not.
  add('Preferred', user.phonenumber_preferred);
  return {
    id: String(user.id),
    firstName,
    lastName,
    name: `${firstName} ${lastName}`.trim() || clean(user.name),
    email: mainEmail(user),
    phones,
    companyId: refId(user.client_id),
    companyName: optional(user.client_name),
    title: optional(user.title),
  };
}

export function mapMember(agent: HaloAgent): PsaMember {
  const name = `${clean(agent.firstname)} ${clean(agent.surname)}`.trim() || clean(agent.name);
  return {
    id: String(agent.id),
    // Halo agents have no login identifier in the API; the initials Halo shows are the short form.
    identifier: optional(agent.initials) ?? (clean(agent.name) || `#${agent.id}`),
    name: name || `Agent ${agent.id}`,
    email: optional(agent.email),
    inactive: agent.isdisabled === true,
  };
}
