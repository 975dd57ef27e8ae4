import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { adminConsoleMigration } from './0002-admin-console.js';
import { signInThrottleMigration } from './0003-sign-in-throttle.js';
import { stepFactsMigration } from './0004-step-facts.js';
import { psaKindMigration } from './0005-psa-kind.js';
import { directoryAgentsMigration } from './0006-directory-agents.js';
import { consentStatesMigration } from './0007-consent-states.js';
import { externalIdentitiesMigration } from './0008-external-identities.js';
import { consentResultsMigration } from './0009-consent-results.js';

/**
 * Every migration, in order. Listed in code (not discovered from the folder) so they survive
 * compilation to dist/ and bundling. Append; never edit a migration that has shipped.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initialMigration,
  '0002-admin-console': adminConsoleMigration,
  '0003-sign-in-throttle': signInThrottleMigration,
  '0004-step-facts': stepFactsMigration,
  '0005-psa-kind': psaKindMigration,
  '0006-directory-agents': directoryAgentsMigration,
  '0007-consent-states': consentStatesMigration,
  '0008-external-identities': externalIdentitiesMigration,
  '0009-consent-results': consentResultsMigration,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
