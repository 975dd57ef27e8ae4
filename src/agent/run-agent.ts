import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { createActiveDirectoryClient } from '../connectors/directory/active-directory/active-directory-client.js';
import { ActiveDirectoryLdap } from '../connectors/directory/active-directory/active-directory-ldap.js';
import { operationName, runDirectoryOperation } from '../connectors/directory/directory-operations.js';
import type { DirectoryClient } from '../connectors/directory/types.js';
import { AGENT_PATHS, type AgentAnswer, type AgentWork } from '../domain/agents/agent-hub.js';
import type { Logger } from '../lib/logger.js';
import { isToolboxError } from '../lib/toolbox-error.js';
import type { AgentConfig } from './agent-config.js';

export type RunAgentOptions = {
  config: AgentConfig;
  logger: Logger;
  version: string;
  /** Name resolution for the DC (tests point its name at a local Samba DC). */
  lookup?: LookupFunction;
  /** Waits after a failed poll: doubled each time from the first to the last (tests shorten them). */
  backoffMs?: { first: number; max: number };
  /** How often the agent binds to its DC to report whether it is reachable. */
  dcCheckEveryMs?: number;
  /** Called with each operation's name before it runs and after (tests stop an agent at those points). */
  onWork?: (work: Pick<AgentWork, 'id' | 'part' | 'method'>, phase: 'before' | 'after') => void | Promise<void>;
  /** The HTTP client to the toolbox (tests reach an in-process toolbox); the global fetch by default. */
  fetch?: typeof fetch;
};

export type RunningAgent = {
  /** Stops polling; operations under way finish and are answered first. */
  stop(): Promise<void>;
  /** Stops at once, answering nothing (as if the process died): for tests of lost answers. */
  kill(): void;
  /** Settles when the agent stopped. */
  done: Promise<void>;
};

/**
 * The on-prem agent's loop (docs/active-directory.md): polls the toolbox over HTTPS (a long poll,
 * so the toolbox's operations arrive at once, and only outbound connections), runs each operation
 * of the directory port it is handed on the Active Directory client next to the DC, and posts the
 * answer. The domain's credentials stay here; nothing is logged of an operation but its name.
 * A refused token or an unreachable toolbox is logged and retried with a growing wait.
 */
export function runAgent(options: RunAgentOptions): RunningAgent {
  const { config, logger, version } = options;
  const ad = new ActiveDirectoryLdap(config.ldap, { logger, ...(options.lookup ? { lookup: options.lookup } : {}) });
  const client: DirectoryClient = createActiveDirectoryClient(ad, { now: () => Date.now() });
  const http = options.fetch ?? fetch;
  const instanceId = randomBytes(12).toString('base64url');
  const backoff = options.backoffMs ?? { first: 1_000, max: 60_000 };
  const dcCheckEveryMs = options.dcCheckEveryMs ?? 60_000;
  const stopping = new AbortController();
  const killed = new AbortController();
  let dc: { reachable: boolean; message: string | null } = { reachable: false, message: 'Not checked yet.' };
  let dcCheckedAt = Number.NEGATIVE_INFINITY;
  const running = new Set<Promise<void>>();

  const headers = { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' };
  const identity = () => ({ agentName: config.name, instanceId, version, dc });

  async function checkDc(): Promise<void> {
    dcCheckedAt = Date.now();
    try {
      const base = await ad.readBase();
      if (!dc.reachable) logger.info({ host: ad.host }, `domain controller reachable: read ${base.dn}`);
      dc = { reachable: true, message: `Signed in to ${ad.host} and read ${base.dn}.` };
    } catch (error) {
      const message = isToolboxError(error) ? error.message : 'The domain controller answered something unexpected.';
      logger.warn({ host: ad.host, code: isToolboxError(error) ? error.code : undefined }, `domain controller not reachable: ${message}`);
      dc = { reachable: false, message };
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  async function carryOut(work: AgentWork): Promise<void> {
    const name = operationName(work);
    const started = performance.now();
    let answer: AgentAnswer;
    try {
      await options.onWork?.(work, 'before');
      if (killed.signal.aborted) return;
      answer = { ok: true, result: await runDirectoryOperation(client, work) };
      await options.onWork?.(work, 'after');
      if (killed.signal.aborted) return;
      logger.info({ operation: name, durationMs: Math.round(performance.now() - started) }, 'operation done');
    } catch (error) {
      if (killed.signal.aborted) return;
      const known = isToolboxError(error);
      if (!known) logger.error({ operation: name, err: error }, 'operation failed unexpectedly');
      else logger.warn({ operation: name, code: error.code, upstream: error.upstream?.code }, 'operation refused or failed');
      answer = known
        ? {
            ok: false,
            error: {
              code: error.code,
              message: error.message,
              httpStatus: error.httpStatus,
              retryable: error.retryable,
              ...(error.upstream ? { upstream: error.upstream } : {}),
            },
          }
        : {
            ok: false,
            error: { code: 'TBX_ERR_AGENT_INTERNAL', message: 'The on-prem agent hit an unexpected problem; the details are in its log.' },
          };
    }
    if (killed.signal.aborted) return;
    // The answer is sent even while stopping: the toolbox is waiting for it.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const response = await http(`${config.server}${AGENT_PATHS.answer}`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ ...identity(), id: work.id, answer }),
          signal: killed.signal,
        });
        if (response.status === 409) logger.warn({ operation: name }, 'the toolbox had stopped waiting for this answer');
        else if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return;
      } catch (error) {
        if (killed.signal.aborted) return;
        logger.warn({ operation: name, attempt, err: String(error) }, 'could not send the answer; trying again');
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    logger.error({ operation: name }, 'the answer could not be sent; the toolbox will report its outcome as unknown');
  }

  async function loop(): Promise<void> {
    let wait = backoff.first;
    let refusedLogged = false;
    let connected = false;
    while (!stopping.signal.aborted) {
      if (Date.now() - dcCheckedAt >= dcCheckEveryMs) await checkDc();
      let response: Response;
      try {
        response = await http(`${config.server}${AGENT_PATHS.poll}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(identity()),
          signal: stopping.signal,
        });
      } catch (error) {
        if (stopping.signal.aborted) break;
        connected = false;
        logger.warn(
          { server: config.server, retryInMs: wait, err: String((error as Error).cause ?? error) },
          'cannot reach the toolbox; retrying',
        );
        await sleep(wait);
        wait = Math.min(wait * 2, backoff.max);
        continue;
      }
      if (response.status === 401) {
        connected = false;
        const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
        // Said once per run of refusals, then quietly retried (an admin may be rotating the token).
        if (!refusedLogged) {
          logger.error(
            { server: config.server, status: 401 },
            `the toolbox refused this agent's token: ${body.error?.message ?? 'unknown token'}`,
          );
          refusedLogged = true;
        }
        await sleep(wait);
        wait = Math.min(wait * 2, backoff.max);
        continue;
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        logger.warn(
          { server: config.server, status: response.status, body: text.slice(0, 300), retryInMs: wait },
          'the toolbox refused the poll; retrying',
        );
        await sleep(wait);
        wait = Math.min(wait * 2, backoff.max);
        continue;
      }
      const { directoryId, work } = (await response.json()) as { directoryId: string; work: AgentWork[] };
      if (!connected) logger.info({ server: config.server, directoryId }, 'connected to the toolbox');
      connected = true;
      wait = backoff.first;
      refusedLogged = false;
      for (const item of work) {
        // Bounded: past `concurrency` operations under way, the next waits for one to finish.
        while (running.size >= config.concurrency) await Promise.race(running);
        const task = carryOut(item).finally(() => running.delete(task));
        running.add(task);
      }
    }
    await Promise.allSettled([...running]);
  }

  logger.info({ server: config.server, name: config.name, host: ad.host, version }, 'on-prem agent starting');
  const done = loop().finally(() => ad.close());
  return {
    async stop() {
      stopping.abort();
      await done;
    },
    kill() {
      killed.abort();
      stopping.abort();
    },
    done,
  };
}
