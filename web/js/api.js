// api.js — talking to the sinian HTTP API from the pages.
//
//   import { api, ApiError, me, signIn, signOut } from '/js/api.js';
//   const r = await api('POST', '/api/users', { login, password, display_name });
//   try { ... } catch (e) { if (e instanceof ApiError) show(e.friendly()); }
//
// api() sends and receives JSON with the session cookie (same origin only),
// returns the parsed body (null for 204), and throws ApiError for any answer
// that is not 2xx. ApiError carries .status, .code and .message from the
// uniform error body {"error":{"code":"...","message":"..."}}, .retryAfter
// (seconds, from Retry-After) and .field when the server names one; a network
// failure is status 0, code "network". friendly() turns it into a sentence in
// the current language, and friendlyKey() into { key, vars } for bindText().
//
// me() is the signed-in user or null, asked once per page and cached.
// Chromium logs every 4xx fetch as a console error, so an anonymous visitor
// must not be sent to GET /api/me on every page: me() only asks when this
// browser signed in through signIn() (a "sinian.session" mark in
// localStorage, dropped on sign-out or on a 401). A page reached with a
// session cookie but no mark (a test that signs in over HTTP) can call
// rememberSession() first, or me({ probe: true }). Where storage is blocked
// (some in-app browsers, strict privacy settings) no mark can be kept, so
// me() always asks: the session cookie alone decides, and a sign-in never
// leads back to the sign-in page.
import { t, formatDuration } from './i18n.js';

const SESSION_MARK = 'sinian.session';

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = extra.retryAfter ?? null;
    this.field = extra.field ?? null;
    this.body = extra.body ?? null;
  }

  /** { key, vars } of the friendly message, for i18n bindText(). */
  friendlyKey() {
    return friendlyKey(this);
  }

  /** A sentence for people, in the current language. */
  friendly() {
    const { key, vars } = friendlyKey(this);
    return t(key, vars);
  }
}

const STATUS_CODES = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'too_large',
  429: 'rate_limited',
};

function retryAfterOf(res) {
  const h = res.headers.get('retry-after');
  if (!h) return null;
  const secs = Number(h);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const when = Date.parse(h);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

/**
 * One request. body (if not undefined) is sent as JSON. opts.signal aborts;
 * opts.headers adds headers. Resolves with the parsed JSON body (null when
 * empty), rejects with ApiError.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { accept: 'application/json', ...(opts.headers ?? {}) };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', err?.message || 'network error');
  }
  const text = res.status === 204 ? '' : await res.text().catch(() => '');
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (res.ok) {
    if (text && json === null) throw new ApiError(res.status, 'bad_response', 'the answer was not JSON');
    return json;
  }
  const e = json && typeof json.error === 'object' && json.error ? json.error : {};
  const code = typeof e.code === 'string' && e.code
    ? e.code
    : STATUS_CODES[res.status] ?? (res.status >= 500 ? 'server' : `http_${res.status}`);
  const message = typeof e.message === 'string' ? e.message : res.statusText;
  // Validation messages name their field first: "login: already registered".
  const named = /^([a-z_][a-z0-9_.]*): /.exec(message);
  throw new ApiError(res.status, code, message, {
    retryAfter: retryAfterOf(res) ?? (Number.isFinite(e.retry_after) ? e.retry_after : null),
    field: typeof e.field === 'string' ? e.field : named ? named[1] : null,
    body: json,
  });
}

function friendlyKey(err) {
  switch (err.code) {
    case 'network':
      return { key: 'error.network', vars: {} };
    case 'unauthorized':
      return { key: 'error.unauthorized', vars: {} };
    case 'forbidden':
      return { key: 'error.forbidden', vars: {} };
    case 'csrf':
      return { key: 'error.csrf', vars: {} };
    case 'not_found':
      return { key: 'error.not_found', vars: {} };
    case 'rate_limited':
      return err.retryAfter
        ? { key: 'error.rate_limited_wait', vars: { wait: formatDuration(err.retryAfter) } }
        : { key: 'error.rate_limited', vars: {} };
    case 'too_large':
      return { key: 'error.too_large', vars: {} };
    case 'conflict':
      return { key: 'error.conflict', vars: {} };
    case 'full':
      return { key: 'error.full', vars: {} };
    case 'gone':
      return { key: 'error.gone', vars: {} };
    case 'invalid':
      return err.message && err.message !== err.code
        ? { key: 'error.invalid', vars: { detail: err.message } }
        : { key: 'error.invalid_plain', vars: {} };
    default:
      if (err.status === 0 || err.status >= 500) return { key: 'error.server', vars: {} };
      return { key: 'error.unknown', vars: {} };
  }
}

/** A friendly sentence for any thrown value (ApiError or not). */
export function errorText(err) {
  return err instanceof ApiError ? err.friendly() : t('error.unknown');
}

// ---------- the session ----------

let meCache = null; // Promise<user|null>

/** true / false: the mark is set or not; null: storage is blocked. */
function readMark() {
  try {
    return localStorage.getItem(SESSION_MARK) === '1';
  } catch {
    return null;
  }
}

function marked() {
  return readMark() === true;
}

/** True when this browser signed in and has not signed out since. */
export function hasSession() {
  return marked();
}

/** Note that this browser holds a session cookie (called by signIn()). */
export function rememberSession() {
  try {
    localStorage.setItem(SESSION_MARK, '1');
  } catch { /* storage blocked: me() will probe on demand only */ }
}

/** Forget the session mark and the cached user. */
export function forgetSession() {
  meCache = null;
  try {
    localStorage.removeItem(SESSION_MARK);
  } catch { /* ignore */ }
}

function announce(user) {
  document.dispatchEvent(new CustomEvent('sinian:session', { detail: { user } }));
}

function userOf(r) {
  if (!r || typeof r !== 'object') return null;
  const user = r.user ?? null;
  if (user && !Array.isArray(user.roles) && Array.isArray(r.roles)) user.roles = r.roles;
  return user;
}

/**
 * The signed-in user ({id, display_name, login, roles, ...}) or null.
 * opts.refresh asks the server again; opts.probe asks even without the mark.
 * Rejects only on errors other than 401 (network, 5xx).
 */
export function me(opts = {}) {
  if (meCache && !opts.refresh && !opts.probe) return meCache;
  if (!opts.probe && readMark() === false) {
    meCache = Promise.resolve(null);
    return meCache;
  }
  const p = api('GET', '/api/me').then(
    (r) => {
      const user = userOf(r);
      if (user) rememberSession();
      else forgetSession();
      return user;
    },
    (err) => {
      if (err instanceof ApiError && err.status === 401) {
        forgetSession();
        return null;
      }
      throw err;
    },
  );
  meCache = p;
  p.catch(() => { if (meCache === p) meCache = null; }); // a failure is not cached
  return p;
}

/** Remember the session a sign-in answer opened; its user. */
function opened(r) {
  rememberSession();
  const user = userOf(r);
  meCache = Promise.resolve(user);
  announce(user);
  return user;
}

/** POST /api/session; resolves with the user and remembers the session. */
export async function signIn(login, password) {
  return opened(await api('POST', '/api/session', { login, password }));
}

/** Sign in with a code sent by text message or e-mail (POST /api/codes). */
export async function signInWithCode(login, code) {
  return opened(await api('POST', '/api/session/code', { login, code }));
}

/** A new password with a code; signs in, every other session ends. */
export async function resetPassword(login, code, newPassword) {
  return opened(await api('POST', '/api/password/reset',
    { login, code, new_password: newPassword }));
}

/** DELETE /api/session; the mark goes even if the server has no session. */
export async function signOut() {
  try {
    await api('DELETE', '/api/session');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  } finally {
    forgetSession();
  }
  meCache = Promise.resolve(null);
  announce(null);
}

/**
 * A ?next= target that stays on this site: a path starting with one "/",
 * returned as path + query + hash; anything else gives fallback.
 */
export function safeNext(raw, fallback = '/account.html') {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') ||
      raw.startsWith('/\\') || /[\u0000-\u001f\\]/.test(raw)) {
    return fallback;
  }
  try {
    const u = new URL(raw, location.origin);
    if (u.origin !== location.origin) return fallback;
    return u.pathname + u.search + u.hash;
  } catch {
    return fallback;
  }
}
