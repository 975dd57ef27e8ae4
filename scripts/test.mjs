#!/usr/bin/env node
// The whole suite: lint, type check, then every *.test.ts / *.test.tsx under src/ and test/ on
// node:test. Node 20's test runner takes no globs, so the files are listed here. node:test's own
// summary (TAP) is the last thing printed: CI reads it.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(label, command, args) {
  process.stdout.write(`\n> ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${result.status}).\n`);
    process.exit(result.status ?? 1);
  }
}

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (/\.test\.tsx?$/.test(entry)) out.push(full);
  }
  return out;
}

const only = process.argv.slice(2);

// One Samba AD domain controller for every Active Directory test (scripts/samba-dc.mjs), started
// now so its ten seconds overlap with lint and type check. Under CI it must start; elsewhere it
// starts where it can (root, Samba installed) and the AD tests skip otherwise.
let samba;
const sambaWanted =
  !process.env.TEST_SAMBA_DC && (process.env.CI || (process.getuid?.() === 0 && spawnSync('samba-tool', ['--version']).status === 0));
if (sambaWanted) {
  samba = spawn(process.execPath, [join(root, 'scripts', 'samba-dc.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  samba.ready = new Promise((resolve, reject) => {
    createInterface({ input: samba.stdout }).once('line', resolve);
    samba.once('exit', (code) => reject(new Error(`the Samba AD DC for the tests did not start (exit ${code})`)));
  });
  samba.ready.catch(() => undefined);
}
const stopSamba = async () => {
  if (!samba || samba.exitCode !== null) return;
  samba.stdin.end();
  await once(samba, 'exit');
};

if (only.length === 0) {
  run('lint (biome)', bin('biome'), ['check', '.']);
  run('type check (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
}
const files = only.length > 0 ? only : [...findTests(join(root, 'src')), ...findTests(join(root, 'test'))].sort();
if (samba) {
  try {
    process.env.TEST_SAMBA_DC = await samba.ready;
  } catch (error) {
    process.stdout.write(`\n${error.message}\n`);
    if (process.env.CI) process.exit(1);
  }
}
process.on('exit', () => samba?.kill());
// TAP, whatever the Node version: Node 24's default for a pipe is the spec reporter, whose summary
// lines differ from the "# tests / # pass / # fail" lines CI reads.
run('tests (node:test)', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', ...files]);
await stopSamba();
