// account.js — /account.html: who is signed in (GET /api/me), their roles,
// what they have (account-lists.js: memorials, followed memorials, visits,
// orders, by name), invitations to the family of a memorial or to the
// staff of a funeral home or cemetery waiting for an answer
// (GET /api/me/invitations and /api/me/staff-invitations, accept /
// decline), notices
// (GET /api/me/notices), changing the password (PUT /api/me/password) and
// signing out (DELETE /api/session). Without a session it goes to the
// sign-in page.
import { mountLayout, toast, toastNextPage } from './layout.js';
import { ApiError, api, errorText, forgetSession, me, signOut } from './api.js';
import { t, has, bindText, formatDate, onLangChange } from './i18n.js';
import { h, replace } from './dom.js';
import { loadLists, memorialName } from './account-lists.js';
import {
  clearErrors, clearOnInput, focusFirstInvalid, formReady, passwordProblem, passwordToggles, setBusy, setFieldError, setFormApiError,
} from './forms.js';

const SIGNIN = '/signin.html?next=/account.html';

const loadingEl = document.getElementById('account-loading');
const errorEl = document.getElementById('account-error');
const accountEl = document.getElementById('account');
const form = document.getElementById('password-form');
const oldEl = document.getElementById('old_password');
const newEl = document.getElementById('new_password');
const new2El = document.getElementById('new_password2');

let user = null;
let invites = [];
let notices = [];

function toSignIn() {
  location.replace(SIGNIN);
}

function roleName(role) {
  return has(`role.${role}`) ? t(`role.${role}`) : role;
}

function scopeName(r) {
  if (!r.scope_kind || r.scope_kind === 'none') return '';
  if (r.scope_name) return r.scope_name;
  if (r.scope_kind === 'memorial' && memorialName(r.scope_id)) return memorialName(r.scope_id);
  const key = `scope.${r.scope_kind}`;
  return has(key) ? t(key, { id: r.scope_id }) : `${r.scope_kind} #${r.scope_id}`;
}

function scopeHref(r) {
  if (r.scope_kind === 'memorial' && r.scope_id) return `/m/${encodeURIComponent(r.scope_id)}`;
  if (r.scope_kind === 'agency' && r.scope_id) return `/agency.html?agency=${encodeURIComponent(r.scope_id)}`;
  if (r.scope_kind === 'cemetery' && r.scope_id) return `/staff.html?cemetery=${encodeURIComponent(r.scope_id)}`;
  return null;
}

function render() {
  if (!user) return;
  const name = user.display_name || '';
  document.getElementById('display-name').textContent = name;
  document.getElementById('avatar').textContent = [...name.trim()][0] ?? '·';
  document.getElementById('login-masked').textContent = user.login ?? user.login_masked ?? '';
  document.getElementById('username').value = user.login ?? user.login_masked ?? '';

  const since = document.getElementById('member-since');
  const date = user.created_at ? formatDate(user.created_at) : '';
  since.hidden = !date;
  since.textContent = date ? t('account.member_since', { date }) : '';

  // Every signed-in person is a mourner; further roles come from grants.
  const roles = Array.isArray(user.roles) ? [...user.roles] : [];
  if (!roles.some((r) => r.role === 'mourner')) roles.push({ role: 'mourner', scope_kind: 'none' });
  replace(document.getElementById('roles'), roles.map((r) => {
    const scope = scopeName(r);
    const href = scopeHref(r);
    const badge = r.role === 'mourner' ? 'badge' : r.role === 'admin' ? 'badge badge-gold' : 'badge badge-accent';
    return h('li', { 'data-role': r.role },
      h('span', { class: badge }, roleName(r.role)),
      scope ? (href ? h('a', { href, class: 'text-sm' }, scope) : h('span', { class: 'meta' }, scope)) : null,
      r.role === 'admin' ? h('a', { href: '/admin.html', class: 'text-sm' }, t('account.admin_page')) : null);
  }));
}

// ---------- invitations and notices ----------

function inviteItem(inv) {
  const vars = { name: inv.invited_by || '—', title: inv.memorial?.title ?? inv.org?.name ?? '',
    role: roleName(inv.role) };
  const line = !inv.staff ? 'account.invite_line'
    : inv.manager ? 'account.staff_invite_manager' : 'account.staff_invite_line';
  return h('li', inv.staff ? { 'data-staff-invitation': inv.id } : { 'data-invitation': inv.id },
    h('p', { class: 'list-title' }, t(line, vars)),
    h('p', { class: 'meta' }, t('account.invite_expires', { date: formatDate(inv.expires_at) })),
    h('div', { class: 'btn-row' },
      h('button', { type: 'button', class: 'btn btn-primary btn-sm', 'data-action': 'accept',
        onclick: (ev) => answer(inv, true, ev.currentTarget) }, t('account.invite_accept')),
      h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-action': 'decline',
        onclick: (ev) => answer(inv, false, ev.currentTarget) }, t('account.invite_decline'))));
}

function renderInvites() {
  document.getElementById('invites').hidden = invites.length === 0;
  replace(document.getElementById('invite-list'), invites.map(inviteItem));
  document.getElementById('notices').hidden = notices.length === 0;
  replace(document.getElementById('notice-list'), notices.map((n) => h('li', { class: 'meta' },
    has(`account.notice_${n.kind}`) ? t(`account.notice_${n.kind}`, { date: formatDate(n.created_at) })
      : n.kind)));
}

async function loadInvites() {
  try {
    const [a, b, c] = await Promise.all([api('GET', '/api/me/invitations'), api('GET', '/api/me/notices'),
      api('GET', '/api/me/staff-invitations')]);
    invites = Array.isArray(a?.invitations) ? a.invitations : [];
    if (Array.isArray(c?.invitations)) invites.push(...c.invitations.map((x) => ({ ...x, staff: true })));
    notices = Array.isArray(b?.notices) ? b.notices : [];
  } catch {
    invites = [];
    notices = [];
  }
  renderInvites();
}

async function answer(inv, accept, btn) {
  btn.disabled = true;
  try {
    const where = inv.staff ? 'staff-invitations' : 'invitations';
    const r = await api('POST', `/api/${where}/${encodeURIComponent(inv.id)}/${accept ? 'accept' : 'decline'}`);
    const done = r?.invitation ?? inv;
    if (accept) {
      toast(t('account.invite_accepted', { title: done.memorial?.title ?? done.org?.name ?? '',
        role: roleName(done.role) }), 'ok');
      user = await me({ refresh: true });
      render();
    } else {
      toast(t('account.invite_declined'), 'ok');
    }
  } catch (err) {
    toast(errorText(err), 'error');
  }
  await loadInvites();
}

async function load(refresh = false) {
  loadingEl.hidden = false;
  errorEl.hidden = true;
  accountEl.hidden = true;
  try {
    user = await me({ refresh });
  } catch (err) {
    loadingEl.hidden = true;
    errorEl.hidden = false;
    const detail = document.getElementById('account-error-detail');
    if (err instanceof ApiError) {
      const { key, vars } = err.friendlyKey();
      bindText(detail, key, vars);
    } else {
      detail.textContent = errorText(err);
    }
    return;
  }
  if (!user) {
    toSignIn();
    return;
  }
  render();
  loadingEl.hidden = true;
  accountEl.hidden = false;
  await loadInvites();
  await loadLists();
  render(); // memorials in the roles list by name
}

// ---------- change password ----------

passwordToggles(form);
clearOnInput(form);

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  if (!oldEl.value) setFieldError(oldEl, 'validate.password_required');
  const pw = passwordProblem(newEl.value);
  if (pw) setFieldError(newEl, pw.key, pw.vars);
  else if (new2El.value !== newEl.value) setFieldError(new2El, 'validate.password_mismatch');
  if (focusFirstInvalid(form)) return;

  setBusy(form, true);
  try {
    await api('PUT', '/api/me/password', { old_password: oldEl.value, new_password: newEl.value });
    form.reset();
    toast(t('account.password_done'), 'ok');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'wrong_password') {
      setFieldError(oldEl, 'account.password_wrong');
      oldEl.value = '';
      oldEl.focus();
    } else if (err instanceof ApiError && err.status === 401) {
      forgetSession(); // the session has ended (signed out elsewhere, expired)
      toSignIn();
      return;
    } else if (err instanceof ApiError && err.code === 'invalid' && err.field === 'new_password') {
      setFieldError(newEl, null, {}, err.message);
      newEl.focus();
    } else if (err instanceof ApiError && err.code === 'invalid' && err.field === 'old_password') {
      setFieldError(oldEl, 'account.password_wrong');
      oldEl.focus();
    } else {
      setFormApiError(form, err);
    }
  } finally {
    setBusy(form, false);
  }
});
formReady(form);

// ---------- sign out ----------

const signoutBtn = document.getElementById('signout');
signoutBtn.addEventListener('click', async () => {
  signoutBtn.disabled = true;
  signoutBtn.setAttribute('aria-busy', 'true');
  try {
    await signOut();
    toastNextPage('account.signed_out', 'ok');
    location.assign('/');
  } catch (err) {
    signoutBtn.disabled = false;
    signoutBtn.removeAttribute('aria-busy');
    toast(errorText(err), 'error');
  }
});

document.getElementById('account-retry').addEventListener('click', () => load(true));
onLangChange(() => {
  render();
  renderInvites();
});

await mountLayout();
await load();
