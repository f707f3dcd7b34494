// The app's own screens (the form itself is ODK Web Forms): header with the outbox counts,
// the form list with drafts, and the frame a form is mounted in. Plain DOM, text only (no
// innerHTML): form titles and server messages are never read as markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

export function renderShell(config, { onSendNow, onHome, onExport }) {
  const root = document.getElementById('waypoint-webforms');
  root.replaceChildren();
  const status = el('p', { class: 'wp-status', role: 'status', 'aria-live': 'polite' });
  const counts = el('div', { class: 'wp-counts', id: 'wp-outbox', 'aria-live': 'polite' });
  const banner = el('div', { class: 'wp-revoked', id: 'wp-revoked', role: 'alert', hidden: true });
  const failures = el('ul', { class: 'wp-failures', id: 'wp-failures' });
  const main = el('main', { class: 'wp-main', id: 'wp-main' });
  const header = el(
    'header',
    { class: 'wp-header' },
    el('button', { type: 'button', class: 'wp-home', onclick: onHome }, 'Forms'),
    el('div', { class: 'wp-where' }, el('strong', {}, config.servicePoint), el('span', {}, config.project)),
    el('button', { type: 'button', class: 'wp-send', id: 'wp-send-now', onclick: onSendNow }, 'Send now'),
  );
  root.append(header, banner, el('section', { class: 'wp-outbox' }, counts, failures), status, main);
  const statuses = {};
  return {
    root,
    main,
    status,
    statuses,
    showForm(title) {
      const mount = el('div', { class: 'wp-form', id: 'wp-form' });
      main.replaceChildren(el('h1', { class: 'wp-sr-only' }, title), mount);
      return mount;
    },
    showLock({ firstTime, onSubmit, waiting = 0 }) {
      const pin = el('input', { id: 'wp-pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', required: true });
      const confirm = el('input', { id: 'wp-pin-confirm', type: 'password', inputmode: 'numeric', autocomplete: 'off', required: true });
      const error = el('p', { id: 'wp-pin-error', class: 'wp-error', role: 'alert' });
      // A passphrase needs letters: the numeric keypad of a phone has none.
      const keyboard = el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'wp-pin-keyboard',
          'aria-pressed': 'false',
          onclick: () => {
            const letters = pin.inputMode === 'numeric';
            for (const input of [pin, confirm]) input.inputMode = letters ? 'text' : 'numeric';
            keyboard.setAttribute('aria-pressed', String(letters));
            pin.focus();
          },
        },
        'Letters (passphrase)',
      );
      const form = el(
        'form',
        {
          class: 'wp-lock',
          id: 'wp-lock',
          onsubmit: async (event) => {
            event.preventDefault();
            error.textContent = '';
            const problem = await onSubmit(pin.value, confirm.value);
            if (problem) {
              error.textContent = problem;
              pin.value = confirm.value = '';
              pin.focus();
            }
          },
        },
        el('h1', {}, firstTime ? 'Choose a PIN for this tablet' : 'Enter the tablet’s PIN'),
        el(
          'p',
          { class: 'wp-muted' },
          firstTime
            ? 'Forms and drafts on this device are encrypted with it. Everyone who uses this tablet needs it; without it, unsent forms cannot be read or sent.'
            : 'The forms on this device are encrypted. The app locks itself when nobody uses it for a while.',
        ),
        el('label', { for: 'wp-pin' }, firstTime ? 'PIN: 6 digits or more, or a passphrase of 8 characters or more' : 'PIN or passphrase'),
        pin,
        ...(firstTime ? [el('label', { for: 'wp-pin-confirm' }, 'The same PIN again'), confirm] : []),
        error,
        el('div', { class: 'wp-lock-actions' }, el('button', { type: 'submit', id: 'wp-unlock' }, firstTime ? 'Set PIN' : 'Unlock'), keyboard),
        el(
          'details',
          { class: 'wp-forgot', id: 'wp-forgot' },
          el('summary', {}, firstTime ? 'If the PIN is forgotten' : 'Forgot the PIN?'),
          el('p', {}, 'Nobody can open the drafts without the PIN, not even Waypoint: they are lost.'),
          el(
            'p',
            {},
            'Finished forms waiting to be sent are also sealed for Waypoint alone. Export them for the data protection officer, who uploads the file to Waypoint; they are then stored as if this tablet had sent them.',
          ),
          ...(!firstTime && waiting
            ? [el('button', { type: 'button', class: 'secondary', id: 'wp-export-forgot', onclick: () => onExport?.() }, `Export for the data protection officer (${waiting})`)]
            : []),
        ),
      );
      main.replaceChildren(form);
      pin.focus();
    },
    showOutbox({ items, sent, revoked }) {
      const waiting = items.filter((i) => i.state === 'waiting');
      const failed = items.filter((i) => i.state === 'failed');
      counts.replaceChildren(
        el('span', { 'data-count': 'waiting' }, `Waiting: ${waiting.length}`),
        el('span', { 'data-count': 'sent' }, `Sent: ${sent.length}`),
        el('span', { 'data-count': 'failed' }, `Failed: ${failed.length}`),
      );
      const retrying = waiting.filter((i) => i.lastError);
      failures.replaceChildren(
        ...failed.map((i) => el('li', { class: 'wp-failed' }, `${i.title}: ${i.lastError}`)),
        ...retrying.map((i) => el('li', { class: 'wp-retrying' }, `${i.title}: will retry (${i.lastError})`)),
      );
      banner.hidden = !revoked;
      banner.replaceChildren(
        ...(revoked
          ? [
              el('strong', {}, 'This tablet can no longer send forms: its access was revoked.'),
              el('p', {}, `The server said: ${revoked.reason}`),
              el(
                'p',
                {},
                `${items.length} unsent form(s) are kept on this device. Do not clear the browser's data; ` +
                  'ask your supervisor for a new link, or export them for the data protection officer.',
              ),
              ...(items.length
                ? [el('button', { type: 'button', class: 'wp-export', id: 'wp-export', onclick: () => onExport?.() }, 'Export for the data protection officer')]
                : []),
            ]
          : []),
      );
    },
  };
}

export function setStatus(shell, key, text) {
  shell.statuses[key] = text;
  shell.status.textContent = Object.values(shell.statuses).join(' · ');
}

export function renderHome(shell, { forms, drafts, notice, onStart, onContinue, onDiscard }) {
  const list = el('ul', { class: 'wp-forms', id: 'wp-forms' });
  for (const form of forms) {
    list.append(
      el(
        'li',
        {},
        el('button', { type: 'button', class: 'wp-start', 'data-form': form.formId, onclick: () => onStart(form) }, form.name),
        el('span', { class: 'wp-muted' }, `version ${form.version}`),
      ),
    );
  }
  const draftList = el('ul', { class: 'wp-drafts', id: 'wp-drafts' });
  drafts.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  for (const draft of drafts) {
    draftList.append(
      el(
        'li',
        { 'data-draft': draft.id },
        el('span', { dir: 'auto' }, `${draft.title} · ${new Date(draft.updatedAt).toLocaleString()}`),
        el('button', { type: 'button', class: 'wp-continue', onclick: () => onContinue(draft) }, 'Continue'),
        el('button', { type: 'button', class: 'wp-discard secondary', onclick: () => onDiscard(draft) }, 'Delete'),
      ),
    );
  }
  shell.main.replaceChildren(
    ...(notice ? [el('p', { class: 'wp-notice', role: 'status' }, notice)] : []),
    el('h1', {}, 'Forms'),
    forms.length ? list : el('p', { class: 'wp-muted' }, 'No forms yet: connect once to download them.'),
    el('h2', {}, `Drafts (${drafts.length})`),
    drafts.length ? draftList : el('p', { class: 'wp-muted' }, 'No drafts.'),
  );
}
