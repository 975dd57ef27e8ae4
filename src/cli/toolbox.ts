import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { MICROSOFT_LICENSING_CSV_URL, refreshLicenceNames } from '../connectors/directory/entra/refresh-licence-names.js';
import { directoryConnectors } from '../connectors/directory/index.js';
import { psaConnectors } from '../connectors/psa/index.js';
import { type CheckLineState, checkLineState, type SystemsCheckResult } from '../connectors/systems-check.js';
import { createAgentHub } from '../domain/agents/agent-hub.js';
import { addUser } from '../domain/auth/add-user.js';
import { createLiveSettings } from '../domain/settings/live-settings.js';
import { rotateSecretKey } from '../domain/settings/rotate-secret-key.js';
import { builtInForms } from '../forms/index.js';
import { systemClock } from '../lib/clock.js';
import { createHttpFetch } from '../lib/http-fetch.js';
import { createLogger } from '../lib/logger.js';
import { hashPassword } from '../lib/password-hash.js';
import { createSecretBox, generateSecretKey, loadSecretKeys, secretKeyId, writeKeyFile } from '../lib/secret-box.js';
import { createAppCertificate } from '../lib/self-signed-certificate.js';
import { openStore } from '../store/index.js';
import type { Role } from '../store/types.js';

/** Each check line's state as the command prints it, aligned. */
const CLI_STATE_WORDS: Record<CheckLineState, string> = {
  pass: 'PASS   ',
  fail: 'FAIL   ',
  'not-run': 'NOT RUN',
  unverified: 'UNVERIFIABLE',
  warning: 'WARN   ',
};

const HELP = `Technician Toolbox administration.

Usage: npm run toolbox -- <command> [options]

Commands:
  user add --email E [--name N] [--role technician|admin]
        Adds a toolbox user. The password is read from the environment variable
        TOOLBOX_NEW_PASSWORD, or from standard input (one line), never from the command line.
  user list
        Lists users: e-mail, role, state.
  user disable --email E      Stops a user from signing in (their sessions end).
  user enable --email E
  user set-password --email E Sets a new password (read like 'user add').
  check
        Runs the systems checks of the PSA connection and of every directory (from the
        configuration file and the admin console), check by check; exits 1 if any failed.
  secret-key status
        Shows the key ids in use and how many saved secrets still need an older key.
  secret-key rotate
        Starts sealing with a new key and re-seals every saved secret with it. With the data
        directory's secret.key: generates the new key and keeps the old one after it. With
        TOOLBOX_SECRET_KEY: set it to "<new>,<old>" first. See docs/admin.md.
  secret-key forget-old
        After every instance restarted: drops the old keys (file) or says it is safe to.
  licences refresh [--from PATH-OR-URL] [--to PATH]
        Refreshes the licence product names ("Microsoft 365 Business Premium" for SPB) from
        Microsoft's "Product names and service plan identifiers for licensing" CSV: downloaded
        from Microsoft by default, or a file or URL given with --from. Writes the shipped table
        (src/connectors/directory/entra/licence-names.csv) unless --to names another file.
        Restart the service to use it.
  agents list
        Lists the on-prem agents of every directory: connected or not, last seen, version,
        whether their domain controller is reachable.
  agents create-token --directory ID
        Creates a token for the on-prem agents of directory ID (connection: agent) and prints it
        once; put it in agent.yaml as 'token'. The toolbox keeps only its hash.
  agents rotate-token --directory ID
        Like create-token, and every other token of that directory stops working at once.
  microsoft-certificate [--out-dir DIR] [--name CN] [--days N]
        Generates the MSP app's certificate credential: an RSA key (DIR/msp-app.key, readable
        by you only) and a self-signed certificate (DIR/msp-app.crt, default DIR: the current
        directory, N: 365 days, at most 730). Upload the .crt to the app registration
        (Certificates & secrets → Certificates); the key stays with the toolbox
        (microsoft.certificate.privateKey). Never overwrites a file. See docs/microsoft-365.md.
  backup --to FILE
        SQLite: copies the database to FILE (a new file) while the service keeps running
        (SQLite's online backup). PostgreSQL: use pg_dump instead (docs/operations.md).
        Keep the secret key (TOOLBOX_SECRET_KEY or the data directory's secret.key) with the
        backup: without it the restored database cannot open the secrets it holds.

The database is the one the service uses: TOOLBOX_CONFIG / DATABASE_URL / TOOLBOX_DATA_DIR as for
'npm start' (see docs/configuration.md).
`;

async function readPassword(): Promise<string> {
  const fromEnv = process.env.TOOLBOX_NEW_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) process.stderr.write('Password (input is not hidden; prefer TOOLBOX_NEW_PASSWORD or a pipe): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The settings in force (file and console) over the service's own database and secret key. */
async function openEffectiveSettings(config: Config, env: Record<string, string | undefined>) {
  const logger = createLogger({ level: 'silent' });
  const fetch = createHttpFetch();
  const store = openStore(config.database);
  await store.migrate();
  const secretBox = createSecretBox(loadSecretKeys({ env, dataDir: config.dataDir }).keys);
  // Store-backed: an operation sent from here (a systems check) is taken by an agent polling the service.
  const agents = createAgentHub({
    store,
    secretBox,
    clock: systemClock,
    logger,
    presharedTokens: () => [],
  });
  const settings = createLiveSettings({
    config,
    store,
    secretBox,
    agents,
    fetch,
    logger,
    clock: systemClock,
    psaConnectors,
    directoryConnectors,
    formDefaultsSchemas: builtInForms.defaultsSchemas,
    availableForms: [...builtInForms.names],
    // Tenants connected by admin consent sign in with the MSP app (the file's, else the console's),
    // as in the service: live-settings.ts reads both.
  });
  await settings.refresh({ force: true });
  return {
    settings,
    agents,
    async close() {
      await fetch.close();
      await store.close();
    },
  };
}

/** Prints every systems check; true when all passed. */
async function runSystemsChecks(config: Config, env: Record<string, string | undefined>): Promise<boolean> {
  const opened = await openEffectiveSettings(config, env);
  try {
    const effective = opened.settings.current();
    for (const problem of effective.problems) process.stdout.write(`NOTE  ${problem}\n`);
    if (!effective.psa && effective.directories.length === 0) {
      process.stdout.write('Nothing to check: no PSA connection and no directory are set up (file or admin console).\n');
      return false;
    }
    const sections: [string, () => Promise<SystemsCheckResult[]>][] = [
      ...(effective.psa
        ? [
            [`PSA (${effective.psa.kind}, ${effective.psa.source})`, () => opened.settings.psa.systemsCheck()] as [
              string,
              () => Promise<SystemsCheckResult[]>,
            ],
          ]
        : []),
      ...opened.settings.directories
        .all()
        .map(
          (directory) =>
            [`Directory ${directory.config.name} (${directory.config.kind})`, () => directory.client.systemsCheck()] as [
              string,
              () => Promise<SystemsCheckResult[]>,
            ],
        ),
    ];
    let allOk = true;
    for (const [title, run] of sections) {
      process.stdout.write(`${title}\n`);
      for (const line of await run()) {
        // Only a failure (or a step skipped after one) fails the check; "not verifiable" is said, not failed.
        const state = checkLineState(line);
        allOk &&= state !== 'fail' && state !== 'not-run';
        process.stdout.write(`  ${CLI_STATE_WORDS[state]}  ${line.name}: ${line.message}\n`);
        if (!line.ok && line.hint) process.stdout.write(`        what to do: ${line.hint}\n`);
      }
    }
    return allOk;
  } finally {
    await opened.close();
  }
}

/** `secret-key status|rotate|forget-old`: see the help text and docs/admin.md. */
async function runSecretKeyCommand(command: string | undefined, config: Config, env: Record<string, string | undefined>): Promise<void> {
  const ring = loadSecretKeys({ env, dataDir: config.dataDir });
  const where = ring.source === 'env' ? 'TOOLBOX_SECRET_KEY' : ring.path!;
  const store = openStore(config.database);
  try {
    await store.migrate();
    const clock = systemClock;
    if (command === 'status') {
      const box = createSecretBox(ring.keys);
      const { stillStale } = await rotateSecretKey({ store, secretBox: box, clock }, { dryRun: true });
      process.stdout.write(`Keys (${where}), current first: ${ring.keys.map((key) => secretKeyId(key)).join(', ')}\n`);
      process.stdout.write(`Saved settings secrets sealed with an older key: ${stillStale}\n`);
      return;
    }
    if (command === 'rotate') {
      let keys = ring.keys;
      if (ring.source === 'file') {
        keys = [Buffer.from(generateSecretKey(), 'base64'), ...ring.keys];
        // The old keys stay after the new one until every value is re-sealed and every instance restarted.
        writeKeyFile(ring.path!, keys);
      } else if (keys.length < 2) {
        fail(
          'TOOLBOX_SECRET_KEY holds one key. Make a new one (openssl rand -base64 32), set TOOLBOX_SECRET_KEY to "<new>,<old>" here and on every instance, then run this again.',
        );
      }
      const box = createSecretBox(keys);
      const result = await rotateSecretKey({ store, secretBox: box, clock });
      process.stdout.write(
        `Now sealing with key ${box.keyId}. Re-sealed ${result.settingsResealed} saved secret(s) and ${result.oneTimeSecretsResealed} one-time password(s).\n`,
      );
      process.stdout.write(
        ring.source === 'file'
          ? `${where} now holds the new key first and the old one after it. Restart every instance (they share this file), then run: npm run toolbox -- secret-key forget-old\n`
          : 'Restart every instance with the same TOOLBOX_SECRET_KEY, then run "secret-key forget-old" and afterwards set TOOLBOX_SECRET_KEY to the new key alone.\n',
      );
      return;
    }
    if (command === 'forget-old') {
      const box = createSecretBox(ring.keys);
      // Anything still sealed with an old key is re-sealed first, so forgetting cannot lose it.
      await rotateSecretKey({ store, secretBox: box, clock });
      const { stillStale } = await rotateSecretKey({ store, secretBox: box, clock }, { dryRun: true });
      if (stillStale > 0) fail(`${stillStale} saved secret(s) still need an old key; run "secret-key rotate" again first.`);
      if (ring.keys.length === 1) {
        process.stdout.write('Only one key is configured; nothing to forget.\n');
      } else if (ring.source === 'file') {
        writeKeyFile(ring.path!, [ring.keys[0]!]);
        process.stdout.write(`${where} now holds only key ${box.keyId}.\n`);
      } else {
        process.stdout.write(`Every saved secret uses key ${box.keyId}. Set TOOLBOX_SECRET_KEY to that key alone on every instance.\n`);
      }
      return;
    }
    fail(`Unknown secret-key command "${command ?? ''}". Use status, rotate or forget-old.`);
  } finally {
    await store.close();
  }
}

/** `agents list|create-token|rotate-token`: the on-prem agents (docs/active-directory.md). */
async function runAgentsCommand(command: string | undefined, args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parseArgs({ args, options: { directory: { type: 'string' } }, strict: true });
  const config = loadCliConfig(env);
  const opened = await openEffectiveSettings(config, env);
  try {
    if (command === 'list') {
      const agents = await opened.agents.agents();
      if (agents.length === 0) process.stdout.write('No on-prem agent has connected yet.\n');
      for (const agent of agents) {
        process.stdout.write(
          `${agent.directoryId}  ${agent.agentName}  ${agent.connected ? 'CONNECTED' : 'OFFLINE  '}  last seen ${agent.lastSeenAt}  version ${agent.version}  DC ${agent.dcReachable ? 'reachable' : `NOT reachable (${agent.dcMessage ?? 'no detail'})`}\n`,
        );
      }
      return;
    }
    if (command !== 'create-token' && command !== 'rotate-token') {
      fail(`Unknown agents command "${command ?? ''}". Use list, create-token --directory ID or rotate-token --directory ID.`);
    }
    if (!values.directory) fail(`--directory is required, e.g. agents ${command} --directory contoso-ad`);
    const entry = opened.settings.directories.get(values.directory);
    if (!entry) {
      const known = opened.settings.directories.all().map((directory) => directory.config.id);
      fail(`No directory has the id "${values.directory}". Known: ${known.join(', ') || 'none'}.`);
    }
    if ((entry.config.settings as { connection?: unknown }).connection !== 'agent') {
      fail(`Directory "${values.directory}" is not reached through an agent (connection: agent); it needs no agent token.`);
    }
    const { token, hint } = await opened.agents.createToken(values.directory, { rotate: command === 'rotate-token', createdBy: 'cli' });
    process.stdout.write(
      `Agent token for ${values.directory} (ends with ${hint}); shown only now, the toolbox keeps its hash:\n\n  ${token}\n\n` +
        `Put it in the agent's agent.yaml as token (or an env: reference to it) and restart the agent.` +
        (command === 'rotate-token' ? ' Every other token of this directory stopped working.\n' : '\n'),
    );
  } finally {
    await opened.close();
  }
}

/** `licences refresh`: needs no configuration or database, only the file or the download. */
async function runLicencesCommand(command: string | undefined, args: string[]): Promise<void> {
  if (command !== 'refresh') fail(`Unknown licences command "${command ?? ''}". Use: licences refresh [--from PATH-OR-URL] [--to PATH]`);
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });
  const fetch = createHttpFetch();
  try {
    process.stdout.write(`Reading ${values.from ?? MICROSOFT_LICENSING_CSV_URL}\n`);
    const result = await refreshLicenceNames(
      { fetch },
      { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) },
    );
    process.stdout.write(
      `Wrote ${result.products} licence product names to ${result.to} (it held ${result.previous}). Restart the service to use them.\n`,
    );
  } catch (error) {
    fail(`Licence names not refreshed: ${(error as Error).message}`);
  } finally {
    await fetch.close();
  }
}

/**
 * The configuration the commands work on. Without a configuration file the CLI works on the demo's
 * database location, so users added here can sign in to `npm start`'s demo too; connector settings
 * are not needed for users or backups. A bad file ends the command with the loader's message.
 */
function loadCliConfig(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig({
      env,
      psaConnectors,
      directoryConnectors,
      availableForms: [...builtInForms.names],
      formDefaultsSchemas: builtInForms.defaultsSchemas,
      demoConfig: () => ({}),
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/** `backup --to FILE`: SQLite's online backup of the service's database (docs/operations.md). */
function runMicrosoftCertificateCommand(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      'out-dir': { type: 'string', default: '.' },
      name: { type: 'string', default: 'Technician Toolbox MSP app' },
      days: { type: 'string', default: '365' },
    },
    strict: true,
  });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 730)
    fail('--days must be a whole number of days from 1 to 730 (Microsoft recommends rolling credentials over within a year).');
  const dir = resolve(values['out-dir']);
  const keyPath = join(dir, 'msp-app.key');
  const certificatePath = join(dir, 'msp-app.crt');
  for (const path of [keyPath, certificatePath])
    if (existsSync(path)) fail(`${path} already exists; move it away or give another --out-dir (the command never overwrites a key).`);
  mkdirSync(dir, { recursive: true });
  const made = createAppCertificate({ commonName: values.name, days });
  // The key first and private to its owner: only the certificate is meant to leave this machine.
  writeFileSync(keyPath, made.privateKeyPem, { mode: 0o600, flag: 'wx' });
  writeFileSync(certificatePath, made.certificatePem, { mode: 0o644, flag: 'wx' });
  process.stdout.write(
    `Wrote ${keyPath} (private key, keep it secret) and ${certificatePath} (certificate).\n` +
      `Thumbprint ${made.thumbprintSha1}, valid until ${made.notAfter.slice(0, 10)}.\n` +
      'Next: upload msp-app.crt to the MSP app registration (Certificates & secrets → Certificates → Upload certificate),\n' +
      'then give the toolbox the key and the certificate (microsoft.certificate.privateKey and .certificate).\n',
  );
}

async function runBackupCommand(args: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } }, strict: true });
  if (!values.to) fail('--to is required, e.g. backup --to /backups/toolbox-2026-12-07.sqlite');
  const config = loadCliConfig(env);
  if (config.database.kind === 'postgres') {
    fail(
      'The database is PostgreSQL: back it up with pg_dump, e.g.\n  pg_dump --format=custom --file=toolbox.dump "$DATABASE_URL"\nand keep the secret key with it (docs/operations.md).',
    );
  }
  const source = config.database.path;
  if (source === ':memory:' || !existsSync(source)) fail(`There is no database at ${source} to back up.`);
  const to = resolve(values.to);
  if (existsSync(to)) fail(`${to} already exists; give a new file (a backup never overwrites one).`);
  const store = openStore(config.database);
  try {
    const { bytes } = await store.backup(to);
    const key = env.TOOLBOX_SECRET_KEY?.trim() ? 'TOOLBOX_SECRET_KEY' : join(config.dataDir, 'secret.key');
    process.stdout.write(
      `Backed up ${source} to ${to} (${Math.max(1, Math.round(bytes / 1024))} KB).\n` +
        `Keep the secret key (${key}) with it: without the key, the restored database cannot open the secrets it holds.\n`,
    );
  } catch (error) {
    fail(`Backup failed: ${(error as Error).message}`);
  } finally {
    await store.close();
  }
}

/** Runs the CLI with these arguments; exported for tests. */
export async function runToolboxCli(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  const [area, command, ...rest] = argv;
  if (!area || area === '--help' || area === '-h' || area === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (area === 'licences' || area === 'licenses') {
    await runLicencesCommand(command, rest);
    return;
  }
  if (area === 'agents') {
    await runAgentsCommand(command, rest, env);
    return;
  }
  if (area === 'microsoft-certificate') {
    runMicrosoftCertificateCommand([command, ...rest].filter((arg): arg is string => arg !== undefined));
    return;
  }
  if (area === 'backup') {
    await runBackupCommand(
      [command, ...rest].filter((arg): arg is string => arg !== undefined),
      env,
    );
    return;
  }
  if (area !== 'user' && area !== 'check' && area !== 'secret-key') fail(`Unknown command "${area}". Run with --help to see the commands.`);
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'technician' } },
    strict: true,
  });

  const config = loadCliConfig(env);
  if (area === 'check') {
    // Without a file the service runs the demo sandbox, whose simulators only live inside it.
    if (!env.TOOLBOX_CONFIG) fail('check needs TOOLBOX_CONFIG: it checks the connections of your configuration file and admin console.');
    process.exitCode = (await runSystemsChecks(config, env)) ? 0 : 1;
    return;
  }
  if (area === 'secret-key') {
    await runSecretKeyCommand(command, config, env);
    return;
  }
  const store = openStore(config.database);
  try {
    await store.migrate();
    const deps = { store, clock: systemClock };
    const now = () => new Date(systemClock.now()).toISOString();
    const requireUser = async () => {
      if (!values.email) fail('--email is required.');
      const user = await store.users.findByEmail(values.email);
      if (!user) fail(`No user has the e-mail ${values.email}.`);
      return user;
    };
    switch (command) {
      case 'add': {
        if (!values.email) fail('--email is required, e.g. user add --email jane@msp.example --role technician');
        if (values.role !== 'technician' && values.role !== 'admin') fail(`--role must be technician or admin, not "${values.role}".`);
        const result = await addUser(deps, {
          email: values.email,
          name: values.name,
          role: values.role as Role,
          password: await readPassword(),
          source: 'cli',
        });
        if (!result.ok) fail(result.message);
        process.stdout.write(`Added ${result.user.role} ${result.user.email}.\n`);
        return;
      }
      case 'list': {
        const users = await store.users.list();
        if (users.length === 0) process.stdout.write('No users yet. Add one with: npm run toolbox -- user add --email … --role admin\n');
        for (const user of users)
          process.stdout.write(`${user.email}\t${user.role}\t${user.disabled ? 'disabled' : 'active'}\t${user.source}\n`);
        return;
      }
      case 'disable':
      case 'enable': {
        const user = await requireUser();
        await store.users.update(user.id, { disabled: command === 'disable' }, now());
        process.stdout.write(`${user.email} is now ${command === 'disable' ? 'disabled' : 'active'}.\n`);
        return;
      }
      case 'set-password': {
        const user = await requireUser();
        const password = await readPassword();
        if (password.length < 12) fail('The password must be at least 12 characters.');
        await store.users.update(user.id, { passwordHash: await hashPassword(password) }, now());
        process.stdout.write(`Password changed for ${user.email}.\n`);
        return;
      }
      default:
        fail(`Unknown user command "${command ?? ''}". Run with --help to see the commands.`);
    }
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runToolboxCli(process.argv.slice(2), process.env);
}
