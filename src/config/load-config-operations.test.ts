import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { directoryConnectors } from '../connectors/directory/index.js';
import { psaConnectors } from '../connectors/psa/index.js';
import { builtInForms } from '../forms/index.js';

const formDefaultsSchemas = builtInForms.defaultsSchemas;

import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'toolbox-config-ops-'));
const load = (text: string, env: Record<string, string> = {}) => {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return loadConfig({
    env: { TOOLBOX_CONFIG: path, ...env },
    psaConnectors,
    directoryConnectors,
    availableForms: [],
    formDefaultsSchemas,
    cwd: dir,
  });
};

test('retention, metrics and shutdown: defaults when the file is silent', () => {
  const config = load('publicUrl: https://toolbox.example.com\n');
  assert.deepEqual(config.retention, { launchesDays: 30, jobsDays: 7, executionsDays: 0 });
  assert.deepEqual(config.metrics, {});
  assert.deepEqual(config.shutdown, { drainTimeoutMs: 25_000 });
  assert.equal(config.explicit.launchRetentionDays, false);
});

test('retention, metrics.bearerToken (an env: reference) and shutdown.drainTimeoutSeconds from the file', () => {
  const config = load(
    [
      'retention: { launchesDays: 14, jobsDays: 2, executionsDays: 400 }',
      'metrics: { bearerToken: env:METRICS_TOKEN }',
      'shutdown: { drainTimeoutSeconds: 10 }',
    ].join('\n'),
    { METRICS_TOKEN: 'a-long-enough-scrape-token' },
  );
  assert.deepEqual(config.retention, { launchesDays: 14, jobsDays: 2, executionsDays: 400 });
  assert.deepEqual(config.metrics, { bearerToken: 'a-long-enough-scrape-token' });
  assert.deepEqual(config.shutdown, { drainTimeoutMs: 10_000 });
  assert.equal(config.explicit.launchRetentionDays, true);
  assert.equal(config.explicit.jobRetentionDays, true);
  assert.equal(config.explicit.executionRetentionDays, true);
});

test('out-of-range retention and a short metrics token are refused by name', () => {
  assert.throws(
    () => load('retention: { launchesDays: 0, executionsDays: -1 }\nmetrics: { bearerToken: short }\n'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /retention\.launchesDays: At least 1 day/);
      assert.match(text, /retention\.executionsDays: At least 0/);
      assert.match(text, /metrics\.bearerToken: must be at least 16 characters/);
      return true;
    },
  );
});
