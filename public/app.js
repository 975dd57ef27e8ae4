// Progressive enhancement only: every page works without this script.
(() => {
  // Show the typed-password field only when "Type a password" is chosen.
  const toggle = () => {
    for (const block of document.querySelectorAll('[data-shown-when]')) {
      const [name, value] = block.getAttribute('data-shown-when').split('=');
      const checked = document.querySelector(`input[name="${name}"]:checked`);
      block.hidden = !checked || checked.value !== value;
    }
  };
  document.addEventListener('change', toggle);
  toggle();

  // A second click while the first submit is on its way does nothing (the server dedupes too).
  for (const form of document.querySelectorAll('form[data-submit-once]')) {
    form.addEventListener('submit', () => {
      for (const button of form.querySelectorAll('button[type="submit"]')) {
        button.disabled = true;
        button.textContent = 'Starting…';
      }
    });
  }

  // Copy buttons.
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-copy]');
    if (!button) return;
    const input = document.getElementById(button.getAttribute('data-copy'));
    if (!input) return;
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = 'Copied';
    } catch {
      document.execCommand('copy');
      button.textContent = 'Copied';
    }
  });

  // Screen readers announce changes inside a live region that is already on the page, not a
  // freshly inserted one: so the status line is kept and updated in place (and only when its text
  // changes, so "Working…" is not repeated every tick); the rest of the fragment is swapped.
  const updateProgress = (region, next) => {
    const status = region.querySelector(':scope > [role="status"]');
    const nextStatus = next.querySelector(':scope > [role="status"]');
    if (!status || !nextStatus) {
      region.replaceWith(next);
      return;
    }
    for (const name of ['data-poll', 'data-done']) {
      const value = next.getAttribute(name);
      if (value === null) region.removeAttribute(name);
      else region.setAttribute(name, value);
    }
    if (status.className !== nextStatus.className) status.className = nextStatus.className;
    if (status.innerHTML !== nextStatus.innerHTML) status.replaceChildren(...nextStatus.childNodes);
    const before = [];
    const after = [];
    for (let node = nextStatus.previousSibling; node; node = node.previousSibling) before.unshift(node);
    for (let node = nextStatus.nextSibling; node; node = node.nextSibling) after.push(node);
    while (status.previousSibling) status.previousSibling.remove();
    while (status.nextSibling) status.nextSibling.remove();
    status.before(...before);
    status.after(...after);
  };

  // Live execution progress: poll the fragment until it says it is done.
  const poll = async () => {
    const region = document.getElementById('progress');
    const url = region?.getAttribute('data-poll');
    if (!region || !url) return;
    try {
      const response = await fetch(url, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (response.ok) {
        const html = await response.text();
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const next = doc.getElementById('progress');
        if (next) updateProgress(region, next);
      }
    } catch {
      // Network hiccup: try again on the next tick.
    }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 400);

  // Live option lists (groups, users, a group's members): fetched as the technician types or picks,
  // never a page reload. Ticked items are kept in a "chosen" list above the results, so a new search
  // does not lose them.
  const launchPath = () => window.location.pathname.replace(/\/$/, '');
  const fetchFragment = async (source, query, field, kind) => {
    const params = new URLSearchParams({ q: query, field, kind });
    const response = await fetch(`${launchPath()}/options/${source}?${params}`, { headers: { Accept: 'text/html' }, cache: 'no-store' });
    return response.text();
  };
  const keepChosen = (results) => {
    let chosen = results.previousElementSibling;
    if (!chosen?.classList.contains('options-chosen')) {
      chosen = document.createElement('ul');
      chosen.className = 'options options-chosen';
      results.before(chosen);
    }
    for (const input of results.querySelectorAll('input:checked')) {
      const item = input.closest('li');
      if (item && input.type === 'checkbox' && !chosen.querySelector(`input[name="${CSS.escape(input.name)}"]`)) chosen.append(item);
    }
  };
  const timers = new WeakMap();
  document.addEventListener('input', (event) => {
    const box = event.target.closest?.('[data-options-search]');
    if (!box) return;
    clearTimeout(timers.get(box));
    timers.set(
      box,
      setTimeout(async () => {
        const results = document.getElementById(box.getAttribute('data-options-into'));
        if (!results) return;
        keepChosen(results);
        const query = box.value.trim();
        if (query.length < 2) {
          results.innerHTML = '';
          return;
        }
        results.setAttribute('aria-busy', 'true');
        try {
          results.innerHTML = await fetchFragment(
            box.getAttribute('data-options-search'),
            query,
            box.getAttribute('data-options-field'),
            box.getAttribute('data-options-kind'),
          );
        } catch {
          results.innerHTML = '<p class="error" role="alert">The search did not answer; try again.</p>';
        }
        results.removeAttribute('aria-busy');
      }, 250),
    );
  });
  // A container that loads when a radio is picked, e.g. a group's members once the group is chosen.
  document.addEventListener('change', async (event) => {
    const input = event.target;
    if (input?.type !== 'radio') return;
    for (const target of document.querySelectorAll(`[data-options-load][data-options-when="${CSS.escape(input.name)}"]`)) {
      target.setAttribute('aria-busy', 'true');
      try {
        const html = await fetchFragment(
          target.getAttribute('data-options-load'),
          input.value,
          target.getAttribute('data-options-field'),
          'checkbox',
        );
        target.innerHTML = `<p class="hint">Current members: tick to remove</p>${html}`;
      } catch {
        target.innerHTML = '<p class="error" role="alert">The members could not be loaded; try again.</p>';
      }
      target.removeAttribute('aria-busy');
    }
  });

  // Screen-pop URLs with the webhook secret (admin console): "Copy with secret" fetches this
  // form's URL from the API and copies it, so the secret never stands in the page. Without
  // JavaScript the same button shows the URLs with the secret on a page of their own.
  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form[data-copy-secret]');
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector('button');
    const csrf = form.querySelector('input[name="_csrf"]')?.value ?? '';
    try {
      const response = await fetch('/api/admin/screenpop/urls-with-secret', {
        method: 'POST',
        headers: { 'x-csrf-token': csrf, accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const { forms } = await response.json();
      const url = forms.find((item) => item.name === form.getAttribute('data-copy-secret'))?.url;
      if (!url) throw new Error('no url');
      await navigator.clipboard.writeText(url);
      button.textContent = 'Copied with the secret';
    } catch {
      // The clipboard or the call failed: fall back to the page that shows the URLs.
      form.submit();
    }
  });
})();
