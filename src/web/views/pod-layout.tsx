import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

export type PodLayoutProps = {
  title: string;
  /** Read by public/pod.js: the PSA's origin and protocol, the ticket shown, who is signed in. */
  data: Record<string, string>;
  user?: { name: string } | undefined;
  csrfToken?: string | undefined;
  /** The ticket to come back to after signing out. */
  ticketId?: string | undefined;
  children?: Child;
};

/**
 * The pod's page frame: small (the PSA gives the pod a narrow, short box), our stylesheet and the
 * pod's script only. It talks to the PSA around it by postMessage, so it needs JavaScript.
 */
export function PodLayout({ title, data, user, csrfToken, ticketId, children }: PodLayoutProps) {
  const dataAttributes = Object.fromEntries(Object.entries(data).map(([name, value]) => [`data-${name}`, value]));
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Technician Toolbox`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/pod.js" defer />
        </head>
        <body class="pod" data-pod="" {...dataAttributes}>
          <header class="pod-top">
            <span class="brand">Technician Toolbox</span>
            {user ? (
              <form method="post" action="/pod/sign-out" class="signout">
                <span class="who">{user.name}</span>
                <input type="hidden" name="_csrf" value={csrfToken ?? ''} />
                <input type="hidden" name="ticket_id" value={ticketId ?? ''} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            ) : null}
          </header>
          <main id="main" class="pod-main">
            <noscript>
              <p class="warning">The toolbox pod needs JavaScript to talk to the PSA and to sign you in.</p>
            </noscript>
            <p class="warning" data-pod-mismatch hidden />
            {children}
            <p data-pod-status role="status" aria-live="polite" />
          </main>
        </body>
      </html>
    </>
  );
}
