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

/** The simulator's starting data, in the demo data's simple shapes. */
export type ConnectWiseSeed = {
  companies: DemoCompany[];
  contacts: DemoContact[];
  tickets: DemoTicket[];
  boards: DemoBoard[];
  members: DemoMember[];
};

export const demoConnectWiseSeed = (): ConnectWiseSeed => ({
  companies: demoCompanies,
  contacts: demoContacts,
  tickets: demoTickets,
  boards: demoBoards,
  members: demoMembers,
});

/** A record as the API returns it: plain JSON. */
export type CwRecord = Record<string, unknown> & { id: number };

export type CwBoard = { id: number; name: string; statuses: CwRecord[] };

export type CwData = {
  companies: Map<number, CwRecord>;
  contacts: Map<number, CwRecord>;
  /** Service tickets only; project tickets live in their own resource (reference §3). */
  tickets: Map<number, CwRecord>;
  projectTickets: Map<number, CwRecord>;
  boards: Map<number, CwBoard>;
  members: Map<number, CwRecord>;
};

const info = (href: string, at: string) => ({ lastUpdated: at, dateEntered: at, enteredBy: 'sim', updatedBy: 'sim', _href: href });

/** Builds the API's JSON records (reference §3.1 shapes) from the seed. */
export function buildConnectWiseData(seed: ConnectWiseSeed, baseHref: string, now: string): CwData {
  const companies = new Map<number, CwRecord>();
  for (const c of seed.companies) {
    companies.set(c.id, {
      id: c.id,
      identifier: c.identifier,
      name: c.name,
      status: { id: 1, name: 'Active' },
      types: [{ id: 1, name: 'Client' }],
      phoneNumber: '',
      website: '',
      deletedFlag: false,
      _info: info(`${baseHref}/company/companies/${c.id}`, now),
    });
  }
  const companyRef = (id: number) => {
    const company = companies.get(id);
    return company ? { id, identifier: company.identifier, name: company.name } : { id };
  };

  const contacts = new Map<number, CwRecord>();
  for (const c of seed.contacts) {
    const items: Record<string, unknown>[] = [];
    let itemId = c.id * 10;
    // type.name is tenant-configurable; communicationType is the stable field (reference §3.1).
    if (c.email) {
      items.push({
        id: itemId++,
        type: { id: 1, name: 'Email' },
        value: c.email,
        defaultFlag: true,
        communicationType: 'Email',
        domain: `@${c.email.split('@')[1] ?? ''}`,
      });
    }
    if (c.phone) {
      items.push({ id: itemId++, type: { id: 2, name: 'Direct' }, value: c.phone, defaultFlag: true, communicationType: 'Phone' });
    }
    if (c.mobile) {
      items.push({ id: itemId++, type: { id: 4, name: 'Cell' }, value: c.mobile, defaultFlag: !c.phone, communicationType: 'Phone' });
    }
    contacts.set(c.id, {
      id: c.id,
      firstName: c.firstName,
      lastName: c.lastName,
      company: companyRef(c.companyId),
      title: c.title ?? '',
      inactiveFlag: false,
      defaultPhoneType: c.phone ? 'Direct' : c.mobile ? 'Cell' : '',
      defaultPhoneNbr: c.phone ?? c.mobile ?? '',
      communicationItems: items,
      types: [],
      customFields: [],
      _info: info(`${baseHref}/company/contacts/${c.id}`, now),
    });
  }

  const boards = new Map<number, CwBoard>();
  for (const b of seed.boards) {
    boards.set(b.id, {
      id: b.id,
      name: b.name,
      statuses: b.statuses.map((s, index) => ({
        id: s.id,
        name: s.name,
        board: { id: b.id, name: b.name },
        sortOrder: index,
        displayOnBoard: true,
        inactive: false,
        closedStatus: /resolved|completed|closed/i.test(s.name),
        defaultFlag: index === 0,
        _info: info(`${baseHref}/service/boards/${b.id}/statuses/${s.id}`, now),
      })),
    });
  }

  const tickets = new Map<number, CwRecord>();
  const projectTickets = new Map<number, CwRecord>();
  for (const t of seed.tickets) {
    const board = boards.get(t.boardId);
    const status = board?.statuses.find((s) => s.name === t.status);
    const contact = contacts.get(t.contactId);
    const record: CwRecord = {
      id: t.id,
      summary: t.summary,
      recordType: t.recordType,
      board: board ? { id: board.id, name: board.name } : { id: t.boardId },
      status: status ? { id: status.id, name: status.name } : { id: 0, name: t.status },
      priority: { id: 3, name: 'Priority 3 - Normal Response', sort: 6 },
      company: companyRef(t.companyId),
      contact: contact ? { id: contact.id, name: `${contact.firstName} ${contact.lastName}` } : null,
      contactName: contact ? `${contact.firstName} ${contact.lastName}` : '',
      closedFlag: false,
      severity: 'Medium',
      impact: 'Medium',
      customFields: [{ id: 5, caption: 'CloudPlus', type: 'Checkbox', entryMethod: 'EntryField', numberOfDecimals: 0, value: false }],
      _info: info(`${baseHref}/${t.recordType === 'ProjectTicket' ? 'project' : 'service'}/tickets/${t.id}`, now),
    };
    if (t.recordType === 'ProjectTicket') {
      projectTickets.set(t.id, { ...record, project: { id: 1, name: 'Office move' }, phase: { id: 1, name: 'Migration' } });
    } else {
      tickets.set(t.id, record);
    }
  }

  const members = new Map<number, CwRecord>();
  for (const m of seed.members) {
    members.set(m.id, {
      id: m.id,
      identifier: m.identifier,
      firstName: m.firstName,
      lastName: m.lastName,
      officeEmail: m.email,
      primaryEmail: m.email,
      defaultEmail: 'Office',
      officePhone: '',
      defaultPhone: 'Office',
      licenseClass: 'F',
      inactiveFlag: false,
      _info: info(`${baseHref}/system/members/${m.id}`, now),
    });
  }

  return { companies, contacts, tickets, projectTickets, boards, members };
}
