import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OFFBOARDING_DEFAULT_FIELDS } from '../helpers/offboarding-fields.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, GRAPH_ORIGIN, type TestToolbox, type TestToolboxOptions } from '../helpers/test-toolbox.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

/** A process that dies right after the request's first write: every separate enqueue is lost. */
const dieOnEnqueue = () => {
  throw new Error('the process died before this write');
};

for (const database of TEST_DATABASES) {
  describe(`crash-safe executions on ${database.name}`, { skip: database.skip }, () => {
    test('an execution is stored with its job: a submit that dies after its first write still runs', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        // Nothing may depend on a second write after the execution: it would be lost with the process.
        toolbox.services.jobQueue.enqueue = dieOnEnqueue;
        const pop = await toolbox.request(POP, { cookie: session.cookie });
        const submit = await toolbox.request(pop.headers.get('location')!, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
        });
        assert.equal(submit.status, 303);
        const id = submit.headers.get('location')!.split('/').pop()!;
        const json = await toolbox.waitForExecution(id, session.cookie);
        assert.equal(json.status, 'succeeded');

        // A re-run is created the same way.
        const rerun = await toolbox.api('POST', `/api/executions/${id}/rerun`, { session, body: {} });
        assert.equal(rerun.status, 201);
        const again = (await rerun.json()) as { executionId: string };
        assert.equal((await toolbox.waitForExecution(again.executionId, session.cookie)).status, 'succeeded');
      });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A short lease so a dead worker's job is taken over in a test's time (production: 15 s). */
const LEASE_MS = 400;
type Step = { key: string; status: string; message: string };
type KillAt = NonNullable<TestToolboxOptions['killAt']>;

/** Kills the toolbox when the step `key` is recorded with `status` (before that record is written). */
const atStep =
  (key: string, status: string): KillAt =>
  async ({ method, args, store }) => {
    if (method !== 'executions.updateStep' || (args[2] as { status?: string }).status !== status) return false;
    const steps = await store.executions.steps(args[0] as string);
    return steps.find((s) => s.seq === args[1])?.key === key;
  };

type Run = { json: Record<string, unknown>; toolbox: TestToolbox; recoveredMs: number; id: string; cookie: string };

/**
 * Submits `form` from a screen pop on a toolbox killed at `killAt`, starts a second toolbox on the
 * same database and simulators, and returns the execution once the second one has finished it.
 * Without `killAt`, the same run uninterrupted, for comparison.
 */
async function crashAndRecover(
  database: (typeof TEST_DATABASES)[number],
  /** `jobLeaseMs: null`: the production lease. */
  run: {
    query: string;
    form: Record<string, string>;
    killAt?: KillAt;
    jobLeaseMs?: number | null;
    /** The upstream as the second toolbox sees it. */
    afterRestart?: TestToolboxOptions['interceptFetch'];
  },
  check: (result: Run) => Promise<void>,
) {
  const store = await database.open();
  let killedAt = 0;
  const killAt: KillAt | undefined = run.killAt
    ? async (call) => {
        const kill = await run.killAt!(call);
        if (kill) killedAt = Date.now();
        return kill;
      }
    : undefined;
  const lease = run.jobLeaseMs === null ? {} : { jobLeaseMs: run.jobLeaseMs ?? LEASE_MS };
  const first = await createTestToolbox({ store, ...lease, ...(killAt ? { killAt } : {}) });
  let second: TestToolbox | undefined;
  try {
    const session = await first.signIn();
    const pop = await first.request(`/hooks/screenpop?${run.query}`, { cookie: session.cookie });
    const submit = await first.submitReviewed(pop.headers.get('location')!, {
      cookie: session.cookie,
      form: { _csrf: session.csrf, ...run.form },
    });
    assert.equal(submit.status, 303);
    const id = submit.headers.get('location')!.split('/').pop()!;
    if (!killAt) {
      await check({ json: await first.waitForExecution(id, session.cookie), toolbox: first, recoveredMs: 0, id, cookie: session.cookie });
      await first.close();
      return;
    }
    const deadline = Date.now() + 10_000;
    while (!killedAt) {
      if (Date.now() > deadline) throw new Error('the crash point was never reached');
      await sleep(10);
    }
    second = await createTestToolbox({
      store,
      ...lease,
      simulators: { cw: first.cw, graph: first.graph },
      ...(run.afterRestart ? { interceptFetch: run.afterRestart } : {}),
    });
    const json = await second.waitForExecution(id, session.cookie, 40_000);
    await check({ json, toolbox: second, recoveredMs: Date.now() - killedAt, id, cookie: session.cookie });
  } finally {
    // The killed toolbox is left as a dead process would be: it never answers again.
    await second?.close();
    await store.drop();
  }
}

const RESET_MEGAN = {
  query: 'ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset',
  form: { user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
};

const GRADY = 'a0000000-0000-4000-8000-000000000002';
const OFFBOARD_GRADY = {
  query: 'ticket_id=1021&company_id=252&contact_id=322&form_name=user_offboarding',
  form: {
    user_id: GRADY,
    ...OFFBOARDING_DEFAULT_FIELDS,
  },
};

const workSteps = (json: Record<string, unknown>) =>
  (json.steps as Step[]).filter((s) => s.key !== 'ticket-note').map(({ key, status, message }) => ({ key, status, message }));

for (const database of TEST_DATABASES) {
  describe(`recovery after a kill on ${database.name}`, { skip: database.skip }, () => {
    test('killed after ConnectWise stored the note and before it was recorded: the recovered run finds it, no second note', async () => {
      await crashAndRecover(
        database,
        {
          ...RESET_MEGAN,
          killAt: ({ method, args }) => method === 'executions.setNote' && (args[1] as { status: string }).status === 'written',
        },
        async ({ json, toolbox, recoveredMs }) => {
          assert.equal(json.status, 'succeeded');
          assert.equal((json.note as { status: string }).status, 'written');
          assert.equal(toolbox.cw.state.notes.get(1001)?.length, 1, 'the note was written twice');
          assert.match(
            (json.steps as Step[]).find((s) => s.key === 'ticket-note')!.message,
            /an earlier attempt had reached ConnectWise after all/,
          );
          assert.ok(recoveredMs < 10_000, `recovered after ${recoveredMs} ms`);
        },
      );
    });

    test('killed between offboarding steps: the resumed run sees what earlier steps handed on (the mailbox was converted)', async () => {
      let uninterrupted: ReturnType<typeof workSteps> = [];
      await crashAndRecover(database, OFFBOARD_GRADY, async ({ json }) => {
        uninterrupted = workSteps(json);
      });
      await crashAndRecover(database, { ...OFFBOARD_GRADY, killAt: atStep('remove-groups', 'running') }, async ({ json, toolbox }) => {
        const licences = (json.steps as Step[]).find((s) => s.key === 'remove-licences')!;
        assert.doesNotMatch(licences.message, /was not converted/);
        assert.match(licences.message, /Kept: the shared mailbox is over 50 GB/);
        assert.deepEqual(workSteps(json), uninterrupted);
        assert.equal(toolbox.cw.state.notes.get(1021)?.length, 1);
      });
    });
  });
}

const isPasswordWrite = (url: URL, init: RequestInit | undefined) =>
  init?.method === 'PATCH' && url.origin === GRAPH_ORIGIN && url.pathname.endsWith(`/users/${MEGAN}`);

describe('job leases', () => {
  const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;
  test('with the production lease, a dead worker’s execution is taken over and finished within 30 s', async () => {
    await crashAndRecover(
      sqlite,
      { ...RESET_MEGAN, jobLeaseMs: null, killAt: atStep('revoke-sessions', 'running') },
      async ({ json, recoveredMs }) => {
        assert.equal(json.status, 'succeeded');
        assert.ok(recoveredMs < 30_000, `recovered after ${recoveredMs} ms`);
      },
    );
  });

  for (const database of TEST_DATABASES) {
    test(`on ${database.name}: a live worker keeps its job through a step longer than the lease (heartbeat)`, {
      skip: database.skip,
    }, async () => {
      const store = await database.open();
      let writes = 0;
      const slowWrite: TestToolboxOptions['interceptFetch'] = async (url, init, send) => {
        if (!isPasswordWrite(url, init)) return send();
        writes++;
        await sleep(LEASE_MS * 4);
        return send();
      };
      const first = await createTestToolbox({ store, jobLeaseMs: LEASE_MS, interceptFetch: slowWrite });
      const second = await createTestToolbox({
        store,
        jobLeaseMs: LEASE_MS,
        simulators: { cw: first.cw, graph: first.graph },
        interceptFetch: slowWrite,
      });
      try {
        const session = await first.signIn();
        const pop = await first.request(`/hooks/screenpop?${RESET_MEGAN.query}`, { cookie: session.cookie });
        const submit = await first.request(pop.headers.get('location')!, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, ...RESET_MEGAN.form },
        });
        const json = await first.waitForExecution(submit.headers.get('location')!.split('/').pop()!, session.cookie);
        assert.equal(json.status, 'succeeded');
        assert.equal(writes, 1, 'the password was set by two workers');
      } finally {
        await first.close();
        await second.close();
        await store.drop();
      }
    });

    test(`on ${database.name}: a worker that lost its job stops before its next write (fencing)`, { skip: database.skip }, async () => {
      const store = await database.open();
      let armed = false;
      let stalled = false;
      const writesBy = { first: 0, second: 0 };
      const first = await createTestToolbox({
        store,
        jobLeaseMs: LEASE_MS,
        // The first worker stalls: its account check hangs and no heartbeat gets through meanwhile.
        killAt: async ({ method, args }) => {
          if (method === 'executions.updateStep' && (args[2] as { status?: string }).status === 'running') armed = true;
          if (method === 'jobs.heartbeat' && armed) await sleep(LEASE_MS * 8);
          return false;
        },
        interceptFetch: async (url, init, send) => {
          if (isPasswordWrite(url, init)) writesBy.first++;
          if (armed && !stalled && url.origin === GRAPH_ORIGIN) {
            stalled = true;
            await sleep(LEASE_MS * 5);
          }
          return send();
        },
      });
      let second: TestToolbox | undefined;
      try {
        const session = await first.signIn();
        const pop = await first.request(`/hooks/screenpop?${RESET_MEGAN.query}`, { cookie: session.cookie });
        const submit = await first.request(pop.headers.get('location')!, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, ...RESET_MEGAN.form },
        });
        const id = submit.headers.get('location')!.split('/').pop()!;
        while (!armed) await sleep(5);
        second = await createTestToolbox({
          store,
          jobLeaseMs: LEASE_MS,
          simulators: { cw: first.cw, graph: first.graph },
          interceptFetch: async (url, init, send) => {
            if (isPasswordWrite(url, init)) writesBy.second++;
            return send();
          },
        });
        const json = await second.waitForExecution(id, session.cookie);
        assert.equal(json.status, 'succeeded');
        // Let the stalled worker wake up: it must not go on to set the password again.
        await sleep(LEASE_MS * 8);
        // Whichever claim finished the run (the other toolbox, or this one's other worker), the
        // password was set once: the stalled claim did not go on to set it again.
        assert.equal(writesBy.first + writesBy.second, 1, JSON.stringify(writesBy));
        assert.equal(first.cw.state.notes.get(1001)?.length, 1);
      } finally {
        await second?.close();
        await first.close();
        await store.drop();
      }
    });
  }
});

const DIEGO = 'c0000000-0000-4000-8000-000000000002';
const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';
const MFA_DIEGO = {
  query: 'ticket_id=1002&company_id=250&contact_id=302&form_name=reset_mfa',
  form: { user_id: DIEGO, mode: 'all', tap: 'on', tap_lifetime: '60', tap_once: 'on', revoke_sessions: 'on' },
};
const passesIssued = (toolbox: TestToolbox) =>
  toolbox.graph.state.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith(`/users/${DIEGO}/authentication/temporaryAccessPassMethods`),
  ).length;
const passShown = (html: string) => /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(html)?.[1];
const decode = (value: string) =>
  value
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

for (const database of TEST_DATABASES) {
  describe(`unrepeatable steps after a kill on ${database.name}`, { skip: database.skip }, () => {
    test('the pass was issued and kept, the kill came before it was recorded: read back, not issued again, shown once', async () => {
      await crashAndRecover(
        database,
        { ...MFA_DIEGO, killAt: atStep('temporary-access-pass', 'ok') },
        async ({ json, toolbox, id, cookie }) => {
          assert.equal(passesIssued(toolbox), 1, 'a second Temporary Access Pass was requested');
          const step = (json.steps as Step[]).find((s) => s.key === 'temporary-access-pass')!;
          assert.equal(step.status, 'ok');
          assert.match(step.message, /interrupted during this step and read back: Issued before the toolbox was interrupted/);
          const pass = passShown(await (await toolbox.request(`/executions/${id}`, { cookie })).text());
          assert.ok(pass, 'the pass is not shown');
          assert.equal(toolbox.graph.state.checkTemporaryAccessPass(CONTOSO, DIEGO, decode(pass)), true);
          assert.equal(json.status, 'succeeded');
        },
      );
    });

    test('the pass was issued but the kill came before it was kept: not issued again, and the page says what to do', async () => {
      await crashAndRecover(
        database,
        { ...MFA_DIEGO, killAt: ({ method }) => method === 'executions.setSecret' },
        async ({ json, toolbox, id, cookie }) => {
          assert.equal(passesIssued(toolbox), 1, 'a second Temporary Access Pass was requested');
          const step = (json.steps as Step[]).find((s) => s.key === 'temporary-access-pass')!;
          assert.equal(step.status, 'warning');
          assert.match(
            step.message,
            /was issued, but the toolbox was interrupted before it could keep it, so it cannot be shown\. Delete it/,
          );
          const page = await (await toolbox.request(`/executions/${id}`, { cookie })).text();
          assert.equal(passShown(page), undefined);
          assert.match(decode(page), /cannot be shown/);
        },
      );
    });

    test('when the state cannot be read back, the step is unknown, not sent again, and the page and note say so', async () => {
      await crashAndRecover(
        database,
        {
          ...MFA_DIEGO,
          killAt: ({ method }) => method === 'executions.setSecret',
          afterRestart: async (url, init, send) =>
            (init?.method ?? 'GET') === 'GET' && url.pathname.endsWith(`/users/${DIEGO}/authentication/methods`)
              ? Response.json(
                  { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } },
                  { status: 403 },
                )
              : send(),
        },
        async ({ json, toolbox, id, cookie }) => {
          assert.equal(passesIssued(toolbox), 1, 'a second Temporary Access Pass was requested');
          const step = (json.steps as Step[]).find((s) => s.key === 'temporary-access-pass')!;
          assert.equal(step.status, 'unknown');
          assert.match(step.message, /cannot tell whether it was done\. It was not done again/);
          assert.equal(json.status, 'partial');
          const page = await (await toolbox.request(`/executions/${id}`, { cookie })).text();
          assert.match(page, /<li class="step step-unknown"><span class="badge">not known<\/span>/);
          const note =
            toolbox.cw.state.notes
              .get(1002)
              ?.map((n) => n.text)
              .join('\n') ?? '';
          assert.match(note, /Issue a Temporary Access Pass: OUTCOME NOT KNOWN - The toolbox was interrupted/);
        },
      );
    });
  });
}

const ONBOARD_JANE = {
  query: 'ticket_id=1001&company_id=250&contact_id=301&form_name=user_onboarding',
  form: {
    first_name: 'Jane',
    last_name: 'Doe',
    domain: 'contosodental.example',
    usage_location: 'US',
    password_mode: 'generated',
    must_change: 'on',
    when: 'now',
    'licence:cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46': 'on',
  },
};

for (const database of TEST_DATABASES) {
  describe(`check-then-act after a kill on ${database.name}`, { skip: database.skip }, () => {
    test('onboarding killed after the user was created: found, not created again; the generated password is shown once', async () => {
      await crashAndRecover(database, { ...ONBOARD_JANE, killAt: atStep('create-user', 'ok') }, async ({ json, toolbox, id, cookie }) => {
        const creates = toolbox.graph.state.requests.filter((r) => r.method === 'POST' && /\/v1\.0\/users$/.test(r.path));
        assert.equal(creates.length, 1, 'the user was created twice');
        assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
        assert.equal((json.steps as Step[]).find((s) => s.key === 'create-user')!.status, 'ok');
        const page = await (await toolbox.request(`/executions/${id}`, { cookie })).text();
        assert.ok(passShown(page), 'the generated password is not shown');
      });
    });
  });
}
