// The defences against abuse, against the real binary: the client address
// behind trusted proxies (X-Forwarded-For and Forwarded read from the right,
// past trusted hops only) that every rate limit and per-address cap counts;
// the caps per address (sign-in, password change, WHEP sessions); lock-out;
// /metrics for metrics_allow only; /healthz on a nearly full disk; the HTTP
// edges: a repeated Content-Length, an h2c upgrade, a path that is not UTF-8;
// login CSRF (signing in and anonymous writes are JSON from this site) and
// a WebSocket opened by another site's page with this site's cookie.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, api, wsConnect, REPO, BIN } from '../lib/daemon.mjs';
import { adminWithAgency } from '../lib/live.mjs';

const OFFER = fs.readFileSync(path.join(REPO, 'tests/data/sdp/chromium_whep_offer.sdp'), 'utf8');

const daemons = [];
async function daemon(config) {
  const d = await startDaemon({ config: { demo: false, media: false, ...config } });
  daemons.push(d);
  return d;
}
after(async () => {
  for (const d of daemons) await d.stop();
});

// An anonymous write that reaches the write budget (a number never used:
// 404 while the budget lasts, 429 after).
const write = (d, headers) => api(d, 'POST', '/api/memorials/999999/tributes',
  { json: { kind: 'flower', from_name: '路人' }, headers });

test('behind a trusted proxy each client has its own budget; a spoofed left part does not help', async () => {
  const d = await daemon({ rate_limit_writes: 3, trusted_proxies: '127.0.0.1 10.0.0.0/8' });
  const xff = (v) => ({ 'x-forwarded-for': v });
  for (let i = 0; i < 3; i++) assert.equal((await write(d, xff('198.51.100.1'))).status, 404);
  const over = await write(d, xff('198.51.100.1'));
  assert.equal(over.status, 429, over.text);
  assert.ok(Number(over.headers.get('retry-after')) >= 1);
  // another visitor through the same proxy is not held back
  assert.equal((await write(d, xff('198.51.100.2'))).status, 404);
  // the client wrote a left part of its own; the proxies' hops are trusted
  assert.equal((await write(d, xff('203.0.113.77, 198.51.100.1'))).status, 429);
  assert.equal((await write(d, xff('203.0.113.77, 198.51.100.1, 10.1.2.3'))).status, 429);
  // the proxy itself, without a header, counts as one client of its own
  assert.equal((await write(d, {})).status, 404);
});

test('the Forwarded header when configured; headers from untrusted peers ignored', async () => {
  const d = await daemon({ rate_limit_writes: 2, trusted_proxies: '127.0.0.1',
    client_address_header: 'forwarded' });
  const fwd = (v) => ({ forwarded: v });
  for (let i = 0; i < 2; i++) {
    assert.equal((await write(d, fwd('for="[2001:db8::7]:4711";proto=https'))).status, 404);
  }
  assert.equal((await write(d, fwd('for=2001:db8::7'))).status, 429);
  assert.equal((await write(d, fwd('for=192.0.2.60'))).status, 404);
  // X-Forwarded-For is not what this proxy writes: not read
  assert.equal((await write(d, { 'x-forwarded-for': '192.0.2.99' })).status, 404);
  assert.equal((await write(d, { 'x-forwarded-for': '192.0.2.98' })).status, 404);
  assert.equal((await write(d, { 'x-forwarded-for': '192.0.2.97' })).status, 429);

  // no trusted proxies: whatever the header says, the socket is the client
  const plain = await daemon({ rate_limit_writes: 2 });
  const xff = (v) => ({ 'x-forwarded-for': v });
  assert.equal((await write(plain, xff('198.51.100.1'))).status, 404);
  assert.equal((await write(plain, xff('198.51.100.2'))).status, 404);
  assert.equal((await write(plain, xff('198.51.100.3'))).status, 429);
});

test('a trusted_proxies entry that is no network stops the start', async () => {
  await assert.rejects(startDaemon({ config: { demo: false, media: false, trusted_proxies: 'nginx' } }),
    /trusted_proxies: not an address or network: nginx/);
});

test('sign-in attempts are capped per address, password changes per account', async () => {
  const d = await daemon({ rate_limit_logins: 2, trusted_proxies: '127.0.0.1' });
  const from = (ip) => ({ 'x-forwarded-for': ip });
  const signIn = (login, password, ip) => api(d, 'POST', '/api/session',
    { json: { login, password }, headers: from(ip) });
  // one address spraying logins: 3 × rate_limit_logins attempts, then 429
  for (let i = 0; i < 6; i++) {
    assert.equal((await signIn(`1310000${String(i).padStart(4, '0')}`, 'guess', '198.51.100.9')).status, 401);
  }
  const sprayed = await signIn('13100000099', 'guess', '198.51.100.9');
  assert.equal(sprayed.status, 429, sprayed.text);
  assert.equal((await signIn('13100000099', 'guess', '198.51.100.10')).status, 401);

  const password = 'a quiet hillside 1931';
  const r = await api(d, 'POST', '/api/users', { json: { login: '13100000100', password, display_name: '守夜' },
    headers: from('198.51.100.11') });
  assert.equal(r.status, 202, r.text);
  const s = await signIn('13100000100', password, '198.51.100.11');
  assert.equal(s.status, 200, s.text);
  const change = (old_password) => api(d, 'PUT', '/api/me/password', { token: s.json.token,
    json: { old_password, new_password: 'another hillside 1932' }, headers: from('198.51.100.12') });
  for (let i = 0; i < 2; i++) assert.equal((await change(`wrong ${i}`)).status, 403);
  const capped = await change(password);
  assert.equal(capped.status, 429, capped.text);
  assert.ok(Number(capped.headers.get('retry-after')) >= 1);
});

test('bad attempts slow their source down, not the account', async () => {
  const d = await daemon({ rate_limit_logins: 3, trusted_proxies: '127.0.0.1' });
  const password = 'lanterns by the river 1958';
  const login = '13100000200';
  const up = await api(d, 'POST', '/api/users', { json: { login, password, display_name: '主人' } });
  assert.equal(up.status, 202, up.text);
  const signIn = (pw, ip) => api(d, 'POST', '/api/session',
    { json: { login, password: pw }, headers: { 'x-forwarded-for': ip } });
  for (let i = 0; i < 3; i++) assert.equal((await signIn('wrong', '203.0.113.66')).status, 401);
  assert.equal((await signIn(password, '203.0.113.66')).status, 429);
  // the owner, elsewhere, is not locked out
  assert.equal((await signIn(password, '198.51.100.40')).status, 200);
});

test('WHEP sessions per address are capped, joined or still negotiating', async () => {
  const d = await startDaemon({ config: { demo: false, media_loopback_only: true,
    max_viewers_per_address: 2, trusted_proxies: '127.0.0.1' } });
  daemons.push(d);
  const { admin, agencyId } = await adminWithAgency(d, { login: '13100000300', password: 'white chrysanthemums 1950' });
  const c = await api(d, 'POST', '/api/ceremonies', { token: admin, json: {
    agency_id: agencyId, title: '告别仪式', deceased_name: '林', visibility: 'public',
    scheduled_start: '2026-04-04T09:00:00Z', scheduled_end: '2026-04-04T10:00:00Z',
    source: { kind: 'test' } } });
  assert.equal(c.status, 201, c.text);
  const live = await api(d, 'POST', `/api/ceremonies/${c.json.id}/start`, { token: admin });
  assert.equal(live.status, 200, live.text);
  const offer = (ip) => api(d, 'POST', `/whep/${c.json.id}`, { body: OFFER,
    headers: { 'content-type': 'application/sdp', 'x-forwarded-for': ip } });
  // two at once from one address: both are let in
  const two = await Promise.all([offer('198.51.100.50'), offer('198.51.100.50')]);
  assert.deepEqual(two.map((r) => r.status), [201, 201], two.map((r) => r.text).join('\n'));
  const third = await offer('198.51.100.50');
  assert.equal(third.status, 429, third.text);
  assert.equal(third.json.error.code, 'rate_limited');
  // another mourner is not held back
  const other = await offer('198.51.100.51');
  assert.equal(other.status, 201, other.text);
  // leaving frees the seat for the same address
  const gone = await api(d, 'DELETE', two[0].headers.get('location'));
  assert.equal(gone.status, 200, gone.text);
  assert.equal((await offer('198.51.100.50')).status, 201);
});

test('/metrics answers only the addresses of metrics_allow, the client behind a proxy counting', async () => {
  const open = await daemon({});
  assert.equal((await api(open, 'GET', '/metrics')).status, 200, 'loopback may by default');
  const d = await daemon({ metrics_allow: '10.0.0.0/8', trusted_proxies: '127.0.0.1' });
  const r = await api(d, 'GET', '/metrics');
  assert.equal(r.status, 404, r.text);
  assert.doesNotMatch(r.text, /sinian_/);
  // a proxy on this host forwards a stranger: still refused; an allowed
  // client behind it gets the figures
  const xff = (v) => ({ headers: { 'x-forwarded-for': v } });
  assert.equal((await api(d, 'GET', '/metrics', xff('203.0.113.9'))).status, 404);
  const ok = await api(d, 'GET', '/metrics', xff('10.2.3.4'));
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^sinian_http_inflight /m);
  // and behind an untrusted peer the header is not believed
  const loose = await daemon({ metrics_allow: '10.0.0.0/8' });
  assert.equal((await api(loose, 'GET', '/metrics', xff('10.2.3.4'))).status, 404);
});

test('/healthz says degraded, still 200, when the disk has less room than disk_free_min_mb', async () => {
  const ok = await api(await daemon({}), 'GET', '/healthz');
  assert.equal(ok.status, 200);
  assert.equal(ok.json.disk.status, 'ok', ok.text);
  assert.ok(ok.json.disk.free_mb > 0);
  const full = await api(await daemon({ disk_free_min_mb: 100000000 }), 'GET', '/healthz');
  assert.equal(full.status, 200);
  assert.equal(full.json.status, 'degraded');
  assert.equal(full.json.disk.status, 'low');
  assert.equal(full.json.disk.min_mb, 100000000);
});

/** Send raw bytes, give back the status line and headers of the answer. */
function raw(d, bytes) {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.port, '127.0.0.1', () => s.write(bytes));
    let got = Buffer.alloc(0);
    const done = () => {
      s.destroy();
      const head = got.toString('latin1').split('\r\n\r\n')[0];
      resolve({ status: Number(head.split(' ')[1]), head });
    };
    s.on('data', (b) => {
      got = Buffer.concat([got, b]);
      if (got.includes('\r\n\r\n')) done();
    });
    s.on('end', done);
    s.on('error', reject);
    s.setTimeout(5000, () => reject(new Error('no answer')));
  });
}

test('HTTP edges: Content-Length twice is 400, h2c is never taken, a path that is not UTF-8 is 404', async () => {
  const d = await daemon({ demo: true });
  const post = (lengths) => raw(d, Buffer.from('POST /api/memorials/1/tributes HTTP/1.1\r\nHost: x\r\n'
    + 'Content-Type: application/json\r\n' + lengths.map((n) => `Content-Length: ${n}\r\n`).join('')
    + '\r\n{"kind":"flower","from_name":"x"}'));
  for (const lengths of [[31, 31], [5, 31], ['31x']]) {
    const r = await post(lengths);
    assert.equal(r.status, 400, `${lengths}: ${r.head}`);
  }
  const h2c = await raw(d, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n'
    + 'Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n'));
  assert.equal(h2c.status, 400, h2c.head);
  assert.doesNotMatch(h2c.head, /upgrade: h2c/i);
  // a WebSocket upgrade still works
  const ws = await raw(d, Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
    + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'));
  assert.equal(ws.status, 101, ws.head);
  for (const p of ['/m/%ff%fe', '/api/memorials/by-slug/%c3%28', '/js/%ff.js']) {
    const r = await raw(d, Buffer.from(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`));
    assert.equal(r.status, 404, `${p}: ${r.head}`);
  }
  const bytes = await raw(d, Buffer.concat([Buffer.from('GET /m/'), Buffer.from([0xff, 0xfe]),
    Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
  assert.equal(bytes.status, 404, bytes.head);
  // UTF-8 in a path goes on to its route: the memorial page's own answer
  // (its HTML shell for a name it does not know), not the gate's
  const utf8 = await api(d, 'GET', '/m/%E6%80%9D%E5%BF%B5');
  assert.match(utf8.headers.get('content-type'), /^text\/html/);
});

test('impossible and absurd dates are refused wherever a date comes in', async () => {
  const d = await daemon({});
  const { admin, agencyId } = await adminWithAgency(d, { login: 'dates@example.org', password: 'a long enough password 1' });
  const ceremony = (start) => api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: { agency_id: agencyId, title: '告别', deceased_name: '王', scheduled_start: start, scheduled_end: '2027-03-01T10:00:00Z', visibility: 'public', source: { kind: 'test' } },
  });
  for (const bad of ['2027-02-30T09:00:00Z', '2027-04-31T09:00Z', '9999-12-31T09:00:00Z']) {
    const r = await ceremony(bad);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.match(r.json.error.message, /scheduled_start/);
  }
  assert.equal((await ceremony('2027-02-28T09:00:00Z')).status, 201);
  const memorial = (death) => api(d, 'POST', '/api/memorials', {
    token: admin, json: { title: '纪念', deceased: { name: '王', death_date: death } },
  });
  for (const bad of ['2026-02-30', '9999-12-31', '2026-13-01']) {
    assert.equal((await memorial(bad)).status, 400, bad);
  }
  const cem = await api(d, 'POST', '/api/cemeteries', { token: admin, json: { name: '日期陵园', region_code: '110107' } });
  assert.equal(cem.status, 201, cem.text);
  const slot = (date) => api(d, 'POST', `/api/cemeteries/${cem.json.id}/slots`, {
    token: admin, json: { date, start: '09:00', end: '10:00', capacity: 5 },
  });
  for (const bad of ['2027-02-30', '9999-12-31']) {
    const r = await slot(bad);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
  }
});

test('a ceremony links only a memorial its operator may link: its own agency\'s record, or one the linker edits', async () => {
  const d = await daemon({});
  const { admin, agencyId: agencyA } = await adminWithAgency(d, { login: 'links@example.org', password: 'a long enough password 1' });
  const agencyB = (await api(d, 'POST', '/api/agencies', { token: admin, json: { name: '另一家殡仪馆', region_code: '110108' } })).json.id;
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, 'user', 'add', '--login', 'op-a@example.org', '--password-stdin'],
    { input: 'operator password 1234\n', encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  const grant = spawnSync(BIN, ['--data-dir', d.dataDir, 'user', 'grant', '--login', 'op-a@example.org',
    '--role', 'agency_operator', '--scope', String(agencyA)], { encoding: 'utf8' });
  assert.equal(grant.status, 0, grant.stderr);
  const op = (await api(d, 'POST', '/api/session', { json: { login: 'op-a@example.org', password: 'operator password 1234' } })).json.token;
  const memorialOf = async (agency) => {
    const rec = await api(d, 'POST', '/api/deceased', { token: admin, json: { agency_id: agency, name: '周', death_date: '2026-01-02' } });
    assert.equal(rec.status, 201, rec.text);
    const m = await api(d, 'POST', '/api/memorials', { token: admin, json: { title: '纪念', deceased_id: rec.json.id } });
    assert.equal(m.status, 201, m.text);
    return m.json.memorial.id;
  };
  const mineA = await memorialOf(agencyA);
  const theirsB = await memorialOf(agencyB);
  const ceremony = (token, memorial_id) => api(d, 'POST', '/api/ceremonies', {
    token,
    json: { agency_id: agencyA, memorial_id, title: '告别', deceased_name: '周', scheduled_start: '2027-03-01T09:00:00Z', scheduled_end: '2027-03-01T10:00:00Z', visibility: 'invite', source: { kind: 'test' } },
  });
  const refused = await ceremony(op, theirsB);
  assert.equal(refused.status, 404, refused.text);
  assert.match(refused.json.error.message, /memorial_id/);
  const ok = await ceremony(op, mineA);
  assert.equal(ok.status, 201, ok.text);
  // and not by a later edit either; the one it has stays
  const moved = await api(d, 'PATCH', `/api/ceremonies/${ok.json.id}`, { token: op, json: { memorial_id: theirsB } });
  assert.equal(moved.status, 404, moved.text);
  assert.equal((await api(d, 'PATCH', `/api/ceremonies/${ok.json.id}`, { token: op, json: { title: '告别仪式' } })).status, 200);
  assert.equal((await api(d, 'GET', `/api/ceremonies/${ok.json.id}`, { token: op })).json.memorial_id, mineA);
  // the platform admin may link any
  assert.equal((await ceremony(admin, theirsB)).status, 201);
});

test('the data directory is private: directories 0700, files 0600, uploads included', async () => {
  const d = await daemon({ demo: true });
  const { admin } = await adminWithAgency(d, { login: 'modes@example.org', password: 'a long enough password 1' });
  const demo = (await api(d, 'GET', '/api/memorials/by-slug/demo')).json.memorial.id;
  const png = fs.readFileSync(path.join(REPO, 'tests/data/images/gray_4x3.png'));
  const up = await api(d, 'PUT', `/api/memorials/${demo}/portrait`,
    { token: admin, body: png, headers: { 'content-type': 'image/png' } });
  assert.equal(up.status, 200, up.text);
  const wide = [];
  let files = 0;
  const walk = (p) => {
    const st = fs.statSync(p);
    if ((st.mode & 0o077) !== 0) wide.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else files++;
  };
  walk(d.dataDir);
  assert.ok(files >= 3, 'the database, the key and the portrait at least');
  assert.deepEqual(wide, []);
});

test('the most common passwords and blank ones are refused at sign-up, change and reset', async () => {
  const d = await daemon({});
  for (const password of ['qwertyuiop', 'QwertyUIOP', 'password1', '          ']) {
    const r = await api(d, 'POST', '/api/users', { json: { login: 'common@example.org', password, display_name: '王' } });
    assert.equal(r.status, 400, `${password}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid');
    assert.match(r.json.error.message, /^password: /);
  }
  const ok = await api(d, 'POST', '/api/users', { json: { login: 'common@example.org', password: 'peonies in the old yard', display_name: '王' } });
  assert.equal(ok.status, 202, ok.text);
  const token = (await api(d, 'POST', '/api/session', { json: { login: 'common@example.org', password: 'peonies in the old yard' } })).json.token;
  const change = await api(d, 'PUT', '/api/me/password', { token, json: { old_password: 'peonies in the old yard', new_password: 'iloveyou1' } });
  assert.equal(change.status, 400, change.text);
  assert.match(change.json.error.message, /^new_password: .*common/);
});

test('login CSRF: signing in and anonymous writes are JSON, and from this site when a browser names its Origin', async () => {
  const d = await daemon({ rate_limit_logins: 1000, rate_limit_writes: 1000 });
  const login = 'csrf-login@example.org';
  const password = 'plum blossom in the snow';
  const up = await api(d, 'POST', '/api/users', { json: { login, password, display_name: '梅' } });
  assert.equal(up.status, 202, up.text);
  const body = JSON.stringify({ login, password });
  const signIn = (headers) => api(d, 'POST', '/api/session', { body, headers });
  // what a cross-site form can send without the browser asking first
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await signIn({ 'content-type': type });
    assert.equal(r.status, 415, `${type}: ${r.text}`);
    assert.equal(r.json.error.code, 'unsupported_media_type');
    assert.equal(r.cookies.length, 0, 'no session was made');
  }
  assert.equal((await signIn({})).status, 415, 'no Content-Type at all');
  // JSON named by another site (or by this host over another scheme when
  // the site is https: see the cookie_secure test in auth.test.mjs)
  for (const origin of ['https://evil.example', `http://127.0.0.1:${d.port + 1}`, 'null']) {
    const r = await signIn({ 'content-type': 'application/json', origin });
    assert.equal(r.status, 403, `${origin}: ${r.text}`);
    assert.equal(r.json.error.code, 'csrf');
  }
  // this site's page, and a client that is no browser page (no Origin)
  const own = await signIn({ 'content-type': 'application/json; charset=utf-8', origin: d.url });
  assert.equal(own.status, 200, own.text);
  assert.equal((await signIn({ 'content-type': 'application/json' })).status, 200);
  // the same holds for other anonymous writes (a tribute to a memorial
  // that does not exist: 404 once past the check)
  const tribute = (headers) => api(d, 'POST', '/api/memorials/999999/tributes',
    { body: JSON.stringify({ kind: 'flower', from_name: '路人' }), headers });
  assert.equal((await tribute({ 'content-type': 'text/plain' })).status, 415);
  assert.equal((await tribute({ 'content-type': 'application/json', origin: 'https://evil.example' })).status, 403);
  assert.equal((await tribute({ 'content-type': 'application/json', origin: d.url })).status, 404);
  // reads need neither
  assert.equal((await api(d, 'GET', '/api/memorials/999999', { headers: { origin: 'https://evil.example' } })).status, 404);
});

test('a WebSocket another site opens with this site\'s cookie is anonymous', async () => {
  const d = await daemon({});
  const login = 'csrf-ws@example.org';
  const password = 'the lamp in the west room';
  assert.equal((await api(d, 'POST', '/api/users', { json: { login, password, display_name: '灯' } })).status, 202);
  const s = (await api(d, 'POST', '/api/session', { json: { login, password } })).json;
  const topic = `user:${s.user.id}`;
  const cookie = `sinian_session=${s.token}`;
  const subscribe = async (headers) => {
    const ws = await wsConnect(d, '/ws', { cookie, headers });
    ws.send({ subscribe: topic });
    const m = await ws.next((x) => x.subscribed === topic || x.error);
    await ws.close();
    return m;
  };
  const foreign = await subscribe({ origin: 'https://evil.example' });
  assert.ok(foreign.error, JSON.stringify(foreign));
  assert.equal(foreign.error.code, 'unauthorized');
  assert.equal((await subscribe({ origin: d.url })).subscribed, topic);
  assert.equal((await subscribe({})).subscribed, topic, 'no Origin: not a browser page');
});

test('open connections are capped per address; other addresses and trusted proxies are not held back', async () => {
  const d = await daemon({ max_connections_per_address: 20, trusted_proxies: '127.0.0.9' });
  const open = (localAddress) => new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: d.port, localAddress }, () => resolve(s));
    s.on('error', reject);
  });
  /** Whether the daemon closes s within ms without a byte asked of it. */
  const closedSoon = (s, ms = 1500) => new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.on('close', () => { clearTimeout(t); resolve(true); });
    s.on('error', () => {});
  });
  const get = (localAddress) => new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: d.port, localAddress }, () => {
      s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${d.port}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    s.on('data', (b) => { text += b; });
    s.on('end', () => resolve(text.split(' ')[1]));
    s.on('error', reject);
  });
  // 20 slow connections from one address that never send a request
  const slow = [];
  for (let i = 0; i < 20; i++) slow.push(await open('127.0.0.5'));
  const held = await Promise.all(slow.map((s) => closedSoon(s, 300)));
  assert.ok(!held.some(Boolean), 'the first 20 stay open');
  // the 21st is closed at once, and a request from there finds no room
  assert.equal(await closedSoon(await open('127.0.0.5')), true);
  await assert.rejects(get('127.0.0.5').then((st) => { if (!st) throw new Error('closed'); return st; }));
  // others are served meanwhile, and a trusted proxy is not capped
  assert.equal(await get('127.0.0.6'), '200');
  const proxy = [];
  for (let i = 0; i < 25; i++) proxy.push(await open('127.0.0.9'));
  assert.ok(!(await Promise.all(proxy.map((s) => closedSoon(s, 300)))).some(Boolean));
  assert.equal(await get('127.0.0.9'), '200');
  // closed connections give the room back
  for (const s of slow.splice(0, 5)) s.destroy();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await get('127.0.0.5'), '200');
  const m = await api(d, 'GET', '/metrics');
  assert.match(m.text, /^sinian_http_connections_refused_total [1-9]/m);
  for (const s of [...slow, ...proxy]) s.destroy();
});

test('passwords are checked off the main loop: other requests do not wait behind a crowd signing in', async () => {
  const d = await daemon({ rate_limit_logins: 100000, rate_limit_writes: 100000 });
  const login = 'crowd@example.org';
  const password = 'chrysanthemums at dawn';
  assert.equal((await api(d, 'POST', '/api/users', { json: { login, password, display_name: '众' } })).status, 202);
  const answered = [];
  const signIns = [];
  for (let i = 0; i < 24; i++) {
    signIns.push(api(d, 'POST', '/api/session', { json: { login, password: i % 2 ? password : 'not it at all' } })
      .then((r) => { answered.push(r.status); return r; }));
  }
  // once the first is answered, the others have all arrived and wait
  await Promise.race(signIns);
  const asked = answered.length;
  const health = await api(d, 'GET', '/healthz');
  const before = answered.length;
  assert.equal(health.status, 200);
  const all = await Promise.all(signIns);
  // each check costs tens of milliseconds on its own thread; the main loop
  // answered /healthz while most were still waiting for theirs
  assert.ok(before - asked < 12, `/healthz waited for ${before - asked} of ${24 - asked} sign-ins`);
  assert.deepEqual(all.map((r) => r.status), signIns.map((_, i) => (i % 2 ? 200 : 401)));
  assert.ok(all[1].json.token, 'a session was made');
});
