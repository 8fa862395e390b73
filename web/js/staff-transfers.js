// staff-transfers.js — the hand-overs tab of the cemetery console
// (/staff.html): burial records a funeral home hands over to this
// cemetery (GET /api/cemeteries/{id}/transfers). A pending one shows the
// plots the cemetery's allocation rules propose, each with its reasons
// (GET /api/transfers/{id}/proposals); staff confirm one, or accept into
// another free plot chosen from a list (the one the agency named, if any,
// first), or decline with a reason; decided ones are listed below with
// their outcome. staff.js calls initTransfers() once and loadTransfers()
// on the tab.
import { toast } from './layout.js';
import { ApiError, api } from './api.js';
import { t } from './i18n.js';
import { h, replace } from './dom.js';
import { errText, plotLabel } from './visitlib.js';

const $ = (id) => document.getElementById(id);

let cemetery = () => null;
let transfers = [];
let freePlots = [];
let proposals = new Map(); // transfer id → proposals

function lifeDates(d) {
  return [d.birth_date, d.death_date].filter(Boolean).join(' – ');
}

function plotChoice(tr) {
  const sel = h('select', { 'data-plot-for': tr.id, 'aria-label': t('ho.plot') });
  const named = tr.plot && freePlots.some((p) => p.id === tr.plot.id) ? [tr.plot] : [];
  const rest = freePlots.filter((p) => !named.some((n) => n.id === p.id));
  replace(sel, ...[...named, ...rest].map((p) => h('option', { value: p.id }, plotLabel(p))));
  return sel;
}

async function decide(tr, action, body, btn) {
  btn.disabled = true;
  try {
    await api('POST', `/api/transfers/${tr.id}/${action}`, body);
    toast(t(action === 'accept' ? 'ho.accepted' : 'ho.declined', { name: tr.deceased.name }), 'ok');
    await loadTransfers();
  } catch (err) {
    toast(err instanceof ApiError && err.message ? err.message : errText(err), 'error');
    btn.disabled = false;
  }
}

function relationText(rel) {
  return rel?.relation ? t(`ho.rel.${rel.relation}`) : '';
}

// One reason of a proposal, in the page's language.
export function reasonText(r) {
  const rel = r.relative;
  const kind = r.kind ? t(`plots.kind.${r.kind}`) : '';
  return t(`ho.why.${r.code}`, {
    name: rel?.name ?? '', relation: relationText(rel), plot: plotLabel(rel?.plot),
    kind, section: r.section ?? '', percent: r.percent ?? 0, metres: r.metres ?? 0,
  });
}

function proposalList(tr) {
  const list = proposals.get(tr.id) ?? [];
  if (!list.length) return null;
  return h('div', { class: 'stack-sm' },
    h('span', { class: 'label' }, t('ho.proposals')),
    h('ol', { class: 'stack-sm', 'data-proposals': tr.id }, list.map((pr, i) => {
      const ok = h('button', { type: 'button', class: `btn btn-sm ${i === 0 ? 'btn-primary' : 'btn-secondary'}`, 'data-confirm-plot': pr.plot.id },
        t('ho.confirm'));
      ok.addEventListener('click', () => decide(tr, 'accept', { plot_id: pr.plot.id }, ok));
      return h('li', { class: 'card', 'data-proposal': pr.plot.id },
        h('div', { class: 'spread' },
          h('strong', {}, plotLabel(pr.plot)),
          h('span', { class: 'meta' }, t(`plots.kind.${pr.plot.kind}`))),
        pr.reasons.length
          ? h('ul', { class: 'text-sm' }, pr.reasons.map((r) => h('li', { 'data-reason': r.code }, reasonText(r))))
          : h('p', { class: 'meta text-sm' }, t('ho.why.none')),
        h('div', { class: 'btn-row' }, ok));
    })));
}

function pendingActions(tr) {
  if (!freePlots.length) return h('p', { class: 'text-danger text-sm' }, t('ho.no_free'));
  const sel = plotChoice(tr);
  const accept = h('button', { type: 'button', class: 'btn btn-primary btn-sm', 'data-accept': tr.id }, t('ho.accept'));
  accept.addEventListener('click', () => decide(tr, 'accept', { plot_id: Number(sel.value) }, accept));
  const reason = h('input', { type: 'text', maxlength: 200, 'data-reason-for': tr.id, 'aria-label': t('ho.reason') });
  const decline = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', 'data-decline': tr.id }, t('ho.decline'));
  decline.addEventListener('click', () => decide(tr, 'decline', reason.value.trim() ? { reason: reason.value.trim() } : {}, decline));
  return h('div', { class: 'stack-sm' },
    proposalList(tr),
    h('label', { class: 'field' }, h('span', { class: 'label' }, t(proposals.get(tr.id)?.length ? 'ho.other' : 'ho.plot')), sel),
    h('div', { class: 'btn-row' }, accept),
    h('label', { class: 'field' }, h('span', { class: 'label' }, t('ho.reason')), reason),
    h('div', { class: 'btn-row' }, decline));
}

function card(tr) {
  const d = tr.deceased ?? {};
  return h('li', { class: 'card order-card', 'data-transfer': tr.id, 'data-state': tr.state },
    h('div', { class: 'spread' },
      h('strong', {}, d.name ?? ''),
      h('span', { class: 'badge state-badge', 'data-state': tr.state }, t(`ho.state.${tr.state}`))),
    h('div', { class: 'text-sm' },
      lifeDates(d) ? h('div', { class: 'meta' }, lifeDates(d)) : null,
      h('div', {}, t('ho.from', { name: tr.from?.name ?? '' })),
      tr.plot ? h('div', { 'data-plot': tr.plot.id }, t(tr.state === 'accepted' ? 'ho.in_plot' : 'ho.named_plot', { plot: plotLabel(tr.plot) })) : null,
      tr.kind ? h('div', {}, t('ho.wish_kind', { kind: t(`plots.kind.${tr.kind}`) })) : null,
      tr.relative ? h('div', {}, t('ho.relative', { name: tr.relative.name, relation: relationText(tr.relative) })) : null,
      tr.note ? h('div', { class: 'meta' }, t('ho.note', { note: tr.note })) : null,
      tr.reason ? h('div', { class: 'text-danger' }, t('ho.reason_given', { reason: tr.reason })) : null),
    tr.state === 'pending' ? pendingActions(tr) : null);
}

export function renderTransfers() {
  replace($('transfers'), transfers.map(card));
  $('transfers-empty').hidden = transfers.length > 0;
}

export async function loadTransfers() {
  const c = cemetery();
  if (!c) return;
  try {
    const [r, p] = await Promise.all([
      api('GET', `/api/cemeteries/${c.id}/transfers`),
      api('GET', `/api/cemeteries/${c.id}/plots?status=free`),
    ]);
    // pending first, then the newest decided
    transfers = (r.transfers ?? []).sort((a, b) => (a.state === 'pending' ? 0 : 1) - (b.state === 'pending' ? 0 : 1));
    freePlots = p.plots ?? [];
    const pending = transfers.filter((tr) => tr.state === 'pending');
    const got = await Promise.all(pending.map((tr) => api('GET', `/api/transfers/${tr.id}/proposals`)));
    proposals = new Map(pending.map((tr, i) => [tr.id, got[i].proposals ?? []]));
    renderTransfers();
  } catch (err) {
    toast(errText(err), 'error');
  }
}

export function initTransfers(getCemetery) {
  cemetery = getCemetery;
  $('transfers-reload').addEventListener('click', loadTransfers);
}
