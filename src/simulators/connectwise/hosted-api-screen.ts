import { randomBytes } from 'node:crypto';
import type { CwRecord } from './connectwise-seed.js';

/**
 * A Manage Hosted API entry (System → Setup Tables → "Manage Hosted API"; the API's
 * `ConnectWiseHostedSetup`): a page of another site that ConnectWise shows on one of its screens,
 * as a pod or a tab. `origin` is that site's origin: ConnectWise only listens to messages from it
 * and only posts to it.
 */
export type CwHostedSetup = {
  description: string;
  /** The screen it appears on; only the service ticket screen is simulated. */
  screen: 'Service Tickets';
  url: string;
  origin: string;
  type: 'Pod';
  podHeight: number;
};

/** The ticket screen's path under the codebase, as `ticketUrl` links to it (fv_sr100_request.rails). */
export const TICKET_SCREEN_PATH = /^\/([A-Za-z0-9_.]+\/)services\/system_io\/Service\/fv_sr100_request\.rails$/;

const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/**
 * The service ticket screen of the simulated ConnectWise web UI: the ticket's summary and, for
 * each hosted pod, an iframe of its URL with the URI tokens replaced (`[cw_id]`: the record id,
 * `[cw_screen]`: the screen), and the ConnectWise side of the Hosted API messages:
 * - the pod posts `{"message":"ready"}`; ConnectWise answers `{"MessageFrameID": id}` and sends
 *   the `onLoad` event `{"event":"onLoad","_id":…,"data":{"screenObject":{…}}}`, which the pod acknowledges;
 * - a request (`request` or `hosted_request`, with the frame id) is answered
 *   `{"response": <request in lower case>, "data": …}`: `getMemberAuthentication` gives
 *   `{site, companyid, memberid, memberHash, memberContext, memberEmail}`, `getScreenObject` gives
 *   `{screen, id, hostedAs}`.
 * Messages are JSON strings, only from and to the entry's origin (ConnectWise's client README; its
 * message shapes are not checked against a live tenant). Every message in and out is kept in
 * `window.hostedApiLog` for tests to read.
 */
export function ticketScreenPage(options: {
  ticket: CwRecord;
  setups: CwHostedSetup[];
  member: CwRecord;
  site: string;
  companyId: string;
}): Response {
  const { ticket, setups, member } = options;
  const screenObject = { screen: 'ticket', id: ticket.id, hostedAs: 'pod' };
  const pods = setups.map((setup, index) => ({
    frameId: `pod-${index + 1}-${randomBytes(4).toString('hex')}`,
    origin: setup.origin,
    src: setup.url.replaceAll('[cw_id]', String(ticket.id)).replaceAll('[cw_screen]', 'ticket'),
    description: setup.description,
    height: setup.podHeight,
  }));
  const memberAuthentication = {
    site: options.site,
    companyid: options.companyId,
    memberid: String(member.identifier ?? ''),
    // Stand-ins for ConnectWise's credentials for its own API: a pod must not need them.
    memberHash: randomBytes(16).toString('hex'),
    memberContext: randomBytes(8).toString('hex'),
    memberEmail: String(member.officeEmail ?? member.primaryEmail ?? ''),
  };
  const data = JSON.stringify({ pods, screenObject, memberAuthentication }).replaceAll('<', '\\u003c');
  const frames = pods
    .map(
      (pod) =>
        `<section class="pod"><h2>${escapeHtml(pod.description)}</h2><iframe id="${pod.frameId}" title="${escapeHtml(pod.description)}" src="${escapeHtml(pod.src)}" height="${pod.height}"></iframe></section>`,
    )
    .join('');
  const summary = escapeHtml(String(ticket.summary ?? ''));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service Ticket #${ticket.id} · ConnectWise PSA (simulated)</title>
<style>body{font-family:system-ui,sans-serif;margin:0;display:flex;gap:1rem;padding:1rem;background:#eef1f4}
main{flex:1}aside{width:380px}.pod{background:#fff;border:1px solid #c5ccd4;border-radius:6px;margin-bottom:1rem}
.pod h2{font-size:.9rem;margin:0;padding:.4rem .6rem;background:#dfe5ec}.pod iframe{width:100%;border:0;display:block}</style>
</head><body>
<main><h1>Service Ticket #${ticket.id}</h1><p>${summary}</p><p>Signed in to ConnectWise as ${escapeHtml(memberAuthentication.memberid)}</p></main>
<aside aria-label="Pods">${frames}</aside>
<script type="application/json" id="hosted-data">${data}</script>
<script>
(() => {
  const { pods, screenObject, memberAuthentication } = JSON.parse(document.getElementById('hosted-data').textContent);
  const log = (window.hostedApiLog = []);
  let nextEvent = 1;
  const post = (pod, message) => {
    log.push({ direction: 'out', frameId: pod.frameId, message });
    document.getElementById(pod.frameId).contentWindow.postMessage(JSON.stringify(message), pod.origin);
  };
  window.addEventListener('message', (event) => {
    const pod = pods.find((p) => document.getElementById(p.frameId).contentWindow === event.source);
    if (!pod) return;
    if (event.origin !== pod.origin) {
      log.push({ direction: 'ignored', frameId: pod.frameId, origin: event.origin });
      return;
    }
    let message;
    try { message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch { return; }
    log.push({ direction: 'in', frameId: pod.frameId, message });
    if (message.message === 'ready') {
      post(pod, { MessageFrameID: pod.frameId });
      post(pod, { event: 'onLoad', _id: nextEvent++, data: { screenObject } });
      return;
    }
    const request = message.request || message.hosted_request;
    if (!request) return;
    if (message.frameID !== pod.frameId) {
      log.push({ direction: 'ignored', frameId: pod.frameId, reason: 'frameID' });
      return;
    }
    if (request === 'getMemberAuthentication') post(pod, { response: 'getmemberauthentication', data: memberAuthentication });
    else if (request === 'getScreenObject') post(pod, { response: 'getscreenobject', data: screenObject });
  });
})();
</script>
</body></html>`;
  return new Response(html, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
