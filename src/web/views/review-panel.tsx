import type { ChangeReview, FormValues } from '../../forms/types.js';

export type ReviewPanelProps = {
  review: ChangeReview;
  /** Where the confirmation posts, with the values and the token. */
  action: string;
  token: string;
  /** The fields to send again, exactly as reviewed (never a typed password). */
  values: FormValues;
  csrfToken: string;
  /** The token that came back no longer matches: say why the review is shown again. */
  stale?: boolean;
  /** Where "Change the options" goes: the form on the same page, or back to the page it came from. */
  changeHref: string;
};

/**
 * "Check before it runs": every change in plain words, and one button that names the action.
 * Server-rendered with the submitted values as hidden fields, so it works without JavaScript; the
 * page's script shows the same fragment inline. The server checks the token again on confirm.
 */
export function ReviewPanel(props: ReviewPanelProps) {
  const { review } = props;
  return (
    <section id="review" class="card review" aria-labelledby="review-title" tabindex={-1} autofocus>
      <h2 id="review-title">Check before it runs</h2>
      {props.stale ? (
        <p class="warning" role="alert">
          What would change is not what you reviewed a moment ago: the directory or the options changed since. Check it again.
        </p>
      ) : null}
      <p>Nothing has been changed yet. Confirming will:</p>
      <ol class="review-changes">
        {review.changes.map((change) => (
          <li>{change}</li>
        ))}
      </ol>
      <p>
        {review.when ? (
          <>It runs on {review.when}, not before; until then you can see it under your executions.</>
        ) : (
          'It runs as soon as you confirm.'
        )}
      </p>
      <form method="post" action={props.action} data-submit-once>
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        {Object.entries(props.values).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="_review" value={props.token} />
        <div class="row review-actions">
          <button type="submit" class="primary danger">
            {review.action}
          </button>
          <a href={props.changeHref} data-review-cancel>
            Change the options
          </a>
        </div>
      </form>
    </section>
  );
}
