// staff-alloc.js — the cemetery's plot allocation rules, under the
// hand-overs tab of /staff.html (GET/PUT /api/cemeteries/{id}/allocation):
// a weight per rule, the subsidised kinds, the gate's coordinates. The
// proposals of each hand-over (staff-transfers.js) follow them. staff.js
// calls initAlloc() once and loadAlloc() on the tab.
import { toast } from './layout.js';
import { ApiError, api } from './api.js';
import { t } from './i18n.js';
import { h, replace } from './dom.js';
import { clearErrors, setBusy, setFormError } from './forms.js';
import { errText } from './visitlib.js';
import { KINDS } from './staff-plots.js';

const $ = (id) => document.getElementById(id);
const RULES = ['family', 'kind', 'eco', 'fill', 'access'];

let cemetery = () => null;

function render(a) {
  replace($('alloc-weights'), RULES.map((r) => h('div', { class: 'field' },
    h('label', { for: `alloc-w-${r}` }, t(`alloc.rule.${r}`)),
    h('input', { id: `alloc-w-${r}`, type: 'number', min: 0, max: 1000, inputmode: 'numeric', value: a.weights[r] }))));
  replace($('alloc-subsidised'), KINDS.map((k) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: k, 'data-subsidised': k, checked: a.subsidised.includes(k) ? '' : null }),
    ' ', t(`plots.kind.${k}`))));
  $('alloc-gate-lat').value = a.gate?.lat ?? '';
  $('alloc-gate-lng').value = a.gate?.lng ?? '';
}

export async function loadAlloc() {
  const c = cemetery();
  if (!c) return;
  try {
    render(await api('GET', `/api/cemeteries/${c.id}/allocation`));
  } catch (err) {
    toast(errText(err), 'error');
  }
}

function body() {
  const weights = {};
  for (const r of RULES) weights[r] = Number($(`alloc-w-${r}`).value);
  const subsidised = [...document.querySelectorAll('#alloc-subsidised input:checked')].map((i) => i.value);
  const lat = $('alloc-gate-lat').value.trim();
  const lng = $('alloc-gate-lng').value.trim();
  return { weights, subsidised, gate: lat && lng ? { lat: Number(lat), lng: Number(lng) } : null };
}

async function save(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  setBusy(form, true);
  try {
    render(await api('PUT', `/api/cemeteries/${cemetery().id}/allocation`, body()));
    toast(t('alloc.saved'), 'ok');
  } catch (err) {
    if (err instanceof ApiError && err.message) setFormError(form, null, {}, err.message);
    else setFormError(form, 'error.unknown');
  } finally {
    setBusy(form, false);
  }
}

export function initAlloc(getCemetery) {
  cemetery = getCemetery;
  $('alloc-form').addEventListener('submit', save);
}
