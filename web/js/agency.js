// agency.js — /agency.html: the funeral home's console, phone first.
//
// Tabs: deceased records (a list, a form to create one; one record with
// its event chain, a form for the next event, its QR code, and the burial
// hand-over to a cemetery: started here, seen pending, accepted or
// declined, withdrawn while pending); the halls (a list and a form); the
// services and prices, the public fee list (org-services.js: add, change
// the price, stop offering); the staff of the funeral home (org-staff.js: invite by
// phone or e-mail, revoke). Ceremonies are /operator.html. Only the funeral homes the
// account operates (an admin may open any); every write goes through the
// API the tests use: /api/deceased…, /api/agencies/{id}/halls,
// /api/agencies/{id}/services, /api/services/{id}, /api/transfers/{id}/cancel.
import { mountLayout, toast } from './layout.js';
import { ApiError, api, me } from './api.js';
import { bindText, formatDateTime, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';
import { wireTabs } from './tabs.js';
import { staffPanel } from './org-staff.js';
import { servicesPanel } from './org-services.js';
import { setFormError, submitForm } from './forms.js';
import { isAdmin, plotLabel } from './visitlib.js';

const $ = (id) => document.getElementById(id);
const TABS = ['records', 'halls', 'services', 'team'];
// the events a funeral home records; the first is always "registered",
// and each of the first three happens once
const AGENCY_EVENTS = ['registered', 'farewell', 'cremated', 'ashes_stored'];
const ONCE = new Set(['registered', 'farewell', 'cremated']);

const state = {
  user: null, agencies: [], agency: null, tab: 'records',
  records: [], record: null, transfers: [], cemeteries: [], halls: [],
};

function show(id) {
  for (const x of ['a-loading', 'a-error', 'a-console']) $(x).hidden = x !== id;
}

function report(err) {
  toast(err instanceof ApiError && err.message ? err.message : t('error.unknown'), 'error');
}

// ---------- tabs ----------

function onTab(name) {
  state.tab = name;
  if (name === 'records') loadRecords();
  else if (name === 'halls') loadHalls();
  else if (name === 'team') team.load();
  else services.load();
}


// ---------- records ----------

const lifeDates = (r) => [r.birth_date, r.death_date].filter(Boolean).join(' – ');

function renderRecords() {
  replace($('records'), state.records.map((r) => h('li', { class: 'list-row', 'data-record': r.id },
    h('button', { type: 'button', class: 'link-button list-title', onclick: () => openRecord(r.id) }, r.name),
    h('span', { class: 'meta text-sm' }, lifeDates(r)),
    r.plot ? h('span', { class: 'badge' }, t('ag.buried')) : null)));
  $('records-empty').hidden = state.records.length > 0;
}

async function loadRecords() {
  try {
    const [r, c] = await Promise.all([
      api('GET', `/api/deceased?agency_id=${state.agency.id}&limit=100`),
      state.cemeteries.length ? null : api('GET', '/api/cemeteries'),
    ]);
    state.records = r.deceased ?? [];
    if (c) state.cemeteries = c.cemeteries ?? [];
    replace($('h-cemetery'), state.cemeteries.map((x) => h('option', { value: x.id }, x.name)));
    renderRecords();
  } catch (err) {
    report(err);
  }
}

function transferRow(tr) {
  return h('li', { class: 'list-row', 'data-transfer': tr.id, 'data-state': tr.state },
    h('span', {}, t('ag.h_to', { name: tr.cemetery?.name ?? '' }),
      tr.state === 'accepted' && tr.plot ? ` · ${plotLabel(tr.plot)}` : '',
      tr.reason ? h('span', { class: 'meta' }, ` · ${t('ho.reason_given', { reason: tr.reason })}`) : null),
    h('span', { class: 'cluster' },
      h('span', { class: 'badge state-badge', 'data-state': tr.state }, t(`ho.state.${tr.state}`)),
      tr.state === 'pending' ? h('button', {
        type: 'button',
        class: 'btn btn-quiet btn-sm',
        'data-cancel': tr.id,
        onclick: async () => {
          try {
            await api('POST', `/api/transfers/${tr.id}/cancel`);
            await openRecord(state.record.id);
          } catch (err) {
            report(err);
          }
        },
      }, t('ag.h_cancel')) : null));
}

function renderRecord() {
  const r = state.record;
  $('record').hidden = !r;
  if (!r) return;
  $('rec-name').textContent = r.name;
  $('rec-meta').textContent = [lifeDates(r), r.native_place, r.plot ? plotLabel(r.plot) : ''].filter(Boolean).join(' · ');
  $('rec-qr').src = `/api/deceased/${r.id}/qr.svg`;
  $('rec-qr').alt = t('ag.qr_alt', { name: r.name });
  replace($('rec-events'), (r.events ?? []).map((e) => h('li', { 'data-event': e.kind },
    h('strong', {}, t(`ag.ev.${e.kind}`)), ' ', h('span', { class: 'meta' }, formatDateTime(e.at)),
    e.place ? ` · ${e.place}` : '')));
  const done = new Set((r.events ?? []).map((e) => e.kind));
  const next = done.has('registered') ? AGENCY_EVENTS.filter((k) => !(ONCE.has(k) && done.has(k))) : ['registered'];
  replace($('e-kind'), next.map((k) => h('option', { value: k }, t(`ag.ev.${k}`))));
  replace($('rec-transfers'), state.transfers.map(transferRow));
  // a hand-over can start while no cemetery holds it and none is pending
  $('handover-form').hidden = !!r.cemetery_id || state.transfers.some((x) => x.state === 'pending');
}

async function openRecord(id) {
  try {
    const [r, tr] = await Promise.all([
      api('GET', `/api/deceased/${id}`),
      api('GET', `/api/deceased/${id}/transfers`),
    ]);
    state.record = r;
    state.transfers = (tr.transfers ?? []).slice().reverse();
    renderRecord();
    $('record').scrollIntoView({ block: 'start' });
  } catch (err) {
    report(err);
  }
}

function wireRecords() {
  submitForm($('record-form'), async () => {
    const name = $('r-name').value.trim();
    const death = $('r-death').value;
    if (!name || !death) {
      setFormError($('record-form'), 'ag.v_record');
      return;
    }
    const body = { agency_id: state.agency.id, name, death_date: death, gender: $('r-gender').value };
    if ($('r-birth').value) body.birth_date = $('r-birth').value;
    if ($('r-native').value.trim()) body.native_place = $('r-native').value.trim();
    const r = await api('POST', '/api/deceased', body);
    $('record-form').reset();
    toast(t('ag.record_done', { name: r.name }), 'ok');
    await loadRecords();
    await openRecord(r.id);
  });
  submitForm($('event-form'), async () => {
    const at = $('e-at').value;
    if (!at) {
      setFormError($('event-form'), 'ag.v_event');
      return;
    }
    const body = { kind: $('e-kind').value, at: `${at.length === 16 ? `${at}:00` : at}+08:00` };
    if ($('e-place').value.trim()) body.place = $('e-place').value.trim();
    await api('POST', `/api/deceased/${state.record.id}/events`, body);
    $('event-form').reset();
    await openRecord(state.record.id);
  });
  submitForm($('handover-form'), async () => {
    const body = { cemetery_id: Number($('h-cemetery').value) };
    if ($('h-note').value.trim()) body.note = $('h-note').value.trim();
    if ($('h-kind').value) body.kind = $('h-kind').value;
    if ($('h-relative').value.trim()) {
      body.relative_name = $('h-relative').value.trim();
      body.relation = $('h-relation').value;
    }
    await api('POST', `/api/deceased/${state.record.id}/transfers`, body);
    $('h-note').value = '';
    $('h-relative').value = '';
    toast(t('ag.h_done'), 'ok');
    await openRecord(state.record.id);
  });
}

// ---------- halls ----------

function renderHalls() {
  replace($('halls'), state.halls.map((x) => h('li', { 'data-hall': x.id }, x.name)));
  $('halls').hidden = !state.halls.length;
  $('halls-empty').hidden = state.halls.length > 0;
}

async function loadHalls() {
  try {
    state.halls = (await api('GET', `/api/agencies/${state.agency.id}`)).halls ?? [];
    renderHalls();
  } catch (err) {
    report(err);
  }
}

function wireHalls() {
  submitForm($('hall-form'), async () => {
    const name = $('hall-name').value.trim();
    if (!name) {
      setFormError($('hall-form'), 'ag.v_hall');
      return;
    }
    await api('POST', `/api/agencies/${state.agency.id}/halls`, { name });
    $('hall-name').value = '';
    await loadHalls();
  });
}

// ---------- start ----------

function chooseAgency(id) {
  state.agency = state.agencies.find((a) => String(a.id) === String(id)) ?? state.agencies[0];
  state.record = null;
  $('agency-name').textContent = state.agency.name;
  $('agency').value = String(state.agency.id);
  renderRecord();
  selectTab(state.tab);
}

async function load() {
  show('a-loading');
  state.user = await me({ probe: true }).catch(() => null);
  if (!state.user) {
    location.replace(`/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const roles = Array.isArray(state.user.roles) ? state.user.roles : [];
  state.agencies = roles.filter((r) => r.role === 'agency_operator' && r.scope_id)
    .map((r) => ({ id: r.scope_id, name: r.scope_name || `#${r.scope_id}` }));
  if (isAdmin(state.user)) {
    const all = await api('GET', '/api/agencies').catch(() => ({ agencies: [] }));
    state.agencies = (all.agencies ?? []).map((a) => ({ id: a.id, name: a.name }));
  }
  if (!state.agencies.length) {
    show('a-error');
    bindText($('a-error-text'), 'op.no_agency');
    return;
  }
  replace($('agency'), state.agencies.map((a) => h('option', { value: a.id }, a.name)));
  $('agency-field').hidden = state.agencies.length < 2;
  show('a-console');
  chooseAgency(param('agency') ?? state.agencies[0].id);
}

mountLayout();
const agencyOrg = () => state.agency && { kind: 'agency', id: state.agency.id };
const team = staffPanel($('panel-team'), agencyOrg, () => state.user?.id);
// the console lists only the agencies the account operates (or all, for an admin)
const services = servicesPanel($('panel-services'), agencyOrg, () => true, 'farewell-hall');
const selectTab = wireTabs(TABS, onTab);
wireRecords();
wireHalls();
$('agency').addEventListener('change', (ev) => chooseAgency(ev.target.value));
onLangChange(() => {
  renderRecords();
  renderRecord();
  renderHalls();
  services.render();
  team.render();
});
load();
