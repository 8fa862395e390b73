// A cemetery from nothing to a visit checked in by camera, all on its
// screens, in headless Chromium. The platform admin creates the cemetery
// on /admin.html and invites its first manager by phone number; the
// manager signs in, accepts on the account page and opens the console:
// imports its plots from tests/data/plots.csv (list and section plan),
// adds a service with its price, previews then publishes a peak season
// (Mar 28 – Apr 10 next year, hourly 08:00–17:00: 126 slots) and an
// evening slot today. A family finds the cemetery on /visit.html, picks
// the slot, signs in, books for one of the imported plots and gets the
// ticket's QR code. That QR, as the family's page shows it, is written
// as a Y4M video and fed to a second Chromium as its camera
// (--use-file-for-fake-video-capture): the manager's console scans it on
// the check-in tab and the visit reads checked in, on the console's
// bookings and on the family's ticket.
// Two passes, each with its own cemetery: the staff on a desktop (en)
// and the family on a phone (zh-CN, 390x844), then the reverse. On the
// phone the scan also shows that the ticket in view is sent once, that
// turning the camera off and on reads "already used", and that leaving
// the tab turns the camera off. Debian's Chromium has no BarcodeDetector
// on Linux: the page decodes with jsQR from /vendor/jsqr.js (checked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api, REPO } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { adminWithAgency } from '../lib/live.mjs';
import { signUp } from '../lib/accounts.mjs';
import { cstDate } from '../lib/visit_world.mjs';
import { qrY4m } from '../lib/qr_video.mjs';

const ADMIN = { login: 'platform@example.org', password: 'a platform of remembrance' };
const PASSWORD = 'pine and cypress 1976';
const PHONE = { locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { locale: 'en-US', viewport: { width: 1280, height: 800 } };
const SHOTS = process.env.SINIAN_SHOTS; // a folder: screenshots of each step

let d;
let browser;
let admin;
let dir;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000 } });
  ({ admin } = await adminWithAgency(d, ADMIN));
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinian-cemetery-'));
});

after(async () => {
  await browser?.close();
  await d?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A step done: on the phone nothing is wider than the screen; with
 *  SINIAN_SHOTS set, a screenshot of the whole page. */
async function shot(page, name) {
  if (page.viewportSize().width === PHONE.viewport.width) {
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 0, `${name}: the page is ${over}px wider than the phone`);
  }
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const get = async (token, url) => {
  const r = await api(d, 'GET', url, { token });
  assert.equal(r.status, 200, `GET ${url}: ${r.text}`);
  return r.json;
};

async function signIn(page, login, next) {
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === next),
    page.click('#signin-form [type="submit"]'),
  ]);
}

/** The admin, on /admin.html: a new cemetery and its first manager invited. */
async function adminMakes(form, name, managerLogin, step) {
  const ctx = await browser.newContext(form);
  await ctx.addCookies([{ name: 'sinian_session', value: admin, url: d.url }]);
  const p = await ctx.newPage();
  const errors = collectConsoleErrors(p);
  await p.goto(`${d.url}/admin.html`);
  await p.locator('#x-console').waitFor();
  await p.selectOption('#org-kind', 'cemetery');
  await p.fill('#org-name', name);
  await p.fill('#org-region', '110108');
  await p.click('#org-form [type="submit"]');
  await p.locator('#org-title', { hasText: name }).waitFor();
  await p.fill('#team-login', managerLogin);
  await p.check('#team-manager');
  await p.click('#team-form [type="submit"]');
  await p.locator('#team-invites [data-invite]').waitFor();
  await shot(p, `${step}-0-admin`);
  assert.deepEqual(errors, []);
  await ctx.close();
  const id = (await get(admin, '/api/cemeteries')).cemeteries.find((c) => c.name === name)?.id;
  assert.ok(id, `cemetery ${name} made`);
  return id;
}

/** The manager signs in, accepts the invitation and opens the console. */
async function managerOpens(form, login, cemId, step) {
  const ctx = await browser.newContext(form);
  const p = await ctx.newPage();
  const errors = collectConsoleErrors(p);
  await p.goto(`${d.url}/signin.html?next=${encodeURIComponent('/account.html')}`);
  await signIn(p, login, '/account.html');
  const inv = p.locator('[data-staff-invitation]');
  await inv.waitFor();
  await inv.locator('[data-action="accept"]').click();
  const link = p.locator('#roles [data-role="cemetery_staff"] a');
  await link.waitFor();
  await shot(p, `${step}-0-account`);
  assert.equal(await link.getAttribute('href'), `/staff.html?cemetery=${cemId}`);
  await link.click();
  await p.locator('#s-console').waitFor();
  assert.equal(await p.isVisible('#tab-team'), true, 'the first manager manages the staff');
  return { ctx, p, errors };
}

/** Plots from the CSV file: checked, imported, listed, and on the plan. */
async function importPlots(p, cemId, token, step) {
  await p.click('#tab-plots');
  await p.locator('#plots-empty').waitFor();
  await p.setInputFiles('#csv-file', path.join(REPO, 'tests/data/plots.csv'));
  await p.locator('#csv-import').waitFor();
  await shot(p, `${step}-1-csv-checked`);
  await p.click('#csv-import');
  await p.locator('#csv-report .text-ok').waitFor();
  assert.match(await p.textContent('#csv-report'), /7/);
  await p.locator('#plot-list [data-plot]').nth(6).waitFor();
  assert.equal(await p.locator('#plot-list [data-plot]').count(), 7);
  const plots = (await get(token, `/api/cemeteries/${cemId}/plots`)).plots;
  assert.equal(plots.length, 7);
  assert.equal(plots.find((x) => x.number === '3号').capacity, 4);
  assert.equal(plots.find((x) => x.section === '柏园, 东').kind, 'niche');
  // the plan of 松园: two rows, every plot free
  await p.check('#plots-view-grid');
  await p.selectOption('#pf-section', '松园');
  await p.locator('#plot-grid .plot-grid-row').nth(1).waitFor();
  assert.equal(await p.locator('#plot-grid .plot-grid-row').count(), 2);
  assert.equal(await p.locator('#plot-grid [data-status="free"]').count(), 5);
  await shot(p, `${step}-1-plots-grid`);
  await p.check('#plots-view-list');
  return plots;
}

/** From the services tab of an empty fee list: one item with its price. */
async function addService(p, cemId, { code, name, price, cents }, step) {
  await p.click('#tab-services');
  await p.locator('#services-empty').waitFor();
  await p.fill('#s-code', code);
  await p.fill('#s-name', name);
  await p.fill('#s-price', price);
  await p.click('#service-form [type="submit"]');
  await p.locator('#services li', { hasText: name }).waitFor();
  await shot(p, `${step}-2-services`);
  const pub = (await api(d, 'GET', `/api/cemeteries/${cemId}/services`)).json.services;
  assert.deepEqual(pub.map((s) => [s.code, s.name, s.price_cents]), [[code, name, cents]]);
}

/** The slot form filled and previewed; returns the preview's text. */
async function previewSlots(p, { from, to = '', start, end, capacity, hourly = true }) {
  await p.fill('#slot-date', from);
  await p.fill('#slot-date-to', to);
  await p.fill('#slot-start', start);
  await p.fill('#slot-end', end);
  await p.fill('#slot-capacity', String(capacity));
  await p.setChecked('#slot-hourly', hourly);
  await p.click('#slot-form [type="submit"]');
  await p.locator('#slot-preview:not([hidden])').waitFor();
  return p.textContent('#slot-preview-text');
}

/** A peak season previewed then published; an evening slot today. */
async function publishSlots(p, cemId, token, step, zh) {
  await p.click('#tab-slots');
  const year = Number(cstDate(0).slice(0, 4)) + 1;
  const range = `/api/cemeteries/${cemId}/slots?from=${year}-03-01&to=${year}-04-30`;
  const season = { from: `${year}-03-28`, to: `${year}-04-10`, start: '08:00', end: '17:00', capacity: 50 };
  const text = await previewSlots(p, season);
  assert.match(text, zh ? /14 天、126 个时段，合计可接待 6300 人/ : /126 slots on 14 days.*6,?300 people/);
  await shot(p, `${step}-3-season-preview`);
  assert.equal((await get(token, range)).slots.length, 0, 'nothing published by the preview');
  await p.click('#slot-publish');
  await p.locator('.toast', { hasText: '126' }).waitFor();
  const slots = (await get(token, range)).slots;
  assert.equal(slots.length, 126);
  assert.deepEqual([slots[0].date, slots[0].start], [`${year}-03-28`, '08:00']);
  assert.deepEqual([slots.at(-1).date, slots.at(-1).end], [`${year}-04-10`, '17:00']);
  // publishing it again overlaps: refused, and nothing more is stored
  await previewSlots(p, season);
  await p.click('#slot-publish');
  await p.locator('#slot-form [data-form-error]:not([hidden])').waitFor();
  assert.equal((await get(token, range)).slots.length, 126);

  const today = cstDate(0);
  await previewSlots(p, { from: today, start: '23:00', end: '23:59', capacity: 20, hourly: false });
  await p.click('#slot-publish');
  await p.locator('.toast', { hasText: /Published 1 slot|已发布 1 个时段/ }).waitFor();
  const mine = (await get(token, `/api/cemeteries/${cemId}/slots?from=${today}&to=${today}`)).slots;
  assert.equal(mine.length, 1);
  await p.locator('#slots li').first().waitFor();
  await shot(p, `${step}-3-slots`);
  return mine[0];
}

/** The family finds the cemetery, chooses today's slot, signs in, books
 *  for PLOT and sees the ticket; returns { ctx, p, errors, booking }. */
async function familyBooks(form, { login, cemName, slot, plot, phone }, step) {
  const ctx = await browser.newContext(form);
  const p = await ctx.newPage();
  const errors = collectConsoleErrors(p);
  await p.goto(`${d.url}/visit.html`);
  await p.locator('#cemetery-list a', { hasText: cemName }).click();
  await p.locator(`[data-date="${slot.date}"]`).click();
  await p.locator(`[data-slot="${slot.id}"]`).click();
  await p.waitForURL((u) => u.searchParams.get('slot') === String(slot.id));
  await p.locator('#signin-link').click();
  await p.waitForURL(/\/signin\.html\?next=/);
  await signIn(p, login, '/visit.html');
  await p.locator(`[data-slot="${slot.id}"][aria-pressed="true"]`).waitFor();
  await p.selectOption('#plot_id', String(plot.id));
  await p.selectOption('#persons', '2');
  await p.fill('#contact_phone', phone);
  await shot(p, `${step}-4-booking`);
  await Promise.all([
    p.waitForURL(/\/visit\.html\?booking=\d+$/),
    p.click('#book-form [type="submit"]'),
  ]);
  await p.locator('#v-ticket').waitFor();
  await p.waitForFunction(() => {
    const i = document.getElementById('ticket-qr');
    return i && i.complete && i.naturalWidth > 0;
  });
  await p.locator('#ticket-state [data-state="booked"]').waitFor();
  await shot(p, `${step}-4-ticket`);
  const booking = Number(new URL(p.url()).searchParams.get('booking'));
  return { ctx, p, errors, booking };
}

/** The ticket's QR, as the family's page shows it, written as a Y4M video. */
async function ticketVideo(fam, name) {
  const src = await fam.p.getAttribute('#ticket-qr', 'src');
  const r = await fam.p.request.get(new URL(src, d.url).href);
  assert.equal(r.status(), 200);
  return qrY4m(await r.text(), path.join(dir, `${name}.y4m`));
}

/** A Chromium whose camera shows FILE, signed in as the manager (their
 *  session from STAFF's context), on the console's check-in tab. */
async function gate(form, staff, cemId, file) {
  const cam = await launchBrowser(['--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${file}`, '--use-fake-ui-for-media-stream']);
  const ctx = await cam.newContext({ ...form, storageState: await staff.ctx.storageState() });
  const p = await ctx.newPage();
  const errors = collectConsoleErrors(p);
  const vendor = [];
  p.on('request', (req) => { if (req.url().includes('/vendor/jsqr.js')) vendor.push(req.url()); });
  await p.goto(`${d.url}/staff.html?cemetery=${cemId}`);
  await p.locator('#s-console').waitFor();
  await p.click('#tab-checkin');
  return { cam, p, errors, vendor };
}

/** Which decoder ran; on a browser without BarcodeDetector it is jsQR. */
async function decoder(t, p, vendor) {
  const engine = await p.getAttribute('#scan-card', 'data-engine');
  const native = await p.evaluate(() => 'BarcodeDetector' in window);
  t.diagnostic(`decoder: ${engine} (BarcodeDetector ${native ? 'present' : 'absent'})`);
  if (!native) {
    assert.equal(engine, 'jsqr');
    assert.ok(vendor.length > 0, 'jsQR fetched from the daemon');
  }
}

const refusal = (p) => p.locator('#checkin-form [data-form-error]:not([hidden])');

/** On the phone: the ticket staying in view is not sent again; off and on,
 *  it reads "already used"; leaving the tab turns the camera off. */
async function phoneScanChecks(g, code) {
  const box = await g.p.locator('#scan-video').boundingBox();
  assert.ok(box.width > 200 && box.x >= 0 && box.x + box.width <= 390, `video ${JSON.stringify(box)}`);
  await g.p.waitForTimeout(1500);
  assert.equal(await refusal(g.p).count(), 0, 'no second check-in of a ticket still in view');
  await g.p.click('#scan-stop');
  assert.equal(await g.p.getAttribute('#scan-card', 'data-camera'), 'off');
  await g.p.click('#scan-start');
  await refusal(g.p).waitFor();
  assert.equal((await refusal(g.p).textContent()).trim(), '此预约码已经使用过。');
  assert.equal(await g.p.inputValue('#checkin-code'), code);
  await g.p.click('#tab-visits');
  await g.p.waitForFunction(() => document.getElementById('scan-card').dataset.camera === 'off');
  assert.equal(await g.p.evaluate(() => document.getElementById('scan-video').srcObject), null);
}

const PASSES = [
  { step: 'a', staffForm: DESKTOP, familyForm: PHONE, n: 1, okText: /Checked in: 2 people/ },
  { step: 'b', staffForm: PHONE, familyForm: DESKTOP, n: 2, okText: /核验通过：2 人/ },
];

for (const { step, staffForm, familyForm, n, okText } of PASSES) {
  const staffPhone = staffForm === PHONE;
  test(`a cemetery from nothing to a visit checked in by camera (staff ${staffForm.locale} ${staffForm.viewport.width}px, family ${familyForm.locale} ${familyForm.viewport.width}px)`,
    { timeout: 240000 }, async (t) => {
      const cemName = `西山${n}号陵园`;
      const managerLogin = `1371111000${n}`;
      const familyLogin = `1392222000${n}`;
      const manager = await signUp(d, { login: managerLogin, password: PASSWORD, display_name: `园长${n}` });
      await signUp(d, { login: familyLogin, password: PASSWORD, display_name: `李家${n}` });

      const cemId = await adminMakes(staffForm, cemName, `137 1111 000${n}`, step);
      const staff = await managerOpens(staffForm, managerLogin, cemId, step);
      const plots = await importPlots(staff.p, cemId, manager.token, step);
      await addService(staff.p, cemId,
        { code: 'clean', name: staffPhone ? '墓碑清洁' : 'Headstone cleaning', price: '88.5', cents: 8850 }, step);
      const slot = await publishSlots(staff.p, cemId, manager.token, step, staffPhone);

      const plot = plots.find((x) => x.section === '松园' && x.row === '2排' && x.number === '1号');
      const fam = await familyBooks(familyForm,
        { login: familyLogin, cemName, slot, plot, phone: '139 1234 5678' }, step);
      const booking = await get(manager.token, `/api/bookings/${fam.booking}`);
      assert.deepEqual([booking.state, booking.persons, booking.plot?.id], ['booked', 2, plot.id]);

      const file = await ticketVideo(fam, `ticket-${step}`);
      const g = await gate(staffForm, staff, cemId, file);
      try {
        await g.p.click('#scan-start');
        await g.p.locator(`#checkin-ok[data-booking="${fam.booking}"]:not([hidden])`).waitFor();
        assert.match(await g.p.textContent('#checkin-ok'), okText);
        await shot(g.p, `${step}-5-checked-in`);
        assert.equal((await get(manager.token, `/api/bookings/${fam.booking}`)).state, 'checked_in');
        await decoder(t, g.p, g.vendor);
        if (staffPhone) await phoneScanChecks(g, booking.code);

        // the console's bookings of today: the visit, checked in
        await g.p.click('#tab-visits');
        await g.p.locator(`#visits [data-booking="${fam.booking}"] [data-state="checked_in"]`).waitFor();
        await shot(g.p, `${step}-5-visits`);
        assert.deepEqual(g.errors.filter((e) => !/status of 409/.test(e)), [], 'camera console');
      } finally {
        await g.cam.close();
      }

      // and to the family, on their ticket
      await fam.p.reload();
      await fam.p.locator('#ticket-state [data-state="checked_in"]').waitFor();
      await shot(fam.p, `${step}-5-ticket-used`);
      assert.deepEqual(fam.errors, [], 'family');
      // the one refusal provoked: the season published twice
      assert.deepEqual(staff.errors.filter((e) => !/status of 409/.test(e)), [], 'console');
      await fam.ctx.close();
      await staff.ctx.close();
    });
}
