// search.js — /search.html?q=: public memorials whose deceased's name or
// title matches, from GET /api/memorials?q=&cursor=&limit= ({"memorials":
// [{id, slug, url, title, name, birth_date, death_date, portrait_url}],
// "next_cursor": id|null}), 20 at a time with "show more". Unlisted and
// private memorials never appear; they are reached by the shared link.
// Under the results, a way to create a memorial.
import { mountLayout } from './layout.js';
import { ApiError, api } from './api.js';
import { t, bindText, formatDate, onLangChange } from './i18n.js';
import { h, replace, param } from './dom.js';

const LIMIT = 20;
const results = document.getElementById('results');
const input = document.getElementById('q');
const q = (param('q') ?? '').trim();
let found = null;   // the hits so far, once loaded
let next = null;    // next_cursor of the last answer
let failed = null;  // the error, if the search failed
let loadingMore = false;

function memorialHref(m) {
  if (typeof m.url === 'string' && m.url.startsWith('/') && !m.url.startsWith('//')) return m.url;
  return `/m/${encodeURIComponent(m.slug ?? m.id)}`;
}

function lifespan(m) {
  const b = m.birth_date;
  const d = m.death_date;
  if (!b && !d) return '';
  if (!b) return t('mem.died_on', { death: formatDate(d) });
  return t('search.lifespan', { birth: formatDate(b), death: formatDate(d) });
}

function hit(m) {
  const portrait = typeof m.portrait_url === 'string' && m.portrait_url.startsWith('/') ? m.portrait_url : null;
  const name = m.name || m.title || '';
  const initial = [...name.trim()][0] ?? '';
  return h('li', { 'data-id': m.id },
    h('a', { href: memorialHref(m) },
      h('span', { class: 'result' },
        portrait
          ? h('img', { class: 'result-portrait', src: portrait, alt: '', loading: 'lazy' })
          : h('span', { class: 'result-portrait result-portrait-empty', 'aria-hidden': 'true' }, initial),
        h('span', {},
          h('span', { class: 'result-name' }, name),
          m.title && m.title !== name ? h('span', { class: 'result-title' }, m.title) : null,
          lifespan(m) ? h('span', { class: 'meta' }, lifespan(m)) : null))));
}

function createInvite() {
  return h('div', { class: 'band mt-6 search-create' },
    h('div', {},
      h('h2', {}, t('search.create_title')),
      h('p', { class: 'meta' }, t('search.create_body'))),
    h('a', { class: 'btn btn-secondary', href: '/memorial-new.html' }, t('search.create_link')));
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
        h('p', {}, t('search.empty_body'))),
      createInvite());
    return;
  }
  const more = next != null
    ? h('div', { class: 'mem-more mt-4' },
      h('button', {
        type: 'button',
        class: 'btn btn-quiet',
        id: 'search-more',
        'aria-busy': loadingMore ? 'true' : null,
        disabled: loadingMore,
        onclick: loadMore,
      }, t('search.more')))
    : null;
  replace(results, heading,
    h('p', { class: 'meta' }, t('search.count', { n: found.length })),
    h('ul', { class: 'link-list', id: 'search-list' }, found.map(hit)),
    more,
    createInvite());
}

async function fetchPage(cursor) {
  const params = new URLSearchParams({ q, limit: String(LIMIT) });
  if (cursor) params.set('cursor', String(cursor));
  const r = await api('GET', `/api/memorials?${params}`);
  return { list: Array.isArray(r?.memorials) ? r.memorials : [], cursor: r?.next_cursor ?? null };
}

async function search() {
  input.value = q;
  results.setAttribute('aria-busy', 'true');
  replace(results, h('div', { class: 'loading' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', {}, t('common.loading'))));
  try {
    const r = await fetchPage(null);
    found = r.list;
    next = r.cursor;
    failed = null;
  } catch (err) {
    failed = err;
  }
  render();
}

async function loadMore() {
  if (next == null || loadingMore) return;
  loadingMore = true;
  render();
  try {
    const r = await fetchPage(next);
    const seen = new Set(found.map((m) => m.id));
    found = [...found, ...r.list.filter((m) => !seen.has(m.id))];
    next = r.list.length ? r.cursor : null;
  } catch (err) {
    failed = err;
  } finally {
    loadingMore = false;
  }
  render();
  document.getElementById('search-more')?.focus();
}

onLangChange(render);
mountLayout();
if (q) search();
