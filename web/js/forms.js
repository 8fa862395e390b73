// forms.js — inline errors, busy buttons and password toggles for forms.
//
// Markup a field like this (the page's HTML, no script needed):
//   <div class="field">
//     <label for="login" data-i18n="field.login">手机号或邮箱</label>
//     <input id="login" name="login" aria-describedby="login-hint login-error">
//     <p class="field-hint" id="login-hint">…</p>
//     <p class="field-error" id="login-error" hidden></p>
//   </div>
// and a form-level message box: <div class="alert alert-error" data-form-error
// role="alert" tabindex="-1" hidden></div>.
//
// Errors are shown through i18n.bindText(), so a language switch re-words
// them in place. A panel that several pages share builds the same markup
// from its script with said(), field() and formOf().
import { bindText, t } from './i18n.js';
import { ApiError } from './api.js';
import { h } from './dom.js';

function errorEl(input) {
  return input && document.getElementById(`${input.id}-error`);
}

/** Show an error under input: a dictionary key (+vars) or a fixed text. */
export function setFieldError(input, key, vars = {}, fixed = '') {
  const el = errorEl(input);
  input.setAttribute('aria-invalid', 'true');
  if (!el) return;
  bindText(el, key, vars, fixed);
  el.hidden = false;
}

export function clearFieldError(input) {
  input.removeAttribute('aria-invalid');
  const el = errorEl(input);
  if (el) {
    el.hidden = true;
    bindText(el, null, {}, '');
  }
}

/** The form-level message box. */
function formBox(form) {
  return form.querySelector('[data-form-error]');
}

/** Show a message for the whole form and move focus to it. */
export function setFormError(form, key, vars = {}, fixed = '', { focus = true } = {}) {
  const box = formBox(form);
  if (!box) return;
  let p = box.querySelector('p');
  if (!p) {
    p = document.createElement('p');
    box.replaceChildren(p);
  }
  bindText(p, key, vars, fixed);
  box.hidden = false;
  if (focus) box.focus({ preventScroll: false });
}

/** Show an ApiError (or anything thrown) for the whole form. */
export function setFormApiError(form, err, opts) {
  if (err instanceof ApiError) {
    const { key, vars } = err.friendlyKey();
    setFormError(form, key, vars, '', opts);
  } else {
    setFormError(form, 'error.unknown', {}, '', opts);
  }
}

/** Clear the form message and every field error. */
export function clearErrors(form) {
  const box = formBox(form);
  if (box) {
    box.hidden = true;
    box.replaceChildren();
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) clearFieldError(input);
}

/** Focus the first invalid field; true if there was one. */
export function focusFirstInvalid(form) {
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return !!first;
}

/** The page's script now handles form: its submit button, disabled in the
 *  HTML (with method="post") so that a click before the script has run
 *  sends nothing (the browser would otherwise send the form itself, with a
 *  password in the URL), may be used. */
export function formReady(form) {
  const button = form.querySelector('[type="submit"]');
  if (button) button.disabled = false;
}

/** Mark form busy while a request runs (busy true): its submit button
 *  disabled and aria-busy, every field read-only; busy false undoes it. */
export function setBusy(form, busy) {
  const button = form.querySelector('[type="submit"]');
  for (const el of form.elements) {
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') el.readOnly = busy;
  }
  if (button) {
    button.disabled = busy;
    if (busy) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
  }
  form.setAttribute('aria-busy', busy ? 'true' : 'false');
}

/** Handle form's submit: errors cleared, then fn() runs with the form busy;
 *  what it throws lands in the form (the daemon's own words for a 4xx that
 *  has them). fn may itself set an error and return. */
export function submitForm(form, fn) {
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setBusy(form, true);
    try {
      await fn();
    } catch (err) {
      if (err instanceof ApiError && err.message && err.status < 500) setFormError(form, null, {}, err.message);
      else setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

/** Clear a field's error as soon as the person edits it. */
export function clearOnInput(form) {
  form.addEventListener('input', (ev) => {
    const el = ev.target;
    if (el.getAttribute && el.getAttribute('aria-invalid') === 'true') clearFieldError(el);
  });
}

/**
 * Wire every [data-password-toggle] button: it shows/hides the input named
 * by its aria-controls, and keeps its label in the current language.
 */
export function passwordToggles(root = document) {
  for (const btn of root.querySelectorAll('[data-password-toggle]')) {
    const input = document.getElementById(btn.getAttribute('aria-controls'));
    if (!input) continue;
    const render = () => {
      const shown = input.type === 'text';
      btn.setAttribute('aria-pressed', shown ? 'true' : 'false');
      bindText(btn, shown ? 'common.hide' : 'common.show');
      btn.setAttribute('data-i18n-aria-label', shown ? 'common.hide_password' : 'common.show_password');
      btn.setAttribute('aria-label', t(shown ? 'common.hide_password' : 'common.show_password'));
    };
    btn.addEventListener('click', () => {
      input.type = input.type === 'password' ? 'text' : 'password';
      render();
      input.focus();
    });
    render();
  }
}

// ---------- forms built by a script ----------

/** An element `tag` with props showing t(key), re-worded on a language change. */
export function said(tag, props, key) {
  const el = h(tag, props);
  bindText(el, key);
  return el;
}

/** <div class="field">: the label t(key) for control (which has an id), then control. */
export function field(key, control) {
  return h('div', { class: 'field' }, said('label', { for: control.id }, key), control);
}

/** A form as the pages write it (novalidate): its heading, the form-level
 *  message box, the fields (nodes), and a primary submit button t(submitKey). */
export function formOf(props, heading, fields, submitKey) {
  return h('form', { ...props, novalidate: true }, heading,
    h('div', { class: 'alert alert-error', 'data-form-error': true, role: 'alert', tabindex: '-1', hidden: true }),
    fields,
    h('div', { class: 'btn-row' }, said('button', { class: 'btn btn-primary', type: 'submit' }, submitKey)));
}

// ---------- the rules the server applies to accounts ----------

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 64;

/** The login as the server wants it: phones without spaces or dashes. */
export function normaliseLogin(raw) {
  const s = String(raw ?? '').trim();
  if (s.includes('@')) return s;
  const digits = s.replace(/[\s-]/g, '');
  return /^\+?86\d{11}$/.test(digits) ? digits.replace(/^\+?86/, '') : digits;
}

/** "phone", "email" or null. */
export function loginKind(login) {
  if (/^1\d{10}$/.test(login)) return 'phone';
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(login) && login.length <= 254) return 'email';
  return null;
}

/** Length in characters (code points), as people count them. */
export function charLength(s) {
  return [...String(s ?? '')].length;
}

/** A password's problem as { key, vars }, or null when it is acceptable. */
export function passwordProblem(pw) {
  const n = charLength(pw);
  if (!n) return { key: 'validate.password_required', vars: {} };
  if (n < PASSWORD_MIN) return { key: 'validate.password_short', vars: { min: PASSWORD_MIN } };
  // the server counts the upper limit in bytes of UTF-8
  if (n > PASSWORD_MAX || new TextEncoder().encode(pw).length > PASSWORD_MAX) {
    return { key: 'validate.password_long', vars: { max: PASSWORD_MAX } };
  }
  return null;
}
