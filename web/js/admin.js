// admin.js — /admin.html: the platform admin's page, what `sinian user
// add|list|grant|revoke` does, from a screen. Tabs: the funeral homes and
// cemeteries (a list, a form to create one; one organisation with its
// staff and the invitation of its first managers, org-staff.js); the
// accounts with their roles (GET /api/users, by name), granting a role
// (admin, an agency's operator, a cemetery's staff) and taking one away
// (POST / DELETE /api/users/{id}/grants). Accounts are made by signing up
// (the answer never says whether a login is taken), so a manager is
// invited by login rather than chosen from the list. The daemon checks
// every action (org.create, role.grant, staff.manage: admin only here).
import { mountLayout, toast } from './layout.js';
import { ApiError, api, errorText, me } from './api.js';
import { onLangChange, t } from './i18n.js';
import { h, replace } from './dom.js';
import { wireTabs } from './tabs.js';
import { clearErrors, clearOnInput, setBusy, setFormApiError, setFormError } from './forms.js';
import { isAdmin } from './visitlib.js';
import { staffPanel } from './org-staff.js';

const $ = (id) => document.getElementById(id);
const ROLES = ['admin', 'agency_operator', 'cemetery_staff'];

const state = { user: null, orgs: [], org: null, users: [], cursor: 0, more: false, filter: '' };

function show(id) {
  for (const x of ['x-loading', 'x-error', 'x-console']) $(x).hidden = x !== id;
}

const kindName = (k) => t(k === 'agency' ? 'admin.kind_agency' : 'admin.kind_cemetery');

// ---------- organisations ----------

function renderOrgs() {
  replace($('orgs'), state.orgs.map((o) => h('li', { class: 'list-row', 'data-org': `${o.kind}:${o.id}` },
    h('button', { type: 'button', class: 'link-button list-title', onclick: () => openOrg(o) }, o.name),
    h('span', { class: 'badge' }, kindName(o.kind)))));
  $('orgs-empty').hidden = state.orgs.length > 0;
  if (state.org) $('org-title').textContent = `${state.org.name} · ${kindName(state.org.kind)}`;
}

async function loadOrgs() {
  const [a, c] = await Promise.all([api('GET', '/api/agencies'), api('GET', '/api/cemeteries')]);
  state.orgs = [...(a?.agencies ?? []), ...(c?.cemeteries ?? [])]
    .map((o) => ({ kind: o.kind, id: o.id, name: o.name }));
  renderOrgs();
}

function openOrg(o) {
  state.org = o;
  $('org').hidden = false;
  renderOrgs();
  team.load();
  $('org-title').scrollIntoView({ block: 'nearest' });
}

function wireOrgForm() {
  const form = $('org-form');
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const kind = $('org-kind').value;
    setBusy(form, true);
    try {
      const o = await api('POST', kind === 'agency' ? '/api/agencies' : '/api/cemeteries',
        { name: $('org-name').value.trim(), region_code: $('org-region').value.trim() });
      toast(t('admin.org_created', { name: o.name }), 'ok');
      form.reset();
      await loadOrgs();
      openOrg({ kind: o.kind, id: o.id, name: o.name });
    } catch (err) {
      if (err instanceof ApiError && err.message && err.status < 500) setFormError(form, null, {}, err.message);
      else setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

// ---------- accounts ----------

const roleName = (r) => t(`role.${r}`);

function grantChip(u, g) {
  const scope = g.scope_id ? ` · ${g.scope_name || `#${g.scope_id}`}` : '';
  return h('li', { class: 'list-row', 'data-grant': `${g.role}:${g.scope_id}` },
    h('span', { class: g.role === 'admin' ? 'badge badge-gold' : 'badge badge-accent' },
      `${roleName(g.role)}${g.manager ? ` (${t('team.manager_badge')})` : ''}`),
    h('span', { class: 'meta text-sm' }, scope),
    u.id === state.user.id && g.role === 'admin' ? null
      : h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-action': 'revoke-role',
        'aria-label': t('admin.revoke_label', { role: roleName(g.role), name: u.display_name }),
        onclick: () => changeRole(u, 'DELETE', { role: g.role, scope_id: g.scope_id }) }, t('admin.revoke')));
}

function scopeOptions(role) {
  const kind = role === 'agency_operator' ? 'agency' : 'cemetery';
  return state.orgs.filter((o) => o.kind === kind).map((o) => h('option', { value: o.id }, o.name));
}

function grantForm(u) {
  const role = h('select', { 'aria-label': t('admin.grant_role'), 'data-field': 'role' },
    ...ROLES.map((r) => h('option', { value: r }, roleName(r))));
  const scope = h('select', { 'aria-label': t('admin.grant_scope'), 'data-field': 'scope', hidden: true });
  role.addEventListener('change', () => {
    scope.hidden = role.value === 'admin';
    replace(scope, ...scopeOptions(role.value));
  });
  return h('div', { class: 'btn-row' }, role, scope,
    h('button', { type: 'button', class: 'btn btn-secondary btn-sm', 'data-action': 'grant-role',
      onclick: () => changeRole(u, 'POST', role.value === 'admin' ? { role: 'admin' }
        : { role: role.value, scope_id: Number(scope.value) }) }, t('admin.grant')));
}

function renderUsers() {
  const f = state.filter.trim().toLowerCase();
  const shown = state.users.filter((u) => !f || u.display_name.toLowerCase().includes(f));
  replace($('users'), shown.map((u) => h('li', { class: 'order-card card', 'data-user': u.display_name },
    h('p', { class: 'list-title mb-1' }, u.display_name, ' ', h('span', { class: 'meta text-sm' }, u.login)),
    h('ul', { class: 'list' }, ...(u.roles ?? []).map((g) => grantChip(u, g))),
    grantForm(u))));
  $('users-empty').hidden = shown.length > 0;
  $('users-more').hidden = !state.more;
}

async function loadUsers(reset = true) {
  if (reset) {
    state.users = [];
    state.cursor = 0;
  }
  try {
    const r = await api('GET', `/api/users?cursor=${state.cursor}&limit=200`);
    state.users.push(...(r?.users ?? []));
    state.more = r?.next_cursor != null;
    state.cursor = r?.next_cursor ?? state.cursor;
  } catch (err) {
    toast(errorText(err), 'error');
  }
  renderUsers();
}

async function changeRole(u, method, body) {
  if (method === 'POST' && body.role !== 'admin' && !body.scope_id) {
    toast(t('admin.grant_no_scope'), 'error');
    return;
  }
  try {
    const r = await api(method, `/api/users/${encodeURIComponent(u.id)}/grants`, body);
    const i = state.users.findIndex((x) => x.id === u.id);
    if (r?.user && i >= 0) state.users[i] = r.user;
    toast(t(method === 'POST' ? 'admin.granted' : 'admin.revoked', { name: u.display_name }), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  }
  renderUsers();
}

// ---------- start ----------

async function load() {
  show('x-loading');
  state.user = await me({ probe: true }).catch(() => null);
  if (!state.user) {
    location.replace(`/signin.html?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  if (!isAdmin(state.user)) {
    show('x-error');
    return;
  }
  show('x-console');
  await loadOrgs().catch((err) => toast(errorText(err), 'error'));
}

mountLayout();
const team = staffPanel($('org'), () => state.org, () => state.user?.id, { inCard: true, managerTicked: true });
wireTabs(['orgs', 'users'], (name) => { if (name === 'users') loadUsers(); });
wireOrgForm();
$('user-filter').addEventListener('input', (ev) => { state.filter = ev.target.value; renderUsers(); });
$('users-more').addEventListener('click', () => loadUsers(false));
onLangChange(() => { renderOrgs(); renderUsers(); team.render(); });
load();
