// graves.js — /graves.html[?cemetery=ID]: a cemetery's staff confirm or
// refuse the requests of family memorials to be linked to one of their
// graves (GET /api/cemeteries/{id}/grave-requests, POST
// /api/grave-requests/{id}/confirm {plot_id} or {record_id}, …/refuse
// {reason}). Each request shows the memorial, its deceased's name and
// dates, the plot the family named (picked in the plot list when it
// exists) and the record they named when it is this cemetery's. The page
// checks nothing itself.
import { mountLayout, toast } from './layout.js';
import { ApiError, api, me } from './api.js';
import { bindText, formatDateTime, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';
import { isAdmin } from './visitlib.js';

const $ = (x) => document.getElementById(x);
const state = { cemeteries: [], cemetery: null, requests: [], plots: [] };

function show(which) {
  for (const x of ['g-loading', 'g-error', 'g-console']) $(x).hidden = x !== which;
}

const plotName = (p) => [p.section, p.row, p.number].filter(Boolean).join(' · ');

function report(err) {
  toast(err instanceof ApiError && err.message ? err.message : t('error.unknown'), 'error');
}

async function decide(r, what, body) {
  try {
    await api('POST', `/api/grave-requests/${r.id}/${what}`, body);
    toast(t(what === 'confirm' ? 'gr.confirmed' : 'gr.refused'), 'ok');
    await loadRequests();
  } catch (err) {
    report(err);
  }
}

function card(r) {
  const named = [r.section, r.row, r.number].filter(Boolean).join(' · ');
  const match = state.plots.find((p) => p.section === r.section && p.number === r.number &&
    (!r.row || p.row === r.row));
  const select = h('select', { id: `plot-${r.id}`, 'aria-label': t('gr.plot') },
    h('option', { value: '' }, t('gr.pick_plot')),
    state.plots.map((p) => h('option', { value: p.id, selected: match?.id === p.id },
      `${plotName(p)} (${p.occupied}/${p.capacity})`)));
  const reason = h('input', { id: `reason-${r.id}`, maxlength: 500, 'aria-label': t('gr.reason') });
  const d = r.deceased ?? {};
  return h('li', { class: 'card', 'data-grave': r.id },
    h('h2', { class: 'h3' }, r.memorial.title),
    h('p', { class: 'meta mb-0' }, t('gr.deceased', { name: d.name ?? '', birth: d.birth_date ?? '?', death: d.death_date ?? '' })),
    named ? h('p', { class: 'mb-0' }, t('gr.named_plot', { plot: named })) : null,
    r.record ? h('p', { class: 'mb-0' }, t('gr.named_record', { n: r.record.id, name: r.record.name, death: r.record.death_date }))
      : r.record_id ? h('p', { class: 'mb-0' }, t('gr.record_unknown', { n: r.record_id })) : null,
    r.note ? h('p', { class: 'pre-wrap mb-0' }, r.note) : null,
    h('p', { class: 'meta' }, formatDateTime(r.created_at)),
    h('div', { class: 'field' }, select),
    h('div', { class: 'btn-row' },
      h('button', { class: 'btn btn-primary', type: 'button', 'data-act': 'plot',
        onclick: () => (select.value ? decide(r, 'confirm', { plot_id: Number(select.value) })
          : toast(t('gr.pick_plot'), 'error')) }, t('gr.confirm_plot')),
      r.record ? h('button', { class: 'btn btn-secondary', type: 'button', 'data-act': 'record',
        onclick: () => decide(r, 'confirm', { record_id: r.record.id }) }, t('gr.confirm_record')) : null),
    h('div', { class: 'field' }, reason),
    h('div', { class: 'btn-row' },
      h('button', { class: 'btn btn-quiet', type: 'button', 'data-act': 'refuse',
        onclick: () => decide(r, 'refuse', { reason: reason.value.trim() }) }, t('gr.refuse'))));
}

function render() {
  replace($('requests'), state.requests.map(card));
  $('requests-empty').hidden = state.requests.length > 0;
}

async function loadRequests() {
  const c = state.cemetery;
  const [g, p] = await Promise.all([
    api('GET', `/api/cemeteries/${c.id}/grave-requests?state=pending`),
    api('GET', `/api/cemeteries/${c.id}/plots`),
  ]);
  state.requests = g.grave_requests ?? [];
  state.plots = p.plots ?? [];
  render();
}

async function choose(cid) {
  state.cemetery = state.cemeteries.find((c) => String(c.id) === String(cid)) ?? state.cemeteries[0];
  $('cem').value = String(state.cemetery.id);
  await loadRequests().catch(report);
}

async function load() {
  show('g-loading');
  const user = await me({ probe: true }).catch(() => null);
  if (!user) {
    location.replace(`/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const roles = Array.isArray(user.roles) ? user.roles : [];
  state.cemeteries = roles.filter((r) => r.role === 'cemetery_staff' && r.scope_id)
    .map((r) => ({ id: r.scope_id, name: r.scope_name || `#${r.scope_id}` }));
  if (isAdmin(user)) {
    const all = await api('GET', '/api/cemeteries').catch(() => ({ cemeteries: [] }));
    state.cemeteries = (all.cemeteries ?? []).map((c) => ({ id: c.id, name: c.name }));
  }
  if (!state.cemeteries.length) {
    show('g-error');
    bindText($('g-error-text'), 'gr.no_cemetery');
    return;
  }
  replace($('cem'), state.cemeteries.map((c) => h('option', { value: c.id }, c.name)));
  $('cem-field').hidden = state.cemeteries.length < 2;
  $('cem').addEventListener('change', () => choose($('cem').value));
  show('g-console');
  await choose(param('cemetery') ?? state.cemeteries[0].id);
}

onLangChange(render);
mountLayout();
load();
