import type { Kysely, Migration } from 'kysely';

/**
 * The on-prem agents (docs/active-directory.md, "The on-prem agent"): their tokens (hashed, never
 * in clear), what each agent last reported, and the operations waiting for an agent or for their
 * answer. In the store, not in memory, so any instance may take an operation and any instance may
 * hold the agent's poll: several instances and several agents for one directory share the table.
 */
export const directoryAgentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('directory_agent_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('directory_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      // The last four characters, so an admin can tell which token an agent's file holds.
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('directory_agent_tokens_directory').on('directory_agent_tokens').columns(['directory_id']).execute();

    await db.schema
      .createTable('directory_agents')
      .addColumn('directory_id', 'text', (c) => c.notNull())
      // The agent's name (agent.yaml `name`, else its host name): one row per agent, kept across restarts.
      .addColumn('agent_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('dc_reachable', 'integer', (c) => c.notNull())
      .addColumn('dc_message', 'text')
      .addColumn('first_seen_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('directory_agents_pk', ['directory_id', 'agent_name'])
      .execute();

    await db.schema
      .createTable('directory_agent_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('directory_id', 'text', (c) => c.notNull())
      // `part.method` or `method`: never the arguments, which are sealed below.
      .addColumn('operation', 'text', (c) => c.notNull())
      // `pending` (no agent took it yet), `claimed` (an agent has it), `answered`.
      .addColumn('status', 'text', (c) => c.notNull())
      // The arguments, sealed with the secret box: a password being set is never stored in clear.
      .addColumn('args_sealed', 'text')
      .addColumn('answer_sealed', 'text')
      .addColumn('claimed_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'text')
      .addColumn('answered_at', 'text')
      // No agent takes it after this: the caller has given up.
      .addColumn('deadline', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('directory_agent_requests_pending')
      .on('directory_agent_requests')
      .columns(['directory_id', 'status', 'created_at'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('directory_agent_requests').ifExists().execute();
    await db.schema.dropTable('directory_agents').ifExists().execute();
    await db.schema.dropTable('directory_agent_tokens').ifExists().execute();
  },
};
