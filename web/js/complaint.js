// complaint.js — /complaint.html?id=N[&token=T]: one complaint and its
// answer. Its sender reaches it by the link given when it was sent (the
// token) or signed in; the organisation's operators or staff and the
// platform admin reach it from their console (service.html) and answer it
// here, once: GET /api/complaints/{id}, POST /api/complaints/{id}/answer.
// Never published: anyone else gets "not found".
import { mountLayout } from './layout.js';
import { ApiError, api } from './api.js';
import { bindText, formatDateTime, onLangChange, t } from './i18n.js';
import { param } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFieldError, setFormApiError } from './forms.js';

const $ = (id) => document.getElementById(id);
const id = param('id') ?? '';
const token = param('token');
const path = `/api/complaints/${encodeURIComponent(id)}`;
let got = null;

function show(which) {
  for (const x of ['p-loading', 'p-error', 'p-page']) $(x).hidden = x !== which;
}

function render() {
  if (!got) return;
  const c = got.complaint;
  const org = $('p-org');
  org.textContent = c.org.name;
  org.href = `/org.html?${c.org.kind}=${c.org.id}`;
  $('p-when').textContent = t('cp.sent_at', { when: formatDateTime(c.created_at) });
  $('p-text').textContent = c.text;
  $('p-contact').hidden = !c.contact;
  if (c.contact) $('p-contact').textContent = t('cp.contact', { contact: c.contact });
  bindText($('p-state'), c.state === 'answered' ? 'cp.state_answered' : 'cp.state_open');
  $('p-answer-box').hidden = c.state !== 'answered';
  if (c.state === 'answered') {
    $('p-answer').textContent = c.answer;
    $('p-answered-at').textContent = t('cp.answered_at', { when: formatDateTime(c.answered_at) });
  }
  $('answer-form').hidden = !got.can_answer;
}

async function load() {
  show('p-loading');
  try {
    if (!/^\d+$/.test(id)) throw new ApiError(404, 'not_found', '');
    got = await api('GET', token ? `${path}?token=${encodeURIComponent(token)}` : path);
    show('p-page');
    render();
  } catch (err) {
    show('p-error');
    bindText($('p-error-text'), err instanceof ApiError && err.status === 401 ? 'cp.sign_in'
      : err instanceof ApiError && err.status === 404 ? 'cp.not_found' : 'error.unknown');
  }
}

function wireAnswer() {
  const form = $('answer-form');
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const answer = $('a-text').value.trim();
    if (!answer) {
      setFieldError($('a-text'), 'cp.v_answer');
      $('a-text').focus();
      return;
    }
    setBusy(form, true);
    try {
      const r = await api('POST', `${path}/answer`, { answer });
      got = { complaint: r.complaint, can_answer: false };
      render();
      $('p-answer-title').focus?.();
    } catch (err) {
      setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

onLangChange(render);
mountLayout();
wireAnswer();
load();
