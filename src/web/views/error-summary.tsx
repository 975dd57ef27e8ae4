import type { FieldErrors } from '../../forms/types.js';
import { plural } from '../../lib/plural.js';

/**
 * The refused fields, listed where the technician is looking (the top), each linking to its
 * message beside the field (`{field}-error`, the forms' convention). It takes focus when the page
 * loads, so a screen reader announces it and the next Tab goes to the first link.
 */
export function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1} id="error-summary" autofocus>
      <h2 id="error-summary-title">Nothing was run: {plural(entries.length, 'thing needs', 'things need')} fixing</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>
            <a href={`#${field}-error`} data-error-link={field}>
              {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
