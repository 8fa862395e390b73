// One-time codes over real HTTP, delivered by the notifier's real
// transports (a webhook for text messages, python3-aiosmtpd for e-mail):
// signing in with a code, once only; the same answer for unknown logins
// (nothing sent); wrong tries end a code; recovering an account by e-mail
// sets the new password and ends every older session; sending is limited
// per login and per address (429 with Retry-After); a channel that is off
// answers 503.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { startSmtpSink, startSmsWebhook } from '../lib/mail.mjs';

const PHONE = { login: '13912345678', password: 'osmanthus in autumn', display_name: '王奶奶' };
const MAIL = { login: 'grandson@example.org', password: 'maple leaves 2026', display_name: '小明' };

let d, sink, sms;

const codeOf = (text) => /(\d{6})/.exec(text)?.[1];

before(async () => {
  sink = await startSmtpSink();
  sms = await startSmsWebhook();
  d = await startDaemon({
    config: {
      rate_limit_writes: 100000, rate_limit_logins: 100000, demo: false,
      rate_limit_codes: 3, rate_limit_codes_per_address: 100,
      notify_email: 'smtp', smtp_host: '127.0.0.1', smtp_port: sink.port, smtp_tls: 'none',
      smtp_from: 'noreply@memorial.example.org',
      notify_sms: 'webhook', sms_webhook_url: sms.url,
    },
  });
  for (const u of [PHONE, MAIL]) {
    const r = await api(d, 'POST', '/api/users', { json: u });
    assert.equal(r.status, 202, r.text);
  }
});

after(async () => {
  await d?.stop();
  await sink?.stop();
  await sms?.stop();
});

test('sign in with a code sent by text message, once only', async () => {
  const r = await api(d, 'POST', '/api/codes',
    { json: { login: '139 1234 5678', purpose: 'signin', lang: 'zh-CN' } });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(r.json, { channel: 'sms', expires_in: 600 });
  const msg = await sms.next();
  assert.equal(msg.body.to, '+8613912345678');
  assert.equal(msg.body.purpose, 'code');
  assert.match(msg.body.text, /^【思念】您的登录验证码是 \d{6}，10 分钟内有效/);
  const code = codeOf(msg.body.text);
  const s = await api(d, 'POST', '/api/session/code', { json: { login: PHONE.login, code } });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.user.display_name, PHONE.display_name);
  assert.ok(s.cookies.some((c) => c.startsWith('sinian_session=')));
  assert.equal((await api(d, 'GET', '/api/me', { token: s.json.token })).status, 200);
  const again = await api(d, 'POST', '/api/session/code', { json: { login: PHONE.login, code } });
  assert.equal(again.status, 401);
  assert.equal(again.json.error.code, 'wrong_code');
  // a sign-in code does not reset a password
  await api(d, 'POST', '/api/codes', { json: { login: PHONE.login, purpose: 'signin' } });
  const c2 = codeOf((await sms.next()).body.text);
  const asReset = await api(d, 'POST', '/api/password/reset',
    { json: { login: PHONE.login, code: c2, new_password: 'a new password here' } });
  assert.equal(asReset.status, 401);
});

test('an unknown login gets the same answer, and nothing is sent', async () => {
  const before = sms.got.length;
  const r = await api(d, 'POST', '/api/codes', { json: { login: '13700000000', purpose: 'signin' } });
  assert.equal(r.status, 202);
  assert.deepEqual(r.json, { channel: 'sms', expires_in: 600 });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(sms.got.length, before);
  const s = await api(d, 'POST', '/api/session/code', { json: { login: '13700000000', code: '123456' } });
  assert.equal(s.status, 401);
  for (const bad of [{ login: 'not a login', purpose: 'signin' }, { login: PHONE.login, purpose: 'admin' },
    { login: PHONE.login }, { login: PHONE.login, purpose: 'signin', extra: 1 }]) {
    assert.equal((await api(d, 'POST', '/api/codes', { json: bad })).status, 400, JSON.stringify(bad));
  }
  assert.equal((await api(d, 'POST', '/api/session/code', { json: { login: PHONE.login } })).status, 400);
});

test('five wrong tries end a code', async () => {
  await api(d, 'POST', '/api/codes', { json: { login: MAIL.login, purpose: 'signin', lang: 'en' } });
  const mail = await sink.next();
  assert.deepEqual(mail.rcpt_tos, [MAIL.login]);
  assert.match(mail.text, /^Your sign-in code for sinian is \d{6}\. It works once, within 10 minutes\./);
  const code = codeOf(mail.text);
  const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
  for (let i = 0; i < 5; i++) {
    const r = await api(d, 'POST', '/api/session/code', { json: { login: MAIL.login, code: wrong } });
    assert.equal(r.status, 401);
  }
  const late = await api(d, 'POST', '/api/session/code', { json: { login: MAIL.login, code } });
  assert.equal(late.status, 401, 'the right code no longer works');
});

test('recovering an account by e-mail: a new password, older sessions ended', async () => {
  const old = await api(d, 'POST', '/api/session', { json: { login: MAIL.login, password: MAIL.password } });
  assert.equal(old.status, 200, old.text);
  const r = await api(d, 'POST', '/api/codes', { json: { login: MAIL.login, purpose: 'reset', lang: 'zh-CN' } });
  assert.equal(r.status, 202);
  assert.equal(r.json.channel, 'email');
  const mail = await sink.next();
  assert.match(mail.text, /重设密码验证码是 \d{6}/);
  const code = codeOf(mail.text);
  const short = await api(d, 'POST', '/api/password/reset',
    { json: { login: MAIL.login, code, new_password: 'short' } });
  assert.equal(short.status, 400, 'a short password is refused before the code is used');
  const ok = await api(d, 'POST', '/api/password/reset',
    { json: { login: MAIL.login, code, new_password: 'a winter of plum blossom' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await api(d, 'GET', '/api/me', { token: ok.json.token })).status, 200);
  assert.equal((await api(d, 'GET', '/api/me', { token: old.json.token })).status, 401);
  assert.equal((await api(d, 'POST', '/api/session',
    { json: { login: MAIL.login, password: MAIL.password } })).status, 401);
  assert.equal((await api(d, 'POST', '/api/session',
    { json: { login: MAIL.login, password: 'a winter of plum blossom' } })).status, 200);
});

test('sending is limited per login, then per address', async () => {
  // three codes an hour for one login: the fourth waits
  const login = '13955556666';
  let last;
  for (let i = 0; i < 4; i++) {
    last = await api(d, 'POST', '/api/codes', { json: { login, purpose: 'signin' } });
  }
  assert.equal(last.status, 429);
  assert.equal(last.json.error.code, 'rate_limited');
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  // one address: a daemon allowing five an hour from it
  const d2 = await startDaemon({ config: { rate_limit_codes_per_address: 5, demo: false,
    rate_limit_writes: 100000, notify_sms: 'log' } });
  try {
    const codes = [];
    for (let i = 0; i < 7; i++) {
      codes.push((await api(d2, 'POST', '/api/codes',
        { json: { login: `1390000000${i}`, purpose: 'signin' } })).status);
    }
    assert.deepEqual(codes, [202, 202, 202, 202, 202, 429, 429]);
  } finally {
    await d2.stop();
  }
});

test('a channel that is off answers 503', async () => {
  const d3 = await startDaemon({ config: { notify_sms: 'off', demo: false } });
  try {
    const r = await api(d3, 'POST', '/api/codes', { json: { login: PHONE.login, purpose: 'signin' } });
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'unavailable');
  } finally {
    await d3.stop();
  }
});
