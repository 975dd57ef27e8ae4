import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { startToolbox } from '../../src/start-toolbox.js';
import { cookieOf, csrfIn } from '../helpers/http-cookies.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';

/**
 * The demo sandbox on each PSA it simulates (`TOOLBOX_DEMO_PSA`): the whole service over HTTP, the
 * PSA simulator over HTTPS with the demo's certificate, from a screen pop to the run's internal
 * note on the simulated PSA's ticket.
 */
for (const psa of ['autotask', 'halopsa'] as const) {
  describe(`the demo sandbox on ${psa}`, () => {
    test('a screen pop opens the password reset filled in, the run succeeds, and the note is on the ticket', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `toolbox-demo-${psa}-`));
      const toolbox = await startToolbox({ env: { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', TOOLBOX_DEMO_PSA: psa } });
      try {
        const base = toolbox.url;
        assert.equal(toolbox.sandbox?.psaKind, psa);
        const page = await fetch(`${base}/login`);
        const login = await fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: cookieOf(page, 'tbx_login')!, 'content-type': 'application/x-www-form-urlencoded', origin: base },
          body: new URLSearchParams({
            _csrf: csrfIn(await page.text())!,
            email: DEMO_SIGN_IN.email,
            password: DEMO_SIGN_IN.password,
            next: '/',
          }),
        });
        const cookie = cookieOf(login, 'tbx_session')!;
        assert.ok(cookie, 'signed in');

        const pop = await fetch(
          `${base}/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset&secret=${DEMO_SCREENPOP_SECRET}`,
          { headers: { cookie }, redirect: 'manual' },
        );
        assert.equal(pop.status, 303);
        const formPath = pop.headers.get('location')!;
        const form = await (await fetch(`${base}${formPath}`, { headers: { cookie } })).text();
        // Ticket, company and contact came from the simulated PSA; the contact's user was found.
        assert.match(form, /Megan Bowen/);
        assert.match(form, new RegExp(`name="user_id"[^>]*value="${MEGAN}"|value="${MEGAN}"[^>]*checked`));

        const submit = await fetch(`${base}${formPath}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
          body: new URLSearchParams({
            _csrf: csrfIn(form)!,
            user_id: MEGAN,
            password_mode: 'generated',
            must_change: 'on',
            revoke_sessions: 'on',
          }),
        });
        assert.equal(submit.status, 303, await submit.text());
        const id = submit.headers.get('location')!.split('/').pop()!;
        let execution: { status: string; note: { status: string } } | undefined;
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
          execution = (await (await fetch(`${base}/api/executions/${id}`, { headers: { cookie } })).json()) as typeof execution;
          if (execution && execution.status !== 'queued' && execution.status !== 'running' && execution.note.status !== 'pending') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(execution?.status, 'succeeded');
        assert.equal(execution?.note.status, 'written');
        const notes = toolbox.sandbox!.psaNotes(1001).filter((text) => text.includes(id));
        assert.equal(notes.length, 1, 'one internal note names the run');
        assert.match(notes[0]!, /Password reset/i);
      } finally {
        await toolbox.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
