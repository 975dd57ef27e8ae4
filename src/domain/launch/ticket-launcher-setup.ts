import type { PsaConnector, PsaTicketLauncher } from '../../connectors/psa/types.js';

/** Where the launcher is served: the pod page when the PSA frames it, the launcher page when it opens a window. */
export const POD_PATH = '/pod';
export const LAUNCHER_PATH = '/launcher';

const QUERY_ORDER = ['ticket_id', 'company_id', 'contact_id', 'screen'] as const;

/**
 * The URL to paste into the PSA. The placeholders stay as the PSA writes them (`[cw_id]`,
 * `{$ID}`): the PSA replaces them itself, so they must not be percent-encoded.
 */
export function launcherUrl(publicUrl: string, launcher: Pick<PsaTicketLauncher, 'opens' | 'query'>): string {
  const query = QUERY_ORDER.flatMap((name) => {
    const value = launcher.query[name];
    return value === undefined ? [] : [`${name}=${value}`];
  }).join('&');
  return `${publicUrl}${launcher.opens === 'frame' ? POD_PATH : LAUNCHER_PATH}?${query}`;
}

/** An http(s) origin, normalised, or null: nothing else may go into a frame-ancestors directive. */
export function normaliseOrigin(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * The one origin allowed to frame the pod: the PSA's own pages, from the connection in force.
 * Null when the PSA does not frame the launcher or its settings do not say where it lives; the pod
 * then keeps `frame-ancestors 'none'` like every other page.
 */
export function podFrameAncestor(connector: Pick<PsaConnector, 'ticketLauncher'> | undefined, settings: unknown): string | null {
  const launcher = connector?.ticketLauncher;
  if (launcher?.opens !== 'frame' || !launcher.frameAncestor) return null;
  return normaliseOrigin(launcher.frameAncestor(settings));
}

export type TicketLauncherSetup = {
  /** The PSA in force, or null (nothing to set up yet). */
  psa: { kind: string; label: string } | null;
  /** False when the PSA's connector does not say how it opens a page: the generic launcher URL is given. */
  declared: boolean;
  /** What the PSA calls it ("Hosted API pod", "LiveLink", "custom button"). */
  name: string;
  opens: 'frame' | 'window';
  /** Ready to paste, with the PSA's placeholders. */
  url: string;
  /** The toolbox's own origin (ConnectWise asks for it as the pod's "Origin"). */
  origin: string;
  /** `frame`: the only origin that may frame the pod (null: not known from the settings). */
  frameAncestor: string | null;
  steps: { text: string; values: { label: string; value: string }[] }[];
};

/**
 * What the console shows to set up the launch from inside the PSA in force: the URL (from the
 * connector's `ticketLauncher`, so another PSA brings its own), and its set-up steps in the PSA's
 * words with the values filled in.
 */
export function describeTicketLauncher(
  publicUrl: string,
  psa: { connector: PsaConnector<unknown>; settings: unknown } | null,
): TicketLauncherSetup {
  const origin = new URL(publicUrl).origin;
  const launcher = psa?.connector.ticketLauncher;
  if (!psa || !launcher) {
    // No declaration: the launcher takes plain ids, which the admin fills with the PSA's own variables.
    const generic = {
      opens: 'window' as const,
      query: { ticket_id: '{ticket id}', company_id: '{company id}', contact_id: '{contact id}' },
    };
    return {
      psa: psa ? { kind: psa.connector.kind, label: psa.connector.label } : null,
      declared: false,
      name: 'link',
      opens: 'window',
      url: launcherUrl(publicUrl, generic),
      origin,
      frameAncestor: null,
      steps: [],
    };
  }
  const url = launcherUrl(publicUrl, launcher);
  return {
    psa: { kind: psa.connector.kind, label: psa.connector.label },
    declared: true,
    name: launcher.name,
    opens: launcher.opens,
    url,
    origin,
    frameAncestor: podFrameAncestor(psa.connector, psa.settings),
    steps: launcher.setup.map((step) => ({
      text: step.text,
      values: (step.values ?? []).map((entry) => ({
        label: entry.label,
        value: entry.value.kind === 'url' ? url : entry.value.kind === 'origin' ? origin : entry.value.text,
      })),
    })),
  };
}
