import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { isToolboxError } from '../lib/toolbox-error.js';
import type { Services } from '../services.js';
import { adminPages } from './admin/index.js';
import { consentCallbackRoute } from './admin/microsoft-page.js';
import { requireAdmin } from './admin/require-admin.js';
import { mountApi } from './api/mount-api.js';
import { apiOperations } from './api/operations/index.js';
import type { AppEnv } from './app-env.js';
import { framingPolicy } from './middleware/framing-policy.js';
import { htmlAsString } from './middleware/html-as-string.js';
import { requestLogger } from './middleware/request-logger.js';
import { sessionAuth } from './middleware/session-auth.js';
import { agentRoutes } from './routes/agent-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { executionRoutes } from './routes/execution-routes.js';
import { externalSignInRoutes } from './routes/external-sign-in-routes.js';
import { homeRoute } from './routes/home-route.js';
import { launchPreviewRoute } from './routes/launch-preview-route.js';
import { launchRoutes } from './routes/launch-routes.js';
import { launcherRoutes } from './routes/launcher-routes.js';
import { myExecutionsRoute } from './routes/my-executions-route.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { podRoutes } from './routes/pod-routes.js';
import { podSignInRoutes } from './routes/pod-sign-in-routes.js';
import { screenPopRoute } from './routes/screenpop-route.js';
import { ProblemPage } from './views/layout.js';

/** The version in package.json, for the OpenAPI document. */
const TOOLBOX_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ASSETS: Record<string, { type: string; body: string }> = {
  '/assets/app.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('../../public/app.css', import.meta.url), 'utf8') },
  '/assets/app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('../../public/app.js', import.meta.url), 'utf8') },
  '/assets/pod.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('../../public/pod.js', import.meta.url), 'utf8') },
};

export type CreateAppOptions = {
  /** False until migrations have run: /healthz answers 503 meanwhile. */
  isReady?: () => boolean;
};

/**
 * Assembles the web app: security headers (strict CSP: only our own script and stylesheet),
 * request ids and the access log, Origin-checked POSTs, sessions, then the routes.
 */
export function createApp(services: Services, options: CreateAppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const publicOrigin = new URL(services.config.publicUrl).origin;

  app.get('/healthz', (c) => ((options.isReady?.() ?? true) ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));
  app.route('/', operationsRoutes(services));
  // The on-prem agents: no session, no Origin check (not a browser); their token names the directory.
  app.route('/', agentRoutes(services));
  app.get('/assets/:name', (c) => {
    const asset = ASSETS[c.req.path];
    if (!asset) return c.notFound();
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(asset.body);
  });

  app.use('*', requestId());
  app.use('*', htmlAsString());
  app.use('*', async (c, next) => {
    c.set('services', services);
    await next();
  });
  app.use('*', requestLogger(services.logger));
  // Registered before secureHeaders so that it runs after it: a route's framing exception wins.
  app.use('*', framingPolicy());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      // What frame-ancestors 'none' says, for browsers that only know this header.
      xFrameOptions: 'DENY',
    }),
  );
  // Only requests that carry a body: bodyLimit wraps the request body, which makes the Node
  // adapter build a full web Request even for a GET (measured: about a third of the throughput of
  // a trivial route).
  const limitBody = bodyLimit({ maxSize: 64 * 1024 });
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  // Form POSTs must come from our own pages: the browser's Origin (or Sec-Fetch-Site) says so.
  const originCheck = csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin });
  // An API call with an Authorization header is not a browser form (a page on another site cannot
  // set that header), and mount-api then authenticates by the token alone, ignoring cookies.
  // The same holds for x-csrf-token: a cross-site page cannot send a custom header without a CORS
  // preflight, which the toolbox never allows; mount-api then checks the token against the session.
  app.use('*', (c, next) =>
    c.req.path.startsWith('/api/') && (c.req.header('authorization') || c.req.header('x-csrf-token')) ? next() : originCheck(c, next),
  );
  app.use('*', sessionAuth(services.sessions));
  // Settings an admin changed on another instance apply here within a couple of seconds.
  app.use('*', async (_c, next) => {
    await services.settings.ensureFresh();
    await next();
  });

  app.route('/', screenPopRoute);
  app.route('/', authRoutes);
  app.route('/', externalSignInRoutes);
  app.route('/', podSignInRoutes);
  app.route('/', launcherRoutes);
  app.route('/', podRoutes);
  app.route('/', launchRoutes);
  app.route('/', launchPreviewRoute);
  app.route('/', executionRoutes);
  app.route('/', myExecutionsRoute);
  app.route('/', homeRoute);
  // Before the guard: the customer's admin answering a link made through the API is not signed in here.
  app.route('/', consentCallbackRoute);
  app.use('/admin', requireAdmin);
  app.use('/admin/*', requireAdmin);
  for (const page of adminPages) app.route('/', page);
  mountApi(app, apiOperations, { version: TOOLBOX_VERSION });

  app.notFound((c) =>
    c.html(
      <ProblemPage title="Page not found">
        <p>
          There is nothing at this address. <a href="/">Go to the start page</a>.
        </p>
      </ProblemPage>,
      404,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // Raised by middleware: the Origin check (403) and the body limit (413).
      const status = error.status;
      services.logger.warn({ status, path: c.req.path, requestId: c.get('requestId') }, 'request refused');
      if (c.req.path.startsWith('/api/')) {
        return c.json(
          status === 403
            ? { error: { code: 'TBX_ERR_CSRF', message: 'This request came from another site (Origin check). Nothing was changed.' } }
            : { error: { code: 'TBX_ERR_REQUEST_REFUSED', message: 'The request was too large or malformed. Nothing was changed.' } },
          status,
        );
      }
      return c.html(
        <ProblemPage title={status === 403 ? 'This request came from another site' : 'This request was refused'}>
          <p>
            {status === 403
              ? 'Forms of the toolbox can only be sent from its own pages. Reload the page and try again; nothing was changed.'
              : 'The request was too large or malformed. Nothing was changed.'}
          </p>
        </ProblemPage>,
        status,
      );
    }
    const known = isToolboxError(error);
    services.logger.error({ err: known ? error.toLog() : error, requestId: c.get('requestId') }, 'request failed');
    const status = known ? error.httpStatus : 500;
    if (c.req.path.startsWith('/api/')) {
      return c.json(
        {
          error: { code: known ? error.code : 'TBX_ERR_INTERNAL', message: known ? error.message : 'Internal error; see the service log.' },
        },
        status as 500,
      );
    }
    return c.html(
      <ProblemPage title="Something went wrong">
        <p>{known ? error.message : 'The toolbox hit an unexpected problem. The details are in the service log.'}</p>
        <p class="muted">Reference: {c.get('requestId')}</p>
      </ProblemPage>,
      status as 500,
    );
  });
  return app;
}
