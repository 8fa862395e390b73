// A funeral home from nothing to a live ceremony, from its own screens, in
// headless Chromium on a phone (zh-CN, 390x844) and a desktop (en): an
// operator (not an admin) adds a hall and a priced service (then changes
// the price and stops offering it), creates the record of the deceased,
// records its registration, the farewell and the cremation, sees the record's QR code,
// hands the record over to a cemetery (pending, then accepted by the
// cemetery: the console shows the plot); then creates a ceremony picking
// the hall and the record's memorial page (no ids typed), takes it live
// with the test source (its preview plays), and the ceremony shows its hall
// and links its memorial page; once ended, the memorial's family admin
// (invited by the operator) downloads the recording from the memorial's
// admin page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { adminWithAgency } from '../lib/live.mjs';
import { signUp } from '../lib/accounts.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const PASSWORD = 'white chrysanthemum 2026';

let d;
let browser;
let admin;
let agencyId;
let operator;

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN, '东郊殡仪馆'));
  operator = await signUp(d, { login: 'op@example.org', password: PASSWORD, display_name: '刘主任' });
  const g = await api(d, 'POST', `/api/users/${operator.id}/grants`,
    { token: admin, json: { role: 'agency_operator', scope_id: agencyId } });
  assert.equal(g.status, 200, g.text);
  operator.token = (await api(d, 'POST', '/api/session', { json: { login: 'op@example.org', password: PASSWORD } })).json.token;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

async function page(locale, viewport) {
  const ctx = await browser.newContext({ locale, viewport });
  await ctx.addCookies([{ name: 'sinian_session', value: operator.token, url: d.url }]);
  const p = await ctx.newPage();
  return { ctx, p, errors: collectConsoleErrors(p) };
}

/**
 * The memorial's family admin (invited by the operator, who made the
 * memorial) finds the ended ceremony on the memorial's admin page and
 * downloads its recording: an MP4 named after the ceremony. Another
 * account is answered 404 for that list, as for no memorial; signed out,
 * 401.
 */
async function family(locale, viewport, memorialId, ceremonyId, title) {
  const login = `family${viewport.width}@example.org`;
  const fam = await signUp(d, { login, password: PASSWORD, display_name: '王小红' });
  const inv = await api(d, 'POST', `/api/memorials/${memorialId}/family`,
    { token: operator.token, json: { login, role: 'family_admin' } });
  assert.equal(inv.status, 202, inv.text);
  const acc = await api(d, 'POST', `/api/invitations/${inv.json.invitation.id}/accept`, { token: fam.token });
  assert.equal(acc.status, 200, acc.text);

  const ctx = await browser.newContext({ locale, viewport, acceptDownloads: true });
  await ctx.addCookies([{ name: 'sinian_session', value: fam.token, url: d.url }]);
  const p = await ctx.newPage();
  const errors = collectConsoleErrors(p);
  await p.goto(`${d.url}/memorial-admin.html?id=${memorialId}`);
  const row = p.locator(`#ceremonies [data-ceremony="${ceremonyId}"][data-state="ended"]`);
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(title));
  assert.equal(await p.isVisible('#toc-ceremonies'), true);
  const link = row.locator(`[data-download="${ceremonyId}"]`);
  const [dl] = await Promise.all([p.waitForEvent('download'), link.click()]);
  assert.equal(dl.suggestedFilename(), `${title}.mp4`, 'named after the ceremony');
  const file = fs.readFileSync(await dl.path());
  assert.ok(file.length > 10000, `a recording of ${file.length} bytes`);
  assert.equal(file.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4');
  assert.deepEqual(errors, []);
  await ctx.close();

  const other = await signUp(d, { login: `other${viewport.width}@example.org`, password: PASSWORD, display_name: '邻居' });
  assert.equal((await api(d, 'GET', `/api/memorials/${memorialId}/ceremonies`, { token: other.token })).status, 404);
  assert.equal((await api(d, 'GET', `/api/memorials/${memorialId}/ceremonies`)).status, 401);
}

for (const [locale, viewport, name] of [
  ['zh-CN', { width: 390, height: 844 }, '王大明'],
  ['en-US', { width: 1280, height: 800 }, '陈淑芬'],
]) {
  test(`a funeral home from nothing to a live ceremony (${locale} ${viewport.width}px)`, { timeout: 120000 }, async () => {
    const { ctx, p, errors } = await page(locale, viewport);
    await p.goto(`${d.url}/agency.html`);
    await p.locator('#a-console').waitFor();
    assert.equal(await p.textContent('#agency-name'), '东郊殡仪馆');

    // a hall
    const hallName = `${name}厅`;
    await p.click('#tab-halls');
    await p.fill('#hall-name', hallName);
    await p.click('#hall-form [type="submit"]');
    await p.locator('#halls li', { hasText: hallName }).waitFor();

    // a service on the public fee list: added, repriced, withdrawn
    await p.click('#tab-services');
    await p.fill('#s-code', `hall-${viewport.width}`);
    await p.fill('#s-name', '告别厅使用');
    await p.fill('#s-price', '800');
    await p.fill('#s-unit', '场');
    await p.click('#service-form [type="submit"]');
    // the one offered: an item of the same name from the other viewport's run is stopped
    // (the list may show it before the new item is listed)
    const svc = p.locator('#services li[data-active="true"]', { hasText: '告别厅使用' });
    await svc.waitFor();
    const sid = await svc.getAttribute('data-service');
    await svc.locator('.svc-price').fill('680');
    await svc.locator('[data-save]').click();
    await p.locator(`#services [data-service="${sid}"]`, { hasText: '680' }).waitFor();
    await p.locator(`#services [data-service="${sid}"] [data-toggle]`).click();
    await p.locator(`#services [data-service="${sid}"][data-active="false"]`).waitFor();
    const fees = (await api(d, 'GET', `/api/agencies/${agencyId}/services?all=1`, { token: operator.token })).json.services;
    const fee = fees.find((s) => String(s.id) === sid);
    assert.deepEqual([fee.price_cents, fee.active], [68000, false]);
    const pub = (await api(d, 'GET', `/api/agencies/${agencyId}/services`)).json.services;
    assert.equal(pub.some((s) => String(s.id) === sid), false, 'no longer on the public fee list');
    assert.equal((await api(d, 'GET', `/api/agencies/${agencyId}/services?all=1`)).status, 401);

    // the record, its events and QR code
    await p.click('#tab-records');
    await p.fill('#r-name', name);
    await p.selectOption('#r-gender', 'male');
    await p.fill('#r-birth', '1941-03-02');
    await p.fill('#r-death', '2026-11-28');
    await p.click('#record-form [type="submit"]');
    await p.locator('#record:not([hidden])').waitFor();
    assert.equal(await p.textContent('#rec-name'), name);
    const recId = Number(await p.locator('#records [data-record]', { hasText: name }).getAttribute('data-record'));
    for (const [kind, at] of [['registered', '2026-11-29T10:00'], ['farewell', '2026-12-01T09:00'], ['cremated', '2026-12-01T11:30']]) {
      await p.selectOption('#e-kind', kind);
      await p.fill('#e-at', at);
      await p.click('#event-form [type="submit"]');
      await p.locator(`#rec-events [data-event="${kind}"]`).waitFor();
    }
    assert.deepEqual(await p.locator('#rec-events li').evaluateAll((els) => els.map((e) => e.dataset.event)),
      ['registered', 'farewell', 'cremated']);
    const qr = await p.evaluate(async () => {
      const img = document.getElementById('rec-qr');
      await img.decode();
      return img.naturalWidth;
    });
    assert.ok(qr > 0, 'the QR code shows');

    // the hand-over: pending, then accepted by the cemetery into a plot
    const cem = await api(d, 'POST', '/api/cemeteries', { token: admin, json: { name: `${name}陵园`, region_code: '110107' } });
    const plot = await api(d, 'POST', `/api/cemeteries/${cem.json.id}/plots`,
      { token: admin, json: { section: '松园', row: '1排', number: '8号', kind: 'grave' } });
    await p.reload();
    await p.locator(`#records [data-record="${recId}"] button`).click();
    await p.selectOption('#h-cemetery', String(cem.json.id));
    await p.fill('#h-note', '周六上午安葬');
    await p.click('#handover-form [type="submit"]');
    await p.locator('#rec-transfers li[data-state="pending"]').waitFor();
    assert.equal(await p.isHidden('#handover-form'), true, 'one hand-over at a time');
    const tid = await p.locator('#rec-transfers li[data-transfer]').getAttribute('data-transfer');
    const acc = await api(d, 'POST', `/api/transfers/${tid}/accept`, { token: admin, json: { plot_id: plot.json.id } });
    assert.equal(acc.status, 200, acc.text);
    await p.locator(`#records [data-record="${recId}"] button`).click();
    await p.locator('#rec-transfers li[data-state="accepted"]', { hasText: /8号|no\. 8/ }).waitFor();

    // its memorial page, made for the family
    const mem = await api(d, 'POST', '/api/memorials', { token: operator.token, json: { title: `${name}纪念馆`, deceased_id: recId } });
    assert.equal(mem.status, 201, mem.text);

    // a ceremony picking the hall and the memorial page
    await p.click('a[href="/operator.html"]');
    await p.locator('main[data-mode="list"]').waitFor();
    const hallOpt = p.locator('#hall_id option', { hasText: hallName });
    await hallOpt.waitFor({ state: 'attached' });
    await p.selectOption('#hall_id', { label: hallName });
    await p.selectOption('#memorial_id', { label: name });
    await p.fill('#title', `${name}先生告别仪式`);
    await p.fill('#deceased_name', name);
    await p.selectOption('#source_kind', 'test');
    await p.click('#create-form [type="submit"]');
    await p.locator('main[data-mode="detail"]').waitFor();
    await p.locator(`#d-links [data-memorial="${mem.json.memorial.id}"]`).waitFor();
    assert.match(await p.textContent('#d-links'), new RegExp(hallName));
    const id = new URL(p.url()).searchParams.get('id');
    const c = (await api(d, 'GET', `/api/ceremonies/${id}`, { token: operator.token })).json;
    assert.equal(c.memorial_id, mem.json.memorial.id);
    assert.ok(c.hall_id > 0);

    // live
    await p.click('#btn-start');
    await p.locator('#op-detail[data-phase="live"]').waitFor({ timeout: 20000 });
    // the operator sees the hall on the muted preview before ending; stopping
    // while its offer is still on the way would answer it 409 not live
    await p.locator('#preview[data-view="playing"]').waitFor({ timeout: 30000 });
    await p.click('#btn-stop');
    await p.click('#confirm-ok');
    await p.locator('#op-detail[data-phase="ended"]').waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page ${overflow}px wider than the screen`);
    assert.deepEqual(errors, []);
    await ctx.close();

    // the family: invited as the memorial's family admin, downloads the recording
    await family(locale, viewport, mem.json.memorial.id, id, `${name}先生告别仪式`);
  });
}
