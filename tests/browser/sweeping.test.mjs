// Proxy sweeping and visits in the browser, phone-sized, two people at
// once: a family orders sweeping from the cemetery's price list; in a
// second browser context a staff member accepts it on the console, marks
// it paid at the office (the family's page shows what to pay, then paid), starts,
// uploads a proof photo from the "camera" input and completes; the family's
// page shows each new state and the photo without reloading, then the
// family confirms and rates. Also: booking a visit, its QR ticket, and the
// staff check-in screen (second scan refused). No console errors anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, signInPage, textOf } from '../lib/browser.mjs';
import { makeWorld, PASSWORD, cstDate, exifJpeg } from '../lib/visit_world.mjs';

let d;
let w;
let browser;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  w = await makeWorld(d);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

function person(who, next) {
  return signInPage(browser, d.url, w.logins[who], PASSWORD, next);
}


// Chromium logs every 4xx answer as a console error; drop the one a test
// provoked on purpose (urlPart names its endpoint), keep everything else.
function except(errors, status, urlPart) {
  const i = errors.findIndex((e) => e.includes(`status of ${status}`) && e.includes(urlPart));
  assert.ok(i >= 0, `expected a ${status} from ${urlPart} in ${JSON.stringify(errors)}`);
  return errors.filter((_, k) => k !== i);
}

test('a family orders sweeping; staff accept, prove and complete; the family sees it live', async () => {
  const fam = await person('familyA', `/order.html?cemetery=${w.ids.cemA}&plot=${w.ids.plotA}`);
  const { page } = fam;

  // the cemetery's price list, captured into the order
  await page.locator(`#svc-${w.ids.cleanA}`).waitFor();
  assert.equal(await page.locator('#o-plot').inputValue(), String(w.ids.plotA));
  await page.check(`#svc-${w.ids.cleanA}`);
  await page.check(`#svc-${w.ids.flowersA}`);
  await page.fill(`#qty-${w.ids.flowersA}`, '2');
  assert.equal(await textOf(page, '#o-total'), '¥226.00');
  await page.fill('#o-note', '请替我们说一声想念');
  await Promise.all([
    page.waitForURL(/\/order\.html\?id=\d+$/),
    page.click('#order-form [type="submit"]'),
  ]);
  const id = Number(new URL(page.url()).searchParams.get('id'));
  await page.locator('#order-state [data-state="placed"]').waitFor();
  assert.equal(await textOf(page, '#order-state'), '待受理');
  assert.equal(await textOf(page, '#items-total'), '¥226.00');
  await page.locator('#live-status[data-status="connected"]').waitFor();
  // nothing below may reload this page
  await page.evaluate(() => { window.sinianMark = 'still here'; });

  // the staff member, on a phone of their own
  const staff = await person('staffA', '/staff.html');
  const s = staff.page;
  const card = s.locator(`[data-order="${id}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /请替我们说一声想念/);
  await card.locator('[data-action="accepted"]').click();
  await s.locator(`[data-order="${id}"][data-state="accepted"]`).waitFor();
  await page.locator('#order-state [data-state="accepted"]').waitFor();

  // what the family must pay and quote; no start before the office is paid
  await page.locator('#pay-state [data-pay="unpaid"]').waitFor();
  assert.equal(await textOf(page, '#pay-amount'), '¥226.00');
  assert.match(await textOf(page, '#pay-reference'), /^SW\d{7,}$/);
  assert.equal(await s.locator(`[data-order="${id}"] [data-action="in_progress"]`).count(), 0);
  await s.fill(`[data-pay-ref="${id}"]`, '收据 0001');
  await s.locator(`[data-order="${id}"] [data-action="pay-paid"]`).click();
  await s.locator(`[data-order="${id}"] [data-pay-state="paid"]`).waitFor();
  await page.locator('#pay-state [data-pay="paid"]').waitFor();
  assert.match(await textOf(page, '#pay-note'), /收据 0001/);

  await s.locator(`[data-order="${id}"] [data-action="in_progress"]`).click();
  await s.locator(`[data-order="${id}"][data-state="in_progress"]`).waitFor();
  await page.locator('#order-state [data-state="in_progress"]').waitFor();
  assert.equal(await textOf(page, '#steps .is-now'), '祭扫中');

  // completing without a photo is refused, with a sentence
  await s.locator(`[data-order="${id}"] [data-action="completed"]`).click();
  await s.locator('.toast-error').filter({ hasText: '至少一张照片' }).waitFor();

  // a photo from the phone camera input
  const input = s.locator(`[data-proof-input="${id}"]`);
  assert.equal(await input.getAttribute('capture'), 'environment');
  assert.equal(await input.getAttribute('accept'), 'image/*');
  await input.setInputFiles({ name: 'proof.jpg', mimeType: 'image/jpeg', buffer: exifJpeg() });
  await s.locator(`[data-order="${id}"] [data-action="upload"]`).click();
  await s.locator(`[data-order="${id}"] .gallery img`).waitFor();
  // the family sees the photo arrive
  await page.locator('#gallery img').waitFor();

  await s.locator(`[data-order="${id}"] [data-action="completed"]`).click();
  await s.locator(`[data-order="${id}"][data-state="completed"]`).waitFor();

  // the family's page: new state and the photo, no reload
  await page.locator('#order-state [data-state="completed"]').waitFor();
  assert.equal(await page.evaluate(() => window.sinianMark), 'still here');
  const img = page.locator('#gallery img').first();
  await page.waitForFunction(() => {
    const i = document.querySelector('#gallery img');
    return i && i.complete && i.naturalWidth > 0;
  });
  assert.match(await img.getAttribute('src'), new RegExp(`/api/sweeping-orders/${id}/proof/\\d+$`));
  assert.deepEqual(await page.locator('#timeline li strong').allTextContents(),
    ['待受理', '已受理', '祭扫中', '已完成']);

  // confirm and rate
  await page.click('[data-action="confirmed"]');
  await page.locator('#order-state [data-state="confirmed"]').waitFor();
  await page.locator('#rate-form').waitFor();
  await page.click('label[for="star-5"]');
  await page.fill('#rate-comment', '很用心，谢谢');
  await page.click('#rate-form [type="submit"]');
  await page.locator('#rated').waitFor();
  assert.match(await textOf(page, '#rated'), /5 星/);

  // English, re-rendered in place
  await page.click('[data-lang-switch]');
  await page.waitForFunction((l) => document.documentElement.lang === l, 'en'); // its dictionary loaded
  assert.equal(await textOf(page, '#order-state'), 'Confirmed');

  assert.deepEqual(fam.errors, [], 'family page');
  // the one refusal provoked above: completing without a photo
  assert.deepEqual(except(staff.errors, 409, `/api/sweeping-orders/${id}/transitions`), [],
    'staff console');
  await fam.ctx.close();
  await staff.ctx.close();
});

test('book a visit, show the QR ticket, check in once at the gate', async () => {
  // a slot today with a few places
  const slot = await w.as('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
    { json: { date: cstDate(0), start: '23:00', end: '23:59', capacity: 3 } });
  assert.equal(slot.status, 201, slot.text);

  const fam = await person('familyB', `/visit.html?cemetery=${w.ids.cemA}&plot=${w.ids.plotA}`);
  const { page } = fam;
  const btn = page.locator(`[data-slot="${slot.json.slots[0].id}"]`);
  await btn.waitFor();
  assert.match(await btn.textContent(), /余 3/);
  await btn.click();
  await page.selectOption('#persons', '2');
  await page.fill('#contact_phone', '139 1234 5678');
  await Promise.all([
    page.waitForURL(/\/visit\.html\?booking=\d+$/),
    page.click('#book-form [type="submit"]'),
  ]);
  await page.locator('#v-ticket').waitFor();
  await page.waitForFunction(() => {
    const i = document.getElementById('ticket-qr');
    return i && i.complete && i.naturalWidth > 0;
  });
  const code = (await textOf(page, '#ticket-code')).replace(/\s/g, '');
  assert.match(code, /^[2-9A-Z]{12}$/);
  assert.equal(await textOf(page, '#t-phone'), '139****5678');
  assert.equal(await textOf(page, '#t-persons'), '2 人');

  const staff = await person('staffA', '/staff.html');
  const s = staff.page;
  await s.click('#tab-checkin');
  await s.fill('#checkin-code', code.toLowerCase());
  await s.click('#checkin-form [type="submit"]');
  await s.locator('#checkin-ok').waitFor();
  assert.match(await textOf(s, '#checkin-ok'), /核验通过：2 人/);
  await s.fill('#checkin-code', code);
  await s.click('#checkin-form [type="submit"]');
  const refused = s.locator('#checkin-form [data-form-error]');
  await refused.waitFor();
  assert.equal((await refused.textContent()).trim(), '此预约码已经使用过。');

  // the visits tab lists it, phone masked until asked for
  await s.click('#tab-visits');
  const row = s.locator('#visits [data-booking]').first();
  await row.waitFor();
  assert.match(await row.textContent(), /139\*\*\*\*5678/);
  await row.locator('[data-reveal]').click();
  await s.locator('#visits [data-phone]', { hasText: '13912345678' }).waitFor();

  // the ticket now shows it was used
  await page.reload();
  await page.locator('#ticket-state [data-state="checked_in"]').waitFor();
  assert.deepEqual(fam.errors, [], 'visit page');
  // the one refusal provoked above: the second scan
  assert.deepEqual(except(staff.errors, 409, '/api/checkins'), [], 'staff console');
  await fam.ctx.close();
  await staff.ctx.close();
});
