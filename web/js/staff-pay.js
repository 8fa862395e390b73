// staff-pay.js — payments in the cemetery console (/staff.html): on each
// order card, its payment state and the form that records a payment made
// at the office or by transfer (with the receipt or transfer number), or
// the refund of a paid order that was cancelled, rejected or disputed
// (POST /api/sweeping-orders/{id}/payment); and the cemetery's payment
// instructions and pay-later choice (/api/cemeteries/{id}/payment-settings).
// staff.js calls payBlock() per card and initPaySettings() once.
import { toast } from './layout.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { h } from './dom.js';
import { errText, money, payBadge, payNote } from './visitlib.js';

const $ = (id) => document.getElementById(id);

/** What staff record next: 'paid', 'refunded' or null. */
function nextRecord(o) {
  const p = o.payment;
  if (p.state === 'unpaid' && !['cancelled', 'rejected'].includes(o.state)) return 'paid';
  if (p.state === 'paid' && p.refund_due) return 'refunded';
  return null;
}

/** The payment part of an order card; onChanged(order) after a record. */
export function payBlock(o, onChanged) {
  const p = o.payment;
  const what = nextRecord(o);
  const id = `payref-${o.id}`;
  let form = null;
  if (what) {
    const input = h('input', { id, type: 'text', maxlength: 64, required: true, 'data-pay-ref': o.id });
    const btn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', 'data-action': `pay-${what}` },
      t(what === 'paid' ? 'pay.mark_paid' : 'pay.record_refund'));
    btn.addEventListener('click', async () => {
      const reference = input.value.trim();
      if (!reference) {
        input.focus();
        toast(t('pay.reference_required'), 'warn');
        return;
      }
      btn.disabled = true;
      try {
        const next = await api('POST', `/api/sweeping-orders/${o.id}/payment`, { state: what, reference });
        toast(t(what === 'paid' ? 'pay.paid_toast' : 'pay.refunded_toast', { id: o.id }), 'ok');
        onChanged(next);
      } catch (err) {
        toast(errText(err), 'error');
        btn.disabled = false;
      }
    });
    form = h('div', { class: 'field pay-field' },
      h('label', { for: id }, t('pay.reference_label')),
      h('div', { class: 'file-pick' }, input, btn));
  }
  return h('div', { class: 'pay-block text-sm', 'data-pay-state': p.state },
    h('div', { class: 'spread' },
      h('span', {}, t('pay.reference'), ' ', h('strong', {}, p.reference), ' · ', money(p.amount_fen)),
      payBadge(p.state)),
    h('div', { class: 'meta' }, payNote(p)),
    form);
}

/** Load and wire the settings form for the cemetery of getCemetery(). */
export function initPaySettings(getCemetery) {
  const form = $('pay-settings');
  const load = async () => {
    const c = getCemetery();
    if (!c) return;
    try {
      const s = await api('GET', `/api/cemeteries/${c.id}/payment-settings`);
      $('pay-instructions').value = s.instructions;
      $('pay-later').checked = s.pay_later;
    } catch (err) {
      toast(errText(err), 'error');
    }
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const c = getCemetery();
    try {
      await api('PUT', `/api/cemeteries/${c.id}/payment-settings`,
        { instructions: $('pay-instructions').value, pay_later: $('pay-later').checked });
      toast(t('pay.saved_toast'), 'ok');
    } catch (err) {
      toast(errText(err), 'error');
    }
  });
  return load;
}
