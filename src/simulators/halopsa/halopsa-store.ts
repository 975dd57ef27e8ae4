import type { PathPattern } from './halopsa-faults.js';
import { buildHaloData, type HaloData, type HaloRecord, type HaloSeed } from './halopsa-seed.js';
import type { HaloRateLimit } from './halopsa-throttle.js';

export type HaloRequestLogEntry = {
  method: string;
  /** The URL path as sent, e.g. `/api/Tickets/1001` or `/auth/token`. */
  path: string;
  query: Record<string, string>;
  /** Request headers, lower-case names; the Authorization value is replaced by its scheme. */
  headers: Record<string, string>;
  /** The parsed JSON body of a POST, or the form fields of a token request without the secret. */
  body?: unknown;
  status: number;
};

/** Everything the simulator holds; tests read and change it directly. */
export type HaloSimulatorState = HaloData & {
  requests: HaloRequestLogEntry[];
  latencyMs: number;
  rateLimit: HaloRateLimit | undefined;
  /** Requests the API agent's permissions refuse (403), e.g. `{ path: '/api/Users' }`. */
  forbidden: { method?: string; path: PathPattern }[];
};

export type HaloStore = {
  state: HaloSimulatorState;
  now(): string;
  nextActionId(): number;
  /** The agent the API application logs in as, if any. */
  apiAgent(): HaloRecord | undefined;
  /**
   * A ticket as the API agent sees it: the API identity only sees its teams' tickets (reference
   * §2, "missing data is often a team assignment"); a hidden ticket looks absent.
   */
  visibleTicket(id: number): HaloRecord | undefined;
  visibleTickets(): HaloRecord[];
};

export function createHaloStore(seed: HaloSeed, nowIso: () => string): HaloStore {
  let nextAction = 5001;
  const nextActionId = () => nextAction++;
  const data = buildHaloData(seed, nowIso(), nextActionId);
  const state: HaloSimulatorState = { ...data, requests: [], latencyMs: 0, rateLimit: undefined, forbidden: [] };

  const apiAgent = () => (state.apiAgentId === null ? undefined : state.agents.get(state.apiAgentId));
  const canSee = (ticket: HaloRecord) => {
    const agent = apiAgent();
    if (!agent) return true;
    const teams = Array.isArray(agent.teams) ? (agent.teams as { name?: unknown }[]).map((t) => String(t.name)) : [];
    return teams.includes(String(ticket.team));
  };

  return {
    state,
    now: nowIso,
    nextActionId,
    apiAgent,
    visibleTicket(id) {
      const ticket = state.tickets.get(id);
      return ticket && canSee(ticket) ? ticket : undefined;
    },
    visibleTickets: () => [...state.tickets.values()].filter(canSee),
  };
}
