// calendar-admin.js — on /memorial-admin.html?id=N, the family's choice of
// Gregorian or lunar anniversaries (GET/PUT /api/memorials/{id}/calendar).
// The card shows only to those who may edit the memorial.
import { api } from './api.js';
import { t } from './i18n.js';
import { toast } from './layout.js';
import { param } from './dom.js';
import { setBusy, setFormApiError, clearErrors } from './forms.js';

const section = document.getElementById('calendar');
const form = document.getElementById('cal-form');
const id = param('id');

function show(cal) {
  for (const r of form.querySelectorAll('input[name="anniversaries"]')) {
    r.checked = r.value === cal.anniversaries;
  }
  section.hidden = !cal.can_edit;
  document.getElementById('toc-calendar').hidden = !cal.can_edit;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const choice = form.querySelector('input[name="anniversaries"]:checked')?.value;
  if (!choice) return;
  setBusy(form, true);
  try {
    show(await api('PUT', `/api/memorials/${encodeURIComponent(id)}/calendar`, { anniversaries: choice }));
    toast(t('madm.cal_saved'), 'ok');
  } catch (err) {
    setFormApiError(form, err);
  } finally {
    setBusy(form, false);
  }
});

if (id && /^\d+$/.test(id)) {
  api('GET', `/api/memorials/${id}/calendar`).then(show, () => { /* the page reports its own errors */ });
}
