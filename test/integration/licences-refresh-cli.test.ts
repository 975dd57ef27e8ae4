import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLicenceCatalogue, LICENCE_NAMES_FILE } from '../../src/connectors/directory/entra/licence-names.js';
import { licenceNamesFromCsv } from '../../src/connectors/directory/entra/licensing-csv.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'toolbox-licences-'));

// A newer edition of Microsoft's file, in its own shape: BOM, one row per service plan, a quoted name.
const EDITION = [
  '\uFEFFProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names',
  'Microsoft 365 Business Premium,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange Online (Plan 1)',
  'Microsoft 365 Business Premium,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,MCOSTANDARD,0feaeb32-d00e-4d66-bd5a-43b5b83db82c,Skype for Business Online (Plan 2)',
  '"Contoso Future Suite, Plan 9",CONTOSO_FUTURE_9,11111111-2222-4333-8444-555555555555,X,66666666-2222-4333-8444-555555555555,X',
  '',
].join('\r\n');

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/toolbox.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', TOOLBOX_DATA_DIR: join(dir, 'data') }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let origin = '';
const server = createServer((request, response) => {
  if (request.url === '/licensing.csv') {
    response.writeHead(200, { 'content-type': 'text/csv' });
    response.end(EDITION);
  } else {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html><body>Sign in to the proxy</body></html>');
  }
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('licences refresh reads a file and writes the compact table', async () => {
  const source = join(dir, 'edition.csv');
  writeFileSync(source, EDITION);
  const to = join(dir, 'from-file.csv');
  const result = await cli(['licences', 'refresh', '--from', source, '--to', to]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Wrote 2 licence product names/);
  const catalogue = createLicenceCatalogue(licenceNamesFromCsv(readFileSync(to, 'utf8')));
  assert.equal(catalogue.displayName({ skuId: '11111111-2222-4333-8444-555555555555' }), 'Contoso Future Suite, Plan 9');
  assert.equal(
    catalogue.displayName({ skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB' }),
    'Microsoft 365 Business Premium',
  );
});

test('licences refresh downloads from a URL, and keeps the old table when the answer is not the CSV', async () => {
  const to = join(dir, 'from-url.csv');
  const downloaded = await cli(['licences', 'refresh', '--from', `${origin}/licensing.csv`, '--to', to]);
  assert.equal(downloaded.status, 0, downloaded.stderr);
  const before = readFileSync(to, 'utf8');
  assert.equal(licenceNamesFromCsv(before).length, 2);

  const refused = await cli(['licences', 'refresh', '--from', `${origin}/proxy-login`, '--to', to]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not Microsoft's licensing CSV: The CSV has no GUID column/);
  assert.equal(readFileSync(to, 'utf8'), before, 'a failed refresh leaves the table as it was');
  // The shipped table is never touched by these tests.
  assert.ok(licenceNamesFromCsv(readFileSync(LICENCE_NAMES_FILE, 'utf8')).length > 500);
});
