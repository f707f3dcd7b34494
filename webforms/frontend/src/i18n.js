// The app's own words in the volunteer's language. The strings come from Django's catalogues
// (webforms/app_strings.py), every language in the page, so the choice holds offline. The choice
// is kept in this browser; the first time, the browser's language if Waypoint speaks it.
const KEY = 'waypoint-webforms-language';
const data = JSON.parse(document.getElementById('wp-strings')?.textContent || '{}');
const languages = data.languages || [{ code: 'en', name: 'English', dir: 'ltr' }];
const strings = data.strings || {};
const known = (code) => languages.some((l) => l.code === code);

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage refused (private mode): the browser's language each time
  }
}

function chosen() {
  if (known(stored())) return stored();
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (known(base)) return base;
  }
  return 'en';
}

const language = chosen();
const info = languages.find((l) => l.code === language) || languages[0];

export { languages, language };
export const dir = info.dir;

/** The app's direction and language on <html> (a form may set its own while it is open). */
export function applyLanguage() {
  document.documentElement.lang = language;
  document.documentElement.dir = dir;
}

/** The string ``key`` in the chosen language, English when it has none, with ``%(name)s`` filled. */
export function t(key, params = {}) {
  const text = strings[language]?.[key] || strings.en?.[key] || key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ''));
}

// ODK Web Forms' own words, patched to ask here (vite.config.js): the engine loads after this
// module, and the language is fixed for the page's life (a change reloads it).
// A page cached before a key existed has no such string: the engine's own English then.
globalThis.__waypointT = (key, params) =>
  strings[language]?.[key] || strings.en?.[key] ? t(key, params) : undefined;

/** Keep the choice and reload: every screen is drawn again in it (the page is cached offline). */
export function chooseLanguage(code) {
  if (!known(code) || code === language) return;
  try {
    localStorage.setItem(KEY, code);
  } catch {
    return;
  }
  location.reload();
}
