// signup.js — /signup.html: POST /api/users {login, password, display_name},
// then sign in with the same login and go to ?next= or /account.html.
// The checks here mirror the server's; the server's answer still decides.
import { mountLayout } from './layout.js';
import { ApiError, api, signIn, safeNext } from './api.js';
import {
  NAME_MAX, charLength, clearErrors, clearOnInput, focusFirstInvalid, formReady, loginKind, normaliseLogin, passwordProblem, passwordToggles, setBusy, setFieldError, setFormApiError,
} from './forms.js';
import { param } from './dom.js';

const form = document.getElementById('signup-form');
const nameEl = document.getElementById('display_name');
const loginEl = document.getElementById('login');
const passwordEl = document.getElementById('password');
const password2El = document.getElementById('password2');
const next = safeNext(param('next'));

if (param('next')) {
  document.getElementById('signin-link').href = `/signin.html?next=${encodeURIComponent(next)}`;
}

passwordToggles(form);
clearOnInput(form);

function validate() {
  const name = nameEl.value.trim();
  const login = normaliseLogin(loginEl.value);
  if (!name) setFieldError(nameEl, 'validate.name_required');
  else if (charLength(name) > NAME_MAX) setFieldError(nameEl, 'validate.name_too_long', { max: NAME_MAX });

  if (!login) setFieldError(loginEl, 'validate.login_required');
  else if (!loginKind(login)) setFieldError(loginEl, 'validate.login_format');

  const pw = passwordProblem(passwordEl.value);
  if (pw) setFieldError(passwordEl, pw.key, pw.vars);
  else if (password2El.value !== passwordEl.value) setFieldError(password2El, 'validate.password_mismatch');
  return { name, login, password: passwordEl.value };
}

// Check a field when the person leaves it, once they have typed something.
for (const el of [loginEl, password2El]) {
  el.addEventListener('blur', () => {
    if (!el.value) return;
    if (el === loginEl) {
      const login = normaliseLogin(loginEl.value);
      if (!loginKind(login)) setFieldError(loginEl, 'validate.login_format');
    } else if (password2El.value !== passwordEl.value) {
      setFieldError(password2El, 'validate.password_mismatch');
    }
  });
}

// A 400 from the server: put its message under the field it is about.
function fieldFor(err) {
  const byName = { display_name: nameEl, login: loginEl, password: passwordEl };
  if (err.field && byName[err.field]) return byName[err.field];
  const m = (err.message || '').toLowerCase();
  if (/display.?name|name/.test(m)) return nameEl;
  if (/password/.test(m)) return passwordEl;
  if (/login|phone|email/.test(m)) return loginEl;
  return null;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const { name, login, password } = validate();
  if (focusFirstInvalid(form)) return;

  setBusy(form, true);
  try {
    await api('POST', '/api/users', { login, password, display_name: name });
  } catch (err) {
    setBusy(form, false);
    if (err instanceof ApiError && err.code === 'invalid' && fieldFor(err)) {
      const el = fieldFor(err);
      setFieldError(el, null, {}, err.message);
      el.focus();
    } else {
      setFormApiError(form, err);
    }
    return;
  }

  // Sign-up never says whether the login was free (202 either way): the
  // new account is the one these credentials sign in to.
  try {
    await signIn(login, password);
    location.assign(next);
  } catch (err) {
    setBusy(form, false);
    if (err instanceof ApiError && err.status === 401) {
      setFieldError(loginEl, 'signup.maybe_taken');
      loginEl.focus();
      return;
    }
    // Signing in failed otherwise (busy, offline): let them do it by hand.
    const q = new URLSearchParams({ created: '1', next });
    location.assign(`/signin.html?${q}`);
  }
});
formReady(form);

mountLayout();
