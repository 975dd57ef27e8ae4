import { Hono } from 'hono';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import type { Services } from '../../services.js';

/**
 * `GET /readyz` and `GET /metrics`, mounted ahead of the session and settings middleware: a load
 * balancer or Prometheus asks often, and neither needs a session (docs/operations.md).
 */
export function operationsRoutes(services: Services): Hono {
  const token = services.config.metrics?.bearerToken;
  return new Hono()
    .get('/readyz', async (c) => {
      const report = await services.readiness.check();
      c.header('Cache-Control', 'no-store');
      return c.json(
        { status: report.ready ? 'ready' : report.state === 'ready' ? 'unavailable' : report.state, ...report.checks },
        report.ready ? 200 : 503,
      );
    })
    .get('/metrics', async (c) => {
      if (token) {
        const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
        if (!given || !constantTimeEquals(given, token)) {
          c.header('WWW-Authenticate', 'Bearer realm="toolbox metrics"');
          return c.text('The metrics need the bearer token set in metrics.bearerToken (Authorization: Bearer …).\n', 401);
        }
      }
      const { contentType, body } = await services.metrics.render();
      c.header('Cache-Control', 'no-store');
      return c.body(body, 200, { 'Content-Type': contentType });
    });
}
