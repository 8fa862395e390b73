// Check-in at the cemetery gate with the phone's camera, in headless
// Chromium fed a video file as its camera (--use-file-for-fake-video-capture):
// the file is a QR code drawn by the daemon and written as Y4M by
// tests/lib/qr_video.mjs. The refusals: a ticket for another day, and a QR
// code that is no ticket (a burial record's), are refused with their
// reason and nothing changes; a device without a camera, and a camera
// refused, say so and keep the typed code. A ticket scanned and checked
// in (and scanned again: already used) is in cemetery_from_nothing, at
// the end of a cemetery set up on its screens.
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
  const later = (await ok('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
    { date: cstDate(2), start: '23:00', end: '23:59', capacity: 20 })).slots[0].id;
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
  await page.goto(`${d.url}/staff.html`);
  await page.locator('#s-console').waitFor();
  await page.click('#tab-checkin');
  return { browser, page, errors };
}

async function state(id) {
  return (await ok('staffA', 'GET', `/api/bookings/${id}`)).state;
}

const refusal = (page) => page.locator('#checkin-form [data-form-error]:not([hidden])');

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
    [{ file: await video('refused', `/api/bookings/${tickets.later.id}/ticket.svg`), allow: false },
      'The camera was refused'],
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
