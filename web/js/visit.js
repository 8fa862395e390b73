// visit.js — /visit.html: book a cemetery visit.
//
//   /visit.html                      choose a cemetery
//   /visit.html?cemetery=ID[&plot=ID] the next 30 days of slots with their
//                                    remaining places, the booking form, my
//                                    bookings
//   /visit.html?booking=ID           the ticket: QR code, code, details,
//                                    cancelling
// Reads GET /api/cemeteries, /api/cemeteries/{id}/slots, /plots,
// /api/bookings?mine=1; writes POST /api/bookings, DELETE /api/bookings/{id}.
import { mountLayout, toast } from './layout.js';
import { ApiError, api, me } from './api.js';
import { t, onLangChange, bindText } from './i18n.js';
import { h, replace, param } from './dom.js';
import {
  clearErrors, clearOnInput, focusFirstInvalid, setBusy, setFieldError, setFormError,
} from './forms.js';
import {
  addDays, cstToday, dayLabel, errKey, errText, pageViews, plotLabel, signinHref, stateBadge,
} from './visitlib.js';

const DAYS = 30;
const $ = (id) => document.getElementById(id);

const state = {
  mode: null,
  user: null,
  cemetery: null,
  slots: [],
  plots: [],
  day: null,
  slot: null,
  mine: [],
  booking: null,
  cemeteries: [],
};

const { show, start } = pageViews(state,
  ['v-loading', 'v-error', 'v-choose', 'v-book', 'v-ticket'], 'v-error-text');

/** Keep the chosen slot and plot in the address, so that signing in to
 *  book (and coming back) or a reload finds them chosen. */
function keepChoice() {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of [['slot', state.slot?.id], ['plot', $('plot_id').value]]) {
    if (v) q.set(k, String(v));
    else q.delete(k);
  }
  const next = `${location.pathname}?${q}`;
  if (next !== location.pathname + location.search) history.replaceState(null, '', next);
}

// ---------- choose a cemetery ----------

function renderChoose() {
  replace($('cemetery-list'), state.cemeteries.map((c) =>
    h('li', {}, h('a', { href: `/visit.html?cemetery=${c.id}` },
      h('span', {}, h('span', { class: 'list-title' }, c.name), ' ',
        c.address ? h('span', { class: 'meta text-sm' }, c.address) : null)))));
  $('cemetery-empty').hidden = state.cemeteries.length > 0;
  $('cemetery-list').hidden = !state.cemeteries.length;
}

async function loadChoose() {
  const r = await api('GET', '/api/cemeteries');
  state.cemeteries = r.cemeteries ?? [];
  renderChoose();
  show('v-choose');
}

// ---------- days and slots ----------

function daysWithSlots() {
  const byDay = new Map();
  for (const s of state.slots) {
    const d = byDay.get(s.date) ?? { date: s.date, remaining: 0 };
    d.remaining += s.remaining;
    byDay.set(s.date, d);
  }
  return [...byDay.values()];
}

function meterClass(s) {
  const pct = s.capacity ? Math.round((s.remaining / s.capacity) * 10) * 10 : 0;
  return `fill-${Math.max(0, Math.min(100, pct))}`;
}

function renderDays() {
  const days = daysWithSlots();
  $('no-days').hidden = days.length > 0;
  if (!state.day || !days.some((d) => d.date === state.day)) {
    state.day = (days.find((d) => d.remaining > 0) ?? days[0])?.date ?? null;
  }
  const today = cstToday();
  replace($('day-strip'), days.map((d) => h('li', {},
    h('button', {
      type: 'button',
      class: 'day',
      'aria-pressed': d.date === state.day ? 'true' : 'false',
      'data-date': d.date,
      onclick: () => { state.day = d.date; state.slot = null; keepChoice(); renderBook(); },
    },
    h('span', { class: 'day-week' }, d.date === today ? t('vs.today') : dayLabel(d.date, { weekday: 'short' })),
    h('span', { class: 'day-date' }, dayLabel(d.date, { month: 'numeric', day: 'numeric' })),
    h('span', { class: d.remaining ? 'day-left' : 'day-left is-full' },
      d.remaining ? t('vs.remaining', { n: d.remaining }) : t('vs.full'))))));
}

function renderSlots() {
  const list = state.slots.filter((s) => s.date === state.day);
  $('slots-section').hidden = !state.day;
  replace($('slot-list'), list.length ? list.map((s) => {
    const full = s.remaining <= 0;
    const low = !full && s.remaining <= Math.max(1, s.capacity / 10);
    return h('li', {},
      h('button', {
        type: 'button',
        class: 'slot',
        disabled: full,
        'aria-pressed': state.slot?.id === s.id ? 'true' : 'false',
        'data-slot': s.id,
        onclick: () => {
          state.slot = s;
          keepChoice();
          renderBook();
          $('book-form').querySelector('select')?.focus();
        },
      },
      h('span', { class: 'slot-time' }, t('vs.time_range', { start: s.start, end: s.end })),
      h('span', { class: 'text-right' },
        h('span', { class: full ? 'badge badge-danger' : low ? 'badge badge-warn' : 'badge badge-accent' },
          full ? t('vs.full') : t('vs.remaining', { n: s.remaining })),
        h('span', { class: low ? 'meter is-low' : 'meter', 'aria-hidden': 'true' },
          h('span', { class: meterClass(s) })))));
  }) : h('li', { class: 'meta' }, t('visit.no_slots')));
}

function renderForm() {
  const signedIn = !!state.user;
  $('form-card').hidden = !state.slot;
  $('signin-needed').hidden = signedIn;
  $('signin-link').href = signinHref();
  $('book-form').hidden = !signedIn;
  if (state.slot) {
    $('chosen-slot').textContent = `${dayLabel(state.slot.date)} · ${t('vs.time_range',
      { start: state.slot.start, end: state.slot.end })}`;
  }
  const sel = $('plot_id');
  const want = sel.value || param('plot') || '';
  replace(sel,
    h('option', { value: '' }, state.plots.length ? '—' : t('visit.no_plots')),
    state.plots.map((p) => h('option', { value: p.id, selected: String(p.id) === want },
      plotLabel(p))));
}

function renderMine() {
  const mine = state.mine.filter((b) => !state.cemetery || b.cemetery.id === state.cemetery.id);
  $('mine-section').hidden = !state.user;
  $('mine-empty').hidden = mine.length > 0;
  $('mine-list').hidden = !mine.length;
  replace($('mine-list'), mine.map((b) =>
    h('li', {}, h('a', { href: `/visit.html?booking=${b.id}`, 'data-booking': b.id },
      h('span', {},
        h('span', { class: 'list-title' }, `${dayLabel(b.slot.date)} ${t('vs.time_range',
          { start: b.slot.start, end: b.slot.end })}`), ' ',
        h('span', { class: 'meta text-sm' }, t('vs.persons', { n: b.persons }))),
      stateBadge('booking', b.state)))));
}

function renderBook() {
  const c = state.cemetery;
  $('cemetery-name').textContent = c.name;
  $('cemetery-address').textContent = c.address || '';
  $('order-link').href = `/order.html?cemetery=${c.id}${param('plot') ? `&plot=${encodeURIComponent(param('plot'))}` : ''}`;
  renderDays();
  renderSlots();
  renderForm();
  renderMine();
}

async function loadSlots() {
  const from = cstToday();
  const r = await api('GET', `/api/cemeteries/${state.cemetery.id}/slots?from=${from}&to=${addDays(from, DAYS - 1)}`);
  state.slots = r.slots ?? [];
}

async function loadMine() {
  state.mine = state.user ? (await api('GET', '/api/bookings?mine=1')).bookings ?? [] : [];
}

async function loadBook(id) {
  const [cem, plots, user] = await Promise.all([
    api('GET', `/api/cemeteries/${encodeURIComponent(id)}`),
    api('GET', `/api/cemeteries/${encodeURIComponent(id)}/plots`),
    me().catch(() => null),
  ]);
  state.cemetery = cem;
  state.plots = plots.plots ?? [];
  state.user = user;
  await Promise.all([loadSlots(), loadMine()]);
  // the slot chosen before signing in (or before a reload)
  const chosen = state.slots.find((s) => String(s.id) === param('slot') && s.remaining > 0);
  if (chosen) {
    state.day = chosen.date;
    state.slot = chosen;
  }
  renderBook();
  show('v-book');
}

function validPhone(raw) {
  const s = String(raw).trim().replace(/^\+86/, '').replace(/[\s-]/g, '');
  return /^1\d{10}$/.test(s) || /^0\d{9,11}$/.test(s);
}

async function submitBooking(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  if (!state.slot) {
    setFormError(form, 'visit.pick_slot_first');
    return;
  }
  const plot = $('plot_id');
  const phone = $('contact_phone');
  if (!plot.value) setFieldError(plot, 'visit.validate_plot');
  if (!validPhone(phone.value)) setFieldError(phone, 'visit.validate_phone');
  if (focusFirstInvalid(form)) return;
  setBusy(form, true);
  try {
    const b = await api('POST', '/api/bookings', {
      slot_id: state.slot.id,
      plot_id: Number(plot.value),
      persons: Number($('persons').value),
      contact_phone: phone.value.trim(),
    });
    toast(t('visit.booked_toast'), 'ok');
    history.pushState({}, '', `/visit.html?booking=${b.id}`);
    state.booking = b;
    renderTicket();
    show('v-ticket');
    $('ticket-title').focus?.();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'slot_full') {
      // someone else took the last places: show the new counts
      await loadSlots().catch(() => {});
      state.slot = state.slots.find((s) => s.id === state.slot.id && s.remaining > 0) ?? null;
      renderBook();
    }
    if (err instanceof ApiError && err.field === 'contact_phone') {
      setFieldError(phone, 'visit.validate_phone');
    } else {
      const { key, vars } = errKey(err);
      setFormError(form, key, vars);
    }
  } finally {
    setBusy(form, false);
  }
}

// ---------- the ticket ----------

function renderTicket() {
  const b = state.booking;
  const card = $('ticket');
  card.classList.toggle('is-used', b.state === 'checked_in');
  card.classList.toggle('is-cancelled', b.state === 'cancelled');
  const qr = $('ticket-qr');
  qr.src = b.ticket_url;
  qr.alt = t('visit.ticket_alt', { code: b.code });
  $('ticket-code').textContent = b.code.replace(/(....)(?=.)/g, '$1 ');
  replace($('ticket-state'), stateBadge('booking', b.state));
  $('t-cemetery').textContent = b.cemetery.name;
  $('t-when').textContent = `${dayLabel(b.slot.date)} ${t('vs.time_range', { start: b.slot.start, end: b.slot.end })}`;
  $('t-plot').textContent = plotLabel(b.plot);
  $('t-persons').textContent = t('vs.persons', { n: b.persons });
  $('t-phone').textContent = b.contact_phone;
  $('ticket-cancel').hidden = b.state !== 'booked';
  $('ticket-back').href = `/visit.html?cemetery=${b.cemetery.id}`;
}

async function loadTicket(id) {
  state.user = await me().catch(() => null);
  if (!state.user) {
    location.replace(signinHref());
    return;
  }
  state.booking = await api('GET', `/api/bookings/${encodeURIComponent(id)}`);
  renderTicket();
  show('v-ticket');
}

let cancelArmed = false;

async function cancelBooking() {
  const btn = $('ticket-cancel');
  if (!cancelArmed) {
    cancelArmed = true;
    bindText(btn, 'visit.cancel_confirm');
    return;
  }
  btn.disabled = true;
  try {
    state.booking = await api('DELETE', `/api/bookings/${state.booking.id}`);
    toast(t('visit.cancelled_toast'), 'ok');
    renderTicket();
  } catch (err) {
    toast(errText(err), 'error');
  } finally {
    cancelArmed = false;
    bindText(btn, 'visit.cancel');
    btn.disabled = false;
  }
}

// ---------- start ----------

function load() {
  return start(() => {
    if (param('booking')) return loadTicket(param('booking'));
    if (param('cemetery')) return loadBook(param('cemetery'));
    return loadChoose();
  });
}

mountLayout();
clearOnInput($('book-form'));
$('book-form').addEventListener('submit', submitBooking);
$('plot_id').addEventListener('change', keepChoice);
$('ticket-cancel').addEventListener('click', cancelBooking);
$('v-retry').addEventListener('click', load);
window.addEventListener('popstate', load);
onLangChange(() => {
  if (state.mode === 'v-book') renderBook();
  else if (state.mode === 'v-ticket') renderTicket();
  else if (state.mode === 'v-choose') renderChoose();
});
load();
