// account-lists.js — on /account.html, what the person has, by name: the
// memorials they keep (with messages waiting for their review) or are
// invited to, those they follow (with the next day of remembrance), their
// visit tickets and proxy-sweeping orders.
//
//   import { loadLists, memorialName } from '/js/account-lists.js';
//   await loadLists();                  // fills the four sections
//   memorialName(2) -> "纪念李秀英"     // for the roles list
//
// Data: GET /api/me/memorials, /api/me/following, /api/bookings?mine=1,
// /api/sweeping-orders?mine=1. A list that cannot be read stays hidden;
// the page's own errors are account.js's.
import { api } from './api.js';
import { formatDate, lang, onLangChange, t } from './i18n.js';
import { h, replace } from './dom.js';

const $id = (x) => document.getElementById(x);
const names = new Map(); // memorial id -> title
let data = null;

/** The title of a memorial the person holds a role on, or null. */
export function memorialName(id) {
  return names.get(Number(id)) ?? null;
}

function row(href, title, sub, badge = null) {
  return h('li', {},
    h('a', { href },
      h('span', { class: 'account-row' },
        h('span', { class: 'list-title' }, title, badge),
        sub ? h('span', { class: 'meta text-sm account-sub' }, sub) : null)));
}

function section(id, items, render) {
  const el = $id(id);
  el.hidden = !items || items.length === 0;
  if (!el.hidden) replace(el.querySelector('ul'), items.map(render));
}

function memorialRow(m) {
  const waiting = Number(m.pending_messages) || 0;
  const badge = waiting > 0
    ? h('span', { class: 'badge badge-gold account-badge' }, t('account.pending', { n: waiting }))
    : null;
  const href = waiting > 0 ? `/memorial-admin.html?id=${m.id}` : m.url;
  return row(href, m.title, [m.name, t(`role.${m.role}`)].filter(Boolean).join(' · '), badge);
}

function followingRow(m) {
  const next = m.next ? t('account.next_day', { title: m.next.title, date: formatDate(m.next.date) }) : '';
  return row(m.url, m.title, next);
}

function bookingRow(b) {
  const when = `${formatDate(b.slot?.date)} ${b.slot?.start ?? ''}–${b.slot?.end ?? ''}`;
  return row(`/visit.html?booking=${b.id}`, b.cemetery?.name ?? '',
    [when, t(`vs.state.${b.state}`)].join(' · '));
}

function orderRow(o) {
  return row(`/order.html?id=${o.id}`, o.cemetery?.name ?? '',
    [formatDate(o.date), t(`order.state.${o.state}`)].join(' · '));
}

function render() {
  if (!data) return;
  section('my-memorials', data.memorials, memorialRow);
  section('my-following', data.following, followingRow);
  section('my-bookings', data.bookings, bookingRow);
  section('my-orders', data.orders, orderRow);
}

const list = (p, key) => api('GET', p).then((r) => r[key] ?? [], () => null);

/** Read and draw the four lists. */
export async function loadLists() {
  const [memorials, following, bookings, orders] = await Promise.all([
    list('/api/me/memorials', 'memorials'),
    list(`/api/me/following?lang=${lang()}`, 'memorials'),
    list('/api/bookings?mine=1', 'bookings'),
    list('/api/sweeping-orders?mine=1', 'orders'),
  ]);
  names.clear();
  for (const m of memorials ?? []) names.set(m.id, m.title);
  data = { memorials, following, bookings, orders };
  render();
}

onLangChange(() => {
  if (data) loadLists(); // the next days are named by the server
});
