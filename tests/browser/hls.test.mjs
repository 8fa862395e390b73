// The player page over HLS in headless Chromium. With RTCPeerConnection
// removed (an init script, as in a browser without WebRTC) the page plays
// the ceremony over hls.js, served by the daemon: frames advance, the page
// says the picture is a few seconds behind, on a phone and on a desktop.
// A browser whose WebRTC never connects (no usable ICE candidate) falls
// back to HLS by itself. How far behind the hall HLS is
// (EXT-X-PROGRAM-DATE-TIME against the clock) is printed; the goal of
// ≤ 6 s is written down in docs/performance.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { until, adminWithAgency, liveTestCeremony } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };

let d;
let browser;
let id;

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  const { admin, agencyId } = await adminWithAgency(d, ADMIN);
  id = await liveTestCeremony(d, admin, agencyId);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

/** Frames shown, position, and the HLS player's view of the page. */
function hlsState(page) {
  return page.evaluate(() => {
    const v = document.getElementById('live-video');
    const h = window.sinianPlayer.hls;
    return {
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      time: v.currentTime,
      mode: h?.mode ?? null,
      // how far behind the clock the frame on screen is
      behindMs: h?.hls?.playingDate ? Date.now() - h.hls.playingDate.getTime() : null,
      transport: document.getElementById('player').dataset.transport,
      fallback: document.getElementById('player').dataset.fallback ?? null,
      note: document.getElementById('hls-note').hidden ? null : document.getElementById('hls-note').textContent,
    };
  });
}

for (const [label, viewport, locale, note] of [
  ['phone', { width: 390, height: 844 }, 'zh-CN', '画面比现场晚几秒'],
  ['desktop', { width: 1280, height: 800 }, 'en-US', 'Delayed a few seconds'],
]) {
  test(`no WebRTC, ${label}: the page plays over hls.js and says it is delayed`, { timeout: 90000 }, async (t) => {
    const ctx = await browser.newContext({ viewport, locale });
    await ctx.addInitScript(() => {
      delete window.RTCPeerConnection;
      delete window.webkitRTCPeerConnection;
    });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    const vendor = [];
    page.on('response', (r) => { if (r.url().includes('/vendor/')) vendor.push(`${r.status()} ${new URL(r.url()).pathname}`); });
    await page.goto(`${d.url}/c/${id}`);
    await page.waitForSelector('#player[data-view="playing"]', { timeout: 45000 });
    const a = await hlsState(page);
    assert.equal(a.transport, 'hls');
    assert.equal(a.fallback, 'no_webrtc');
    assert.equal(a.mode, 'hls.js');
    assert.equal(a.note, note);
    assert.deepEqual(vendor, ['200 /vendor/hls.mjs']);
    await page.waitForTimeout(3000);
    const b = await hlsState(page);
    t.diagnostic(`${label}: ${b.frames - a.frames} frames in 3 s, ${b.behindMs} ms behind the clock`);
    // frames and time advance (slowly on a loaded machine: no rate here)
    assert.ok(b.frames - a.frames >= 10, `frames advance: ${a.frames} → ${b.frames}`);
    assert.ok(b.time - a.time > 1, `time advances: ${a.time} → ${b.time}`);
    // the playlist dates its segments: the picture is behind the clock
    assert.ok(b.behindMs > 0, `${b.behindMs} ms behind`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('WebRTC that never connects gives way to HLS', { timeout: 90000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  // relay candidates only, and no TURN server: the connection never forms
  await ctx.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    function NoMedia(cfg = {}, ...rest) {
      return new Native({ ...cfg, iceServers: [], iceTransportPolicy: 'relay' }, ...rest);
    }
    NoMedia.prototype = Native.prototype;
    window.RTCPeerConnection = NoMedia;
  });
  const page = await ctx.newPage();
  const started = Date.now();
  await page.goto(`${d.url}/c/${id}`);
  await page.waitForSelector('#player[data-transport="hls"][data-view="playing"]', { timeout: 40000 });
  const s = await hlsState(page);
  assert.equal(s.fallback, 'no_frame');
  assert.ok(s.note);
  assert.ok(Date.now() - started >= 7000, 'WebRTC had its few seconds first');
  await until(async () => {
    const x = await hlsState(page);
    return x.frames > s.frames + 10 ? x : { ok: false, x };
  }, 20000, 'frames over HLS');
  await ctx.close();
});
