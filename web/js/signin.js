// signin.js — /signin.html: phone or email + password -> POST /api/session,
// then on to ?next= (a path on this site) or /account.html.
import { mountLayout } from './layout.js';
import { ApiError, signIn, safeNext } from './api.js';
import { bindText, formatDuration, onLangChange } from './i18n.js';
import {
  clearErrors, clearOnInput, focusFirstInvalid, formReady, normaliseLogin, passwordToggles, setBusy, setFieldError, setFormApiError, setFormError,
} from './forms.js';
import { param } from './dom.js';

const form = document.getElementById('signin-form');
const loginEl = document.getElementById('login');
const passwordEl = document.getElementById('password');
const next = safeNext(param('next'));

// Carry ?next= over to the sign-up page and to signing in by code.
if (param('next')) {
  const q = encodeURIComponent(next);
  document.getElementById('signup-link').href = `/signup.html?next=${q}`;
  document.getElementById('code-link').href = `/code.html?next=${q}`;
  document.getElementById('reset-link').href = `/code.html?mode=reset&next=${q}`;
}
if (param('created') === '1') document.getElementById('created').hidden = false;

passwordToggles(form);
clearOnInput(form);

let waitUntil = 0;
let waitTimer = null;

// 429: keep the button disabled and count the wait down in the message.
function holdFor(seconds) {
  waitUntil = Date.now() + seconds * 1000;
  const button = form.querySelector('[type="submit"]');
  const tick = () => {
    const left = Math.ceil((waitUntil - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(waitTimer);
      waitTimer = null;
      button.disabled = false;
      clearErrors(form);
      return;
    }
    button.disabled = true;
    setFormError(form, 'signin.too_many', { wait: formatDuration(left) }, '', { focus: false });
  };
  clearInterval(waitTimer);
  tick();
  waitTimer = setInterval(tick, 1000);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (waitTimer) return;
  clearErrors(form);
  const login = normaliseLogin(loginEl.value);
  const password = passwordEl.value;
  if (!login) setFieldError(loginEl, 'validate.login_required');
  if (!password) setFieldError(passwordEl, 'validate.password_required');
  if (focusFirstInvalid(form)) return;

  setBusy(form, true);
  try {
    await signIn(login, password);
    location.assign(next);
    return; // stay busy while the next page loads
  } catch (err) {
    setBusy(form, false);
    if (err instanceof ApiError && err.status === 401) {
      setFormError(form, 'signin.wrong');
      passwordEl.value = '';
    } else if (err instanceof ApiError && err.status === 429) {
      setFormError(form, 'signin.too_many', { wait: formatDuration(err.retryAfter ?? 60) });
      holdFor(err.retryAfter ?? 60);
    } else if (err instanceof ApiError && err.code === 'invalid' && err.field === 'login') {
      setFieldError(loginEl, null, {}, err.message);
      loginEl.focus();
    } else {
      setFormApiError(form, err);
    }
  }
});
formReady(form);

const user = await mountLayout();
if (user) {
  const already = document.getElementById('already');
  const text = document.getElementById('already-text');
  bindText(text, 'signin.already', { name: user.display_name ?? '' });
  already.hidden = false;
}
onLangChange(() => {
  if (waitTimer) holdFor(Math.ceil((waitUntil - Date.now()) / 1000));
});
