import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';

type Markup = Parameters<import('hono').Context['html']>[0];

/**
 * Hands the pages to the Node adapter as plain strings. Views render to hono's HtmlEscapedString
 * (a `String` object marked as HTML, see src/web/jsx/jsx-runtime.js); `c.html()` passes such an
 * object on as the body, and @hono/node-server only answers from its fast path when the body is a
 * primitive string: otherwise it builds a full web Response with a stream around the page
 * (the stream alone: about 33 µs per page in a CPU profile). Markup with callbacks (hono's async `html```) is left to hono.
 */
export function htmlAsString(): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const html = c.html;
    c.html = ((markup: Markup, ...rest: unknown[]) => {
      const plain = markup instanceof String && !(markup as { callbacks?: unknown[] }).callbacks?.length ? markup.toString() : markup;
      return (html as (markup: Markup, ...rest: unknown[]) => ReturnType<typeof html>)(plain, ...rest);
    }) as typeof c.html;
    return next();
  };
}
