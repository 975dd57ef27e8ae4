#!/usr/bin/env node
// The whole suite: lint, type check, then every *.test.ts / *.test.tsx under src/ and test/ on
// node:test. Node 20's test runner takes no globs, so the files are listed here. node:test's own
// summary (TAP) is the last thing printed: CI reads it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
if (only.length === 0) {
  run('lint (biome)', bin('biome'), ['check', '.']);
  run('type check (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
}
const files = only.length > 0 ? only : [...findTests(join(root, 'src')), ...findTests(join(root, 'test'))].sort();
// TAP, whatever the Node version: Node 24's default for a pipe is the spec reporter, whose summary
// lines differ from the "# tests / # pass / # fail" lines CI reads.
run('tests (node:test)', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', ...files]);
