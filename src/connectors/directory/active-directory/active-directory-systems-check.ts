import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type { ActiveDirectoryLdap } from './active-directory-ldap.js';

/** The check's line names: the connector's capability proofs refer to them. */
export const AD_CHECK = {
  connection: 'Connection to the domain controller',
  policy: 'Password policy',
  writeUsers: 'Write users (enable, disable, unlock, must-change)',
  resetPasswords: 'Reset passwords',
  groups: 'Change group membership',
  createUsers: 'Create and move users',
} as const;

/** Every line of the check, in order. */
export const AD_CHECK_LINES: string[] = Object.values(AD_CHECK);

const RIGHTS_HINT =
  'Delegate the right to the toolbox’s account on the customers’ users OU (Active Directory Users and Computers → the OU → Delegate Control); docs/active-directory.md lists each right.';

/**
 * The systems check of one AD connection, line by line, without changing anything: the bind and
 * the base DN, the domain's password policy, and the service account's rights as AD itself
 * computes them for it (allowedAttributesEffective / allowedChildClassesEffective on a user, a
 * group and the users container). A password reset is an extended right that AD does not report
 * that way, so that line says it cannot be verified without resetting someone's password.
 */
export async function checkActiveDirectory(ad: ActiveDirectoryLdap): Promise<SystemsCheckResult[]> {
  const lines: SystemsCheckResult[] = [];
  const failed = (name: string, error: unknown, hint?: string): SystemsCheckResult => ({
    name,
    ok: false,
    message: isToolboxError(error)
      ? error.message
      : 'The domain controller answered something unexpected; the details are in the service log.',
    ...(hint ? { hint } : {}),
    ...(isToolboxError(error) && error.upstream?.code ? { upstreamCode: error.upstream.code } : {}),
  });

  let base: { dn: string };
  try {
    base = await ad.readBase();
    lines.push({
      name: AD_CHECK.connection,
      ok: true,
      message: `Signed in to ${ad.host} over an encrypted connection and read ${base.dn}.`,
    });
  } catch (error) {
    lines.push(failed(AD_CHECK.connection, error, 'Check the URL (the DC’s DNS name), the account and password, and caCertificate.'));
    for (const name of [AD_CHECK.policy, AD_CHECK.writeUsers, AD_CHECK.resetPasswords, AD_CHECK.groups, AD_CHECK.createUsers]) {
      lines.push({ name, ok: false, outcome: 'not-run', message: 'Not run: the connection failed.' });
    }
    return lines;
  }

  try {
    const policy = await ad.readPasswordPolicy();
    lines.push({
      name: AD_CHECK.policy,
      ok: true,
      message: `At least ${policy.minLength} characters, complexity ${policy.complexity ? 'on' : 'off'}, the last ${policy.historyLength} passwords refused; new passwords are checked against it before they are sent.`,
    });
  } catch (error) {
    lines.push(failed(AD_CHECK.policy, error, 'The account must be able to read the domain object (Authenticated Users can by default).'));
  }

  const sample = await ad.sampleObjects().catch(() => ({ user: null, group: null }));
  const rightsLine = async (
    name: string,
    dn: string | undefined,
    what: string,
    holds: (rights: { attributes: Set<string>; childClasses: Set<string> }) => boolean,
  ) => {
    if (!dn) {
      lines.push({ name, ok: false, outcome: 'unverified', message: `No ${what} under ${base.dn} to read the rights on.` });
      return;
    }
    try {
      const rights = await ad.effectiveRights(dn);
      lines.push(
        holds(rights)
          ? { name, ok: true, message: `The account may do this on ${dn}.` }
          : { name, ok: false, message: `The account may not do this on ${dn}.`, hint: RIGHTS_HINT },
      );
    } catch (error) {
      lines.push(failed(name, error, RIGHTS_HINT));
    }
  };
  await rightsLine(AD_CHECK.writeUsers, sample.user?.dn, 'user', ({ attributes }) =>
    ['useraccountcontrol', 'pwdlastset', 'lockouttime'].every((name) => attributes.has(name)),
  );
  lines.push({
    name: AD_CHECK.resetPasswords,
    ok: false,
    outcome: 'unverified',
    message:
      'Resetting a password is an extended right (Reset Password) that AD does not report without resetting one; the first reset shows whether it is delegated.',
  });
  await rightsLine(AD_CHECK.groups, sample.group?.dn, 'group', ({ attributes }) => attributes.has('member'));
  await rightsLine(AD_CHECK.createUsers, ad.defaultUserContainer, 'container', ({ childClasses }) => childClasses.has('user'));
  return lines;
}
