import type { Kysely, Migration } from 'kysely';

/**
 * The values a step hands to later steps (`facts`, JSON text), saved with the step that produced
 * them: a run resumed after a crash sees what an uninterrupted one would have seen.
 */
export const stepFactsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('execution_steps').addColumn('facts', 'text').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('execution_steps').dropColumn('facts').execute();
  },
};
