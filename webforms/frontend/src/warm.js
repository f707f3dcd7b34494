// Opening a form at a tap without waiting for the engine: while the tablet shows its PIN screen
// or its form list, the engine is loaded and each form is loaded by the engine ahead (fetched,
// its XForm parsed, its model and secondary instances built), one form per idle moment. A tap
// then only creates the instance and renders it. A form loaded ahead is used by one instance
// only, then loaded again at the next idle moment: every instance keeps the engine's own
// reactive scope, as when the component loads the form itself. What depends on the moment
// (instanceID, start time, preloads) is never computed ahead.
let engine = null;
const ready = new Map(); // the form's XML -> { formId, media (JSON), loaded (the engine's Promise) }
let handed = null; // what openForm took for the component being mounted now
let queue = Promise.resolve();

/** The engine module (src/engine.js), imported once (tried again at the next call if it failed). */
export function loadEngine() {
  engine ??= import('./engine.js').catch((error) => {
    engine = host = null;
    throw error;
  });
  return engine;
}

/** The one Vue app forms are shown in, made once per page: installing ODK Web Forms' plugin
 * (PrimeVue and its theme, a reset style sheet) costs as much as loading a small form, and
 * made per form it added a style sheet each time. ``show`` mounts the component for one form
 * (a new key: nothing of the previous form is reused), ``hide`` unmounts it. */
let host = null;
export function formHost() {
  host ??= loadEngine().then(({ createApp, h, shallowRef, OdkWebForm, webFormsPlugin }) => {
    const shown = shallowRef(null);
    const container = document.createElement('div');
    const app = createApp({
      render: () => (shown.value ? h(OdkWebForm, { key: shown.value.key, ...shown.value.props }) : null),
    });
    app.use(webFormsPlugin);
    app.mount(container);
    let key = 0;
    return {
      show(props, mount) {
        shown.value = { key: ++key, props };
        mount.append(container);
      },
      hide() {
        shown.value = null;
        container.remove();
      },
    };
  });
  return host;
}

/** The component's fetchFormAttachment: a form's media by file name, from the tablet's cache. */
export function attachmentFetcher(media) {
  return async (url) => {
    const name = decodeURIComponent(String(url.href ?? url).split('/').pop());
    return media[name] ? fetch(media[name]) : new Response('', { status: 404 });
  };
}

const idle = () =>
  new Promise((resolve) =>
    'requestIdleCallback' in window ? requestIdleCallback(resolve, { timeout: 1000 }) : setTimeout(resolve, 50),
  );

/** Load these forms ahead, in turn, each at an idle moment; ``source(form)`` gives its XML and
 * media (or null to skip it). A form already loaded ahead and not used yet is not loaded again.
 * ``wanted()`` false (a form is open: its rendering comes first) stops until the next call. */
export function warmForms(forms, source, wanted) {
  queue = queue.then(async () => {
    for (const form of forms) {
      await idle();
      if (!wanted()) return;
      const found = await source(form).catch(() => null);
      if (!found || ready.has(found.xml)) continue;
      // An older version of this form, loaded ahead before the form changed, is not kept.
      for (const [xml, entry] of ready) if (entry.formId === form.formId) ready.delete(xml);
      await formHost();
      const options = { fetchFormAttachment: attachmentFetcher(found.media), missingResourceBehavior: 'BLANK' };
      const loaded = globalThis.__waypointEngineLoadForm(found.xml, options);
      ready.set(found.xml, { formId: form.formId, media: JSON.stringify(found.media), loaded });
      // Loaded before the next one starts: one form at a time keeps the tablet responsive.
      await loaded.catch(() => ready.delete(found.xml));
    }
  });
  return queue;
}

/** Before mounting the component on this XML and media: the form loaded ahead for it, if any,
 * is handed to the engine (the patch in vite.config.js calls the hook below). */
export function take(xml, media) {
  const found = ready.get(xml);
  ready.delete(xml);
  handed = found && found.media === JSON.stringify(media) ? { xml, loaded: found.loaded } : null;
}

globalThis.__waypointLoadForm = (xml, _options, _load) => {
  const found = handed;
  handed = null;
  return found?.xml === xml ? found.loaded : null;
};
