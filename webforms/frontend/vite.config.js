// Builds the web tablet's app into ../static/webforms (served by Django's static files as
// /static/webforms/); build-sw.mjs then writes the Workbox service worker beside it.
import { defineConfig } from 'vite';

// ODK Web Forms 0.22 can edit a submitted instance but its component offers no way to resume a
// draft, nor hands the live instance to its host. Small, checked edits to the published
// bundle add both: a draft reopens with the engine's own "restore" mode (same instanceID, no
// deprecatedID), and the host is told of each instance so that it can save drafts as they change;
// two more let the host load a form ahead of the tap that opens it.
// A release that changes these lines fails the build instead of silently losing drafts.
const PATCHES = [
  [
    'const rA = resolvableFormInstanceInput(tA.editInstance), oA = await AA.editInstance(rA, nA);',
    'const rA = resolvableFormInstanceInput(tA.editInstance), oA = tA.editInstance.restore ? ' +
      'await AA.restoreInstance({ data: [await tA.editInstance.restore()] }, nA) : ' +
      'await AA.editInstance(rA, nA);',
  ],
  ['}), success = (eA, tA) => ({', '}), success = (eA, tA) => (globalThis.__waypointInstance?.(tA), {'],
  // Opening at a tap: the host may hand over a form the engine loaded ahead (src/warm.js), and
  // gets the engine's own loader to do so. Without a hand-over the engine loads as before.
  [
    'const AA = await loadForm(eA, tA.form);',
    'const AA = await (globalThis.__waypointLoadForm?.(eA, tA.form, loadForm) ?? loadForm(eA, tA.form));',
  ],
  ['}, loadForm = (eA, tA) => {', '}, loadForm = globalThis.__waypointEngineLoadForm = (eA, tA) => {'],
  // Audio and video: the engine keeps and sends them, but the renderer shows "Support for
  // non-image uploads is pending" instead of the question. src/media-control.js renders them.
  [
    'return (tA, AA) => (openBlock(), createElementBlock("p", null, "🚧 Support for non-image uploads is pending. 🚧"));',
    'return globalThis.__waypointUploadFile?.(eA.question, { ControlText, ValidationMessage }) ?? ' +
      '((tA, AA) => (openBlock(), createElementBlock("p", null, "🚧 Support for non-image uploads is pending. 🚧")));',
  ],
];

function patchWebForms() {
  return {
    name: 'waypoint-patch-web-forms',
    transform(code, id) {
      if (!/@getodk[\\/]web-forms[\\/]dist[\\/]index-/.test(id)) return null;
      let out = code;
      for (const [from, to] of PATCHES) {
        if (!out.includes(from)) throw new Error(`@getodk/web-forms changed; patch not applied: ${from}`);
        out = out.replace(from, to);
      }
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  base: '/static/webforms/',
  plugins: [patchWebForms()],
  build: {
    outDir: '../static/webforms',
    emptyOutDir: true,
    // Not in .vite/: a wheel's package data and collectstatic skip hidden folders.
    manifest: 'manifest.json',
    chunkSizeWarningLimit: 5000,
    rollupOptions: { input: 'src/main.js' },
  },
});
