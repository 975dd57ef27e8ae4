import type { Kysely, Selectable, Transaction } from 'kysely';
import { newId } from '../../../lib/ids.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import type { NewAuditEntry, SettingsEntry, SettingsRepo } from '../../types.js';
import type { Database, SettingsTable } from '../database.js';
import { insertAuditEntry } from './audit-repo.js';

/** A row of its own whose revision changes with every write: what other instances poll. */
const REVISION_KEY = '__revision';

const toEntry = (row: Selectable<SettingsTable>): SettingsEntry => ({
  key: row.key,
  value: JSON.parse(row.value),
  revision: row.revision,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

const conflict = (key: string) =>
  new ToolboxError({
    code: 'TBX_ERR_SETTINGS_CONFLICT',
    httpStatus: 409,
    message: `Someone else changed "${key}" while you were editing it. Reload the page to see their change, then make yours again.`,
  });

async function bumpGlobalRevision(trx: Transaction<Database>, now: string): Promise<void> {
  const revision = newId(9);
  const updated = await trx
    .updateTable('settings')
    .set({ value: '{}', revision, updated_at: now })
    .where('key', '=', REVISION_KEY)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await trx
      .insertInto('settings')
      .values({ key: REVISION_KEY, value: '{}', revision, updated_at: now, updated_by: null })
      .onConflict((oc) => oc.column('key').doUpdateSet({ revision, updated_at: now }))
      .execute();
  }
}

export function createSettingsRepo(db: Kysely<Database>): SettingsRepo {
  /** One transaction for all changes: every one lands, with its audit entry, or none does. */
  async function writeAll(
    changes: { key: string; value: unknown; expectedRevision?: string | null | undefined; audit: NewAuditEntry }[],
    options: { now: string; updatedBy?: string | null },
  ): Promise<{ revision: string }[]> {
    for (const change of changes) if (change.key === REVISION_KEY) throw new Error(`${REVISION_KEY} is reserved`);
    // Rows are locked in key order whatever the caller's order, so two such writes on PostgreSQL
    // cannot deadlock on each other; results come back in the caller's order.
    const order = changes.map((_, index) => index).sort((a, b) => (changes[a]!.key < changes[b]!.key ? -1 : 1));
    return db.transaction().execute(async (trx) => {
      const results: { revision: string }[] = new Array(changes.length);
      for (const index of order) {
        const { key, value, expectedRevision: expected, audit } = changes[index]!;
        const revision = newId(9);
        if (value === null) {
          let query = trx.deleteFrom('settings').where('key', '=', key);
          if (typeof expected === 'string') query = query.where('revision', '=', expected);
          const deleted = await query.executeTakeFirst();
          if (typeof expected === 'string' && Number(deleted.numDeletedRows) === 0) throw conflict(key);
        } else {
          const row = { value: JSON.stringify(value), revision, updated_at: options.now, updated_by: options.updatedBy ?? null };
          if (expected === undefined) {
            await trx
              .insertInto('settings')
              .values({ key, ...row })
              .onConflict((oc) => oc.column('key').doUpdateSet(row))
              .execute();
          } else if (expected === null) {
            const inserted = await trx
              .insertInto('settings')
              .values({ key, ...row })
              .onConflict((oc) => oc.column('key').doNothing())
              .executeTakeFirst();
            if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw conflict(key);
          } else {
            const updated = await trx
              .updateTable('settings')
              .set(row)
              .where('key', '=', key)
              .where('revision', '=', expected)
              .executeTakeFirst();
            if (Number(updated.numUpdatedRows) === 0) throw conflict(key);
          }
        }
        await insertAuditEntry(trx, audit, options.now);
        results[index] = { revision };
      }
      await bumpGlobalRevision(trx, options.now);
      return results;
    });
  }

  return {
    async list() {
      const rows = await db.selectFrom('settings').selectAll().where('key', '!=', REVISION_KEY).orderBy('key').execute();
      return rows.map(toEntry);
    },
    async get(key) {
      const row = await db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
      return row && toEntry(row);
    },
    async fingerprint() {
      const row = await db.selectFrom('settings').select('revision').where('key', '=', REVISION_KEY).executeTakeFirst();
      return row?.revision ?? 'none';
    },
    async write(key, value, options) {
      const [result] = await writeAll([{ key, value, expectedRevision: options.expectedRevision, audit: options.audit }], options);
      return result!;
    },
    writeMany: (changes, options) => writeAll(changes, options),
  };
}
