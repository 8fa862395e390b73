// Paying at the cemetery office, on a desktop in English: the cemetery
// writes its payment instructions in its console; a family places an order
// and its page shows the amount, the reference to quote and those
// instructions, unpaid; staff mark it paid with the receipt number on the
// order card; the family's page turns paid without reloading. Then the
// same page on a phone (390x844) shows the paid state. No console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, signInPage, textOf } from '../lib/browser.mjs';
import { makeWorld, PASSWORD, cstDate } from '../lib/visit_world.mjs';

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

function person(who, next, viewport = { width: 1280, height: 800 }) {
  return signInPage(browser, d.url, w.logins[who], PASSWORD, next,
    { locale: 'en-US', viewport, lang: 'en' });
}


test('an order paid at the office: instructions shown, marked paid by staff, seen paid', { timeout: 90000 }, async () => {
  const instructions = 'Payee: A Cemetery. Bank: Example Bank 6222 0000 1111. Office 08:00-17:00.';
  const staff = await person('staffA', '/staff.html');
  const s = staff.page;
  await s.locator('#pay-settings-card summary').click();
  await s.fill('#pay-instructions', instructions);
  await s.locator('#pay-settings [type="submit"]').click();
  await s.locator('.toast').filter({ hasText: 'Payment instructions saved' }).waitFor();

  const r = await w.as('familyA', 'POST', '/api/sweeping-orders', { json: {
    plot_id: w.ids.plotA, date: cstDate(1), items: [{ service_id: w.ids.cleanA }] } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const fam = await person('familyA', `/order.html?id=${id}`);
  const page = fam.page;
  await page.locator('#pay-state [data-pay="unpaid"]').waitFor();
  assert.equal(await textOf(page, '#pay-state'), 'Not paid yet');
  assert.match(await textOf(page, '#pay-amount'), /¥50\.00$/);
  assert.equal(await textOf(page, '#pay-reference'), r.json.payment.reference);
  assert.equal(await textOf(page, '#pay-instructions'), instructions);
  await page.locator('#live-status[data-status="connected"]').waitFor();

  await s.locator('#orders-reload').click();
  const card = s.locator(`[data-order="${id}"]`);
  await card.locator('[data-pay-state="unpaid"]').waitFor();
  assert.match(await card.textContent(), new RegExp(r.json.payment.reference));
  await s.fill(`[data-pay-ref="${id}"]`, 'Receipt 2026-0042');
  await card.locator('[data-action="pay-paid"]').click();
  await s.locator(`[data-order="${id}"] [data-pay-state="paid"]`).waitFor();

  await page.locator('#pay-state [data-pay="paid"]').waitFor();
  assert.equal(await textOf(page, '#pay-state'), 'Paid');
  assert.match(await textOf(page, '#pay-note'), /Receipt 2026-0042/);
  assert.equal(await textOf(page, '#order-state'), 'Placed', 'the order\'s own state is shown apart');

  const phone = await person('familyA', `/order.html?id=${id}`, { width: 390, height: 844 });
  await phone.page.locator('#pay-state [data-pay="paid"]').waitFor();
  const box = await phone.page.locator('#pay-card').boundingBox();
  assert.ok(box.width <= 390, `the payment card fits the phone: ${box.width}`);
  for (const p of [staff, fam, phone]) {
    assert.deepEqual(p.errors, []);
    await p.ctx.close();
  }
});
