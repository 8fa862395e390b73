// The operator console tells the truth about a ceremony's picture, in
// headless Chromium on a phone (zh-CN, 390x844) and a desktop (en):
// a WHIP ceremony started with nobody connected reads "waiting for the
// publisher" with no Pause/Resume and no pass-through advice, and its
// viewers read "about to begin", never "will resume"; a publisher (a
// Chromium page with a fake camera) takes it live; the publisher leaving
// reads "publisher disconnected", still without Resume; ended, the stream
// key and OBS steps are gone. A test source started from the console never
// shows Resume on its way to live (every change of the button is watched),
// and its pause and resume act. Pausing a WHIP picture is the publisher's:
// PUT /source answers 409.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { until, adminWithAgency, whipPublish } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };

let d;
let browser;
let admin;
let agencyId;

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

async function create(kind) {
  const r = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: '李秀英女士告别仪式',
      deceased_name: '李秀英',
      scheduled_start: '2026-12-05T09:00:00Z',
      scheduled_end: '2026-12-05T10:00:00Z',
      source: { kind },
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function console_(locale, viewport) {
  const ctx = await browser.newContext({ locale, viewport });
  await ctx.addCookies([{ name: 'sinian_session', value: admin, url: d.url }]);
  const page = await ctx.newPage();
  return { ctx, page, errors: collectConsoleErrors(page) };
}

/** Record every time #btn-resume or #btn-pause becomes visible. */
function watchButtons(page) {
  return page.evaluate(() => {
    window.shown = [];
    const note = () => {
      for (const id of ['btn-resume', 'btn-pause']) {
        if (!document.getElementById(id).hidden) window.shown.push(id);
      }
    };
    new MutationObserver(note).observe(document.getElementById('op-detail'),
      { attributes: true, subtree: true, attributeFilter: ['hidden'] });
    note();
  });
}

const visible = async (page, sel) => !(await page.isHidden(sel));

async function publish(page, id, key) {
  await page.goto(`${d.url}/healthz`);
  return whipPublish(page, { id, key });
}

for (const [locale, viewport, texts] of [
  ['zh-CN', { width: 390, height: 844 }, { waiting: '等待推流', lost: '画面中断', ended: '已结束', begin: '仪式即将开始' }],
  ['en-US', { width: 1280, height: 800 }, { waiting: 'Waiting for the publisher', lost: 'Picture lost', ended: 'Ended', begin: 'begin shortly' }],
]) {
  test(`WHIP: waiting for the publisher, live, publisher gone, ended (${locale} ${viewport.width}px)`, { timeout: 150000 }, async () => {
    const c = await create('whip');
    const op = await console_(locale, viewport);
    await op.page.goto(`${d.url}/operator.html?id=${c.id}`);
    await op.page.waitForSelector('#op-detail[data-phase="scheduled"]');
    await watchButtons(op.page);
    assert.equal(await visible(op.page, '#obs-box'), true, 'the OBS steps before it starts');

    // started with nobody connected: waiting, nothing to pause or resume
    await op.page.click('#btn-start');
    await op.page.waitForSelector('#op-detail[data-phase="waiting"]', { timeout: 10000 });
    assert.match(await op.page.textContent('#d-state'), new RegExp(texts.waiting));
    assert.equal(await visible(op.page, '#btn-stop'), true);
    assert.equal(await visible(op.page, '#video-line'), false, 'no pass-through advice without a publisher');
    assert.equal(await visible(op.page, '#obs-box'), true);
    assert.equal(await visible(op.page, '#whip-pause-hint'), true);
    const g = (await api(d, 'GET', `/api/ceremonies/${c.id}`)).json;
    assert.equal(g.phase, 'waiting');
    assert.ok(g.phase_seq > 0);
    const pause = await api(d, 'PUT', `/api/ceremonies/${c.id}/source`, { token: admin, json: { on: false } });
    assert.equal(pause.status, 409, pause.text);
    assert.equal(pause.json.error.code, 'publisher_controls');

    // a viewer meanwhile: about to begin, not "will resume"
    const vctx = await browser.newContext({ locale, viewport });
    const viewer = await vctx.newPage();
    await viewer.goto(`${d.url}/c/${c.id}`);
    await viewer.waitForSelector('main[data-state="live"]');
    const note = await viewer.textContent('#source-note');
    assert.doesNotMatch(note, /resume|恢复/);
    if (await visible(viewer, '#source-note')) assert.match(note, new RegExp(texts.begin));

    // a publisher connects: live
    const pubPage = await (await browser.newContext()).newPage();
    const pub = await publish(pubPage, c.id, c.stream_key);
    assert.equal(pub.status, 201, pub.text);
    await op.page.waitForSelector('#op-detail[data-phase="live"]', { timeout: 20000 });
    assert.equal(await visible(op.page, '#d-live'), true);
    await op.page.waitForSelector('#video-line', { state: 'visible', timeout: 10000 });

    // the publisher leaves: interrupted, the slate, still no Resume
    const del = await pubPage.evaluate(async ({ loc, key }) =>
      (await fetch(loc, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).status,
    { loc: pub.location, key: c.stream_key });
    assert.equal(del, 200);
    await op.page.waitForSelector('#op-detail[data-phase="interrupted"]', { timeout: 10000 });
    assert.match(await op.page.textContent('#d-state'), new RegExp(texts.lost));
    assert.equal(await visible(op.page, '#video-line'), false);
    await until(async () => (await viewer.isHidden('#source-note')) ? { ok: false } : true, 10000, 'the viewer note');
    assert.doesNotMatch(await viewer.textContent('#source-note'), new RegExp(texts.begin));
    await pubPage.evaluate(() => window.publisher.close());
    await pubPage.context().close();

    // ended: no key, no OBS steps, no buttons
    await op.page.click('#btn-stop');
    await op.page.click('#confirm-ok');
    await op.page.waitForSelector('#op-detail[data-phase="ended"]', { timeout: 10000 });
    assert.match(await op.page.textContent('#d-state'), new RegExp(texts.ended));
    assert.equal(await visible(op.page, '#obs-box'), false);
    for (const b of ['#btn-start', '#btn-stop', '#btn-pause', '#btn-resume']) {
      assert.equal(await visible(op.page, b), false, b);
    }
    assert.deepEqual(await op.page.evaluate(() => window.shown), [], 'Pause/Resume never shown for WHIP');
    // the page fits the phone: nothing wider than the viewport
    const overflow = await op.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page ${overflow}px wider than the viewport`);
    assert.deepEqual(op.errors, []);
    await vctx.close();
    await op.ctx.close();
  });
}

test('test source: never Resume on the way to live; pause and resume act', { timeout: 60000 }, async () => {
  const c = await create('test');
  const op = await console_('en-US', { width: 390, height: 844 });
  await op.page.goto(`${d.url}/operator.html?id=${c.id}`);
  await op.page.waitForSelector('#op-detail[data-phase="scheduled"]');
  await watchButtons(op.page);
  await op.page.click('#btn-start');
  await op.page.waitForSelector('#op-detail[data-phase="live"]', { timeout: 20000 });
  await op.page.waitForSelector('#btn-pause', { state: 'visible' });
  await op.page.waitForTimeout(1500); // late answers and events have arrived
  assert.equal(await visible(op.page, '#btn-resume'), false);
  assert.equal(await visible(op.page, '#obs-box'), false, 'no OBS steps for a test source');
  assert.deepEqual([...new Set(await op.page.evaluate(() => window.shown))], ['btn-pause'], 'never Resume while starting');

  await op.page.click('#btn-pause');
  await op.page.waitForSelector('#op-detail[data-phase="paused"]', { timeout: 10000 });
  await op.page.waitForSelector('#btn-resume', { state: 'visible' });
  assert.equal(await visible(op.page, '#btn-pause'), false);
  await op.page.click('#btn-resume');
  await op.page.waitForSelector('#op-detail[data-phase="live"]', { timeout: 20000 });
  assert.equal(await visible(op.page, '#btn-resume'), false);
  assert.deepEqual(op.errors, []);
  await op.ctx.close();
  await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
});
