// inbox.js — /inbox.html: what a signed-in person is told on the site, as
// it happens. Messages waiting for review (the family), an order's
// progress and proof photo, tomorrow's visit, a ceremony going live, a
// day of remembrance tomorrow.
//
// Data: GET /api/me/inbox (newest first, ?cursor= for older), POST
// /api/me/inbox/{id}/read and /read-all. Live: user:{id} on /ws sends
// {"type":"inbox","item","unread"} for a new or updated item and
// {"type":"inbox_read","ids","unread"}; an item updated while unread moves
// to the top. Items carry data, not text: they are worded here, in the
// page's language. Without a session the page goes to sign-in.
import { mountLayout, setUnread, toast } from './layout.js';
import { api, ApiError, errorText } from './api.js';
import { formatDate, formatRelative, onLangChange, t } from './i18n.js';
import { onStatus, subscribe } from './live.js';
import { h, replace } from './dom.js';

const $id = (x) => document.getElementById(x);
const listEl = $id('inbox-list');
const items = new Map(); // id -> item
const fresh = new Set(); // ids that arrived live, highlighted once
let unread = 0;
let cursor = null;
let user = null;

function sortedItems() {
  return [...items.values()].sort((a, b) =>
    (b.updated_at > a.updated_at ? 1 : b.updated_at < a.updated_at ? -1 : b.id - a.id));
}

/** { icon, title, body, action } of an item, worded in the page's language. */
function wording(it) {
  const d = it.data ?? {};
  switch (it.kind) {
    case 'message_pending':
      return { icon: '言', title: t('inbox.pending_title', { n: d.pending, title: d.title }),
        body: t('inbox.pending_body'), action: t('inbox.pending_action') };
    case 'order':
      return { icon: '扫', title: t('inbox.order_title', { state: t(`order.state.${d.state}`) }),
        body: t('inbox.order_body', { cemetery: d.cemetery, date: formatDate(d.date) }),
        action: t('inbox.order_action'), photo: d.photo };
    case 'visit_tomorrow':
      return { icon: '园', title: t('inbox.visit_title', { start: d.start, end: d.end }),
        body: t('inbox.visit_body', { cemetery: d.cemetery, n: d.persons, code: d.code }),
        action: t('inbox.visit_action') };
    case 'ceremony_live':
      return { icon: '送', title: t('inbox.live_title', { title: d.title }),
        body: t('inbox.live_body', { name: d.deceased_name }), action: t('inbox.live_action') };
    case 'mourning_tomorrow': {
      const lang = document.documentElement.lang === 'en' ? 'en' : 'zh-CN';
      const names = (d.dates ?? []).map((x) => x.titles?.[lang] ?? x.kind).join(t('cal.and'));
      const lunar = (d.dates ?? []).map((x) => x.lunar?.[lang]).filter(Boolean)[0];
      return { icon: '念', title: t('inbox.mourning_title', { name: d.name, days: names }),
        body: [formatDate(d.date), lunar].filter(Boolean).join(' · '), action: t('inbox.mourning_action') };
    }
    default:
      return { icon: '·', title: it.kind, body: '', action: t('inbox.open') };
  }
}

function itemEl(it) {
  const w = wording(it);
  const cls = ['inbox-item', it.read ? '' : 'is-unread', fresh.has(it.id) ? 'is-fresh' : '']
    .filter(Boolean).join(' ');
  return h('li', { class: cls, 'data-kind': it.kind, 'data-id': it.id },
    h('span', { class: 'inbox-icon', 'aria-hidden': 'true' }, w.icon),
    h('div', {},
      h('p', { class: 'inbox-title' },
        it.read ? null : h('span', { class: 'visually-hidden' }, `${t('inbox.unread')} `), w.title),
      w.body ? h('p', { class: 'inbox-body' }, w.body) : null,
      w.photo ? h('img', { class: 'inbox-photo', src: w.photo, alt: t('inbox.photo_alt'), loading: 'lazy' }) : null,
      h('div', { class: 'inbox-foot' },
        h('a', { class: 'btn btn-primary btn-sm', href: it.link, onclick: (ev) => open(ev, it) }, w.action),
        it.read ? null : h('button', { type: 'button', class: 'btn btn-quiet btn-sm', onclick: () => markRead(it) },
          t('inbox.mark_read')),
        h('time', { class: 'meta', datetime: it.updated_at }, formatRelative(it.updated_at)))));
}

function render() {
  replace(listEl, sortedItems().map(itemEl));
  fresh.clear();
  $id('inbox-empty').hidden = items.size > 0;
  $id('inbox-more').hidden = !cursor;
  $id('inbox-read-all').hidden = unread === 0;
  $id('inbox-summary').textContent = items.size ? t('inbox.summary', { n: unread }) : '';
  setUnread(unread);
}

function took(r) {
  for (const it of r.items ?? []) items.set(it.id, it);
  unread = r.unread ?? unread;
  cursor = r.next_cursor ?? null;
}

async function load() {
  $id('inbox-loading').hidden = false;
  $id('inbox-error').hidden = true;
  try {
    items.clear();
    took(await api('GET', '/api/me/inbox'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      location.replace('/signin.html?next=/inbox.html');
      return;
    }
    $id('inbox-loading').hidden = true;
    $id('inbox-error').hidden = false;
    return;
  }
  $id('inbox-loading').hidden = true;
  document.getElementById('main').dataset.state = 'ready';
  render();
}

async function markRead(it) {
  try {
    const r = await api('POST', `/api/me/inbox/${it.id}/read`);
    items.set(it.id, r.item);
    unread = r.unread;
    render();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

/** Following an item's link marks it read first. */
async function open(ev, it) {
  if (it.read || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  ev.preventDefault();
  try {
    await api('POST', `/api/me/inbox/${it.id}/read`);
  } catch { /* the link matters more */ }
  location.assign(it.link);
}

function onEvent(ev) {
  if (ev.type === 'inbox' && ev.item) {
    items.set(ev.item.id, ev.item);
    fresh.add(ev.item.id);
    unread = ev.unread ?? unread;
    render();
  } else if (ev.type === 'inbox_read') {
    for (const it of items.values()) {
      if (ev.ids === 'all' || (Array.isArray(ev.ids) && ev.ids.includes(it.id))) it.read = true;
    }
    unread = ev.unread ?? unread;
    render();
  }
}

$id('inbox-read-all').addEventListener('click', async () => {
  try {
    const r = await api('POST', '/api/me/inbox/read-all');
    for (const it of items.values()) it.read = true;
    unread = r.unread;
    render();
  } catch (err) {
    toast(errorText(err), 'error');
  }
});

$id('inbox-more').addEventListener('click', async () => {
  try {
    took(await api('GET', `/api/me/inbox?cursor=${encodeURIComponent(cursor)}`));
    render();
  } catch (err) {
    toast(errorText(err), 'error');
  }
});

$id('inbox-retry').addEventListener('click', load);
onLangChange(() => render());

user = await mountLayout();
if (!user) {
  location.replace('/signin.html?next=/inbox.html');
} else {
  subscribe(`user:${user.id}`, onEvent, { onError: (e) => toast(e.message ?? String(e), 'warn') });
  // after a reconnect, read again what came while the socket was down
  let was = null;
  onStatus((s) => {
    if (s === 'connected' && was === 'reconnecting') load();
    was = s;
  });
  await load();
}
