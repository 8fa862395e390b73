// org-staff.js — the staff tab of the consoles (agency.html, staff.html)
// and of the admin page, its markup included (the page has only the
// container): who holds the organisation's role, the
// invitations it sent (revocable while they wait), a form to invite a
// mobile number or an e-mail address, and removing someone (asked twice,
// in the row). The person accepts on their account page; the answer to an
// invitation never says whether the login has an account. The daemon
// checks every action (staff.manage: an agency's operators, a cemetery's
// managers, the platform admin): /api/{agencies|cemeteries}/{id}/staff,
// /staff/{user_id}, /staff-invitations/{iid}.
import { toast } from './layout.js';
import { api, errorText } from './api.js';
import { formatDate, has, t } from './i18n.js';
import { h, replace } from './dom.js';
import { field, formOf, said, setFieldError, submitForm } from './forms.js';

const $ = (id) => document.getElementById(id);
const LOGIN = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^(\+86)?[\s-]*1\d{2}[\s-]*\d{4}[\s-]*\d{4}$/;

/** The panel's markup: the lead (a tab's only), the members and the
 *  invitations, and the form to invite someone; see staffPanel() for opts. */
function markup({ inCard, managerTicked }) {
  const heading = inCard ? 'h3' : 'h2';
  const boxed = (cls) => (inCard ? cls : `${cls} card`);
  return [
    inCard ? null : said('p', { class: 'meta' }, 'team.lead'),
    h('div', { class: 'grid grid-2' },
      h('section', { 'aria-labelledby': 'team-title' },
        said(heading, { class: 'h3', id: 'team-title' }, 'team.heading'),
        h('ul', { class: boxed('list'), id: 'team-members', 'aria-live': 'polite' }),
        said('p', { class: 'empty', id: 'team-empty', hidden: true }, 'team.empty'),
        h('div', { id: 'team-invites-block', hidden: true },
          said('h3', { class: 'h3 mt-4' }, 'team.invites'),
          h('ul', { class: boxed('list'), id: 'team-invites' }))),
      formOf({ class: boxed('form'), id: 'team-form' }, said(heading, { class: 'h3' }, 'team.invite'), [
        field('team.login', h('input', { id: 'team-login', maxlength: 254, required: true, autocomplete: 'off',
          autocapitalize: 'off', spellcheck: 'false' })),
        h('div', { class: 'field', id: 'team-manager-field', hidden: true },
          h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'team-manager', checked: managerTicked }),
            said('span', {}, 'team.manager'))),
      ], 'team.send')),
  ];
}

/** The staff panel of one page, drawn at the end of container: getOrg() →
 *  { kind: 'agency'|'cemetery', id, name } or null; myId() → the signed-in
 *  user's id (nobody removes themselves). opts.inCard: the panel sits in a
 *  card of the page, which says what it is for (h3 headings, no cards of
 *  its own, no lead); opts.managerTicked: "manager" starts ticked (an
 *  organisation's first managers). */
export function staffPanel(container, getOrg, myId, { inCard = false, managerTicked = false } = {}) {
  container.append(...markup({ inCard, managerTicked }).filter(Boolean));
  const st = { staff: [], invitations: [], confirming: null, error: '' };
  const base = () => {
    const o = getOrg();
    return o ? `/api/${o.kind === 'agency' ? 'agencies' : 'cemeteries'}/${o.id}` : null;
  };

  function stateName(s) {
    return has(`madm.invite_state_${s}`) ? t(`madm.invite_state_${s}`) : s;
  }

  function memberRow(m) {
    const self = m.user_id === myId();
    const asking = st.confirming === m.user_id;
    return h('li', { class: 'list-row', 'data-member': m.display_name },
      h('span', { class: 'list-title' }, m.display_name),
      m.manager ? h('span', { class: 'badge badge-accent' }, t('team.manager_badge')) : null,
      self ? h('span', { class: 'meta text-sm' }, t('team.you')) : null,
      self ? null : asking
        ? h('span', { class: 'btn-row' },
          h('button', { type: 'button', class: 'btn btn-danger btn-sm', 'data-action': 'confirm-remove',
            onclick: () => remove(m) }, t('team.remove_confirm', { name: m.display_name })),
          h('button', { type: 'button', class: 'btn btn-quiet btn-sm',
            onclick: () => { st.confirming = null; render(); } }, t('common.cancel')))
        : h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-action': 'remove',
          'aria-label': t('team.remove_label', { name: m.display_name }),
          onclick: () => { st.confirming = m.user_id; render(); } }, t('team.remove')));
  }

  function inviteRow(inv) {
    return h('li', { class: 'list-row', 'data-invite': inv.login },
      h('span', { class: 'list-title' }, inv.login),
      inv.manager ? h('span', { class: 'badge badge-accent' }, t('team.manager_badge')) : null,
      h('span', { class: 'badge' }, stateName(inv.state)),
      h('span', { class: 'meta text-sm' }, t('team.invite_expires', { date: formatDate(inv.expires_at) })),
      inv.state === 'pending'
        ? h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-action': 'revoke-invite',
          'aria-label': t('team.revoke_label', { login: inv.login }),
          onclick: () => revoke(inv) }, t('team.revoke'))
        : null);
  }

  function render() {
    replace($('team-members'), st.error ? h('li', { class: 'meta' }, st.error) : st.staff.map(memberRow));
    $('team-empty').hidden = st.error !== '' || st.staff.length > 0;
    replace($('team-invites'), st.invitations.map(inviteRow));
    $('team-invites-block').hidden = st.invitations.length === 0;
    $('team-manager-field').hidden = getOrg()?.kind !== 'cemetery';
  }

  async function load() {
    const b = base();
    if (!b) return;
    try {
      const r = await api('GET', `${b}/staff`);
      st.staff = Array.isArray(r?.staff) ? r.staff : [];
      st.invitations = Array.isArray(r?.invitations) ? r.invitations : [];
      st.error = '';
    } catch (err) {
      st.staff = [];
      st.invitations = [];
      st.error = errorText(err);
    }
    st.confirming = null;
    render();
  }

  async function remove(m) {
    try {
      await api('DELETE', `${base()}/staff/${encodeURIComponent(m.user_id)}`);
      toast(t('team.removed', { name: m.display_name }), 'ok');
    } catch (err) {
      toast(errorText(err), 'error');
    }
    await load();
  }

  async function revoke(inv) {
    try {
      await api('DELETE', `${base()}/staff-invitations/${encodeURIComponent(inv.id)}`);
      toast(t('team.revoked', { login: inv.login }), 'ok');
    } catch (err) {
      toast(errorText(err), 'error');
    }
    await load();
  }

  const form = $('team-form');
  submitForm(form, async () => {
    const login = $('team-login').value.trim();
    if (!LOGIN.test(login)) {
      setFieldError($('team-login'), 'team.login_invalid');
      return;
    }
    const body = { login };
    if (getOrg()?.kind === 'cemetery' && $('team-manager').checked) body.manager = true;
    const r = await api('POST', `${base()}/staff`, body);
    toast(t('team.sent', { login: r?.invitation?.login ?? login }), 'ok');
    form.reset();
    await load();
  });

  return { load, render };
}
