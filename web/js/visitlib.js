// visitlib.js — what the booking, order and staff pages share: days in
// China Standard Time, money, plot labels, state badges, and error
// sentences for the codes the visit and sweeping API answers with.
//
//   import { cstToday, addDays, money, plotLabel, stateBadge, errText } from '/js/visitlib.js';
import { t, has, lang } from './i18n.js';
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

/** "A区 3排 18号" / "Section A, row 3, no. 18". */
export function plotLabel(p) {
  if (!p) return '';
  return t('vs.plot', { section: p.section, row: p.row, number: p.number });
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
