// Ceremonies against the real binary (media on, loopback ICE): creating and
// validating them, who may create, start → live, the WHEP endpoint's refusals
// (415 content type, 409 not live, 404 without a valid invite, 403 revoked,
// 404 unknown viewer),
// the live topic of an invite-only ceremony following the same invite,
// a WHEP session from a captured Chromium offer (201 + answer + Location,
// DELETE → 200, viewer count back to 0), invites, the stream key shown once,
// condolences reaching WebSocket subscribers, and the recording served with
// HTTP ranges after stop.
//
// A WHEP offer that really connects can only come from a WebRTC stack: the
// browser test (tests/browser/ceremony.test.mjs) decodes frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, wsConnect, REPO } from '../lib/daemon.mjs';
import { until, adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const MOURNER = { login: 'mourner@example.org', password: 'another long password', display_name: '李明' };
const OFFER = fs.readFileSync(path.join(REPO, 'tests/data/sdp/chromium_whep_offer.sdp'), 'utf8');
const SDP = { 'content-type': 'application/sdp' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let d;
let admin;      // bearer token
let mourner;    // bearer token
let agencyId;

function ceremonyBody(extra = {}) {
  return {
    agency_id: agencyId,
    title: '张桂兰女士告别仪式',
    deceased_name: '张桂兰',
    scheduled_start: '2026-04-04T09:00:00Z',
    scheduled_end: '2026-04-04T10:00:00Z',
    visibility: 'public',
    source: { kind: 'test' },
    ...extra,
  };
}

async function create(extra = {}) {
  const r = await api(d, 'POST', '/api/ceremonies', { token: admin, json: ceremonyBody(extra) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function startLive(extra = {}) {
  const c = await create(extra);
  const r = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'live');
  return c;
}

/** Poll until fn() is truthy (or fail after limitMs). */
before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true, max_viewers_per_ceremony: 4 } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  const u = await api(d, 'POST', '/api/users', { json: MOURNER });
  assert.equal(u.status, 202, u.text);
  const ms = await api(d, 'POST', '/api/session', { json: { login: MOURNER.login, password: MOURNER.password } });
  assert.equal(ms.status, 200, ms.text);
  mourner = ms.json.token;
});

after(async () => {
  if (d) await d.stop();
});

// ---------- records ----------

test('create: 201 with the stream key once; GET never shows it', async () => {
  const c = await create({ hall_id: undefined });
  assert.equal(c.state, 'scheduled');
  assert.equal(c.visibility, 'public');
  assert.equal(c.agency_name, '八宝山殡仪馆');
  assert.equal(c.whip_url, `/whip/${c.id}`);
  assert.match(c.stream_key, /^[A-Za-z0-9_-]{20,}$/);
  const g = await api(d, 'GET', `/api/ceremonies/${c.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.stream_key, undefined);
  assert.equal(g.json.can_manage, false, 'an anonymous visitor does not manage');
  assert.equal(g.json.source, undefined, 'the source is for managers only');
  const gm = await api(d, 'GET', `/api/ceremonies/${c.id}`, { token: admin });
  assert.equal(gm.json.can_manage, true);
  assert.equal(gm.json.stream_key, undefined);
  assert.deepEqual(gm.json.source, { kind: 'test', url: '' });

  const k = await api(d, 'POST', `/api/ceremonies/${c.id}/stream-key`, { token: admin });
  assert.equal(k.status, 200, k.text);
  assert.notEqual(k.json.stream_key, c.stream_key, 'rotating gives a new key');
  assert.equal(k.json.whip_url, `/whip/${c.id}`);
});

test('create: 400 for bad or reversed times, unknown keys and bad sources', async () => {
  const cases = [
    { scheduled_start: '2026-04-04 09:00', scheduled_end: '2026-04-04T10:00:00Z' },
    { scheduled_start: '2026-04-04T11:00:00Z', scheduled_end: '2026-04-04T10:00:00Z' },
    { scheduled_start: '2026-04-04T10:00:00Z', scheduled_end: '2026-04-04T10:00:00Z' },
    { scheduled_start: '2026-13-40T09:00:00Z' },
    { title: '' },
    { visibility: 'secret' },
    { source: { kind: 'carrier-pigeon' } },
    { source: { kind: 'rtsp', url: 'http://camera/stream' } },
    { colour: 'white' },
  ];
  for (const extra of cases) {
    const r = await api(d, 'POST', '/api/ceremonies', { token: admin, json: ceremonyBody(extra) });
    assert.equal(r.status, 400, `${JSON.stringify(extra)} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'invalid');
  }
  const times = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: ceremonyBody({ scheduled_start: '2026-04-04T11:00:00Z', scheduled_end: '2026-04-04T10:00:00Z' }),
  });
  assert.match(times.json.error.message, /scheduled_start/);
});

test('create: 404 for an unknown agency, 403 for a mourner, 401 anonymous', async () => {
  const r404 = await api(d, 'POST', '/api/ceremonies', { token: admin, json: ceremonyBody({ agency_id: 9999 }) });
  assert.equal(r404.status, 404, r404.text);
  const r403 = await api(d, 'POST', '/api/ceremonies', { token: mourner, json: ceremonyBody() });
  assert.equal(r403.status, 403, r403.text);
  const r401 = await api(d, 'POST', '/api/ceremonies', { json: ceremonyBody() });
  assert.equal(r401.status, 401, r401.text);
  const c = await create();
  const start = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: mourner });
  assert.equal(start.status, 403, 'a mourner cannot start it either');
});

test('GET of an unknown ceremony is 404; the player page route serves the page', async () => {
  const r = await api(d, 'GET', '/api/ceremonies/987654');
  assert.equal(r.status, 404);
  const c = await create();
  const page = await api(d, 'GET', `/c/${c.id}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.match(page.text, /\/js\/ceremony\.js/);
});

// ---------- WHEP ----------

test('WHEP: 409 not_live before the start, 415 for a wrong content type', async () => {
  const c = await create();
  const r409 = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(r409.status, 409, r409.text);
  assert.equal(r409.json.error.code, 'not_live');

  const r = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'live');
  const g = await api(d, 'GET', `/api/ceremonies/${c.id}`);
  assert.equal(g.json.state, 'live');
  assert.ok(g.json.started_at, 'started_at is set');

  const r415 = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: { 'content-type': 'text/plain' } });
  assert.equal(r415.status, 415, r415.text);
  const rjson = await api(d, 'POST', `/whep/${c.id}`, { json: { sdp: OFFER } });
  assert.equal(rjson.status, 415, rjson.text);

  const r404 = await api(d, 'POST', '/whep/987654', { body: OFFER, headers: SDP });
  assert.equal(r404.status, 404, r404.text);
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});

test('WHEP: a captured Chromium offer gets 201, an SDP answer and a Location; DELETE frees it', async () => {
  const c = await startLive();
  const r = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type'), /^application\/sdp/);
  const loc = r.headers.get('location');
  assert.match(loc, new RegExp(`^/whep/${c.id}/[A-Za-z0-9_-]+$`));
  assert.match(r.text, /^v=0\r?\n/);
  assert.match(r.text, /a=fingerprint:sha-256 /i, 'DTLS-SRTP answer');
  assert.match(r.text, /a=candidate:.* 127\.0\.0\.1 /, 'complete answer with loopback host candidates');
  assert.match(r.text, /m=video /);
  assert.match(r.text, /m=audio /);

  // /metrics counts the viewer and the encoder's key frames
  const metric = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  const m = (await api(d, 'GET', '/metrics')).text;
  assert.ok(metric(m, 'sinian_media_viewers') >= 1, m);
  assert.ok(metric(m, 'sinian_media_ceremonies') >= 1, m);
  assert.ok(metric(m, 'sinian_encoder_keyframes_forced_total') >= 0, m);
  assert.ok(metric(m, 'sinian_encoder_keyframes_total') >= 0, m);
  assert.ok(metric(m, 'sinian_lite_stun_refused_total') >= 0, m);

  // one port for every viewer needs BUNDLE and rtcp-mux: a clear 400
  if ((process.env.SINIAN_MEDIA_ENGINE ?? 'lite') === 'lite') {
    for (const [from, to] of [[/a=group:BUNDLE[^\r\n]*\r?\n/, ''], [/a=rtcp-mux\r?\n/g, '']]) {
      const bad = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER.replace(from, to), headers: SDP });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.json.error.code, 'invalid');
      assert.match(bad.json.error.message, /BUNDLE|rtcp-mux/);
    }
  }

  const del = await api(d, 'DELETE', loc);
  assert.equal(del.status, 200, del.text);
  const again = await api(d, 'DELETE', loc);
  assert.equal(again.status, 404, 'a viewer leaves once');
  await until(async () => (await api(d, 'GET', `/api/ceremonies/${c.id}`)).json.viewers === 0,
    5000, 'viewer count 0');
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});

test('WHEP: a ceremony takes max_viewers_per_ceremony viewers, then 503 full until one leaves', async () => {
  const c = await startLive();
  const locs = [];
  for (let i = 0; i < 4; i++) {
    const r = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
    assert.equal(r.status, 201, r.text);
    locs.push(r.headers.get('location'));
  }
  const full = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(full.status, 503, full.text);
  assert.equal(full.json.error.code, 'full');
  assert.equal((await api(d, 'DELETE', locs.pop())).status, 200);
  const again = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(again.status, 201, again.text);
  locs.push(again.headers.get('location'));
  for (const l of locs) await api(d, 'DELETE', l);
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});

test('WHEP: DELETE of an unknown viewer is 404', async () => {
  const c = await startLive();
  const r = await api(d, 'DELETE', `/whep/${c.id}/0123456789abcdef0123456789abcdef`);
  assert.equal(r.status, 404, r.text);
  const r2 = await api(d, 'DELETE', '/whep/987654/0123456789abcdef');
  assert.equal(r2.status, 404, r2.text);
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});

test('invite-only: WHEP and GET need a valid, unrevoked invite token', async () => {
  const c = await startLive({ visibility: 'invite' });

  // the public list leaves it out; its managers see it
  const pub = await api(d, 'GET', `/api/ceremonies?agency_id=${agencyId}`);
  assert.ok(!pub.json.ceremonies.some((x) => x.id === c.id), 'not listed publicly');
  const mine = await api(d, 'GET', `/api/ceremonies?agency_id=${agencyId}`, { token: admin });
  assert.ok(mine.json.ceremonies.some((x) => x.id === c.id), 'listed for its managers');

  // without a right to watch it, an invite-only ceremony does not exist:
  // the same 404 as a number never used
  const unknown = await api(d, 'GET', '/api/ceremonies/987654');
  const none = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(none.status, 404, none.text);
  assert.equal(none.text, unknown.text);
  const wrong = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP, token: 'not-an-invite-token-at-all' });
  assert.equal(wrong.status, 404, wrong.text);
  const asMourner = await api(d, 'GET', `/api/ceremonies/${c.id}`, { token: mourner });
  assert.equal(asMourner.status, 404, 'a signed-in stranger may not watch');
  assert.equal(asMourner.text, unknown.text);
  const anon = await api(d, 'GET', `/api/ceremonies/${c.id}`);
  assert.equal(anon.text, unknown.text);

  const inv = await api(d, 'POST', `/api/ceremonies/${c.id}/invites`, { token: admin, json: { guest_name: '在温哥华的大女儿' } });
  assert.equal(inv.status, 201, inv.text);
  assert.equal(inv.json.guest_name, '在温哥华的大女儿');
  assert.equal(inv.json.url, `/c/${c.id}?invite=${inv.json.token}`);
  const bad = await api(d, 'POST', `/api/ceremonies/${c.id}/invites`, { token: admin, json: { guest_name: '' } });
  assert.equal(bad.status, 400);
  const byMourner = await api(d, 'POST', `/api/ceremonies/${c.id}/invites`, { token: mourner, json: { guest_name: 'x' } });
  assert.equal(byMourner.status, 404);

  const token = inv.json.token;
  const g = await api(d, 'GET', `/api/ceremonies/${c.id}?invite=${encodeURIComponent(token)}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.visibility, 'invite');
  assert.equal(g.json.can_manage, false);
  const ok = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP, token });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await api(d, 'DELETE', ok.headers.get('location'))).status, 200);

  // live events follow the same right: the topic needs the invite too
  const ws = await wsConnect(d);
  try {
    ws.send({ subscribe: `ceremony:${c.id}` });
    const refused = await ws.next((m) => m.error || m.subscribed);
    assert.equal(refused.error?.code, 'not_found', `no invite, no topic: ${JSON.stringify(refused)}`);
    ws.send({ subscribe: `ceremony:${c.id}`, invite: token });
    await ws.next((m) => m.subscribed === `ceremony:${c.id}`);
    const cond = await api(d, 'POST', `/api/ceremonies/${c.id}/condolences?invite=${encodeURIComponent(token)}`,
      { json: { from_name: '大女儿', text: '妈妈，我在远方送您。' } });
    assert.equal(cond.status, 201, cond.text);
    const ev = await ws.next((m) => m.topic === `ceremony:${c.id}` && m.event.type === 'condolence', 5000);
    assert.equal(ev.event.message.text, '妈妈，我在远方送您。');
  } finally {
    await ws.close();
  }

  const list = await api(d, 'GET', `/api/ceremonies/${c.id}/invites`, { token: admin });
  assert.equal(list.status, 200);
  const entry = list.json.invites.find((v) => v.id === inv.json.id);
  assert.equal(entry.revoked, false);
  assert.equal(entry.token, undefined, 'tokens are shown once, at creation');

  const rev = await api(d, 'DELETE', `/api/ceremonies/${c.id}/invites/${inv.json.id}`, { token: admin });
  assert.equal(rev.status, 204, rev.text);
  const rev2 = await api(d, 'DELETE', `/api/ceremonies/${c.id}/invites/${inv.json.id}`, { token: admin });
  assert.equal(rev2.status, 404, 'revoked once');

  const revoked = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP, token });
  assert.equal(revoked.status, 403, revoked.text);
  const revokedGet = await api(d, 'GET', `/api/ceremonies/${c.id}?invite=${encodeURIComponent(token)}`);
  assert.equal(revokedGet.status, 403);
  const revokedCond = await api(d, 'POST', `/api/ceremonies/${c.id}/condolences?invite=${encodeURIComponent(token)}`,
    { json: { from_name: '女儿', text: '妈妈' } });
  assert.equal(revokedCond.status, 403);
  const ws2 = await wsConnect(d);
  try {
    ws2.send({ subscribe: `ceremony:${c.id}`, invite: token });
    const m = await ws2.next((x) => x.error || x.subscribed);
    assert.ok(m.error, 'a revoked invite no longer follows the topic');
  } finally {
    await ws2.close();
  }
  const after = await api(d, 'GET', `/api/ceremonies/${c.id}/invites`, { token: admin });
  assert.equal(after.json.invites.find((v) => v.id === inv.json.id).revoked, true);

  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});

// ---------- live state, condolences ----------

test('condolences: POST reaches WebSocket subscribers of ceremony:{id}; GET lists them', async () => {
  const c = await startLive();
  const ws = await wsConnect(d);
  const other = await wsConnect(d);
  try {
    for (const sock of [ws, other]) {
      sock.send({ subscribe: `ceremony:${c.id}` });
      await sock.next((m) => m.subscribed === `ceremony:${c.id}`);
    }
    const r = await api(d, 'POST', `/api/ceremonies/${c.id}/condolences`,
      { json: { from_name: '外孙 小明', text: '外婆一路走好' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.from_name, '外孙 小明');
    for (const sock of [ws, other]) {
      const m = await sock.next((x) => x.topic === `ceremony:${c.id}` && x.event.type === 'condolence', 5000);
      assert.deepEqual(m.event.message, r.json);
    }
    const list = await api(d, 'GET', `/api/ceremonies/${c.id}/condolences`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.messages.at(-1), r.json);

    // (condolences are limited to a burst of 5 per address: few cases here)
    for (const json of [{ from_name: '', text: 'x' }, { from_name: 'x', text: '字'.repeat(301) }]) {
      const bad = await api(d, 'POST', `/api/ceremonies/${c.id}/condolences`, { json });
      assert.equal(bad.status, 400, `${JSON.stringify(json).slice(0, 60)} → ${bad.status}`);
    }

    // the operator pauses the source and ends the ceremony: both are events
    await until(async () => (await api(d, 'GET', `/api/ceremonies/${c.id}`)).json.source_live,
      10000, 'the test source to be live');
    const off = await api(d, 'PUT', `/api/ceremonies/${c.id}/source`, { token: admin, json: { on: false } });
    assert.equal(off.status, 200, off.text);
    const src = await ws.next((x) => x.topic === `ceremony:${c.id}` && x.event.type === 'source' && x.event.live === false, 5000);
    assert.equal(src.event.live, false);
    const on = await api(d, 'PUT', `/api/ceremonies/${c.id}/source`, { token: admin, json: { on: true } });
    assert.equal(on.status, 200, on.text);
    await ws.next((x) => x.topic === `ceremony:${c.id}` && x.event.type === 'source' && x.event.live === true, 5000);
    const stop = await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
    assert.equal(stop.status, 200, stop.text);
    const st = await ws.next((x) => x.topic === `ceremony:${c.id}` && x.event.type === 'state', 5000);
    assert.equal(st.event.state, 'ended');
  } finally {
    await ws.close();
    await other.close();
  }
});

test('source switching needs a live ceremony (409), stop is once (409)', async () => {
  const c = await create();
  const r = await api(d, 'PUT', `/api/ceremonies/${c.id}/source`, { token: admin, json: { on: false } });
  assert.equal(r.status, 409, r.text);
  const live = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin });
  assert.equal(live.status, 200);
  const stop = await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
  assert.equal(stop.status, 200);
  assert.equal(stop.json.state, 'ended');
  assert.match(stop.json.ended_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the answer carries ended_at');
  assert.ok(live.json.started_at, 'the start answer carries started_at');
  const again = await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
  assert.equal(again.status, 409, again.text);
  const restart = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin });
  assert.equal(restart.status, 409, 'an ended ceremony does not go live again');
  const whep = await api(d, 'POST', `/whep/${c.id}`, { body: OFFER, headers: SDP });
  assert.equal(whep.status, 409);
  assert.equal(whep.json.error.code, 'not_live');
});

// ---------- recording ----------

test('recording: 404 while live; after stop served with ranges (206, 416)', async () => {
  const c = await startLive();
  const early = await api(d, 'GET', `/api/ceremonies/${c.id}/recording`);
  assert.equal(early.status, 404, 'offered only after the end');
  await sleep(3000); // a few seconds of test picture and tone
  const stop = await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
  assert.equal(stop.status, 200, stop.text);
  const g = await api(d, 'GET', `/api/ceremonies/${c.id}`);
  assert.equal(g.json.state, 'ended');
  assert.equal(g.json.has_recording, true);

  const head = await fetch(`${d.url}/api/ceremonies/${c.id}/recording`, { headers: { range: 'bytes=0-99' } });
  assert.equal(head.status, 206);
  assert.equal(head.headers.get('content-type'), 'video/mp4');
  assert.equal(head.headers.get('accept-ranges'), 'bytes');
  const cr = /^bytes 0-99\/(\d+)$/.exec(head.headers.get('content-range'));
  assert.ok(cr, `Content-Range: ${head.headers.get('content-range')}`);
  const size = Number(cr[1]);
  assert.ok(size > 10000, `a recording of a few seconds (${size} bytes)`);
  const first = Buffer.from(await head.arrayBuffer());
  assert.equal(first.length, 100);
  assert.equal(first.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file');

  const tail = await fetch(`${d.url}/api/ceremonies/${c.id}/recording`, { headers: { range: `bytes=${size - 10}-` } });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), `bytes ${size - 10}-${size - 1}/${size}`);
  assert.equal((await tail.arrayBuffer()).byteLength, 10);

  const beyond = await fetch(`${d.url}/api/ceremonies/${c.id}/recording`, { headers: { range: `bytes=${size}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${size}`);
  await beyond.arrayBuffer();

  const whole = await fetch(`${d.url}/api/ceremonies/${c.id}/recording`);
  assert.equal(whole.status, 200);
  assert.equal(Number(whole.headers.get('content-length')), size);
  await whole.arrayBuffer();
});

test('recording of an invite-only ceremony needs the invite', async () => {
  const c = await startLive({ visibility: 'invite' });
  const inv = await api(d, 'POST', `/api/ceremonies/${c.id}/invites`, { token: admin, json: { guest_name: '侄子' } });
  await sleep(1500);
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
  const none = await api(d, 'GET', `/api/ceremonies/${c.id}/recording`);
  assert.equal(none.status, 404);
  const ok = await fetch(`${d.url}/api/ceremonies/${c.id}/recording?invite=${encodeURIComponent(inv.json.token)}`,
    { headers: { range: 'bytes=0-15' } });
  assert.equal(ok.status, 206);
  await ok.arrayBuffer();
});
