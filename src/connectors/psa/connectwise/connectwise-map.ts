import { z } from 'zod';
import type { PsaCompany, PsaContact, PsaMember, PsaPhone, PsaTicket } from '../types.js';

/**
 * Narrow schemas for the few fields the toolbox reads (reference §3.1), loose so that every other
 * field ConnectWise adds passes through untouched, and the mappers from ConnectWise JSON to the
 * port's types. Optional almost everywhere: the spec marks nearly every field optional, and a
 * `fields=` partial response or a security role can leave any of them out.
 */
const reference = z.looseObject({ id: z.number().int(), name: z.string().nullish(), identifier: z.string().nullish() });

export const cwTicketSchema = z.looseObject({
  id: z.number().int(),
  summary: z.string().nullish(),
  recordType: z.string().nullish(),
  board: reference.nullish(),
  status: reference.nullish(),
  company: reference.nullish(),
  contact: reference.nullish(),
  contactName: z.string().nullish(),
});
export type CwTicket = z.infer<typeof cwTicketSchema>;

export const cwCompanySchema = z.looseObject({ id: z.number().int(), identifier: z.string().nullish(), name: z.string().nullish() });

const communicationItem = z.looseObject({
  type: z.looseObject({ name: z.string().nullish() }).nullish(),
  value: z.string().nullish(),
  extension: z.string().nullish(),
  defaultFlag: z.boolean().nullish(),
  communicationType: z.string().nullish(),
});

export const cwContactSchema = z.looseObject({
  id: z.number().int(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  company: reference.nullish(),
  title: z.string().nullish(),
  communicationItems: z.array(communicationItem).nullish(),
  defaultPhoneType: z.string().nullish(),
  defaultPhoneNbr: z.string().nullish(),
  defaultPhoneExtension: z.string().nullish(),
});

export const cwMemberSchema = z.looseObject({
  id: z.number().int(),
  identifier: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  officeEmail: z.string().nullish(),
  primaryEmail: z.string().nullish(),
  inactiveFlag: z.boolean().nullish(),
});

export const cwStatusSchema = z.looseObject({ id: z.number().int(), name: z.string(), inactive: z.boolean().nullish() });
export type CwStatus = z.infer<typeof cwStatusSchema>;

export const cwNoteSchema = z.looseObject({ id: z.number().int() });

/** `GET /login/companyinfo/{companyId}`: PascalCase, and IsCloud is the string "True"/"False". */
export const cwCompanyInfoSchema = z.looseObject({
  CompanyName: z.string().nullish(),
  Codebase: z.string().min(1),
  VersionCode: z.string().nullish(),
  CompanyID: z.string().nullish(),
  IsCloud: z.union([z.string(), z.boolean()]).nullish(),
});
export type CwCompanyInfo = z.infer<typeof cwCompanyInfoSchema>;

export const cwSystemInfoSchema = z.looseObject({ version: z.string().nullish(), isCloud: z.boolean().nullish() });

const text = (value: string | null | undefined) => (value ?? '').trim();
const optional = (value: string | null | undefined) => {
  const trimmed = text(value);
  return trimmed === '' ? undefined : trimmed;
};
const fullName = (first: string | null | undefined, last: string | null | undefined) => `${text(first)} ${text(last)}`.trim();

export function mapTicket(ticket: CwTicket, kind: 'service' | 'project', url: string): PsaTicket {
  return {
    id: String(ticket.id),
    number: `#${ticket.id}`,
    summary: text(ticket.summary),
    // A ConnectWise board is where the ticket is filed: the port's queue.
    queue: optional(ticket.board?.name),
    status: optional(ticket.status?.name),
    type: kind === 'project' ? 'project ticket' : undefined,
    companyId: ticket.company ? String(ticket.company.id) : undefined,
    companyName: optional(ticket.company?.name),
    contactId: ticket.contact ? String(ticket.contact.id) : undefined,
    contactName: optional(ticket.contact?.name) ?? optional(ticket.contactName),
    url,
  };
}

export function mapCompany(company: z.infer<typeof cwCompanySchema>): PsaCompany {
  return { id: String(company.id), identifier: optional(company.identifier), name: text(company.name) || text(company.identifier) };
}

export function mapContact(contact: z.infer<typeof cwContactSchema>): PsaContact {
  const items = contact.communicationItems ?? [];
  // Match on communicationType, never type.name: the name is tenant-configurable (reference §3.1).
  const emails = items.filter((item) => item.communicationType === 'Email' && text(item.value) !== '');
  const email = (emails.find((item) => item.defaultFlag) ?? emails[0])?.value?.trim();
  const phones: PsaPhone[] = items
    .filter((item) => item.communicationType === 'Phone' && text(item.value) !== '')
    .map((item) => ({ label: optional(item.type?.name) ?? 'Phone', number: text(item.value), extension: optional(item.extension) }));
  if (phones.length === 0 && optional(contact.defaultPhoneNbr)) {
    phones.push({
      label: optional(contact.defaultPhoneType) ?? 'Phone',
      number: text(contact.defaultPhoneNbr),
      extension: optional(contact.defaultPhoneExtension),
    });
  }
  return {
    id: String(contact.id),
    firstName: text(contact.firstName),
    lastName: text(contact.lastName),
    name: fullName(contact.firstName, contact.lastName),
    email: email || undefined,
    phones,
    companyId: contact.company ? String(contact.company.id) : undefined,
    companyName: optional(contact.company?.name) ?? optional(contact.company?.identifier),
    title: optional(contact.title),
  };
}

export function mapMember(member: z.infer<typeof cwMemberSchema>): PsaMember {
  const identifier = text(member.identifier);
  return {
    id: String(member.id),
    identifier,
    name: fullName(member.firstName, member.lastName) || identifier,
    email: optional(member.officeEmail) ?? optional(member.primaryEmail),
    inactive: member.inactiveFlag === true,
  };
}
