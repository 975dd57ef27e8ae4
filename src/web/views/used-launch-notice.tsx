import type { ExecutionRecord } from '../../store/types.js';

/**
 * Shown above an execution reached from its screen pop again (Back, reload, the link): the form
 * ran once and will not run twice, and what was just sent, if anything, was not run.
 */
export function UsedLaunchNotice(props: { execution: ExecutionRecord; resubmitted: boolean; csrfToken: string }) {
  const { execution } = props;
  return (
    <div class="notice" role="status">
      <p>
        {props.resubmitted
          ? 'This screen pop had already been submitted, so nothing was run a second time: this is the run it started. Options you changed before sending again were not run.'
          : 'This screen pop has already been used: a screen pop runs its form once. This is the run it started.'}
      </p>
      {execution.launchId ? (
        <form method="post" action={`/launches/${execution.launchId}/reopen`} class="row">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <button type="submit">
            {execution.ticketId ? `Open the form for ticket #${execution.ticketId} again` : 'Open the form again'}
          </button>
          <small class="hint">a new screen pop for the same ticket, company and contact, with the PSA read afresh</small>
        </form>
      ) : null}
    </div>
  );
}
