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

// PrimeVue's own words (the date picker's month and day names, Today, Clear and its buttons'
// labels), given to the engine's PrimeVue as its locale (patched in by vite.config.js). Names
// of months and days, "today" and the first day of the week come from the browser (Intl) in the
// app's language; the rest from the catalogue. English keeps PrimeVue's own.
const text = (key) => strings[language]?.[key] || undefined;
const capital = (word) => word.charAt(0).toLocaleUpperCase(language) + word.slice(1);

function names(options, count, date) {
  const format = new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' });
  return Array.from({ length: count }, (_, i) => format.format(date(i)));
}

function dateOrder() {
  // Day before month ("dd/mm/yy") or after it ("mm/dd/yy"), as the language writes dates.
  const parts = new Intl.DateTimeFormat(language, { timeZone: 'UTC' }).formatToParts(Date.UTC(2026, 11, 31));
  const kinds = parts.map((part) => part.type).filter((type) => type === 'day' || type === 'month');
  return kinds[0] === 'day' ? 'dd/mm/yy' : 'mm/dd/yy';
}

function firstDayOfWeek() {
  try {
    const locale = new Intl.Locale(language);
    const first = (locale.getWeekInfo?.() ?? locale.weekInfo)?.firstDay; // 1 Monday .. 7 Sunday
    return first ? first % 7 : undefined;
  } catch {
    return undefined;
  }
}

function primeLocale() {
  if (language === 'en') return {};
  const day = (i) => new Date(Date.UTC(2026, 0, 4 + i)); // 4 January 2026 was a Sunday
  const month = (i) => new Date(Date.UTC(2026, i, 15));
  const words = {
    dayNames: names({ weekday: 'long' }, 7, day),
    dayNamesShort: names({ weekday: 'short' }, 7, day),
    dayNamesMin: names({ weekday: 'narrow' }, 7, day),
    monthNames: names({ month: 'long' }, 12, month),
    monthNamesShort: names({ month: 'short' }, 12, month),
    today: capital(new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(0, 'day')),
    firstDayOfWeek: firstDayOfWeek(),
    dateFormat: dateOrder(),
    clear: text('picker_clear'),
    chooseDate: text('picker_choose_date'),
    chooseMonth: text('picker_choose_month'),
    chooseYear: text('picker_choose_year'),
    prevMonth: text('picker_prev_month'),
    nextMonth: text('picker_next_month'),
    prevYear: text('picker_prev_year'),
    nextYear: text('picker_next_year'),
    prevDecade: text('picker_prev_decade'),
    nextDecade: text('picker_next_decade'),
    aria: { close: text('picker_close') },
  };
  // A page cached before a word existed lacks it: PrimeVue's English for that word.
  const defined = (object) =>
    Object.fromEntries(
      Object.entries(object)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, value && typeof value === 'object' && !Array.isArray(value) ? defined(value) : value]),
    );
  return defined(words);
}

globalThis.__waypointPrimeLocale = primeLocale;
