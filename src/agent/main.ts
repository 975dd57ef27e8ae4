import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.js';
import { createLogger } from '../lib/logger.js';
import { loadAgentConfig } from './agent-config.js';
import { runAgent } from './run-agent.js';

const HELP = `Technician Toolbox on-prem agent for Active Directory.

Usage: npm run agent -- --config agent.yaml

Runs next to the customer's domain controller, connects OUT to the toolbox over HTTPS (no inbound
port), and carries out the toolbox's directory operations (find users and groups, reset a password,
unlock, enable/disable, group membership, create, move) against the domain. The domain's
credentials stay in agent.yaml on this machine.

agent.yaml:
  server: https://toolbox.example.com     # the toolbox's public URL
  token: env:TOOLBOX_AGENT_TOKEN          # from the admin console: Directories → the directory → On-prem agent
  name: dc1-agent                         # optional; how the console names this agent (default: host name)
  ldap:
    url: ldaps://dc1.contoso.example:636
    username: svc-toolbox@contoso.example
    password: env:CONTOSO_AD_PASSWORD
    baseDn: DC=contoso,DC=example
    caCertificate: C:\\toolbox-agent\\contoso-ca.pem   # optional
  concurrency: 4                          # optional: operations at once
  logLevel: info                          # optional

Values may be env:NAME references. Running it as a Windows service or a systemd unit:
docs/active-directory.md, "The on-prem agent".

Options:
  --config PATH   agent.yaml (default: the AGENT_CONFIG environment variable)
  --check         reads the file, binds to the domain controller once, and exits (0: fine)
  --help          this text
`;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(): Promise<number> {
  let values: { config?: string | undefined; check?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const path = values.config ?? process.env.AGENT_CONFIG;
  if (!path) {
    process.stderr.write(`No configuration: give --config agent.yaml (or set AGENT_CONFIG).\n\n${HELP}`);
    return 2;
  }
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig(resolve(path), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel }).child({ service: 'toolbox-agent', agent: config.name });
  if (values.check) {
    const { ActiveDirectoryLdap } = await import('../connectors/directory/active-directory/active-directory-ldap.js');
    const ad = new ActiveDirectoryLdap(config.ldap, { logger });
    try {
      const base = await ad.readBase();
      process.stdout.write(`OK: signed in to ${ad.host} and read ${base.dn}.\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`FAIL: ${(error as Error).message}\n`);
      return 1;
    } finally {
      await ad.close();
    }
  }
  const agent = runAgent({ config, logger, version: VERSION });
  const stop = () => {
    logger.info('stopping: finishing the operations under way');
    void agent.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await agent.done;
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`The agent stopped on an unexpected error: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  },
);
