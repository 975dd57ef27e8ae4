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
  const fetchFragment = async (source, query, field, kind, extra) => {
    const params = new URLSearchParams(extra ?? '');
    params.set('q', query);
    params.set('field', field);
    params.set('kind', kind);
    const response = await fetch(`${launchPath()}/options/${source}?${params}`, { headers: { Accept: 'text/html' }, cache: 'no-store' });
    return response.text();
  };
  // An option appears once on the page: in the chosen list, in the results, or in a list the server
  // rendered (a default group, the contact as manager). Items unticked in the chosen list since the
  // last search are let go, so a search that finds them again shows them in the results, once.
  const keepChosen = (results) => {
    let chosen = results.previousElementSibling;
    if (!chosen?.classList.contains('options-chosen')) {
      chosen = document.createElement('ul');
      chosen.className = 'options options-chosen';
      results.before(chosen);
    }
    for (const input of chosen.querySelectorAll('input:not(:checked)')) input.closest('li')?.remove();
    for (const input of results.querySelectorAll('input:checked')) {
      const item = input.closest('li');
      if (item && input.type === 'checkbox') chosen.append(item);
    }
  };
  const dropShownElsewhere = (results) => {
    const scope = results.closest('form') ?? document;
    for (const input of results.querySelectorAll('input[name]')) {
      const same = scope.querySelectorAll(`input[name="${CSS.escape(input.name)}"][value="${CSS.escape(input.value)}"]`);
      if ([...same].some((other) => !results.contains(other))) input.closest('li')?.remove();
    }
    const list = results.querySelector('ul.options');
    if (list && !list.querySelector('li')) list.outerHTML = '<p class="muted">Only what is already listed above.</p>';
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
          const html = await fetchFragment(
            box.getAttribute('data-options-search'),
            query,
            box.getAttribute('data-options-field'),
            box.getAttribute('data-options-kind'),
            box.getAttribute('data-options-params'),
          );
          // Ticks made while the search was on its way are kept too.
          keepChosen(results);
          results.innerHTML = html;
          dropShownElsewhere(results);
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
  // --- Forms that read like the tenant (issue 9 §4): live previews and labels that follow a pick ---
  // A preview (the new user's sign-in name and whether it is free) is rendered by the server from
  // the fields it names, with the code that submits them: this only asks again as they change.
  const previewTimers = new WeakMap();
  const previewRounds = new WeakMap();
  const refreshPreview = async (box) => {
    const form = box.closest('form');
    if (!form) return;
    const params = new URLSearchParams();
    for (const name of box.getAttribute('data-preview-fields').split(' ')) {
      const field = form.elements.namedItem(name);
      if (field && 'value' in field) params.set(name, field.value);
    }
    const round = (previewRounds.get(box) ?? 0) + 1;
    previewRounds.set(box, round);
    box.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`${launchPath()}/previews/${encodeURIComponent(box.getAttribute('data-preview'))}?${params}`, {
        headers: { Accept: 'text/html' },
        cache: 'no-store',
      });
      const html = await response.text();
      // An older answer arriving after a newer one is dropped.
      if (previewRounds.get(box) === round) box.innerHTML = html;
    } catch {
      if (previewRounds.get(box) === round)
        box.innerHTML = '<p class="muted">The preview did not answer; the name is checked on submit.</p>';
    }
    if (previewRounds.get(box) === round) box.removeAttribute('aria-busy');
  };
  const schedulePreviews = (event) => {
    const name = event.target?.name;
    if (!name) return;
    for (const box of document.querySelectorAll('[data-preview][data-preview-fields]')) {
      if (!box.getAttribute('data-preview-fields').split(' ').includes(name)) continue;
      clearTimeout(previewTimers.get(box));
      previewTimers.set(
        box,
        setTimeout(() => refreshPreview(box), 300),
      );
    }
  };
  document.addEventListener('input', schedulePreviews);
  document.addEventListener('change', schedulePreviews);

  // Words that name a picked option (the submit button's "Change the members of Sales").
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (input?.type !== 'radio' || !input.checked) return;
    const text = input.closest('label')?.querySelector('span')?.firstChild?.textContent?.trim();
    if (!text) return;
    for (const target of document.querySelectorAll(`[data-label-from="${CSS.escape(input.name)}"]`)) target.textContent = text;
  });
})();

// --- Review before change, error summary, linked choices (issue 9) ------------------------------
(() => {
  // A box that implies a radio choice (ticking a method chooses "only the ones ticked"), and a
  // radio that clears such boxes ("All of them"): the page never shows a contradiction.
  document.addEventListener('change', (event) => {
    const input = event.target;
    const radio = input?.getAttribute?.('data-checks');
    if (radio && input.checked) {
      const target = document.getElementById(radio);
      if (target && !target.disabled) target.checked = true;
    }
    const prefix = input?.getAttribute?.('data-unchecks');
    if (prefix && input.checked) {
      for (const box of input.form?.querySelectorAll('input[type="checkbox"]') ?? []) if (box.name.startsWith(prefix)) box.checked = false;
    }
  });

  // Whatever takes focus on load (the error summary, the review) gets it even where autofocus
  // on a non-field is ignored, and is scrolled into view.
  const focusFirst = document.querySelector('#error-summary, #review');
  if (focusFirst) {
    focusFirst.focus();
    focusFirst.scrollIntoView({ block: 'start' });
  }
  // A link in the error summary moves focus to the field itself, not just its message.
  document.addEventListener('click', (event) => {
    const link = event.target.closest?.('[data-error-link]');
    if (!link) return;
    const message = document.getElementById(`${link.getAttribute('data-error-link')}-error`);
    const field = message?.closest('.field, fieldset') ?? message?.parentElement;
    const input = field?.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea, button');
    if (input) {
      event.preventDefault();
      input.focus();
      input.scrollIntoView({ block: 'center' });
    }
  });

  // The form posts in the background: a review comes back as a fragment shown under the form (the
  // same HTML the server renders without script); a started run comes back as a location to go to.
  // Anything else (a refusal) is posted again the ordinary way: nothing ran, so that is harmless.
  for (const form of document.querySelectorAll('form[data-review-inline]')) {
    const buttons = () => form.querySelectorAll('button[type="submit"]');
    const dropReview = () => document.getElementById('review')?.remove();
    // Changing an option after the review makes it out of date: it goes, and submitting shows a new one.
    form.addEventListener('input', dropReview);
    form.addEventListener('change', dropReview);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return;
      form.dataset.busy = 'true';
      const labels = [...buttons()].map((button) => button.textContent);
      for (const button of buttons()) {
        button.disabled = true;
        button.textContent = 'Checking…';
      }
      const restore = () => {
        delete form.dataset.busy;
        buttons().forEach((button, index) => {
          button.disabled = false;
          button.textContent = labels[index];
        });
      };
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          body: new URLSearchParams(new FormData(form)),
          headers: { 'x-toolbox-review': 'inline', Accept: 'text/html' },
          credentials: 'same-origin',
          cache: 'no-store',
        });
        const location = response.headers.get('x-toolbox-location');
        if (location) {
          window.location.assign(location);
          return;
        }
        if (response.ok && response.headers.get('x-toolbox-review') === 'shown') {
          const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
          const review = doc.getElementById('review');
          if (review) {
            dropReview();
            const card = form.closest('section') ?? form;
            card.after(review);
            review.focus();
            review.scrollIntoView({ block: 'start', behavior: 'smooth' });
            restore();
            return;
          }
        }
      } catch {
        // The network failed: the ordinary post below says what happened.
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  }
  // "Change the options" in an inline review: back to the form, the review gone.
  document.addEventListener('click', (event) => {
    const cancel = event.target.closest?.('[data-review-cancel]');
    if (!cancel || !document.querySelector('form[data-review-inline]')) return;
    event.preventDefault();
    document.getElementById('review')?.remove();
    const title = document.getElementById('form-title');
    title?.scrollIntoView({ block: 'start' });
    document.querySelector('form[data-review-inline] input:not([type="hidden"]), form[data-review-inline] select')?.focus();
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

// Words that repeat what is typed (onboarding's button: "Create the account of Jane Doe").
document.addEventListener('input', (event) => {
  const name = event.target?.name;
  if (!name) return;
  for (const target of document.querySelectorAll('[data-text-from]')) {
    const names = target.getAttribute('data-text-from').split(' ');
    if (!names.includes(name)) continue;
    const form = target.closest('form');
    const text = names
      .map((field) => form?.elements.namedItem(field)?.value?.trim() ?? '')
      .filter(Boolean)
      .join(' ');
    target.textContent = text || target.getAttribute('data-text-empty') || '';
  }
});

// Connection forms (admin console). The PSA page holds one fieldset per PSA kind: only the chosen
// kind's is shown, and the others are disabled so they are not sent. A field with a condition
// (data-show-when-field: another input's name, data-show-when-values: the values that show it,
// any value when absent) is shown only while it holds; a hidden field is disabled too. Without
// script everything is shown, and the server uses only the chosen kind and drops what a condition
// excludes.
(() => {
  const setShown = (element, shown) => {
    element.hidden = !shown;
    for (const control of element.querySelectorAll('input, select, textarea')) control.disabled = !shown;
  };
  const refresh = () => {
    for (const form of document.querySelectorAll('form[data-psa-form]')) {
      const chosen = form.elements.namedItem('kind')?.value;
      for (const fieldset of form.querySelectorAll('fieldset[data-psa-kind]')) {
        setShown(fieldset, fieldset.getAttribute('data-psa-kind') === chosen);
        // Only one kind is shown, so "used only when … is chosen" goes without saying.
        for (const hint of fieldset.querySelectorAll(':scope > .hint')) hint.hidden = true;
      }
    }
    for (const field of document.querySelectorAll('[data-show-when-field]')) {
      const container = field.closest('fieldset[data-psa-kind]');
      if (container?.hidden) continue;
      const form = field.closest('form');
      const other = form?.elements.namedItem(field.getAttribute('data-show-when-field'));
      const value = (other?.value ?? '').trim();
      const values = field.getAttribute('data-show-when-values');
      setShown(field, value !== '' && (!values || JSON.parse(values).includes(value)));
    }
  };
  document.addEventListener('change', refresh);
  document.addEventListener('input', (event) => {
    if (event.target?.closest?.('form[data-psa-form], .connection-form')) refresh();
  });
  refresh();
})();
