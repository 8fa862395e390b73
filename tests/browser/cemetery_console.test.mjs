// The cemetery's console from its own screens, in headless Chromium on a
// phone (zh-CN, 390x844) and a desktop (en): plots imported from
// tests/data/plots.csv (a file with bad lines is refused line by line and
// nothing is imported), one plot added by hand, the list filtered and the
// plan of a section showing free and occupied plots; a burial hand-over
// from a funeral home accepted into a chosen plot, which then reads
// occupied; the family's
// rating and comment on the staff's order card; an item of the fee list
// added with its price from the "services and prices" tab and repriced,
// then on the public list and on the public page (/org.html), ordered by
// a family at that price, and once stopped, neither listed nor orderable.
// On the phone no tab label is cut off (one more tab than before) and the
// bookings and fee lists keep their padding. (The peak season of visiting
// times, previewed and published in one go, is in cemetery_from_nothing.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDaemon, REPO } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { makeWorld, PASSWORD, cstDate } from '../lib/visit_world.mjs';

let d;
let w;
let browser;

before(async () => {
  d = await startDaemon();
  w = await makeWorld(d);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

async function staff(locale, viewport) {
  const ctx = await browser.newContext({ locale, viewport });
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(`${d.url}/signin.html?next=${encodeURIComponent('/staff.html')}`);
  await page.fill('#login', w.logins.staffA);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/staff.html'),
    page.click('#signin-form [type="submit"]'),
  ]);
  await page.locator('#s-console').waitFor();
  return { ctx, page, errors };
}

const ok = async (who, method, url, json) => {
  const r = await w.as(who, method, url, { json });
  assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
  return r.json;
};

/** From the services tab: add an item at `price` yuan, then reprice it to
 *  `repriced`; returns its row and id once the list shows the new price. */
async function feeItem(page, { code, name, price, repriced, shown }) {
  await page.click('#tab-services');
  await page.locator('#services li').first().waitFor(); // the items the world made
  await page.fill('#s-code', code);
  await page.fill('#s-name', name);
  await page.fill('#s-price', price);
  await page.click('#service-form [type="submit"]');
  const row = page.locator('#services li', { hasText: name });
  await row.waitFor();
  const id = Number(await row.getAttribute('data-service'));
  await row.locator('.svc-price').fill(repriced);
  await row.locator('[data-save]').click();
  await page.locator(`#services [data-service="${id}"]`, { hasText: shown }).waitFor();
  return { row: page.locator(`#services [data-service="${id}"]`), id };
}

/** The item `id` on the cemetery's public fee list (as anyone sees it), or undefined. */
const publicFee = async (id) => (await ok('familyA', 'GET', `/api/cemeteries/${w.ids.cemA}/services`))
  .services.find((s) => s.id === id);

test('phone (zh-CN): plots from CSV, the plan, a hand-over accepted, a fee item added and repriced', { timeout: 120000 }, async () => {
  const { ctx, page, errors } = await staff('zh-CN', { width: 390, height: 844 });

  // every tab shows whole on the phone: inside the screen, label not cut
  const cut = await page.evaluate(() => [...document.querySelectorAll('.tab')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.left < 0 || r.right > window.innerWidth || el.scrollWidth > el.clientWidth + 1;
  }).map((el) => el.id));
  assert.deepEqual(cut, []);

  // a file with bad lines: each named, nothing imported
  await page.click('#tab-plots');
  await page.setInputFiles('#csv-file', path.join(REPO, 'tests/data/plots_bad.csv'));
  const rejected = page.locator('.csv-rejected li');
  await rejected.first().waitFor();
  assert.deepEqual(await rejected.evaluateAll((els) => els.map((e) => e.dataset.line)), ['3', '4', '5', '6', '7']);
  assert.equal(await page.isHidden('#csv-import'), true);
  assert.equal((await ok('admin', 'GET', `/api/cemeteries/${w.ids.cemA}/plots`)).plots.length, 1);

  // the good file: checked, then imported at once
  await page.setInputFiles('#csv-file', path.join(REPO, 'tests/data/plots.csv'));
  await page.locator('#csv-import').waitFor();
  assert.match(await page.textContent('#csv-report'), /7 个墓位/);
  await page.click('#csv-import');
  await page.locator('#csv-report', { hasText: '已导入 7 个墓位' }).waitFor();
  const all = (await ok('admin', 'GET', `/api/cemeteries/${w.ids.cemA}/plots`)).plots;
  assert.equal(all.length, 8);
  const fam = all.find((p) => p.number === '3号');
  assert.equal(fam.kind, 'family');
  assert.equal(fam.capacity, 4);
  assert.equal(all.find((p) => p.section === '柏园, 东').kind, 'niche');
  assert.equal(all.find((p) => p.number === '1号' && p.row === '1排' && p.section === '松园').lat, 39.95701);

  // importing the same file again is refused as a whole, naming the line
  await page.setInputFiles('#csv-file', path.join(REPO, 'tests/data/plots.csv'));
  await page.click('#csv-import');
  await page.locator('#csv-report [role="alert"]', { hasText: '第 2 行' }).waitFor();
  assert.equal((await ok('admin', 'GET', `/api/cemeteries/${w.ids.cemA}/plots`)).plots.length, 8);

  // one plot by hand
  await page.fill('#plot-section', '松园');
  await page.fill('#plot-row', '2排');
  await page.fill('#plot-number', '3号');
  await page.selectOption('#plot-kind', 'grave');
  await page.click('#plot-form [type="submit"]');
  await page.locator('#plots-summary', { hasText: '共 9 个墓位' }).waitFor();

  // filters
  await page.selectOption('#pf-kind', 'tree');
  assert.equal(await page.locator('#plot-list li').count(), 1);
  await page.selectOption('#pf-kind', '');
  await page.fill('#pf-text', '柏园');
  assert.equal(await page.locator('#plot-list li').count(), 2);
  await page.fill('#pf-text', '');

  // a burial hand-over from a funeral home, accepted into 松园 2排 1号
  const ag = await ok('admin', 'POST', '/api/agencies', { name: '东郊殡仪馆', region_code: '110107' });
  const rec = await ok('admin', 'POST', '/api/deceased', { agency_id: ag.id, name: '王大明', death_date: '2026-11-01' });
  const tr = (await ok('admin', 'POST', `/api/deceased/${rec.id}/transfers`, { cemetery_id: w.ids.cemA, note: '周六上午安葬' })).transfer;
  const target = all.find((p) => p.section === '松园' && p.row === '2排' && p.number === '1号');
  assert.equal(target.accessible, true); // its CSV line says yes
  assert.equal(all.filter((p) => p.accessible).length, 1);
  await page.click('#tab-transfers');
  const card = page.locator(`[data-transfer="${tr.id}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /王大明.*东郊殡仪馆.*周六上午安葬/s);
  await card.locator(`[data-plot-for="${tr.id}"]`).selectOption(String(target.id));
  await card.locator(`[data-accept="${tr.id}"]`).click();
  await page.locator(`[data-transfer="${tr.id}"][data-state="accepted"]`).waitFor();
  assert.equal((await ok('admin', 'GET', `/api/plots/${target.id}`)).status, 'occupied');

  // the plan of 松园: 2排 1号 occupied, the others free
  await page.click('#tab-plots');
  await page.check('#plots-view-grid');
  await page.selectOption('#pf-section', '松园');
  await page.locator(`#plot-grid [data-plot="${target.id}"][data-status="occupied"]`).waitFor();
  assert.equal(await page.locator('#plot-grid [data-status="free"]').count(), 5);
  assert.equal(await page.locator('#plot-grid .plot-grid-row').count(), 2);

  // the fee list: an item added at ¥120, repriced to ¥150.50, public, ordered at that price
  const fee = await feeItem(page, { code: 'tree-care', name: '树葬养护', price: '120', repriced: '150.5', shown: '150.50' });
  assert.equal(await fee.row.getAttribute('data-active'), 'true');
  assert.deepEqual(await publicFee(fee.id).then((s) => [s.name, s.price_cents, s.unit]), ['树葬养护', 15050, '次']);
  const order = await ok('familyA', 'POST', '/api/sweeping-orders',
    { plot_id: w.ids.plotA, date: cstDate(2), items: [{ service_id: fee.id, quantity: 2 }] });
  assert.equal(order.total_cents, 30100);
  assert.deepEqual(order.items.map((i) => [i.name, i.quantity]), [['树葬养护', 2]]);
  // the fee list fits the phone: padding as the other lists, no label cut off
  const feePad = await page.evaluate(() => parseFloat(getComputedStyle(document.getElementById('services')).paddingLeft));
  assert.ok(feePad >= 12, `fee list padding ${feePad}px`);
  const feeCut = await page.evaluate(() => [...document.querySelectorAll('#panel-services label, #panel-services button')]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth || el.scrollWidth > el.clientWidth + 1; })
    .map((el) => el.textContent));
  assert.deepEqual(feeCut, []);
  const feeOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(feeOverflow <= 0, `fee list ${feeOverflow}px wider than the phone`);

  // the bookings list keeps its padding on the phone
  await page.click('#tab-visits');
  const pad = await page.evaluate(() => parseFloat(getComputedStyle(document.getElementById('visits')).paddingLeft));
  assert.ok(pad >= 12, `bookings padding ${pad}px`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page ${overflow}px wider than the phone`);
  assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
  await ctx.close();
});

test('desktop (en): the family\'s rating and comment on the order card; a fee item from offer to stop', { timeout: 60000 }, async () => {
  const date = cstDate(1);
  const order = await ok('familyA', 'POST', '/api/sweeping-orders',
    { plot_id: w.ids.plotA, date, items: [{ service_id: w.ids.cleanA }] });
  await ok('staffA', 'POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'accepted' });
  await ok('staffA', 'POST', `/api/sweeping-orders/${order.id}/payment`,
    { state: 'paid', reference: 'R-1' });
  await ok('staffA', 'POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'in_progress' });
  const proof = await w.as('staffA', 'POST', `/api/sweeping-orders/${order.id}/proof`, {
    headers: { 'content-type': 'image/jpeg' },
    body: (await import('../lib/visit_world.mjs')).exifJpeg(),
  });
  assert.equal(proof.status, 201, proof.text);
  await ok('staffA', 'POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'completed' });
  await ok('familyA', 'POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'confirmed' });
  await ok('familyA', 'POST', `/api/sweeping-orders/${order.id}/rating`, { stars: 4, comment: '打扫得很干净，谢谢' });

  const { ctx, page, errors } = await staff('en-US', { width: 1280, height: 800 });
  await page.selectOption('#f-state', 'confirmed');
  const card = page.locator(`[data-order="${order.id}"] .order-rating`);
  await card.waitFor();
  assert.equal(await card.getAttribute('data-stars'), '4');
  assert.match(await card.textContent(), /4 of 5 stars.*打扫得很干净，谢谢/s);
  await page.click('#tab-plots');
  await page.locator('#plots-summary', { hasText: /\d+ plots?,/ }).waitFor();

  // the fee list: a price that is not an amount is refused in the row, nothing saved
  const fee = await feeItem(page, { code: 'lotus-lamp', name: 'Lotus lamp', price: '30', repriced: '45', shown: '45.00' });
  assert.equal((await publicFee(fee.id)).price_cents, 4500);
  await fee.row.locator('.svc-price').fill('forty');
  await fee.row.locator('[data-save]').click();
  await page.locator('.toast', { hasText: 'price in yuan' }).waitFor();
  assert.equal(await fee.row.locator('.svc-price').getAttribute('aria-invalid'), 'true');
  assert.equal((await publicFee(fee.id)).price_cents, 4500);
  // a form without a price is refused before it is sent
  await page.fill('#s-code', 'no-price');
  await page.fill('#s-name', 'No price');
  await page.click('#service-form [type="submit"]');
  await page.locator('#service-form [data-form-error]:not([hidden])', { hasText: 'a price' }).waitFor();

  // on the public page, then ordered; stopped, it leaves the page and cannot be ordered
  const pub = await ctx.newPage();
  await pub.goto(`${d.url}/org.html?cemetery=${w.ids.cemA}`);
  await pub.locator('#o-fees .fee', { hasText: /Lotus lamp.*45\.00/ }).waitFor();
  const lamp = await ok('familyA', 'POST', '/api/sweeping-orders',
    { plot_id: w.ids.plotA, date: cstDate(3), items: [{ service_id: fee.id }] });
  assert.equal(lamp.total_cents, 4500);
  await fee.row.locator('[data-toggle]').click();
  await page.locator(`#services [data-service="${fee.id}"][data-active="false"]`).waitFor();
  assert.equal(await publicFee(fee.id), undefined);
  const refused = await w.as('familyA', 'POST', '/api/sweeping-orders',
    { json: { plot_id: w.ids.plotA, date: cstDate(4), items: [{ service_id: fee.id }] } });
  assert.ok(refused.status >= 400 && refused.status < 500, `ordering a stopped item: ${refused.status}`);
  await pub.reload();
  await pub.locator('#o-fees .fee').first().waitFor();
  assert.equal(await pub.locator('#o-fees .fee', { hasText: 'Lotus lamp' }).count(), 0);
  assert.deepEqual(errors, []);
  await ctx.close();
});
