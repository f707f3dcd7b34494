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

// The engine's own words in the volunteer's language (ODK Web Forms 0.22 has no translations:
// "TODO: translations" in its source). Each literal becomes a call to the app's catalogue
// (src/i18n.js, strings from webforms/app_strings.py), with the engine's text as the fallback.
const tr = (key, english, params = '') =>
  `(globalThis.__waypointT?.(${JSON.stringify(key)}${params ? `, ${params}` : ''}) ?? (${english}))`;
const WORDS = [
  ['label: "Send",', `label: ${tr('form_send', '"Send"')},`],
  ['createTextVNode(" Add ", -1)', `createTextVNode(" " + ${tr('form_add', '"Add"')} + " ", -1)`],
  ['/* TODO: translations */\n            label: "Remove",', `label: ${tr('form_remove', '"Remove"')},`],
  ['// TODO: translations\n      label: "Change language",', `label: ${tr('form_change_language', '"Change language"')},`],
  ['createElementVNode("span", null, "Take picture", -1)', `createElementVNode("span", null, ${tr('form_take_picture', '"Take picture"')}, -1)`],
  ['createElementVNode("span", null, "Try again", -1)', `createElementVNode("span", null, ${tr('form_try_again', '"Try again"')}, -1)`],
  ['createElementVNode("span", null, "Rank items", -1)', `createElementVNode("span", null, ${tr('form_rank_items', '"Rank items"')}, -1)`],
  ['label: "Save location",', `label: ${tr('form_save_location', '"Save location"')},`],
  [
    'constraintMsg: "Condition not satisfied: constraint",\n  requiredMsg: "Condition not satisfied: required"',
    `constraintMsg: ${tr('form_constraint', '"Condition not satisfied: constraint"')},\n` +
      `  requiredMsg: ${tr('form_required', '"Condition not satisfied: required"')}`,
  ],
  [
    'QA === 0 ? "" : QA === 1 ? "1 question with error." : `${QA} questions with errors.`',
    `QA === 0 ? "" : ${tr('form_errors', 'QA === 1 ? "1 question with error." : `${QA} questions with errors.`', '{ count: QA }')}`,
  ],
  [
    '[GEOPOINT_ACCURACY_QUALITY.GOOD]: "Good accuracy",\n  [GEOPOINT_ACCURACY_QUALITY.ACCEPTABLE]: "Good accuracy",\n' +
      '  [GEOPOINT_ACCURACY_QUALITY.POOR]: "Poor accuracy",\n  [GEOPOINT_ACCURACY_QUALITY.UNKNOWN]: "Unknown accuracy"',
    `[GEOPOINT_ACCURACY_QUALITY.GOOD]: ${tr('form_accuracy_good', '"Good accuracy"')},\n` +
      `  [GEOPOINT_ACCURACY_QUALITY.ACCEPTABLE]: ${tr('form_accuracy_good', '"Good accuracy"')},\n` +
      `  [GEOPOINT_ACCURACY_QUALITY.POOR]: ${tr('form_accuracy_poor', '"Poor accuracy"')},\n` +
      `  [GEOPOINT_ACCURACY_QUALITY.UNKNOWN]: ${tr('form_accuracy_unknown', '"Unknown accuracy"')}`,
  ],
  [
    '"Latitude: " + toDisplayString(oA.latitude) + ","',
    tr('form_latitude', '"Latitude: " + toDisplayString(oA.latitude) + ","', '{ value: toDisplayString(oA.latitude) }'),
  ],
  [
    '"Longitude: " + toDisplayString(oA.longitude) + "."',
    tr('form_longitude', '"Longitude: " + toDisplayString(oA.longitude) + "."', '{ value: toDisplayString(oA.longitude) }'),
  ],
  [
    '"Accuracy: " + toDisplayString(unref(truncateDecimals)(oA.accuracy, { decimals: 3 })) + " m,"',
    tr(
      'form_accuracy',
      '"Accuracy: " + toDisplayString(unref(truncateDecimals)(oA.accuracy, { decimals: 3 })) + " m,"',
      '{ value: toDisplayString(unref(truncateDecimals)(oA.accuracy, { decimals: 3 })) }',
    ),
  ],
  // PrimeVue's own words (the date picker's): its locale, built by src/i18n.js.
  [
    'eA.use(PrimeVue, { theme: { preset: odkThemePreset, options: { darkModeSelector: !1 } } });',
    'eA.use(PrimeVue, { theme: { preset: odkThemePreset, options: { darkModeSelector: !1 } }, ' +
      'locale: globalThis.__waypointPrimeLocale?.() ?? {} });',
  ],
  [
    'DIALOG_TITLE: "An error occurred while loading this form",\n      DETAILS_SUMMARY_LABEL: "Technical error details"',
    `DIALOG_TITLE: ${tr('form_load_failed', '"An error occurred while loading this form"')},\n` +
      `      DETAILS_SUMMARY_LABEL: ${tr('form_error_details', '"Technical error details"')}`,
  ],
];

function patchWebForms() {
  return {
    name: 'waypoint-patch-web-forms',
    transform(code, id) {
      if (!/@getodk[\\/]web-forms[\\/]dist[\\/]index-/.test(id)) return null;
      let out = code;
      for (const [from, to] of [...PATCHES, ...WORDS]) {
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
