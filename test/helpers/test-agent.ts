import { randomBytes } from 'node:crypto';
import type { AgentConfig } from '../../src/agent/agent-config.js';
import { type RunAgentOptions, type RunningAgent, runAgent } from '../../src/agent/run-agent.js';
import type { Logger } from '../../src/lib/logger.js';
import { sambaLdapSettings, sambaLookup, type TestSambaDc } from './samba-dc.js';
import { TEST_ORIGIN, type TestToolbox } from './test-toolbox.js';

/**
 * The on-prem agent in the tests: the loop `npm run agent` runs, in this process, reaching the
 * toolbox under test through its app (no socket) and the Samba DC over LDAPS. The hub answers in a
 * test's time: a poll held 1 s, an agent counted offline 2.5 s after its last poll.
 */
export const TEST_AGENT_HUB = { pollHoldMs: 1_000, onlineWindowMs: 2_500, storePollMs: 100, seenEveryMs: 400, maxPerPoll: 2 };

/** A pre-shared agent token (`agentToken` in the directory, `token` in agent.yaml), new per file. */
export const newAgentToken = () => `preshared-${randomBytes(24).toString('base64url')}`;

/**
 * A test's `active-directory` directory on the Samba DC, over either connection: `direct` holds
 * the LDAP settings, `agent` only the token (the agent holds the rest).
 */
export function sambaDirectory(
  dc: TestSambaDc,
  entry: { id: string; name: string; baseDn: string; psaCompanyIds: string[]; connection: 'direct' | 'agent'; agentToken?: string },
) {
  const { connection, agentToken, ...common } = entry;
  return {
    ...common,
    kind: 'active-directory',
    ...(connection === 'direct'
      ? { connection, ...sambaLdapSettings(dc) }
      : { connection, agentToken: agentToken ?? '', timeoutMs: 5_000 }),
  };
}

export type TestAgentOptions = {
  toolbox: TestToolbox;
  dc: TestSambaDc;
  token: string;
  /** The agent's base DN (the directory's). */
  baseDn: string;
  name: string;
  logger: Logger;
  overrides?: Partial<AgentConfig>;
} & Pick<RunAgentOptions, 'onWork'>;

/** Starts an agent (not waiting for it to connect: see `untilAgentConnected`). */
export function startTestAgent(options: TestAgentOptions): RunningAgent {
  const { toolbox, dc } = options;
  return runAgent({
    config: {
      server: TEST_ORIGIN,
      token: options.token,
      name: options.name,
      ldap: { connection: 'direct', ...sambaLdapSettings(dc), baseDn: options.baseDn, timeoutMs: 10_000 },
      concurrency: 4,
      logLevel: 'debug',
      ...options.overrides,
    },
    logger: options.logger,
    version: 'test',
    lookup: sambaLookup(dc),
    backoffMs: { first: 100, max: 400 },
    fetch: (input, init) => toolbox.app.request(String(input), init) as Promise<Response>,
    ...(options.onWork ? { onWork: options.onWork } : {}),
  });
}

/** Waits until `count` agents of the directory are connected (8 s at most). */
export async function untilAgentConnected(toolbox: TestToolbox, directoryId: string, count = 1): Promise<void> {
  const deadline = Date.now() + 8_000;
  while ((await toolbox.services.agents.agents(directoryId)).filter((agent) => agent.connected).length < count) {
    if (Date.now() > deadline) throw new Error(`no agent of ${directoryId} connected within 8 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
