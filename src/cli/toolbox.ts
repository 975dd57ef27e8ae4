import { parseArgs } from 'node:util';
import type { Config } from '../config/config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { directoryConnectors } from '../connectors/directory/index.js';
import { psaConnectors } from '../connectors/psa/index.js';
import type { SystemsCheckResult } from '../connectors/systems-check.js';
import { addUser } from '../domain/auth/add-user.js';
import { formDefaultsSchemas, forms } from '../forms/index.js';
import { systemClock } from '../lib/clock.js';
import { createHttpFetch } from '../lib/http-fetch.js';
import { createLogger } from '../lib/logger.js';
import { hashPassword } from '../lib/password-hash.js';
import { openStore } from '../store/index.js';
import type { Role } from '../store/types.js';

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
        Runs the systems checks of the PSA connection and of every directory, check by check,
        and exits 1 if any failed. Needs TOOLBOX_CONFIG.

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

/** Prints every systems check; true when all passed. */
async function runSystemsChecks(config: Config): Promise<boolean> {
  const logger = createLogger({ level: 'silent' });
  const fetch = createHttpFetch();
  const deps = { fetch, logger, clock: systemClock };
  const sections: [string, () => Promise<SystemsCheckResult[]>][] = [
    [`PSA (${config.psa.kind})`, () => psaConnectors[config.psa.kind]!.create(config.psa.settings, deps).systemsCheck()],
    ...config.directories.map(
      (directory) =>
        [
          `Directory ${directory.name} (${directory.kind})`,
          () => directoryConnectors[directory.kind]!.create(directory.settings, deps).systemsCheck(),
        ] as [string, () => Promise<SystemsCheckResult[]>],
    ),
  ];
  let allOk = true;
  for (const [title, run] of sections) {
    process.stdout.write(`${title}\n`);
    for (const line of await run()) {
      allOk &&= line.ok;
      process.stdout.write(`  ${line.ok ? 'PASS' : 'FAIL'}  ${line.name}: ${line.message}\n`);
      if (!line.ok && line.hint) process.stdout.write(`        what to do: ${line.hint}\n`);
    }
  }
  await fetch.close();
  return allOk;
}

/** Runs the CLI with these arguments; exported for tests. */
export async function runToolboxCli(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  const [area, command, ...rest] = argv;
  if (!area || area === '--help' || area === '-h' || area === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (area !== 'user' && area !== 'check') fail(`Unknown command "${area}". Run with --help to see the commands.`);
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'technician' } },
    strict: true,
  });

  let config: ReturnType<typeof loadConfig>;
  try {
    // Without a configuration file the CLI works on the demo's database location, so users added
    // here can sign in to `npm start`'s demo too. Connector settings are not needed for users.
    config = loadConfig({
      env,
      psaConnectors,
      directoryConnectors,
      availableForms: Object.keys(forms),
      formDefaultsSchemas,
      demoConfig: () => ({
        psa: {
          kind: 'connectwise',
          siteUrl: 'https://demo.invalid',
          apiUrl: 'https://demo.invalid',
          companyId: 'demo',
          publicKey: 'demo',
          privateKey: 'demo',
          clientId: 'demo',
        },
      }),
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (area === 'check') {
    if (!env.TOOLBOX_CONFIG) fail('check needs TOOLBOX_CONFIG: it checks the connections your configuration file describes.');
    process.exitCode = (await runSystemsChecks(config)) ? 0 : 1;
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
