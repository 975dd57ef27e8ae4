import { z } from 'zod';
import type { PsaCompany, PsaContact, PsaMember, PsaPhone, PsaTicket } from '../types.js';

/**
 * Narrow schemas for the few fields the toolbox reads (reference §3.1), loose so that every other
 * field passes through untouched, and the mappers from Autotask's models to the port's types.
 * Every field is nullable in the swagger, so nearly everything is `nullish` here.
 */
const id = z.number().int();

export const atTicketSchema = z.looseObject({
  id,
  ticketNumber: z.string().nullish(),
  title: z.string().nullish(),
  status: z.number().int().nullish(),
  queueID: z.number().int().nullish(),
  ticketType: z.number().int().nullish(),
  companyID: z.number().int().nullish(),
  contactID: z.number().int().nullish(),
});
export type AtTicket = z.infer<typeof atTicketSchema>;

export const atCompanySchema = z.looseObject({
  id,
  companyName: z.string().nullish(),
  companyNumber: z.string().nullish(),
  // A boolean on companies (reference §3.1).
  isActive: z.boolean().nullish(),
});

export const atContactSchema = z.looseObject({
  id,
  companyID: z.number().int().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  title: z.string().nullish(),
  emailAddress: z.string().nullish(),
  emailAddress2: z.string().nullish(),
  emailAddress3: z.string().nullish(),
  phone: z.string().nullish(),
  extension: z.string().nullish(),
  mobilePhone: z.string().nullish(),
  alternatePhone: z.string().nullish(),
  // An integer 0/1 on contacts, unlike companies (reference §3.1); a boolean is read too.
  isActive: z.union([z.number(), z.boolean()]).nullish(),
});
export type AtContact = z.infer<typeof atContactSchema>;

export const atResourceSchema = z.looseObject({
  id,
  userName: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  email: z.string().nullish(),
  isActive: z.boolean().nullish(),
});

export const atNoteSchema = z.looseObject({ id, ticketID: z.number().int().nullish(), description: z.string().nullish() });

/** A write's answer: `200 {"itemId": n}`, never the record (reference §8). */
export const atWriteResultSchema = z.looseObject({ itemId: id });

const text = (value: string | null | undefined) => (value ?? '').trim();
const optional = (value: string | null | undefined) => {
  const trimmed = text(value);
  return trimmed === '' ? undefined : trimmed;
};
const fullName = (first: string | null | undefined, last: string | null | undefined) => `${text(first)} ${text(last)}`.trim();

export const contactIsActive = (value: number | boolean | null | undefined) => value !== 0 && value !== false;

/**
 * An Autotask ticket for the port: its queue, status and (when not the database's default) ticket
 * type, by their picklist labels. Company and contact names are not on the ticket: reading them
 * would cost two more calls, and the screen pop reads the company and the contact in parallel anyway.
 */
export function mapTicket(ticket: AtTicket, labels: { status?: string; queue?: string; type?: string }, url: string): PsaTicket {
  return {
    id: String(ticket.id),
    number: optional(ticket.ticketNumber) ?? `#${ticket.id}`,
    summary: text(ticket.title),
    queue: labels.queue,
    status: labels.status,
    ...(labels.type ? { type: labels.type } : {}),
    companyId: ticket.companyID == null ? undefined : String(ticket.companyID),
    contactId: ticket.contactID == null ? undefined : String(ticket.contactID),
    url,
  };
}

export function mapCompany(company: z.infer<typeof atCompanySchema>): PsaCompany {
  const number = optional(company.companyNumber);
  return { id: String(company.id), identifier: number, name: text(company.companyName) || number || `#${company.id}` };
}

/** The contact's main address: the first of its three that is filled in. */
export const mainEmail = (contact: Pick<AtContact, 'emailAddress' | 'emailAddress2' | 'emailAddress3'>) =>
  optional(contact.emailAddress) ?? optional(contact.emailAddress2) ?? optional(contact.emailAddress3);

export function mapContact(contact: AtContact): PsaContact {
  const phones: PsaPhone[] = [];
  // Autotask's own labels for its three numbers.
  if (optional(contact.phone)) phones.push({ label: 'Phone', number: text(contact.phone), extension: optional(contact.extension) });
  if (optional(contact.mobilePhone)) phones.push({ label: 'Mobile', number: text(contact.mobilePhone) });
  if (optional(contact.alternatePhone)) phones.push({ label: 'Alternate', number: text(contact.alternatePhone) });
  return {
    id: String(contact.id),
    firstName: text(contact.firstName),
    lastName: text(contact.lastName),
    name: fullName(contact.firstName, contact.lastName),
    email: mainEmail(contact),
    phones,
    companyId: contact.companyID == null ? undefined : String(contact.companyID),
    title: optional(contact.title),
  };
}

/** A resource as a member: the username is what Autotask shows as the resource's login. */
export function mapMember(resource: z.infer<typeof atResourceSchema>): PsaMember {
  const identifier = text(resource.userName) || String(resource.id);
  return {
    id: String(resource.id),
    identifier,
    name: fullName(resource.firstName, resource.lastName) || identifier,
    email: optional(resource.email),
    inactive: resource.isActive === false,
  };
}
