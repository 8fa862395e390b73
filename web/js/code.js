// code.js — /code.html: signing in with a one-time code sent by text
// message or e-mail, and (?mode=reset) setting a new password the same way,
// then on to ?next= (a path on this site) or /account.html.
//
// Step 1 asks where to send the code (POST /api/codes); the answer is the
// same whether the login is registered or not, and the page says so. Step 2
// takes the six digits (and the new password) and signs in
// (POST /api/session/code or /api/password/reset). A code can be sent
// again after a minute; a wrong or expired code asks for a new one.
import { mountLayout } from './layout.js';
import { ApiError, resetPassword, safeNext, signInWithCode, api } from './api.js';
import { bindText, formatDuration, lang, onLangChange } from './i18n.js';
import {
  clearErrors, clearOnInput, focusFirstInvalid, formReady, loginKind, normaliseLogin, passwordProblem, passwordToggles, setBusy, setFieldError, setFormApiError, setFormError,
} from './forms.js';
import { param } from './dom.js';

const RESEND_AFTER = 60; // seconds

const reset = param('mode') === 'reset';
const next = safeNext(param('next'));
const sendForm = document.getElementById('send-form');
const useForm = document.getElementById('use-form');
const loginEl = document.getElementById('login');
const codeEl = document.getElementById('code');
const pwEl = document.getElementById('new_password');
const pw2El = document.getElementById('new_password2');
const resendEl = document.getElementById('resend');

let login = '';
let sentAt = 0;
let timer = null;

function mode(key) {
  return `code.${key}_${reset ? 'reset' : 'signin'}`;
}

function renderMode() {
  bindText(document.querySelector('title'), mode('title'));
  bindText(document.getElementById('code-heading'), mode('heading'));
  bindText(document.getElementById('code-lead'), mode('lead'));
  bindText(document.getElementById('use'), reset ? 'code.reset' : 'code.signin');
  document.getElementById('new-password').hidden = !reset;
  pwEl.required = reset;
  pw2El.required = reset;
  if (param('next')) {
    document.getElementById('password-link').href = `/signin.html?next=${encodeURIComponent(next)}`;
  }
}

/** The resend button counts the minute down. */
function tickResend() {
  const left = Math.ceil(RESEND_AFTER - (Date.now() - sentAt) / 1000);
  resendEl.disabled = left > 0;
  if (left > 0) bindText(resendEl, 'code.resend_in', { wait: formatDuration(left) });
  else {
    bindText(resendEl, 'code.resend');
    clearInterval(timer);
    timer = null;
  }
}

async function send(form) {
  setBusy(form, true);
  try {
    const r = await api('POST', '/api/codes',
      { login, purpose: reset ? 'reset' : 'signin', lang: lang() });
    sentAt = Date.now();
    clearInterval(timer);
    timer = setInterval(tickResend, 1000);
    tickResend();
    bindText(document.getElementById('sent'),
      r.channel === 'email' ? 'code.sent_email' : 'code.sent_sms', { minutes: Math.round(r.expires_in / 60) });
    sendForm.hidden = true;
    useForm.hidden = false;
    codeEl.focus();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 429) {
      setFormError(form, 'code.too_many', { wait: formatDuration(err.retryAfter ?? 60) });
    } else if (err instanceof ApiError && err.status === 503) {
      setFormError(form, 'code.unavailable');
    } else if (err instanceof ApiError && err.field === 'login' && form === sendForm) {
      setFieldError(loginEl, 'validate.login_format');
      loginEl.focus();
    } else {
      setFormApiError(form, err);
    }
    return false;
  } finally {
    setBusy(form, false);
  }
}

sendForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(sendForm);
  login = normaliseLogin(loginEl.value);
  if (!login) setFieldError(loginEl, 'validate.login_required');
  else if (!loginKind(login)) setFieldError(loginEl, 'validate.login_format');
  if (focusFirstInvalid(sendForm)) return;
  await send(sendForm);
});

useForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(useForm);
  const code = codeEl.value.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) setFieldError(codeEl, 'code.code_format');
  if (reset) {
    const pw = passwordProblem(pwEl.value);
    if (pw) setFieldError(pwEl, pw.key, pw.vars);
    else if (pw2El.value !== pwEl.value) setFieldError(pw2El, 'validate.password_mismatch');
  }
  if (focusFirstInvalid(useForm)) return;
  setBusy(useForm, true);
  try {
    if (reset) await resetPassword(login, code, pwEl.value);
    else await signInWithCode(login, code);
    location.assign(next);
    return; // stay busy while the next page loads
  } catch (err) {
    setBusy(useForm, false);
    if (err instanceof ApiError && err.code === 'wrong_code') {
      setFieldError(codeEl, 'code.wrong');
      codeEl.select();
      codeEl.focus();
    } else if (err instanceof ApiError && err.status === 429) {
      setFormError(useForm, 'signin.too_many', { wait: formatDuration(err.retryAfter ?? 60) });
    } else if (err instanceof ApiError && err.field === 'new_password') {
      setFieldError(pwEl, null, {}, err.message);
      pwEl.focus();
    } else {
      setFormApiError(useForm, err);
    }
  }
});
formReady(useForm);

resendEl.addEventListener('click', () => {
  clearErrors(useForm);
  send(useForm);
});

document.getElementById('other-login').addEventListener('click', () => {
  useForm.hidden = true;
  sendForm.hidden = false;
  clearErrors(useForm);
  loginEl.focus();
});

passwordToggles(useForm);
clearOnInput(sendForm);
clearOnInput(useForm);
renderMode();
onLangChange(() => {
  renderMode();
  if (timer) tickResend();
});
await mountLayout();
