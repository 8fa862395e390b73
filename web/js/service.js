// service.js — /service.html[?agency=ID|?cemetery=ID]: the console of an
// organisation's public service information and of the complaints about
// it. An agency operator or cemetery staff picks among their own; the
// platform admin among all, and "all complaints". Editing the published
// text: PUT /api/{agencies|cemeteries}/{id}/public; the complaints:
// GET …/complaints (or /api/complaints for the admin's "all"), each opened
// and answered on complaint.html. The page checks nothing itself.
import { mountLayout, toast } from './layout.js';
import { ApiError, api, me } from './api.js';
import { bindText, formatDateTime, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFormApiError } from './forms.js';
import { isAdmin } from './visitlib.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['commitments', 'supervision', 'eco_burial', 'subsidy'];
const state = { orgs: [], org: null, complaints: [] };

const apiBase = (o) => `/api/${o.kind === 'cemetery' ? 'cemeteries' : 'agencies'}/${o.id}`;

function show(which) {
  for (const x of ['v-loading', 'v-error', 'v-console']) $(x).hidden = x !== which;
}

function excerpt(s, n = 80) {
  const chars = [...s];
  return chars.length > n ? `${chars.slice(0, n).join('')}…` : s;
}

function renderComplaints() {
  replace($('complaints'), state.complaints.map((c) => h('li', { 'data-id': c.id },
    h('p', { class: 'mb-0' },
      h('span', { class: 'badge' }, t(c.state === 'answered' ? 'cp.state_answered' : 'cp.state_open')), ' ',
      state.org.kind === 'all' ? h('strong', {}, `${c.org.name} · `) : null,
      h('span', { class: 'meta' }, formatDateTime(c.created_at))),
    h('p', { class: 'pre-wrap mb-0' }, excerpt(c.text)),
    c.contact ? h('p', { class: 'meta mb-0' }, t('cp.contact', { contact: c.contact })) : null,
    h('a', { href: `/complaint.html?id=${c.id}` },
      t(c.state === 'answered' ? 'sv.open' : 'sv.open_answer')))));
  $('complaints-empty').hidden = state.complaints.length > 0;
}

async function choose(key) {
  state.org = state.orgs.find((o) => `${o.kind}:${o.id}` === key) ?? state.orgs[0];
  $('org').value = `${state.org.kind}:${state.org.id}`;
  const all = state.org.kind === 'all';
  $('public-form').hidden = all;
  $('v-public-link').hidden = all;
  try {
    if (!all) {
      $('v-public-link').href = `/org.html?${state.org.kind}=${state.org.id}`;
      const p = await api('GET', `${apiBase(state.org)}/public`);
      for (const f of FIELDS) $(`p-${f}`).value = p.public[f] ?? '';
    }
    const r = await api('GET', all ? '/api/complaints' : `${apiBase(state.org)}/complaints`);
    state.complaints = r.complaints ?? [];
    renderComplaints();
  } catch (err) {
    toast(err instanceof ApiError ? err.friendly() : t('error.unknown'), 'error');
  }
}

function wirePublic() {
  const form = $('public-form');
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setBusy(form, true);
    try {
      const body = Object.fromEntries(FIELDS.map((f) => [f, $(`p-${f}`).value.trim()]));
      await api('PUT', `${apiBase(state.org)}/public`, body);
      toast(t('sv.saved'), 'ok');
    } catch (err) {
      setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

async function load() {
  show('v-loading');
  const user = await me({ probe: true }).catch(() => null);
  if (!user) {
    location.replace(`/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const roles = Array.isArray(user.roles) ? user.roles : [];
  state.orgs = roles.filter((r) => (r.role === 'agency_operator' || r.role === 'cemetery_staff') && r.scope_id)
    .map((r) => ({ kind: r.role === 'agency_operator' ? 'agency' : 'cemetery', id: r.scope_id,
      name: r.scope_name || `#${r.scope_id}` }));
  if (isAdmin(user)) {
    const [a, c] = await Promise.all([api('GET', '/api/agencies'), api('GET', '/api/cemeteries')])
      .catch(() => [{}, {}]);
    state.orgs = [{ kind: 'all', id: 0, name: t('sv.all') },
      ...(a.agencies ?? []).map((o) => ({ kind: 'agency', id: o.id, name: o.name })),
      ...(c.cemeteries ?? []).map((o) => ({ kind: 'cemetery', id: o.id, name: o.name }))];
  }
  if (!state.orgs.length) {
    show('v-error');
    bindText($('v-error-text'), 'sv.no_org');
    return;
  }
  replace($('org'), state.orgs.map((o) => h('option', { value: `${o.kind}:${o.id}` }, o.name)));
  $('org-field').hidden = state.orgs.length < 2;
  $('org').addEventListener('change', () => choose($('org').value));
  show('v-console');
  const want = param('agency') ? `agency:${param('agency')}`
    : param('cemetery') ? `cemetery:${param('cemetery')}` : '';
  await choose(want);
}

onLangChange(() => state.org && renderComplaints());
mountLayout();
wirePublic();
load();
