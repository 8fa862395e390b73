// i18n.js — the language of the pages: zh-CN and English.
//
//   import { t, apply, onLangChange, setLang } from '/js/i18n.js';
//   t('signin.heading')                    -> "登录"
//   t('account.member_since', { date })    -> "{date} 加入" filled in
//   <h1 data-i18n="signin.heading">登录</h1>
//   <input data-i18n-placeholder="home.search_placeholder">
//   <button data-i18n-aria-label="nav.close">
//   <p data-i18n="error.invalid" data-i18n-vars='{"detail":"..."}'>
//
// The language is localStorage "sinian.lang" if set, else navigator.language
// (zh* -> zh-CN, anything else -> en). setLang() stores the choice, sets
// <html lang>, re-translates every data-i18n element in the document and
// calls the onLangChange() listeners, so pages re-render without a reload.
//
// A dictionary value is a string with {name} placeholders, or, for counts,
// an object { one, other } chosen by Intl.PluralRules on vars.n.
//
// Only the language in use is loaded (each dictionary is some 40 kB): this
// module waits for it before any page script runs (a top-level await), and
// setLang() loads the other one when asked. The two dictionaries keep the
// same keys (tests/integration/i18n.test.mjs), so a missing key shows as
// the key itself.

export const LANGS = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

const DICT_URLS = { 'zh-CN': './i18n/zh-CN.js', en: './i18n/en.js' };
const STORAGE_KEY = 'sinian.lang';

// data-i18n-<suffix> -> attribute it fills
const ATTRS = {
  placeholder: 'placeholder',
  'aria-label': 'aria-label',
  title: 'title',
  alt: 'alt',
  content: 'content',
};

const listeners = new Set();
let current = detect();
let dict = await loadDict(current);

async function loadDict(code) {
  return (await import(DICT_URLS[code])).default;
}

function normalise(code) {
  if (!code) return null;
  const c = String(code).toLowerCase();
  if (c.startsWith('zh')) return 'zh-CN';
  if (c.startsWith('en')) return 'en';
  return null;
}

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode, sandbox)
  }
}

function detect() {
  const saved = stored();
  if (saved && DICT_URLS[saved]) return saved;
  const nav = (typeof navigator !== 'undefined' && (navigator.languages?.[0] || navigator.language)) || '';
  return normalise(nav) === 'zh-CN' ? 'zh-CN' : 'en';
}

/** The current language code: "zh-CN" or "en". */
export function lang() {
  return current;
}

/** The language the switch offers: the other one. */
export function otherLang() {
  return current === 'zh-CN' ? 'en' : 'zh-CN';
}

/** The display name of a language, in that language ("中文", "English"). */
export function langLabel(code) {
  return LANGS.find((l) => l.code === code)?.label ?? code;
}

function lookup(dict, key) {
  return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
}

/**
 * Translate key in the current language, filling {name} from vars.
 * A missing key shows as itself.
 */
export function t(key, vars = {}) {
  let v = lookup(dict, key);
  if (v === undefined) return key;
  if (typeof v === 'object' && v !== null) {
    const n = Number(vars.n ?? 0);
    const form = new Intl.PluralRules(current).select(n);
    v = v[form] ?? v.other ?? '';
  }
  return String(v).replace(/\{(\w+)\}/g, (m, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m);
}

/** True when the dictionary has the key. */
export function has(key) {
  return lookup(dict, key) !== undefined;
}

function varsOf(el) {
  const raw = el.getAttribute('data-i18n-vars');
  if (!raw) return {};
  try {
    return JSON.parse(raw) ?? {};
  } catch {
    return {};
  }
}

/** Translate every data-i18n* element under root (default: the document). */
export function apply(root = document) {
  if (root === document) document.documentElement.lang = current;
  const scope = root.querySelectorAll ? root : document;
  const own = root.nodeType === 1 ? [root] : [];
  for (const el of [...own, ...scope.querySelectorAll('[data-i18n]')]) {
    if (!el.hasAttribute('data-i18n')) continue;
    const key = el.getAttribute('data-i18n');
    if (key) el.textContent = t(key, varsOf(el));
  }
  for (const [suffix, attr] of Object.entries(ATTRS)) {
    const sel = `[data-i18n-${suffix}]`;
    for (const el of [...own.filter((e) => e.matches(sel)), ...scope.querySelectorAll(sel)]) {
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${suffix}`), varsOf(el)));
    }
  }
}

/**
 * Make el show t(key, vars) now and after every language change.
 * Pass key null to show a fixed text (a server message) instead.
 */
export function bindText(el, key, vars = {}, fixed = '') {
  if (key) {
    el.setAttribute('data-i18n', key);
    if (vars && Object.keys(vars).length) el.setAttribute('data-i18n-vars', JSON.stringify(vars));
    else el.removeAttribute('data-i18n-vars');
    el.textContent = t(key, vars);
  } else {
    el.removeAttribute('data-i18n');
    el.removeAttribute('data-i18n-vars');
    el.textContent = fixed;
  }
}

/** Switch language: load its dictionary, store the choice, re-translate
 *  the page, tell the listeners. Resolves once the page is re-worded. */
export async function setLang(code) {
  const next = DICT_URLS[code] ? code : normalise(code);
  if (!next || !DICT_URLS[next]) return;
  const d = await loadDict(next);
  current = next;
  dict = d;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch { /* not stored; still switched for this page */ }
  apply(document);
  for (const fn of [...listeners]) {
    try {
      fn(next);
    } catch (err) {
      reportError(err);
    }
  }
}

/** Call fn(lang) after every language change; returns an unsubscribe. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// ---------- formatting ----------

function toDate(d) {
  if (d instanceof Date) return d;
  if (typeof d === 'number') return new Date(d < 1e12 ? d * 1000 : d); // unix s or ms
  if (typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d)) {
    const [y, m, day] = d.split('-').map(Number);
    return new Date(y, m - 1, day); // a calendar date, not midnight UTC
  }
  return new Date(d);
}

/** "2024年4月4日" / "April 4, 2024" (opts override the default long date). */
export function formatDate(d, opts = { year: 'numeric', month: 'long', day: 'numeric' }) {
  const date = toDate(d);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleDateString(current, opts);
}

/** Date and time, e.g. "2024年4月4日 09:30" / "Apr 4, 2024, 9:30 AM". */
export function formatDateTime(d, opts = { dateStyle: 'medium', timeStyle: 'short' }) {
  const date = toDate(d);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(current, opts);
}

/** Time of day, e.g. "09:30". */
export function formatTime(d) {
  const date = toDate(d);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString(current, { hour: '2-digit', minute: '2-digit' });
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 分钟前" / "3 minutes ago", "2 天后" / "in 2 days"; under a minute: "刚刚". */
export function formatRelative(d, now = Date.now()) {
  const date = toDate(d);
  if (Number.isNaN(date.getTime())) return '';
  const secs = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return t('time.just_now');
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (abs >= size * 0.9 || unit === 'minute') {
      return rtf.format(Math.round(secs / size), unit);
    }
  }
  return '';
}

/** A wait, e.g. 90 -> "2 分钟" / "2 minutes", 20 -> "20 秒" / "20 seconds". */
export function formatDuration(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 60) return t('time.seconds', { n: s });
  const m = Math.ceil(s / 60);
  if (m < 60) return t('time.minutes', { n: m });
  return t('time.hours', { n: Math.ceil(m / 60) });
}

/** A number in the current language's digits and grouping. */
export function formatNumber(n) {
  return Number(n).toLocaleString(current);
}

if (typeof document !== 'undefined') document.documentElement.lang = current;
