// visitlib.js — what the booking, order and staff pages share: days in
// China Standard Time, money, plot labels, state badges, and error
// sentences for the codes the visit and sweeping API answers with, and the
// one-view-at-a-time frame of the booking and order pages.
//
//   import { cstToday, addDays, money, plotLabel, stateBadge, errText } from '/js/visitlib.js';
import { t, has, lang, bindText } from './i18n.js';
import { ApiError } from './api.js';
import { h } from './dom.js';

/** Today as the daemon counts it (China Standard Time), "YYYY-MM-DD". */
export function cstToday() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

/** date + n days, "YYYY-MM-DD". */
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** "4月4日 周五" / "Fri, Apr 4" for a calendar date. */
export function dayLabel(date, opts = { month: 'short', day: 'numeric', weekday: 'short' }) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(lang(), { ...opts, timeZone: 'UTC' });
}

/** Cents as yuan: "¥88.00". */
export function money(cents) {
  return new Intl.NumberFormat(lang(), { style: 'currency', currency: 'CNY' })
    .format((Number(cents) || 0) / 100);
}

// A plot's parts may be typed with their unit ("3排", "12号") or without
// ("3", "A"): the unit is said once.
const UNITS = { section: '区', row: '排', number: '号' };

function plotPart(value, unit) {
  const s = String(value ?? '').trim();
  const bare = s.endsWith(unit) ? s.slice(0, -unit.length).trim() : s;
  if (lang() !== 'zh-CN') return bare;
  return /^[0-9A-Za-z-]+$/.test(bare) ? `${bare}${unit}` : s;
}

/** "A区 3排 18号" / "Section A, row 3, no. 18", whether or not the parts
 *  were typed with their units. */
export function plotLabel(p) {
  if (!p) return '';
  const vars = {};
  for (const [k, unit] of Object.entries(UNITS)) vars[k] = plotPart(p[k], unit);
  return t('vs.plot', vars);
}

/** A badge for a booking or order state. kind: 'order' | 'booking'. */
export function stateBadge(kind, state) {
  const key = `${kind === 'order' ? 'order' : 'vs'}.state.${state}`;
  return h('span', { class: 'badge state-badge', 'data-state': state, 'data-i18n': key },
    t(key));
}

/** { key, vars, fixed } for an error, knowing this feature's codes. */
export function errKey(err) {
  if (err instanceof ApiError) {
    const key = `vs.err.${err.code}`;
    if (has(key)) return { key, vars: {} };
    return err.friendlyKey();
  }
  return { key: 'error.unknown', vars: {} };
}

/** The error as a sentence in the current language. */
export function errText(err) {
  const { key, vars } = errKey(err);
  return t(key, vars);
}

/** The cemeteries the signed-in user is staff of: [{id, name}]. */
export function staffCemeteries(user) {
  const roles = Array.isArray(user?.roles) ? user.roles : [];
  return roles
    .filter((r) => r.role === 'cemetery_staff' && r.scope_id)
    .map((r) => ({ id: r.scope_id, name: r.scope_name || `#${r.scope_id}` }));
}

export function isAdmin(user) {
  return Array.isArray(user?.roles) && user.roles.some((r) => r.role === 'admin');
}

/** The badge of an order's payment state (unpaid, paid, refunded). */
export function payBadge(state) {
  const key = `pay.state.${state}`;
  return h('span', { class: 'badge state-badge pay-badge', 'data-pay': state, 'data-i18n': key },
    t(key));
}

/** The line under a payment: who recorded it, the refund, or what is owed. */
export function payNote(p) {
  if (p.state === 'refunded') {
    return t('pay.refunded_note', { reference: p.refunded.reference, at: p.refunded.at.slice(0, 10) });
  }
  if (p.state === 'paid') {
    return `${t('pay.paid_note', { amount: money(p.paid.amount_fen), reference: p.paid.reference,
      at: p.paid.at.slice(0, 10) })}${p.refund_due ? ` · ${t('pay.refund_due')}` : ''}`;
  }
  return p.pay_later ? t('pay.later_note') : t('pay.wait_note');
}

/** The sign-in page, coming back here afterwards. */
export function signinHref() {
  return `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** A page that shows one of its views at a time. ids: every view's id, the
 *  loading view first and the error view second; errorText: the id of the
 *  error view's sentence; state.mode keeps the view shown. show(id) shows
 *  one view; fail(err) the error; start(route) shows loading, awaits
 *  route() and sends a visitor who must sign in (401) to sign in. */
export function pageViews(state, ids, errorText) {
  const show = (mode) => {
    state.mode = mode;
    for (const id of ids) document.getElementById(id).hidden = id !== mode;
  };
  const fail = (err) => {
    show(ids[1]);
    const { key, vars } = errKey(err);
    bindText(document.getElementById(errorText), key, vars);
  };
  const start = async (route) => {
    show(ids[0]);
    try {
      await route();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        location.replace(signinHref());
        return;
      }
      fail(err);
    }
  };
  return { show, fail, start };
}
