import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { fakeDeskConnector } from '../fake-psa/fake-desk-connector.js';
import { createFakeDesk, FAKE_DESK_API_KEY, FAKE_DESK_TENANT } from '../fake-psa/fake-desk-server.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const decode = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
const NONCE = 'nonce-0123456789';

const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().find((value) => value.startsWith(`${name}=`));
const frameAncestors = (response: Response) => /frame-ancestors ([^;]+)/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
const psaReadsSince = (toolbox: TestToolbox, from: number) =>
  toolbox.cw.state.requests.slice(from).filter((entry) => /^\/(service|company|project)\//.test(entry.path)).length;

/** The sign-in window as a technician without a session goes through it: the form, then the hand-off page's code. */
async function signInThroughWindow(toolbox: TestToolbox): Promise<{ siteCookie: string; code: string }> {
  const form = await toolbox.request(`/login/pod?n=${NONCE}&hint=${encodeURIComponent(DEMO_SIGN_IN.email)}`);
  assert.equal(form.status, 200);
  const formHtml = decode(await form.text());
  assert.match(formHtml, /<form method="post" action="\/login\/pod">/);
  assert.match(formHtml, /value="tech@northwind-it\.example"/, 'the PSA’s signed-in e-mail fills in the field');
  const loginCookie = cookieOf(form, 'tbx_login')!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(formHtml)![1]!;
  const posted = await toolbox.request('/login/pod', {
    cookie: loginCookie,
    form: { _csrf: csrf, n: NONCE, hint: DEMO_SIGN_IN.email, email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password },
  });
  assert.equal(posted.status, 303);
  const siteCookie = cookieOf(posted, 'tbx_session')!.split(';')[0]!;
  const next = posted.headers.get('location')!;
  assert.equal(next, `/login/pod?n=${NONCE}&hint=${encodeURIComponent(DEMO_SIGN_IN.email)}&as=current`);
  const done = await toolbox.request(next, { cookie: siteCookie });
  assert.equal(done.status, 200);
  const doneHtml = decode(await done.text());
  assert.match(doneHtml, /Signed in as Bailey Kim/);
  assert.match(doneHtml, new RegExp(`data-pod-nonce="${NONCE}"`));
  assert.match(doneHtml, /<script src="\/assets\/pod\.js"/);
  const code = /data-pod-hand-off="([^"]+)"/.exec(doneHtml)![1]!;
  return { siteCookie, code };
}

for (const database of TEST_DATABASES) {
  describe(`the ConnectWise pod (${database.name})`, { skip: database.skip }, () => {
    test('only the pod may be framed, and only by the ConnectWise site; every other page refuses to be', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const pod = await toolbox.request('/pod?ticket_id=1001');
        assert.equal(pod.status, 200);
        assert.equal(frameAncestors(pod), CW_ORIGIN);
        assert.equal(pod.headers.get('x-frame-options'), null, 'X-Frame-Options would refuse the frame outright');
        for (const path of ['/', '/login', '/launcher?ticket_id=1001', '/login/pod?n=abcdefgh', '/admin/screenpop', '/no-such-page']) {
          const response = await toolbox.request(path, { cookie: session.cookie });
          assert.equal(frameAncestors(response), "'none'", `${path} may be framed`);
          assert.equal(response.headers.get('x-frame-options'), 'DENY', `${path} X-Frame-Options`);
        }
        const call = await toolbox.request('/pod/session', { form: { code: 'h.nothing' } });
        assert.equal(frameAncestors(call), "'none'", 'only the pod page itself is framed');
        // The sign-in window keeps its link to the pod that opened it (and the pod, opened on its own, to its window); nothing else does.
        assert.equal((await toolbox.request('/login/pod?n=abcdefgh')).headers.get('cross-origin-opener-policy'), 'unsafe-none');
        assert.equal((await toolbox.request('/login')).headers.get('cross-origin-opener-policy'), 'same-origin');
        assert.equal(
          (await toolbox.request('/launcher?ticket_id=1001', { cookie: session.cookie })).headers.get('cross-origin-opener-policy'),
          'same-origin',
        );
      });
    });

    test('signed out, the pod offers the sign-in window and reads nothing; the site’s own session does not count in the pod', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const before = toolbox.cw.state.requests.length;
        const pod = await toolbox.request('/pod?ticket_id=1001', { cookie: session.cookie });
        assert.equal(pod.status, 200);
        const html = decode(await pod.text());
        assert.match(html, /data-pod-sign-in/);
        assert.match(html, /data-host-origin="https:\/\/cw\.toolbox\.test"/);
        assert.match(html, /data-host-protocol="connectwise-hosted-api"/);
        assert.match(html, /data-signed-in="no"/);
        assert.doesNotMatch(html, /data-pod-launch/);
        assert.equal(psaReadsSince(toolbox, before), 0, 'the pod read the PSA for someone not signed in');
        const launch = await toolbox.request('/pod/launches', {
          cookie: session.cookie,
          form: { _csrf: session.csrf, ticket_id: '1001', company_id: '250', contact_id: '301', form_name: 'password_reset' },
        });
        assert.equal(launch.status, 401, 'the site session opened a form through the pod');
      });
    });

    test('the sign-in window hands a one-time code to the pod, which gets a partitioned cookie of its own; then a form opens filled', async () => {
      await withTestToolbox(database, {}, async (toolbox) => {
        const { siteCookie, code } = await signInThroughWindow(toolbox);
        assert.match(code, /^h\./);
        // The code is no session by itself.
        const asCookie = await toolbox.request('/pod?ticket_id=1001', { cookie: `tbx_pod=${code}` });
        assert.match(await asCookie.text(), /data-signed-in="no"/);

        const redeemed = await toolbox.request('/pod/session', { form: { code } });
        assert.equal(redeemed.status, 200);
        const podSetCookie = cookieOf(redeemed, 'tbx_pod')!;
        const attributes = podSetCookie.split(';').map((part) => part.trim().toLowerCase());
        for (const attribute of ['path=/pod', 'httponly', 'secure', 'samesite=none', 'partitioned']) {
          assert.ok(attributes.includes(attribute), `the pod cookie lacks ${attribute}: ${podSetCookie}`);
        }
        assert.equal(toolbox.logText().includes(code), false, 'the hand-off code was logged');
        const again = await toolbox.request('/pod/session', { form: { code } });
        assert.equal(again.status, 400, 'a code was redeemed twice');
        assert.match(await again.text(), /expired or was used already/);

        const podCookie = podSetCookie.split(';')[0]!;
        const pod = await toolbox.request('/pod?ticket_id=1001', { cookie: podCookie });
        assert.equal(pod.status, 200);
        assert.equal(frameAncestors(pod), CW_ORIGIN);
        const html = decode(await pod.text());
        assert.match(html, /data-signed-in="yes"/);
        assert.match(html, /data-user-email="tech@northwind-it\.example"/);
        assert.match(html, /#1001<\/a> Megan locked out after password expiry/);
        const podCsrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
        assert.match(html, /<form method="post" action="\/pod\/launches" data-pod-launch="Password reset">/);

        const wrongToken = await toolbox.request('/pod/launches', {
          cookie: podCookie,
          form: { _csrf: 'nope', ticket_id: '1001', company_id: '250', contact_id: '301', form_name: 'password_reset' },
        });
        assert.equal(wrongToken.status, 403);
        const before = toolbox.cw.state.requests.length;
        const launched = await toolbox.request('/pod/launches', {
          cookie: podCookie,
          form: { _csrf: podCsrf, ticket_id: '1001', company_id: '250', contact_id: '301', form_name: 'password_reset' },
        });
        assert.equal(launched.status, 200);
        const { location } = (await launched.json()) as { location: string };
        assert.match(location, /^\/launches\/[A-Za-z0-9_-]+$/);
        assert.equal(psaReadsSince(toolbox, before), 0, 'the launch read again what the pod had just read');
        const launch = await toolbox.services.store.launches.get(location.split('/').pop()!);
        assert.deepEqual(launch?.extraParams, { via: 'pod' });

        // The new tab is a first-party page: the site's own session, from the sign-in window, opens it.
        const form = await toolbox.request(location, { cookie: siteCookie });
        assert.equal(form.status, 200);
        const formHtml = decode(await form.text());
        assert.match(formHtml, /Reset the password of Megan Bowen/);

        const out = await toolbox.request('/pod/sign-out', { cookie: podCookie, form: { _csrf: podCsrf, ticket_id: '1001' } });
        assert.equal(out.status, 303);
        assert.equal(out.headers.get('location'), '/pod?ticket_id=1001');
        const after = await toolbox.request('/pod?ticket_id=1001', { cookie: podCookie });
        assert.match(await after.text(), /data-signed-in="no"/, 'the pod session outlived its sign-out');
      });
    });

    test('the sign-in window asks before using the toolbox’s current user for another ConnectWise member', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const page = await toolbox.request(`/login/pod?n=${NONCE}&hint=${encodeURIComponent('alex.owens@northwind-it.example')}`, {
          cookie: session.cookie,
        });
        const html = decode(await page.text());
        assert.match(html, /Which account\?/);
        assert.match(html, /ConnectWise says <strong>alex\.owens@northwind-it\.example<\/strong> is signed in there/);
        assert.doesNotMatch(html, /data-pod-hand-off/, 'a code was handed out before the technician chose');
        assert.match(html, /href="\/login\/pod\?n=nonce-0123456789&hint=alex\.owens%40northwind-it\.example&as=current"/);
        const other = await toolbox.request(
          `/login/pod?n=${NONCE}&hint=${encodeURIComponent('alex.owens@northwind-it.example')}&as=other`,
          {
            cookie: session.cookie,
          },
        );
        assert.match(decode(await other.text()), /<form method="post" action="\/login\/pod">/);
      });
    });

    test('the screen-pop page gives the pod’s set-up values, from the connector, ready to paste', async () => {
      await withTestToolbox(database, {}, async (toolbox) => {
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const view = (await (await toolbox.api('GET', '/api/admin/screenpop', { session: admin })).json()) as {
          ticketLauncher: {
            name: string;
            opens: string;
            url: string;
            origin: string;
            frameAncestor: string;
            steps: { values: { label: string; value: string }[] }[];
          };
        };
        assert.equal(view.ticketLauncher.name, 'Hosted API pod');
        assert.equal(view.ticketLauncher.opens, 'frame');
        assert.equal(view.ticketLauncher.url, `${TEST_ORIGIN}/pod?ticket_id=[cw_id]&screen=[cw_screen]`);
        assert.equal(view.ticketLauncher.origin, TEST_ORIGIN);
        assert.equal(view.ticketLauncher.frameAncestor, CW_ORIGIN);
        const values = Object.fromEntries(view.ticketLauncher.steps.flatMap((step) => step.values.map((v) => [v.label, v.value])));
        assert.deepEqual(values, {
          Description: 'Technician Toolbox',
          Screen: 'Service Tickets',
          Origin: TEST_ORIGIN,
          URL: `${TEST_ORIGIN}/pod?ticket_id=[cw_id]&screen=[cw_screen]`,
          Type: 'Pod',
          'Pod height': '320',
        });
        const page = decode(await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text());
        assert.match(page, /Open the forms from inside the PSA/);
        assert.match(page, /ConnectWise PSA \(Manage\): Hosted API pod/);
        assert.match(page, /value="http:\/\/toolbox\.test\/pod\?ticket_id=\[cw_id\]&screen=\[cw_screen\]"/);
        assert.match(page, /Only <code>https:\/\/cw\.toolbox\.test<\/code>/);
      });
    });

    test('another PSA’s launcher URL comes from its own connector; one that declares none gets the generic launcher URL', async () => {
      const fake = createFakeDesk();
      const withLink = {
        ...fakeDeskConnector,
        ticketLauncher: {
          name: 'ticket button',
          opens: 'window' as const,
          query: { ticket_id: '{$TICKET}', contact_id: '{$REQUESTER}' },
          setup: [{ text: 'Add a ticket button with this URL:', values: [{ label: 'URL', value: { kind: 'url' as const } }] }],
        },
      };
      for (const [connector, expected] of [
        [withLink, `${TEST_ORIGIN}/launcher?ticket_id={$TICKET}&contact_id={$REQUESTER}`],
        [fakeDeskConnector, `${TEST_ORIGIN}/launcher?ticket_id={ticket id}&company_id={company id}&contact_id={contact id}`],
      ] as const) {
        await withTestToolbox(
          database,
          {
            psaConnectors: { fakedesk: connector },
            upstreams: { 'https://fakedesk.toolbox.test': fake.handler },
            config: {
              psa: {
                kind: 'fakedesk',
                url: 'https://fakedesk.toolbox.test',
                apiKey: FAKE_DESK_API_KEY,
                hosting: 'cloud',
                tenant: FAKE_DESK_TENANT,
              },
            },
          },
          async (toolbox) => {
            const admin = await toolbox.signIn(DEMO_ADMIN);
            const view = (await (await toolbox.api('GET', '/api/admin/screenpop', { session: admin })).json()) as {
              ticketLauncher: { url: string; declared: boolean; frameAncestor: string | null };
            };
            assert.equal(view.ticketLauncher.url, expected);
            assert.equal(view.ticketLauncher.declared, connector === withLink);
            assert.equal(view.ticketLauncher.frameAncestor, null);
          },
        );
      }
    });

    test('a PSA without a pod serves none, and the pod page refuses to be framed', async () => {
      const fake = createFakeDesk();
      await withTestToolbox(
        database,
        {
          psaConnectors: { fakedesk: fakeDeskConnector },
          upstreams: { 'https://fakedesk.toolbox.test': fake.handler },
          config: {
            psa: {
              kind: 'fakedesk',
              url: 'https://fakedesk.toolbox.test',
              apiKey: FAKE_DESK_API_KEY,
              hosting: 'cloud',
              tenant: FAKE_DESK_TENANT,
            },
          },
        },
        async (toolbox) => {
          const pod = await toolbox.request('/pod?ticket_id=INC-1001');
          assert.equal(pod.status, 409);
          assert.equal(frameAncestors(pod), "'none'");
          assert.equal(pod.headers.get('x-frame-options'), 'DENY');
          assert.match(decode(await pod.text()), /opens the toolbox with a link, not a pod/);
        },
      );
    });
  });
}
