// Types of jsx-runtime.js: hono/jsx's JSX namespace and element type, so views, `c.html()` and
// hono's `Child` see no difference.
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { HtmlEscapedString } from 'hono/utils/html';

export type { JSX };

/** Text as HTML: `& < > ' "` escaped. */
export declare function escapeHtml(text: string): string;
export declare function jsx(tag: string | ((props: never) => unknown), props: Record<string, unknown>, key?: unknown): JSX.Element;
export declare const jsxs: typeof jsx;
export declare function Fragment(props: { children?: unknown }): HtmlEscapedString | Promise<HtmlEscapedString>;
