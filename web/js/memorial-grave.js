// memorial-grave.js — on /memorial-admin.html?id=N, a family memorial
// finding its grave: its family admin names the cemetery and the plot (or
// the cemetery's record number) and asks the cemetery to confirm
// (POST /api/memorials/{id}/grave-requests); the card lists the requests
// with their state and a refusal's reason. Once confirmed the memorial
// page shows the resting place. Shown only to those who may edit the
// memorial, and only while it lies nowhere.
import { ApiError, api } from './api.js';
import { formatDateTime, onLangChange, t } from './i18n.js';
import { toast } from './layout.js';
import { h, param, replace } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFormApiError, setFormError } from './forms.js';

const $ = (x) => document.getElementById(x);
const id = param('id');
const state = { page: null, requests: [] };

function label(r) {
  const plot = [r.section, r.row, r.number].filter(Boolean).join(' · ');
  return [r.cemetery.name, plot, r.record_id ? t('grave.record_no', { n: r.record_id }) : '']
    .filter(Boolean).join(' — ');
}

function render() {
  const { page, requests } = state;
  if (!page) return;
  const b = page.burial;
  $('grave-linked').hidden = !b;
  if (b) {
    $('grave-linked').textContent = t('grave.linked', {
      cemetery: b.cemetery.name, plot: [b.plot.section, b.plot.row, b.plot.number].filter(Boolean).join(' · '),
    });
  }
  replace($('grave-requests'), requests.map((r) => h('li', { 'data-grave': r.id, 'data-state': r.state },
    h('p', { class: 'mb-0' }, h('span', { class: 'badge' }, t(`grave.state_${r.state}`)), ' ', label(r)),
    h('p', { class: 'meta mb-0' }, formatDateTime(r.created_at)),
    r.reason ? h('p', { class: 'mb-0' }, t('grave.reason', { reason: r.reason })) : null)));
  $('grave-form').hidden = Boolean(b) || requests.some((r) => r.state === 'pending');
}

async function load() {
  const page = await api('GET', `/api/memorials/${id}`);
  if (!page?.viewer?.can_edit) return;
  state.page = page;
  $('grave').hidden = false;
  const [g, c] = await Promise.all([
    api('GET', `/api/memorials/${id}/grave-requests`),
    api('GET', '/api/cemeteries'),
  ]);
  state.requests = g.grave_requests ?? [];
  replace($('g-cemetery'), (c.cemeteries ?? []).map((x) => h('option', { value: x.id }, x.name)));
  render();
}

function wire() {
  const form = $('grave-form');
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { cemetery_id: Number($('g-cemetery').value) };
    for (const f of ['section', 'row', 'number', 'note']) {
      const v = $(`g-${f}`).value.trim();
      if (v) body[f] = v;
    }
    const rec = $('g-record').value.trim();
    if (rec) body.record_id = Number(rec);
    if (!body.record_id && !(body.section && body.number)) {
      setFormError(form, 'grave.v_where');
      return;
    }
    setBusy(form, true);
    try {
      const r = await api('POST', `/api/memorials/${id}/grave-requests`, body);
      state.requests = [r.grave_request, ...state.requests];
      render();
      toast(t('grave.sent'), 'ok');
    } catch (err) {
      if (err instanceof ApiError && err.message && err.status === 409) setFormError(form, null, {}, err.message);
      else setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

onLangChange(render);
wire();
if (id && /^\d+$/.test(id)) load().catch(() => { /* the page reports its own errors */ });
