// search.js — /search.html?q=: public memorials whose deceased's name
// matches, from GET /api/memorials?q= ({"memorials":[...]}). Unlisted and
// private memorials never appear; they are reached by the shared link.
import { mountLayout } from './layout.js';
import { ApiError, api } from './api.js';
import { t, bindText, formatDate, onLangChange } from './i18n.js';
import { h, replace, param } from './dom.js';

const results = document.getElementById('results');
const input = document.getElementById('q');
const q = (param('q') ?? '').trim();
let found = null; // the list, once loaded
let failed = null; // the error, if the search failed

function memorialHref(m) {
  if (typeof m.url === 'string' && m.url.startsWith('/') && !m.url.startsWith('//')) return m.url;
  return `/m/${encodeURIComponent(m.slug ?? m.id)}`;
}

function lifespan(m) {
  const b = m.birth_date ?? m.deceased?.birth_date;
  const d = m.death_date ?? m.deceased?.death_date;
  if (!b && !d) return '';
  const fmt = (x) => (x ? formatDate(x) : '?');
  return t('search.lifespan', { birth: fmt(b), death: fmt(d) });
}

function nameOf(m) {
  return m.name ?? m.deceased_name ?? m.deceased?.name ?? m.title ?? '';
}

function render() {
  if (!q) return;
  results.setAttribute('aria-busy', 'false');
  if (failed) {
    const msg = failed instanceof ApiError && failed.status === 404
      ? t('search.unavailable') : failed instanceof ApiError ? failed.friendly() : t('error.unknown');
    replace(results, h('div', { class: 'alert alert-error', role: 'alert' }, h('p', {}, msg)));
    return;
  }
  if (!found) return;
  const heading = h('h2', { class: 'h3 mb-2' });
  bindText(heading, 'search.results_for', { q });
  if (!found.length) {
    replace(results, heading,
      h('div', { class: 'empty mt-4' },
        h('img', { class: 'empty-icon', src: '/img/lotus.svg', alt: '', width: 48, height: 48 }),
        h('p', { class: 'empty-title' }, t('search.empty_title')),
        h('p', {}, t('search.empty_body'))));
    return;
  }
  replace(results, heading,
    h('p', { class: 'meta' }, t('search.count', { n: found.length })),
    h('ul', { class: 'link-list' }, found.map((m) => {
      const portrait = typeof m.portrait_url === 'string' && m.portrait_url.startsWith('/') ? m.portrait_url : null;
      return h('li', {},
        h('a', { href: memorialHref(m) },
          h('span', { class: 'result' },
            portrait ? h('img', { class: 'result-portrait', src: portrait, alt: '', loading: 'lazy' }) : null,
            h('span', {},
              h('span', { class: 'result-name' }, nameOf(m)),
              lifespan(m) ? h('span', { class: 'meta' }, lifespan(m)) : null))));
    })));
}

async function search() {
  input.value = q;
  results.setAttribute('aria-busy', 'true');
  replace(results, h('div', { class: 'loading' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', {}, t('common.loading'))));
  try {
    const r = await api('GET', `/api/memorials?q=${encodeURIComponent(q)}&limit=50`);
    found = r?.memorials ?? r?.items ?? r?.results ?? [];
    failed = null;
  } catch (err) {
    failed = err;
  }
  render();
}

onLangChange(render);
mountLayout();
if (q) search();
