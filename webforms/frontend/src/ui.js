// The app's own screens (the form itself is ODK Web Forms): header with the outbox counts,
// the form list with drafts, and the frame a form is mounted in. Plain DOM, text only (no
// innerHTML): form titles and server messages are never read as markup. Words: i18n.js.
import { language, languages, t } from './i18n.js';
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** What went wrong with a send, in the volunteer's language: outbox.js stores its own reasons
 * in English (they outlive a change of language); the server's messages are shown as they are. */
function reason(text = '') {
  if (text === 'Offline') return t('offline');
  const network = /^Network error: (.*)$/s.exec(text);
  return network ? t('network_error', { detail: network[1] }) : text;
}

/** The language list: each language named in itself. */
function languagePicker(onLanguage) {
  const select = el(
    'select',
    { id: 'wp-language', onchange: () => onLanguage?.(select.value) },
    ...languages.map((l) => el('option', { value: l.code, lang: l.code, dir: l.dir, selected: l.code === language }, l.name)),
  );
  return el('div', { class: 'wp-language' }, el('label', { for: 'wp-language' }, t('language')), select);
}

export function renderShell(config, { onSendNow, onHome, onExport, onLanguage }) {
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
    el('button', { type: 'button', class: 'wp-home', onclick: onHome }, t('forms')),
    el('div', { class: 'wp-where' }, el('strong', {}, config.servicePoint), el('span', {}, config.project)),
    el('button', { type: 'button', class: 'wp-send', id: 'wp-send-now', onclick: onSendNow }, t('send_now')),
  );
  root.append(header, banner, el('section', { class: 'wp-outbox' }, counts, failures, languagePicker(onLanguage)), status, main);
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
        t('pin_letters'),
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
        el('h1', {}, firstTime ? t('lock_title_new') : t('lock_title')),
        el(
          'p',
          { class: 'wp-muted' },
          firstTime ? t('lock_help_new') : t('lock_help'),
        ),
        el('label', { for: 'wp-pin' }, firstTime ? t('pin_label_new') : t('pin_label')),
        pin,
        ...(firstTime ? [el('label', { for: 'wp-pin-confirm' }, t('pin_again')), confirm] : []),
        error,
        el('div', { class: 'wp-lock-actions' }, el('button', { type: 'submit', id: 'wp-unlock' }, firstTime ? t('pin_set') : t('unlock')), keyboard),
        el(
          'details',
          { class: 'wp-forgot', id: 'wp-forgot' },
          el('summary', {}, firstTime ? t('forgot_new') : t('forgot')),
          el('p', {}, t('forgot_drafts')),
          el('p', {}, t('forgot_forms')),
          ...(!firstTime && waiting
            ? [el('button', { type: 'button', class: 'secondary', id: 'wp-export-forgot', onclick: () => onExport?.() }, t('export_count', { count: waiting }))]
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
        el('span', { 'data-count': 'waiting' }, t('waiting', { count: waiting.length })),
        el('span', { 'data-count': 'sent' }, t('sent', { count: sent.length })),
        el('span', { 'data-count': 'failed' }, t('failed', { count: failed.length })),
      );
      const retrying = waiting.filter((i) => i.lastError);
      failures.replaceChildren(
        ...failed.map((i) => el('li', { class: 'wp-failed' }, `${i.title}: ${reason(i.lastError)}`)),
        ...retrying.map((i) => el('li', { class: 'wp-retrying' }, t('will_retry', { title: i.title, reason: reason(i.lastError) }))),
      );
      banner.hidden = !revoked;
      banner.replaceChildren(
        ...(revoked
          ? [
              el('strong', {}, t('revoked')),
              el('p', {}, t('revoked_said', { reason: revoked.reason })),
              el('p', {}, t('revoked_kept', { count: items.length })),
              ...(items.length
                ? [el('button', { type: 'button', class: 'wp-export', id: 'wp-export', onclick: () => onExport?.() }, t('export'))]
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
        el('span', { class: 'wp-muted' }, t('version', { version: form.version })),
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
        el('span', { dir: 'auto' }, `${draft.title} · ${new Date(draft.updatedAt).toLocaleString(language)}`),
        el('button', { type: 'button', class: 'wp-continue', onclick: () => onContinue(draft) }, t('continue')),
        el('button', { type: 'button', class: 'wp-discard secondary', onclick: () => onDiscard(draft) }, t('delete')),
      ),
    );
  }
  shell.main.replaceChildren(
    ...(notice ? [el('p', { class: 'wp-notice', role: 'status' }, notice)] : []),
    el('h1', {}, t('forms')),
    forms.length ? list : el('p', { class: 'wp-muted' }, t('no_forms')),
    el('h2', {}, t('drafts', { count: drafts.length })),
    drafts.length ? draftList : el('p', { class: 'wp-muted' }, t('no_drafts')),
  );
}
