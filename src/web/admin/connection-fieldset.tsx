import type { ConnectionField } from '../../connectors/connection-fields.js';
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
};

function FieldInput(props: { field: ConnectionField; value: string; isSet: boolean; problem: string | undefined; id: string }) {
  const { field, id } = props;
  const describedBy = [field.help ? `${id}-help` : '', props.problem ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{field.label}</label>
      {field.type === 'multiline' ? (
        // Secrets are never written back into the text area: an empty one keeps the stored value.
        <textarea
          id={id}
          name={`${field.secret ? 'secrets' : 'fields'}.${field.name}`}
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
          name={`secrets.${field.name}`}
          type="password"
          autocomplete="new-password"
          placeholder={props.isSet ? 'Stored. Leave empty to keep it.' : ''}
          aria-describedby={describedBy}
          aria-invalid={props.problem ? 'true' : undefined}
        />
      ) : (
        <input
          id={id}
          name={`fields.${field.name}`}
          type={field.type === 'number' ? 'number' : field.type === 'url' ? 'url' : 'text'}
          value={props.value}
          placeholder={field.placeholder ?? ''}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={describedBy}
          aria-invalid={props.problem ? 'true' : undefined}
        />
      )}
      {field.help ? (
        <p class="hint" id={`${id}-help`}>
          {field.help}
          {field.secret && props.isSet ? ' A value is stored; it is never shown again.' : ''}
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
  const problemFor = (field: ConnectionField) =>
    props.problems?.find((problem) => problem.path.replace(/^body\./, '') === `${field.secret ? 'secrets' : 'fields'}.${field.name}`)
      ?.message;
  const render = (field: ConnectionField) => (
    <FieldInput
      field={field}
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

/** The form's `fields.*` and `secrets.*` inputs as the API body's `fields` and `secrets`. */
export function connectionBodyFromForm(form: Record<string, string>): { fields: Record<string, string>; secrets: Record<string, string> } {
  const fields: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (name.startsWith('fields.')) fields[name.slice('fields.'.length)] = value;
    else if (name.startsWith('secrets.') && value !== '') secrets[name.slice('secrets.'.length)] = value;
  }
  return { fields, secrets };
}

/** A connection from the configuration file: what it says, secrets only as "set". */
export function ConnectionReadOnly(props: { fields: ConnectionField[]; values: Record<string, string | number>; secretsSet: string[] }) {
  return (
    <dl class="settings">
      {props.fields.map((field) => (
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
            ) : (
              <code>{String(props.values[field.name])}</code>
            )}
          </dd>
        </>
      ))}
    </dl>
  );
}
