// Waypoint's web tablet: the service point's forms in the browser, filled with ODK Web Forms,
// kept offline (Workbox service worker, IndexedDB) and sent through an outbox that speaks
// OpenRosa to the tablet's own server URL, as ODK Collect does.
// The engine (Vue, ODK Web Forms) is imported by warm.js after the PIN screen shows.
import { applyLanguage, chooseLanguage, language as appLanguage, t } from './i18n.js';
import { createOutbox } from './outbox.js';
import { createPinLock, pinProblem, sealFiles, unsealFiles } from './pin.js';
import { download, recoveryFile, recoveryTarget, sealForRecovery } from './recovery.js';
import { filesOf, formDataOf, openStore } from './store.js';
import { renderHome, renderShell, setStatus } from './ui.js';
import { attachmentFetcher, formHost, take, warmForms } from './warm.js';
import './style.css';

const OPENROSA = { 'X-OpenRosa-Version': '1.0' };
const RTL = /(arab|\(ar\)|farsi|persian|\(fa\)|urdu|\(ur\)|pashto|\(ps\)|hebrew|\(he\)|kurdish.*sorani|\(ckb\))/i;
const config = document.getElementById('waypoint-webforms').dataset;
const server = config.server;
const deviceId = config.device;

applyLanguage();
const state = { forms: [], current: null, revoked: null, offlineReady: false };
const idleSeconds = Number(config.idleSeconds) || 600;
const store = await openStore(deviceId);
const pin = createPinLock(store);
const outbox = createOutbox({ store, server, deviceId, onChange: () => refresh(), getKey: () => pin.key });
const shell = renderShell(config, {
  onSendNow: () => outbox.retryNow(),
  onHome: () => pin.key && closeForm().then(() => showHome()),
  onExport: () => exportForDpo().catch((e) => setStatus(shell, 'export', t('export_failed', { error: e.message }))),
  // The page is drawn again in the new language; the open form's draft is saved first.
  onLanguage: async (code) => {
    await state.current?.flushDraft?.().catch(() => {});
    chooseLanguage(code);
  },
});
const recovery = recoveryTarget(config);

/** The file for the DPO (recovery.js): what this tablet cannot send, readable by Waypoint only.
 * The forms stay on the tablet: the DPO's upload is what makes them safe. */
async function exportForDpo() {
  if (!recovery) return setStatus(shell, 'export', t('export_online_first'));
  const { blob, count, left } = await recoveryFile({ store, target: recovery, key: pin.key });
  download(blob, recovery);
  setStatus(shell, 'export', left ? t('exported_left', { count, left }) : t('exported', { count }));
}

/** A same-origin path from an absolute URL the server handed out (its public URL may differ). */
const local = (url) => {
  const u = new URL(url, location.href);
  return u.pathname + u.search;
};

function parseList(text) {
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  return [...doc.getElementsByTagName('xform')].map((x) => {
    const get = (n) => x.getElementsByTagName(n)[0]?.textContent ?? '';
    return {
      formId: get('formID'),
      name: get('name'),
      version: get('version'),
      hash: get('hash'),
      downloadUrl: local(get('downloadUrl')),
      manifestUrl: get('manifestUrl') ? local(get('manifestUrl')) : '',
    };
  });
}

async function noteRevoked(response) {
  const text = await response.text().catch(() => '');
  const message = new DOMParser().parseFromString(text, 'text/xml').getElementsByTagName('message')[0];
  const reason = message?.textContent || `HTTP ${response.status}`;
  await store.setMeta(`revoked:${server}`, { reason, at: new Date().toISOString() });
}

/** The form list: from the server (through the service worker's cache when offline), else
 * the last one this tablet saw. */
async function loadForms() {
  try {
    const response = await fetch(`${server}/formList`, { headers: OPENROSA });
    if (response.status === 401 || response.status === 403) {
      await noteRevoked(response);
    } else if (response.ok) {
      state.forms = parseList(await response.text());
      await store.setMeta('formList', state.forms);
      return;
    }
  } catch {
    // offline and not cached yet: the copy in IndexedDB below
  }
  state.forms = (await store.getMeta('formList')) || [];
}

async function mediaOf(form) {
  if (!form.manifestUrl) return {};
  const response = await fetch(form.manifestUrl, { headers: OPENROSA });
  if (!response.ok) return {};
  const doc = new DOMParser().parseFromString(await response.text(), 'text/xml');
  const media = {};
  for (const m of doc.getElementsByTagName('mediaFile')) {
    const get = (n) => m.getElementsByTagName(n)[0]?.textContent ?? '';
    media[get('filename')] = local(get('downloadUrl'));
  }
  return media;
}

/** Everything the tablet needs offline, fetched once through the service worker (which keeps
 * it): each form, its manifest and its media. Forms carry their own translations. */
async function warmCache() {
  await formsLoaded;
  // The page itself was loaded before the worker existed: fetched again, it is kept too.
  await fetch(config.app).then((r) => r.text());
  for (const form of state.forms) {
    await fetch(form.downloadUrl).then((r) => r.text());
    const media = await mediaOf(form);
    for (const path of Object.values(media)) await fetch(path).then((r) => r.blob());
  }
  state.offlineReady = true;
  setStatus(shell, 'offline-ready', t('offline_ready'));
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  await navigator.serviceWorker.register(`${config.app}sw.js`, { scope: config.app });
  if (!navigator.serviceWorker.controller)
    await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  if (navigator.onLine) await warmCache().catch((e) => console.warn('cache warm-up', e));
  else setStatus(shell, 'offline-ready', t('offline'));
}

/** A form that has the app's language opens in it (the volunteer chose it once, for the app); the
 * form's own menu still switches. XLSForm names a language "العربية (ar)": the code decides. */
function speakAppLanguage(instance) {
  const root = instance?.root;
  const code = (name) => /\(([a-z]{2,3})(-[A-Za-z]+)?\)/.exec(name || '')?.[1];
  const match = root?.languages?.find((l) => !l.isSyntheticDefault && code(l.language) === appLanguage);
  if (match && root.currentState?.activeLanguage?.language !== match.language) root.setLanguage(match);
}

function setDirection(instance) {
  const language = instance?.root?.currentState?.activeLanguage?.language || '';
  const rtl = RTL.test(language);
  document.documentElement.dir = rtl ? 'rtl' : 'ltr';
  const code = /\(([a-z]{2,3}(-[A-Za-z]+)?)\)/.exec(language);
  document.documentElement.lang = code ? code[1] : 'en';
}

/** meta/instanceID, as the server reads it (whatever namespace the engine writes it in). */
function instanceIdOf(xml) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return doc.getElementsByTagNameNS('*', 'instanceID')[0]?.textContent?.trim() ?? '';
}

async function saveDraft() {
  const current = state.current;
  if (!current?.instance || current.closed || !pin.key) return;
  const payload = await current.instance.root.prepareInstancePayload({ payloadType: 'monolithic' });
  if (current.closed) return;
  const files = filesOf(payload.data[0]);
  const xml = await files.find((f) => f.field === 'xml_submission_file').blob.text();
  if (xml === current.lastXml) return;
  current.lastXml = xml;
  await store.saveDraft({
    id: current.draftId,
    formId: current.form.formId,
    version: current.form.version,
    title: current.form.name,
    form: current.form,
    formXml: current.xml,
    instanceId: instanceIdOf(xml),
    files: await sealFiles(pin.key, files),
    updatedAt: new Date().toISOString(),
  });
  setStatus(shell, 'draft', t('draft_saved'));
}

async function finalise(payload, callback) {
  const current = state.current;
  current.closed = true;
  clearTimeout(current.timer);
  let files = filesOf(payload.data[0]);
  const xml = await files.find((f) => f.field === 'xml_submission_file').blob.text();
  const instanceId = instanceIdOf(xml);
  if (!instanceId) throw new Error('The form has no meta/instanceID: it cannot be sent safely.');
  // A form with a public key: only the DPO's private key opens what leaves this step.
  const publicKey = payload.submissionMeta?.encryptionKey;
  if (publicKey) files = await (await import('./collect-encryption.js')).encryptAsCollect(files, publicKey);
  const queuedAt = new Date().toISOString();
  const meta = { instanceId, formId: current.form.formId, queuedAt };
  await store.finalise(current.draftId, {
    instanceId,
    formId: current.form.formId,
    title: current.form.name,
    files: await sealFiles(pin.key, files),
    // The same files sealed to the project's recovery key: the DPO can still recover them if
    // the tablet is revoked or its PIN forgotten (recovery.js).
    // Never a reason to lose the form: without it, the export seals the item with the PIN.
    recovery: recovery ? await sealForRecovery(recovery, meta, files).catch(() => null) : null,
    state: 'waiting',
    attempts: 0,
    queuedAt,
  });
  callback?.({ status: 'success' });
  await closeForm();
  showHome(t('in_outbox', { title: current.form.name }));
  outbox.flush();
}

/** ODK Web Forms 0.22 puts a number question's id on PrimeVue's wrapper, not on its input, so
 * the question's <label for> names nothing and screen readers read an unlabelled field. */
function labelNumberInputs(mount) {
  for (const wrapper of mount.querySelectorAll('.p-inputnumber[id]')) {
    const input = wrapper.querySelector('input');
    const label = mount.querySelector(`label[for="${CSS.escape(wrapper.id)}"]`);
    if (!input || !label || input.hasAttribute('aria-labelledby')) continue;
    label.id ||= `${wrapper.id}-label`;
    input.setAttribute('aria-labelledby', label.id);
  }
}

async function openForm(form, draft = null) {
  // A draft reopens on the form version it was started with, even if the form changed since.
  const xml = draft?.formXml ?? (await (await fetch(form.downloadUrl)).text());
  const media = await mediaOf(form).catch(() => ({}));
  const host = await formHost();
  const current = {
    form,
    xml,
    draftId: draft?.id ?? crypto.randomUUID(),
    instance: null,
    lastXml: null,
    closed: false,
  };
  state.current = current;
  window.__waypointInstance = (instance) => {
    current.instance = instance;
    speakAppLanguage(instance);
    setDirection(instance);
  };
  const mount = shell.showForm(form.name);
  const props = {
    formXml: xml,
    fetchFormAttachment: attachmentFetcher(media),
    missingResourceBehavior: 'BLANK',
    preloadProperties: { deviceID: `waypoint-web:${deviceId}` },
    onSubmit: (payload, callback) => finalise(payload, callback),
  };
  if (draft) {
    props.editInstance = {
      resolveInstance: async () => '',
      attachmentFileNames: [],
      resolveAttachment: async () => new Response(''),
      restore: async () => formDataOf(await unsealFiles(pin.key, draft.files)),
    };
  }
  take(xml, media); // the form loaded ahead for this XML, if any (warm.js)
  host.show(props, mount);
  current.hide = () => host.hide();
  new MutationObserver(() => labelNumberInputs(mount)).observe(mount, { childList: true, subtree: true });
  const changed = () => {
    clearTimeout(current.timer);
    current.timer = setTimeout(() => {
      setDirection(current.instance);
      saveDraft().catch((e) => console.error('draft not saved', e));
    }, 300);
  };
  for (const type of ['input', 'change', 'click', 'keyup']) mount.addEventListener(type, changed, true);
  current.flushDraft = () => {
    clearTimeout(current.timer);
    return saveDraft();
  };
}

async function closeForm() {
  const current = state.current;
  if (!current) return;
  if (!current.closed) await current.flushDraft?.().catch(() => {});
  current.closed = true;
  clearTimeout(current.timer);
  current.hide?.();
  state.current = null;
  applyLanguage(); // the app's own direction again, not the form's
}

async function refresh() {
  state.revoked = await store.getMeta(`revoked:${server}`);
  const [outboxItems, sent] = await Promise.all([store.outbox(), store.sent()]);
  shell.showOutbox({ items: outboxItems, sent, revoked: state.revoked });
  return outboxItems;
}

async function showHome(notice = '') {
  await formsLoaded;
  await refresh();
  const drafts = await store.drafts();
  renderHome(shell, {
    forms: state.forms,
    drafts,
    notice,
    onStart: (form) => openForm(form),
    onContinue: (draft) => openForm(draft.form ?? state.forms.find((f) => f.formId === draft.formId), draft),
    onDiscard: async (draft) => {
      await store.deleteDraft(draft.id);
      showHome(t('draft_deleted'));
    },
  });
  warmAhead();
}

/** Each listed form fetched once per page (through the service worker, as openForm does) for
 * warm.js, which loads it in the engine ahead of a tap. */
const sources = new WeakMap();
function warmAhead() {
  const source = async (form) => {
    if (!sources.has(form)) {
      const fetched = Promise.all([fetch(form.downloadUrl).then((r) => (r.ok ? r.text() : null)), mediaOf(form)]);
      sources.set(form, fetched.then(([xml, media]) => (xml ? { xml, media } : Promise.reject(new Error('no form')))));
      sources.get(form).catch(() => sources.delete(form)); // tried again next time
    }
    return sources.get(form);
  };
  formsLoaded
    .then(() => warmForms(state.forms, source, () => !state.current))
    .catch((e) => console.warn('forms not loaded ahead', e));
}

window.addEventListener('pagehide', () => state.current?.flushDraft?.());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') state.current?.flushDraft?.();
});
window.addEventListener('online', () => setStatus(shell, 'network', t('online')));
window.addEventListener('offline', () => setStatus(shell, 'network', t('offline_kept')));

/** The PIN screen until the right PIN is entered (chosen, the first time). */
async function unlock() {
  const firstTime = !(await pin.isSet());
  const waiting = (await store.outbox()).length;
  await new Promise((resolve) => {
    shell.showLock({
      firstTime,
      waiting,
      onSubmit: async (entered, confirmation) => {
        if (!entered) return t('pin_enter');
        if (firstTime) {
          // Only when choosing: a tablet whose PIN was set under older rules still unlocks.
          const weak = pinProblem(entered);
          if (weak) return weak;
          if (entered !== confirmation) return t('pin_differ');
          await pin.choose(entered);
        } else if (!(await pin.unlock(entered))) {
          return t('pin_wrong');
        }
        resolve();
        return null;
      },
    });
    warmAhead(); // the forms load in the engine while the PIN is typed (warm.js)
  });
  await showHome();
  outbox.flush();
}

/** Idle: the open form is saved (encrypted), closed, and the key forgotten. */
let idleTimer = null;
async function lockNow() {
  if (!pin.key) return;
  await closeForm();
  pin.lock();
  await unlock();
}
function stillHere() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => lockNow(), idleSeconds * 1000);
}
for (const type of ['pointerdown', 'keydown', 'input', 'touchstart', 'wheel'])
  document.addEventListener(type, stillHere, { capture: true, passive: true });

// The PIN screen does not wait for the form list: on a slow link its request can take seconds.
// Its answer (a revoked tablet among them) shows when it comes.
const formsLoaded = loadForms().then(() => refresh());
await refresh();
setStatus(shell, 'network', navigator.onLine ? t('online') : t('offline_kept'));
registerWorker().catch((e) => console.warn('service worker', e));
stillHere();
await unlock();
