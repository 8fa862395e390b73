// Accounts over real HTTP: sign-up, sign-in, sign-out, cookie and bearer
// sessions, expiry and revocation, password change, CSRF, rate limits, the
// operator CLI, security headers, and personal data: no response in this
// file may carry a phone number in clear, except the audited contact
// endpoint, whose every use leaves a row in audit_log.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api as rawApi, BIN } from '../lib/daemon.mjs';

// The phone numbers this file uses, normalised. The final test looks for
// each of them (with or without separators) in every response seen.
const PHONE = {
  main: '13812345678',
  second: '13900001111',
  pwchange: '18622223333',
  admin: '15011112222',
  csrf1: '17733334444',
  csrf2: '17755556666',
  bearer: '17800007777',
  ttl: '13600009999',
  secure: '13512340000',
  rl1: '18800001234',
  rl2: '18800005678',
  rl3: '18811110000',
  rl4: '18822220000',
};
const PASSWORD = 'plum blossom 1998';

// Every response of this file, for the clear-phone scan at the end.
const seen = [];
const cliOutputs = [];

async function api(d, method, urlPath, opts = {}) {
  const r = await rawApi(d, method, urlPath, opts);
  seen.push({
    where: `${method} ${urlPath} -> ${r.status}`,
    path: urlPath,
    status: r.status,
    text: r.text,
    headers: [...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
  });
  return r;
}

/** Run the sinian CLI on d's data dir (beside the live daemon). */
function cli(d, args, input = '') {
  const pre = ['--data-dir', d.dataDir];
  if (d.confFile) pre.unshift('--config', d.confFile);
  const r = spawnSync(BIN, [...pre, ...args], {
    input, encoding: 'utf8', timeout: 60000, env: process.env,
  });
  cliOutputs.push({ where: `sinian ${args.join(' ')}`, text: `${r.stdout}\n${r.stderr}` });
  assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/,
    `sanitizer report from sinian ${args.join(' ')}`);
  return r;
}

/** One value from the daemon's SQLite file through the sqlite3 CLI. */
function sql(d, query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000',
    path.join(d.dataDir, 'sinian.db'), query], { encoding: 'utf8' }).trim();
}

function phoneRe(digits) {
  return new RegExp(digits.split('').join('[\\s-]?'));
}

/** The uniform error body, exactly. */
function assertError(r, status, code) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
  assert.deepEqual(Object.keys(r.json ?? {}), ['error'], r.text);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message'], r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
}

/** Set-Cookie of the session cookie, parsed. */
function sessionCookie(r) {
  const lines = r.cookies.filter((c) => c.startsWith('sinian_session='));
  assert.equal(lines.length, 1, `Set-Cookie: ${r.cookies.join(' | ')}`);
  const [pair, ...attrs] = lines[0].split(';').map((s) => s.trim());
  const a = {};
  for (const x of attrs) {
    const [k, v] = x.split('=');
    a[k.toLowerCase()] = v ?? true;
  }
  return { value: pair.slice('sinian_session='.length), attrs: a, line: lines[0] };
}

/** Sign up (202: it never says whether the login was free) and sign in:
 *  the account as its session sees it. */
async function signUp(d, login, name = '王小明', password = PASSWORD) {
  const r = await api(d, 'POST', '/api/users', {
    json: { login, password, display_name: name },
  });
  assert.equal(r.status, 202, r.text);
  const s = await api(d, 'POST', '/api/session', { json: { login, password } });
  assert.equal(s.status, 200, s.text);
  return s.json.user;
}

async function signIn(d, login, password = PASSWORD, headers = {}) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password }, headers });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

const me = (d, opts) => api(d, 'GET', '/api/me', opts);

describe('accounts', () => {
  let d;
  let mainUser;
  let adminToken;
  let adminId;

  before(async () => {
    d = await startDaemon({ config: { rate_limit_writes: 10000, rate_limit_logins: 10000 } });
  });
  after(async () => { await d?.stop(); });

  test('sign-up answers 202; the account signs in with the login masked', async () => {
    mainUser = await signUp(d, '+86 138-1234-5678');
    assert.equal(mainUser.login, '138****5678');
    assert.equal(mainUser.login_kind, 'phone');
    assert.equal(mainUser.display_name, '王小明');
    assert.deepEqual(mainUser.roles, []);
    assert.ok(Number.isInteger(mainUser.id) && mainUser.id > 0);
    const again = await api(d, 'POST', '/api/session',
      { json: { login: PHONE.main, password: PASSWORD } });
    assert.doesNotMatch(again.text, phoneRe(PHONE.main));
    assert.doesNotMatch(again.text, /password|login_enc|login_hash/);

    const e = await signUp(d, 'Mei.Lin@Example.COM', '林梅');
    assert.equal(e.login, 'm***@example.com');
    assert.equal(e.login_kind, 'email');
  });

  test('a login already registered answers as a free one, however it is written', async () => {
    const free = await api(d, 'POST', '/api/users', {
      json: { login: '13812340000', password: PASSWORD, display_name: 'free' },
    });
    for (const login of [PHONE.main, '138 1234 5678', '+8613812345678', 'mei.lin@example.com']) {
      const r = await api(d, 'POST', '/api/users', {
        json: { login, password: 'taken but who knows', display_name: 'dup' },
      });
      assert.equal(r.status, free.status, r.text);
      assert.deepEqual(r.json, free.json);
    }
    // nothing changed: the owner's name and password stay
    const s = await api(d, 'POST', '/api/session', { json: { login: PHONE.main, password: PASSWORD } });
    assert.equal(s.json.user.display_name, '王小明');
  });

  test('bad sign-up input is 400 with the uniform body, and nothing is stored', async () => {
    const login = PHONE.second;
    const ok = { login, password: PASSWORD, display_name: '张三' };
    const cases = [
      { json: {} },
      { json: { login, display_name: '张三' } },
      { json: { password: PASSWORD, display_name: '张三' } },
      { json: { login, password: PASSWORD } },
      { json: { ...ok, password: 'short12' } },
      { json: { ...ok, password: 'x'.repeat(129) } },
      { json: { ...ok, login: 'abc' } },
      { json: { ...ok, login: '1390000111' } },
      { json: { ...ok, login: '139000011112' } },
      { json: { ...ok, login: '23900001111' } },
      { json: { ...ok, login: 'someone@nowhere' } },
      { json: { ...ok, login: Number(login) } },
      { json: { ...ok, display_name: '' } },
      { json: { ...ok, display_name: '名'.repeat(65) } },
      { json: { ...ok, role: 'admin' } },
      { json: [ok] },
      { json: null },
      { body: 'not json', headers: { 'content-type': 'application/json' } },
      { body: '', headers: { 'content-type': 'application/json' } },
    ];
    for (const c of cases) {
      const r = await api(d, 'POST', '/api/users', c);
      assertError(r, 400, 'invalid');
    }
    // none of them half-created the account
    const u = await signUp(d, login, '张三');
    assert.equal(u.login, '139****1111');
  });

  test('sign-in gives a token and an HttpOnly SameSite=Lax cookie holding it', async () => {
    const r = await api(d, 'POST', '/api/session', {
      json: { login: '138 1234 5678', password: PASSWORD },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.token, 'string');
    assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.token_type, 'Bearer');
    assert.ok(r.json.expires_in > 0);
    assert.equal(r.json.user.id, mainUser.id);
    assert.equal(r.json.user.login, '138****5678');
    const c = sessionCookie(r);
    assert.equal(c.value, r.json.token);
    assert.equal(c.attrs.httponly, true, c.line);
    assert.equal(c.attrs.samesite, 'Lax', c.line);
    assert.equal(c.attrs.path, '/', c.line);
    assert.equal(Number(c.attrs['max-age']), r.json.expires_in, c.line);
    assert.equal(c.attrs.secure, undefined, `plain http must not set Secure: ${c.line}`);
    // each sign-in is a session of its own
    const t2 = await signIn(d, PHONE.main);
    assert.notEqual(t2, r.json.token);
  });

  test('a TLS-terminating proxy (X-Forwarded-Proto: https) gets a Secure cookie', async () => {
    const r = await api(d, 'POST', '/api/session', {
      json: { login: PHONE.main, password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(sessionCookie(r).attrs.secure, true);
  });

  test('the cookie and the bearer token both authenticate GET /api/me', async () => {
    const token = await signIn(d, PHONE.main);
    for (const opts of [{ token }, { cookie: { sinian_session: token } }]) {
      const r = await me(d, opts);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.user.id, mainUser.id);
      assert.equal(r.json.user.login, '138****5678');
      assert.equal(r.json.user.display_name, '王小明');
      assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    }
    assertError(await me(d), 401, 'unauthorized');
    const bogus = 'A'.repeat(43);
    assertError(await me(d, { token: bogus }), 401, 'unauthorized');
    assertError(await me(d, { cookie: { sinian_session: bogus } }), 401, 'unauthorized');
    // a bad bearer token is refused even where no sign-in is needed; a
    // stale cookie is ignored there
    assertError(await api(d, 'GET', '/api/agencies', { token: bogus }), 401);
    const pub = await api(d, 'GET', '/api/agencies', { cookie: { sinian_session: bogus } });
    assert.equal(pub.status, 200, pub.text);
  });

  test('sign-out revokes that session, for cookie and bearer alike, and no other', async () => {
    const a = await signIn(d, PHONE.main);
    const b = await signIn(d, PHONE.main);
    const r = await api(d, 'DELETE', '/api/session', { token: a });
    assert.equal(r.status, 204, r.text);
    const cleared = sessionCookie(r);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attrs['max-age'], '0');
    assertError(await me(d, { token: a }), 401);
    assertError(await me(d, { cookie: { sinian_session: a } }), 401);
    assertError(await api(d, 'DELETE', '/api/session', { token: a }), 401);
    assert.equal(sql(d, `SELECT count(*) FROM sessions WHERE user_id = ${mainUser.id} ` +
                        'AND revoked_at IS NOT NULL'), '1');
    // the other session lives on, and can sign out with its cookie
    assert.equal((await me(d, { token: b })).status, 200);
    assertError(await api(d, 'DELETE', '/api/session', { cookie: { sinian_session: b } }),
      403, 'csrf');
    const out = await api(d, 'DELETE', '/api/session', {
      cookie: { sinian_session: b }, headers: { origin: d.url },
    });
    assert.equal(out.status, 204, out.text);
    assertError(await me(d, { cookie: { sinian_session: b } }), 401);
    assertError(await api(d, 'DELETE', '/api/session'), 401);
  });

  test('a wrong password or an unknown login is 401 with one message', async () => {
    const wrong = await api(d, 'POST', '/api/session', {
      json: { login: PHONE.main, password: `${PASSWORD}!` },
    });
    assertError(wrong, 401, 'unauthorized');
    assert.deepEqual(wrong.cookies, []);
    const unknown = await api(d, 'POST', '/api/session', {
      json: { login: '13000000000', password: PASSWORD },
    });
    assertError(unknown, 401, 'unauthorized');
    assert.equal(unknown.json.error.message, wrong.json.error.message);
    assertError(await api(d, 'POST', '/api/session', { json: { login: PHONE.main } }), 400);
    assertError(await api(d, 'POST', '/api/session', { json: { password: PASSWORD } }), 400);
  });

  test('a password change ends the other sessions and the old password', async () => {
    await signUp(d, PHONE.pwchange, '赵六');
    const a = await signIn(d, PHONE.pwchange);
    const b = await signIn(d, PHONE.pwchange);
    const next = 'winter jasmine 2024';
    const put = (json, token = a) => api(d, 'PUT', '/api/me/password', { token, json });

    assertError(await put({ old_password: 'not it at all', new_password: next }), 403,
      'wrong_password');
    assertError(await put({ old_password: PASSWORD, new_password: 'short' }), 400, 'invalid');
    assertError(await put({ old_password: PASSWORD }), 400, 'invalid');
    assertError(await api(d, 'PUT', '/api/me/password', {
      json: { old_password: PASSWORD, new_password: next },
    }), 401);
    // nothing changed so far
    assert.equal((await me(d, { token: b })).status, 200);

    const r = await put({ old_password: PASSWORD, new_password: next });
    assert.equal(r.status, 204, r.text);
    assert.equal((await me(d, { token: a })).status, 200, 'the session that changed it stays');
    assertError(await me(d, { token: b }), 401);
    assertError(await api(d, 'POST', '/api/session', {
      json: { login: PHONE.pwchange, password: PASSWORD },
    }), 401);
    await signIn(d, PHONE.pwchange, next);
  });

  test('cookie-authenticated writes need this site\'s Origin (CSRF)', async () => {
    const token = await signIn(d, PHONE.main);
    const cookie = { sinian_session: token };
    const signup = (headers, login = PHONE.csrf1) => api(d, 'POST', '/api/users', {
      cookie, headers, json: { login, password: PASSWORD, display_name: '跨站' },
    });
    const foreign = [
      {},
      { origin: 'https://evil.example' },
      { origin: `http://127.0.0.1:${d.port + 1}` },
      { origin: `http://evil.example/127.0.0.1:${d.port}` },
      { origin: 'null' },
      { origin: '' },
      { referer: `${d.url}/account.html` },
    ];
    for (const headers of foreign) {
      assertError(await signup(headers), 403, 'csrf');
    }
    // refused before the handler ran: the check comes first...
    assertError(await api(d, 'PUT', '/api/me/password', {
      cookie, json: { old_password: 'wrong', new_password: 'whatever 123' },
    }), 403, 'csrf');
    // ...and nothing was written: the same sign-up from this site works
    const ok = await signup({ origin: d.url });
    assert.equal(ok.status, 202, ok.text);
    // reads need no Origin
    assert.equal((await me(d, { cookie })).status, 200);
    // bearer writes carry no ambient credential: no Origin needed
    const bearer = await api(d, 'POST', '/api/users', {
      token, json: { login: PHONE.bearer, password: PASSWORD, display_name: '持令牌' },
    });
    assert.equal(bearer.status, 202, bearer.text);
    // a stale cookie is no credential: the write is anonymous (401 here)
    assertError(await api(d, 'POST', '/api/agencies', {
      cookie: { sinian_session: 'B'.repeat(43) },
      json: { name: 'x', region_code: '110000' },
    }), 401);
    // anonymous writes (no cookie at all) carry no credential to abuse
    const anon = await api(d, 'POST', '/api/users', {
      json: { login: PHONE.csrf2, password: PASSWORD, display_name: '匿名' },
    });
    assert.equal(anon.status, 202, anon.text);
  });

  test('security headers on API, error and static responses', async () => {
    const token = await signIn(d, PHONE.main);
    const reqs = [
      ['GET', '/healthz', {}],
      ['GET', '/api/agencies', {}],
      ['GET', '/api/me', { token }],
      ['GET', '/api/me', {}],
      ['POST', '/api/users', { json: {} }],
      ['GET', '/api/no-such-thing', {}],
      ['DELETE', '/healthz', {}],
      ['GET', '/', {}],
      ['GET', '/index.html', {}],
      ['GET', '/no-such-page.html', {}],
    ];
    for (const [method, p, opts] of reqs) {
      const r = await api(d, method, p, opts);
      const where = `${method} ${p} (${r.status})`;
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, where);
      assert.match(csp, /default-src 'self'/, where);
      assert.match(csp, /script-src 'self'/, where);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, where);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', where);
      assert.equal(r.headers.get('referrer-policy'), 'same-origin', where);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', where);
    }
  });

  test('sinian user add --role admin, then POST /api/session: /api/me accepts the token', () => {
    const r = cli(d, ['user', 'add', '--login', '+86 150-1111-2222', '--role', 'admin',
      '--name', '平台管理员', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(r.status, 0, r.stderr);
    const m = r.stdout.match(/user (\d+) created/);
    assert.ok(m, r.stdout);
    adminId = Number(m[1]);
  });

  test('the CLI-made admin signs in over HTTP', async () => {
    adminToken = await signIn(d, PHONE.admin);
    const r = await me(d, { token: adminToken });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.id, adminId);
    assert.equal(r.json.user.login, '150****2222');
    assert.equal(r.json.user.display_name, '平台管理员');
    assert.deepEqual(r.json.user.roles.map((g) => g.role), ['admin']);
    // and holds the right: the user list
    const list = await api(d, 'GET', '/api/users', { token: adminToken });
    assert.equal(list.status, 200, list.text);
    const logins = list.json.users.map((u) => u.login);
    assert.ok(logins.includes('138****5678'), logins.join());
    assert.ok(logins.includes('m***@example.com'), logins.join());
    assert.ok(logins.includes('150****2222'), logins.join());
    for (const u of list.json.users) {
      assert.deepEqual(Object.keys(u).sort(),
        ['created_at', 'display_name', 'id', 'login', 'login_kind', 'roles']);
    }
  });

  test('the CLI refuses bad input with a usage exit code', () => {
    const add = (args, input = `${PASSWORD}\n`) => cli(d, ['user', 'add', ...args], input);
    // already registered
    let r = add(['--login', PHONE.admin, '--password-stdin']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /already/);
    // usage errors: 2
    for (const args of [
      ['--login', '17012345678'],
      ['--password-stdin'],
      ['--login', '17012345678', '--role', 'emperor', '--password-stdin'],
      ['--login', 'not-a-login', '--password-stdin'],
      ['--login', '17012345678', '--password-stdin', '--bogus', 'x'],
    ]) {
      r = add(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    r = add(['--login', '17012345678', '--password-stdin'], '');
    assert.equal(r.status, 2, r.stderr);
    r = add(['--login', '17012345678', '--password-stdin'], 'short\n');
    assert.equal(r.status, 2, r.stderr);
    // none of them made the account
    r = cli(d, ['user', 'list']);
    assert.doesNotMatch(r.stdout, /170\*\*\*\*5678/);
    assert.equal(cli(d, ['user', 'frobnicate']).status, 2);
    assert.equal(cli(d, ['no-such-command']).status, 2);
  });

  test('sinian user list shows masked logins only', () => {
    const r = cli(d, ['user', 'list']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /\bid\b.*\blogin\b.*\bname\b.*\broles\b/);
    const row = (masked) => lines.find((l) => l.includes(masked));
    assert.match(row('138****5678') ?? '', new RegExp(`^${mainUser.id}\\s.*王小明.*mourner`));
    assert.match(row('150****2222') ?? '', /mourner admin/);
    assert.ok(row('m***@example.com'), r.stdout);
    assert.doesNotMatch(r.stdout, /mei\.lin/i);
    for (const p of Object.values(PHONE)) assert.doesNotMatch(r.stdout, phoneRe(p));
    const users = Number(sql(d, 'SELECT count(*) FROM users'));
    assert.equal(lines.length - 1, users);
  });

  test('sinian user grant and revoke change what the API allows', async () => {
    const created = await api(d, 'POST', '/api/agencies', {
      token: adminToken, json: { name: '八宝山殡仪馆', region_code: '110107' },
    });
    assert.equal(created.status, 201, created.text);
    const agency = created.json.id;
    const token = await signIn(d, PHONE.main);
    const patch = () => api(d, 'PATCH', `/api/agencies/${agency}`, {
      token, json: { address: '北京市石景山区' },
    });
    assertError(await patch(), 403, 'forbidden');

    let r = cli(d, ['user', 'grant', '--login', PHONE.main, '--role', 'agency_operator',
      '--scope', String(agency)]);
    assert.equal(r.status, 0, r.stderr);
    const m = await me(d, { token });
    assert.deepEqual(m.json.user.roles, [{
      role: 'agency_operator', scope_kind: 'agency', scope_id: agency, scope_name: '八宝山殡仪馆',
    }]);
    const ok = await patch();
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.address, '北京市石景山区');
    assert.match(cli(d, ['user', 'list']).stdout, new RegExp(`agency_operator:${agency}\\b`));
    // granting twice is harmless
    assert.equal(cli(d, ['user', 'grant', '--login', PHONE.main, '--role', 'agency_operator',
      '--scope', String(agency)]).status, 0);

    r = cli(d, ['user', 'revoke', '--login', '+86 138 1234 5678', '--role', 'agency_operator',
      '--scope', String(agency)]);
    assert.equal(r.status, 0, r.stderr);
    assertError(await patch(), 403, 'forbidden');
    assert.deepEqual((await me(d, { token })).json.user.roles, []);
    // revoking what is not held, an unknown login, a missing scope, no role
    assert.equal(cli(d, ['user', 'revoke', '--login', PHONE.main, '--role', 'agency_operator',
      '--scope', String(agency)]).status, 1);
    assert.equal(cli(d, ['user', 'grant', '--login', '13000000000', '--role', 'admin']).status, 1);
    assert.equal(cli(d, ['user', 'grant', '--login', PHONE.main, '--role',
      'cemetery_staff']).status, 2);
    assert.equal(cli(d, ['user', 'grant', '--login', PHONE.main]).status, 2);
    assert.equal(cli(d, ['user', 'grant', '--login', PHONE.main, '--role', 'pope',
      '--scope', '1']).status, 2);
  });

  test('role grants over the API: validated, admin only', async () => {
    const token = await signIn(d, PHONE.main);
    const grant = (method, id, json, t = adminToken) =>
      api(d, method, `/api/users/${id}/grants`, { token: t, json });
    assertError(await grant('POST', mainUser.id, { role: 'admin' }, token), 403, 'forbidden');
    assertError(await grant('POST', mainUser.id, { role: 'family_admin', scope_id: 1 }), 400);
    assertError(await grant('POST', mainUser.id, { role: 'cemetery_staff' }), 400);
    assertError(await grant('POST', mainUser.id, { role: 'cemetery_staff', scope_id: -1 }), 400);
    assertError(await grant('POST', mainUser.id, { role: 'cemetery_staff', scope_id: 0 }), 400);
    assertError(await grant('POST', mainUser.id, { role: 'agency_operator', scope_id: 'x' }), 400);
    assertError(await grant('POST', 999999, { role: 'admin' }), 404);
    assert.deepEqual((await me(d, { token })).json.user.roles, []);

    const r = await grant('POST', mainUser.id, { role: 'cemetery_staff', scope_id: 7 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.user.roles.map((g) => [g.role, g.scope_id]), [['cemetery_staff', 7]]);
    assert.equal(sql(d, `SELECT granted_by FROM grants WHERE user_id = ${mainUser.id}`),
      String(adminId));
    assert.equal((await grant('DELETE', mainUser.id,
      { role: 'cemetery_staff', scope_id: 7 })).status, 200);
    assertError(await grant('DELETE', mainUser.id, { role: 'cemetery_staff', scope_id: 7 }), 404);
    assert.deepEqual((await me(d, { token })).json.user.roles, []);
  });

  test('the contact endpoint reveals a login to admin only, and audits each use', async () => {
    const count = () => Number(sql(d, "SELECT count(*) FROM audit_log WHERE action = 'pii.view'"));
    const path1 = `/api/users/${mainUser.id}/contact`;
    const before = count();
    const mourner = await signIn(d, PHONE.second);
    assertError(await api(d, 'GET', path1), 401);
    assertError(await api(d, 'GET', path1, { token: mourner }), 403, 'forbidden');
    assertError(await api(d, 'GET', '/api/users/999999/contact', { token: adminToken }), 404);
    assertError(await api(d, 'GET', '/api/users/abc/contact', { token: adminToken }), 400);
    assert.equal(count(), before, 'refusals are not uses');

    const r = await api(d, 'GET', path1, { token: adminToken });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.login, PHONE.main);
    assert.equal(r.json.login_kind, 'phone');
    assert.equal(r.json.id, mainUser.id);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(count(), before + 1);
    assert.equal(sql(d, 'SELECT actor_id || \'|\' || object_kind || \'|\' || object_id ' +
                        'FROM audit_log ORDER BY id DESC LIMIT 1'),
    `${adminId}|user|${mainUser.id}`);
    await api(d, 'GET', path1, { token: adminToken });
    assert.equal(count(), before + 2, 'every use is logged');
  });

  test('the database holds no phone number or e-mail in clear', () => {
    for (const f of ['sinian.db', 'sinian.db-wal']) {
      const p = path.join(d.dataDir, f);
      if (!fs.existsSync(p)) continue;
      const bytes = fs.readFileSync(p).toString('latin1');
      for (const phone of [PHONE.main, PHONE.second, PHONE.admin, PHONE.pwchange]) {
        assert.ok(!bytes.includes(phone), `${phone} in ${f}`);
      }
      assert.ok(!bytes.toLowerCase().includes('mei.lin@example.com'), `e-mail in ${f}`);
    }
  });
});

describe('expired sessions', () => {
  let d;
  before(async () => { d = await startDaemon({ config: { session_ttl_hours: 1 } }); });
  after(async () => { await d?.stop(); });

  test('a session past its expiry is refused with 401', async () => {
    const user = await signUp(d, PHONE.ttl, '钱七');
    const r = await api(d, 'POST', '/api/session', {
      json: { login: PHONE.ttl, password: PASSWORD },
    });
    assert.equal(r.status, 200, r.text);
    const token = r.json.token;
    assert.equal(r.json.expires_in, 3600);
    assert.equal(sessionCookie(r).attrs['max-age'], '3600');
    assert.equal(sql(d, 'SELECT DISTINCT expires_at - created_at FROM sessions ' +
      `WHERE user_id = ${user.id}`), '3600');
    assert.equal((await me(d, { token })).status, 200);
    assert.equal((await me(d, { cookie: { sinian_session: token } })).status, 200);

    sql(d, 'UPDATE sessions SET expires_at = 0');
    assertError(await me(d, { token }), 401, 'unauthorized');
    assertError(await me(d, { cookie: { sinian_session: token } }), 401, 'unauthorized');
    assertError(await api(d, 'DELETE', '/api/session', { token }), 401);
    // signing in again gives a working session
    assert.equal((await me(d, { token: await signIn(d, PHONE.ttl) })).status, 200);
  });
});

describe('cookie_secure and trusted_origins', () => {
  let d;
  const trusted = 'https://sinian.example.org';
  before(async () => {
    d = await startDaemon({ config: { cookie_secure: true, trusted_origins: trusted } });
  });
  after(async () => { await d?.stop(); });

  test('cookie_secure = true marks the session cookie Secure', async () => {
    await signUp(d, PHONE.secure, '孙八');
    const r = await api(d, 'POST', '/api/session', {
      json: { login: PHONE.secure, password: PASSWORD },
    });
    assert.equal(r.status, 200, r.text);
    const c = sessionCookie(r);
    assert.equal(c.attrs.secure, true, c.line);
    assert.equal(c.attrs.httponly, true, c.line);
    assert.equal(c.attrs.samesite, 'Lax', c.line);
    // sign-out clears it with the same attributes
    const out = await api(d, 'DELETE', '/api/session', { token: r.json.token });
    assert.equal(sessionCookie(out).attrs.secure, true);
  });

  test('an origin in trusted_origins may make cookie writes; others may not', async () => {
    const token = await signIn(d, PHONE.secure);
    const cookie = { sinian_session: token };
    const write = (origin) => api(d, 'PUT', '/api/me/password', {
      cookie, headers: { origin }, json: { old_password: 'wrong one', new_password: 'x'.repeat(9) },
    });
    // past the CSRF check, the handler answers (wrong password)
    assertError(await write(trusted), 403, 'wrong_password');
    assertError(await write('https://other.example.org'), 403, 'csrf');
    assertError(await write(`${trusted}.evil.example`), 403, 'csrf');
    // the site is https (cookie_secure): its own host over plain http is
    // another origin, for a cookie write and for signing in alike
    assertError(await write(`http://127.0.0.1:${d.port}`), 403, 'csrf');
    assertError(await write(`https://127.0.0.1:${d.port}`), 403, 'wrong_password');
    assertError(await api(d, 'POST', '/api/session', { headers: { origin: `http://127.0.0.1:${d.port}` },
      json: { login: PHONE.secure, password: PASSWORD } }), 403, 'csrf');
  });
});

describe('rate limits', () => {
  test('writes over rate_limit_writes get 429 with Retry-After, per client', async () => {
    const d = await startDaemon({ config: { rate_limit_writes: 5 } });
    try {
      for (const [login, name] of [[PHONE.rl1, '甲'], [PHONE.rl2, '乙']]) {
        const r = cli(d, ['user', 'add', '--login', login, '--name', name, '--password-stdin'],
          `${PASSWORD}\n`);
        assert.equal(r.status, 0, r.stderr);
      }
      // two anonymous writes (sign-ins) from this address
      const t1 = await signIn(d, PHONE.rl1);
      const t2 = await signIn(d, PHONE.rl2);
      const started = Date.now();
      const write = (token) => api(d, 'POST', '/api/agencies', {
        token, json: { name: '限流', region_code: '110000' },
      });
      for (let i = 0; i < 5; i++) assertError(await write(t1), 403, 'forbidden');
      const r = await write(t1);
      assertError(r, 429, 'rate_limited');
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60,
        `Retry-After: ${r.headers.get('retry-after')}`);
      // reads are not limited
      assert.equal((await me(d, { token: t1 })).status, 200);
      // another user has a budget of its own
      assertError(await write(t2), 403, 'forbidden');
      // and so has the anonymous address: 3 of 5 left
      let n = 0;
      let last;
      for (let i = 0; i < 10; i++) {
        last = await api(d, 'POST', '/api/users', { json: {} });
        if (last.status === 429) break;
        assertError(last, 400, 'invalid');
        n++;
      }
      const refilled = Math.floor((Date.now() - started) / 12000) + 1;
      assert.ok(n >= 3 && n <= 3 + refilled, `${n} anonymous writes before 429`);
      assertError(last, 429, 'rate_limited');
      assert.ok(Number(last.headers.get('retry-after')) >= 1);
    } finally {
      await d.stop();
    }
  });

  test('sign-in attempts over rate_limit_logins get 429, per login', async () => {
    const d = await startDaemon({ config: { rate_limit_logins: 3 } });
    try {
      for (const [login, name] of [[PHONE.rl3, '丙'], [PHONE.rl4, '丁']]) {
        const r = cli(d, ['user', 'add', '--login', login, '--name', name, '--password-stdin'],
          `${PASSWORD}\n`);
        assert.equal(r.status, 0, r.stderr);
      }
      const attempt = (login, password) => api(d, 'POST', '/api/session', {
        json: { login, password },
      });
      for (let i = 0; i < 3; i++) assertError(await attempt(PHONE.rl3, 'wrong password'), 401);
      // the right password no longer helps, in any spelling of the login
      for (const login of [PHONE.rl3, '+86 188-1111-0000']) {
        const r = await attempt(login, PASSWORD);
        assertError(r, 429, 'rate_limited');
        assert.deepEqual(r.cookies, []);
        const retry = Number(r.headers.get('retry-after'));
        assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 15 * 60,
          `Retry-After: ${r.headers.get('retry-after')}`);
      }
      // another login is not affected
      assert.equal((await attempt(PHONE.rl4, PASSWORD)).status, 200);
      // guessing at logins that do not exist is throttled the same way
      for (let i = 0; i < 3; i++) assertError(await attempt('13100000000', 'x'), 401);
      assertError(await attempt('13100000000', 'x'), 429, 'rate_limited');
    } finally {
      await d.stop();
    }
  });
});

test('no response carried a phone number in clear, except the audited contact endpoint', () => {
  const contact = /^\/api\/users\/\d+\/contact$/;
  const bad = [];
  for (const s of [...seen, ...cliOutputs]) {
    if (s.path && contact.test(s.path) && s.status === 200) continue;
    for (const p of Object.values(PHONE)) {
      if (phoneRe(p).test(s.text) || (s.headers && phoneRe(p).test(s.headers))) {
        bad.push(`${s.where}: ${p}`);
      }
    }
  }
  assert.ok(seen.length > 100, `only ${seen.length} responses seen`);
  assert.deepEqual(bad, []);
  // and the contact endpoint did answer with one
  assert.ok(seen.some((s) => contact.test(s.path) && s.status === 200 &&
                             s.text.includes(PHONE.main)));
});
