import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { ADMIN_PAGES } from '../../src/web/admin/admin-layout.js';
import { apiOperations } from '../../src/web/api/operations/index.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';

const sqlite = TEST_DATABASES.find((database) => database.name === 'sqlite')!;
/** A concrete path for an operation: every {param} filled with a placeholder. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, 'placeholder-id');

/**
 * The permission sweep: generated from the registries, so a page or operation added later is
 * covered without touching this file.
 */
describe('admin console permissions', () => {
  let toolbox: TestToolbox;
  let store: Awaited<ReturnType<typeof sqlite.open>>;
  let admin: { cookie: string; csrf: string };
  let tech: { cookie: string; csrf: string };

  before(async () => {
    store = await sqlite.open();
    toolbox = await createTestToolbox({ store, config: EMPTY_CONSOLE_CONFIG });
    admin = await toolbox.signIn(DEMO_ADMIN);
    tech = await toolbox.signIn(DEMO_SIGN_IN);
  });
  after(async () => {
    await toolbox.close();
    await store.drop();
  });

  test('a technician gets 403 on every admin API operation; nobody signed in gets 401', async () => {
    const admins = apiOperations.filter((operation) => operation.access === 'admin');
    assert.ok(admins.length >= 2, 'the registry lists the admin operations');
    for (const operation of admins) {
      const path = concrete(operation.path);
      const body = operation.method === 'get' ? undefined : {};
      const asTech = await toolbox.api(operation.method.toUpperCase(), path, { session: tech, body });
      assert.equal(asTech.status, 403, `${operation.id} as a technician`);
      assert.equal(((await asTech.json()) as { error: { code: string } }).error.code, 'TBX_ERR_FORBIDDEN', operation.id);
      const anonymous = await toolbox.api(operation.method.toUpperCase(), path, { body });
      assert.equal(anonymous.status, 401, `${operation.id} signed out`);
    }
  });

  test('every write operation refuses a session call without the CSRF header', async () => {
    for (const operation of apiOperations.filter((candidate) => candidate.method !== 'get')) {
      const response = await toolbox.api(operation.method.toUpperCase(), concrete(operation.path), {
        session: { cookie: admin.cookie, csrf: '' },
        body: {},
      });
      assert.equal(response.status, 403, operation.id);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'TBX_ERR_CSRF', operation.id);
    }
  });

  test('a technician gets 403 on every console page and console form; signed out, the sign-in page', async () => {
    for (const page of ADMIN_PAGES) {
      const response = await toolbox.request(page.href, { cookie: tech.cookie });
      assert.equal(response.status, 403, page.href);
      assert.match(await response.text(), /Administrators only/, page.href);
      const signedOut = await toolbox.request(page.href);
      assert.equal(signedOut.status, 303, page.href);
      assert.match(signedOut.headers.get('location') ?? '', /^\/login\?next=/);
    }
    const posts = toolbox.app.routes.filter((route) => route.method === 'POST' && route.path.startsWith('/admin'));
    assert.ok(posts.length >= 1);
    for (const route of posts) {
      const path = route.path.replace(/:\w+/g, 'placeholder-id');
      const response = await toolbox.request(path, { cookie: tech.cookie, form: { _csrf: tech.csrf } });
      assert.equal(response.status, 403, `POST ${route.path} as a technician`);
    }
  });

  test('every console page and the sign-in page are whole HTML documents in standards mode', async () => {
    const pages = [
      ...ADMIN_PAGES.map((page) => ({ path: page.href, cookie: admin.cookie })),
      { path: '/login', cookie: undefined },
      { path: '/', cookie: tech.cookie },
    ];
    for (const { path, cookie } of pages) {
      const response = await toolbox.request(path, cookie ? { cookie } : {});
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/i, path);
      const body = await response.text();
      assert.ok(body.startsWith('<!doctype html><html lang="en">'), `${path} starts with the doctype: ${body.slice(0, 40)}`);
      assert.ok(body.endsWith('</html>'), path);
    }
  });

  test('console forms refuse a wrong CSRF token, and a form posted from another site', async () => {
    const posts = toolbox.app.routes.filter((route) => route.method === 'POST' && route.path.startsWith('/admin'));
    for (const route of posts) {
      const path = route.path.replace(/:\w+/g, 'placeholder-id');
      const wrongToken = await toolbox.request(path, { cookie: admin.cookie, form: { _csrf: 'not-the-token' } });
      assert.ok([403, 404].includes(wrongToken.status), `POST ${route.path} with a wrong token: ${wrongToken.status}`);
      const crossSite = await toolbox.request(path, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf },
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(crossSite.status, 403, `POST ${route.path} from another site`);
    }
  });

  test('the OpenAPI document lists every operation, with its schemas and access', async () => {
    const response = await toolbox.request('/api/openapi.json');
    assert.equal(response.status, 200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; 'x-toolbox-access': string; parameters: { name: string; in: string }[] }>
      >;
    };
    assert.equal(document.openapi, '3.1.0');
    const listed = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    const ids = listed.map((operation) => operation.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    for (const operation of apiOperations) {
      const entry = document.paths[operation.path]?.[operation.method];
      assert.ok(entry, `${operation.id} is documented`);
      assert.equal(entry.operationId, operation.id);
      assert.equal(entry['x-toolbox-access'], operation.access);
      for (const name of operation.path.match(/\{(\w+)\}/g) ?? []) {
        assert.ok(
          entry.parameters.some((parameter) => parameter.in === 'path' && `{${parameter.name}}` === name),
          `${operation.id} documents ${name}`,
        );
      }
    }
    const save = document.paths['/api/admin/psa']?.put as unknown as {
      requestBody: { content: { 'application/json': { schema: { required: string[]; properties: Record<string, unknown> } } } };
    };
    assert.deepEqual(save.requestBody.content['application/json'].schema.required.sort(), ['kind']);
    assert.ok('secrets' in save.requestBody.content['application/json'].schema.properties);
  });

  test('API errors are JSON with a code and a message: bad JSON, wrong media type, validation', async () => {
    const badJson = await toolbox.app.request('http://toolbox.test/api/admin/psa', {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'TBX_ERR_INVALID_JSON');
    const wrongType = await toolbox.app.request('http://toolbox.test/api/admin/psa', {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/xml' },
      body: '<psa/>',
    });
    assert.equal(wrongType.status, 415);
    assert.equal(((await wrongType.json()) as { error: { code: string } }).error.code, 'TBX_ERR_UNSUPPORTED_MEDIA_TYPE');
    // A body type a plain HTML form can send, from another site: the Origin check answers, in JSON.
    const crossSite = await toolbox.app.request('http://toolbox.test/api/admin/psa', {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{}',
    });
    assert.equal(crossSite.status, 403);
    assert.equal(((await crossSite.json()) as { error: { code: string } }).error.code, 'TBX_ERR_CSRF');
    const invalid = await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: { kind: 42 } });
    assert.equal(invalid.status, 400);
    const json = (await invalid.json()) as { error: { code: string; message: string; fields: { path: string }[] } };
    assert.equal(json.error.code, 'TBX_ERR_VALIDATION');
    assert.deepEqual(
      json.error.fields.map((field) => field.path),
      ['body.kind'],
    );
  });
});
