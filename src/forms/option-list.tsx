import type { FormValues, OptionItem } from './types.js';

/** One checkbox (or radio) per option, with badges; read-only groups are shown but cannot be ticked. */
export function OptionList(props: { items: OptionItem[]; field: string; kind: 'checkbox' | 'radio'; values: FormValues; empty: string }) {
  if (props.items.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="options">
      {props.items.map((item) => {
        const id = `${props.field}-${item.value}`.replace(/[^A-Za-z0-9_-]/g, '_');
        const name = props.kind === 'radio' ? props.field : `${props.field}:${item.value}`;
        const checked = props.kind === 'radio' ? props.values[props.field] === item.value : props.values[name] === 'on';
        return (
          <li>
            <label class="choice" for={id}>
              <input
                type={props.kind}
                id={id}
                name={name}
                value={props.kind === 'radio' ? item.value : 'on'}
                checked={checked}
                disabled={Boolean(item.disabledReason)}
              />
              <span>
                {item.label}
                {item.badges.map((badge) => (
                  <span class="badge">{badge}</span>
                ))}
                {item.detail ? <small class="hint">{item.detail}</small> : null}
                {item.disabledReason ? <small class="hint">{item.disabledReason}</small> : null}
              </span>
            </label>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A search box whose results (from one of the form's option sources) appear below it as you type.
 * `params` go along with each search (`user`: whose memberships to mark).
 */
export function SearchBox(props: {
  id: string;
  label: string;
  source: string;
  into: string;
  field: string;
  kind: 'checkbox' | 'radio';
  params?: Record<string, string>;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        type="search"
        id={props.id}
        autocomplete="off"
        data-options-search={props.source}
        data-options-into={props.into}
        data-options-field={props.field}
        data-options-kind={props.kind}
        data-options-params={props.params ? new URLSearchParams(props.params).toString() : undefined}
      />
      <noscript>
        <small class="hint">Searching needs JavaScript.</small>
      </noscript>
      <div id={props.into} class="option-results" aria-live="polite" />
    </div>
  );
}
