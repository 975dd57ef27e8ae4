import type { Kysely, Selectable } from 'kysely';
import type { DirectoryAgentRecord, DirectoryAgentRepo, DirectoryAgentRequest, DirectoryAgentTokenRecord } from '../../types.js';
import type { Database, DirectoryAgentRequestTable, DirectoryAgentTable, DirectoryAgentTokenTable } from '../database.js';

const toToken = (row: Selectable<DirectoryAgentTokenTable>): DirectoryAgentTokenRecord => ({
  id: row.id,
  directoryId: row.directory_id,
  hint: row.hint,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
});

const toAgent = (row: Selectable<DirectoryAgentTable>): DirectoryAgentRecord => ({
  directoryId: row.directory_id,
  agentName: row.agent_name,
  version: row.version,
  dcReachable: row.dc_reachable === 1,
  dcMessage: row.dc_message,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
});

const toRequest = (row: Selectable<DirectoryAgentRequestTable>): DirectoryAgentRequest => ({
  id: row.id,
  directoryId: row.directory_id,
  operation: row.operation,
  status: row.status as DirectoryAgentRequest['status'],
  argsSealed: row.args_sealed,
  answerSealed: row.answer_sealed,
  claimedBy: row.claimed_by,
  createdAt: row.created_at,
  claimedAt: row.claimed_at,
  answeredAt: row.answered_at,
  deadline: row.deadline,
});

export function createDirectoryAgentRepo(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): DirectoryAgentRepo {
  return {
    async createToken(token) {
      await db
        .insertInto('directory_agent_tokens')
        .values({
          id: token.id,
          directory_id: token.directoryId,
          token_hash: token.tokenHash,
          hint: token.hint,
          created_at: token.createdAt,
          created_by: token.createdBy,
        })
        .execute();
      return {
        id: token.id,
        directoryId: token.directoryId,
        hint: token.hint,
        createdAt: token.createdAt,
        createdBy: token.createdBy,
        revokedAt: null,
      };
    },
    async findActiveToken(tokenHash) {
      const row = await db
        .selectFrom('directory_agent_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row && toToken(row);
    },
    async listTokens(directoryId) {
      const rows = await db
        .selectFrom('directory_agent_tokens')
        .selectAll()
        .where('directory_id', '=', directoryId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toToken);
    },
    async revokeTokens(directoryId, now, keepId) {
      const result = await db
        .updateTable('directory_agent_tokens')
        .set({ revoked_at: now })
        .where('directory_id', '=', directoryId)
        .where('revoked_at', 'is', null)
        .$if(keepId !== undefined, (q) => q.where('id', '!=', keepId as string))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async recordSeen(agent) {
      await db
        .insertInto('directory_agents')
        .values({
          directory_id: agent.directoryId,
          agent_name: agent.agentName,
          version: agent.version,
          dc_reachable: agent.dcReachable ? 1 : 0,
          dc_message: agent.dcMessage,
          first_seen_at: agent.lastSeenAt,
          last_seen_at: agent.lastSeenAt,
        })
        .onConflict((oc) =>
          oc.columns(['directory_id', 'agent_name']).doUpdateSet({
            version: agent.version,
            dc_reachable: agent.dcReachable ? 1 : 0,
            dc_message: agent.dcMessage,
            last_seen_at: agent.lastSeenAt,
          }),
        )
        .execute();
    },
    async listAgents(directoryId) {
      const rows = await db
        .selectFrom('directory_agents')
        .selectAll()
        .$if(directoryId !== undefined, (q) => q.where('directory_id', '=', directoryId as string))
        .orderBy('directory_id')
        .orderBy('agent_name')
        .execute();
      return rows.map(toAgent);
    },
    async lastSeen(directoryId) {
      const row = await db
        .selectFrom('directory_agents')
        .select((eb) => eb.fn.max('last_seen_at').as('last'))
        .where('directory_id', '=', directoryId)
        .executeTakeFirst();
      return (row?.last as string | null | undefined) ?? null;
    },
    async enqueue(request) {
      await db
        .insertInto('directory_agent_requests')
        .values({
          id: request.id,
          directory_id: request.directoryId,
          operation: request.operation,
          status: 'pending',
          args_sealed: request.argsSealed,
          created_at: request.createdAt,
          deadline: request.deadline,
        })
        .execute();
    },
    async claim(directoryId, agent, now, limit) {
      // One statement picks and marks: on PostgreSQL SKIP LOCKED lets agents polling through
      // several instances claim in parallel, each request going to one of them only.
      const rows = await db
        .updateTable('directory_agent_requests')
        .set({ status: 'claimed', claimed_by: agent, claimed_at: now })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('directory_agent_requests')
            .select('id')
            .where('directory_id', '=', directoryId)
            .where('status', '=', 'pending')
            .where('deadline', '>', now)
            .orderBy('created_at')
            .limit(limit)
            .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
        )
        .where('status', '=', 'pending')
        .returningAll()
        .execute();
      return rows.map(toRequest).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async answer(id, agent, answerSealed, now) {
      const result = await db
        .updateTable('directory_agent_requests')
        .set({ status: 'answered', answer_sealed: answerSealed, answered_at: now, args_sealed: null })
        .where('id', '=', id)
        .where('claimed_by', '=', agent)
        .where('status', '=', 'claimed')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async get(id) {
      const row = await db.selectFrom('directory_agent_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRequest(row);
    },
    async withdraw(id) {
      const result = await db
        .deleteFrom('directory_agent_requests')
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async delete(id) {
      await db.deleteFrom('directory_agent_requests').where('id', '=', id).execute();
    },
    async purge(before) {
      const result = await db.deleteFrom('directory_agent_requests').where('deadline', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
