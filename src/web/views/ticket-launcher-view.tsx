import type { PsaWords } from '../../connectors/psa/types.js';
import type { CreateLaunchResult } from '../../domain/launch/create-launch.js';
import type { TicketLauncherResult } from '../../domain/launch/open-ticket-launcher.js';
import { ContactCompanyWarning } from './contact-company-warning.js';

type Ready = Extract<TicketLauncherResult, { kind: 'ready' }>;
type NotReady = Exclude<TicketLauncherResult, { kind: 'ready' }>;

/** The HTTP status of a launcher that cannot list forms. */
export function launcherProblemStatus(result: NotReady): 400 | 409 | 502 | 503 {
  switch (result.kind) {
    case 'invalid':
      return 400;
    case 'psa-failed':
      return 502;
    case 'incomplete-ticket':
      return 409;
    default:
      return 503;
  }
}

/** Why the launcher cannot list forms for this ticket, and what to do. */
export function LauncherProblem({ result, words, isAdmin }: { result: NotReady; words: PsaWords; isAdmin: boolean }) {
  switch (result.kind) {
    case 'no-psa':
      return (
        <>
          <h1 id="launcher-title">The toolbox is not connected to the PSA yet</h1>
          <p>
            An administrator sets it up in the admin console under{' '}
            {isAdmin ? <a href="/admin/psa">PSA connection</a> : <strong>PSA connection</strong>}.
          </p>
        </>
      );
    case 'invalid':
      return (
        <>
          <h1 id="launcher-title">This launcher link is missing something</h1>
          <ul class="problems">
            {result.problems.map((p) => (
              <li>
                <code>{p.param}</code>: {p.message}
              </li>
            ))}
          </ul>
        </>
      );
    case 'busy':
      return (
        <>
          <h1 id="launcher-title">The toolbox is busy: try again in a few seconds</h1>
          <p>
            {words.name} could not be asked about this {words.ticket.one} soon enough. Reload in {result.retryAfterSeconds}{' '}
            {result.retryAfterSeconds === 1 ? 'second' : 'seconds'}.
          </p>
        </>
      );
    case 'psa-failed':
      return (
        <>
          <h1 id="launcher-title">
            The {words.name} data for this {words.ticket.one} could not be read
          </h1>
          <ul class="problems">
            {result.failures.map((failure) => (
              <li>
                <strong>
                  {words[failure.read].one} {failure.id}
                </strong>
                : {failure.error.message}
                <small class="muted">
                  {' '}
                  ({failure.error.code}
                  {failure.error.upstreamStatus ? `, ${words.name} answered ${failure.error.upstreamStatus}` : ''}
                  {failure.error.upstreamCode ? ` ${failure.error.upstreamCode}` : ''})
                </small>
              </li>
            ))}
          </ul>
          <p>Reload to try again; if it keeps happening, ask an administrator to run the PSA systems check.</p>
        </>
      );
    case 'incomplete-ticket':
      return (
        <>
          <h1 id="launcher-title">
            {result.ticket.number} {result.ticket.summary}
          </h1>
          <p>
            This {words.ticket.one} has no {result.missing.map((what) => words[what].one).join(' and no ')} in {words.name}. The forms act
            on a {words.ticket.one}'s {words.company.one} and {words.contact.one}: set them on the {words.ticket.one}, then reload.
          </p>
        </>
      );
  }
}

/**
 * The ticket, its company and contact, and one button per enabled form. Each button is a POST (a
 * link preview cannot make launches) carrying the ids the launcher read, so the launch names the
 * same records; in the pod, its script sends it and opens the form in a new tab.
 */
export function LauncherForms(props: {
  result: Ready;
  words: PsaWords;
  action: string;
  csrfToken: string;
  pod: boolean;
  isAdmin: boolean;
}) {
  const { ticket, company, contact, ids, forms, directoryName } = props.result;
  const { words } = props;
  return (
    <>
      <h1 id="launcher-title" class="launcher-ticket">
        {ticket.url ? (
          <a href={ticket.url} target="_blank" rel="noopener noreferrer">
            {ticket.number}
          </a>
        ) : (
          ticket.number
        )}{' '}
        {ticket.summary}
      </h1>
      <p class="muted launcher-context">
        {company.name} · {contact.name}
        {contact.email ? ` · ${contact.email}` : ''}
        {ticket.status ? ` · ${ticket.status}` : ''}
      </p>
      <ContactCompanyWarning contact={contact} company={company} words={words} />
      {!directoryName ? (
        <p class="warning" role="status">
          {company.name} is not connected to a directory yet, so no form can run for it. An administrator maps it under{' '}
          {props.isAdmin && !props.pod ? <a href="/admin/companies">Admin → Companies</a> : <strong>Admin → Companies</strong>}.
        </p>
      ) : forms.length === 0 ? (
        <p class="warning" role="status">
          No form is enabled yet. An administrator enables them under <strong>Admin → Forms</strong>.
        </p>
      ) : (
        <ul class="launcher-forms" aria-label={`Forms for ${contact.name}`}>
          {forms.map((form) => (
            <li>
              <form method="post" action={props.action} data-pod-launch={props.pod ? form.label : undefined}>
                <input type="hidden" name="_csrf" value={props.csrfToken} />
                <input type="hidden" name="ticket_id" value={ids.ticketId} />
                <input type="hidden" name="company_id" value={ids.companyId} />
                <input type="hidden" name="contact_id" value={ids.contactId} />
                <input type="hidden" name="form_name" value={form.name} />
                <button type="submit" class="primary" aria-describedby={`form-${form.name}-about`}>
                  {form.label}
                </button>
                <span class="muted" id={`form-${form.name}-about`}>
                  {form.description}
                </span>
              </form>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Why a launch was not created from the launcher (the form was switched off meanwhile, …), in a sentence. */
export function launchRefusal(result: Exclude<CreateLaunchResult, { kind: 'created' }>): {
  status: 400 | 403 | 404 | 503;
  message: string;
} {
  switch (result.kind) {
    case 'invalid':
      return { status: 400, message: `The launch could not be made: ${result.problems.map((p) => p.message).join(' ')}` };
    case 'unknown-form':
      return { status: 404, message: `There is no form called "${result.formName}".` };
    case 'form-disabled':
      return {
        status: 403,
        message: `${result.label} is not enabled any more: an administrator switched it off. Reload to see the forms.`,
      };
    case 'busy':
      return {
        status: 503,
        message: `The toolbox is busy: try again in ${result.retryAfterSeconds} ${result.retryAfterSeconds === 1 ? 'second' : 'seconds'}.`,
      };
  }
}
