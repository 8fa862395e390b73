// Check-in at the cemetery gate with the phone's camera, in headless
// Chromium fed a video file as its camera (--use-file-for-fake-video-capture):
// the file is the visit ticket's QR code, drawn by the daemon
// (/api/bookings/{id}/ticket.svg) and written as Y4M by tests/lib/qr_video.mjs.
// On a phone (zh-CN, 390x844) and a desktop (en) the ticket is read and the
// visit ends checked in; the same ticket scanned again reads "already
// used"; a ticket for another day, and a QR code that is no ticket (a
// burial record's), are refused with their reason and nothing changes; a
// device without a camera, and a camera refused, say so and keep the
// typed code. Debian's Chromium has no BarcodeDetector on Linux: there the
// page decodes with jsQR, served by the daemon at /vendor/jsqr.js (the test
// says which decoder ran).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { makeWorld, cstDate } from '../lib/visit_world.mjs';
import { qrY4m } from '../lib/qr_video.mjs';

const FAKE_CAMERA = '--use-fake-device-for-media-stream';
const ALLOW_CAMERA = '--use-fake-ui-for-media-stream';
const PHONE = { locale: 'zh-CN', viewport: { width: 390, height: 844 } };
const DESKTOP = { locale: 'en-US', viewport: { width: 1280, height: 800 } };

let d;
let w;
let dir;
const tickets = {};

const ok = async (who, method, url, json) => {
  const r = await w.as(who, method, url, { json });
  assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
  return r.json;
};

async function book(who, slotId) {
  return ok(who, 'POST', '/api/bookings',
    { slot_id: slotId, plot_id: w.ids.plotA, persons: 2, contact_phone: '13912345678' });
}

/** A Y4M file showing the QR code the daemon draws at URL. */
async function video(name, url, who = 'staffA') {
  const r = await w.as(who, 'GET', url);
  assert.equal(r.status, 200, r.text);
  return qrY4m(r.text, path.join(dir, `${name}.y4m`));
}

before(async () => {
  d = await startDaemon();
  w = await makeWorld(d);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinian-camera-'));
  const [today, later] = await Promise.all([cstDate(0), cstDate(2)].map(async (date) =>
    (await ok('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
      { date, start: '23:00', end: '23:59', capacity: 20 })).slots[0].id));
  tickets.phone = await book('familyA', today);
  tickets.desktop = await book('familyB', today);
  tickets.later = await book('familyA', later);
  const ag = await ok('admin', 'POST', '/api/agencies', { name: '东郊殡仪馆', region_code: '110107' });
  tickets.record = await ok('admin', 'POST', '/api/deceased', { agency_id: ag.id, name: '王大明', death_date: '2026-11-01' });
});

after(async () => {
  await d?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A browser whose camera shows FILE (none: no camera; allow false: the
 * camera refused), signed in as staff of cemetery A on the check-in tab.
 */
async function gate({ locale, viewport }, { file = null, allow = true } = {}) {
  const args = [];
  if (file) args.push(FAKE_CAMERA, `--use-file-for-fake-video-capture=${file}`);
  args.push(allow ? ALLOW_CAMERA : '--deny-permission-prompts');
  const browser = await launchBrowser(args);
  const ctx = await browser.newContext({ locale, viewport });
  await ctx.addCookies([{ name: 'sinian_session', value: w.tokens.staffA, url: d.url }]);
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  const vendor = [];
  page.on('request', (req) => { if (req.url().includes('/vendor/jsqr.js')) vendor.push(req.url()); });
  await page.goto(`${d.url}/staff.html`);
  await page.locator('#s-console').waitFor();
  await page.click('#tab-checkin');
  return { browser, page, errors, vendor };
}

/** Which decoder ran; on a browser without BarcodeDetector it is jsQR. */
async function decoder(t, page, vendor) {
  const engine = await page.getAttribute('#scan-card', 'data-engine');
  const native = await page.evaluate(() => 'BarcodeDetector' in window);
  t.diagnostic(`decoder: ${engine} (BarcodeDetector ${native ? 'present' : 'absent'})`);
  if (!native) {
    assert.equal(engine, 'jsqr');
    assert.ok(vendor.length > 0, 'jsQR fetched from the daemon');
  }
  return engine;
}

async function state(id) {
  return (await ok('staffA', 'GET', `/api/bookings/${id}`)).state;
}

const refusal = (page) => page.locator('#checkin-form [data-form-error]:not([hidden])');

test('phone (zh-CN): the ticket scanned is checked in; scanned again, already used', { timeout: 90000 }, async (t) => {
  const file = await video('phone', `/api/bookings/${tickets.phone.id}/ticket.svg`);
  const { browser, page, errors, vendor } = await gate(PHONE, { file });
  try {
    await page.click('#scan-start');
    await page.locator(`#checkin-ok[data-booking="${tickets.phone.id}"]:not([hidden])`).waitFor();
    assert.match(await page.textContent('#checkin-ok'), /核验通过：2 人/);
    assert.equal(await state(tickets.phone.id), 'checked_in');
    await decoder(t, page, vendor);
    // the picture fits the phone, and the ticket staying in view is not sent again
    const box = await page.locator('#scan-video').boundingBox();
    assert.ok(box.width > 200 && box.x >= 0 && box.x + box.width <= 390, `video ${JSON.stringify(box)}`);
    await page.waitForTimeout(1500);
    assert.equal(await refusal(page).count(), 0, 'no second check-in of a ticket still in view');

    // the camera off and on again: the same ticket is now refused
    await page.click('#scan-stop');
    assert.equal(await page.getAttribute('#scan-card', 'data-camera'), 'off');
    await page.click('#scan-start');
    await refusal(page).waitFor();
    assert.equal((await refusal(page).textContent()).trim(), '此预约码已经使用过。');
    assert.equal(await page.inputValue('#checkin-code'), tickets.phone.code);
    // leaving the tab turns the camera off
    await page.click('#tab-visits');
    await page.waitForFunction(() => document.getElementById('scan-card').dataset.camera === 'off');
    assert.equal(await page.evaluate(() => document.getElementById('scan-video').srcObject), null);
    assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
  } finally {
    await browser.close();
  }
});

test('desktop (en): the ticket scanned is checked in', { timeout: 60000 }, async (t) => {
  const file = await video('desktop', `/api/bookings/${tickets.desktop.id}/ticket.svg`);
  const { browser, page, errors, vendor } = await gate(DESKTOP, { file });
  try {
    await page.click('#scan-start');
    await page.locator(`#checkin-ok[data-booking="${tickets.desktop.id}"]:not([hidden])`).waitFor();
    assert.match(await page.textContent('#checkin-ok'), /Checked in: 2 people/);
    assert.equal(await state(tickets.desktop.id), 'checked_in');
    await decoder(t, page, vendor);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('desktop (en): a ticket for another day is refused and stays booked', { timeout: 60000 }, async () => {
  const file = await video('later', `/api/bookings/${tickets.later.id}/ticket.svg`);
  const { browser, page, errors } = await gate(DESKTOP, { file });
  try {
    await page.click('#scan-start');
    await refusal(page).waitFor();
    assert.equal((await refusal(page).textContent()).trim(), 'This booking is not for today.');
    assert.equal(await state(tickets.later.id), 'booked');
    assert.equal(errors.length, 1);
    assert.match(errors[0], /status of 409/);
  } finally {
    await browser.close();
  }
});

test('phone (zh-CN): a QR code that is not a ticket is refused without asking the server', { timeout: 60000 }, async () => {
  const file = await video('record', `/api/deceased/${tickets.record.id}/qr.svg`, 'admin');
  const { browser, page, errors } = await gate(PHONE, { file });
  const checkins = [];
  page.on('request', (req) => { if (req.url().endsWith('/api/checkins')) checkins.push(req.url()); });
  try {
    await page.click('#scan-start');
    await refusal(page).waitFor();
    assert.match(await refusal(page).textContent(), /这不是预约入园的二维码/);
    assert.deepEqual(checkins, []);
    assert.equal(await page.inputValue('#checkin-code'), '');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('no camera, or the camera refused: said, and the code can still be typed', { timeout: 60000 }, async () => {
  for (const [opts, text] of [
    [{ file: null }, 'This device has no camera the page can use'],
    [{ file: path.join(dir, 'desktop.y4m'), allow: false }, 'The camera was refused'],
  ]) {
    const { browser, page, errors } = await gate(DESKTOP, opts);
    try {
      await page.click('#scan-start');
      await page.locator('#scan-status', { hasText: text }).waitFor();
      assert.equal(await page.isHidden('#scan-view'), true);
      assert.equal(await page.isVisible('#scan-start'), true, 'the camera may be tried again');
      await page.fill('#checkin-code', tickets.later.code.toLowerCase());
      await page.click('#checkin-form [type="submit"]');
      await refusal(page).waitFor();
      assert.equal((await refusal(page).textContent()).trim(), 'This booking is not for today.');
      assert.equal(errors.filter((e) => !/status of 409/.test(e)).length, 0, errors.join('\n'));
    } finally {
      await browser.close();
    }
  }
});
