import { z } from 'zod';
import type { FieldProblem } from '../../lib/toolbox-error.js';

/**
 * The per-customer defaults editor, generated from each form's `defaultsSchema`: the same schema
 * that checks the configuration file's `formDefaults`, so the console offers exactly those
 * settings. Every input can be left at "the form's own default" (empty), which is not saved.
 * Yes/no settings are a choice of three, so "no" can be a customer's default too.
 */
type Property = { type?: string; enum?: string[]; items?: { type?: string }; description?: string };

export type DefaultsForm = { name: string; label: string; schema: z.ZodType<unknown> };

function propertiesOf(schema: z.ZodType<unknown>): [string, Property][] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Property> };
  return Object.entries(json.properties ?? {});
}

/** `passwordMode` → "Password mode". */
const humanize = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const inputName = (form: string, key: string) => `d.${form}.${key}`;

/** What the form shows for a stored value (arrays one per line). */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join('\n');
  return String(value);
}

/**
 * The submitted inputs as the API's `formDefaults` (only what was set), or as typed when they are
 * shown again after a refusal (`raw`).
 */
export function formDefaultsFromForm(forms: DefaultsForm[], fields: Record<string, string>): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const form of forms) {
    const values: Record<string, unknown> = {};
    for (const [key, property] of propertiesOf(form.schema)) {
      const raw = (fields[inputName(form.name, key)] ?? '').trim();
      if (raw === '') continue;
      if (property.type === 'boolean') values[key] = raw === 'true';
      else if (property.type === 'number' || property.type === 'integer') values[key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
      else if (property.type === 'array') {
        values[key] = raw
          .split(/\r?\n|,/)
          .map((item) => item.trim())
          .filter(Boolean);
      } else values[key] = raw;
    }
    if (Object.keys(values).length > 0) result[form.name] = values;
  }
  return result;
}

export function FormDefaultsFields(props: {
  form: DefaultsForm;
  /** The stored defaults, or what was submitted. */
  values: Record<string, unknown>;
  problems: FieldProblem[] | undefined;
}) {
  const { form } = props;
  const problemFor = (key: string) =>
    props.problems?.find((problem) => problem.path.replace(/^body\./, '') === `formDefaults.${form.name}.${key}`)?.message;
  const set = Object.values(props.values).filter((value) => shown(value) !== '').length;
  const formProblems =
    props.problems?.filter((problem) => problem.path.replace(/^body\./, '').startsWith(`formDefaults.${form.name}`)) ?? [];
  // Folded unless it holds something, so a page of five forms stays short.
  return (
    <details class="defaults" open={set > 0 || formProblems.length > 0}>
      <summary>
        {form.label} <span class="muted">· {set === 0 ? 'the form’s own defaults' : `${set} set`}</span>
      </summary>
      <fieldset class="defaults">
        <legend>{form.label}</legend>
        {propertiesOf(form.schema).map(([key, property]) => {
          const id = `defaults-${form.name}-${key}`;
          const problem = problemFor(key);
          const value = shown(props.values[key]);
          const describedBy = [`${id}-help`, problem ? `${id}-error` : ''].filter(Boolean).join(' ');
          const help = (
            <p class="hint" id={`${id}-help`}>
              <code>{key}</code>
              {property.description ? ` · ${property.description}` : ''}
              {property.type === 'array' ? ' · one per line' : ''} · empty: the form’s own default
            </p>
          );
          const common = {
            id,
            name: inputName(form.name, key),
            'aria-describedby': describedBy,
            'aria-invalid': problem ? 'true' : undefined,
          };
          let control: unknown;
          if (property.type === 'boolean') {
            control = (
              <select {...common}>
                <option value="" selected={value === ''}>
                  (form default)
                </option>
                <option value="true" selected={value === 'true'}>
                  Yes
                </option>
                <option value="false" selected={value === 'false'}>
                  No
                </option>
              </select>
            );
          } else if (property.enum) {
            control = (
              <select {...common}>
                <option value="" selected={value === ''}>
                  (form default)
                </option>
                {property.enum.map((option) => (
                  <option value={option} selected={value === option}>
                    {option}
                  </option>
                ))}
              </select>
            );
          } else if (property.type === 'array') {
            control = (
              <textarea {...common} rows={3} spellcheck={false}>
                {value}
              </textarea>
            );
          } else {
            // Numbers as text with a numeric keyboard: a wrong value is shown back as typed, with the schema's message.
            const numeric = property.type === 'number' || property.type === 'integer';
            control = <input {...common} type="text" inputmode={numeric ? 'decimal' : undefined} value={value} spellcheck={false} />;
          }
          return (
            <div class="field">
              <label for={id}>{humanize(key)}</label>
              {control as never}
              {help}
              {problem ? (
                <p class="error" id={`${id}-error`}>
                  {problem}
                </p>
              ) : null}
            </div>
          );
        })}
        {props.problems
          ?.filter((problem) => problem.path.replace(/^body\./, '') === `formDefaults.${form.name}`)
          .map((problem) => (
            <p class="error">{problem.message}</p>
          ))}
      </fieldset>
    </details>
  );
}
