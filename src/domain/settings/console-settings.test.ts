import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { openTwoInstances, TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import type { Config } from '../../config/config.js';
import { directoryConnectors } from '../../connectors/directory/index.js';
import { psaConnectors } from '../../connectors/psa/index.js';
import { builtInForms } from '../../forms/index.js';
import { createManualClock } from '../../lib/clock.js';
import { createLogger } from '../../lib/logger.js';
import { createSecretBox, type SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../store/types.js';
import { createLiveSettings } from './live-settings.js';
import { rotateSecretKey } from './rotate-secret-key.js';
import { saveMicrosoftApp } from './save-microsoft-app.js';
import { savePsaConnection } from './save-psa-connection.js';

const PRIVATE_KEY = 'a-private-key-that-must-stay-sealed';
const CONNECTION = {
  kind: 'connectwise',
  fields: { companyId: 'northwind', publicKey: 'pub', siteUrl: 'https://cw.example', apiUrl: 'https://cw.example', clientId: 'client-1' },
  secrets: { privateKey: PRIVATE_KEY },
};
const ACTOR = { userId: 'u-admin', email: 'admin@msp.example', requestId: 'req-1' };

const fileConfig = (overrides: Partial<Config> = {}): Config =>
  ({
    source: 'file',
    host: '127.0.0.1',
    port: 0,
    publicUrl: 'http://toolbox.test',
    dataDir: '/nonexistent',
    database: { kind: 'sqlite', path: ':memory:' },
    logLevel: 'silent',
    screenpop: {},
    psa: undefined,
    directories: [],
    users: [],
    forms: { enabled: undefined },
    launch: { ttlMinutes: 30, psaTimeoutMs: 3000 },
    session: { ttlHours: 12 },
    retention: { launchesDays: 30, jobsDays: 7, executionsDays: 0 },
    metrics: {},
    shutdown: { drainTimeoutMs: 25_000 },
    explicit: {
      launchTtlMinutes: false,
      psaTimeoutMs: false,
      sessionTtlHours: false,
      launchRetentionDays: false,
      jobRetentionDays: false,
      executionRetentionDays: false,
    },
    ...overrides,
  }) as Config;

const MSP_APP_SECRET = 'msp-app-secret-value-7Q~abc';

function liveSettingsFor(store: Store, secretBox: SecretBox, clock = createManualClock(), config = fileConfig()) {
  const settings = createLiveSettings({
    config,
    store,
    secretBox,
    fetch: async () => {
      throw new TypeError('no network in this test');
    },
    logger: createLogger({ level: 'silent' }),
    clock,
    psaConnectors,
    directoryConnectors,
    formDefaultsSchemas: builtInForms.defaultsSchemas,
    availableForms: [...builtInForms.names],
    refreshMs: 2_000,
  });
  return { settings, clock, deps: { config, store, settings, secretBox, clock, psaConnectors } };
}

for (const database of TEST_DATABASES) {
  describe(`console settings (${database.name})`, { skip: database.skip }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    test('a change on one instance reaches the other within its refresh interval', async () => {
      const { stores, close } = await openTwoInstances(database.name);
      cleanups.push(close);
      const box = createSecretBox(randomBytes(32));
      const a = liveSettingsFor(stores[0], box);
      const b = liveSettingsFor(stores[1], box);
      await a.settings.refresh({ force: true });
      await b.settings.refresh({ force: true });
      assert.equal(b.settings.current().psa, null);
      await assert.rejects(() => b.settings.psa.getTicket('1'), { code: 'TBX_ERR_PSA_NOT_CONFIGURED' });

      await savePsaConnection(a.deps, { ...CONNECTION, revision: null }, ACTOR);
      assert.equal(a.settings.current().psa?.source, 'console', 'the saving instance applies it at once');

      // Within the interval B trusts what it has; after it, B asks the store and sees the change.
      await b.settings.ensureFresh();
      assert.equal(b.settings.current().psa, null);
      b.clock.advance(2_001);
      await b.settings.ensureFresh();
      const psa = b.settings.current().psa;
      assert.equal(psa?.fields.companyId, 'northwind');
      assert.equal((psa!.settings as { privateKey: string }).privateKey, PRIVATE_KEY, 'the other instance opens the sealed key');
      assert.deepEqual(psa?.secretsSet, ['privateKey']);
    });

    test('a value sealed with another key is reported as a problem, not used and not fatal', async () => {
      const store = await database.open();
      cleanups.push(() => store.drop());
      const a = liveSettingsFor(store, createSecretBox(randomBytes(32)));
      await savePsaConnection(a.deps, { ...CONNECTION, revision: null }, ACTOR);
      const stranger = liveSettingsFor(store, createSecretBox(randomBytes(32)));
      await stranger.settings.refresh({ force: true });
      assert.equal(stranger.settings.current().psa, null);
      assert.match(stranger.settings.current().problems.join('\n'), /saved PSA connection cannot be used: .*not among the configured keys/);
    });

    test('the file wins: a console PSA connection is refused while the file sets one', async () => {
      const store = await database.open();
      cleanups.push(() => store.drop());
      const config = fileConfig({ psa: { kind: 'connectwise', settings: { ...CONNECTION.fields, privateKey: 'file-key' } } });
      const live = liveSettingsFor(store, createSecretBox(randomBytes(32)), createManualClock(), config);
      await live.settings.refresh({ force: true });
      assert.equal(live.settings.current().psa?.source, 'file');
      await assert.rejects(() => savePsaConnection(live.deps, { ...CONNECTION, revision: null }, ACTOR), { code: 'TBX_ERR_SET_IN_FILE' });
      assert.equal(await store.settings.get('psa'), undefined);
    });

    test('settings writes: revisions guard concurrent edits, every write is audited, the fingerprint moves', async () => {
      const store = await database.open();
      cleanups.push(() => store.drop());
      const audit = {
        actorUserId: null,
        actorEmail: 'a@x',
        action: 'test.write',
        target: 'forms',
        before: null,
        after: { n: 1 },
        requestId: null,
      };
      const before = await store.settings.fingerprint();
      const first = await store.settings.write(
        'forms',
        { enabled: ['password_reset'] },
        { now: '2026-01-01T00:00:00.000Z', expectedRevision: null, audit },
      );
      assert.notEqual(await store.settings.fingerprint(), before);
      await assert.rejects(
        () => store.settings.write('forms', { enabled: [] }, { now: '2026-01-01T00:00:01.000Z', expectedRevision: null, audit }),
        { code: 'TBX_ERR_SETTINGS_CONFLICT' },
      );
      const second = await store.settings.write(
        'forms',
        { enabled: [] },
        { now: '2026-01-01T00:00:02.000Z', expectedRevision: first.revision, audit },
      );
      await assert.rejects(
        () =>
          store.settings.write('forms', { enabled: ['x'] }, { now: '2026-01-01T00:00:03.000Z', expectedRevision: first.revision, audit }),
        { httpStatus: 409 },
      );
      await store.settings.write('forms', null, { now: '2026-01-01T00:00:04.000Z', expectedRevision: second.revision, audit });
      assert.equal(await store.settings.get('forms'), undefined);
      assert.deepEqual(
        (await store.settings.list()).map((entry) => entry.key),
        [],
        'the revision marker row is not a document',
      );
      const logged = await store.audit.list({ action: 'test.write' }, { limit: 10, offset: 0 });
      assert.equal(logged.total, 3, 'refused writes leave no audit entry');
      assert.equal(logged.items[0]?.at, '2026-01-01T00:00:04.000Z', 'newest first');
    });

    test('several documents change together or not at all', async () => {
      const store = await database.open();
      cleanups.push(() => store.drop());
      const audit = { actorUserId: null, actorEmail: 'a@x', action: 'test.many', target: 't', before: null, after: null, requestId: null };
      const now = '2026-01-01T00:00:00.000Z';
      const [mappings] = await store.settings.writeMany([{ key: 'company-mappings', value: { mappings: { '250': 'contoso' } }, audit }], {
        now,
      });
      // The second change is stale: the first must not land either, nor any audit entry.
      await assert.rejects(
        () =>
          store.settings.writeMany(
            [
              { key: 'directory:contoso', value: null, audit },
              { key: 'company-mappings', value: { mappings: {} }, expectedRevision: 'stale', audit },
            ],
            { now },
          ),
        { code: 'TBX_ERR_SETTINGS_CONFLICT' },
      );
      await store.settings.write('directory:contoso', { id: 'contoso' }, { now, audit });
      await assert.rejects(() =>
        store.settings.writeMany(
          [
            { key: 'directory:contoso', value: null, audit },
            { key: 'company-mappings', value: { mappings: {} }, expectedRevision: 'stale', audit },
          ],
          { now },
        ),
      );
      assert.ok(await store.settings.get('directory:contoso'), 'the first change was rolled back');
      assert.equal((await store.audit.list({ action: 'test.many' }, { limit: 10, offset: 0 })).total, 2);
      await store.settings.writeMany(
        [
          { key: 'directory:contoso', value: null, audit },
          { key: 'company-mappings', value: { mappings: {} }, expectedRevision: mappings!.revision, audit },
        ],
        { now },
      );
      assert.equal(await store.settings.get('directory:contoso'), undefined);
      assert.deepEqual((await store.settings.get('company-mappings'))?.value, { mappings: {} });
      assert.equal((await store.audit.list({ action: 'test.many' }, { limit: 10, offset: 0 })).total, 4);
    });

    test('secret key rotation re-seals saved settings and pending one-time passwords; the old key can then go', async () => {
      const store = await database.open();
      cleanups.push(() => store.drop());
      const oldKey = randomBytes(32);
      const newKey = randomBytes(32);
      const oldBox = createSecretBox(oldKey);
      const live = liveSettingsFor(store, oldBox);
      await savePsaConnection(live.deps, { ...CONNECTION, revision: null }, ACTOR);
      // The MSP app's client secret, entered in the console, is sealed the same way.
      await saveMicrosoftApp(
        { ...live.deps, config: { microsoft: undefined } },
        {
          clientId: '11111111-2222-3333-4444-555555555555',
          tenantId: '99999999-8888-7777-6666-555555555555',
          credential: 'secret',
          clientSecret: MSP_APP_SECRET,
          roles: { admin: [], technician: [] },
          revision: null,
        },
        ACTOR,
      );
      await store.executions.createOnce(
        {
          id: 'exec-1',
          launchId: null,
          psaKind: 'connectwise',
          formName: 'password_reset',
          technicianUserId: 'u1',
          technicianEmail: 't@x',
          ticketId: null,
          companyId: '250',
          contactId: '301',
          directoryId: 'contoso',
          targetUserId: 'user-1',
          targetDisplay: 'Megan',
          inputs: {},
          secretSealed: oldBox.seal('Temporary-Pass-1', 'exec-1'),
          secretExpiresAt: '2999-01-01T00:00:00.000Z',
          steps: [{ key: 'a', label: 'A' }],
        },
        '2026-01-01T00:00:00.000Z',
      );

      const ring = createSecretBox([newKey, oldKey]);
      assert.equal((await rotateSecretKey({ store, secretBox: ring, clock: live.clock }, { dryRun: true })).stillStale, 2);
      const result = await rotateSecretKey({ store, secretBox: ring, clock: live.clock });
      assert.deepEqual(result, { settingsResealed: 2, oneTimeSecretsResealed: 1, stillStale: 0 });
      assert.equal((await rotateSecretKey({ store, secretBox: ring, clock: live.clock }, { dryRun: true })).stillStale, 0);

      // With only the new key everything still opens.
      const newOnly = liveSettingsFor(store, createSecretBox(newKey));
      await newOnly.settings.refresh({ force: true });
      assert.equal((newOnly.settings.current().psa!.settings as { privateKey: string }).privateKey, PRIVATE_KEY);
      assert.deepEqual(newOnly.settings.current().microsoftApp?.app.credential, { kind: 'secret', secret: MSP_APP_SECRET });
      const sealed = await store.executions.readSecret('exec-1', '2026-01-01T00:00:01.000Z');
      assert.equal(createSecretBox(newKey).open(sealed!, 'exec-1'), 'Temporary-Pass-1');
      const audit = await store.audit.list({ action: 'secret-key.reseal' }, { limit: 5, offset: 0 });
      assert.equal(audit.total, 2, 'one entry per document re-sealed');
      assert.ok(!JSON.stringify(audit.items).includes(PRIVATE_KEY));
      assert.ok(!JSON.stringify(audit.items).includes(MSP_APP_SECRET));
    });
  });
}
