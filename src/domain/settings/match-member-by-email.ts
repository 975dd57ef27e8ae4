import type { StoredPsaMember } from './psa-members-document.js';

export type EmailMatch = { member: StoredPsaMember; reason: null } | { member: null; reason: string };

const normalise = (email: string) => email.trim().toLowerCase();

/**
 * The PSA member a user's e-mail matches (ignoring case), or why none does, in words an admin can
 * act on. Inactive members and e-mails two active members share are never matched, so a guess
 * never attributes notes to the wrong person.
 */
export function matchMemberByEmail(email: string, members: StoredPsaMember[]): EmailMatch {
  const wanted = normalise(email);
  const same = members.filter((member) => member.email && normalise(member.email) === wanted);
  const active = same.filter((member) => !member.inactive);
  if (active.length === 1) return { member: active[0]!, reason: null };
  if (active.length > 1) {
    return {
      member: null,
      reason: `${active.length} active PSA members share ${email} (${active.map((member) => member.identifier).join(', ')}): choose one.`,
    };
  }
  if (same.length > 0) {
    return { member: null, reason: `The PSA member with ${email} (${same[0]!.name}) is inactive.` };
  }
  const withoutEmail = members.filter((member) => !member.email).length;
  const missing =
    withoutEmail === members.length
      ? ' None of the pulled members has an e-mail address in the PSA.'
      : withoutEmail > 0
        ? ` ${withoutEmail} of ${members.length} pulled members have no e-mail address in the PSA.`
        : '';
  return { member: null, reason: `No PSA member has the e-mail ${email}.${missing} Choose the member by hand.` };
}
