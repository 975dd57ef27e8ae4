import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'ldapts';
import { createActiveDirectoryClient } from '../../src/connectors/directory/active-directory/active-directory-client.js';
import { createActiveDirectoryConnector } from '../../src/connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { bindAs, createTestOu, deleteOu, sambaLdap, sambaLookup, sambaSkip, type TestSambaDc, useSambaDc } from '../helpers/samba-dc.js';
import { newAgentToken, sambaDirectory, startTestAgent, TEST_AGENT_HUB, untilAgentConnected } from '../helpers/test-agent.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §1 and §3: the password rules come from the connector, and in AD they are the user's
 * own when a fine-grained password policy (a Password Settings Object) applies to them: AD says
 * which in msDS-ResultantPSO. On the real Samba DC: a PSO with a 14-character minimum applied to
 * one user (directly) and another to a group, the rest of the domain on its default 7. The form
 * is checked over both ways of reaching AD: directly, and through an on-prem agent.
 */
const logger = createLogger({ level: 'silent' });
const AGENT_TOKEN = newAgentToken();
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'");
/** 100-nanosecond intervals, negative, as AD stores ages and durations. */
const days = (n: number) => String(-BigInt(n) * 864_000_000_000n);

describe('fine-grained password policies (Samba AD DC)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let admin: Client;
  let ad: ActiveDirectoryLdap;
  let ou: string;
  const suffix = randomBytes(3).toString('hex');
  const psos: string[] = [];
  let strict: { id: string; dn: string; upn: string };
  let grouped: { id: string; dn: string; upn: string };
  let plain: { id: string; dn: string; upn: string };

  const makeUser = async (name: string, mail?: string) => {
    const user = await ad.createUser({
      parentDn: ou,
      givenName: name,
      surname: suffix,
      displayName: `${name} ${suffix}`,
      sAMAccountName: `${name.toLowerCase().slice(0, 8)}${suffix}`,
      userPrincipalName: `${name.toLowerCase()}.${suffix}@test.lan`,
      ...(mail ? { mail } : {}),
      password: 'Initial-Passw0rd!',
      mustChangePassword: false,
    });
    return { id: user.id, dn: user.dn, upn: user.userPrincipalName };
  };

  /** A Password Settings Object, as `samba-tool domain passwordsettings pso create` (and ADAC) make it. */
  const addPso = async (name: string, settings: { precedence: number; minLength: number; history: number; appliesTo: string }) => {
    const dn = `CN=${name},CN=Password Settings Container,CN=System,${dc.baseDn}`;
    await admin.add(dn, {
      objectClass: ['top', 'msDS-PasswordSettings'],
      'msDS-PasswordSettingsPrecedence': String(settings.precedence),
      'msDS-PasswordReversibleEncryptionEnabled': 'FALSE',
      'msDS-PasswordHistoryLength': String(settings.history),
      'msDS-PasswordComplexityEnabled': 'TRUE',
      'msDS-MinimumPasswordLength': String(settings.minLength),
      'msDS-MinimumPasswordAge': '0',
      'msDS-MaximumPasswordAge': days(90),
      'msDS-LockoutThreshold': '3',
      'msDS-LockoutObservationWindow': String(-BigInt(30 * 60) * 10_000_000n),
      'msDS-LockoutDuration': String(-BigInt(30 * 60) * 10_000_000n),
      'msDS-PSOAppliesTo': settings.appliesTo,
    });
    psos.push(dn);
  };

  before(async () => {
    dc = await useSambaDc();
    ad = sambaLdap(dc, { logger: logger });
    ({ admin, ou } = await createTestOu(dc, `pso-${suffix}`));
    strict = await makeUser('Strict', 'megan.bowen@contosodental.example');
    grouped = await makeUser('Grouped');
    plain = await makeUser('Plain');
    const groupDn = `CN=Executives ${suffix},${ou}`;
    await admin.add(groupDn, { objectClass: ['top', 'group'], sAMAccountName: `Executives${suffix}` });
    const [executives] = await ad.searchGroups(`Executives ${suffix}`);
    await ad.addGroupMember(executives!.id, grouped.id);
    await addPso(`Strict ${suffix}`, { precedence: 10, minLength: 14, history: 12, appliesTo: strict.dn });
    await addPso(`Executives ${suffix}`, { precedence: 20, minLength: 10, history: 5, appliesTo: groupDn });
  });

  after(async () => {
    await ad?.close();
    if (admin) {
      for (const dn of psos) await admin.del(dn).catch(() => undefined);
      await deleteOu(admin, ou);
      await admin.unbind();
    }
  });

  test('the policy that applies to each user: a PSO on the user, a PSO through a group, else the domain’s', async () => {
    assert.deepEqual(await ad.resultantPasswordPolicy(strict.id), {
      name: `Strict ${suffix}`,
      dn: psos[0],
      minLength: 14,
      complexity: true,
      historyLength: 12,
      maxAgeDays: 90,
      lockoutThreshold: 3,
    });
    assert.equal((await ad.resultantPasswordPolicy(grouped.id))?.minLength, 10, 'applied through a group');
    assert.equal(await ad.resultantPasswordPolicy(plain.id), null, 'no PSO: the domain’s policy');

    const client = createActiveDirectoryClient(ad, { now: () => Date.now() });
    const forStrict = await client.passwordPolicy(strict.id);
    assert.equal(forStrict.minLength, 14);
    assert.equal(forStrict.historyLength, 12);
    assert.equal(forStrict.source, `the Strict ${suffix} password policy of the test.lan domain`);
    const domain = await client.passwordPolicy();
    assert.equal(domain.source, 'the test.lan domain');
    assert.equal(domain.minLength, 7);
    assert.equal((await client.passwordPolicy(plain.id)).minLength, 7);

    // The PSO is what AD enforces: 12 characters are refused for her, accepted for the others.
    await assert.rejects(ad.resetPassword(strict.id, { password: 'Twelve-Ch4r!', mustChange: false, unlock: false }), (error: Error) =>
      /shorter than the domain’s minimum length|password policy/.test(error.message),
    );
    await ad.resetPassword(plain.id, { password: 'Twelve-Ch4r!', mustChange: false, unlock: false });
    assert.equal(await bindAs(dc, plain.upn, 'Twelve-Ch4r!'), 'ok');
  });

  for (const connection of ['direct', 'agent'] as const)
    for (const database of TEST_DATABASES) {
      test(`the password reset form shows and checks the user’s own policy (${connection}, ${database.name})`, {
        skip: database.skip,
      }, async () => {
        const store = await database.open();
        const toolbox = await createTestToolbox({
          store,
          ...(connection === 'agent' ? { agentHub: TEST_AGENT_HUB } : {}),
          directoryConnectors: { 'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) },
          config: {
            directories: [
              sambaDirectory(dc, {
                id: 'contoso-ad',
                name: 'Contoso AD',
                baseDn: ou,
                psaCompanyIds: ['250'],
                connection,
                agentToken: AGENT_TOKEN,
              }),
              ...demoDirectoriesWithout('250'),
            ],
          },
        });
        // Over the agent, the fine-grained policy is read next to the DC and crosses the link.
        const agent =
          connection === 'agent' ? startTestAgent({ toolbox, dc, token: AGENT_TOKEN, baseDn: ou, name: 'contoso-dc1', logger }) : undefined;
        try {
          if (agent) await untilAgentConnected(toolbox, 'contoso-ad');
          const tech = await toolbox.signIn(DEMO_SIGN_IN);
          const { path, status, html } = await toolbox.openScreenPop(
            'ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset',
            tech.cookie,
          );
          assert.equal(status, 200, html.slice(0, 400));
          const page = decode(html);
          assert.match(page, /Use 14 to 256 characters with at least three of/, `the PSO’s rules: ${/Use [^<]*/.exec(page)?.[0]}`);
          assert.match(page, /last 12 passwords/);
          const tooShort = await toolbox.request(path, {
            cookie: tech.cookie,
            form: { _csrf: tech.csrf, user_id: strict.id, password_mode: 'typed', password: 'Twelve-Ch4r!' },
          });
          assert.equal(tooShort.status, 422);
          assert.match(
            decode(await tooShort.text()),
            new RegExp(`12 characters; the Strict ${suffix} password policy of the test\\.lan domain needs 14 to 256`),
          );
        } finally {
          await agent?.stop();
          await toolbox.close();
          await store.drop();
        }
      });
    }
});
