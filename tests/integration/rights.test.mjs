// Rights are checked again when they change, not only when a socket
// subscribes or a viewer joins: a memorial turned private, a family grant
// removed, a session signed out, a role revoked, an invite revoked each cut
// the WebSocket subscriptions and WHEP viewers that no longer have the
// right — and nothing published afterwards reaches them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, wsConnect, REPO } from '../lib/daemon.mjs';
import { signUp } from '../lib/accounts.mjs';
import { adminWithAgency, until } from '../lib/live.mjs';

const ADMIN = { login: 'rights-admin@example.org', password: 'rights are checked again' };
const PASSWORD = 'a lantern for the living';
const OFFER = fs.readFileSync(path.join(REPO, 'tests/data/sdp/chromium_whep_offer.sdp'), 'utf8');
const SDP = { 'content-type': 'application/sdp' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let d;
let admin;
let agencyId;
const tok = {};
const ids = {};

async function ok(method, p, json, token = admin, want) {
  const r = await api(d, method, p, { token, json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p}: ${r.text}`);
  return r.json;
}

async function person(name, login) {
  const u = await signUp(d, { login, password: PASSWORD, display_name: name });
  ids[name] = u.id;
  tok[name] = u.token;
}

/** A socket subscribed to topic (optionally with an invite); fails if refused. */
async function follow(topic, opts = {}, invite) {
  const ws = await wsConnect(d, '/ws', opts);
  ws.send(invite ? { subscribe: topic, invite } : { subscribe: topic });
  const m = await ws.next((x) => x.subscribed === topic || x.error);
  assert.equal(m.subscribed, topic, JSON.stringify(m));
  return ws;
}

/** The socket is told the topic was dropped. */
async function dropped(ws, topic) {
  const m = await ws.next((x) => x.error && x.error.topic === topic, 5000);
  assert.match(m.error.code, /^(forbidden|unauthorized|not_found)$/);
}

/** Nothing about topic reached ws after it was dropped (an event was
 *  published since). */
async function silent(ws, topic) {
  await sleep(400);
  const cut = ws.messages.findIndex((m) => m.error && m.error.topic === topic);
  assert.ok(cut >= 0, 'the subscription was dropped');
  assert.ok(!ws.messages.slice(cut).some((m) => m.topic === topic && m.event),
    `an event reached a dropped subscription: ${JSON.stringify(ws.messages)}`);
}

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true, rate_limit_writes: 100000 } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  await person('family', '13300000001');
  await person('guest', '13300000002');
  await person('stranger', '13300000003');
  const m = (await ok('POST', '/api/memorials', { title: '权利纪念馆', visibility: 'public',
    moderation: 'publish', deceased: { name: '钱七', death_date: '2026-01-01' } },
  tok.family)).memorial;
  ids.memorial = m.id;
});

after(async () => { await d?.stop(); });

test('a memorial turned private cuts the sockets that may no longer see it', async () => {
  const topic = `memorial:${ids.memorial}`;
  const anon = await follow(topic);
  const stranger = await follow(topic, { token: tok.stranger });
  const family = await follow(topic, { token: tok.family });
  await ok('PATCH', `/api/memorials/${ids.memorial}`, { visibility: 'private' }, tok.family, 200);
  await dropped(anon, topic);
  await dropped(stranger, topic);
  await ok('POST', `/api/memorials/${ids.memorial}/tributes`,
    { kind: 'flower', from_name: '家人' }, tok.family);
  // the family keeps following and sees the tribute; the others see nothing
  const ev = await family.next((x) => x.topic === topic && x.event?.type === 'tribute');
  assert.equal(ev.event.tribute.from_name, '家人');
  await silent(anon, topic);
  await silent(stranger, topic);
  for (const ws of [anon, stranger, family]) await ws.close();
  await ok('PATCH', `/api/memorials/${ids.memorial}`, { visibility: 'public' }, tok.family, 200);
});

test('a guest whose grant is removed loses a private memorial at once', async () => {
  await ok('PATCH', `/api/memorials/${ids.memorial}`, { visibility: 'private' }, tok.family, 200);
  await ok('POST', `/api/memorials/${ids.memorial}/family`,
    { login: '13300000002', role: 'memorial_guest' }, tok.family, 202);
  const inv = (await ok('GET', '/api/me/invitations', undefined, tok.guest, 200)).invitations[0];
  await ok('POST', `/api/invitations/${inv.id}/accept`, undefined, tok.guest, 200);
  const topic = `memorial:${ids.memorial}`;
  const guest = await follow(topic, { token: tok.guest });
  await ok('DELETE', `/api/memorials/${ids.memorial}/family/${ids.guest}?role=memorial_guest`,
    undefined, tok.family, 200);
  await dropped(guest, topic);
  await ok('POST', `/api/memorials/${ids.memorial}/tributes`,
    { kind: 'candle', from_name: '家人' }, tok.family);
  await silent(guest, topic);
  await guest.close();
  await ok('PATCH', `/api/memorials/${ids.memorial}`, { visibility: 'public' }, tok.family, 200);
});

test('signing out cuts that session\'s own topics; a cookie socket too', async () => {
  const login = '13300000009';
  await signUp(d, { login, password: PASSWORD, display_name: '离开的人' });
  const s1 = await ok('POST', '/api/session', { login, password: PASSWORD }, undefined, 200);
  const s2 = await ok('POST', '/api/session', { login, password: PASSWORD }, undefined, 200);
  const me = `user:${s1.user.id}`;
  const bearer = await follow(me, { token: s1.token });
  const cookie = await follow(me, { cookie: `sinian_session=${s1.token}` });
  const other = await follow(me, { token: s2.token });
  await ok('DELETE', '/api/session', undefined, s1.token, 204);
  await dropped(bearer, me);
  await dropped(cookie, me);
  // the other device's session still holds its right
  await sleep(300);
  assert.ok(!other.messages.some((m) => m.error), JSON.stringify(other.messages));
  for (const ws of [bearer, cookie, other]) await ws.close();
});

test('a revoked invite cuts its socket and its WHEP viewer', async () => {
  const c = await ok('POST', '/api/ceremonies', { agency_id: agencyId, title: '权利告别',
    deceased_name: '钱七', scheduled_start: '2026-04-04T09:00:00Z',
    scheduled_end: '2026-04-04T10:00:00Z', visibility: 'invite', source: { kind: 'test' } });
  await ok('POST', `/api/ceremonies/${c.id}/start`, undefined, admin, 200);
  const inv = await ok('POST', `/api/ceremonies/${c.id}/invites`, { guest_name: '远方的孙子' });
  const keep = await ok('POST', `/api/ceremonies/${c.id}/invites`, { guest_name: '另一位' });
  const topic = `ceremony:${c.id}`;
  const ws = await follow(topic, {}, inv.token);
  const ws2 = await follow(topic, {}, keep.token);
  const viewer = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP, token: inv.token });
  assert.equal(viewer.status, 201, viewer.text);
  const kept = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP, token: keep.token });
  assert.equal(kept.status, 201, kept.text);
  await until(async () => (await ok('GET', `/api/ceremonies/${c.id}`)).viewers === 2, 5000,
    'two viewers');

  await ok('DELETE', `/api/ceremonies/${c.id}/invites/${inv.id}`, undefined, admin, 204);
  await dropped(ws, topic);
  // the revoked viewer is gone from the media (its session no longer
  // exists); the other invite's viewer stays
  await until(async () => (await ok('GET', `/api/ceremonies/${c.id}`)).viewers === 1, 5000,
    'the revoked viewer cut');
  const gone = await api(d, 'DELETE', viewer.headers.get('location'));
  assert.equal(gone.status, 404, gone.text);
  await ok('POST', `/api/ceremonies/${c.id}/condolences`, { from_name: '主持', text: '默哀' });
  await ws2.next((x) => x.topic === topic && x.event?.type === 'condolence');
  await silent(ws, topic);
  assert.equal((await api(d, 'DELETE', kept.headers.get('location'))).status, 200);
  await ws.close();
  await ws2.close();
  await ok('POST', `/api/ceremonies/${c.id}/stop`, undefined, admin, 200);
});

test('a revoked role cuts the staff\'s order topic', async () => {
  const cem = await ok('POST', '/api/cemeteries', { name: '权利陵园', region_code: '110105' });
  const plot = await ok('POST', `/api/cemeteries/${cem.id}/plots`,
    { section: 'R', row: '1', number: '1', kind: 'grave' });
  const svc = await ok('POST', `/api/cemeteries/${cem.id}/services`,
    { code: 'sweep', name: '代扫', price_cents: 100 });
  const day = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const order = await ok('POST', '/api/sweeping-orders',
    { plot_id: plot.id, date: day, items: [{ service_id: svc.id }] }, tok.family);
  await ok('POST', `/api/users/${ids.stranger}/grants`,
    { role: 'cemetery_staff', scope_id: cem.id }, admin, 200);
  const topic = `order:${order.id}`;
  const ws = await follow(topic, { token: tok.stranger });
  await ok('DELETE', `/api/users/${ids.stranger}/grants`,
    { role: 'cemetery_staff', scope_id: cem.id }, admin, 200);
  await dropped(ws, topic);
  await ok('POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'cancelled' },
    tok.family, 200);
  await silent(ws, topic);
  await ws.close();
});
