import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import { isOutcomeUnknown, isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import { untilSynced } from '../shared/until-synced.js';
import type { StepContext, Workflow } from '../types.js';

/** What the onboarding runs with (its form's `parse` makes it; stored with the execution). */
export const userOnboardingInput = z.object({
  givenName: z.string(),
  surname: z.string(),
  displayName: z.string(),
  userPrincipalName: z.string(),
  /** Two-letter country code, for a directory with licences (they need it); absent elsewhere (AD). */
  usageLocation: z.string().optional(),
  jobTitle: z.string().optional(),
  department: z.string().optional(),
  officeLocation: z.string().optional(),
  mobilePhone: z.string().optional(),
  businessPhone: z.string().optional(),
  mustChange: z.boolean(),
  passwordMode: z.enum(['generated', 'passphrase', 'typed']),
  skuIds: z.array(z.string()),
  groupIds: z.array(z.string()),
  managerId: z.string().nullable(),
  copyFrom: z.object({ userId: z.string(), groups: z.boolean(), attributes: z.boolean() }).nullable(),
  scheduledFor: z.object({ at: z.string(), timeZone: z.string() }).nullable(),
  /**
   * Where to create the user, for a directory with containers (an AD OU, by its DN, with the path
   * the form showed for the note); null: the directory's default place for new users.
   */
  container: z.object({ id: z.string(), path: z.string() }).nullable().default(null),
});
export type UserOnboardingInput = z.infer<typeof userOnboardingInput>;

type Context = StepContext<UserOnboardingInput>;

/**
 * The new user's id. Kept in the step facts, and found again by UPN when the job is retried after
 * a crash (facts live in memory; the user lives in the directory).
 */
async function newUserId(context: Context): Promise<string> {
  const known = context.facts.userId;
  if (typeof known === 'string') return known;
  const [user] = await context.directory.findUsersByUpn(context.input.userPrincipalName);
  if (!user)
    throw new ToolboxError({ code: 'TBX_ERR_ONBOARDING_NO_USER', message: 'The new user was not created, so this step could not run.' });
  context.facts.userId = user.id;
  return user.id;
}

const MAILBOX_WAIT = { tries: 8, delayMs: 15_000 };

/** "Jane Doe (jane.doe@contoso.example) created in Staff / Sales, usage location US." */
function createdMessage(user: { displayName: string; userPrincipalName: string }, input: UserOnboardingInput): string {
  const where = input.container ? ` in ${input.container.path || input.container.id}` : '';
  const location = input.usageLocation ? `, usage location ${input.usageLocation}` : '';
  return `${user.displayName} (${user.userPrincipalName}) created${where}${location}.`;
}

/**
 * Onboarding in the order that works: check the name is free and the seats are there, create the
 * user (with the usage location, which licences need; in the chosen OU on AD, where the connector
 * creates it disabled, sets the password, then enables it), copy attributes, assign licences, set
 * the manager, add groups (Graph first; Exchange lists once the mailbox exists), and read it all
 * back. A directory without licences, a manager or profiles (AD) gets the rest.
 */
export const userOnboardingWorkflow: Workflow<UserOnboardingInput> = {
  title: 'User onboarding',
  secretStepKey: 'create-user',
  steps: [
    {
      key: 'check-name-and-seats',
      label: 'Check the username is free and licences are available',
      // Without licences (none chosen, or a directory without them: AD) there are no seats to count.
      labelFor: (input) =>
        input.skuIds.length > 0 ? 'Check the username is free and licences are available' : 'Check the username is free',
      kind: 'check',
      // The seats are counted only when licences were chosen, which only a directory with licences offers.
      needs: [],
      stopOnFailure: true,
      async run({ input, directory }) {
        const taken = await directory.findUsersByUpn(input.userPrincipalName);
        if (taken.length > 0) {
          throw new ToolboxError({
            code: 'TBX_ERR_DIRECTORY_UPN_TAKEN',
            message: `${input.userPrincipalName} is already taken by ${taken[0]?.displayName}. Choose another username.`,
          });
        }
        const skus = directory.licences ? await directory.licences.listSubscribedSkus() : [];
        const short = input.skuIds.map((id) => skus.find((s) => s.skuId === id)).filter((sku) => !sku || sku.available < 1);
        if (short.length > 0) {
          throw new ToolboxError({
            code: 'TBX_ERR_DIRECTORY_NO_FREE_SEATS',
            message: `No free seat for ${short.map((s) => s?.displayName ?? 'an unknown licence').join(', ')}: buy one or free one first.`,
          });
        }
        return {
          status: 'ok',
          message: `${input.userPrincipalName} is free${input.skuIds.length > 0 ? '; the licences have free seats' : ''}.`,
        };
      },
    },
    {
      key: 'create-user',
      label: 'Create the user',
      kind: 'change',
      needs: ['createUsers'],
      idempotency: 'check-then-act',
      stopOnFailure: true,
      async run(context) {
        const { input } = context;
        // Interrupted after the directory may have created it: look for the user first (the
        // check step found the name free, so a user with it now is this run's).
        if (context.interrupted) {
          const [existing] = await context.directory.findUsersByUpn(input.userPrincipalName);
          // A disabled one may be half-made (AD creates in steps: added disabled, password, enabled):
          // createUser below finishes it, or refuses the name if it is someone else's.
          if (existing?.accountEnabled) {
            context.facts.userId = existing.id;
            return { status: 'ok', message: createdMessage(existing, input) };
          }
        }
        if (!context.secret)
          throw new ToolboxError({ code: 'TBX_ERR_SECRET_GONE', message: 'The password was no longer available; submit the form again.' });
        const user = await context.directory.createUser({
          givenName: input.givenName,
          surname: input.surname,
          displayName: input.displayName,
          userPrincipalName: input.userPrincipalName,
          ...(input.usageLocation ? { usageLocation: input.usageLocation } : {}),
          ...(input.container ? { containerId: input.container.id } : {}),
          ...(input.jobTitle ? { jobTitle: input.jobTitle } : {}),
          ...(input.department ? { department: input.department } : {}),
          ...(input.officeLocation ? { officeLocation: input.officeLocation } : {}),
          ...(input.mobilePhone ? { mobilePhone: input.mobilePhone } : {}),
          ...(input.businessPhone ? { businessPhone: input.businessPhone } : {}),
          password: context.secret,
          forceChangeNextSignIn: input.mustChange,
        });
        context.facts.userId = user.id;
        return { status: 'ok', message: createdMessage(user, input) };
      },
    },
    {
      key: 'copy-attributes',
      label: 'Copy attributes from an existing user',
      kind: 'change',
      needs: ['profile'],
      optional: 'copying attributes from another user',
      idempotency: 'repeatable',
      stopOnFailure: false,
      run: (context) =>
        untilSynced(async () => {
          const { input } = context;
          if (!input.copyFrom?.attributes) return { status: 'skipped', message: 'Not requested.' };
          const profiles = requirePart(context.directory, 'profile');
          const profile = await profiles.getUserProfile(input.copyFrom.userId);
          // What was typed on the form wins over what is copied.
          const copied = {
            ...(profile.jobTitle && !input.jobTitle ? { jobTitle: profile.jobTitle } : {}),
            ...(profile.department && !input.department ? { department: profile.department } : {}),
            ...(profile.officeLocation && !input.officeLocation ? { officeLocation: profile.officeLocation } : {}),
            ...(profile.companyName ? { companyName: profile.companyName } : {}),
          };
          if (Object.keys(copied).length === 0) return { status: 'skipped', message: 'Nothing to copy that was not already typed.' };
          await profiles.updateUserProfile(await newUserId(context), copied);
          return {
            status: 'ok',
            message: `Copied: ${Object.entries(copied)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}.`,
          };
        }),
    },
    {
      key: 'assign-licences',
      label: 'Assign licences',
      kind: 'change',
      needs: ['licences'],
      optional: 'assigning licences',
      idempotency: 'repeatable',
      stopOnFailure: false,
      run: (context) =>
        untilSynced(async () => {
          const { input } = context;
          if (input.skuIds.length === 0) return { status: 'skipped', message: 'No licence chosen.' };
          const licences = requirePart(context.directory, 'licences');
          await licences.addLicenses(await newUserId(context), input.skuIds);
          const skus = await licences.listSubscribedSkus();
          return {
            status: 'ok',
            message: `Assigned: ${input.skuIds.map((id) => skus.find((s) => s.skuId === id)?.displayName ?? id).join(', ')}.`,
          };
        }),
    },
    {
      key: 'set-manager',
      label: 'Set the manager',
      kind: 'change',
      needs: ['manager'],
      optional: 'setting the manager',
      idempotency: 'repeatable',
      stopOnFailure: false,
      run: (context) =>
        untilSynced(async () => {
          const { input } = context;
          if (!input.managerId) return { status: 'skipped', message: 'No manager chosen.' };
          const manager = await context.directory.getUser(input.managerId);
          await requirePart(context.directory, 'manager').setManager(await newUserId(context), input.managerId);
          return { status: 'ok', message: `Manager: ${manager.displayName}.` };
        }),
    },
    {
      key: 'add-groups',
      label: 'Add to groups',
      kind: 'change',
      needs: ['groups'],
      idempotency: 'check-then-act',
      stopOnFailure: false,
      async run(context) {
        const { input, directory } = context;
        const ids = new Set(input.groupIds);
        if (input.copyFrom?.groups)
          for (const group of await directory.listUserGroups(input.copyFrom.userId)) if (group.refusal === undefined) ids.add(group.id);
        if (ids.size === 0) return { status: 'skipped', message: 'No groups chosen.' };
        const userId = await newUserId(context);
        const groups = await Promise.all([...ids].map((id) => directory.getGroup(id)));
        const added: string[] = [];
        const problems: string[] = [];
        const later: string[] = [];
        // Exchange-managed lists need the mailbox, which Exchange creates minutes after the licence.
        // A directory that has such groups but cannot show mailboxes adds them and lets it answer.
        const mailboxes = directory.mailbox;
        const needsMailbox = mailboxes !== undefined && groups.some((g) => g.needsMailbox);
        let mailbox = needsMailbox ? await mailboxes.getMailbox(userId) : null;
        for (let attempt = 1; needsMailbox && !mailbox && attempt < MAILBOX_WAIT.tries; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, MAILBOX_WAIT.delayMs));
          mailbox = await mailboxes.getMailbox(userId);
        }
        for (const group of groups) {
          if (group.refusal !== undefined) {
            problems.push(`${group.displayName}: ${group.refusal}`);
            continue;
          }
          if (group.needsMailbox && needsMailbox && !mailbox) {
            later.push(group.displayName);
            continue;
          }
          try {
            await directory.addGroupMember(group.id, userId);
            added.push(group.displayName);
          } catch (error) {
            // A lost answer is the engine's to resolve (the step runs again and reads the state), not a failed group.
            if (!isToolboxError(error) || isOutcomeUnknown(error)) throw error;
            problems.push(`${group.displayName}: ${error.message}`);
          }
        }
        const parts = [
          added.length > 0 ? `Added to: ${added.join('; ')}.` : '',
          later.length > 0
            ? `Not yet (the mailbox does not exist yet; add with the group membership form in a few minutes): ${later.join('; ')}.`
            : '',
        ].filter(Boolean);
        if (added.length > 0) context.markChanged();
        if (problems.length > 0)
          throw new ToolboxError({ code: 'TBX_ERR_GROUP_CHANGES_FAILED', message: `${parts.join(' ')} Failed: ${problems.join(' ')}` });
        return { status: later.length > 0 ? 'warning' : 'ok', message: parts.join(' '), changed: added.length > 0 };
      },
    },
    {
      key: 'verify',
      label: 'Check the new user',
      kind: 'check',
      // Reads back only what this directory has: a part it lacks had its steps left out.
      needs: [],
      stopOnFailure: false,
      async run(context) {
        const { input, directory } = context;
        const userId = await newUserId(context);
        const differences: string[] = [];
        const user = await directory.getUser(userId);
        if (!user.accountEnabled) differences.push('the account is disabled');
        if (input.container && user.container && user.container.id.toLowerCase() !== input.container.id.toLowerCase())
          differences.push(`it is in ${user.container.path || user.container.id}, not ${input.container.path || input.container.id}`);
        if (input.skuIds.length > 0 && directory.licences) {
          const licences = await directory.licences.listLicenses(userId);
          const missing = input.skuIds.filter((id) => !licences.some((l) => l.skuId === id));
          if (missing.length > 0) differences.push(`${missing.length} licence(s) missing`);
        }
        if (input.managerId && directory.manager && (await directory.manager.getManager(userId))?.id !== input.managerId)
          differences.push('the manager is not set');
        if (differences.length > 0) return { status: 'warning', message: `Read back differs: ${differences.join('; ')}.` };
        return { status: 'ok', message: `${user.displayName} (${user.userPrincipalName}) is ready.` };
      },
    },
  ],
};
