import type { DirectoryUser, OnPremisesMatchRule } from '../../connectors/directory/types.js';
import { type DirectoryUserFacts, directoryUserFacts } from '../../forms/directory-user-facts.js';

/** How the hybrid directory found the AD account behind a synced user, for the technician to judge the match. */
const MATCH_RULE_WORDS: Record<OnPremisesMatchRule, string> = {
  immutableId: 'its source anchor (objectGUID)',
  securityIdentifier: 'its SID',
  samAccountName: 'its pre-Windows 2000 name',
  userPrincipalName: 'its on-premises UPN',
};

/** Where the account lives, as the card says it. */
const SOURCE_WORDS: Record<DirectoryUserFacts['source'], string> = {
  synced: 'synchronised from on-premises AD',
  'on-premises': 'on-premises AD account',
  'cloud-only': 'cloud-only',
};

/**
 * A directory user as the launch page shows it: as one choice among look-alikes (`choice`, a link
 * that picks the user) or as the selected user's summary (`summary`). Both name what tells
 * accounts apart: title, department, enabled or disabled, cloud-only or synced, last sign-in.
 */
export function DirectoryUserCard(
  props: { user: DirectoryUser; layout: 'summary' } | { user: DirectoryUser; layout: 'choice'; href: string },
) {
  const { user } = props;
  const facts = directoryUserFacts(user);
  if (props.layout === 'choice') {
    return (
      <a href={props.href} class="choice-link user-choice">
        <strong>{user.displayName}</strong> <code>{user.userPrincipalName}</code>
        <span class="user-facts">
          {facts.role.length > 0 ? <span>{facts.role.join(' · ')}</span> : null}
          <span class={facts.state === 'disabled' ? 'badge badge-bad' : 'badge'}>{facts.state}</span>
          <span class="badge">{SOURCE_WORDS[facts.source]}</span>
          {facts.lastSignIn ? <span class="muted">last sign-in {facts.lastSignIn}</span> : null}
        </span>
      </a>
    );
  }
  return (
    <dl class="user">
      <dt>Name</dt>
      <dd>{user.displayName}</dd>
      <dt>Sign-in name</dt>
      <dd>
        <code>{user.userPrincipalName}</code>
      </dd>
      {user.jobTitle ? (
        <>
          <dt>Title</dt>
          <dd>{user.jobTitle}</dd>
        </>
      ) : null}
      {user.department ? (
        <>
          <dt>Department</dt>
          <dd>{user.department}</dd>
        </>
      ) : null}
      <dt>Account</dt>
      <dd>
        {facts.state}
        {` · ${SOURCE_WORDS[facts.source]}`}
      </dd>
      {user.onPremisesAccount ? (
        <>
          <dt>On-premises account</dt>
          <dd>
            <code>{user.onPremisesAccount.userPrincipalName}</code>
            {user.onPremisesAccount.path ? ` in ${user.onPremisesAccount.path}` : ''} ({user.onPremisesAccount.directoryName},{' '}
            {user.onPremisesAccount.accountEnabled ? 'enabled' : 'disabled'}
            {user.onPremisesSyncEnabled ? `, matched by ${MATCH_RULE_WORDS[user.onPremisesAccount.matchedBy]}` : ''})
          </dd>
        </>
      ) : null}
      {facts.lastSignIn ? (
        <>
          <dt>Last sign-in</dt>
          <dd>{facts.lastSignIn}</dd>
        </>
      ) : null}
    </dl>
  );
}
