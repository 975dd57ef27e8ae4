import type { Kysely, Migration } from 'kysely';
import { newId } from '../../../lib/ids.js';

/**
 * Which PSA each launch, execution, company mapping and technician mapping belongs to. Ids mean
 * nothing outside their PSA: after a switch from one PSA to another, company 250 or member 151 is
 * someone else, and a note waiting for its retry was meant for a ticket of the old PSA.
 *
 * Existing rows get the PSA they were made under: the one saved in the console when there is one,
 * else `connectwise`, the only PSA this toolbox had before this migration (a PSA set in the
 * configuration file is not in the database, but could only have been ConnectWise).
 */
type MigrationDb = {
  launches: { psa_kind: string | null };
  executions: { psa_kind: string | null };
  settings: { key: string; value: string; revision: string; updated_at: string; updated_by: string | null };
};

/** The only PSA before this migration. */
const LEGACY_PSA_KIND = 'connectwise';

export const psaKindMigration: Migration = {
  async up(unknownDb: Kysely<unknown>) {
    const db = unknownDb as Kysely<MigrationDb>;
    await db.schema.alterTable('launches').addColumn('psa_kind', 'text').execute();
    await db.schema.alterTable('executions').addColumn('psa_kind', 'text').execute();

    const settingsRow = async (key: string) => db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
    const saved = await settingsRow('psa');
    const savedKind = saved ? (parse(saved.value) as { kind?: unknown } | undefined)?.kind : undefined;
    const kind = typeof savedKind === 'string' && savedKind !== '' ? savedKind : LEGACY_PSA_KIND;

    await db.updateTable('launches').set({ psa_kind: kind }).where('psa_kind', 'is', null).execute();
    await db.updateTable('executions').set({ psa_kind: kind }).where('psa_kind', 'is', null).execute();

    // Settings documents are JSON text: rewritten here, in code, so both databases do the same.
    const now = new Date().toISOString();
    let changed = false;
    const rewrite = async (key: string, transform: (value: Record<string, unknown>) => Record<string, unknown> | undefined) => {
      const row = await settingsRow(key);
      const value = row ? parse(row.value) : undefined;
      if (!row || !isObject(value)) return;
      const next = transform(value);
      if (!next) return;
      await db
        .updateTable('settings')
        .set({ value: JSON.stringify(next), revision: newId(9), updated_at: now })
        .where('key', '=', key)
        .execute();
      changed = true;
    };

    // { mappings: { companyId: directoryId } } → { byPsa: { kind: { companyId: directoryId } } }
    await rewrite('company-mappings', (value) => {
      if ('byPsa' in value || !isObject(value.mappings)) return undefined;
      return { byPsa: { [kind]: value.mappings } };
    });
    // Each technician mapping records its PSA.
    await rewrite('technician-mappings', (value) => {
      if (!isObject(value.mappings)) return undefined;
      const mappings: Record<string, unknown> = {};
      for (const [userId, mapping] of Object.entries(value.mappings)) {
        mappings[userId] = isObject(mapping) && !('psaKind' in mapping) ? { ...mapping, psaKind: kind } : mapping;
      }
      return { ...value, mappings };
    });
    // Instances poll this row to notice a settings change (settings-repo.ts).
    if (changed) {
      await db
        .updateTable('settings')
        .set({ revision: newId(9), updated_at: now })
        .where('key', '=', '__revision')
        .execute();
    }
  },

  /** Drops the columns only: the settings documents keep their new shape. */
  async down(unknownDb: Kysely<unknown>) {
    const db = unknownDb as Kysely<MigrationDb>;
    await db.schema.alterTable('launches').dropColumn('psa_kind').execute();
    await db.schema.alterTable('executions').dropColumn('psa_kind').execute();
  },
};

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
