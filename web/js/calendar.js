// calendar.js — the mourning calendar on a memorial page: "today is 七七" or
// the next day with its countdown, the rites of the first years (头七 …
// 七七, 百日, 周年, 三周年), the coming year (birthday, 清明, 中元, 寒衣, 冬至,
// anniversaries), following the memorial for a reminder the day before, and
// the calendar feed for the phone's own calendar (webcal://, or a file).
//
//   import { mountCalendar } from '/js/calendar.js';
//   mountCalendar(document.getElementById('calendar'), { id, visibility });
//
// Data: GET /api/memorials/{id}/calendar?lang= names every day in the
// page's language; PUT/DELETE .../follow; POST .../calendar/feed gives a
// private memorial's secret feed link. The section stays hidden until the
// first answer, and re-renders on a language change.
import { api, ApiError, errorText } from './api.js';
import { formatDate, lang, onLangChange, t } from './i18n.js';
import { toast } from './layout.js';
import { h, replace } from './dom.js';

const FIRST_UPCOMING = 4; // more behind "show all"

let root = null;
let memorialId = null;
let cal = null;
let showAll = false;
let busy = false;

function countdown(days) {
  if (days === 0) return t('cal.today');
  if (days === 1) return t('cal.tomorrow');
  return t('cal.in_days', { n: days });
}

function dateLine(d) {
  const parts = [formatDate(d.date)];
  if (d.lunar?.label) parts.push(d.lunar.label);
  return parts.join(' · ');
}

/** The headline: today's days, else the next one. */
function renderNow() {
  const today = cal.upcoming.filter((d) => d.days === 0);
  if (today.length) {
    return h('div', { class: 'card cal-now is-today', id: 'cal-now' },
      h('p', { class: 'cal-now-kicker' }, t('cal.today_is')),
      h('p', { class: 'cal-now-title serif', id: 'cal-now-title' },
        today.map((d) => d.title).join(t('cal.and'))),
      h('p', { class: 'meta cal-now-when' }, dateLine(today[0])));
  }
  const n = cal.next;
  if (!n) return null;
  return h('div', { class: 'card cal-now', id: 'cal-now' },
    h('p', { class: 'cal-now-kicker' }, t('cal.next')),
    h('p', { class: 'cal-now-title serif', id: 'cal-now-title' }, n.title),
    h('p', { class: 'meta cal-now-when' },
      dateLine(n), ' · ',
      h('strong', { class: 'cal-countdown', id: 'cal-countdown' }, countdown(n.days))));
}

/** A rite as a small tile: name, date, how far. */
function riteTile(d) {
  return h('li', { class: 'cal-tile', 'data-status': d.status, 'data-kind': d.kind },
    h('span', { class: 'cal-item-title' }, d.title),
    h('time', { class: 'cal-tile-date', datetime: d.date }, formatDate(d.date)),
    d.lunar?.label ? h('span', { class: 'cal-tile-lunar' }, d.lunar.label) : null,
    h('span', { class: 'cal-item-status' },
      d.status === 'past' ? t('cal.passed') : countdown(d.days)));
}

/** A rite of the first years, listed once among the tiles. */
function isRite(d) {
  return d.kind === 'qi' || d.kind === 'bairi' || (d.kind === 'anniversary' && (d.n === 1 || d.n === 3));
}

function dayItem(d) {
  return h('li', { class: 'cal-item', 'data-status': d.status, 'data-kind': d.kind },
    h('span', { class: 'cal-item-title' }, d.title),
    h('span', { class: 'cal-item-when' },
      h('time', { datetime: d.date }, formatDate(d.date)),
      d.lunar?.label ? h('span', { class: 'cal-item-lunar' }, d.lunar.label) : null),
    h('span', { class: 'cal-item-status' },
      d.status === 'past' ? t('cal.passed') : countdown(d.days)));
}

function followButton() {
  if (cal.following === null) {
    const next = `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    return h('a', { class: 'btn btn-primary', id: 'cal-follow', href: next }, t('cal.follow_signin'));
  }
  return h('button', {
    type: 'button',
    class: cal.following ? 'btn btn-secondary' : 'btn btn-primary',
    id: 'cal-follow',
    'aria-pressed': cal.following ? 'true' : 'false',
    onclick: toggleFollow,
  }, t(cal.following ? 'cal.following' : 'cal.follow'));
}

function feedLinks() {
  if (cal.feed) {
    return [
      h('a', { class: 'btn btn-secondary', id: 'cal-subscribe', href: cal.feed.webcal }, t('cal.subscribe')),
      h('a', { class: 'btn btn-quiet', id: 'cal-download', href: `${cal.feed.ics}?lang=${lang()}` },
        t('cal.download')),
    ];
  }
  if (cal.following === null) return [];
  return [h('button', { type: 'button', class: 'btn btn-secondary', id: 'cal-subscribe', onclick: privateFeed },
    t('cal.subscribe'))];
}

function render() {
  if (!root || !cal) return;
  const upcoming = cal.upcoming.filter((d) => d.days > 0 && !isRite(d));
  const shown = showAll ? upcoming : upcoming.slice(0, FIRST_UPCOMING);
  replace(root,
    h('h2', { class: 'mem-section-title', id: 'cal-heading' }, t('cal.heading')),
    renderNow(),
    h('div', { class: 'btn-row cal-actions' }, followButton(), feedLinks()),
    h('p', { class: 'meta cal-follow-note', id: 'cal-follow-note' },
      t(cal.following ? 'cal.follow_on' : 'cal.follow_lead', { n: cal.followers })),
    h('h3', { class: 'h3 cal-subhead' }, t('cal.rites')),
    h('ol', { class: 'cal-tiles', id: 'cal-rites' }, cal.rites.map(riteTile)),
    h('h3', { class: 'h3 cal-subhead' }, t('cal.coming_year')),
    h('ol', { class: 'cal-list', id: 'cal-upcoming' }, shown.map(dayItem)),
    upcoming.length > FIRST_UPCOMING && !showAll
      ? h('button', { type: 'button', class: 'btn btn-quiet btn-sm', id: 'cal-more',
        onclick: () => { showAll = true; render(); } }, t('cal.show_all', { n: upcoming.length }))
      : null,
    h('p', { class: 'meta cal-note', id: 'cal-note' },
      t(cal.anniversaries === 'lunar' ? 'cal.note_lunar' : 'cal.note_gregorian'), ' ',
      t('cal.note_count')));
  root.hidden = false;
}

async function load() {
  try {
    cal = await api('GET', `/api/memorials/${memorialId}/calendar?lang=${lang()}`);
    render();
  } catch (err) {
    if (!(err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404))) {
      toast(errorText(err), 'error');
    }
  }
}

async function toggleFollow() {
  if (busy) return;
  busy = true;
  const btn = document.getElementById('cal-follow');
  btn?.setAttribute('aria-busy', 'true');
  try {
    const r = cal.following
      ? await api('DELETE', `/api/memorials/${memorialId}/follow`)
      : await api('PUT', `/api/memorials/${memorialId}/follow`, { lang: lang() });
    cal = { ...cal, ...r };
    render();
    toast(t(cal.following ? 'cal.followed' : 'cal.unfollowed'), 'ok');
    document.getElementById('cal-follow')?.focus();
  } catch (err) {
    toast(errorText(err), 'error');
  } finally {
    busy = false;
    document.getElementById('cal-follow')?.removeAttribute('aria-busy');
  }
}

/** A memorial that is not public: a secret link of one's own. */
async function privateFeed() {
  if (busy) return;
  busy = true;
  try {
    const r = await api('POST', `/api/memorials/${memorialId}/calendar/feed`);
    cal = { ...cal, feed: { webcal: r.webcal, ics: r.ics } };
    render();
    toast(t('cal.private_link'), 'ok');
    location.assign(r.webcal);
  } catch (err) {
    toast(errorText(err), 'error');
  } finally {
    busy = false;
  }
}

/** Show the calendar of memorial id in section el (hidden until loaded). */
export function mountCalendar(el, { id }) {
  if (!el || root) return;
  root = el;
  memorialId = encodeURIComponent(id);
  load();
  onLangChange(load);
}
