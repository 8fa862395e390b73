// WHIP publishing against the real binary (media on, loopback ICE): the
// refusals (401 with a Bearer challenge for a missing or wrong stream key,
// 404 unknown ceremony, 415 content type, 400 a viewer's offer, 409 another
// source kind / an ended ceremony / a publisher already connected), a
// rotated key invalidating the old one, a scheduled whip ceremony taken live
// by its publisher, and a real publish: a headless Chromium page with a fake
// camera POSTs its send-only offer, a second page plays /c/{id} and its
// getStats() shows framesDecoded rising; DELETE of the WHIP session puts the
// slate up while the viewer's connection keeps decoding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, wsConnect, REPO } from '../lib/daemon.mjs';
import { launchBrowser } from '../lib/browser.mjs';
import { until, adminWithAgency, rtcStats, whipPublish } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const OBS_OFFER = fs.readFileSync(path.join(REPO, 'tests/data/sdp/obs_whip_offer.sdp'), 'utf8');
const VIEWER_OFFER = fs.readFileSync(path.join(REPO, 'tests/data/sdp/chromium_whep_offer.sdp'), 'utf8');
const SDP = { 'content-type': 'application/sdp' };

let d;
let admin;
let agencyId;
let browser;

async function createCeremony(kind = 'whip') {
  const r = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: '王建国先生告别仪式',
      deceased_name: '王建国',
      scheduled_start: '2026-11-23T09:00:00Z',
      scheduled_end: '2026-11-23T10:00:00Z',
      source: { kind },
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.stream_key);
  return { id: r.json.id, key: r.json.stream_key };
}

async function start(id) {
  const r = await api(d, 'POST', `/api/ceremonies/${id}/start`, { token: admin });
  assert.equal(r.status, 200, r.text);
}

const publish = (id, key, body = OBS_OFFER, headers = SDP) =>
  api(d, 'POST', `/whip/${id}`, { headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) }, body });

const ceremony = async (id) => (await api(d, 'GET', `/api/ceremonies/${id}`, { token: admin })).json;

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

test('refusals: keys, unknown ceremony, content type, offers, source kind', async () => {
  const { id, key } = await createCeremony();
  await start(id);

  const missing = await publish(id, null);
  assert.equal(missing.status, 401, missing.text);
  assert.match(missing.headers.get('www-authenticate'), /^Bearer/);
  const wrong = await publish(id, 'not-the-key');
  assert.equal(wrong.status, 401, wrong.text);
  assert.match(wrong.headers.get('www-authenticate'), /^Bearer/);
  assert.equal(wrong.json.error.code, 'unauthorized');
  // a session token is no stream key
  assert.equal((await publish(id, admin)).status, 401);

  assert.equal((await publish(999999, key)).status, 404);
  const ct = await publish(id, key, OBS_OFFER, { 'content-type': 'text/plain' });
  assert.equal(ct.status, 415, ct.text);

  const viewer = await publish(id, key, VIEWER_OFFER);
  assert.equal(viewer.status, 400, viewer.text);
  assert.equal(viewer.json.error.code, 'not_publisher');
  assert.equal((await publish(id, key, 'v=0\r\nnot sdp\r\n')).status, 400);
  assert.equal((await publish(id, key, '')).status, 400);

  const test = await createCeremony('test');
  await start(test.id);
  const kind = await publish(test.id, test.key);
  assert.equal(kind.status, 409, kind.text);
  assert.equal(kind.json.error.code, 'wrong_source');
  await api(d, 'POST', `/api/ceremonies/${test.id}/stop`, { token: admin });
  await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin });
  const ended = await publish(id, key);
  assert.equal(ended.status, 409, ended.text);
});

test('a scheduled whip ceremony goes live with its publisher; one publisher at a time; rotated key; DELETE', async () => {
  const { id, key } = await createCeremony();
  assert.equal((await ceremony(id)).state, 'scheduled');

  // rotate: the old key stops working at once
  const rot = await api(d, 'POST', `/api/ceremonies/${id}/stream-key`, { token: admin });
  assert.equal(rot.status, 200, rot.text);
  const newKey = rot.json.stream_key;
  assert.notEqual(newKey, key);
  assert.equal((await publish(id, key)).status, 401);
  assert.equal((await ceremony(id)).state, 'scheduled');

  // OBS's offer (its candidates are unreachable): answered all the same
  const r = await publish(id, newKey);
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type'), /^application\/sdp/);
  const loc = r.headers.get('location');
  assert.match(loc, new RegExp(`^/whip/${id}/[0-9a-f]{32}$`));
  assert.match(r.text, /a=rtpmap:96 H264\/90000/);
  assert.match(r.text, /a=recvonly/);
  assert.match(r.text, /a=candidate:.* 127\.0\.0\.1 /);
  assert.equal((await ceremony(id)).state, 'live');

  // a second publisher while the first is still connecting
  const second = await publish(id, newKey);
  assert.equal(second.status, 409, second.text);
  assert.equal(second.json.error.code, 'publisher_connected');

  // no trickle ICE: the answer carried every candidate (RFC 9725: 405)
  const patch = await api(d, 'PATCH', loc, {
    token: newKey, headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates\r\n',
  });
  assert.equal(patch.status, 405);
  assert.match(patch.headers.get('allow') ?? '', /DELETE/);
  // DELETE needs the same key and the right session
  assert.equal((await api(d, 'DELETE', loc, { token: key })).status, 401);
  assert.equal((await api(d, 'DELETE', loc)).status, 401);
  assert.equal((await api(d, 'DELETE', `/whip/${id}/${'0'.repeat(32)}`, { token: newKey })).status, 404);
  assert.equal((await api(d, 'DELETE', loc, { token: newKey })).status, 200);
  assert.equal((await api(d, 'DELETE', loc, { token: newKey })).status, 404);
  // the seat is free again
  const again = await publish(id, newKey);
  assert.equal(again.status, 201, again.text);
  assert.equal((await api(d, 'DELETE', again.headers.get('location'), { token: newKey })).status, 200);
  await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin });
});

test('Chromium publishes with a fake camera; a viewer decodes it; DELETE leaves the viewer on the slate', { timeout: 120000 }, async (t) => {
  const { id, key } = await createCeremony();
  await start(id);
  assert.equal((await ceremony(id)).source_live, false);
  // the operator's page hears when the pass-through starts and stops
  const ws = await wsConnect(d);
  t.after(() => ws.close());
  ws.send({ subscribe: `ceremony:${id}` });
  await ws.next((m) => m.subscribed === `ceremony:${id}`);
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);

  const pubPage = await (await browser.newContext()).newPage();
  await pubPage.goto(`${d.url}/healthz`);
  const pub = await whipPublish(pubPage, { id, key });
  assert.equal(pub.status, 201, pub.text);
  t.diagnostic(`publisher's video codec: ${pub.codec}`);

  await until(async () => {
    const c = await ceremony(id);
    return c.source_live ? c : { ok: false, ...c };
  }, 15000, 'the publisher to go live');
  const pubStats = await pubPage.evaluate(async () => {
    let sent = 0;
    (await window.publisher.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') sent = s.framesEncoded ?? 0;
    });
    return { state: window.publisher.connectionState, sent };
  });
  assert.equal(pubStats.state, 'connected');

  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto(`${d.url}/c/${id}`);
  await viewer.waitForSelector('#player[data-view="playing"]', { timeout: 20000 });
  const s1 = await until(async () => {
    const s = await rtcStats(viewer);
    return s && s.framesDecoded > 60 ? s : { ok: false, ...s };
  }, 20000, 'viewer framesDecoded > 60 from the publisher');
  assert.equal(s1.state, 'connected');
  assert.equal((await ceremony(id)).source_live, true);
  // Chromium sends constrained baseline: passed through as it is, so the
  // viewer decodes the publisher's own 640 wide pictures, not the 1280
  // wide ones the server's encoder makes.
  const live = await until(async () => {
    const s = await rtcStats(viewer);
    return s && s.width === 640 ? s : { ok: false, ...s };
  }, 10000, "the publisher's own picture size at the viewer");
  assert.equal(live.width, 640);
  assert.equal((await ceremony(id)).video_passthrough, true);
  const on = await ws.next((m) => m.topic === `ceremony:${id}` && m.event.type === 'video', 5000);
  assert.deepEqual(on.event, { type: 'video', passthrough: true });
  // ... and tells the operator, who sees it on the console
  const opCtx = await browser.newContext({ locale: 'en-US' });
  await opCtx.addCookies([{ name: 'sinian_session', value: admin, url: d.url }]);
  const op = await opCtx.newPage();
  await op.goto(`${d.url}/operator.html?id=${id}`);
  await op.waitForSelector('#video-line:has-text("exactly as OBS sends it")', { timeout: 10000 });
  const anon = await api(d, 'GET', `/api/ceremonies/${id}`);
  assert.equal(anon.status, 200);
  assert.equal(anon.json.video_passthrough, undefined); // managers only

  // DELETE: the publication ends, the viewer stays connected on the slate
  const del = await pubPage.evaluate(async ({ loc, key }) =>
    (await fetch(loc, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).status, { loc: pub.location, key });
  assert.equal(del, 200);
  await until(async () => {
    const c = await ceremony(id);
    return !c.source_live ? c : { ok: false };
  }, 5000, 'the slate');
  const s2 = await rtcStats(viewer);
  const s3 = await until(async () => {
    const s = await rtcStats(viewer);
    return s && s.framesDecoded > s2.framesDecoded + 30 ? s : { ok: false, ...s };
  }, 10000, 'frames on the slate');
  assert.equal(s3.state, 'connected');
  assert.equal(s3.width, 1280); // the server's encoder: the slate
  assert.equal((await ceremony(id)).state, 'live');
  assert.equal((await ceremony(id)).video_passthrough, false);
  const off = await ws.next((m) => m.topic === `ceremony:${id}` && m.event.type === 'video' && !m.event.passthrough, 5000);
  assert.deepEqual(off.event, { type: 'video', passthrough: false });
  await op.waitForSelector('#video-line', { state: 'hidden', timeout: 10000 }); // the slate: no publisher
  await opCtx.close();
  await pubPage.evaluate(() => window.publisher.close());
  await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin });
});
