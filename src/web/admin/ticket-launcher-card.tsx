import type { TicketLauncherSetup } from '../../domain/launch/ticket-launcher-setup.js';

/** One value to paste into the PSA, with its Copy button (app.js). */
function CopyValue({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="row copy-row">
        <input id={id} class="url-copy" type="text" readonly value={value} spellcheck={false} autocomplete="off" />
        <button type="button" data-copy={id}>
          Copy <span class="visually-hidden">{label}</span>
        </button>
      </div>
    </div>
  );
}

/**
 * The screen-pop page's second half: opening the forms from inside the PSA's own ticket screen.
 * What it shows comes from the PSA connector's `ticketLauncher`: a ConnectWise Hosted API pod, an
 * Autotask LiveLink, a HaloPSA custom button, or whatever another PSA's connector declares.
 */
export function TicketLauncherCard({ setup }: { setup: TicketLauncherSetup }) {
  const psa = setup.psa;
  return (
    <section class="card" aria-labelledby="launcher-setup-title" id="launch-from-psa">
      <h2 id="launcher-setup-title">Open the forms from inside the PSA</h2>
      <p>
        Besides the screen pop, technicians can open the forms from the ticket they are working on: the toolbox lists the enabled forms for
        that ticket's company and contact, and opens the chosen one filled in, exactly like a screen pop. They sign in to the toolbox as
        always.
      </p>
      {!psa ? (
        <p class="warning" role="status">
          Connect the PSA first (<a href="/admin/psa">PSA connection</a>): what to set up depends on it.
        </p>
      ) : !setup.declared ? (
        <>
          <p>
            {psa.label} does not say how it opens a page from its tickets. Where it can open a link from a ticket, use this URL and put the
            PSA's own variables for the ticket, company and contact ids in place of the braces (company and contact are optional: the
            toolbox reads them from the ticket).
          </p>
          <CopyValue id="launcher-url" label="Launcher URL" value={setup.url} />
        </>
      ) : (
        <>
          <h3>
            {psa.label}: {setup.name}
          </h3>
          <ol class="setup-steps">
            {setup.steps.map((step, index) => (
              <li>
                <p>{step.text}</p>
                {step.values.map((entry) => (
                  <CopyValue
                    id={`launcher-${index}-${entry.label.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`}
                    label={entry.label}
                    value={entry.value}
                  />
                ))}
              </li>
            ))}
          </ol>
          {setup.opens === 'frame' ? (
            <p class={setup.frameAncestor ? 'muted' : 'warning'}>
              {setup.frameAncestor ? (
                <>
                  Only <code>{setup.frameAncestor}</code> (the site URL of the <a href="/admin/psa">PSA connection</a>) may show the pod;
                  every other site, and every other page of the toolbox, is refused. The pod needs the toolbox on HTTPS, as {psa.label} is.
                </>
              ) : (
                'The PSA connection does not say where the PSA’s pages live, so no site may show the pod yet.'
              )}
            </p>
          ) : (
            <p class="muted">
              The URL carries no secret ({psa.label} shows it to everyone who can open the ticket): technicians sign in to the toolbox in
              the window it opens, and nothing is read from the PSA before they have.
            </p>
          )}
        </>
      )}
    </section>
  );
}
