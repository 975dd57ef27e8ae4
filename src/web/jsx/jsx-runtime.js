// The JSX runtime of every view (tsconfig `jsxImportSource: "#jsx"`, mapped in package.json
// `imports`). It renders straight to HTML strings as the elements are created, with hono/jsx's
// output and types (JSX.Element is hono's HtmlEscapedString, so `c.html()`, `html```, `raw()` and
// `Child` work unchanged).
//
// Why not hono/jsx's own runtime: it renders every page inside an AsyncLocalStorage (for
// `useContext`, which no view uses), and on Node 20 that turns on promise hooks for the whole
// process from the first page on: every promise of every request pays for them, about 10 % of the
// CPU of a screen pop (docs/benchmarks.md). Building the string as the elements are created also
// skips hono's intermediate tree. Plain JavaScript with a .d.ts beside it, so that the same file
// serves `tsx` (tests, dev) and the compiled `dist/` without a build step of its own.
//
// Not supported, on purpose (no view needs them): style objects, SVG attribute-name mapping,
// hoisting <title>/<meta>/<link> into <head>, React-style `useContext`.

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

// As hono/jsx: `true` renders `name=""`, `false` leaves the attribute out. Other attributes render
// booleans as text (`aria-hidden="true"`).
const BOOLEAN_ATTRIBUTES = new Set([
  'allowfullscreen',
  'async',
  'autofocus',
  'autoplay',
  'checked',
  'controls',
  'default',
  'defer',
  'disabled',
  'download',
  'formnovalidate',
  'hidden',
  'inert',
  'ismap',
  'itemscope',
  'loop',
  'multiple',
  'muted',
  'nomodule',
  'novalidate',
  'open',
  'playsinline',
  'readonly',
  'required',
  'reversed',
  'selected',
  'shadowrootclonable',
  'shadowrootdelegatesfocus',
  'shadowrootserializable',
]);

const ATTRIBUTE_NAMES = new Map([
  ['className', 'class'],
  ['htmlFor', 'for'],
  ['crossOrigin', 'crossorigin'],
  ['httpEquiv', 'http-equiv'],
  ['itemProp', 'itemprop'],
  ['fetchPriority', 'fetchpriority'],
  ['noModule', 'nomodule'],
  ['formAction', 'formaction'],
]);

// hono/jsx's rules: control characters are exactly what these must catch.
// biome-ignore lint/suspicious/noControlCharactersInRegex: see above
const INVALID_ATTRIBUTE_NAME = /[\s"'<>/=`\\\x00-\x1f\x7f-\x9f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: see above
const INVALID_TAG_NAME = /^[!?]|[\s"'<>/=`\\\x00-\x1f\x7f-\x9f]/;
const NEEDS_ESCAPING = /[&<>'"]/;
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };
const validTags = new Set();

/** Text as HTML: `& < > ' "` escaped, as hono's escapeToBuffer does. */
export function escapeHtml(text) {
  if (!NEEDS_ESCAPING.test(text)) return text;
  return text.replace(/[&<>'"]/g, (character) => ESCAPES[character]);
}

/** Marks a string as HTML already (hono's HtmlEscapedString). */
function html(markup) {
  const escaped = new String(markup);
  escaped.isEscaped = true;
  return escaped;
}

const isEscaped = (value) => value instanceof String && value.isEscaped === true;

/**
 * The HTML of a child or a list of children, as a string, or a Promise of one when a child is
 * (an async component). Skips null, undefined and booleans, as React and hono do.
 */
function renderChildren(children) {
  if (typeof children === 'string') return escapeHtml(children);
  if (children === null || children === undefined || typeof children === 'boolean') return '';
  if (typeof children === 'number') return String(children);
  if (isEscaped(children)) return children.toString();
  if (children instanceof Promise) return children.then(renderChildren);
  if (Array.isArray(children)) {
    let out = '';
    let pending;
    for (let i = 0; i < children.length; i++) {
      const part = renderChildren(children[i]);
      if (typeof part === 'string') {
        if (pending) pending.push(part);
        else out += part;
      } else {
        pending ??= [out];
        pending.push(part);
      }
    }
    return pending ? Promise.all(pending).then((parts) => parts.join('')) : out;
  }
  return escapeHtml(String(children));
}

function attribute(tag, name, value) {
  if (value === null || value === undefined || name === 'ref') return '';
  if (typeof value === 'boolean' && BOOLEAN_ATTRIBUTES.has(name)) return value ? ` ${name}=""` : '';
  if (typeof value === 'function') {
    if (name.startsWith('on')) return '';
    throw new Error(`Invalid prop '${name}' of type 'function' supplied to '${tag}'.`);
  }
  if (typeof value === 'string') return ` ${name}="${escapeHtml(value)}"`;
  if (typeof value === 'number' || isEscaped(value)) return ` ${name}="${value}"`;
  if (value instanceof Promise) throw new Error(`Prop '${name}' of '${tag}' is a Promise: await it before rendering.`);
  if (name === 'style') throw new Error(`Prop 'style' of '${tag}' is an object: write it as a string.`);
  return ` ${name}="${escapeHtml(String(value))}"`;
}

function element(tag, props) {
  if (!validTags.has(tag)) {
    if (typeof tag !== 'string' || INVALID_TAG_NAME.test(tag)) throw new Error(`Invalid JSX tag name: ${tag}`);
    validTags.add(tag);
  }
  let open = `<${tag}`;
  let children = props.children;
  for (const key in props) {
    if (key === 'children') continue;
    const value = props[key];
    if (key === 'dangerouslySetInnerHTML') {
      if (value !== null && typeof value === 'object' && '__html' in value) {
        if (children !== undefined && children !== null && !(Array.isArray(children) && children.length === 0)) {
          throw new Error('Can only set one of `children` or `props.dangerouslySetInnerHTML`.');
        }
        children = html(value.__html);
        continue;
      }
    }
    const name = ATTRIBUTE_NAMES.get(key) ?? key;
    if (INVALID_ATTRIBUTE_NAME.test(name)) continue;
    open += attribute(tag, name, value);
  }
  if (VOID_ELEMENTS.has(tag) && (children === undefined || (Array.isArray(children) && children.length === 0))) return html(`${open}/>`);
  const inner = renderChildren(children);
  if (typeof inner === 'string') return html(`${open}>${inner}</${tag}>`);
  return inner.then((text) => html(`${open}>${text}</${tag}>`));
}

/** What a function component returned, as HTML: hono/jsx's rules (a plain string is escaped). */
function componentResult(result) {
  if (result === null || result === undefined || typeof result === 'boolean') return html('');
  if (isEscaped(result)) return result;
  if (result instanceof Promise) return result.then(componentResult);
  const text = renderChildren(result);
  return typeof text === 'string' ? html(text) : text.then(html);
}

export function jsx(tag, props) {
  if (typeof tag === 'function') return componentResult(tag(props));
  return element(tag, props);
}

export const jsxs = jsx;

export function Fragment(props) {
  return componentResult(props.children);
}
