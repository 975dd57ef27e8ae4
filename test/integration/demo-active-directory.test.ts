import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { type RunningToolbox, startToolbox } from '../../src/start-toolbox.js';
import { cookieOf, csrfIn } from '../helpers/http-cookies.js';

const ROB = '7a200000-0000-4000-8000-000000000001';
const ROB_UPN = 'rob.young@tailspintoys.example';
const KIM = '7a200000-0000-4000-8000-000000000002';
const JORDAN_ADMIN = '7a200000-0000-4000-8000-000000000003';
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'");

type Execution = { status: string; note: { status: string }; steps: { key: string; status: string; message: string | null }[] };

/**
 * The demo sandbox's AD-only customer, Tailspin Toys (company 253), served by a simulated on-prem
 * domain through the real AD client: the whole service over HTTP, from the printed screen pop to
 * the note on the simulated PSA's ticket.
 */
const LEE = 'f0000000-0000-4000-8000-000000000002';

describe('the demo sandbox’s on-prem Active Directory customer', () => {
  let toolbox: RunningToolbox;
  let dataDir: string;
  let cookie: string;
  let base: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'toolbox-demo-ad-'));
    toolbox = await startToolbox({ env: { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' } });
    base = toolbox.url;
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
    cookie = cookieOf(login, 'tbx_session')!;
    assert.ok(cookie, 'signed in');
  });
  after(async () => {
    await toolbox?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const openPop = async (query: string) => {
    const pop = await fetch(`${base}/hooks/screenpop?${query}&secret=${DEMO_SCREENPOP_SECRET}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    assert.equal(pop.status, 303);
    const path = pop.headers.get('location')!;
    const html = decode(await (await fetch(`${base}${path}`, { headers: { cookie } })).text());
    return { path, html };
  };
  const submit = async (path: string, html: string, fields: Record<string, string>) => {
    const post = (extra: Record<string, string>) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ _csrf: csrfIn(html)!, ...fields, ...extra }),
      });
    let response = await post({});
    // A change that asks for a review first: confirm it as the technician would.
    if (response.status === 200) {
      const review = /name="_review" value="([^"]+)"/.exec(await response.text())?.[1];
      assert.ok(review, 'a review page or a redirect');
      response = await post({ _review: review });
    }
    assert.equal(response.status, 303, await response.text());
    return response.headers.get('location')!.split('/').pop()!;
  };
  const waitFor = async (id: string): Promise<Execution> => {
    let execution: Execution | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      execution = (await (await fetch(`${base}/api/executions/${id}`, { headers: { cookie } })).json()) as Execution;
      if (execution.status !== 'queued' && execution.status !== 'running' && execution.note.status !== 'pending') return execution;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`execution ${id} did not finish: ${JSON.stringify(execution)}`);
  };

  test('password reset with unlock: the locked-out user is found, the domain’s rules are shown, the reset unlocks him and the note is on the ticket', async () => {
    const domain = toolbox.sandbox!.activeDirectory.tailspin!;
    assert.equal((await domain.getUser(ROB)).lockedOut, true, 'the demo starts with Rob locked out');

    const { path, html } = await openPop('ticket_id=1031&company_id=253&contact_id=331&form_name=password_reset');
    assert.match(html, /Rob Young/);
    assert.match(html, new RegExp(`value="${ROB}"`), 'the contact’s AD account was found by its mail');
    assert.match(html, /name="unlock"/, 'an AD account can be unlocked: the option is offered');
    assert.doesNotMatch(html, /name="revoke_sessions"/, 'AD has no sign-in sessions to revoke');
    assert.match(html, /Use 7 to 256 characters with at least three of/, 'the rules under the field are the domain’s');

    const password = 'Harbour-Lantern-58!';
    const id = await submit(path, html, { user_id: ROB, password_mode: 'typed', password, must_change: 'on', unlock: 'on' });
    const run = await waitFor(id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    assert.deepEqual(
      run.steps.map((step) => [step.key, step.status]),
      [
        ['check-account', 'ok'],
        ['reset-password', 'ok'],
        ['unlock', 'ok'],
        ['ticket-note', 'ok'],
      ],
    );
    assert.equal(run.note.status, 'written');
    const rob = await domain.getUser(ROB);
    assert.equal(rob.lockedOut, false);
    assert.equal(rob.mustChangePassword, true);
    assert.equal(domain.signIn(ROB_UPN, password), 'must-change', 'the new password is the account’s, to be changed at sign-in');
    assert.equal(domain.signIn(ROB_UPN, 'Demo-only-Sales-2026!'), 'wrong-password', 'the old password no longer works');

    const notes = toolbox.sandbox!.psaNotes(1031).filter((text) => text.includes(id));
    assert.equal(notes.length, 1, 'one internal note names the run');
    assert.match(notes[0]!, /Rob Young/);
    assert.match(notes[0]!, /Unlock/i);
    assert.doesNotMatch(notes[0]!, new RegExp(password), 'the password is never written to the ticket');
  });

  test('a password with the user’s name in it is refused before anything is sent, naming the domain’s rule', async () => {
    const domain = toolbox.sandbox!.activeDirectory.tailspin!;
    const { path, html } = await openPop('ticket_id=1031&company_id=253&contact_id=331&form_name=password_reset');
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ _csrf: csrfIn(html)!, user_id: ROB, password_mode: 'typed', password: 'Young-Harbour-58!' }),
    });
    assert.equal(response.status, 422);
    assert.match(
      decode(await response.text()),
      /contains "young" from the user's display name \(the ad\.tailspintoys\.example domain's complexity rule\)/,
    );
    assert.equal(domain.signIn(ROB_UPN, 'Young-Harbour-58!'), 'wrong-password', 'the refused password was not set');
  });

  test('group membership: the contact found through a proxy address, her AD groups listed, the primary group not removable', async () => {
    const { html } = await openPop('ticket_id=1032&company_id=253&contact_id=332&form_name=group_membership');
    assert.match(html, /Kim Akers/);
    assert.match(html, new RegExp(`value="${KIM}"`), 'found by the smtp: alias workshop-lead@');
    assert.match(html, /Workshop/, 'her current group is listed');
    assert.match(html, /primary group in Active Directory/, 'Domain Users is listed as not removable here');
  });

  test('the privileged guard: a Domain Admin is refused before anything changes', async () => {
    const { path, html } = await openPop('ticket_id=1033&company_id=253&contact_id=333&form_name=password_reset');
    assert.match(html, /Jordan Price \(admin\)/);
    const id = await submit(path, html, {
      user_id: JORDAN_ADMIN,
      password_mode: 'typed',
      password: 'Harbour-Lantern-58!',
      must_change: 'on',
    });
    const run = await waitFor(id);
    assert.notEqual(run.status, 'succeeded');
    const check = run.steps.find((step) => step.key === 'check-account')!;
    assert.equal(check.status, 'failed');
    assert.match(check.message ?? '', /Domain Admins/);
    assert.equal(
      toolbox.sandbox!.activeDirectory.tailspin!.signIn('jordan.price.admin@tailspintoys.example', 'Demo-only-Admin-2026!'),
      'ok',
      'the admin’s password is unchanged',
    );
  });
  test('the hybrid customer: Lee Gu’s password is set on his AD account, his sessions are revoked in Microsoft 365, and the form says so', async () => {
    const fabrikam = toolbox.sandbox!.activeDirectory.fabrikam!;
    const { path, html } = await openPop('ticket_id=1012&company_id=251&contact_id=312&form_name=password_reset');
    assert.match(html, /On-premises account/);
    assert.match(html, /Fabrikam Logistics \(on-prem AD\)/);
    assert.match(html, /Where the changes happen/);
    const password = 'Forklift-Harbour-73!';
    const id = await submit(path, html, {
      user_id: LEE,
      password_mode: 'typed',
      password,
      must_change: 'on',
      unlock: 'on',
      revoke_sessions: 'on',
    });
    const run = await waitFor(id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
    const reset = run.steps.find((step) => step.key === 'reset-password');
    assert.match(reset?.message ?? '', /In on-premises Active Directory \(Fabrikam Logistics \(on-prem AD\)\)\./);
    assert.equal(fabrikam.signIn('lee.gu@fabrikamlogistics.example', password), 'must-change', 'the new password is the AD account’s');
    const graph = toolbox.sandbox!.graph.state;
    assert.equal(graph.passwordChanges.filter((change) => JSON.stringify(change).includes(LEE)).length, 0, 'Entra’s password was changed');
    assert.ok(
      graph.revocations.some((revocation) => JSON.stringify(revocation).includes(LEE)),
      'sessions were not revoked',
    );
  });
});
