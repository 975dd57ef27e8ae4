#!/usr/bin/env node
// A throwaway Samba AD domain controller for the tests (../shared/reference/active-directory-ldap.md
// §9): provisions TEST.LAN into a new temporary directory, starts Samba in the foreground, waits for
// LDAPS, prints one JSON line describing it, and keeps it running until its stdin closes or it gets
// SIGTERM/SIGINT, then stops Samba and removes the directory. scripts/test.mjs starts one for the
// whole suite; test/helpers/samba-dc.ts starts one when a test file runs alone.
// Needs root (Samba binds ports below 1024) and Debian's samba package; only one can run at a time
// (the ports are fixed), on loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REALM = 'TEST.LAN';
// A new one per DC: nothing fixed to copy anywhere. Upper and lower case, a digit and symbols meet
// the domain's complexity rule whatever the random part holds.
const ADMIN_PASSWORD = `Tb-${randomBytes(12).toString('base64url')}!9a`;
const dir = mkdtempSync(join(tmpdir(), 'toolbox-samba-'));
let samba;
let stopped = false;

function stop(code = 0) {
  if (stopped) return;
  stopped = true;
  const finish = () => {
    // A Samba child may still be writing its last file: retry, and never fail the run over a temp dir.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (error) {
      process.stderr.write(`samba-dc: could not remove ${dir} (${error.code}); remove it by hand\n`);
    }
    process.exit(code);
  };
  if (!samba || samba.exitCode !== null) return finish();
  // Samba's children write into the directory until they are gone: remove it after they exit.
  samba.once('exit', finish);
  samba.kill('SIGTERM');
  setTimeout(() => samba.kill('SIGKILL'), 5000).unref();
}

function fail(message) {
  process.stderr.write(`samba-dc: ${message}\n`);
  stop(1);
}

const portAnswers = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

async function main() {
  if (await portAnswers(636)) return fail('something already listens on 127.0.0.1:636 (another Samba DC?); stop it first.');
  const provision = spawnSync(
    'samba-tool',
    [
      'domain',
      'provision',
      `--realm=${REALM}`,
      '--domain=TEST',
      '--server-role=dc',
      '--dns-backend=NONE',
      `--adminpass=${ADMIN_PASSWORD}`,
      `--targetdir=${dir}`,
      '--host-name=dc1',
      '--option=interfaces=lo',
      '--option=bind interfaces only=yes',
      `--option=pid directory=${dir}`,
      // Only what LDAP needs: no file server, no NetBIOS, fewer processes and less memory.
      '--option=server services=ldap, kdc, drepl',
    ],
    { encoding: 'utf8' },
  );
  if (provision.status !== 0) return fail(`provisioning failed: ${provision.stderr.slice(-2000)}`);
  const conf = join(dir, 'etc', 'smb.conf');
  // Windows and Samba accept the previous password for an hour after a reset (NTLM's grace
  // period); the tests check that a reset password stops working at once. Provisioning does not
  // keep this option from --option, so it goes into smb.conf directly.
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('[global]\n', '[global]\n\told password allowed period = 0\n'));
  // Tests change a user's password as the user right after an admin set it, and lock accounts out
  // with wrong passwords to unlock them (Samba's default is no lockout at all).
  spawnSync('samba-tool', ['domain', 'passwordsettings', 'set', '--min-pwd-age=0', '--account-lockout-threshold=5', '-s', conf], {
    encoding: 'utf8',
  });
  samba = spawn('samba', ['-s', conf, '-i'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  samba.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  samba.on('exit', (code) => {
    if (!stopped) fail(`samba exited (${code}): ${stderr}`);
  });
  const caPath = join(dir, 'private', 'tls', 'ca.pem');
  const deadline = Date.now() + 60_000;
  while (!(existsSync(caPath) && (await portAnswers(636)))) {
    if (Date.now() > deadline) return fail(`LDAPS did not answer within 60 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(
    `${JSON.stringify({
      host: '127.0.0.1',
      serverName: 'dc1.test.lan',
      url: 'ldaps://dc1.test.lan:636',
      caPem: readFileSync(caPath, 'utf8'),
      baseDn: 'DC=test,DC=lan',
      realm: REALM,
      adminUser: `Administrator@${REALM}`,
      adminPassword: ADMIN_PASSWORD,
    })}\n`,
  );
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.resume();
main().catch((error) => fail(String(error?.stack ?? error)));
