// live.mjs — helpers the ceremony tests and benches share: waiting for a
// condition, an admin account with one funeral home, percentiles, and the
// counters of a page's WebRTC connection (the player page keeps it at window.sinianPlayer.pc,
// the operator's preview at window.sinianPreview.pc).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, BIN } from './daemon.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Call fn until it returns something truthy that is not { ok: false }, at
 * most limitMs; then return it. On timeout, fail naming `what` and the
 * last value seen.
 */
export async function until(fn, limitMs = 10000, what = 'condition', stepMs = 100) {
  const deadline = Date.now() + limitMs;
  let last;
  for (;;) {
    last = await fn();
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(stepMs);
  }
}

/**
 * Create an admin (login, password) with the daemon's own CLI, sign in,
 * and create a funeral home. Resolves with { admin (token), agencyId }.
 */
export async function adminWithAgency(d, { login, password }, agency = '八宝山殡仪馆') {
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, 'user', 'add', '--login', login,
    '--role', 'admin', '--password-stdin'], { input: `${password}\n`, encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  const s = await api(d, 'POST', '/api/session', { json: { login, password } });
  assert.equal(s.status, 200, s.text);
  const ag = await api(d, 'POST', '/api/agencies', { token: s.json.token, json: { name: agency, region_code: '110107' } });
  assert.equal(ag.status, 201, ag.text);
  return { admin: s.json.token, agencyId: ag.json.id };
}

/**
 * Inbound counters of a page's RTCPeerConnection (window[which].pc), or
 * null before it exists: { framesDecoded, width, audioPackets, state }.
 */
export function rtcStats(page, which = 'sinianPlayer') {
  return page.evaluate(async (name) => {
    const pc = window[name]?.pc;
    if (!pc) return null;
    const out = { framesDecoded: 0, width: 0, audioPackets: 0, state: pc.connectionState };
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        out.framesDecoded = s.framesDecoded ?? 0;
        out.width = s.frameWidth ?? 0;
      } else if (s.kind === 'audio') {
        out.audioPackets = s.packetsReceived ?? 0;
      }
    });
    return out;
  }, which);
}

/** n, median, p95 (nearest rank), min and max of a list of numbers. */
export function summary(values) {
  const v = [...values].sort((a, b) => a - b);
  const rank = (p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, median, p95: rank(0.95), min: v[0], max: v[v.length - 1] };
}

/**
 * Publish a fake camera from page (already on the daemon's origin) to
 * /whip/{id} with the stream key, as OBS would; the page keeps the
 * connection at window.publisher. Resolves with { status, location, codec }
 * (the answer's video codec), or { status, text } when refused.
 */
export function whipPublish(page, { id, key, width = 640 }) {
  return page.evaluate(async (o) => {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: o.width, height: Math.round((o.width * 9) / 16), frameRate: 30 },
      audio: true,
    });
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 2000);
    });
    const r = await fetch(`/whip/${o.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${o.key}` },
      body: pc.localDescription.sdp,
    });
    const text = await r.text();
    if (r.status !== 201) return { status: r.status, text };
    await pc.setRemoteDescription({ type: 'answer', sdp: text });
    window.publisher = pc;
    return { status: r.status, location: r.headers.get('location'), codec: /a=rtpmap:\d+ (\w+)\/90000/.exec(text)?.[1] };
  }, { id, key, width });
}

/**
 * Create a public ceremony on the daemon's test source (720p30 H.264 +
 * Opus), start it and wait until the source is live; resolves with its id.
 */
export async function liveTestCeremony(d, token, agencyId, limitMs = 15000) {
  const c = await api(d, 'POST', '/api/ceremonies', {
    token,
    json: {
      agency_id: agencyId, title: '张桂兰女士告别仪式', deceased_name: '张桂兰',
      scheduled_start: '2026-04-04T09:00:00Z', scheduled_end: '2026-04-04T10:00:00Z',
      visibility: 'public', source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  const s = await api(d, 'POST', `/api/ceremonies/${c.json.id}/start`, { token });
  assert.equal(s.status, 200, s.text);
  await until(async () => (await api(d, 'GET', `/api/ceremonies/${c.json.id}`)).json.source_live,
    limitMs, 'the test source live');
  return c.json.id;
}
