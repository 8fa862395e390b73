// memorial.js — the memorial page /m/{slug}: portrait, life dates,
// biography, the farewell timeline, resting place, photos; tributes
// (flower, incense, candle, bow) with live counters; the live feed of
// tributes and the guestbook, both updated over /ws without a reload;
// sharing by link and QR code.
//
// Data: GET /api/memorials/by-slug/{slug} (or /api/memorials/{id} for
// /m/{digits} and /memorial.html?id=N) gives everything in one answer.
// Live: memorial:{slug} on /ws sends tribute, message_approved and
// message_hidden events, each with the counts after it. Counts only move
// forward: an answer or event about an older tribute than the one the
// counters already show does not overwrite them. After every (re)connect
// the page asks once more, so nothing sent while the socket was down is
// missed.
//
// <main data-state> is loading | ready | error; #live-status[data-status]
// follows the socket (idle | connecting | connected | reconnecting).
import { mountLayout, toast } from './layout.js';
import { api, ApiError, errorText } from './api.js';
import {
  bindText, formatDate, formatNumber, formatRelative, onLangChange, t, lang,
} from './i18n.js';
import { onStatus, subscribe } from './live.js';
import { mountCalendar } from './calendar.js';
import { h, param, replace } from './dom.js';
import {
  charLength, clearErrors, clearFieldError, clearOnInput, focusFirstInvalid, setBusy,
  setFieldError, setFormApiError, setFormError,
} from './forms.js';

const KINDS = ['flower', 'incense', 'candle', 'bow'];
const NAME_MAX = 40;
const TEXT_MAX = 500;
const PAGE = 20;                 // tributes per page, as the server's page answer
const NAME_KEY = 'sinian.mem_name';
const POLL_MS = 30000;           // without live events
const CN_TZ = 'Asia/Shanghai';   // the timeline's events happened in China

const $id = (x) => document.getElementById(x);
const mainEl = $id('main');
const memEl = $id('mem');
const loadingEl = $id('mem-loading');
const errorEl = $id('mem-error');
const fromEl = $id('tr-from');
const gbForm = $id('gb-form');
const gbFrom = $id('gb-from');
const gbText = $id('gb-text');
const feedList = $id('feed-list');
const gbList = $id('gb-list');
const trStatus = $id('tr-status');

let page = null;            // the page answer as last read
let id = null;              // memorial reference for the API: its slug
let counts = { flower: 0, incense: 0, candle: 0, bow: 0, message: 0, total: 0 };
let countsAt = 0;           // the newest tribute id the counters include
const feed = new Map();     // id -> tribute (published, any kind)
const messages = new Map(); // id -> tribute (published messages)
let feedMore = false;
let gbMore = false;
let unfollow = null;
let pollTimer = null;
let user = null;
const busyKinds = new Set();

window.sinianMemorial = {
  get id() { return id; },
  get counts() { return { ...counts }; },
};

// ---------- small helpers ----------

function storedName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function rememberName(name) {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
  } catch { /* not remembered */ }
}

/** "刚刚", "3 小时前" within a day; the date after that. */
function whenText(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (Date.now() - d.getTime() < 24 * 3600 * 1000) return formatRelative(d);
  return formatDate(d);
}

function timeEl(iso) {
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString(lang()) }, whenText(iso));
}

/** t(key) with {name} drawn as <strong>, never as HTML. */
function withName(key, name, cls = 'feed-name') {
  const MARK = '\u0000';
  const parts = t(key, { name: MARK }).split(MARK);
  const out = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(h('strong', { class: cls }, name));
    if (p) out.push(p);
  });
  return out;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A small copy of a tribute kind's icon (message: a quiet pen). */
function kindIcon(kind) {
  const src = document.querySelector(`#tr-${kind} svg`);
  let svg;
  if (src) {
    svg = src.cloneNode(true);
  } else {
    svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 32 32');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '1.5');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    for (const d of ['M7 25l1.4-5.2L21.6 6.6a2.6 2.6 0 0 1 3.7 3.7L12.2 23.6z', 'M19.4 8.8l3.8 3.8', 'M7 28h18']) {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      svg.append(p);
    }
  }
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  return svg;
}

function reducedMotion() {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

// ---------- the person ----------

function lifeDates(dec) {
  if (!dec) return '';
  const death = formatDate(dec.death_date);
  if (!dec.birth_date) return t('mem.died_on', { death });
  return t('mem.life', { birth: formatDate(dec.birth_date), death });
}

/** Age at death in whole years, or null. */
function ageAtDeath(dec) {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dec?.birth_date ?? '');
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dec?.death_date ?? '');
  if (!b || !d) return null;
  let age = Number(d[1]) - Number(b[1]);
  if (Number(d[2]) * 100 + Number(d[3]) < Number(b[2]) * 100 + Number(b[3])) age -= 1;
  return age >= 0 && age < 150 ? age : null;
}

function renderPerson() {
  const m = page.memorial;
  const dec = page.deceased ?? { name: m.title };
  document.querySelector('title').removeAttribute('data-i18n');
  document.title = t('mem.page_title', { title: m.title, name: dec.name });
  $id('mem-title').textContent = m.title;
  $id('mem-title').hidden = !m.title || m.title === dec.name;
  $id('mem-name').textContent = dec.name;
  $id('mem-name').classList.toggle('is-cjk', /[\u3400-\u9fff]/.test(dec.name ?? ''));
  $id('mem-dates').textContent = lifeDates(page.deceased);

  const facts = [];
  const age = ageAtDeath(page.deceased);
  if (age !== null) facts.push(t('mem.age', { n: age }));
  if (dec.native_place) facts.push(t('mem.native_place', { place: dec.native_place }));
  $id('mem-facts').textContent = facts.join(' · ');
  $id('mem-facts').hidden = !facts.length;

  const vis = $id('mem-visibility');
  vis.hidden = m.visibility === 'public';
  if (!vis.hidden) bindText($id('mem-visibility-badge'), `mem.visibility.${m.visibility}`);

  const img = $id('mem-portrait-img');
  const empty = $id('mem-portrait-empty');
  const url = typeof m.portrait_url === 'string' && m.portrait_url.startsWith('/') ? m.portrait_url : null;
  if (url) {
    if (img.getAttribute('src') !== url) img.src = url;
    img.alt = t('mem.portrait_alt', { name: dec.name });
  } else {
    img.removeAttribute('src');
  }
  img.hidden = !url;
  empty.hidden = !!url;
  empty.textContent = [...(dec.name ?? '').trim()][0] ?? '';
  $id('mem-portrait').classList.toggle('is-empty', !url);

  // The biography is plain text: paragraphs split on blank lines, single
  // line breaks kept by CSS (white-space: pre-line); never HTML.
  const bio = (m.biography ?? '').replace(/\r\n?/g, '\n').trim();
  $id('bio').hidden = !bio;
  replace($id('bio-text'), bio.split(/\n[ \t\u3000]*\n+/).map((p) => p.trim()).filter(Boolean)
    .map((p) => h('p', {}, p)));
}

function renderAdminBar() {
  const v = page.viewer ?? {};
  const bar = $id('mem-adminbar');
  bar.hidden = !(v.can_edit || v.can_moderate || v.can_grant);
  $id('mem-admin-link').href = `/memorial-admin.html?id=${encodeURIComponent(page.memorial.id)}`;
  const pending = Number(v.pending_messages) || 0;
  const badge = $id('mem-pending');
  badge.hidden = !(v.can_moderate && pending > 0);
  if (!badge.hidden) badge.textContent = t('mem.pending', { n: pending, count: formatNumber(pending) });
}

function renderTimeline() {
  const tl = Array.isArray(page.deceased?.timeline) ? page.deceased.timeline : [];
  $id('timeline').hidden = !tl.length;
  replace($id('tl-list'), tl.map((e) => h('li', { class: 'mem-tl-item', 'data-kind': e.kind },
    h('span', { class: 'mem-tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'mem-tl-body' },
      h('p', { class: 'mem-tl-kind' }, t(`mem.event.${e.kind}`)),
      h('p', { class: 'meta mem-tl-when' },
        h('time', { datetime: e.at }, formatDate(e.at, { year: 'numeric', month: 'long', day: 'numeric', timeZone: CN_TZ })),
        e.place ? ` · ${e.place}` : '')))));
}

function amapUrl(b) {
  const q = new URLSearchParams({
    position: `${b.lng},${b.lat}`,
    name: b.cemetery?.name ?? '',
    coordinate: 'wgs84',
    callnative: '0',
  });
  return `https://uri.amap.com/marker?${q}`;
}

function renderBurial() {
  const b = page.burial;
  $id('burial').hidden = !b;
  if (!b) return;
  $id('burial-cemetery').textContent = b.cemetery?.name ?? '';
  const p = b.plot ?? {};
  const place = [p.section, p.row, p.number].filter(Boolean).join(' · ');
  const kind = p.kind ? t(`mem.plot.${p.kind}`) : '';
  $id('burial-plot').textContent = [place, kind].filter(Boolean).join(' — ');
  $id('burial-address').textContent = b.cemetery?.address ?? '';
  $id('burial-address').hidden = !b.cemetery?.address;
  const geo = Number.isFinite(b.lat) && Number.isFinite(b.lng);
  $id('burial-map').hidden = !geo;
  if (geo) {
    $id('burial-amap').href = amapUrl(b);
    const osm = typeof b.map_url === 'string' && /^https:\/\//.test(b.map_url)
      ? b.map_url
      : `https://www.openstreetmap.org/?mlat=${b.lat}&mlon=${b.lng}#map=18/${b.lat}/${b.lng}`;
    $id('burial-osm').href = osm;
  }
  const cq = `cemetery=${encodeURIComponent(b.cemetery?.id ?? '')}&plot=${encodeURIComponent(p.id ?? '')}`;
  $id('burial-visit').href = `/visit.html?${cq}`;
  $id('burial-sweep').href = `/order.html?${cq}`;
  $id('burial-visit').hidden = !b.cemetery?.id;
  $id('burial-sweep').hidden = !b.cemetery?.id;
}

// ---------- photos ----------

let photos = [];
let shown = 0;

function renderPhotos() {
  photos = (Array.isArray(page.photos) ? page.photos : [])
    .filter((p) => typeof p.url === 'string' && p.url.startsWith('/'));
  $id('photos').hidden = !photos.length;
  replace($id('gallery'), photos.map((p, i) => h('li', {},
    h('button', {
      type: 'button',
      class: 'mem-photo',
      'aria-label': p.caption || t('mem.photo_n', { n: i + 1 }),
      onclick: () => openPhoto(i),
    },
    h('img', { src: p.url, alt: '', loading: 'lazy', decoding: 'async' })),
    p.caption ? h('p', { class: 'mem-photo-caption' }, p.caption) : null)));
}

const lightbox = $id('lightbox');

function showPhoto(i) {
  shown = (i + photos.length) % photos.length;
  const p = photos[shown];
  $id('lightbox-img').src = p.url;
  $id('lightbox-img').alt = p.caption || t('mem.photo_n', { n: shown + 1 });
  $id('lightbox-caption').textContent = p.caption || t('mem.photo_of', { n: shown + 1, total: photos.length });
  $id('lightbox-prev').hidden = photos.length < 2;
  $id('lightbox-next').hidden = photos.length < 2;
}

function openPhoto(i) {
  if (!photos.length) return;
  showPhoto(i);
  if (typeof lightbox.showModal === 'function') lightbox.showModal();
  else window.open(photos[shown].url, '_blank', 'noopener');
}

$id('lightbox-close').addEventListener('click', () => lightbox.close());
$id('lightbox-prev').addEventListener('click', () => showPhoto(shown - 1));
$id('lightbox-next').addEventListener('click', () => showPhoto(shown + 1));
lightbox.addEventListener('click', (ev) => { if (ev.target === lightbox) lightbox.close(); });
lightbox.addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowLeft') showPhoto(shown - 1);
  else if (ev.key === 'ArrowRight') showPhoto(shown + 1);
});

// ---------- counters ----------

function renderCounts(bump = null) {
  for (const k of KINDS) {
    const el = $id(`count-${k}`);
    const n = Number(counts[k]) || 0;
    const before = Number(el.dataset.count);
    el.textContent = formatNumber(n);
    el.dataset.count = String(n);
    if (bump && n !== before && !reducedMotion()) {
      el.classList.remove('is-bumped');
      void el.offsetWidth; // restart the animation
      el.classList.add('is-bumped');
    }
  }
  const total = Number(counts.total) || 0;
  const tot = $id('count-total');
  tot.dataset.count = String(total);
  tot.textContent = total ? t('mem.total', { n: total, count: formatNumber(total) }) : t('mem.total_none');
}

/** Take counts from an answer or event about tribute `at` (0: always). */
function applyCounts(c, at = 0) {
  if (!c || typeof c !== 'object') return;
  if (at && at < countsAt) return;
  if (at) countsAt = at;
  counts = { ...counts, ...c };
  renderCounts(true);
}

for (const el of document.querySelectorAll('.tribute-count')) {
  el.addEventListener('animationend', () => el.classList.remove('is-bumped'));
}

// ---------- the live feed ----------

function feedItem(tr, fresh) {
  const kind = KINDS.includes(tr.kind) || tr.kind === 'message' ? tr.kind : 'flower';
  return h('li', { class: `feed-item${fresh ? ' is-new' : ''}`, 'data-id': tr.id, 'data-kind': kind },
    h('span', { class: `feed-icon feed-icon-${kind}` }, kindIcon(kind)),
    h('span', { class: 'feed-body' },
      h('span', { class: 'feed-text' }, withName(`mem.feed.${kind}`, tr.from_name)),
      h('span', { class: 'feed-when' }, timeEl(tr.created_at))));
}

function sortedDesc(map) {
  return [...map.values()].sort((a, b) => b.id - a.id);
}

function renderFeed() {
  const list = sortedDesc(feed);
  replace(feedList, list.map((tr) => feedItem(tr, false)));
  $id('feed-empty').hidden = list.length > 0;
  $id('feed-more').hidden = !feedMore;
}

/** Put node into list at its place by data-id, newest first. */
function insertSorted(listEl, node, tid) {
  for (const li of listEl.children) {
    if (Number(li.dataset.id) < tid) {
      listEl.insertBefore(node, li);
      return;
    }
  }
  listEl.append(node);
}

const FEED_KEEP = 200; // a busy Qingming morning must not grow the page without end

function addToFeed(tr, fresh) {
  if (!tr || feed.has(tr.id)) return;
  feed.set(tr.id, tr);
  insertSorted(feedList, feedItem(tr, fresh), tr.id);
  $id('feed-empty').hidden = true;
  if (fresh && feed.size > FEED_KEEP) {
    const oldest = oldestId(feed);
    feed.delete(oldest);
    feedList.querySelector(`[data-id="${oldest}"]`)?.remove();
    feedMore = true;
    $id('feed-more').hidden = false;
  }
}

function removeFromFeed(tid) {
  feed.delete(tid);
  feedList.querySelector(`[data-id="${tid}"]`)?.remove();
  $id('feed-empty').hidden = feed.size > 0;
}

function oldestId(map) {
  let min = 0;
  for (const k of map.keys()) if (!min || k < min) min = k;
  return min;
}

async function loadOlder(kind) {
  const isFeed = kind === null;
  const btn = $id(isFeed ? 'feed-more' : 'gb-more');
  const map = isFeed ? feed : messages;
  const cursor = oldestId(map);
  if (!cursor) return;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    const q = new URLSearchParams({ cursor: String(cursor), limit: String(PAGE) });
    if (!isFeed) q.set('kind', 'message');
    const r = await api('GET', `/api/memorials/${encodeURIComponent(id)}/tributes?${q}`);
    const list = Array.isArray(r?.tributes) ? r.tributes : [];
    for (const tr of list) {
      if (isFeed) addToFeed(tr, false);
      else addMessage(tr, false);
    }
    const more = r?.next_cursor != null && list.length > 0;
    if (isFeed) feedMore = more;
    else gbMore = more;
    btn.hidden = !more;
  } catch (err) {
    toast(errorText(err), 'error');
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

$id('feed-more').addEventListener('click', () => loadOlder(null));
$id('gb-more').addEventListener('click', () => loadOlder('message'));

// ---------- the guestbook ----------

function messageItem(tr, fresh) {
  return h('li', { class: `mem-message${fresh ? ' is-new' : ''}`, 'data-id': tr.id },
    h('p', { class: 'mem-message-text' }, tr.text),
    h('p', { class: 'mem-message-meta' },
      h('span', { class: 'mem-message-name' }, tr.from_name),
      h('span', { 'aria-hidden': 'true' }, ' · '),
      timeEl(tr.created_at)));
}

function renderMessages() {
  const list = sortedDesc(messages);
  replace(gbList, list.map((tr) => messageItem(tr, false)));
  $id('gb-empty').hidden = list.length > 0;
  $id('gb-more').hidden = !gbMore;
}

// The visitor's own messages waiting for the family: the "waiting for
// review" notice goes once they are all read (published or hidden).
const waiting = new Set();

function settled(tid) {
  if (waiting.delete(tid) && !waiting.size) $id('gb-pending').hidden = true;
}

function addMessage(tr, fresh) {
  if (!tr || tr.kind !== 'message' || tr.state === 'pending' || tr.state === 'hidden' || messages.has(tr.id)) return;
  messages.set(tr.id, tr);
  insertSorted(gbList, messageItem(tr, fresh), tr.id);
  $id('gb-empty').hidden = true;
  settled(tr.id);
}

function removeMessage(tid) {
  settled(tid);
  messages.delete(tid);
  gbList.querySelector(`[data-id="${tid}"]`)?.remove();
  $id('gb-empty').hidden = messages.size > 0;
}

function renderGbLabel() {
  const name = page?.deceased?.name;
  if (name) bindText($id('gb-text-label'), 'mem.gb_text_to', { name });
  else bindText($id('gb-text-label'), 'mem.gb_text');
}

function renderGbMode() {
  const hold = page?.memorial?.moderation === 'hold';
  bindText($id('gb-mode'), hold ? 'mem.gb_mode_hold' : null, {}, '');
}

function renderTextCount() {
  $id('gb-text-hint').textContent = t('mem.gb_count', { n: charLength(gbText.value), max: TEXT_MAX });
}

// ---------- names ----------

function signedIn() {
  return !!page?.viewer?.signed_in;
}

function renderNameHints() {
  const signed = signedIn();
  bindText($id('tr-from-hint'), signed ? 'mem.from_hint_signed_in' : 'mem.from_hint');
  const ph = signed && user?.display_name ? user.display_name : t('mem.from_placeholder');
  for (const el of [fromEl, gbFrom]) {
    if (signed && user?.display_name) {
      el.removeAttribute('data-i18n-placeholder');
      el.placeholder = ph;
    } else {
      el.setAttribute('data-i18n-placeholder', 'mem.from_placeholder');
      el.placeholder = t('mem.from_placeholder');
    }
  }
}

// The two name fields are one name: typing in one fills the other.
for (const [a, b] of [[fromEl, gbFrom], [gbFrom, fromEl]]) {
  a.addEventListener('input', () => {
    b.value = a.value;
    clearFieldError(a);
    clearFieldError(b);
  });
}

/** The name to send ('' lets the server use the account's), or null when missing. */
function nameFor(input) {
  const name = input.value.trim();
  if (!name && !signedIn()) {
    setFieldError(input, 'mem.from_required');
    return null;
  }
  if (charLength(name) > NAME_MAX) {
    setFieldError(input, 'validate.name_too_long', { max: NAME_MAX });
    return null;
  }
  return name;
}

// ---------- offering a tribute ----------

function animateOffer(btn, kind) {
  if (reducedMotion()) {
    btn.classList.add('is-offered-still');
    setTimeout(() => btn.classList.remove('is-offered-still'), 900);
    return;
  }
  btn.classList.remove('is-offering');
  void btn.offsetWidth; // restart the animation
  btn.classList.add('is-offering');
  clearTimeout(Number(btn.dataset.offerTimer) || 0);
  // the longest of the button's animations (incense smoke) is 1.6 s
  btn.dataset.offerTimer = String(setTimeout(() => btn.classList.remove('is-offering'), 1700));
  const float = h('span', { class: `tribute-float tribute-float-${kind}`, 'aria-hidden': 'true' }, kindIcon(kind));
  btn.append(float);
  float.addEventListener('animationend', () => float.remove());
  setTimeout(() => float.remove(), 2500);
}

for (const btn of document.querySelectorAll('.tribute-btn')) {
  btn.addEventListener('click', () => offer(btn.dataset.kind, btn));
}

async function offer(kind, btn) {
  if (!page || busyKinds.has(kind)) return;
  clearFieldError(fromEl);
  const name = nameFor(fromEl);
  if (name === null) {
    fromEl.focus();
    bindText(trStatus, null, {}, '');
    return;
  }
  busyKinds.add(kind);
  btn.setAttribute('aria-busy', 'true');
  animateOffer(btn, kind);
  const body = { kind };
  if (name) body.from_name = name;
  try {
    const r = await api('POST', `/api/memorials/${encodeURIComponent(id)}/tributes`, body);
    rememberName(name);
    if (r?.tribute) addToFeed(r.tribute, true);
    applyCounts(r?.counts, r?.tribute?.id ?? 0);
    trStatus.classList.remove('is-error');
    bindText(trStatus, `mem.done.${kind}`);
  } catch (err) {
    trStatus.classList.add('is-error');
    if (err instanceof ApiError && err.status === 429) bindText(trStatus, 'mem.too_fast');
    else if (err instanceof ApiError && err.code === 'invalid' && err.field === 'from_name') {
      setFieldError(fromEl, null, {}, err.message);
      bindText(trStatus, null, {}, '');
      fromEl.focus();
    } else {
      const { key, vars } = err instanceof ApiError ? err.friendlyKey() : { key: 'error.unknown', vars: {} };
      bindText(trStatus, key, vars);
    }
  } finally {
    // a short pause between two offerings of one kind: a press is a gesture, not a counter
    setTimeout(() => {
      busyKinds.delete(kind);
      btn.removeAttribute('aria-busy');
    }, 700);
  }
}

// ---------- leaving a message ----------

clearOnInput(gbForm);
gbText.addEventListener('input', () => {
  renderTextCount();
  $id('gb-pending').hidden = true;
});

gbForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!page) return;
  clearErrors(gbForm);
  $id('gb-pending').hidden = true;
  const name = nameFor(gbFrom);
  const text = gbText.value.trim();
  if (!text) setFieldError(gbText, 'mem.gb_text_required');
  else if (charLength(text) > TEXT_MAX) setFieldError(gbText, 'mem.gb_text_too_long', { max: TEXT_MAX });
  if (name === null || focusFirstInvalid(gbForm)) {
    if (name === null) gbFrom.focus();
    return;
  }
  setBusy(gbForm, true);
  try {
    const body = { kind: 'message', text };
    if (name) body.from_name = name;
    const r = await api('POST', `/api/memorials/${encodeURIComponent(id)}/tributes`, body);
    rememberName(name);
    gbText.value = '';
    renderTextCount();
    if (r?.tribute?.state === 'pending') {
      waiting.add(r.tribute.id);
      $id('gb-pending').hidden = false;
    } else {
      addMessage(r?.tribute, true);
      addToFeed(r?.tribute, true);
      applyCounts(r?.counts, r?.tribute?.id ?? 0);
      toast(t('mem.gb_sent'), 'ok');
    }
  } catch (err) {
    if (err instanceof ApiError && err.code === 'invalid' && err.field === 'from_name') {
      setFieldError(gbFrom, null, {}, err.message);
      gbFrom.focus();
    } else if (err instanceof ApiError && err.code === 'invalid' && err.field === 'text') {
      setFieldError(gbText, null, {}, err.message);
      gbText.focus();
    } else if (err instanceof ApiError && err.status === 429) {
      setFormError(gbForm, 'mem.too_fast');
    } else {
      setFormApiError(gbForm, err);
    }
  } finally {
    setBusy(gbForm, false);
  }
});

// ---------- sharing ----------

function shareUrl() {
  return new URL(page.memorial.url || `/m/${page.memorial.slug}`, location.origin).href;
}

function renderShare() {
  $id('share-url').value = shareUrl();
  const qr = $id('share-qr');
  const src = `/api/memorials/${encodeURIComponent(id)}/qr.svg`;
  if (qr.getAttribute('src') !== src) qr.src = src;
  qr.alt = t('mem.qr_alt');
  $id('share-native').hidden = typeof navigator.share !== 'function';
}

$id('share-url').addEventListener('focus', (ev) => ev.target.select());

$id('share-copy').addEventListener('click', async () => {
  const btn = $id('share-copy');
  const input = $id('share-url');
  let ok = false;
  try {
    await navigator.clipboard.writeText(input.value);
    ok = true;
  } catch {
    input.focus();
    input.select();
    try {
      ok = document.execCommand('copy');
    } catch { ok = false; }
  }
  if (ok) {
    bindText(btn, 'mem.copied');
    setTimeout(() => bindText(btn, 'mem.copy'), 2000);
  } else {
    toast(t('mem.copy_failed'), 'info');
  }
});

$id('share-native').addEventListener('click', () => {
  navigator.share({ title: document.title, url: shareUrl() }).catch(() => {});
});

// ---------- live ----------

function renderLiveStatus(s) {
  const el = $id('live-status');
  el.dataset.status = s;
  $id('live-dot').className = `live-dot mem-live-dot${s === 'connected' ? '' : s === 'idle' ? ' is-off' : ' is-wait'}`;
  const key = s === 'connected' ? 'mem.live_on'
    : s === 'connecting' ? 'live.connecting'
      : s === 'reconnecting' ? 'live.reconnecting' : 'mem.live_off';
  bindText($id('live-text'), key);
}

function onEvent(ev) {
  if (!ev || typeof ev !== 'object' || !page) return;
  switch (ev.type) {
    case 'tribute':
      if (!ev.tribute) break;
      addToFeed(ev.tribute, true);
      if (ev.tribute.kind === 'message') addMessage(ev.tribute, true);
      applyCounts(ev.counts, ev.tribute.id);
      break;
    case 'message_approved':
      if (!ev.tribute) break;
      addToFeed(ev.tribute, true);
      addMessage(ev.tribute, true);
      applyCounts(ev.counts);
      adjustPending(-1);
      break;
    case 'message_hidden':
      removeFromFeed(Number(ev.id));
      removeMessage(Number(ev.id));
      applyCounts(ev.counts);
      break;
    default:
      break;
  }
}

function adjustPending(delta) {
  const v = page.viewer;
  if (!v || !v.can_moderate || typeof v.pending_messages !== 'number') return;
  v.pending_messages = Math.max(0, v.pending_messages + delta);
  renderAdminBar();
}

function follow() {
  if (unfollow || !id) return;
  unfollow = subscribe(`memorial:${id}`, onEvent, {
    onError: () => {
      // refused (it should not be: the page was readable): ask now and then instead
      unfollow = null;
      renderLiveStatus('idle');
      schedulePoll();
    },
  });
}

function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    await catchUp();
    if (!unfollow) schedulePoll();
  }, POLL_MS);
}

let catchTimer = null;
onStatus((s) => {
  if (!id) return;
  renderLiveStatus(s);
  if (s === 'connected') {
    // Whatever happened before the subscription took hold is read once.
    clearTimeout(catchTimer);
    catchTimer = setTimeout(catchUp, 400);
  }
});

/** Read the page again and merge: new tributes, counts, pending. */
async function catchUp() {
  if (!id || !page) return;
  try {
    const p = await api('GET', `/api/memorials/${encodeURIComponent(id)}`);
    mergePage(p);
  } catch { /* the next event or reconnect tries again */ }
}

function mergePage(p) {
  if (!p?.memorial) return;
  const bioChanged = p.memorial.biography !== page.memorial.biography ||
    p.memorial.title !== page.memorial.title || p.memorial.portrait_url !== page.memorial.portrait_url;
  const old = page;
  page = { ...p };
  for (const tr of p.recent ?? []) addToFeed(tr, false);
  for (const tr of p.messages ?? []) addMessage(tr, false);
  const newest = (p.recent ?? []).reduce((m, tr) => Math.max(m, tr.id), 0);
  if (newest >= countsAt) applyCounts(p.counts, newest || 0);
  renderAdminBar();
  renderGbMode();
  if (bioChanged || JSON.stringify(old.photos) !== JSON.stringify(p.photos)) {
    renderPerson();
    renderPhotos();
  }
}

// ---------- loading ----------

function fail(err) {
  mainEl.dataset.state = 'error';
  loadingEl.hidden = true;
  memEl.hidden = true;
  errorEl.hidden = false;
  const status = err instanceof ApiError ? err.status : 0;
  let kind;
  if (status === 404) kind = 'not_found';
  else if (status === 401) kind = 'private';
  else if (status === 403) kind = 'forbidden';
  else kind = 'load_error';
  errorEl.dataset.error = kind;
  bindText($id('mem-error-title'), `mem.${kind}_title`);
  if (kind === 'load_error') {
    const { key, vars } = err instanceof ApiError ? err.friendlyKey() : { key: 'error.unknown', vars: {} };
    bindText($id('mem-error-body'), key, vars);
  } else {
    bindText($id('mem-error-body'), `mem.${kind}_body`);
  }
  $id('mem-retry').hidden = kind !== 'load_error';
  $id('mem-error-search').hidden = kind !== 'not_found';
  const signin = $id('mem-error-signin');
  signin.hidden = kind !== 'private';
  signin.href = `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`;
  bindText(document.querySelector('title'), `mem.${kind}_title`);
}

$id('mem-retry').addEventListener('click', () => {
  errorEl.hidden = true;
  loadingEl.hidden = false;
  mainEl.dataset.state = 'loading';
  start();
});

/** Which memorial this page is for: { slug } or { id }. */
function target() {
  const m = /^\/m\/([^/]+)\/?$/.exec(location.pathname);
  let raw = m ? m[1] : (param('slug') ?? '');
  try {
    raw = decodeURIComponent(raw);
  } catch { /* keep it as it is */ }
  const byId = param('id');
  if (!m && byId && /^\d+$/.test(byId)) return { id: byId };
  if (/^\d+$/.test(raw)) return { id: raw, slug: raw };
  return { slug: raw };
}

async function fetchPage() {
  const tg = target();
  if (tg.id) {
    try {
      return await api('GET', `/api/memorials/${encodeURIComponent(tg.id)}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404 && tg.slug && tg.slug.length >= 3)) throw err;
    }
  }
  if (!tg.slug || !/^[a-z0-9-]{3,64}$/.test(tg.slug)) throw new ApiError(404, 'not_found', 'no such memorial');
  return api('GET', `/api/memorials/by-slug/${encodeURIComponent(tg.slug)}`);
}

function renderAll() {
  renderPerson();
  renderAdminBar();
  renderTimeline();
  renderBurial();
  renderPhotos();
  renderCounts(false);
  renderFeed();
  renderMessages();
  renderGbMode();
  renderGbLabel();
  renderTextCount();
  renderNameHints();
  renderShare();
}

async function start() {
  let p;
  try {
    p = await fetchPage();
  } catch (err) {
    fail(err);
    return;
  }
  page = p;
  // the slug, not the number: an unlisted memorial is found by its slug
  // only (a number finds it just for those with a right of their own)
  id = p.memorial.slug;
  // /m/{id} and ?id= show the memorial's own address
  const canonical = p.memorial.url;
  if (canonical && location.pathname !== canonical && /^\/m\/[a-z0-9-]+$/.test(canonical)) {
    history.replaceState(null, '', canonical + location.hash);
  }
  counts = { ...counts, ...(p.counts ?? {}) };
  countsAt = (p.recent ?? []).reduce((m, tr) => Math.max(m, tr.id), 0);
  feed.clear();
  messages.clear();
  for (const tr of p.recent ?? []) feed.set(tr.id, tr);
  for (const tr of p.messages ?? []) if (tr.kind === 'message') messages.set(tr.id, tr);
  feedMore = (p.recent ?? []).length >= PAGE;
  gbMore = (p.messages ?? []).length >= PAGE;
  const name = storedName();
  if (name && !fromEl.value) {
    fromEl.value = name;
    gbFrom.value = name;
  }
  renderAll();
  mainEl.dataset.state = 'ready';
  loadingEl.hidden = true;
  errorEl.hidden = true;
  memEl.hidden = false;
  follow();
  mountCalendar($id('calendar'), { id });
}

// Relative times ("刚刚", "3 分钟前") move on by themselves.
setInterval(() => {
  for (const el of document.querySelectorAll('#feed-list time[datetime], #gb-list time[datetime]')) {
    el.textContent = whenText(el.getAttribute('datetime'));
  }
}, 30000);

onLangChange(() => {
  if (mainEl.dataset.state === 'error') {
    bindText(document.querySelector('title'), `mem.${errorEl.dataset.error}_title`);
    return;
  }
  if (!page) return;
  renderAll();
  renderLiveStatus($id('live-status').dataset.status);
});

mountLayout().then((u) => {
  user = u && !u.pending ? u : null;
  if (page) renderNameHints();
});
start().catch((err) => {
  fail(err);
  toast(errorText(err), 'error');
});

