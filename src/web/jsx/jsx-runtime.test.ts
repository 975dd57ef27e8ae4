import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, raw } from 'hono/html';
import { jsx as honoJsx } from 'hono/jsx';
import { escapeHtml, Fragment, jsx } from '#jsx/jsx-runtime';

// The views' runtime must write what hono/jsx writes: each case is built with both runtimes from
// the same tag, props and children, and the HTML compared.
type Tag = string | ((props: Record<string, unknown>) => unknown);

/** hono's classic jsx(tag, props, ...children), rendered to its string. */
async function withHono(tag: Tag, props: Record<string, unknown>): Promise<string> {
  const { children, ...rest } = props;
  const list = children === undefined ? [] : Array.isArray(children) ? children : [children];
  return String(await honoJsx(tag as never, rest, ...(list as never[])).toString());
}

async function withOurs(tag: Tag, props: Record<string, unknown>): Promise<string> {
  return String(await jsx(tag as never, props));
}

async function same(tag: Tag, props: Record<string, unknown>, what: string) {
  const ours = await withOurs(tag, props);
  assert.equal(ours, await withHono(tag, props), what);
  return ours;
}

test('attributes: strings escaped, numbers, booleans, null and undefined, renamed and invalid names', async () => {
  await same('a', { href: '/x?a=1&b="2"', title: "it's <b>" }, 'escaped attribute values');
  await same('input', { type: 'number', min: 0, max: 10.5, value: 3 }, 'numbers');
  await same('input', { type: 'checkbox', checked: true, disabled: false, required: true }, 'boolean attributes');
  await same('div', { 'aria-hidden': true, 'data-on': false, hidden: true }, 'booleans on other attributes are text');
  await same('p', { id: null, class: undefined, ref: 'ignored', children: 'x' }, 'null, undefined and ref');
  await same('label', { htmlFor: 'f', className: 'c', children: 'L' }, 'className and htmlFor');
  await same('div', { 'bad name': 'x', 'a"b': 'y', ok: 'z' }, 'invalid attribute names are dropped');
  await same('button', { onclick: () => {}, type: 'button', children: 'B' }, 'event handlers are dropped');
  await same('p', { title: raw('<already>'), children: 'raw attribute' }, 'an escaped string as attribute');
  assert.throws(() => jsx('p', { title: () => {} }), /Invalid prop 'title'/);
});

test('children: text escaped, numbers, nested arrays, skipped values, escaped markup', async () => {
  await same('p', { children: 'a < b & "c"' }, 'text');
  await same('p', { children: ['one', 2, null, undefined, false, true, ['three', ['four']]] }, 'lists');
  await same('p', { children: 0 }, 'zero');
  await same('div', { children: raw('<b>bold</b>') }, 'raw markup');
  await same('div', { children: html`<i>${'<x>'}</i>` }, 'hono html template with an escaped value');
  await same('ul', { children: [jsx('li', { children: 'a' }), jsx('li', { children: ['b', jsx('em', { children: 'c' })] })] }, 'elements');
  await same('div', { dangerouslySetInnerHTML: { __html: '<hr>' } }, 'dangerouslySetInnerHTML');
});

test('void elements close themselves; empty others do not', async () => {
  for (const tag of ['br', 'hr', 'img', 'input', 'meta', 'link']) assert.equal(await same(tag, {}, tag), `<${tag}/>`);
  assert.equal(await same('div', {}, 'div'), '<div></div>');
  assert.equal(await same('textarea', { name: 't' }, 'textarea'), '<textarea name="t"></textarea>');
});

test('function components, fragments and async components', async () => {
  const Greeting = (props: Record<string, unknown>) => jsx('p', { children: ['Hello ', props.name as string] });
  assert.equal(await withOurs(Greeting, { name: '<Ann>' }), await withHono(Greeting, { name: '<Ann>' }));
  const Text = () => 'plain & text';
  assert.equal(await withOurs(Text, {}), await withHono(Text, {}));
  const Nothing = () => null;
  assert.equal(await withOurs(Nothing, {}), '');
  const Many = () => ['a', jsx('b', { children: 'b' }), 3];
  assert.equal(await withOurs(Many, {}), await withHono(Many, {}));
  assert.equal(String(await Fragment({ children: ['x', jsx('i', { children: 'y' })] })), 'x<i>y</i>');
  const Later = async (props: Record<string, unknown>) => jsx('span', { children: props.children });
  const page = jsx('div', { children: ['before ', jsx(Later as never, { children: 'inside & out' }), ' after'] });
  assert.ok(page instanceof Promise, 'an async child makes the parent a promise');
  assert.equal(String(await page), '<div>before <span>inside &amp; out</span> after</div>');
});

test('the result is hono’s HtmlEscapedString, so a parent does not escape it twice', async () => {
  const inner = jsx('b', { children: '&' });
  assert.equal((inner as unknown as { isEscaped: boolean }).isEscaped, true);
  assert.equal(String(html`<p>${inner}</p>`), '<p><b>&amp;</b></p>');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.throws(() => jsx('a b', {}), /Invalid JSX tag name/);
  assert.throws(() => jsx('p', { style: { color: 'red' } }), /write it as a string/);
});
