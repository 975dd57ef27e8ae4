import type { Child } from 'hono/jsx';
import type { DirectoryUser } from '../connectors/directory/types.js';

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
      /** A one-time secret to hand to the workflow (a new password); sealed at rest, shown once. */
      secret: string | null;
      /** Whether the secret should be shown to the technician after the run. */
      revealSecret: boolean;
    }
  | { ok: false; errors: FieldErrors };

export type FormFieldsProps = {
  values: FormValues;
  errors: FieldErrors;
  target: DirectoryUser;
};

export type FormDefinition<I> = {
  name: string;
  label: string;
  /** One sentence under the title. */
  description: string;
  /** What the fields hold when the form first renders. */
  defaults(): FormValues;
  /** Reads submitted fields (already as strings; unchecked boxes are absent). */
  parse(fields: FormValues, target: DirectoryUser): ParsedForm<I>;
  /** The form's own fields; the page around them (ticket, user, submit) is shared. */
  Fields(props: FormFieldsProps): Child;
};
