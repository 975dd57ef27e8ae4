import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';

type Markup = Parameters<import('hono').Context['html']>[0];

/**
 * Hands the pages to the Node adapter as plain strings. Views are hono/jsx elements (or hono's
 * HtmlEscapedString, a `String` object marked as HTML); `c.html()` passes such an object on as the
 * body, and @hono/node-server only answers from its fast path when the body is a primitive
 * string: otherwise it builds a full web Response with a stream around the page (the stream
 * alone: about 33 µs per page in a CPU profile). An element that renders synchronously is turned
 * into its string here; async markup (a promise, hono's `html` with callbacks) is left to hono.
 */
function toPlainString(markup: Markup): string | undefined {
  if (typeof markup === 'string' || markup === null || typeof markup !== 'object' || markup instanceof Promise) return undefined;
  if ((markup as { callbacks?: unknown[] }).callbacks?.length) return undefined;
  const rendered = (markup as { toString(): unknown }).toString();
  if (typeof rendered !== 'string' && !(rendered instanceof String)) return undefined;
  if ((rendered as { callbacks?: unknown[] }).callbacks?.length) return undefined;
  return `${rendered}`;
}

export function htmlAsString(): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const html = c.html;
    c.html = ((markup: Markup, ...rest: unknown[]) => {
      const plain = toPlainString(markup) ?? markup;
      return (html as (markup: Markup, ...rest: unknown[]) => ReturnType<typeof html>)(plain, ...rest);
    }) as typeof c.html;
    return next();
  };
}
