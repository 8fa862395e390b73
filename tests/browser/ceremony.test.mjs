// The live ceremony in headless Chromium, end to end: the player page
// /c/{id} waits while the ceremony is scheduled and joins by itself when it
// goes live (WHEP from the page's own JavaScript); getStats() proves video
// frames and audio packets arrive; the operator pauses and resumes the
// source and the same RTCPeerConnection keeps decoding; a second viewer sees
// the viewer count and the condolence the first one sends; leaving the page
// DELETEs the WHEP session; the operator console shows a live preview and
// ends the ceremony from its button, and the player switches to the replay.
// No page logs a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { until, adminWithAgency, rtcStats } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };

let d;
let browser;
let admin;
let id;
let agencyId;

const viewerCount = async () => (await api(d, 'GET', `/api/ceremonies/${id}`)).json.viewers;

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: '张桂兰女士告别仪式',
      deceased_name: '张桂兰',
      // tomorrow: the page waits as for a ceremony still to come
      scheduled_start: new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      scheduled_end: new Date(Date.now() + 90000e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      visibility: 'public',
      source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  id = c.json.id;
  browser = await launchBrowser(['--use-fake-ui-for-media-stream']);
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

test('player: waits, joins live, survives a paused source, shares condolences, switches to the replay', { timeout: 90000 }, async (t) => {
  const ctxA = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const ctxB = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const errorsA = collectConsoleErrors(a);
  const errorsB = collectConsoleErrors(b);

  // scheduled: the page waits and follows the ceremony
  await a.goto(`${d.url}/c/${id}`);
  await a.waitForSelector('main[data-state="scheduled"]');
  await a.waitForSelector('#player[data-view="waiting"]');
  assert.match(await a.textContent('#player-card-title'), /仪式尚未开始/);
  assert.equal(await a.textContent('#cer-title'), '张桂兰女士告别仪式');
  await a.waitForTimeout(1000); // the page follows ceremony:{id} on /ws by now

  // the operator starts: the page joins without a reload
  const started = Date.now();
  const st = await api(d, 'POST', `/api/ceremonies/${id}/start`, { token: admin });
  assert.equal(st.status, 200, st.text);
  await a.waitForSelector('main[data-state="live"]');
  await a.waitForSelector('#player[data-view="playing"]', { timeout: 20000 });
  const joinMs = Date.now() - started;
  const firstFrameMs = await a.evaluate(() => window.sinianPlayer.player.firstFrameMs);
  t.diagnostic(`start → playing ${joinMs} ms; WHEP POST → first frame ${Math.round(firstFrameMs)} ms`);

  // a second viewer joins straight into the live ceremony
  await b.goto(`${d.url}/c/${id}`);
  await b.waitForSelector('#player[data-view="playing"]', { timeout: 20000 });

  // video frames and audio packets arrive
  const s1 = await until(async () => {
    const s = await rtcStats(a);
    return s && s.framesDecoded > 60 && s.audioPackets > 100 ? s : { ok: false, ...s };
  }, 20000, 'framesDecoded > 60 and audio packetsReceived > 100');
  assert.equal(s1.state, 'connected');
  assert.equal(s1.width, 1280);
  t.diagnostic(`viewer A: ${s1.framesDecoded} frames decoded, ${s1.audioPackets} audio packets`);

  // muted autoplay with a clear unmute button
  assert.equal(await a.evaluate(() => document.getElementById('live-video').muted), true);
  assert.equal(await a.isVisible('#unmute'), true);
  await a.click('#unmute');
  assert.equal(await a.evaluate(() => document.getElementById('live-video').muted), false);
  assert.equal(await a.getAttribute('#unmute', 'aria-pressed'), 'true');

  // both viewers are counted, live over the socket
  await b.waitForFunction(() => Number(document.getElementById('viewers').dataset.count) >= 2, null, { timeout: 10000 });
  assert.equal(await b.isVisible('#viewers'), true);
  assert.match(await b.textContent('#viewers'), /2 watching/);

  // pause and resume: the same connection keeps decoding
  await a.evaluate(() => { window.firstPc = window.sinianPlayer.pc; });
  const off = await api(d, 'PUT', `/api/ceremonies/${id}/source`, { token: admin, json: { on: false } });
  assert.equal(off.status, 200, off.text);
  await a.waitForSelector('#source-note', { state: 'visible', timeout: 5000 });
  await a.waitForTimeout(1500);
  const paused = await rtcStats(a);
  const on = await api(d, 'PUT', `/api/ceremonies/${id}/source`, { token: admin, json: { on: true } });
  assert.equal(on.status, 200, on.text);
  await a.waitForSelector('#source-note', { state: 'hidden', timeout: 5000 });
  const resumed = await rtcStats(a);
  await a.waitForTimeout(2000);
  const later = await rtcStats(a);
  assert.ok(paused.framesDecoded > s1.framesDecoded, `the slate plays while paused (${s1.framesDecoded} → ${paused.framesDecoded})`);
  assert.ok(later.framesDecoded >= resumed.framesDecoded + 30,
    `new frames after the resume (${resumed.framesDecoded} → ${later.framesDecoded})`);
  assert.equal(later.state, 'connected');
  assert.equal(await a.evaluate(() => window.sinianPlayer.pc === window.firstPc), true, 'the same RTCPeerConnection');
  assert.equal(await a.evaluate(() => window.sinianPlayer.player.joins), 1, 'no rejoin');
  t.diagnostic(`pause/resume: frames ${s1.framesDecoded} → ${paused.framesDecoded} (paused) → ${resumed.framesDecoded} (resumed) → ${later.framesDecoded}`);

  // a condolence from one viewer appears on the other's page
  await a.fill('#from_name', '外孙 小明');
  await a.fill('#text', '外婆，一路走好。');
  await a.click('#cond-form button[type="submit"]');
  await b.waitForSelector('#cond-list .cond-item-text >> text=外婆，一路走好。', { timeout: 5000 });
  assert.equal(await b.textContent('#cond-list li:first-child .cond-item-name'), '外孙 小明');
  assert.equal(await a.locator('#cond-list li').count(), 1, 'shown once to its sender');
  await b.fill('#from_name', 'Lily');
  await b.fill('#text', 'With love from Vancouver.');
  await b.click('#cond-form button[type="submit"]');
  await a.waitForSelector('#cond-list .cond-item-text >> text=With love from Vancouver.', { timeout: 5000 });

  // leaving the page ends its WHEP session (DELETE on pagehide)
  await b.goto('about:blank');
  await until(async () => (await viewerCount()) === 1 || { ok: false }, 10000, 'viewer count 1 after B left');

  // the operator console: a live preview, the OBS settings, and the stop button
  const ctxOp = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
  await ctxOp.addCookies([{ name: 'sinian_session', value: admin, url: d.url }]);
  const op = await ctxOp.newPage();
  const errorsOp = collectConsoleErrors(op);
  await op.goto(`${d.url}/operator.html?id=${id}`);
  await op.waitForSelector('main[data-mode="detail"]');
  assert.equal(await op.inputValue('#whip-url'), `${d.url}/whip/${id}`);
  await op.waitForSelector('#preview[data-view="playing"]', { timeout: 20000 });
  const ps = await until(async () => {
    const s = await rtcStats(op, 'sinianPreview');
    return s && s.framesDecoded > 10 ? s : { ok: false, ...s };
  }, 10000, 'preview frames');
  assert.ok(ps.framesDecoded > 10);
  await op.waitForFunction(() => Number(document.getElementById('d-viewers').dataset.count) === 2, null, { timeout: 10000 });

  await op.click('#btn-stop');
  await op.click('#confirm-ok');
  await op.waitForSelector('#btn-start', { state: 'hidden' });
  await op.waitForSelector('#d-state:has-text("已结束")', { timeout: 10000 });

  // the player switches to the replay by itself
  await a.waitForSelector('main[data-state="ended"]', { timeout: 10000 });
  await a.waitForSelector('#replay-video', { state: 'visible', timeout: 10000 });
  assert.equal(await a.isVisible('#live-video'), false);
  assert.equal(await a.evaluate(() => window.sinianPlayer.pc), null, 'the live connection is closed');
  assert.equal(await a.getAttribute('#replay-video', 'src'), `/api/ceremonies/${id}/recording`);
  const replay = await until(() => a.evaluate(() => {
    const v = document.getElementById('replay-video');
    return v.readyState >= 1 && v.duration > 1 ? { duration: v.duration } : { ok: false, readyState: v.readyState };
  }), 10000, 'replay metadata');
  t.diagnostic(`replay: ${replay.duration.toFixed(1)} s`);
  assert.equal(await a.evaluate(() => document.getElementById('replay-video').controls), true);

  assert.deepEqual(errorsA, [], 'viewer A console');
  assert.deepEqual(errorsB, [], 'viewer B console');
  assert.deepEqual(errorsOp, [], 'operator console');
  await ctxA.close();
  await ctxB.close();
  await ctxOp.close();
});

// WHEP by hand from Chromium: one viewer offers VP8 only, one H.264 only;
// both decode video and receive audio from the same live ceremony. On the
// lite engine (the default) both answers are ICE-lite with one host
// candidate on the same media UDP port.
test('a VP8-only and an H.264-only viewer both play; the lite engine answers on one UDP port', { timeout: 90000 }, async (t) => {
  const lite = (process.env.SINIAN_MEDIA_ENGINE ?? 'lite') === 'lite';
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: 'Codecs',
      deceased_name: '李明',
      scheduled_start: new Date(Date.now() + 60e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      scheduled_end: new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      visibility: 'public',
      source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  const cid = c.json.id;
  assert.equal((await api(d, 'POST', `/api/ceremonies/${cid}/start`, { token: admin })).status, 200);
  t.after(() => api(d, 'POST', `/api/ceremonies/${cid}/stop`, { token: admin }));
  const ctx = await browser.newContext();
  t.after(() => ctx.close());

  const join = async (codec) => {
    const page = await ctx.newPage();
    await page.goto(`${d.url}/healthz`);
    const r = await page.evaluate(async ({ cid, codec }) => {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      const video = pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      const only = RTCRtpReceiver.getCapabilities('video').codecs
        .filter((k) => k.mimeType === `video/${codec}` &&
          (codec !== 'H264' || /profile-level-id=42e01f/.test(k.sdpFmtpLine ?? '')));
      video.setCodecPreferences(only);
      await pc.setLocalDescription(await pc.createOffer());
      const res = await fetch(`/whep/${cid}`, {
        method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp,
      });
      const sdp = await res.text();
      if (res.status !== 201) return { status: res.status, sdp };
      await pc.setRemoteDescription({ type: 'answer', sdp });
      window.viewer = { pc };
      return { status: res.status, sdp, location: res.headers.get('location') };
    }, { cid, codec });
    assert.equal(r.status, 201, r.sdp);
    return { page, ...r };
  };
  const vp8 = await join('VP8');
  const h264 = await join('H264');
  assert.match(vp8.sdp, /a=rtpmap:\d+ VP8\/90000/);
  assert.doesNotMatch(vp8.sdp, /H264/);
  assert.match(h264.sdp, /a=rtpmap:\d+ H264\/90000/);
  if (lite) {
    const port = (sdp) => /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(sdp)?.[1];
    for (const r of [vp8, h264]) {
      assert.match(r.sdp, /^a=ice-lite\r?$/m);
      assert.match(r.sdp, /^a=setup:passive\r?$/m);
      assert.match(r.sdp, /^a=end-of-candidates\r?$/m);
    }
    assert.ok(port(vp8.sdp), vp8.sdp);
    assert.equal(port(vp8.sdp), port(h264.sdp), 'one media port for every viewer');
  }
  for (const [name, v] of [['VP8', vp8], ['H264', h264]]) {
    const s = await until(async () => {
      const x = await rtcStats(v.page, 'viewer');
      return x && x.framesDecoded > 30 && x.audioPackets > 50 ? x : { ok: false, ...x };
    }, 20000, `${name} viewer: frames decoded and audio`);
    const codec = await v.page.evaluate(async () => {
      let mime = '';
      (await window.viewer.pc.getStats()).forEach((s) => {
        if (s.type === 'codec' && s.mimeType.startsWith('video/')) mime = s.mimeType;
      });
      return mime;
    });
    assert.equal(codec, `video/${name}`);
    t.diagnostic(`${name} viewer: ${s.framesDecoded} frames, ${s.audioPackets} audio packets`);
  }
  assert.equal((await api(d, 'GET', `/api/ceremonies/${cid}`)).json.viewers, 2);
  assert.equal((await api(d, 'DELETE', vp8.location)).status, 200);
  await until(async () => (await api(d, 'GET', `/api/ceremonies/${cid}`)).json.viewers === 1 || { ok: false },
    5000, 'viewer count 1 after DELETE');
});
