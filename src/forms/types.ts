import type { Child } from 'hono/jsx';
import type { z } from 'zod';
import type { DirectoryCapability, DirectoryClient, DirectoryUser } from '../connectors/directory/types.js';

/**
 * The form port: the fields a technician fills in for one workflow, how they are checked, and
 * how they render. A form is one folder plus one line in `index.ts`; its workflow has the same
 * name in `workflows/`.
 */
export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

export type ParsedForm<I> =
  | {
      ok: true;
      input: I;
      /** A one-time secret to hand to the workflow (a new password); sealed at rest. */
      secret: string | null;
      /**
       * What the technician is shown once after the run, by name ("New password", "Temporary
       * Access Pass"): the secret above, or one a step creates. Null: nothing to show.
       */
      reveal: { label: string } | null;
      /** Run later, at this instant (ms since epoch), instead of now; the job survives restarts. */
      runAt?: number;
      /** Who the execution is about, when that is not an existing user (a user to be created). */
      targetDisplay?: string;
    }
  | { ok: false; errors: FieldErrors };

/** Live data a form loaded from the directory, or why it could not: shown in the field, not as a broken page. */
export type FormData = { ok: true; value: unknown } | { ok: false; message: string } | null;

/** One choice in a live list (groups, users): what the technician sees and ticks. */
export type OptionItem = {
  value: string;
  label: string;
  detail?: string;
  badges: string[];
  /** Shown but not selectable, with the reason (a dynamic or synced group). */
  disabledReason?: string;
};

/** What a live option list is for, beyond the typed query (from the page's query string). */
export type OptionContext = { userId?: string };

export type FormFieldsProps = {
  values: FormValues;
  errors: FieldErrors;
  target: DirectoryUser;
  data: FormData;
};

/**
 * The `target` a form that creates its user is given when the contact matches no account: the form
 * then works without one (the contact's account, when matched, is passed instead, e.g. to offer as
 * the manager).
 */
export const NO_TARGET_USER: DirectoryUser = {
  id: '',
  userPrincipalName: '',
  displayName: '',
  accountEnabled: false,
  onPremisesSyncEnabled: false,
};

/**
 * What a run will change, in plain words, shown before it runs ("Remove 1 sign-in method:
 * Authenticator app code (OATH)"). Read from the directory as it is now, so counts are real.
 */
export type ChangeReview = {
  /** One line per change, in the order the workflow makes them, with counts and names. */
  changes: string[];
  /** When it runs, if not at once, in the zone the technician chose (and UTC). */
  when?: string | undefined;
  /** The confirm button's words: the action and the person ("Offboard Megan Bowen"). */
  action: string;
};

export type ReviewContext<I> = {
  input: I;
  /** The user the run acts on (NO_TARGET_USER for a user still to be created). */
  target: DirectoryUser;
  data: FormData;
  directory: DirectoryClient;
};

export type FormDefinition<I> = {
  name: string;
  /** True for a form that creates the user it acts on (onboarding): it needs no existing account. */
  createsUser?: boolean;
  label: string;
  /** One sentence under the title. */
  description: string;
  /**
   * What the form needs the customer's directory to allow; the forms catalogue shows, per
   * directory, whether its last systems check says it is in place. `partial`: only part of the
   * form needs it (a failure is worth knowing, not blocking).
   */
  needs: { capability: DirectoryCapability; partial?: string }[];
  /**
   * Per-customer defaults an admin may set for this form (`directories[].formDefaults.<form>` in the
   * configuration): validated with this schema at start, so a typo is reported by name.
   */
  defaultsSchema?: z.ZodType<unknown>;
  /** What the fields hold when the form first renders, with the customer's defaults applied. */
  defaults(custom?: unknown): FormValues;
  /**
   * Live data the fields need from the directory, such as the user's registered MFA methods. Loaded
   * when the form renders and again when it is submitted (so the choice is checked against what is
   * there now).
   */
  load?(context: { directory: DirectoryClient; target: DirectoryUser; defaults?: unknown }): Promise<unknown>;
  /**
   * Live option lists the form's search boxes fill in without a page reload, by name; the page
   * fetches `/launches/{id}/options/{name}?q=…`. Each answers from the directory, bounded.
   * `context.userId` (the page's `user=` parameter) is the user the list is for, so a source can
   * mark what they already have (a group they are in).
   */
  optionSources?: Record<string, (directory: DirectoryClient, query: string, context?: OptionContext) => Promise<OptionItem[]>>;
  /**
   * Live previews the page refreshes as the technician types, by name: the page fetches
   * `/launches/{id}/previews/{name}?<the fields named in the container's data-preview-fields>` and
   * swaps the fragment in. Built by the same code `parse` uses, so what is previewed is what runs.
   */
  previews?: Record<string, (context: { directory: DirectoryClient; fields: FormValues }) => Promise<Child>>;
  /**
   * Checks a parsed input against the directory where `parse` cannot (a username already taken), on
   * submit, before anything is recorded: errors are shown next to the fields, like parse's.
   */
  verify?(context: { directory: DirectoryClient; input: I }): Promise<FieldErrors>;
  /**
   * The submit button's words for the current values, naming what the form will do ("Change the
   * groups of Megan Bowen"); without it the page says the form's label and the user.
   */
  submitLabel?(values: FormValues, target: DirectoryUser): Child;
  /**
   * For "run again with the same inputs": the one-time secret made anew (a generated password is
   * generated again), or why it cannot be (a typed one was never stored). Forms without a secret
   * leave it out. `user` names whom the secret is for, so a password avoids their names.
   */
  renewSecret?(
    input: I,
    user: { userPrincipalName: string; displayName: string },
  ): { ok: true; secret: string | null } | { ok: false; message: string };
  /**
   * What this input will change, for the review shown before a run (and before "Run again").
   * Reads the directory where a count or a name needs it; throws a ToolboxError when it cannot.
   */
  review(context: ReviewContext<I>): Promise<ChangeReview>;
  /**
   * Whether the technician must see the review and confirm before this input runs. Forms whose
   * submit button already names the exact action and person (a password reset) run at once; a
   * form that removes things reviews first.
   */
  reviewFirst(input: I): boolean;
  /** Reads submitted fields (already as strings; unchecked boxes are absent). */
  parse(fields: FormValues, target: DirectoryUser, data: FormData): ParsedForm<I>;
  /** The form's own fields; the page around them (ticket, user, submit) is shared. */
  Fields(props: FormFieldsProps): Child;
};
