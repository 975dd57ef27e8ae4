import { checkLineState, type SystemsCheckResult } from '../../connectors/systems-check.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/types.js';
import { type DirectoryCheckDocument, directoryCheckDocumentSchema, readDirectoryChecks } from '../settings/directory-check-document.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { type Actor, writeSettings } from '../settings/write-settings.js';
import { type CheckMspAppDeps, CREDENTIAL_WARNING_DAYS, checkMspApp } from './check-msp-app.js';

/** The MSP app's last check, kept like a directory's (never a secret), so the overview shows it without calling Microsoft. */
export const MSP_APP_CHECK_KEY = 'msp-app-check';

/** Token errors that mean the customer removed the app or its consent (reference §2, "Revoked or deleted"). */
const REVOKED_CODES = ['7000229', '700016', '7000112'];

export type MspAppStatusDeps = {
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  clock: Clock;
};

export async function runMspAppCheck(
  deps: MspAppStatusDeps & { check: () => Omit<CheckMspAppDeps, 'now'> | undefined },
  actor: Actor,
): Promise<DirectoryCheckDocument | null> {
  const input = deps.check();
  if (!input) return null;
  const results = await checkMspApp({ ...input, now: () => deps.clock.now() });
  const doc: DirectoryCheckDocument = {
    directoryId: 'msp-app',
    ranAt: new Date(deps.clock.now()).toISOString(),
    ranBy: actor.email,
    ok: results.every((line) => ['pass', 'unverified', 'warning'].includes(checkLineState(line))),
    results: results.map(({ name, ok, outcome, message, hint, upstreamCode }) => ({
      name,
      ok,
      ...(outcome ? { outcome } : {}),
      message,
      ...(hint ? { hint } : {}),
      ...(upstreamCode ? { upstreamCode } : {}),
    })),
  };
  const before = await deps.store.settings.get(MSP_APP_CHECK_KEY);
  await writeSettings(deps, {
    key: MSP_APP_CHECK_KEY,
    value: doc,
    expectedRevision: before?.revision ?? null,
    action: 'msp-app.check',
    target: 'msp-app',
    before: null,
    after: { ok: doc.ok, attention: doc.results.filter((line) => checkLineState(line) !== 'pass').map((line) => line.name) },
    actor,
  });
  return doc;
}

export type MspAppStatus = {
  lastCheck: DirectoryCheckDocument | null;
  /** What needs attention, in words: failing or expiring credential lines, tenants whose consent was revoked. */
  attention: string[];
};

/**
 * For the console overview: the app's last check (credential end dates within
 * {@link CREDENTIAL_WARNING_DAYS} days, a failing credential) and every tenant connected with the
 * MSP app whose last check could not get a token because the app or its consent is gone.
 */
export async function describeMspAppStatus(deps: MspAppStatusDeps): Promise<MspAppStatus> {
  const stored = await deps.store.settings.get(MSP_APP_CHECK_KEY);
  const parsed = stored ? directoryCheckDocumentSchema.safeParse(stored.value) : undefined;
  const lastCheck = parsed?.success ? parsed.data : null;
  const attention: string[] = [];
  for (const line of lastCheck?.results ?? []) {
    if (checkLineState(line) === 'pass' || checkLineState(line) === 'unverified') continue;
    attention.push(`MSP app — ${line.name}: ${line.message}${line.hint ? ` ${line.hint}` : ''}`);
  }
  const checks = await readDirectoryChecks(deps.store);
  for (const directory of deps.settings.current().directories) {
    if ((directory.settings as { credential?: string } | undefined)?.credential !== 'msp-app') continue;
    const signIn = checks.get(directory.id)?.results.find((line) => line.name === 'Sign-in to the tenant');
    if (signIn && !signIn.ok && REVOKED_CODES.some((code) => `${signIn.upstreamCode ?? ''} ${signIn.message}`.includes(code))) {
      attention.push(
        `${directory.name}: the MSP app’s consent was revoked or its enterprise application removed in this tenant. Connect it again with “Connect a Microsoft 365 tenant”.`,
      );
    }
  }
  return { lastCheck, attention };
}

export type { SystemsCheckResult };
