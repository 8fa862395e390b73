// The two dictionaries of the web pages (web/js/i18n/en.js and zh-CN.js)
// stay in step: the same keys, the same {placeholders}, no empty message
// and every plural with its "other" form (Chinese has no plural, so a
// plural in English may be a plain string in Chinese), so no page shows a
// raw key or an unfilled "{name}" in one language only; and an English
// count of things is always a plural.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../lib/daemon.mjs';

const load = async (lang) =>
  (await import(pathToFileURL(path.join(REPO, 'web/js/i18n', `${lang}.js`)).href)).default;

const en = await load('en');
const zh = await load('zh-CN');

/** The {placeholders} of a message (a string or a plural object). */
function placeholders(msg) {
  const texts = typeof msg === 'string' ? [msg] : Object.values(msg);
  return [...new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
}

test('en and zh-CN have the same keys', () => {
  const onlyEn = Object.keys(en).filter((k) => !(k in zh));
  const onlyZh = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual({ onlyEn, onlyZh }, { onlyEn: [], onlyZh: [] });
  assert.ok(Object.keys(en).length > 100);
});

test('each message has the same placeholders in both languages, none empty', () => {
  const bad = [];
  for (const [key, a] of Object.entries(en)) {
    const b = zh[key];
    if (b === undefined) continue; // reported by the key test
    for (const [lang, m] of [['en', a], ['zh-CN', b]]) {
      if (typeof m === 'object' && !('other' in m)) bad.push(`${key}: a plural without "other" in ${lang}`);
    }
    const pa = placeholders(a);
    const pb = placeholders(b);
    if (pa.join() !== pb.join()) bad.push(`${key}: {${pa}} in en, {${pb}} in zh-CN`);
    for (const [lang, m] of [['en', a], ['zh-CN', b]]) {
      const texts = typeof m === 'string' ? [m] : Object.values(m);
      if (texts.some((s) => typeof s !== 'string' || s.trim() === '')) bad.push(`${key}: empty in ${lang}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('English counts of things are plurals: no "1 bookings"', () => {
  // a number placeholder followed by a plural noun ("{n} bookings")
  const bad = Object.entries(en)
    .filter(([, m]) => typeof m === 'string' && /\{(n|count)\} [a-z]+s\b/.test(m))
    .map(([k, m]) => `${k}: ${m}`);
  assert.deepEqual(bad, []);
});
