import { ConfigError } from './config/load-config.js';
import { DEMO_MICROSOFT_SIGN_IN, DEMO_PRE_CONSENTED_TENANT } from './demo/demo-config.js';
import { demoMspTenant, demoTenants } from './demo/demo-data.js';
import { DEMO_ADMIN, DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN } from './demo/demo-sandbox.js';
import { builtInForms } from './forms/index.js';
import { ownEntry } from './lib/own-entry.js';
import { handleShutdownSignals } from './operations/shutdown-signals.js';
import { startToolbox } from './start-toolbox.js';

const HELP = `Technician Toolbox: screen-pop forms for MSP help desks.

Usage: npm start            (or: node dist/main.js)

Environment:
  TOOLBOX_CONFIG=path      YAML or JSON configuration (docs/configuration.md). Without it the
                           built-in demo sandbox starts: a simulated PSA, Microsoft 365 and an
                           on-prem Active Directory domain.
  TOOLBOX_DEMO=console     Demo sandbox with nothing set up but the MSP's Microsoft app: try the
                           admin console from scratch and connect a tenant by consent (the values
                           to enter are printed at start; docs/admin.md, docs/microsoft-365.md).
  TOOLBOX_DEMO_PSA=kind    The PSA the demo simulates: connectwise (default), autotask, halopsa.
  PORT, HOST               where to listen (default 3000 on 127.0.0.1)
  TOOLBOX_DATA_DIR         SQLite database and secret key (default ./data)
  DATABASE_URL             postgres://… to use PostgreSQL instead of SQLite
  TOOLBOX_PUBLIC_URL       base URL of screen-pop links and redirects
  TOOLBOX_SECRET_KEY       32-byte key (base64) sealing one-time passwords; default: data dir file
  LOG_LEVEL                fatal | error | warn | info | debug | trace

Other commands: npm run toolbox -- --help   (users), npm run sim:connectwise, npm run sim:graph
`;

/** Screen-pop ids from the demo data, one ticket per form, so each URL opens something real. */
const DEMO_POPS: Record<string, [number, number, number]> = {
  password_reset: [1001, 250, 301],
  reset_mfa: [1002, 250, 302],
  group_membership: [1011, 251, 311],
  user_onboarding: [1013, 251, 313],
  user_offboarding: [1021, 252, 322],
};

/** Screen pops of the AD-only customer (Tailspin Toys, a simulated on-prem domain). */
const DEMO_AD_POPS: { label: string; form: string; ids: [number, number, number] }[] = [
  { label: 'Password reset, locked-out account', form: 'password_reset', ids: [1031, 253, 331] },
  { label: 'Group membership (found by alias)', form: 'group_membership', ids: [1032, 253, 332] },
  { label: 'Password reset of a Domain Admin (refused)', form: 'password_reset', ids: [1033, 253, 333] },
];

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  let running: Awaited<ReturnType<typeof startToolbox>>;
  try {
    running = await startToolbox({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { config } = running;
  const out: string[] = [`Technician Toolbox is ready at ${config.publicUrl} (listening on ${running.url}).`];
  if (running.sandbox && process.env.TOOLBOX_DEMO === 'console') {
    const sandbox = running.sandbox;
    const { kind, ...psaSettings } = sandbox.config.psa as { kind: string } & Record<string, unknown>;
    const connector = ownEntry(running.services.connectors.psa, kind);
    // Contoso by its own app registration (typed in), Fabrikam by the consent link: both ways.
    const contoso = demoTenants.find((t) => t.key === 'contoso')!;
    const fabrikam = demoTenants.find((t) => t.key === 'fabrikam')!;
    const fabrikamAdmin = fabrikam.users.find((u) => u.directoryRoles?.includes('Global Administrator'))!;
    const microsoft = sandbox.config.microsoft;
    out.push('TOOLBOX_DEMO=console: the simulators run, nothing is set up. Sign in as the admin and follow /admin.');
    out.push(
      `Admin sign-in: ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}   (technician: ${DEMO_SIGN_IN.email} / ${DEMO_SIGN_IN.password})`,
    );
    // The values to type, by the console's own labels for the demo's PSA (demo values, not secrets).
    const entries = (connector?.fields ?? [])
      .filter((field) => psaSettings[field.name] !== undefined)
      .map((field) => `${field.label} ${String(psaSettings[field.name])}`);
    out.push(`PSA connection (${connector?.label ?? kind}): ${entries.join(', ')}`);
    out.push(
      `Directory ${contoso.displayName} (its own app registration): tenant ${contoso.tenantId}, application ${contoso.clientId}, secret ${contoso.clientSecret}, advanced: authority host and Graph URL ${sandbox.graphUrl}`,
    );
    out.push(
      `Connect ${fabrikam.displayName} by admin consent: ${config.publicUrl}/admin/microsoft → "Connect a Microsoft 365 tenant", open the link, sign in as ${fabrikamAdmin.displayName} (${fabrikamAdmin.userPrincipalName}) and Accept.`,
    );
    // Demo values the simulator alone accepts: typed under "The MSP app" before the first consent link.
    out.push(
      `The MSP app, to enter at ${config.publicUrl}/admin/microsoft under "The MSP app": Application (client) ID ${microsoft.clientId}, MSP tenant ID ${microsoft.tenantId}, credential: client secret ${microsoft.clientSecret}, admin roles ${microsoft.roles.admin.join(' ')}, technician roles ${microsoft.roles.technician.join(' ')}, advanced: authority host and Graph URL ${microsoft.graphUrl}`,
    );
    out.push(
      `Sign in with Microsoft: ${DEMO_MICROSOFT_SIGN_IN.admin} (admin) or ${DEMO_MICROSOFT_SIGN_IN.technician} (technician), picked on the simulator's sign-in page.`,
    );
    out.push(
      `Screen pops are refused until you set a webhook secret under ${config.publicUrl}/admin/screenpop; that page then gives the URLs with it.`,
    );
  } else if (running.sandbox) {
    const psaLabel = running.services.settings.psaConnector()?.label ?? 'PSA';
    out.push(
      `No TOOLBOX_CONFIG given: running the demo sandbox (simulated ${psaLabel}, Microsoft 365 and on-prem Active Directory, fictional MSP).`,
    );
    out.push(`Demo sign-in: ${DEMO_SIGN_IN.email} / ${DEMO_SIGN_IN.password}`);
    out.push(`Admin console: ${config.publicUrl}/admin  (sign in as ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password})`);
    out.push(
      `Or "Sign in with Microsoft" (the simulated ${demoMspTenant.displayName} tenant): pick ${DEMO_MICROSOFT_SIGN_IN.admin} (admin) or ${DEMO_MICROSOFT_SIGN_IN.technician} (technician).`,
    );
    const preConsented = demoTenants.find((t) => t.key === DEMO_PRE_CONSENTED_TENANT);
    out.push(
      `${preConsented?.displayName ?? DEMO_PRE_CONSENTED_TENANT} is connected through the MSP app (consented before the demo started).`,
    );
    out.push(`Screen-pop URLs, one per form (they carry the demo's webhook secret, ${DEMO_SCREENPOP_SECRET}):`);
    for (const form of builtInForms.list) {
      const [ticket, company, contact] = DEMO_POPS[form.name] ?? [1001, 250, 301];
      out.push(
        `  ${form.label.padEnd(17)} ${config.publicUrl}/hooks/screenpop?ticket_id=${ticket}&company_id=${company}&contact_id=${contact}&form_name=${form.name}&secret=${DEMO_SCREENPOP_SECRET}`,
      );
    }
    out.push('Tailspin Toys, an on-prem Active Directory customer (simulated domain ad.tailspintoys.example, no Microsoft 365):');
    for (const { label, form, ids } of DEMO_AD_POPS) {
      const [ticket, company, contact] = ids;
      out.push(
        `  ${label}: ${config.publicUrl}/hooks/screenpop?ticket_id=${ticket}&company_id=${company}&contact_id=${contact}&form_name=${form}&secret=${DEMO_SCREENPOP_SECRET}`,
      );
    }
  }
  out.push(`Database: ${config.database.kind === 'sqlite' ? config.database.path : 'PostgreSQL'}`);
  process.stdout.write(`${out.join('\n')}\n`);

  handleShutdownSignals({
    close: (options) => running.close(options),
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
    logger: running.services.logger,
  });
}

await main();
