import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import { createRsaTestCertificate, type RsaTestCertificate } from '../helpers/rsa-test-certificate.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

// A Microsoft 365 tenant added with a certificate instead of a client secret, through the API and
// the console form, then checked against the simulator holding the certificate's public part.
const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;

type ErrorBody = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };
type CheckJson = { ok: boolean; results: { name: string; ok: boolean; message: string; hint?: string; upstreamCode?: string }[] };

const registered = createRsaTestCertificate({ commonName: 'toolbox contoso' });
const unregistered = createRsaTestCertificate({ commonName: 'never uploaded' });
const keyLines = (certificate: RsaTestCertificate) => certificate.privateKeyPem.split('\n').filter((line) => line.length === 64);

for (const database of TEST_DATABASES) {
  describe(`Directories with a certificate credential (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    const bodies: string[] = [];
    const api = async (method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = method === 'GET' ? {} : { origin: TEST_ORIGIN };
      const response = await toolbox.api(method, path, { session: admin, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };
    const connection = (credential: { fields?: Record<string, string>; secrets?: Record<string, string> }) => ({
      fields: {
        tenantId: contoso.tenantId,
        clientId: contoso.clientId,
        authorityHost: GRAPH_ORIGIN,
        graphUrl: GRAPH_ORIGIN,
        ...credential.fields,
      },
      secrets: credential.secrets ?? {},
    });

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: { directories: [], forms: { enabled: ['password_reset'] } },
        graph: { appCertificates: { contoso: [registered.certificatePem] } },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('neither or both credentials, or a key that does not match: 400 naming the fields; nothing saved', async () => {
      const neither = await api('POST', '/api/admin/directories', { id: 'contoso', kind: 'entra', name: 'Contoso', ...connection({}) });
      assert.equal(neither.status, 400);
      const neitherFields = (neither.json as ErrorBody).error.fields!;
      assert.deepEqual(
        neitherFields.map((field) => field.path),
        ['secrets.clientSecret'],
      );
      assert.match(neitherFields[0]!.message, /client secret, or sign in with a certificate.*privateKey.*certificate/);

      const both = await api('POST', '/api/admin/directories', {
        id: 'contoso',
        kind: 'entra',
        name: 'Contoso',
        ...connection({
          fields: { certificate: registered.certificatePem },
          secrets: { clientSecret: contoso.clientSecret, privateKey: registered.privateKeyPem },
        }),
      });
      assert.equal(both.status, 400);
      assert.match((both.json as ErrorBody).error.fields![0]!.message, /either a client secret or a certificate, not both/);

      const mismatch = await api('POST', '/api/admin/directories', {
        id: 'contoso',
        kind: 'entra',
        name: 'Contoso',
        ...connection({ fields: { certificate: registered.certificatePem }, secrets: { privateKey: unregistered.privateKeyPem } }),
      });
      assert.equal(mismatch.status, 400);
      assert.deepEqual(
        (mismatch.json as ErrorBody).error.fields!.map((field) => [field.path, /does not belong to this certificate/.test(field.message)]),
        [['fields.certificate', true]],
      );
      assert.ok(!(await store.settings.get('directory:contoso')));
    });

    test('added through the API with a certificate: key sealed and write-only, certificate shown, check signs in', async () => {
      const created = await api('POST', '/api/admin/directories', {
        id: 'contoso',
        kind: 'entra',
        name: 'Contoso Dental',
        ...connection({ fields: { certificate: registered.certificatePem }, secrets: { privateKey: registered.privateKeyPem } }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const view = (await api('GET', '/api/admin/directories/contoso')).json as { secretsSet: string[]; fields: Record<string, string> };
      assert.deepEqual(view.secretsSet, ['privateKey']);
      assert.match(view.fields.certificate ?? '', /^-----BEGIN CERTIFICATE-----/);
      const row = await store.settings.get('directory:contoso');
      for (const line of keyLines(registered)) assert.ok(!JSON.stringify(row).includes(line), 'the private key is sealed at rest');

      const checked = await api('POST', '/api/admin/directories/contoso/check');
      assert.equal(checked.status, 200, JSON.stringify(checked.json));
      const signIn = (checked.json as CheckJson).results.find((line) => line.name === 'Sign-in to the tenant');
      assert.equal(signIn?.ok, true, JSON.stringify(signIn));
      assert.ok(signIn?.message.includes(registered.thumbprintSha1));
      assert.ok(toolbox.graph.state.tokensIssued.length > 0, 'the simulator issued a token for the certificate');
    });

    test('the console form takes the PEM texts as single-line inputs deliver them; a wrong certificate fails the check with a hint', async () => {
      const response = await toolbox.request('/admin/directories', {
        cookie: admin.cookie,
        form: {
          _csrf: admin.csrf,
          kind: 'entra',
          id: 'contoso-2',
          name: 'Contoso (unregistered certificate)',
          'fields.tenantId': contoso.tenantId,
          'fields.clientId': contoso.clientId,
          'fields.authorityHost': GRAPH_ORIGIN,
          'fields.graphUrl': GRAPH_ORIGIN,
          'fields.exchangeUrl': '',
          'fields.certificate': '',
          // A password input drops the line breaks of a pasted PEM.
          'secrets.privateKey': unregistered.combinedPem.replaceAll('\n', ''),
        },
      });
      const html = await response.text();
      bodies.push(html);
      assert.equal(response.status, 303, html);
      const checked = await api('POST', '/api/admin/directories/contoso-2/check');
      const [signIn] = (checked.json as CheckJson).results;
      assert.equal(signIn?.ok, false);
      assert.equal(signIn?.upstreamCode, 'AADSTS700027');
      assert.match(signIn?.message ?? '', /does not accept the certificate/);
      assert.match(signIn?.hint ?? '', /Upload the certificate’s public part .* has not expired/);
    });

    test('no private key in any response body, log line or audit entry', async () => {
      const audit = JSON.stringify((await store.audit.list({}, { limit: 100, offset: 0 })).items);
      assert.match(audit, /"privateKey":"\(changed\)"/);
      const log = toolbox.logText();
      for (const certificate of [registered, unregistered]) {
        for (const line of keyLines(certificate)) {
          assert.ok(!bodies.some((body) => body.includes(line)), 'a private key line in a response body');
          assert.ok(!log.includes(line), 'a private key line in the log');
          assert.ok(!audit.includes(line), 'a private key line in the audit log');
        }
      }
      assert.ok(!log.includes('client_assertion='), 'the signed assertion in the log');
    });
  });
}
