import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AGENT_PATHS, type AgentPoll } from '../../domain/agents/agent-hub.js';
import type { Services } from '../../services.js';

const pollBody = z.strictObject({
  agentName: z.string().trim().min(1).max(100),
  instanceId: z.string().min(8).max(64),
  version: z.string().min(1).max(40),
  dc: z.strictObject({ reachable: z.boolean(), message: z.string().max(500).nullable() }),
});

const upstream = z
  .object({
    service: z.string(),
    status: z.number().optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    operation: z.string().optional(),
  })
  .strip();

const answerBody = pollBody.extend({
  id: z.string().min(1).max(64),
  answer: z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), result: z.unknown().optional() }),
    z.strictObject({
      ok: z.literal(false),
      error: z
        .object({
          code: z.string().max(100),
          message: z.string().max(2000),
          httpStatus: z.number().int().optional(),
          retryable: z.boolean().optional(),
          upstream: upstream.optional(),
        })
        .strip(),
    }),
  ]),
});

const UNKNOWN_TOKEN =
  'The toolbox does not know this agent token (wrong, revoked, or replaced by a rotation). Create a token on the directory’s page in the admin console (or `npm run toolbox -- agent-token create --directory ID`) and put it in agent.yaml as `token`.';

/**
 * The on-prem agent's side of the link (docs/active-directory.md): a long poll that hands out the
 * directory's operations, and the answers. Mounted ahead of the session and CSRF middleware: an
 * agent has no session, its token (Authorization: Bearer) names its directory.
 */
export function agentRoutes(services: Services): Hono {
  const app = new Hono();
  // An answer carries a search's users or groups: more than a form, bounded all the same.
  app.use('/agent/*', bodyLimit({ maxSize: 4 * 1024 * 1024 }));

  const authenticate = async (authorization: string | undefined) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    return token ? services.agents.authenticate(token) : null;
  };
  const refused = (address: string | undefined) => {
    // Never the token itself: only that one was refused, and from where.
    services.logger.warn({ component: 'agents', address }, 'an on-prem agent presented an unknown token; refused');
    return { error: { code: 'TBX_ERR_AGENT_TOKEN', message: UNKNOWN_TOKEN } };
  };
  const addressOf = (headers: Headers) => headers.get('x-forwarded-for') ?? undefined;
  const invalid = (issues: z.core.$ZodIssue[]) => ({
    error: {
      code: 'TBX_ERR_AGENT_REQUEST',
      message: `The agent's request is not what this toolbox expects (${issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}). Use an agent of the toolbox's version.`,
    },
  });

  app.post(AGENT_PATHS.poll, async (c) => {
    const identity = await authenticate(c.req.header('authorization'));
    if (!identity) return c.json(refused(addressOf(c.req.raw.headers)), 401);
    const parsed = pollBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json(invalid(parsed.error.issues), 400);
    const agent: AgentPoll = {
      directoryId: identity.directoryId,
      agentName: parsed.data.agentName,
      instanceId: parsed.data.instanceId,
      version: parsed.data.version,
      dcReachable: parsed.data.dc.reachable,
      dcMessage: parsed.data.dc.message,
    };
    const work = await services.agents.poll(agent, c.req.raw.signal);
    c.header('Cache-Control', 'no-store');
    return c.json({ directoryId: identity.directoryId, work });
  });

  app.post(AGENT_PATHS.answer, async (c) => {
    const identity = await authenticate(c.req.header('authorization'));
    if (!identity) return c.json(refused(addressOf(c.req.raw.headers)), 401);
    const parsed = answerBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json(invalid(parsed.error.issues), 400);
    const { id, answer, ...rest } = parsed.data;
    const agent: AgentPoll = {
      directoryId: identity.directoryId,
      agentName: rest.agentName,
      instanceId: rest.instanceId,
      version: rest.version,
      dcReachable: rest.dc.reachable,
      dcMessage: rest.dc.message,
    };
    const stored = await services.agents.answer(agent, id, answer);
    if (!stored) {
      return c.json(
        {
          error: {
            code: 'TBX_ERR_AGENT_ANSWER_LATE',
            message: 'This operation is no longer waiting for an answer (its caller gave up, or it was not this agent’s).',
          },
        },
        409,
      );
    }
    return c.body(null, 204);
  });
  return app;
}
