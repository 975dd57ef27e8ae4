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
  demoMsp,
  demoTickets,
} from '../../demo/demo-data.js';

/**
 * The HaloPSA simulator's starting data: the demo MSP's companies, contacts and tickets (the same
 * ids as the ConnectWise simulator, so the demo's screen-pop links and forms work on either PSA),
 * turned into Halo's shapes (reference §3: `Faults`, `Area`, `Users`, `Uname`).
 *
 * ConnectWise boards become Halo teams; ConnectWise's per-board statuses become Halo's one global
 * list of ticket statuses.
 */
export type HaloAgentSeed = {
  id: number;
  name: string;
  email: string;
  /** The agent's default team; empty for an agent set up without one. */
  team: string;
  /** Teams the agent is a member of: tickets of other teams are hidden from it. */
  teams: string[];
  isapiagent?: boolean;
  isdisabled?: boolean;
};

export type HaloSeed = {
  companies: DemoCompany[];
  contacts: DemoContact[];
  tickets: DemoTicket[];
  boards: DemoBoard[];
  members: DemoMember[];
  /** The agent the API application logs in as; null for an application with none. */
  apiAgent: HaloAgentSeed | null;
};

/** The demo Halo instance's API application. Demo values: only the simulator accepts them. */
export const demoHaloPsa = {
  clientId: '3c9e51d4-7a2b-4f60-8d1e-5b4a3f2e1d0c',
  clientSecret: 'demo-halo-client-secret-not-secret',
  /** The hosted tenant name (the `yourcompany` of yourcompany.halopsa.com). */
  tenant: 'northwind',
};

export const DEMO_HALO_API_AGENT: HaloAgentSeed = {
  id: 199,
  name: '1Stream API',
  email: 'halo-api@northwind-it.example',
  team: 'Help Desk',
  teams: ['Help Desk', 'Onboarding'],
  isapiagent: true,
};

export const demoHaloSeed = (): HaloSeed => ({
  companies: demoCompanies,
  contacts: demoContacts,
  tickets: demoTickets,
  boards: demoBoards,
  members: demoMembers,
  apiAgent: DEMO_HALO_API_AGENT,
});

/** A record as the API returns it: plain JSON. */
export type HaloRecord = Record<string, unknown> & { id: number };

/**
 * Halo's stock ticket statuses (ids as a fresh instance numbers them where known) plus the demo
 * boards' own: one global list, as Halo has (reference §3, `/api/Status`).
 */
const STATUSES: { id: number; name: string }[] = [
  { id: 1, name: 'New' },
  { id: 2, name: 'In Progress' },
  { id: 3, name: 'Scheduled' },
  { id: 4, name: 'Waiting on Client' },
  { id: 8, name: 'Resolved' },
  { id: 9, name: 'Closed' },
  { id: 10, name: 'Completed' },
];

/** Outcomes are per-tenant configuration (reference §4); these are the demo tenant's. */
const OUTCOMES: { id: number; outcome: string; hidefromuser: boolean }[] = [
  { id: 1, outcome: 'Note', hidefromuser: false },
  { id: 2, outcome: 'Email User', hidefromuser: false },
  { id: 3, outcome: 'Private Note', hidefromuser: true },
  { id: 8, outcome: 'Phone Call', hidefromuser: false },
  { id: 20, outcome: 'Status Change', hidefromuser: true },
  { id: 21, outcome: 'Ticket Logged', hidefromuser: false },
];

const TICKET_TYPES = { service: { id: 1, name: 'Incident' }, project: { id: 3, name: 'Project' } };

export type HaloData = {
  clients: Map<number, HaloRecord>;
  users: Map<number, HaloRecord>;
  tickets: Map<number, HaloRecord>;
  agents: Map<number, HaloRecord>;
  teams: HaloRecord[];
  statuses: HaloRecord[];
  outcomes: HaloRecord[];
  /** Actions (notes, status changes) per ticket id, oldest first. */
  actions: Map<number, HaloRecord[]>;
  apiAgentId: number | null;
};

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');

export function agentRecord(agent: HaloAgentSeed, teams: HaloRecord[]): HaloRecord {
  const [firstname = '', ...rest] = agent.name.split(' ');
  return {
    id: agent.id,
    name: agent.name,
    firstname,
    surname: rest.join(' '),
    initials: initials(agent.name),
    email: agent.email,
    team: agent.team,
    teams: agent.teams.map((name) => {
      const team = teams.find((t) => t.name === name);
      return { id: team?.id ?? 0, name };
    }),
    isdisabled: agent.isdisabled === true,
    isapiagent: agent.isapiagent === true,
    is_agent: true,
  };
}

/** Builds the API's JSON records from the seed; `nextActionId` numbers the "ticket logged" actions. */
export function buildHaloData(seed: HaloSeed, now: string, nextActionId: () => number): HaloData {
  const teams: HaloRecord[] = seed.boards.map((board) => ({ id: board.id, name: board.name, inactive: false }));
  const statuses: HaloRecord[] = STATUSES.map((status, index) => ({
    id: status.id,
    name: status.name,
    shortname: status.name.slice(0, 4).toUpperCase(),
    type: 1,
    sequence: index + 1,
    colour: '#5e35b1',
  }));
  const outcomes: HaloRecord[] = OUTCOMES.map((outcome) => ({ ...outcome, buttonname: outcome.outcome, hidden: false }));

  const clients = new Map<number, HaloRecord>();
  for (const company of seed.companies) {
    clients.set(company.id, {
      id: company.id,
      name: company.name,
      inactive: false,
      toplevel_id: 1,
      toplevel_name: demoMsp.name,
      main_site_id: company.id * 10,
      main_site_name: 'Main Site',
      website: '',
      accountsid: company.identifier,
      customfields: [],
    });
  }

  const users = new Map<number, HaloRecord>();
  for (const contact of seed.contacts) {
    const client = clients.get(contact.companyId);
    users.set(contact.id, {
      id: contact.id,
      name: `${contact.firstName} ${contact.lastName}`,
      firstname: contact.firstName,
      surname: contact.lastName,
      emailaddress: contact.email ?? '',
      email2: '',
      phonenumber: contact.phone ?? '',
      phonenumber_preferred: contact.phone ?? contact.mobile ?? '',
      mobilenumber: contact.mobile ?? '',
      client_id: contact.companyId,
      client_name: client?.name ?? '',
      site_id: contact.companyId * 10,
      site_name: 'Main Site',
      title: contact.title ?? '',
      inactive: false,
      customfields: [],
    });
  }

  const statusByName = (name: string) => statuses.find((status) => status.name === name) ?? statuses[0];
  const tickets = new Map<number, HaloRecord>();
  const actions = new Map<number, HaloRecord[]>();
  for (const ticket of seed.tickets) {
    const client = clients.get(ticket.companyId);
    const user = users.get(ticket.contactId);
    const team = teams.find((t) => t.id === ticket.boardId);
    const status = statusByName(ticket.status);
    const type = ticket.recordType === 'ProjectTicket' ? TICKET_TYPES.project : TICKET_TYPES.service;
    tickets.set(ticket.id, {
      id: ticket.id,
      summary: ticket.summary,
      details: ticket.summary,
      details_html: `<p>${ticket.summary}</p>`,
      status_id: status?.id,
      status_name: status?.name,
      tickettype_id: type.id,
      tickettype_name: type.name,
      client_id: ticket.companyId,
      client_name: client?.name ?? '',
      site_id: ticket.companyId * 10,
      site_name: 'Main Site',
      user_id: user?.id ?? 0,
      user_name: user?.name ?? '',
      user_email: user?.emailaddress ?? '',
      reportedby: user?.name ?? '',
      team: team?.name ?? '',
      team_id: team?.id ?? 0,
      agent_id: 0,
      priority_id: 3,
      category_1: '',
      dateoccurred: now,
      lastactiondate: now,
      customfields: [],
    });
    // Every Halo ticket starts with the action that logged it.
    actions.set(ticket.id, [
      {
        id: nextActionId(),
        ticket_id: ticket.id,
        outcome: 'Ticket Logged',
        outcome_id: 21,
        who: user?.name ?? 'System',
        who_type: 2,
        who_agentid: 0,
        datetime: now,
        note: ticket.summary,
        note_html: `<p>${ticket.summary}</p>`,
        hiddenfromuser: false,
        important: false,
      },
    ]);
  }

  const agents = new Map<number, HaloRecord>();
  for (const member of seed.members) {
    const agent: HaloAgentSeed = {
      id: member.id,
      name: `${member.firstName} ${member.lastName}`,
      email: member.email,
      team: String(teams[0]?.name ?? ''),
      teams: teams.map((t) => String(t.name)),
    };
    agents.set(member.id, agentRecord(agent, teams));
  }
  if (seed.apiAgent) agents.set(seed.apiAgent.id, agentRecord(seed.apiAgent, teams));

  return { clients, users, tickets, agents, teams, statuses, outcomes, actions, apiAgentId: seed.apiAgent?.id ?? null };
}
