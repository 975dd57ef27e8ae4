import {
  type DemoBoard,
  type DemoCompany,
  type DemoContact,
  type DemoMember,
  type DemoTicket,
  demoBoards,
  demoCompanies,
  demoContacts,
  demoMembers,
  demoTickets,
} from '../../demo/demo-data.js';
import { type AutotaskPicklists, picklistValue } from './autotask-entity-info.js';
import { autotaskDate } from './autotask-http.js';

/**
 * The simulated Autotask database's starting data: the demo MSP's companies, contacts, tickets and
 * technicians (the same ids as the ConnectWise simulator's, so the demo's directory mappings and
 * forms work unchanged), turned into Autotask's models (reference §3.1). ConnectWise boards become
 * Autotask queues, and their statuses one ticket status picklist (Autotask has one for all queues).
 */
export type AutotaskSeed = {
  companies: DemoCompany[];
  contacts: DemoContact[];
  tickets: DemoTicket[];
  boards: DemoBoard[];
  members: DemoMember[];
};

export const demoAutotaskSeed = (): AutotaskSeed => ({
  companies: demoCompanies,
  contacts: demoContacts,
  tickets: demoTickets,
  boards: demoBoards,
  members: demoMembers,
});

/**
 * The demo's API user (Admin > Resources/Users > New API User). Demo values that only the simulator
 * accepts; 1Stream calls the username "CRM Username" and the secret "CRM Password".
 */
export const demoAutotaskApiUser = {
  id: 199,
  username: 'toolbox-api@northwind-it.example',
  secret: 'demo-autotask-secret-not-secret',
  /** The API tracking identifier ("Custom (Internal Integration)"), about 27 characters. */
  integrationCode: 'DEMOTOOLBOXTRACKINGID000001',
  zoneName: 'Simulated Zone 5',
};

/** A record as the API returns it: plain JSON. */
export type AtRecord = Record<string, unknown> & { id: number };

export type AutotaskData = {
  companies: Map<number, AtRecord>;
  contacts: Map<number, AtRecord>;
  tickets: Map<number, AtRecord>;
  resources: Map<number, AtRecord>;
  ticketNotes: Map<number, AtRecord>;
  picklists: AutotaskPicklists;
};

/**
 * Status codes as one Autotask instance might have them: a few system values (New is 1, Complete
 * is 5 everywhere) and the rest the instance's own, large numbers included.
 */
const STATUS_CODES: Record<string, number> = {
  New: 1,
  Completed: 5,
  'Waiting on Client': 7,
  'In Progress': 8,
  Scheduled: 29682812,
  Resolved: 29682813,
};

export function buildPicklists(boards: DemoBoard[]): AutotaskPicklists {
  const statusNames = [...new Set(boards.flatMap((b) => b.statuses.map((s) => s.name)))];
  let extra = 29682900;
  const status = statusNames.map((name, index) =>
    picklistValue(STATUS_CODES[name] ?? extra++, name, {
      isDefaultValue: name === 'New',
      isSystem: name === 'New' || name === 'Completed',
      sortOrder: index + 1,
    }),
  );
  // An inactive status with a live-looking name: a client must not move a ticket into it.
  status.push(picklistValue(29682999, 'Escalated', { isActive: false, sortOrder: status.length + 1 }));
  return {
    'Tickets.status': status,
    'Tickets.queueID': boards.map((board, index) => picklistValue(29682833 + index, board.name, { sortOrder: index + 1 })),
    'Tickets.priority': [
      picklistValue(4, 'Critical', { sortOrder: 1, isSystem: true }),
      picklistValue(1, 'High', { sortOrder: 2, isSystem: true }),
      picklistValue(2, 'Medium', { sortOrder: 3, isSystem: true, isDefaultValue: true }),
      picklistValue(3, 'Low', { sortOrder: 4, isSystem: true }),
    ],
    'Tickets.ticketType': [
      picklistValue(1, 'Service Request', { isDefaultValue: true, isSystem: true }),
      picklistValue(2, 'Incident', { isSystem: true }),
      picklistValue(3, 'Problem', { isSystem: true }),
      picklistValue(4, 'Change Request', { isSystem: true }),
      picklistValue(5, 'Alert', { isSystem: true }),
    ],
    // Note types and publish values are per instance too (reference §4): not 1 and 2 here.
    'TicketNotes.noteType': [
      picklistValue(1, 'Task Notes', { isDefaultValue: true, isSystem: true, sortOrder: 1 }),
      picklistValue(3, 'Task Summary', { isSystem: true, sortOrder: 2 }),
      picklistValue(29682776, 'Email', { sortOrder: 3 }),
      picklistValue(29682790, 'Internal Notes', { sortOrder: 4 }),
      picklistValue(29682791, 'Old Internal Memo', { sortOrder: 5, isActive: false }),
    ],
    'TicketNotes.publish': [
      picklistValue(1, 'All Autotask Users', { isDefaultValue: true, isSystem: true, sortOrder: 1 }),
      picklistValue(4, 'Internal & Co-managed', { isSystem: true, sortOrder: 2 }),
      picklistValue(2, 'Internal Only', { isSystem: true, sortOrder: 3 }),
    ],
    'Companies.companyType': [
      picklistValue(1, 'Customer', { isDefaultValue: true, isSystem: true }),
      picklistValue(2, 'Lead', { isSystem: true }),
      picklistValue(3, 'Prospect', { isSystem: true }),
      picklistValue(5, 'Vendor', { isSystem: true }),
    ],
    'Resources.licenseType': [picklistValue(1, 'Full', { isSystem: true }), picklistValue(7, 'API User', { isSystem: true })],
  };
}

const ticketNumber = (createdMs: number, sequence: number) =>
  `T${new Date(createdMs).toISOString().slice(0, 10).replaceAll('-', '')}.${String(sequence).padStart(4, '0')}`;

/** Builds the API's JSON records (reference §3.1 shapes) from the seed. */
export function buildAutotaskData(seed: AutotaskSeed, nowMs: number, apiUser = demoAutotaskApiUser): AutotaskData {
  const now = autotaskDate(nowMs);
  const picklists = buildPicklists(seed.boards);

  const companies = new Map<number, AtRecord>();
  for (const c of seed.companies) {
    companies.set(c.id, {
      id: c.id,
      companyName: c.name,
      companyNumber: c.identifier,
      companyType: 1,
      phone: '',
      fax: '',
      webAddress: '',
      address1: '',
      address2: '',
      city: '',
      state: '',
      postalCode: '',
      countryID: 237,
      // A boolean here, an integer on Contacts (reference §3.1).
      isActive: true,
      ownerResourceID: apiUser.id,
      parentCompanyID: null,
      createDate: now,
      lastActivityDate: now,
      userDefinedFields: [],
    });
  }

  const contacts = new Map<number, AtRecord>();
  for (const c of seed.contacts) {
    contacts.set(c.id, {
      id: c.id,
      companyID: c.companyId,
      firstName: c.firstName,
      lastName: c.lastName,
      title: c.title ?? '',
      emailAddress: c.email ?? '',
      emailAddress2: '',
      emailAddress3: '',
      phone: c.phone ?? '',
      extension: '',
      mobilePhone: c.mobile ?? '',
      alternatePhone: '',
      isActive: 1,
      primaryContact: false,
      createDate: now,
      lastActivityDate: now,
      userDefinedFields: [],
    });
  }

  const statusCode = (name: string) => Number(picklists['Tickets.status']?.find((v) => v.label === name)?.value ?? 1);
  const queueCode = (boardId: number) => {
    const board = seed.boards.find((b) => b.id === boardId);
    const value = picklists['Tickets.queueID']?.find((v) => v.label === board?.name)?.value;
    return value === undefined ? null : Number(value);
  };
  const tickets = new Map<number, AtRecord>();
  seed.tickets.forEach((t, index) => {
    tickets.set(t.id, {
      id: t.id,
      ticketNumber: ticketNumber(nowMs, index + 1),
      title: t.summary,
      description: '',
      status: statusCode(t.status),
      priority: 2,
      queueID: queueCode(t.boardId),
      companyID: t.companyId,
      contactID: t.contactId,
      companyLocationID: null,
      assignedResourceID: null,
      assignedResourceRoleID: null,
      issueType: null,
      subIssueType: null,
      ticketType: 1,
      ticketCategory: 3,
      source: 4,
      dueDateTime: null,
      createDate: now,
      lastActivityDate: now,
      completedDate: null,
      configurationItemID: null,
      contractID: null,
      userDefinedFields: [],
    });
  });

  const resources = new Map<number, AtRecord>();
  const resource = (m: { id: number; userName: string; firstName: string; lastName: string; email: string }, licenseType: number) => ({
    id: m.id,
    userName: m.userName,
    firstName: m.firstName,
    lastName: m.lastName,
    email: m.email,
    email2: '',
    email3: '',
    officePhone: '',
    mobilePhone: '',
    isActive: true,
    resourceType: 'Employee',
    licenseType,
  });
  for (const m of seed.members) {
    resources.set(m.id, resource({ ...m, userName: m.identifier }, 1));
  }
  resources.set(
    apiUser.id,
    resource({ id: apiUser.id, userName: apiUser.username, firstName: 'Toolbox', lastName: 'API User', email: apiUser.username }, 7),
  );

  return { companies, contacts, tickets, resources, ticketNotes: new Map(), picklists };
}
