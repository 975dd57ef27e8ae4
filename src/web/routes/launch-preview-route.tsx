import { Hono } from 'hono';
import { loadPreview } from '../../domain/launch/load-preview.js';
import type { AppEnv } from '../app-env.js';

/**
 * `/launches/{id}/previews/{name}?<fields>`: a fragment the form page swaps in as the technician
 * types (the new user's sign-in name and whether it is free). The page works without it: the
 * server checks the same on submit.
 */
export const launchPreviewRoute = new Hono<AppEnv>().get('/launches/:id/previews/:name', async (c) => {
  const auth = c.get('auth');
  if (!auth) return c.html(<p role="alert">Your sign-in has ended: reload the page.</p>, 401);
  const services = c.get('services');
  const result = await loadPreview(
    { launches: services.store.launches, directories: services.directories, forms: services.forms.forms },
    c.req.param('id'),
    auth.user.id,
    c.req.param('name'),
    c.req.query(),
  );
  c.header('Cache-Control', 'no-store');
  switch (result.kind) {
    case 'ok':
      return c.html(<div class="preview">{result.view}</div>);
    case 'failed':
      return c.html(<p class="error">{result.message}</p>, 502);
    case 'unknown-preview':
      return c.html(<p role="alert">This form has no preview of that name.</p>, 400);
    case 'forbidden':
      return c.html(<p role="alert">This screen pop belongs to another technician.</p>, 403);
    default:
      return c.html(<p role="alert">Nothing to preview here.</p>, 404);
  }
});
