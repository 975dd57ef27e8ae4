import { type DirectoryOperation, operationKind, operationName } from '../../connectors/directory/directory-operations.js';
import type { DirectoryAgentLink } from '../../connectors/directory/types.js';
import type { Clock } from '../../lib/clock.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { hashToken, newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { OUTCOME_UNKNOWN_CODE, ToolboxError, type UpstreamDetail } from '../../lib/toolbox-error.js';
import type { DirectoryAgentRecord, Store } from '../../store/types.js';

/** Where the agent talks to the toolbox (src/web/routes/agent-routes.ts serves them, src/agent uses them). */
export const AGENT_PATHS = { poll: '/agent/v1/poll', answer: '/agent/v1/answer' } as const;

/** One agent's poll: who it is and what it last saw of its domain controller. */
export type AgentPoll = {
  directoryId: string;
  /** agent.yaml `name`, else its host name. */
  agentName: string;
  /** A random id per agent process: a restarted agent never answers its predecessor's operations. */
  instanceId: string;
  version: string;
  dcReachable: boolean;
  dcMessage: string | null;
};

/** An operation as the agent receives it. */
export type AgentWork = DirectoryOperation & { id: string };

/** An agent's answer: the operation's result, or its error as a ToolboxError's parts. */
export type AgentAnswer =
  | { ok: true; result?: unknown }
  | {
      ok: false;
      error: { code: string; message: string; httpStatus?: number; retryable?: boolean; upstream?: UpstreamDetail };
    };

export type AgentView = DirectoryAgentRecord & { connected: boolean };

export type AgentHubOptions = {
  /** How long the toolbox holds an agent's poll open when there is nothing to do. */
  pollHoldMs?: number;
  /** An agent heard from within this long is connected; none within it: the directory's agent is offline. */
  onlineWindowMs?: number;
  /** How often a held poll and a waiting caller look at the store (other instances' work). */
  storePollMs?: number;
  /** How often a held poll records that the agent is still there. */
  seenEveryMs?: number;
  /** Operations handed to one poll at most. */
  maxPerPoll?: number;
};

export type AgentHub = DirectoryAgentLink & {
  /** The directory an agent token belongs to: a pre-shared `agentToken` or one created here (hashed in the store). */
  authenticate(token: string): Promise<{ directoryId: string } | null>;
  /** Waits (up to `pollHoldMs`) for operations for this agent's directory, claims and returns them. */
  poll(agent: AgentPoll, signal?: AbortSignal): Promise<AgentWork[]>;
  /** Stores an agent's answer; false when the operation is not its own any more (the caller gave up). */
  answer(agent: AgentPoll, id: string, answer: AgentAnswer): Promise<boolean>;
  agents(directoryId?: string): Promise<AgentView[]>;
  /** Creates a token for the directory's agents; `rotate`: the others stop working. Returns it once. */
  createToken(directoryId: string, options: { rotate: boolean; createdBy: string | null }): Promise<{ token: string; hint: string }>;
  /** Deletes operations whose callers have long given up. */
  purge(): Promise<number>;
};

export type AgentHubDeps = {
  store: Pick<Store, 'directoryAgents'>;
  secretBox: SecretBox;
  clock: Clock;
  logger: Logger;
  /** The pre-shared tokens of the directories configured with `agentToken`, by directory id. */
  presharedTokens: () => Iterable<[directoryId: string, token: string]>;
};

const DEFAULTS = { pollHoldMs: 20_000, onlineWindowMs: 30_000, storePollMs: 500, seenEveryMs: 5_000, maxPerPoll: 8 };

const argsAad = (id: string) => `agent-request:${id}:args`;
const answerAad = (id: string) => `agent-request:${id}:answer`;
const claimer = (agent: Pick<AgentPoll, 'agentName' | 'instanceId'>) => `${agent.agentName}/${agent.instanceId}`;
const agentNameOf = (claimedBy: string) => claimedBy.slice(0, claimedBy.lastIndexOf('/'));

/**
 * The toolbox's side of the on-prem agents (docs/active-directory.md): a request table in the
 * store, so that any instance can enqueue an operation and an agent polling any instance claims
 * it; in-process wake-ups for the common case of both on one instance, and a short look at the
 * store for the rest. Arguments and answers are sealed in the table and deleted once read.
 *
 * What an operation's caller is told:
 * - no agent heard from within `onlineWindowMs`: offline at once, nothing sent;
 * - no agent took it before its agent went silent or the time ran out: offline, nothing done;
 * - an agent took it and its answer never came: a write's outcome is unknown
 *   (TBX_ERR_AGENT_OUTCOME_UNKNOWN) and it is never handed to another agent; a read can be asked again.
 */
export function createAgentHub(deps: AgentHubDeps, options: AgentHubOptions = {}): AgentHub {
  const settings = { ...DEFAULTS, ...options };
  const repo = deps.store.directoryAgents;
  const iso = (ms = deps.clock.now()) => new Date(ms).toISOString();
  const pollWaiters = new Map<string, Set<() => void>>();
  const answerWaiters = new Map<string, () => void>();

  const wakePolls = (directoryId: string) => {
    for (const wake of pollWaiters.get(directoryId) ?? []) wake();
  };
  /** Sleeps `ms`, or less when woken. */
  const nap = (ms: number, register: (wake: () => void) => () => void, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unregister();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unregister = register(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  const isOnline = (lastSeen: string | null) => lastSeen !== null && deps.clock.now() - Date.parse(lastSeen) <= settings.onlineWindowMs;

  const offline = (directoryId: string, lastSeen: string | null, what: string, sent: boolean) =>
    new ToolboxError({
      code: 'TBX_ERR_AGENT_OFFLINE',
      httpStatus: 503,
      retryable: true,
      message: `${
        lastSeen
          ? `The on-prem agent for ${directoryId} is offline (last seen ${lastSeen.replace('T', ' ').slice(0, 19)} UTC)`
          : `No on-prem agent for ${directoryId} has connected to the toolbox yet`
      }: ${what} was ${sent ? 'not carried out' : 'not sent'}; nothing was changed. Check that the agent’s service runs on the customer’s server and can reach the toolbox (docs/active-directory.md, "Troubleshooting").`,
    });

  async function authenticate(token: string): Promise<{ directoryId: string } | null> {
    if (!token) return null;
    for (const [directoryId, preshared] of deps.presharedTokens()) {
      if (constantTimeEquals(token, preshared)) return { directoryId };
    }
    const found = await repo.findActiveToken(hashToken(token));
    return found ? { directoryId: found.directoryId } : null;
  }

  async function poll(agent: AgentPoll, signal?: AbortSignal): Promise<AgentWork[]> {
    const seen = () =>
      repo.recordSeen({
        directoryId: agent.directoryId,
        agentName: agent.agentName,
        version: agent.version,
        dcReachable: agent.dcReachable,
        dcMessage: agent.dcMessage,
        lastSeenAt: iso(),
      });
    await seen();
    const until = deps.clock.now() + settings.pollHoldMs;
    let lastSeenAt = deps.clock.now();
    for (;;) {
      // An agent that hung up gets nothing more: what it claimed would never reach it.
      if (signal?.aborted) return [];
      const claimed = await repo.claim(agent.directoryId, claimer(agent), iso(), settings.maxPerPoll);
      if (claimed.length > 0) {
        return claimed.map((request) => {
          const [part, method] = request.operation.includes('.') ? request.operation.split('.') : [null, request.operation];
          const args = request.argsSealed ? (JSON.parse(deps.secretBox.open(request.argsSealed, argsAad(request.id))) as unknown[]) : [];
          return { id: request.id, part: part as DirectoryOperation['part'], method: method as string, args };
        });
      }
      const now = deps.clock.now();
      if (now >= until || signal?.aborted) return [];
      if (now - lastSeenAt >= settings.seenEveryMs) {
        await seen();
        lastSeenAt = now;
      }
      await nap(
        Math.min(settings.storePollMs, until - now),
        (wake) => {
          const set = pollWaiters.get(agent.directoryId) ?? new Set<() => void>();
          pollWaiters.set(agent.directoryId, set);
          set.add(wake);
          return () => {
            set.delete(wake);
            if (set.size === 0) pollWaiters.delete(agent.directoryId);
          };
        },
        signal,
      );
    }
  }

  async function answer(agent: AgentPoll, id: string, reply: AgentAnswer): Promise<boolean> {
    const stored = await repo.answer(id, claimer(agent), deps.secretBox.seal(JSON.stringify(reply), answerAad(id)), iso());
    if (stored) answerWaiters.get(id)?.();
    return stored;
  }

  async function call(directoryId: string, operation: DirectoryOperation, callOptions: { timeoutMs: number }): Promise<unknown> {
    const kind = operationKind(operation.part, operation.method);
    if (!kind) throw new Error(`${operationName(operation)} is not a directory operation`);
    const what = operationName(operation);
    const lastSeen = await repo.lastSeen(directoryId);
    // Fail fast: no agent polled lately, so none would take it; the form says so at once.
    if (!isOnline(lastSeen)) throw offline(directoryId, lastSeen, what, false);

    const id = newId();
    const started = deps.clock.now();
    const deadline = started + callOptions.timeoutMs;
    await repo.enqueue({
      id,
      directoryId,
      operation: what,
      argsSealed: deps.secretBox.seal(JSON.stringify(operation.args), argsAad(id)),
      createdAt: iso(started),
      deadline: iso(deadline),
    });
    wakePolls(directoryId);
    let checkedAgentsAt = started;
    try {
      for (;;) {
        const request = await repo.get(id);
        if (!request) throw new Error('the agent request disappeared from the store');
        if (request.status === 'answered' && request.answerSealed) {
          const reply = JSON.parse(deps.secretBox.open(request.answerSealed, answerAad(id))) as AgentAnswer;
          if (reply.ok) return reply.result;
          throw new ToolboxError({
            code: reply.error.code,
            message: reply.error.message,
            httpStatus: reply.error.httpStatus ?? 502,
            retryable: reply.error.retryable ?? false,
            ...(reply.error.upstream ? { upstream: reply.error.upstream } : {}),
          });
        }
        const now = deps.clock.now();
        const timedOut = now >= deadline;
        let agentGone = false;
        if (timedOut || now - checkedAgentsAt >= settings.storePollMs * 2) {
          checkedAgentsAt = now;
          if (request.status === 'pending') agentGone = !isOnline(await repo.lastSeen(directoryId));
          else if (request.claimedBy) {
            const holder = (await repo.listAgents(directoryId)).find((agent) => agent.agentName === agentNameOf(request.claimedBy!));
            agentGone = !isOnline(holder?.lastSeenAt ?? null);
          }
        }
        if (timedOut || agentGone) {
          if (request.status === 'pending' && (await repo.withdraw(id))) {
            throw offline(directoryId, await repo.lastSeen(directoryId), what, true);
          }
          if (request.status !== 'answered') return lost(directoryId, what, kind, request.claimedBy, timedOut);
        }
        await nap(Math.min(settings.storePollMs, Math.max(1, deadline - now)), (wake) => {
          answerWaiters.set(id, wake);
          return () => answerWaiters.delete(id);
        });
      }
    } finally {
      // Once read (or given up), the sealed arguments and answer go; a late answer finds no row.
      await repo
        .delete(id)
        .catch((error) => deps.logger.warn({ err: error, directoryId, operation: what }, 'could not delete an agent request'));
    }
  }

  function lost(directoryId: string, what: string, kind: 'read' | 'write', claimedBy: string | null, timedOut: boolean): never {
    const agent = claimedBy ? agentNameOf(claimedBy) : 'the agent';
    const why = timedOut ? 'its answer did not come in time' : 'it went silent before answering';
    deps.logger.warn({ directoryId, operation: what, agent, timedOut }, 'agent took an operation and its answer was lost');
    if (kind === 'read') {
      throw new ToolboxError({
        code: 'TBX_ERR_AGENT_NO_ANSWER',
        httpStatus: 504,
        retryable: true,
        message: `The on-prem agent for ${directoryId} (${agent}) took ${what} and ${why}. It only reads, so nothing changed: try again.`,
      });
    }
    throw new ToolboxError({
      code: OUTCOME_UNKNOWN_CODE,
      httpStatus: 504,
      message: `The on-prem agent for ${directoryId} (${agent}) took ${what} and ${why}: whether the domain controller made the change is not known. It was not sent again.`,
    });
  }

  async function agents(directoryId?: string): Promise<AgentView[]> {
    return (await repo.listAgents(directoryId)).map((agent) => ({ ...agent, connected: isOnline(agent.lastSeenAt) }));
  }

  return {
    authenticate,
    poll,
    answer,
    call,
    agents,
    async status(directoryId) {
      const list = await agents(directoryId);
      const lastSeen =
        list
          .map((agent) => agent.lastSeenAt)
          .sort()
          .at(-1) ?? null;
      return { connected: list.filter((agent) => agent.connected).map((agent) => agent.agentName), lastSeen };
    },
    async createToken(directoryId, tokenOptions) {
      const token = `tbxa_${newId(32)}`;
      const created = await repo.createToken({
        id: newId(),
        directoryId,
        tokenHash: hashToken(token),
        hint: token.slice(-4),
        createdAt: iso(),
        createdBy: tokenOptions.createdBy,
      });
      if (tokenOptions.rotate) await repo.revokeTokens(directoryId, iso(), created.id);
      return { token, hint: created.hint };
    },
    purge: () => repo.purge(iso(deps.clock.now() - 60 * 60_000)),
  };
}
