// order.js — /order.html: proxy grave-sweeping for families.
//
//   /order.html                        my orders; cemeteries to order from
//   /order.html?cemetery=ID[&plot=ID]  the cemetery's service list with
//                                      prices, a date and a message: place
//   /order.html?id=ID                  the order, live over /ws (topic
//                                      order:{id}): how to pay and whether it is paid, progress, proof photos
//                                      and videos, history, and the family's
//                                      moves (cancel, confirm, dispute, rate)
import { mountLayout, toast } from './layout.js';
import { api, me } from './api.js';
import { t, onLangChange, bindText, formatDateTime } from './i18n.js';
import { h, replace, param } from './dom.js';
import { subscribe, onStatus } from './live.js';
import {
  clearErrors, clearOnInput, focusFirstInvalid, setBusy, setFieldError, setFormError,
} from './forms.js';
import {
  addDays, cstToday, dayLabel, errKey, errText, money, pageViews, payBadge, payNote, plotLabel,
  signinHref, stateBadge,
} from './visitlib.js';

const $ = (id) => document.getElementById(id);
const STEPS = ['placed', 'accepted', 'in_progress', 'completed', 'confirmed'];

const state = {
  mode: null,
  user: null,
  cemetery: null,
  services: [],
  plots: [],
  orders: [],
  cemeteries: [],
  order: null,
  stars: 0,
  live: null,
};

const { show, start } = pageViews(state,
  ['o-loading', 'o-error', 'o-list', 'o-new', 'o-view'], 'o-error-text');

// ---------- my orders ----------

function renderList() {
  replace($('order-list'), state.orders.map((o) =>
    h('li', {}, h('a', { href: `/order.html?id=${o.id}`, 'data-order': o.id },
      h('span', {},
        h('span', { class: 'list-title' }, t('order.number', { id: o.id })), ' ',
        h('span', { class: 'meta text-sm' }, `${o.cemetery.name} · ${dayLabel(o.date)} · ${money(o.total_cents)}`)),
      stateBadge('order', o.state)))));
  $('order-list-empty').hidden = state.orders.length > 0;
  $('order-list').hidden = !state.orders.length;
  $('order-cemeteries').hidden = !state.cemeteries.length;
  replace($('order-cemeteries'), state.cemeteries.map((c) =>
    h('li', {}, h('a', { href: `/order.html?cemetery=${c.id}` }, h('span', { class: 'list-title' }, c.name)))));
}

async function loadList() {
  state.user = await me().catch(() => null);
  const [orders, cems] = await Promise.all([
    state.user ? api('GET', '/api/sweeping-orders?mine=1') : Promise.resolve({ orders: [] }),
    api('GET', '/api/cemeteries'),
  ]);
  state.orders = orders.orders ?? [];
  state.cemeteries = cems.cemeteries ?? [];
  renderList();
  show('o-list');
}

// ---------- a new order ----------

function chosenItems() {
  return state.services
    .map((s) => ({ s, box: $(`svc-${s.id}`), qty: $(`qty-${s.id}`) }))
    .filter((x) => x.box?.checked)
    .map((x) => ({ service: x.s, quantity: Math.max(1, Math.min(99, Number(x.qty.value) || 1)) }));
}

function renderTotal() {
  const total = chosenItems().reduce((sum, i) => sum + i.service.price_cents * i.quantity, 0);
  $('o-total').textContent = money(total);
}

function renderNew() {
  $('new-title').textContent = state.cemetery.name;
  $('new-signin').hidden = !!state.user;
  $('new-signin-link').href = signinHref();
  const sel = $('o-plot');
  const want = sel.value || param('plot') || '';
  replace(sel, h('option', { value: '' }, state.plots.length ? '—' : t('visit.no_plots')),
    state.plots.map((p) => h('option', { value: p.id, selected: String(p.id) === want }, plotLabel(p))));
  const date = $('o-date');
  date.min = cstToday();
  date.max = addDays(cstToday(), 366);
  if (!date.value) date.value = addDays(cstToday(), 1);
  const checked = new Set(chosenItems().map((i) => i.service.id));
  replace($('svc-list'), state.services.map((s) => h('li', { class: 'svc' },
    h('input', { type: 'checkbox', id: `svc-${s.id}`, 'data-service': s.id, checked: checked.has(s.id) }),
    h('label', { for: `svc-${s.id}` },
      h('span', { class: 'svc-name' }, s.name),
      s.description ? h('span', { class: 'svc-desc' }, s.description) : null,
      h('span', { class: 'svc-price' }, `${money(s.price_cents)} / ${s.unit}`)),
    h('input', {
      type: 'number', class: 'input qty', id: `qty-${s.id}`, min: 1, max: 99, value: 1,
      inputmode: 'numeric', 'aria-label': t('order.qty_label', { name: s.name }),
    }))));
  $('svc-empty').hidden = state.services.length > 0;
  renderTotal();
}

async function loadNew(id) {
  const [svcs, plots, user] = await Promise.all([
    api('GET', `/api/cemeteries/${encodeURIComponent(id)}/services`),
    api('GET', `/api/cemeteries/${encodeURIComponent(id)}/plots`),
    me().catch(() => null),
  ]);
  state.cemetery = svcs.org;
  state.services = (svcs.services ?? []).filter((s) => s.active !== false);
  state.plots = plots.plots ?? [];
  state.user = user;
  renderNew();
  show('o-new');
}

async function submitOrder(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  if (!state.user) {
    location.assign(signinHref());
    return;
  }
  const plot = $('o-plot');
  const date = $('o-date');
  const items = chosenItems();
  if (!plot.value) setFieldError(plot, 'visit.validate_plot');
  if (!date.value || date.value < cstToday()) setFieldError(date, 'order.validate_date');
  if (!items.length) {
    const el = $('o-items-error');
    bindText(el, 'order.validate_items');
    el.hidden = false;
  }
  if (focusFirstInvalid(form) || !items.length) return;
  setBusy(form, true);
  try {
    const note = $('o-note').value.trim();
    const o = await api('POST', '/api/sweeping-orders', {
      plot_id: Number(plot.value),
      date: date.value,
      items: items.map((i) => ({ service_id: i.service.id, quantity: i.quantity })),
      ...(note ? { note } : {}),
    });
    toast(t('order.placed_toast'), 'ok');
    history.pushState({}, '', `/order.html?id=${o.id}`);
    await loadView(o.id, o);
  } catch (err) {
    const { key, vars } = errKey(err);
    setFormError(form, key, vars);
  } finally {
    setBusy(form, false);
  }
}

// ---------- one order ----------

function isOwner() {
  return state.user && state.order && state.user.id === state.order.owner_id;
}

function renderSteps(o) {
  const reached = new Set(o.events.map((e) => e.to));
  const at = STEPS.indexOf(o.state);
  replace($('steps'), STEPS.map((s, i) => h('li', {
    class: s === o.state ? 'is-now' : (at >= 0 ? i < at : reached.has(s)) ? 'is-done' : null,
    'data-step': s,
    'aria-current': s === o.state ? 'step' : null,
  }, t(`order.state.${s}`))));
}

function actionButton(target, key, cls) {
  return h('button', {
    type: 'button', class: `btn ${cls}`, 'data-action': target, 'data-i18n': key,
    onclick: () => (target === 'disputed' ? openDispute() : move(target)),
  }, t(key));
}

function renderActions(o) {
  const moves = isOwner() ? o.next.family : [];
  replace($('family-actions'),
    moves.includes('confirmed') ? actionButton('confirmed', 'order.confirm', 'btn-primary') : null,
    moves.includes('disputed') ? actionButton('disputed', 'order.dispute', 'btn-secondary') : null,
    moves.includes('cancelled') ? actionButton('cancelled', 'order.cancel', 'btn-secondary') : null);
  if (!moves.includes('disputed')) $('dispute-form').hidden = true;
}

function renderGallery(o) {
  let n = 0;
  replace($('gallery'), o.proofs.map((p) => {
    if (p.kind === 'video') {
      return h('li', { 'data-proof': p.id },
        h('video', { src: p.url, controls: true, preload: 'metadata', playsinline: true,
          'aria-label': t('order.proof_video') }));
    }
    n += 1;
    return h('li', { 'data-proof': p.id },
      h('a', { href: p.url, target: '_blank', rel: 'noopener' },
        h('img', { src: p.url, alt: t('order.proof_photo', { n }), loading: 'lazy' })),
      p.kept_location ? h('span', { class: 'badge' }, t('order.location_kept')) : null);
  }));
  $('gallery-empty').hidden = o.proofs.length > 0;
}

function renderRating(o) {
  const card = $('rate-card');
  card.hidden = !(isOwner() && o.state === 'confirmed');
  if (card.hidden) return;
  const rated = $('rated');
  rated.hidden = !o.rating;
  $('rate-form').hidden = !!o.rating;
  if (o.rating) {
    rated.textContent = t('order.rated', { stars: o.rating.stars }) +
      (o.rating.comment ? ` · ${o.rating.comment}` : '');
    return;
  }
  const legend = $('stars').querySelector('legend');
  replace($('stars'), legend, [1, 2, 3, 4, 5].map((n) => [
    h('input', { type: 'radio', name: 'stars', id: `star-${n}`, value: n, checked: state.stars === n,
      onchange: () => { state.stars = n; renderRating(state.order); $(`star-${n}`).focus(); } }),
    h('label', { for: `star-${n}`, class: n <= state.stars ? 'is-on' : null,
      title: t('order.star_label', { n }) }, '★',
    h('span', { class: 'visually-hidden' }, t('order.star_label', { n }))),
  ]));
}

function renderTimeline(o) {
  replace($('timeline'), o.events.map((e) => h('li', {},
    h('strong', {}, t(`order.state.${e.to}`)), ' ',
    h('span', { class: 'meta text-sm' }, `${e.actor_name} · ${formatDateTime(e.at)}`),
    e.note ? h('span', { class: 'note' }, e.note) : null)));
}

// What the family must do to pay, and whether it is paid (pay.h).
function renderPayment(p) {
  replace($('pay-state'), payBadge(p.state));
  $('pay-card').dataset.pay = p.state;
  $('pay-amount').textContent = money(p.amount_fen);
  $('pay-reference').textContent = p.reference;
  $('pay-instructions').textContent = p.instructions || t('pay.no_instructions');
  $('pay-note').textContent = payNote(p);
}

function renderView() {
  const o = state.order;
  $('view-title').textContent = t('order.number', { id: o.id });
  replace($('order-state'), stateBadge('order', o.state));
  $('order-where').textContent = `${o.cemetery.name} · ${plotLabel(o.plot)} · ${dayLabel(o.date)}`;
  const reason = $('order-reason');
  reason.hidden = !o.reason || !['rejected', 'disputed'].includes(o.state);
  reason.textContent = o.reason ? t('order.reason', { reason: o.reason }) : '';
  renderPayment(o.payment);
  renderSteps(o);
  renderActions(o);
  renderGallery(o);
  renderRating(o);
  replace($('items'), o.items.map((i) => h('tr', {},
    h('td', {}, i.name),
    h('td', { class: 'num' }, t('order.qty', { n: i.quantity })),
    h('td', { class: 'num' }, money(i.amount_cents)))));
  $('items-total').textContent = money(o.total_cents);
  $('order-note').hidden = !o.note;
  $('order-note').textContent = o.note ? t('staff.family_note', { note: o.note }) : '';
  renderTimeline(o);
}

function onOrderEvent(ev) {
  if (ev?.type !== 'order' || !ev.order || ev.order.id !== state.order?.id) return;
  const before = state.order.state;
  state.order = ev.order;
  renderView();
  if (ev.order.state !== before) {
    toast(t('order.changed_toast', { state: t(`order.state.${ev.order.state}`) }), 'info');
  }
}

function renderLive(s) {
  const dot = document.querySelector('#live-status .live-dot');
  dot.classList.toggle('is-off', s !== 'connected');
  dot.classList.toggle('is-wait', s === 'connecting' || s === 'reconnecting');
  $('live-status').dataset.status = s;
  bindText($('live-text'), s === 'connected' ? 'live.connected'
    : s === 'reconnecting' ? 'live.reconnecting' : 'live.connecting');
}

async function loadView(id, first = null) {
  state.user = await me().catch(() => null);
  if (!state.user) {
    location.replace(signinHref());
    return;
  }
  state.order = first ?? await api('GET', `/api/sweeping-orders/${encodeURIComponent(id)}`);
  renderView();
  show('o-view');
  state.live?.();
  state.live = subscribe(`order:${state.order.id}`, onOrderEvent, {
    onError: (e) => toast(e.message || t('error.unknown'), 'error'),
  });
  // catch up with anything that happened before the subscription took
  api('GET', `/api/sweeping-orders/${state.order.id}`).then((o) => {
    if (o.events.length >= state.order.events.length) {
      state.order = o;
      renderView();
    }
  }).catch(() => {});
}

async function move(target, note) {
  const bar = $('family-actions');
  for (const b of bar.querySelectorAll('button')) b.disabled = true;
  try {
    state.order = await api('POST', `/api/sweeping-orders/${state.order.id}/transitions`,
      { to: target, ...(note ? { reason: note } : {}) });
    renderView();
    return true;
  } catch (err) {
    toast(errText(err), 'error');
    return false;
  } finally {
    for (const b of bar.querySelectorAll('button')) b.disabled = false;
  }
}

function openDispute() {
  const form = $('dispute-form');
  form.hidden = false;
  $('dispute-reason').focus();
}

async function submitDispute(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  const reason = $('dispute-reason');
  if (!reason.value.trim()) {
    setFieldError(reason, 'vs.err.reason_required');
    reason.focus();
    return;
  }
  setBusy(form, true);
  if (await move('disputed', reason.value.trim())) form.hidden = true;
  setBusy(form, false);
}

async function submitRating(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  if (!state.stars) {
    setFormError(form, 'order.rate_pick');
    return;
  }
  setBusy(form, true);
  try {
    const comment = $('rate-comment').value.trim();
    const r = await api('POST', `/api/sweeping-orders/${state.order.id}/rating`,
      { stars: state.stars, ...(comment ? { comment } : {}) });
    state.order.rating = r.rating;
    toast(t('order.thanks'), 'ok');
    renderRating(state.order);
  } catch (err) {
    const { key, vars } = errKey(err);
    setFormError(form, key, vars);
  } finally {
    setBusy(form, false);
  }
}

// ---------- start ----------

function load() {
  return start(() => {
    if (param('id')) return loadView(param('id'));
    if (param('cemetery')) return loadNew(param('cemetery'));
    return loadList();
  });
}

mountLayout();
clearOnInput($('order-form'));
$('order-form').addEventListener('submit', submitOrder);
$('order-form').addEventListener('input', renderTotal);
$('order-form').addEventListener('change', (ev) => {
  renderTotal();
  if (ev.target?.dataset?.service) $('o-items-error').hidden = true;
});
$('dispute-form').addEventListener('submit', submitDispute);
$('rate-form').addEventListener('submit', submitRating);
$('o-retry').addEventListener('click', load);
window.addEventListener('popstate', load);
onStatus(renderLive);
onLangChange(() => {
  if (state.mode === 'o-view') renderView();
  else if (state.mode === 'o-new') renderNew();
  else if (state.mode === 'o-list') renderList();
});
load();
