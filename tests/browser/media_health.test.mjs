// Honest ceremony pages when live video cannot run, and when the hall is
// late. A daemon whose GStreamer lacks the pango plugin (textoverlay,
// clockoverlay: Debian's gstreamer1.0-x) is started with a plugin directory
// that leaves that one plugin out: /healthz stays 200 but names the missing
// elements and the package to install, /metrics has the gauge at 0, the log
// says it at ERROR with the command, starting a ceremony answers 503 with
// the reason, the player page says live video is unavailable (not "not
// started yet") and the operator console shows the reason and no Start
// button. With every plugin, a ceremony whose start has passed says it
// should have started and waits for the hall, and a page that was waiting
// turns to that by itself when the start passes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let browser;
let plugins;

/** A plugin directory holding every system plugin but pango. */
async function pluginsWithoutPango() {
  const sys = execFileSync('pkg-config', ['--variable=pluginsdir', 'gstreamer-1.0'],
    { encoding: 'utf8' }).trim();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-gst-'));
  for (const f of await fsp.readdir(sys)) {
    if (!f.endsWith('.so') || f === 'libgstpango.so') continue;
    await fsp.symlink(path.join(sys, f), path.join(dir, f));
  }
  return dir;
}

async function ceremony(d, admin, agencyId, startMs, title) {
  const start = new Date(Date.now() + startMs);
  const end = new Date(start.getTime() + 3600e3);
  const iso = (t) => t.toISOString().replace(/\.\d+Z$/, 'Z');
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title,
      deceased_name: '王淑芬',
      scheduled_start: iso(start),
      scheduled_end: iso(end),
      visibility: 'public',
      source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  return c.json;
}

before(async () => {
  plugins = await pluginsWithoutPango();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (plugins) await fsp.rm(plugins, { recursive: true, force: true });
});

test('without the pango plugin: /healthz, /metrics, the log, start, the player and the console say so', { timeout: 120000 }, async () => {
  const registry = path.join(plugins, 'registry.bin');
  const d = await startDaemon({
    config: { media_loopback_only: true },
    env: {
      GST_PLUGIN_SYSTEM_PATH_1_0: plugins,
      GST_PLUGIN_SYSTEM_PATH: plugins,
      GST_PLUGIN_PATH_1_0: null,
      GST_PLUGIN_PATH: null,
      GST_REGISTRY_1_0: registry,
      GST_REGISTRY: registry,
    },
  });
  try {
    const h = await api(d, 'GET', '/healthz');
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.status, 'degraded');
    assert.equal(h.json.media.status, 'unavailable');
    assert.deepEqual([...h.json.media.missing].sort(), ['clockoverlay', 'textoverlay']);
    assert.equal(h.json.media.install, 'apt-get install gstreamer1.0-x');

    const m = await api(d, 'GET', '/metrics');
    assert.match(m.text, /^sinian_media_available 0$/m);
    assert.match(d.log(), /ERROR \[live\] live ceremonies unavailable: .*textoverlay.*apt-get install gstreamer1\.0-x/);

    const { admin, agencyId } = await adminWithAgency(d, ADMIN);
    const c = await ceremony(d, admin, agencyId, -60e3, '无法直播的仪式');
    assert.equal(c.media.install, 'apt-get install gstreamer1.0-x', 'its manager reads the fix');
    const pub = await api(d, 'GET', `/api/ceremonies/${c.id}`);
    assert.deepEqual(pub.json.media, { status: 'unavailable' }, 'the public reads no package');
    const st = await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin });
    assert.equal(st.status, 503, st.text);
    assert.match(st.json.error.message, /textoverlay.*apt-get install gstreamer1\.0-x/);

    for (const [locale, viewport, title] of [
      ['zh-CN', PHONE, /本服务器暂时无法播放直播画面/],
      ['en-US', DESKTOP, /Live video is unavailable on this server/],
    ]) {
      const ctx = await browser.newContext({ locale, viewport });
      const page = await ctx.newPage();
      const errors = collectConsoleErrors(page);
      await page.goto(`${d.url}/c/${c.id}`);
      await page.waitForSelector('#player[data-view="unavailable"]');
      assert.match(await page.textContent('#player-card-title'), title);
      assert.doesNotMatch(await page.textContent('#player'), /尚未开始|not started/);
      assert.deepEqual(errors, []);
      await ctx.close();
    }

    const ctx = await browser.newContext({ locale: 'en-US', viewport: PHONE });
    await ctx.addCookies([{ name: 'sinian_session', value: admin, url: d.url }]);
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/operator.html?id=${c.id}`);
    await page.waitForSelector('main[data-mode="detail"]');
    await page.waitForSelector('#media-alert:not([hidden])');
    assert.match(await page.textContent('#media-alert'), /apt-get install gstreamer1\.0-x/);
    assert.equal(await page.isHidden('#btn-start'), true, 'no Start button that cannot act');
    assert.deepEqual(errors, []);
    await ctx.close();
  } finally {
    await d.stop();
  }
});

test('with every plugin: a late ceremony waits for the hall, and a waiting page turns late by itself', { timeout: 90000 }, async () => {
  const d = await startDaemon({ config: { media_loopback_only: true } });
  try {
    const h = await api(d, 'GET', '/healthz');
    assert.deepEqual({ ...h.json, disk: undefined }, { status: 'ok', media: { status: 'ok' }, disk: undefined });
    assert.equal(h.json.disk.status, 'ok');
    assert.match((await api(d, 'GET', '/metrics')).text, /^sinian_media_available 1$/m);

    const { admin, agencyId } = await adminWithAgency(d, ADMIN);
    const late = await ceremony(d, admin, agencyId, -120e3, '迟到的仪式');

    const ctx = await browser.newContext({ locale: 'en-US', viewport: PHONE });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/c/${late.id}`);
    await page.waitForSelector('#player[data-view="waiting"]');
    // the start time in the page's own clock, as the page formats times
    const hhmm = await page.evaluate((s) => new Date(s).toLocaleTimeString(
      document.documentElement.lang, { hour: '2-digit', minute: '2-digit' }), late.scheduled_start);
    const title = await page.textContent('#player-card-title');
    assert.equal(title, `The ceremony should have started at ${hhmm}`);
    assert.match(await page.textContent('#player-card-body'), /waiting for the hall/);
    assert.match(await page.textContent('#state-badge'), /Waiting for the hall/);

    // made just before it is opened, with room for a slow machine
    const soon = await ceremony(d, admin, agencyId, 10000, '即将开始的仪式');
    await page.goto(`${d.url}/c/${soon.id}`);
    await page.waitForSelector('#player[data-view="waiting"]');
    assert.match(await page.textContent('#player-card-title'), /has not started yet/);
    await page.waitForFunction(() =>
      /should have started at/.test(document.getElementById('player-card-title').textContent),
    null, { timeout: 30000 });
    assert.deepEqual(errors, []);
    await ctx.close();
  } finally {
    await d.stop();
  }
});
