import type { Child } from 'hono/jsx';
import type { z } from 'zod';
import type { DirectoryCapability, DirectoryClient, DirectoryUser, PasswordPolicy } from '../connectors/directory/types.js';
import type { Workflow } from '../workflows/types.js';
import type { FormOffer } from './form-offer.js';

/**
 * The form port: the fields a technician fills in for one workflow, how they are checked, and
 * how they render. A form is defined once, as a `ToolboxForm` (name, label, input schema, form,
 * workflow; the capabilities it needs come from its workflow's steps), in one folder plus one line
 * in `index.ts`; every list of forms (the console, the catalogue, the screen-pop URLs, the
 * configuration's checks) derives from that registry.
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

/**
 * What a form knows of the customer's directory when it renders and parses: which of its
 * workflow's steps run there (a step the directory cannot do is not offered), and the directory's
 * password rules.
 */
export type FormDirectory = {
  /** The directory's name, as the console shows it ("Contoso Dental"). */
  name: string;
  offer: FormOffer;
  /** The directory's password policy, for the user the form is for when there is one. */
  passwordPolicy: PasswordPolicy;
};

export type FormFieldsProps = {
  values: FormValues;
  errors: FieldErrors;
  target: DirectoryUser;
  data: FormData;
  directory: FormDirectory;
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
  /** True for a form that creates the user it acts on (onboarding): it needs no existing account. */
  createsUser?: boolean;
  /** The page's heading ("Password reset"). */
  label: string;
  /** One sentence under the title. */
  description: string;
  /**
   * What the form itself calls beyond its workflow's steps (its `load`, option lists, previews),
   * which it cannot do without: a directory lacking one is not offered the form. What the steps
   * need they declare themselves (`WorkflowStep.needs`).
   */
  needs?: DirectoryCapability[];
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
    passwordPolicy: PasswordPolicy,
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
  /**
   * Reads submitted fields (already as strings; unchecked boxes are absent). A choice whose step the
   * directory does not offer is read as not chosen, whatever was sent.
   */
  parse(fields: FormValues, target: DirectoryUser, data: FormData, directory: FormDirectory): ParsedForm<I>;
  /** The form's own fields; the page around them (ticket, user, submit) is shared. */
  Fields(props: FormFieldsProps): Child;
};

/**
 * One form, defined once: everything the toolbox needs to list it, enable it, open it from a
 * screen pop and run it. Register it in `index.ts`.
 */
export type ToolboxForm<I> = {
  /** The name 1Stream's screen-pop URL carries (`form_name=…`): stable, lower case with underscores. */
  name: string;
  /** What lists call it, in 1Stream's words ("Password Reset"): the console, the screen-pop URLs, the start page. */
  label: string;
  /** The workflow's input: what `form.parse` makes, stored with the execution, checked again before a re-run. */
  input: z.ZodType<I>;
  form: FormDefinition<I>;
  workflow: Workflow<I>;
};

/** A form as the registry holds it, whatever its input type. */
export type RegisteredForm = {
  name: string;
  label: string;
  input: z.ZodType<unknown>;
  form: FormDefinition<unknown>;
  workflow: Workflow<never>;
};

/** Forgets a form's input type so forms of every input sit in one registry (the input schema still checks it). */
export const registerable = <I>(form: ToolboxForm<I>): RegisteredForm => form as unknown as RegisteredForm;
