// org-services.js — the "services and prices" tab of the consoles
// (agency.html, staff.html), its markup included (the page has only the
// tab panel): the organisation's public fee list, including the items no
// longer offered; a form to add an item (code, name, price in yuan, unit);
// in each row, a new price and stopping or offering it again.
// Families see the offered items on the public page (/org.html) and order
// them. Those who may not edit the list see it without its buttons; the
// daemon checks every write anyway (agency.edit: the agency's operators;
// cemetery.edit: the cemetery's staff; and the platform admin):
// /api/{agencies|cemeteries}/{id}/services, PATCH /api/services/{id}.
// Never reads roles to decide more than what to show.
import { toast } from './layout.js';
import { api, errorText } from './api.js';
import { t } from './i18n.js';
import { h, replace } from './dom.js';
import { field, formOf, said, setFormError, submitForm } from './forms.js';
import { money } from './visitlib.js';

const $ = (id) => document.getElementById(id);
const YUAN = /^\d{1,6}(\.\d{1,2})?$/; // up to 999999.99, under the API's cap of 1e8 cents

/** "12.5" (or "12．5", typed in Chinese) → 1250 cents; null when it is not an amount of yuan. */
function yuanToCents(text) {
  const s = String(text).trim().replace('．', '.');
  return YUAN.test(s) ? Math.round(Number(s) * 100) : null;
}

/** The panel's markup: a lead, the list, and the form to add an item
 *  (codeExample: the placeholder of its code). */
function markup(codeExample) {
  return [
    said('p', { class: 'meta' }, 'svc.lead'),
    h('div', { class: 'grid grid-2' },
      h('section', { 'aria-labelledby': 'services-title' },
        said('h2', { class: 'h3', id: 'services-title' }, 'svc.heading'),
        h('ul', { class: 'list card', id: 'services', 'aria-live': 'polite' }),
        said('p', { class: 'empty', id: 'services-empty', hidden: true }, 'svc.empty')),
      formOf({ class: 'form card', id: 'service-form' }, said('h2', { class: 'h3' }, 'svc.new'), [
        h('div', { class: 'grid grid-2' },
          field('svc.code', h('input', { id: 's-code', maxlength: 40, required: true, autocapitalize: 'off',
            spellcheck: 'false', placeholder: codeExample })),
          field('svc.name', h('input', { id: 's-name', maxlength: 100, required: true }))),
        h('div', { class: 'grid grid-2' },
          field('svc.price', h('input', { id: 's-price', inputmode: 'decimal', required: true })),
          field('svc.unit', h('input', { id: 's-unit', maxlength: 16 }))),
      ], 'svc.add')),
  ];
}

/** The services panel of one page, drawn at the end of container (its tab panel):
 *  getOrg() → { kind: 'agency'|'cemetery', id } or null; canEdit(org) → may this
 *  account change the list (shows the form and the buttons); codeExample → the
 *  placeholder of a new item's code ("farewell-hall"). */
export function servicesPanel(container, getOrg, canEdit, codeExample) {
  container.append(...markup(codeExample));
  const st = { services: [], error: '' };
  const base = () => {
    const o = getOrg();
    return o ? `/api/${o.kind === 'agency' ? 'agencies' : 'cemeteries'}/${o.id}/services` : null;
  };
  const editing = () => !!getOrg() && !!canEdit(getOrg());

  async function save(s, patch) {
    try {
      await api('PATCH', `/api/services/${s.id}`, patch);
      toast(t('svc.saved', { name: s.name }), 'ok');
    } catch (err) {
      toast(errorText(err), 'error');
    }
    await load();
  }

  function buttons(s) {
    const price = h('input', { class: 'input svc-price', inputmode: 'decimal',
      value: (s.price_cents / 100).toFixed(2), 'aria-label': t('svc.price_of', { name: s.name }),
      oninput: (ev) => ev.target.removeAttribute('aria-invalid') });
    const repriced = () => {
      const cents = yuanToCents(price.value);
      if (cents === null) {
        price.setAttribute('aria-invalid', 'true');
        price.focus();
        toast(t('svc.v_price'), 'warn');
        return;
      }
      save(s, { price_cents: cents });
    };
    return h('span', { class: 'cluster' }, price,
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', 'data-save': s.id, onclick: repriced },
        t('svc.save')),
      h('button', { type: 'button', class: 'btn btn-quiet btn-sm', 'data-toggle': s.id,
        onclick: () => save(s, { active: !s.active }) }, t(s.active ? 'svc.stop' : 'svc.offer')));
  }

  function row(s) {
    return h('li', { class: 'list-row', 'data-service': s.id, 'data-active': String(s.active) },
      h('span', {}, h('span', { class: 'list-title' }, s.name),
        h('span', { class: 'meta text-sm' }, ` · ${money(s.price_cents)}${s.unit ? ` / ${s.unit}` : ''}`),
        s.active ? null : h('span', { class: 'badge' }, t('svc.inactive'))),
      editing() ? buttons(s) : null);
  }

  function render() {
    replace($('services'), st.error ? h('li', { class: 'meta' }, st.error) : st.services.map(row));
    $('services').hidden = !st.error && !st.services.length;
    $('services-empty').hidden = st.error !== '' || st.services.length > 0;
    $('service-form').hidden = !editing();
  }

  async function load() {
    const b = base();
    if (!b) return;
    try {
      // the whole list (with the items no longer offered) is for those who edit it
      st.services = (await api('GET', editing() ? `${b}?all=1` : b)).services ?? [];
      st.error = '';
    } catch (err) {
      st.services = [];
      st.error = errorText(err);
    }
    render();
  }

  const form = $('service-form');
  submitForm(form, async () => {
    const cents = yuanToCents($('s-price').value);
    const body = { code: $('s-code').value.trim(), name: $('s-name').value.trim(), price_cents: cents };
    if (!body.code || !body.name || cents === null) {
      setFormError(form, 'svc.v_service');
      return;
    }
    if ($('s-unit').value.trim()) body.unit = $('s-unit').value.trim();
    const s = await api('POST', base(), body);
    toast(t('svc.added', { name: s.name }), 'ok');
    form.reset();
    await load();
  });

  return { load, render };
}
