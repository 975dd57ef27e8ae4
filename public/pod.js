// The toolbox pod inside the PSA's ticket screen, and the sign-in window it opens.
//
// ConnectWise Hosted API (the PSA side of the pod), as ConnectWise's ConnectWiseHostedApi client
// README and its published client describe it (not checked against a live tenant): messages are
// JSON strings; the pod says {"message":"ready"}; ConnectWise answers {"MessageFrameID": id};
// requests carry the frame id; answers carry "response" (lower case) and "data"; events
// (onLoad, beforeSave, …) carry "event" and "_id" and must be acknowledged, or the screen waits.
// Anything ConnectWise says is a hint (which ticket, who is signed in there): the toolbox signs the
// technician in itself.
(() => {
  const body = document.body;

  // The sign-in window: hand the one-time code to the pod that opened it, then close.
  const handOff = document.querySelector('[data-pod-hand-off]');
  if (handOff) {
    const status = document.getElementById('hand-off-status');
    let opener = null;
    try {
      opener = window.opener;
    } catch {
      opener = null;
    }
    if (!opener) {
      if (status) status.textContent = 'Signed in. Close this window and press Sign in in the toolbox pod again.';
      return;
    }
    // Only a window of the toolbox's own origin (the pod) can receive it.
    opener.postMessage(
      { type: 'toolbox-pod-signed-in', nonce: handOff.getAttribute('data-pod-nonce'), code: handOff.getAttribute('data-pod-hand-off') },
      window.location.origin,
    );
    window.setTimeout(() => window.close(), 150);
    return;
  }

  if (!body.hasAttribute('data-pod')) return;
  const hostOrigin = body.getAttribute('data-host-origin') || '';
  const protocol = body.getAttribute('data-host-protocol') || '';
  const shownTicket = body.getAttribute('data-ticket-id') || '';
  const statusLine = document.querySelector('[data-pod-status]');
  const say = (text) => {
    if (statusLine) statusLine.textContent = text;
  };
  const member = { id: '', email: '' };

  // --- The PSA around the pod -------------------------------------------------------------
  const framed = window.parent !== window;
  let frameId = null;
  const toHost = (message) => {
    if (!framed || !hostOrigin) return;
    const withFrame = frameId === null ? message : { ...message, frameID: frameId };
    window.parent.postMessage(JSON.stringify(withFrame), hostOrigin);
  };
  // ConnectWise's README writes requests as "request"; its published client sends them as
  // "hosted_request". Both are sent: one message, whichever key ConnectWise reads.
  const ask = (request) => toHost({ request, hosted_request: request });

  const showMember = () => {
    const line = document.querySelector('[data-pod-member]');
    if (line && member.id) {
      line.textContent = `ConnectWise says ${member.email || member.id} is signed in there.`;
      line.hidden = false;
    }
    const mismatch = document.querySelector('[data-pod-mismatch]');
    if (!mismatch || body.getAttribute('data-signed-in') !== 'yes' || !member.id) return;
    const mapped = (body.getAttribute('data-member-identifier') || '').toLowerCase();
    const email = (body.getAttribute('data-user-email') || '').toLowerCase();
    const same = mapped ? mapped === member.id.toLowerCase() : email !== '' && email === member.email.toLowerCase();
    if (same) return;
    mismatch.textContent = `ConnectWise says ${member.email || member.id} is signed in there, but the toolbox pod is signed in as ${body.getAttribute('data-user-name') || email}. Forms and ticket notes will be theirs: sign out of the pod if that is not you.`;
    mismatch.hidden = false;
  };

  const onScreen = (screen) => {
    if (!screen || screen.id === undefined || screen.id === null) return;
    const name = String(screen.screen || '');
    if (name && !/ticket/i.test(name)) {
      for (const list of document.querySelectorAll('.launcher-forms')) list.hidden = true;
      say(`This pod belongs on the ticket screen; ConnectWise shows it on the "${name}" screen.`);
      return;
    }
    const id = String(screen.id);
    if (id !== shownTicket && /^[0-9]{1,10}$/.test(id)) {
      // The pod shows another ticket than the screen: show the screen's.
      const url = new URL(window.location.href);
      url.searchParams.set('ticket_id', id);
      window.location.replace(url.toString());
    }
  };

  const fromHost = (event) => {
    // The PSA's origin is what counts; its window is the one around the pod (or the top one).
    if ((event.source !== window.parent && event.source !== window.top) || event.origin !== hostOrigin) return;
    let message = event.data;
    if (typeof message === 'string') {
      try {
        message = JSON.parse(message);
      } catch {
        return;
      }
    }
    if (!message || typeof message !== 'object') return;
    if (message.MessageFrameID !== undefined) {
      if (frameId !== null) return;
      frameId = message.MessageFrameID;
      ask('getMemberAuthentication');
      ask('getScreenObject');
      return;
    }
    const response = typeof message.response === 'string' ? message.response.toLowerCase() : '';
    const data = message.data && typeof message.data === 'object' ? message.data : {};
    if (response === 'getmemberauthentication') {
      // memberHash and memberContext are ConnectWise credentials: never kept, never sent anywhere.
      member.id = String(data.memberid || data.memberId || '');
      member.email = String(data.memberEmail || data.memberemail || '');
      showMember();
      return;
    }
    if (response === 'getscreenobject') {
      onScreen(data);
      return;
    }
    if (typeof message.event === 'string') {
      // Acknowledge every event (an unanswered beforeSave would stop the ticket from saving).
      toHost({ event: message.event, _id: message._id, result: 'success' });
      if (message.event === 'onLoad') onScreen(data.screenObject || data);
    }
  };

  if (framed && protocol === 'connectwise-hosted-api' && hostOrigin) {
    window.addEventListener('message', fromHost);
    toHost({ message: 'ready' });
  }

  // --- Sign-in: a window of the toolbox's own ------------------------------------------------
  const signIn = document.querySelector('[data-pod-sign-in]');
  if (signIn) {
    let pending = null;
    window.addEventListener('message', async (event) => {
      if (!pending || event.origin !== window.location.origin || event.source !== pending.popup) return;
      const message = event.data;
      if (message?.type !== 'toolbox-pod-signed-in' || message.nonce !== pending.nonce) return;
      pending = null;
      say('Signing in…');
      const answer = await fetch('/pod/session', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code: String(message.code || '') }),
        credentials: 'same-origin',
      });
      if (answer.ok) {
        window.location.reload();
        return;
      }
      const problem = await answer.json().catch(() => ({}));
      say(problem?.error?.message || 'The sign-in did not complete: press Sign in again.');
    });
    signIn.addEventListener('click', () => {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      const nonce = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      const query = new URLSearchParams({ n: nonce });
      if (member.email) query.set('hint', member.email);
      const popup = window.open(`/login/pod?${query}`, 'toolbox-sign-in', 'popup,width=520,height=680');
      if (!popup) {
        say('The sign-in window was blocked: allow pop-ups for this site in the browser, then press Sign in again.');
        return;
      }
      pending = { popup, nonce };
      say('Sign in in the window that opened.');
    });
  }

  // --- Opening a form: created here, shown in a new tab -------------------------------------
  for (const form of document.querySelectorAll('form[data-pod-launch]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const label = form.getAttribute('data-pod-launch');
      // Opened now, while the click still counts as the user's: a window opened after the answer
      // would be taken for an unwanted pop-up.
      const tab = window.open('', '_blank');
      say(`Opening ${label}…`);
      let answer;
      try {
        answer = await fetch(form.action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(new FormData(form)),
          credentials: 'same-origin',
        });
      } catch {
        tab?.close();
        say(`${label} could not be opened: the toolbox did not answer. Try again.`);
        return;
      }
      const result = await answer.json().catch(() => ({}));
      if (!answer.ok || typeof result.location !== 'string') {
        tab?.close();
        say(result?.error?.message || `${label} could not be opened. Reload the pod and try again.`);
        return;
      }
      const location = new URL(result.location, window.location.origin).toString();
      if (tab) {
        tab.opener = null;
        tab.location.href = location;
        say(`${label} opened in a new tab.`);
        return;
      }
      // The browser blocked the tab: a link the technician clicks opens it.
      const link = document.createElement('a');
      link.href = location;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = `Open ${label}`;
      if (statusLine) statusLine.replaceChildren(link);
    });
  }
})();
