import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createFormRegistry } from '../../src/forms/form-registry.js';
import { builtInForms } from '../../src/forms/index.js';
import { registerable, type ToolboxForm } from '../../src/forms/types.js';
import { checkAccountStep } from '../../src/workflows/shared/check-account-step.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §1: "a form is defined once (name, label, input schema, form, workflow, capabilities)
 * and every registry derives from that; a sixth form appears in the console, the catalogue and the
 * screen-pop page without another edit". The form below exists only in this file; it is added to
 * the registry the toolbox is built with, and nothing else is told about it.
 */
const accountStatusInput = z.object({ includeGroups: z.boolean() });
type AccountStatusInput = z.infer<typeof accountStatusInput>;

const RULES = { privileged: 'The toolbox will refuse to report on this account.' };

const accountStatus: ToolboxForm<AccountStatusInput> = {
  name: 'account_status',
  label: 'Account Status',
  input: accountStatusInput,
  form: {
    label: 'Account status',
    description: 'Reads the account and writes what it found on the ticket; changes nothing.',
    defaults: () => ({ include_groups: 'on' }),
    parse: (fields) => ({ ok: true, input: { includeGroups: fields.include_groups === 'on' }, secret: null, reveal: null }),
    review: async ({ target }) => ({ changes: [], action: `Report on ${target.displayName}` }),
    reviewFirst: () => false,
    Fields: ({ values }) => (
      <label class="choice" for="include_groups">
        <input type="checkbox" id="include_groups" name="include_groups" value="on" checked={values.include_groups === 'on'} />
        <span>List the groups too</span>
      </label>
    ),
  },
  workflow: {
    title: 'Account status',
    accountRules: RULES,
    steps: [
      checkAccountStep<AccountStatusInput>(RULES),
      {
        key: 'read-groups',
        label: 'Read the groups',
        kind: 'check',
        needs: [],
        stopOnFailure: false,
        async run({ input, directory, targetUserId }) {
          if (!input.includeGroups) return { status: 'skipped', message: 'Not requested.' };
          const groups = await directory.listUserGroups(targetUserId);
          return { status: 'ok', message: `Member of: ${groups.map((group) => group.displayName).join('; ')}.` };
        },
      },
    ],
  },
};

const forms = createFormRegistry([...builtInForms.list, registerable(accountStatus)]);
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

type Catalogue = {
  forms: {
    name: string;
    label: string;
    available: boolean;
    enabled: boolean;
    needs: { permissions: { items: { checkName: string }[] }[] };
  }[];
};
type Screenpop = { forms: { name: string; label: string; state: string; url: string | null }[] };

for (const database of TEST_DATABASES) {
  describe(`a sixth form, defined once in a test (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let drop: () => Promise<void>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };

    before(async () => {
      const store = await database.open();
      drop = store.drop;
      // The demo's PSA and tenants, the forms left to the console (none enabled).
      toolbox = await createTestToolbox({ store, forms, config: { forms: undefined } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await drop();
    });

    test('the console lists it and enables it; the catalogue shows what its steps need', async () => {
      const page = decode(await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text());
      assert.match(page, /id="form-account_status"/);
      assert.match(page, /<strong>Account Status<\/strong> <code>account_status<\/code>/);

      const catalogue = (await (await toolbox.api('GET', '/api/admin/forms', { session: admin })).json()) as Catalogue;
      const entry = catalogue.forms.find((form) => form.name === 'account_status')!;
      assert.equal(entry.label, 'Account Status');
      assert.equal(entry.available, true);
      assert.equal(catalogue.forms.at(-1)?.name, 'account_status', 'after the built-in five, in registry order');
      // Its only need is its account check's: reading directory roles (and the sign-in).
      assert.deepEqual(
        entry.needs.permissions[0]!.items.map((item) => item.checkName),
        ['Sign-in to the tenant', 'Read directory roles'],
      );

      const enabled = await toolbox.request('/admin/forms/account_status', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, enabled: 'true' },
      });
      assert.equal(enabled.status, 303);
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, ['account_status']);
      assert.match(
        decode(await (await toolbox.request(enabled.headers.get('location')!, { cookie: admin.cookie })).text()),
        /Account Status enabled\./,
      );
    });

    test('the screen-pop URL pages give its URL, enabled', async () => {
      const view = (await (await toolbox.api('GET', '/api/admin/screenpop', { session: admin })).json()) as Screenpop;
      const form = view.forms.find((entry) => entry.name === 'account_status')!;
      assert.equal(form.state, 'enabled');
      assert.match(
        form.url ?? '',
        /\/hooks\/screenpop\?ticket_id=@ticketid&company_id=@companyid&contact_id=@contactid&form_name=account_status$/,
      );
      const page = decode(await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text());
      assert.match(page, /Account Status/);
      assert.match(page, /form_name=account_status/);
      const home = decode(await (await toolbox.request('/', { cookie: tech.cookie })).text());
      assert.match(home, /<td>Account Status<\/td><td>enabled<\/td>/);
    });

    test('its screen pop opens its form, and its workflow runs to the note', async () => {
      const { path, status, html } = await toolbox.openScreenPop(
        'ticket_id=1001&company_id=250&contact_id=301&form_name=account_status',
        tech.cookie,
      );
      assert.equal(status, 200, html.slice(0, 300));
      assert.match(html, /<h1>Account status<\/h1>/);
      assert.match(html, /name="include_groups"/);
      const submitted = await toolbox.request(path, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: 'c0000000-0000-4000-8000-000000000001', include_groups: 'on' },
      });
      assert.equal(submitted.status, 303);
      const run = (await toolbox.waitForExecution(submitted.headers.get('location')!.split('/').pop()!, tech.cookie)) as {
        status: string;
        steps: { key: string; status: string; message: string }[];
      };
      assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
      assert.deepEqual(
        run.steps.map((step) => step.key),
        ['check-account', 'read-groups', 'ticket-note'],
      );
      assert.match(run.steps[1]!.message, /^Member of: .*All Staff/);
      const note = (toolbox.cw.state.notes.get(1001) ?? []).at(-1);
      assert.match(String(note?.text), /Account status/);
    });
  });
}
