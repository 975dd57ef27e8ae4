import { z } from 'zod';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { defineOperation } from '../api-operation.js';
import { findDirectoryView } from './directory-operations.js';

const idParams = z.object({ id: z.string().min(1).describe('The directory id, e.g. contoso-ad') });

export const agentViewSchema = z.object({
  agentName: z.string().describe('agent.yaml `name`, else the host name of its server'),
  connected: z.boolean().describe('Heard from within the last half minute'),
  lastSeenAt: z.string(),
  firstSeenAt: z.string(),
  version: z.string(),
  dcReachable: z.boolean().describe('Whether the agent reached its domain controller when it last tried'),
  dcMessage: z.string().nullable(),
});

export const listDirectoryAgents = defineOperation({
  id: 'listDirectoryAgents',
  method: 'get',
  path: '/api/admin/directories/{id}/agents',
  tag: 'Directories',
  summary: 'The on-prem agents of a directory (connection: agent): connected or not, last seen, version, domain controller reachable',
  access: 'admin',
  params: idParams,
  response: z.object({
    agents: z.array(agentViewSchema),
    tokens: z.array(
      z.object({ hint: z.string(), createdAt: z.string(), createdBy: z.string().nullable(), revokedAt: z.string().nullable() }),
    ),
  }),
  async handler({ services, params }) {
    await findDirectoryView(services, params.id);
    const agents = await services.agents.agents(params.id);
    const tokens = await services.store.directoryAgents.listTokens(params.id);
    return {
      agents: agents.map(({ directoryId: _directoryId, ...agent }) => agent),
      tokens: tokens.map((token) => ({
        hint: token.hint,
        createdAt: token.createdAt,
        createdBy: token.createdBy,
        revokedAt: token.revokedAt,
      })),
    };
  },
});

export const createDirectoryAgentToken = defineOperation({
  id: 'createDirectoryAgentToken',
  method: 'post',
  path: '/api/admin/directories/{id}/agent-tokens',
  tag: 'Directories',
  summary:
    'Create a token for the directory’s on-prem agents, shown only in this answer (the toolbox keeps its hash); `rotate` revokes the others',
  access: 'admin',
  params: idParams,
  body: z.object({ rotate: z.boolean().default(false).describe('Every other token of this directory stops working') }),
  response: z.object({ token: z.string().describe('Put it in agent.yaml as `token`'), hint: z.string() }),
  async handler({ services, params, body, actor }) {
    await services.settings.ensureFresh();
    const entry = services.settings.directories.get(params.id);
    if (!entry) await findDirectoryView(services, params.id);
    if ((entry?.config.settings as { connection?: unknown } | undefined)?.connection !== 'agent') {
      throw new ToolboxError({
        code: 'TBX_ERR_DIRECTORY_NOT_AGENT',
        httpStatus: 409,
        message: `Directory "${params.id}" is not reached through the on-prem agent (connection: agent), so it needs no agent token.`,
      });
    }
    const created = await services.agents.createToken(params.id, { rotate: body.rotate, createdBy: actor.email });
    await services.store.audit.append(
      {
        actorUserId: actor.userId,
        actorEmail: actor.email,
        action: body.rotate ? 'directory.agent-token.rotate' : 'directory.agent-token.create',
        target: `directory:${params.id}`,
        before: null,
        after: { hint: created.hint },
        requestId: actor.requestId,
      },
      new Date(services.clock.now()).toISOString(),
    );
    return created;
  },
});

export const agentOperations = [listDirectoryAgents, createDirectoryAgentToken];
