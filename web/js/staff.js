// staff.js — /staff.html: the cemetery staff console, phone first.
//
// Tabs: sweeping orders of the staff member's cemetery from a day on,
// filtered by state, with accept / reject (reason) / start / proof upload
// from the phone camera / complete; the day's visit bookings with the
// audited "show phone"; publishing visiting times for a day or a whole
// season, previewed before they are published in one request (all or
// nothing); the family's rating and comment on a confirmed order; its
// payment, recorded at the office (staff-pay.js); checking a ticket in at
// the gate by camera or typed code (staff-checkin.js); plots
// (staff-plots.js) and burial hand-overs to accept (staff-transfers.js),
// with the plots proposed for them (staff-alloc.js); its services and
// prices, the public fee list (org-services.js: add, reprice, stop); for
// the cemetery's managers, its staff (org-staff.js: invite, revoke). Only
// the cemeteries the account is staff of (an admin may open any with
// ?cemetery=ID). Writes go through the same API the tests use:
// /api/sweeping-orders/{id}/transitions and /proof, /api/checkins,
// /api/cemeteries/{id}/slots and /services, /api/bookings/{id}/contact.
import { mountLayout, toast } from './layout.js';
import { ApiError, api, me } from './api.js';
import { t, onLangChange, bindText } from './i18n.js';
import { h, replace, param } from './dom.js';
import { wireTabs } from './tabs.js';
import { clearErrors, setBusy, setFormError } from './forms.js';
import {
  addDays, cstToday, dayLabel, errKey, errText, isAdmin, money, plotLabel, stateBadge,
  staffCemeteries,
} from './visitlib.js';
import { initPlots, loadPlots, renderPlots } from './staff-plots.js';
import { initTransfers, loadTransfers, renderTransfers } from './staff-transfers.js';
import { initPaySettings, payBlock } from './staff-pay.js';
import { closeCheckin, initCheckin, openCheckin } from './staff-checkin.js';
import { initAlloc, loadAlloc } from './staff-alloc.js';
import { staffPanel } from './org-staff.js';
import { servicesPanel } from './org-services.js';

const $ = (id) => document.getElementById(id);
const TABS = ['orders', 'visits', 'checkin', 'slots', 'plots', 'transfers', 'services', 'team'];

const state = {
  user: null,
  cemeteries: [],
  cemetery: null,
  tab: 'orders',
  orders: [],
  bookings: [],
  slots: [],
  rejecting: new Set(),
};

function show(id) {
  for (const x of ['s-loading', 's-error', 's-console']) $(x).hidden = x !== id;
}

function fail(key, vars = {}) {
  show('s-error');
  bindText($('s-error-text'), key, vars);
}

// ---------- tabs ----------

/** May the user manage this cemetery's staff (its manager, or an admin)? */
function manages(c) {
  return isAdmin(state.user) || (state.user?.roles ?? []).some((r) =>
    r.role === 'cemetery_staff' && String(r.scope_id) === String(c?.id) && r.manager);
}

/** May the user change this cemetery's fee list (cemetery.edit: its staff, or an admin)? */
function editsServices(c) {
  return isAdmin(state.user) || (state.user?.roles ?? []).some((r) =>
    r.role === 'cemetery_staff' && String(r.scope_id) === String(c?.id));
}

/** Is the tab `name` shown to this user for this cemetery? */
function tabShown(name) {
  if (name === 'team') return manages(state.cemetery);
  if (name === 'services') return editsServices(state.cemetery);
  return true;
}

function onTab(name) {
  if (!tabShown(name)) {
    selectTab('orders');
    return;
  }
  state.tab = name;
  if (name !== 'checkin') closeCheckin();
  if (name === 'orders') loadOrders();
  else if (name === 'team') team.load();
  else if (name === 'services') services.load();
  else if (name === 'visits') loadVisits();
  else if (name === 'slots') loadSlots();
  else if (name === 'plots') loadPlots();
  else if (name === 'transfers') { loadTransfers(); loadAlloc(); }
  else openCheckin();
}


// ---------- orders ----------

async function uploadProof(order, file, keep) {
  const res = await fetch(`/api/sweeping-orders/${order.id}/proof${keep ? '?keep_location=1' : ''}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json' },
    body: file,
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, body?.error?.code ?? 'server', body?.error?.message ?? res.statusText);
  }
  return body;
}

function replaceOrder(o) {
  state.orders = state.orders.map((x) => (x.id === o.id ? o : x));
  renderOrders();
}

async function act(o, target, reason) {
  try {
    const next = await api('POST', `/api/sweeping-orders/${o.id}/transitions`,
      { to: target, ...(reason ? { reason } : {}) });
    state.rejecting.delete(o.id);
    replaceOrder(next);
    toast(t('order.changed_toast', { state: t(`order.state.${target}`) }), 'ok');
  } catch (err) {
    toast(errText(err), 'error');
    if (err instanceof ApiError && err.code === 'illegal_transition') loadOrders();
  }
}

function rejectForm(o) {
  const id = `reason-${o.id}`;
  const input = h('textarea', { id, maxlength: 500, rows: 2, required: true });
  return h('div', { class: 'field reason-field' },
    h('label', { for: id }, t('staff.reject_reason')), input,
    h('div', { class: 'btn-row' },
      h('button', { type: 'button', class: 'btn btn-danger btn-sm', 'data-action': 'reject-confirm',
        onclick: () => {
          if (!input.value.trim()) {
            input.focus();
            toast(t('vs.err.reason_required'), 'warn');
            return;
          }
          act(o, 'rejected', input.value.trim());
        } }, t('staff.reject_submit')),
      h('button', { type: 'button', class: 'btn btn-quiet btn-sm',
        onclick: () => { state.rejecting.delete(o.id); renderOrders(); } }, t('common.cancel'))));
}

function proofPicker(o) {
  const id = `proof-${o.id}`;
  const keepId = `keep-${o.id}`;
  const file = h('input', { type: 'file', id, accept: 'image/*', capture: 'environment', 'data-proof-input': o.id });
  const video = h('input', { type: 'file', id: `video-${o.id}`, accept: 'video/mp4,video/webm', 'data-video-input': o.id });
  const keep = h('input', { type: 'checkbox', id: keepId });
  const send = async (input, btn) => {
    const f = input.files?.[0];
    if (!f) {
      input.focus();
      return;
    }
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    try {
      await uploadProof(o, f, keep.checked);
      toast(t('staff.uploaded_toast'), 'ok');
      replaceOrder(await api('GET', `/api/sweeping-orders/${o.id}`));
    } catch (err) {
      toast(errText(err), 'error');
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
    }
  };
  const photoBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', 'data-action': 'upload' },
    t('staff.upload'));
  photoBtn.addEventListener('click', () => send(file, photoBtn));
  const videoBtn = h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-action': 'upload-video' },
    t('staff.upload_video'));
  videoBtn.addEventListener('click', () => send(video, videoBtn));
  return h('div', { class: 'stack-sm' },
    h('label', { for: id, class: 'label' }, t('staff.upload_label')),
    h('div', { class: 'file-pick' }, file, photoBtn),
    h('div', { class: 'file-pick' }, h('label', { for: `video-${o.id}`, class: 'visually-hidden' },
      t('staff.upload_video')), video, videoBtn),
    h('label', { class: 'check text-sm', for: keepId }, keep, h('span', {}, t('staff.keep_location'))));
}

function orderActions(o) {
  const next = o.next.staff;
  const btn = (target, key, cls) => h('button', {
    type: 'button', class: `btn btn-sm ${cls}`, 'data-action': target,
    onclick: () => (target === 'rejected'
      ? (state.rejecting.add(o.id), renderOrders(), $(`reason-${o.id}`)?.focus())
      : act(o, target)),
  }, t(key));
  return h('div', { class: 'btn-row' },
    next.includes('accepted') ? btn('accepted', 'staff.accept', 'btn-primary') : null,
    next.includes('in_progress') ? btn('in_progress', 'staff.start', 'btn-primary') : null,
    next.includes('completed') ? btn('completed', 'staff.complete', 'btn-primary') : null,
    next.includes('rejected') && !state.rejecting.has(o.id) ? btn('rejected', 'staff.reject', 'btn-quiet') : null);
}

function orderCard(o) {
  const photos = o.proofs.filter((p) => p.kind === 'image').length;
  const canProve = o.state === 'accepted' || o.state === 'in_progress';
  return h('li', { class: 'card order-card', 'data-order': o.id, 'data-state': o.state },
    h('div', { class: 'spread' },
      h('strong', {}, `${t('order.number', { id: o.id })} · ${dayLabel(o.date)}`),
      stateBadge('order', o.state)),
    h('div', { class: 'text-sm' },
      h('div', {}, plotLabel(o.plot)),
      h('div', { class: 'meta' }, t('staff.ordered_by', { name: o.owner_name })),
      h('div', {}, o.items.map((i) => `${i.name} ×${i.quantity}`).join('、'), ' · ', money(o.total_cents)),
      o.note ? h('div', { class: 'meta' }, t('staff.family_note', { note: o.note })) : null,
      o.reason ? h('div', { class: 'text-danger' }, t('order.reason', { reason: o.reason })) : null,
      o.rating ? h('div', { class: 'order-rating', 'data-stars': o.rating.stars },
        h('span', { 'aria-hidden': 'true' }, '★'.repeat(o.rating.stars) + '☆'.repeat(5 - o.rating.stars)), ' ',
        h('span', { class: 'visually-hidden' }, t('staff.rating_stars', { n: o.rating.stars })),
        o.rating.comment ? h('q', {}, o.rating.comment) : null) : null),
    o.proofs.length ? h('ul', { class: 'gallery' }, o.proofs.map((p) => h('li', {},
      p.kind === 'video'
        ? h('video', { src: p.url, controls: true, preload: 'metadata' })
        : h('img', { src: p.url, alt: '', loading: 'lazy' })))) : null,
    payBlock(o, replaceOrder),
    canProve ? proofPicker(o) : null,
    o.state === 'in_progress' && !photos ? h('p', { class: 'meta text-sm' }, t('staff.proof_needed')) : null,
    state.rejecting.has(o.id) ? rejectForm(o) : null,
    orderActions(o));
}

function renderOrders() {
  replace($('orders'), state.orders.map(orderCard));
  $('orders-empty').hidden = state.orders.length > 0;
}

async function loadOrders() {
  if (!state.cemetery) return;
  const from = $('f-from').value || cstToday();
  const st = $('f-state').value;
  try {
    const r = await api('GET', `/api/sweeping-orders?cemetery_id=${state.cemetery.id}` +
      `&from=${from}&to=${addDays(from, 90)}${st ? `&state=${st}` : ''}`);
    state.orders = r.orders ?? [];
    renderOrders();
  } catch (err) {
    toast(errText(err), 'error');
  }
}

// ---------- visits ----------

function renderVisits() {
  const people = state.bookings.filter((b) => b.state !== 'cancelled')
    .reduce((n, b) => n + b.persons, 0);
  $('visits-summary').textContent = t('staff.visits_summary', {
    bookings: t('staff.bookings_n', { n: state.bookings.length }),
    people: t('vs.persons', { n: people }),
  });
  replace($('visits'), state.bookings.map((b) => {
    const phone = h('span', { class: 'mono', 'data-phone': b.id }, b.contact_phone);
    const reveal = h('button', { type: 'button', class: 'link-button text-sm', 'data-reveal': b.id },
      t('staff.show_phone'));
    reveal.addEventListener('click', async () => {
      try {
        const r = await api('GET', `/api/bookings/${b.id}/contact`);
        phone.textContent = r.contact_phone;
        reveal.remove();
      } catch (err) {
        toast(errText(err), 'error');
      }
    });
    return h('li', { class: 'list-row', 'data-booking': b.id },
      h('span', {},
        h('span', { class: 'list-title' }, `${t('vs.time_range', { start: b.slot.start, end: b.slot.end })} · ${b.user_name}`),
        h('span', { class: 'meta text-sm' }, ` ${t('vs.persons', { n: b.persons })} · ${plotLabel(b.plot)} · `),
        phone, ' ', reveal),
      stateBadge('booking', b.state));
  }));
  $('visits-empty').hidden = state.bookings.length > 0;
  $('visits').hidden = !state.bookings.length;
}

async function loadVisits() {
  if (!state.cemetery) return;
  const date = $('v-date').value || cstToday();
  try {
    const r = await api('GET', `/api/bookings?cemetery_id=${state.cemetery.id}&date=${date}`);
    state.bookings = r.bookings ?? [];
    renderVisits();
  } catch (err) {
    toast(errText(err), 'error');
  }
}

// ---------- slots ----------

function renderSlots() {
  replace($('slots'), state.slots.map((s) => h('li', { class: 'list-row' },
    h('span', {}, `${dayLabel(s.date)} ${t('vs.time_range', { start: s.start, end: s.end })}`),
    h('span', { class: 'meta text-sm' }, t('staff.slot_count', { booked: s.booked, capacity: s.capacity })))));
}

async function loadSlots() {
  if (!state.cemetery) return;
  const from = cstToday();
  try {
    const r = await api('GET', `/api/cemeteries/${state.cemetery.id}/slots?from=${from}&to=${addDays(from, 90)}`);
    state.slots = r.slots ?? [];
    renderSlots();
  } catch (err) {
    toast(errText(err), 'error');
  }
}

function hourly(date, start, end, capacity) {
  const toMin = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const fmt = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const out = [];
  for (let m = toMin(start); m < toMin(end); m += 60) {
    out.push({ date, start: fmt(m), end: fmt(Math.min(m + 60, toMin(end))), capacity });
  }
  return out;
}

const SEASON_MAX = 1000; // slots in one request (VISIT_BATCH_MAX)
let planned = null;      // the previewed slots, published as they are

/** The slots the form describes, every day from → to; or an error key. */
function slotPlan() {
  const from = $('slot-date').value;
  const to = $('slot-date-to').value || from;
  const start = $('slot-start').value.slice(0, 5);
  const end = $('slot-end').value.slice(0, 5);
  const capacity = Number($('slot-capacity').value);
  if (!from || !start || !end || start >= end || !(capacity >= 1) || to < from) {
    return { error: 'staff.slot_invalid' };
  }
  const slots = [];
  for (let d = from; d <= to && slots.length <= SEASON_MAX; d = addDays(d, 1)) {
    slots.push(...($('slot-hourly').checked ? hourly(d, start, end, capacity) : [{ date: d, start, end, capacity }]));
  }
  if (slots.length > SEASON_MAX) return { error: 'staff.slot_too_many', vars: { max: SEASON_MAX } };
  return { slots, from, to };
}

function clearPlan() {
  planned = null;
  $('slot-preview').hidden = true;
}

function previewSlots(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  const { slots, from, to, error, vars } = slotPlan();
  if (error) {
    clearPlan();
    setFormError(form, error, vars);
    return;
  }
  planned = slots;
  const days = new Map();
  for (const s of slots) days.set(s.date, (days.get(s.date) ?? []).concat(s));
  $('slot-preview-text').textContent = t('staff.slot_preview_text', {
    n: slots.length, days: days.size, from: dayLabel(from), to: dayLabel(to),
    people: slots.reduce((a, s) => a + s.capacity, 0),
  });
  const rows = [...days.entries()];
  const shown = rows.length > 6 ? [...rows.slice(0, 3), null, ...rows.slice(-2)] : rows;
  replace($('slot-preview-days'), shown.map((r) => (r
    ? h('li', { class: 'list-row' }, h('span', {}, dayLabel(r[0])),
      h('span', { class: 'meta' }, r[1].map((s) => s.start).join(' ')))
    : h('li', { class: 'meta' }, '…'))));
  $('slot-preview').hidden = false;
  $('slot-publish').focus();
}

async function submitSlots() {
  const form = $('slot-form');
  if (!planned) return;
  const slots = planned;
  setBusy(form, true);
  try {
    const r = await api('POST', `/api/cemeteries/${state.cemetery.id}/slots`, { slots });
    toast(t('staff.slots_done', { n: r.slots.length }), 'ok');
    clearPlan();
    await loadSlots();
  } catch (err) {
    const { key, vars } = errKey(err);
    setFormError(form, key, vars);
  } finally {
    setBusy(form, false);
  }
}

// ---------- start ----------

function chooseCemetery(id) {
  state.cemetery = state.cemeteries.find((c) => String(c.id) === String(id)) ?? state.cemeteries[0];
  $('cemetery-name').textContent = state.cemetery?.name ?? '';
  $('cemetery').value = String(state.cemetery?.id ?? '');
  for (const name of ['team', 'services']) $(`tab-${name}`).hidden = !tabShown(name);
  loadPaySettings();
  selectTab(state.tab);
}

async function load() {
  show('s-loading');
  try {
    state.user = await me({ probe: true });
  } catch (err) {
    fail(errKey(err).key);
    return;
  }
  if (!state.user) {
    location.replace(`/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  state.cemeteries = staffCemeteries(state.user);
  if (isAdmin(state.user)) {
    const all = await api('GET', '/api/cemeteries').catch(() => ({ cemeteries: [] }));
    state.cemeteries = (all.cemeteries ?? []).map((c) => ({ id: c.id, name: c.name }));
  }
  if (!state.cemeteries.length) {
    fail('staff.no_right');
    return;
  }
  replace($('cemetery'), state.cemeteries.map((c) => h('option', { value: c.id }, c.name)));
  $('cemetery-field').hidden = state.cemeteries.length < 2;
  show('s-console');
  chooseCemetery(param('cemetery') ?? state.cemeteries[0].id);
}

mountLayout();
const cemeteryOrg = () => state.cemetery && { kind: 'cemetery', id: state.cemetery.id };
const team = staffPanel($('panel-team'), cemeteryOrg, () => state.user?.id);
const services = servicesPanel($('panel-services'), cemeteryOrg, editsServices, 'tree-sweep');
const selectTab = wireTabs(TABS, onTab);
$('f-from').value = cstToday();
$('v-date').value = cstToday();
$('slot-date').value = addDays(cstToday(), 1);
$('f-state').addEventListener('change', loadOrders);
$('f-from').addEventListener('change', loadOrders);
$('orders-reload').addEventListener('click', loadOrders);
$('v-date').addEventListener('change', loadVisits);
$('visits-reload').addEventListener('click', loadVisits);
$('cemetery').addEventListener('change', (ev) => chooseCemetery(ev.target.value));
$('slot-form').addEventListener('submit', previewSlots);
$('slot-form').addEventListener('input', clearPlan);
$('slot-publish').addEventListener('click', submitSlots);
initPlots(() => state.cemetery);
initTransfers(() => state.cemetery);
const loadPaySettings = initPaySettings(() => state.cemetery);
initCheckin(() => state.cemetery);
initAlloc(() => state.cemetery);
$('s-retry').addEventListener('click', load);
onLangChange(() => {
  renderOrders();
  renderVisits();
  renderSlots();
  renderPlots();
  renderTransfers();
  services.render();
  team.render();
});
// the day goes by while the console stays open: refresh the orders now and
// then, unless someone is typing a reason or has picked a file to upload
function busyPicking() {
  return state.rejecting.size > 0 ||
    [...document.querySelectorAll('[data-proof-input], [data-video-input]')]
      .some((el) => el.files?.length) ||
    [...document.querySelectorAll('[data-pay-ref]')].some((el) => el.value);
}
setInterval(() => { if (state.tab === 'orders' && !busyPicking()) loadOrders(); }, 60000);
load();
