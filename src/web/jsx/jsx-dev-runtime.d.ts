import type { JSX } from './jsx-runtime.js';

export { Fragment } from './jsx-runtime.js';
export type { JSX };
export declare function jsxDEV(tag: string | ((props: never) => unknown), props: Record<string, unknown>, key?: unknown): JSX.Element;
