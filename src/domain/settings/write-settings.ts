import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/types.js';
import type { LiveSettings } from './live-settings.js';

/** Who makes an admin change, for the audit log. */
export type Actor = { userId: string | null; email: string; requestId: string | null };

export type WriteSettingsDeps = { store: Pick<Store, 'settings'>; settings: Pick<LiveSettings, 'refresh'>; clock: Clock };

/**
 * Saves (or, with `value: null`, removes) one settings document with its audit entry, then makes
 * this instance use it at once; other instances notice within their refresh interval. `before`
 * and `after` are what the audit log shows: callers pass them with secrets already replaced.
 */
export async function writeSettings(
  deps: WriteSettingsDeps,
  change: {
    key: string;
    value: unknown;
    expectedRevision?: string | null;
    action: string;
    target?: string;
    before: unknown;
    after: unknown;
    actor: Actor;
  },
): Promise<{ revision: string }> {
  const now = new Date(deps.clock.now()).toISOString();
  const result = await deps.store.settings.write(change.key, change.value, {
    now,
    updatedBy: change.actor.email,
    ...(change.expectedRevision !== undefined ? { expectedRevision: change.expectedRevision } : {}),
    audit: {
      actorUserId: change.actor.userId,
      actorEmail: change.actor.email,
      action: change.action,
      target: change.target ?? change.key,
      before: change.before,
      after: change.after,
      requestId: change.actor.requestId,
    },
  });
  await deps.settings.refresh({ force: true });
  return result;
}

/** One change of {@link writeSettingsTogether}: a document (or null to remove it) and its audit view. */
export type SettingsChange = {
  key: string;
  value: unknown;
  expectedRevision?: string | null;
  action: string;
  target?: string;
  before: unknown;
  after: unknown;
};

/** Several documents that must change together (all or none), each with its own audit entry. */
export async function writeSettingsTogether(deps: WriteSettingsDeps, changes: SettingsChange[], actor: Actor): Promise<void> {
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.settings.writeMany(
    changes.map((change) => ({
      key: change.key,
      value: change.value,
      ...(change.expectedRevision !== undefined ? { expectedRevision: change.expectedRevision } : {}),
      audit: {
        actorUserId: actor.userId,
        actorEmail: actor.email,
        action: change.action,
        target: change.target ?? change.key,
        before: change.before,
        after: change.after,
        requestId: actor.requestId,
      },
    })),
    { now, updatedBy: actor.email },
  );
  await deps.settings.refresh({ force: true });
}
