import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { BodyData, ParseBodyOptions } from 'hono/utils/body';
import type { AppEnv } from '../app-env.js';

/**
 * A form POST's fields. A body that does not parse (a broken multipart boundary, a truncated
 * upload) is the sender's mistake: it becomes a 400 with the app's "request refused" page instead
 * of an unexpected error, and no route goes on with half a form. Every form route reads its
 * body through here.
 */
export async function readFormBody<Options extends Partial<ParseBodyOptions>>(
  c: Context<AppEnv>,
  options?: Options,
): Promise<BodyData<Options>> {
  try {
    return (await c.req.parseBody(options)) as BodyData<Options>;
  } catch (error) {
    throw new HTTPException(400, { message: 'The form body could not be read.', cause: error });
  }
}
