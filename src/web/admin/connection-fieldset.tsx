import { type ConnectionField, connectionFieldShown } from '../../connectors/connection-fields.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';

export type ConnectionFieldsetProps = {
  fields: ConnectionField[];
  /** Values to show (non-secret only: a secret is never rendered back). */
  values: Record<string, string | number>;
  /** Secrets that already hold a value: their inputs say "stored; leave empty to keep". */
  secretsSet: string[];
  problems?: FieldProblem[];
  /** Prefix of input ids, when a page has more than one fieldset. */
  idPrefix?: string;
  /**
   * Prefix of input names, when one form holds the fieldsets of several connectors (the PSA page
   * has one per kind): `<prefix>fields.<name>`. {@link connectionBodyFromForm} takes the same one.
   */
  namePrefix?: string;
};

/** "Used only when Hosting is Hosted by Halo": the condition in the field's help, for reading without script. */
function conditionText(field: ConnectionField, fields: ConnectionField[]): string {
  if (!field.showWhen) return '';
  const other = fields.find((candidate) => candidate.name === field.showWhen?.field);
  const label = other?.label ?? field.showWhen.field;
  const values = field.showWhen.values?.map((value) => other?.options?.find((option) => option.value === value)?.label ?? value);
  return values ? ` Used only when ${label} is ${values.join(' or ')}.` : ` Used only when ${label} is filled in.`;
}

function FieldInput(props: {
  field: ConnectionField;
  fields: ConnectionField[];
  value: string;
  isSet: boolean;
  problem: string | undefined;
  id: string;
  namePrefix: string;
}) {
  const { field, id, namePrefix } = props;
  const name = `${namePrefix}${field.secret ? 'secrets' : 'fields'}.${field.name}`;
  const condition = conditionText(field, props.fields);
  const describedBy =
    [field.help || condition ? `${id}-help` : '', props.problem ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div
      class="field"
      // app.js hides the field while the condition does not hold (and disables it, so it is not sent).
      data-show-when-field={field.showWhen ? `${namePrefix}fields.${field.showWhen.field}` : undefined}
      data-show-when-values={field.showWhen?.values ? JSON.stringify(field.showWhen.values) : undefined}
    >
      <label for={id}>{field.label}</label>
      {field.type === 'select' ? (
        <select id={id} name={name} aria-describedby={describedBy} aria-invalid={props.problem ? 'true' : undefined}>
          <option value="">Choose…</option>
          {(field.options ?? []).map((option) => (
            <option value={option.value} selected={option.value === props.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : field.type === 'multiline' ? (
        // Secrets are never written back into the text area: an empty one keeps the stored value.
        <textarea
          id={id}
          name={name}
          rows={4}
          autocomplete="off"
          spellcheck={false}
          placeholder={field.secret && props.isSet ? 'Stored. Leave empty to keep it.' : (field.placeholder ?? '')}
          aria-describedby={describedBy}
          aria-invalid={props.problem ? 'true' : undefined}
        >
          {field.secret ? '' : props.value}
        </textarea>
      ) : field.secret ? (
        <input
          id={id}
          name={name}
          type="password"
          autocomplete="new-password"
          placeholder={props.isSet ? 'Stored. Leave empty to keep it.' : ''}
          aria-describedby={describedBy}
          aria-invalid={props.problem ? 'true' : undefined}
        />
      ) : (
        <input
          id={id}
          name={name}
          type={field.type === 'number' ? 'number' : field.type === 'url' ? 'url' : 'text'}
          value={props.value}
          placeholder={field.placeholder ?? ''}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={describedBy}
          aria-invalid={props.problem ? 'true' : undefined}
        />
      )}
      {field.help || condition ? (
        <p class="hint" id={`${id}-help`}>
          {field.help}
          {field.secret && props.isSet ? ' A value is stored; it is never shown again.' : ''}
          {condition}
        </p>
      ) : null}
      {props.problem ? (
        <p class="error" id={`${id}-error`}>
          {props.problem}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A connector's settings as form inputs, from its field list: secrets as write-only password
 * inputs, advanced settings folded away. Input names are `fields.<name>` and `secrets.<name>`,
 * which {@link connectionBodyFromForm} turns back into the API's body.
 */
export function ConnectionFieldset(props: ConnectionFieldsetProps) {
  const prefix = props.idPrefix ?? 'conn';
  const namePrefix = props.namePrefix ?? '';
  const problemFor = (field: ConnectionField) =>
    props.problems?.find((problem) => problem.path.replace(/^body\./, '') === `${field.secret ? 'secrets' : 'fields'}.${field.name}`)
      ?.message;
  const render = (field: ConnectionField) => (
    <FieldInput
      field={field}
      fields={props.fields}
      namePrefix={namePrefix}
      id={`${prefix}-${field.name}`}
      value={props.values[field.name] === undefined ? '' : String(props.values[field.name])}
      isSet={props.secretsSet.includes(field.name)}
      problem={problemFor(field)}
    />
  );
  const basic = props.fields.filter((field) => !field.advanced);
  const advanced = props.fields.filter((field) => field.advanced);
  const advancedOpen = advanced.some((field) => problemFor(field) !== undefined || props.values[field.name] !== undefined);
  return (
    <>
      {basic.map(render)}
      {advanced.length > 0 ? (
        <details class="advanced" open={advancedOpen}>
          <summary>Advanced settings</summary>
          {advanced.map(render)}
        </details>
      ) : null}
    </>
  );
}

/**
 * The form's `fields.*` and `secrets.*` inputs (after `namePrefix`, as the fieldset named them) as
 * the API body's `fields` and `secrets`; inputs of other prefixes are not this connection's.
 */
export function connectionBodyFromForm(
  form: Record<string, string>,
  namePrefix = '',
): { fields: Record<string, string>; secrets: Record<string, string> } {
  const fields: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [fullName, value] of Object.entries(form)) {
    if (!fullName.startsWith(namePrefix)) continue;
    const name = fullName.slice(namePrefix.length);
    if (name.startsWith('fields.')) fields[name.slice('fields.'.length)] = value;
    else if (name.startsWith('secrets.') && value !== '') secrets[name.slice('secrets.'.length)] = value;
  }
  return { fields, secrets };
}

/** A connection from the configuration file: what it says, secrets only as "set". */
export function ConnectionReadOnly(props: { fields: ConnectionField[]; values: Record<string, string | number>; secretsSet: string[] }) {
  return (
    <dl class="settings">
      {props.fields
        .filter((field) => connectionFieldShown(field, props.values))
        .map((field) => (
          <>
            <dt>{field.label}</dt>
            <dd>
              {field.secret ? (
                props.secretsSet.includes(field.name) ? (
                  'set (not shown)'
                ) : (
                  'not set'
                )
              ) : props.values[field.name] === undefined ? (
                <span class="muted">default</span>
              ) : field.type === 'select' ? (
                (field.options?.find((option) => option.value === String(props.values[field.name]))?.label ??
                String(props.values[field.name]))
              ) : (
                <code>{String(props.values[field.name])}</code>
              )}
            </dd>
          </>
        ))}
    </dl>
  );
}
