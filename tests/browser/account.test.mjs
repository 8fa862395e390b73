// Accounts a grandmother can keep, in headless Chromium on a phone
// (390×844), in Chinese and English: "forgot password" by a code sent by
// text message (to a webhook on loopback) sets a new password and signs
// in; signing in by code lands on the page asked for; with browser storage
// blocked (as in
// some in-app browsers), a successful sign-in lands on the page asked for
// and stays there, instead of going back to the sign-in page; the account
// page lists the person's memorials (with the messages waiting for review),
// those they follow, their visits and orders, by name, never "纪念馆 #2".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { makeWorld, cstDate } from '../lib/visit_world.mjs';
import { startSmsWebhook } from '../lib/mail.mjs';

const PHONE = { width: 390, height: 844 };
const GRANDMA = { login: '13912345678', password: 'osmanthus in autumn', display_name: '王奶奶' };

let d, w, browser, sms;

before(async () => {
  sms = await startSmsWebhook();
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000, demo: false,
    rate_limit_codes: 100, notify_sms: 'webhook', sms_webhook_url: sms.url } });
  const r = await api(d, 'POST', '/api/users', { json: GRANDMA });
  assert.equal(r.status, 202, r.text); // sign-up never says whether a login was free
  w = await makeWorld(d, { families: ['family'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
  await sms?.stop();
});

/** The six digits of the next text message to the grandmother. */
async function nextCode() {
  const m = await sms.next();
  assert.equal(m.body.to, `+86${GRANDMA.login}`);
  return /(\d{6})/.exec(m.body.text)[1];
}

for (const locale of ['zh-CN', 'en']) {
  test(`forgot password: a code by text message, a new password, signed in (${locale})`, async () => {
    const ctx = await browser.newContext({ locale, viewport: PHONE });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/signin.html?next=/account.html`);
    // the page's script gives the link its next= (after its dictionary loads)
    await page.waitForFunction(() => document.getElementById('reset-link').href.includes('next='));
    await page.locator('#reset-link').click();
    await page.waitForURL(/\/code\.html\?mode=reset&next=%2Faccount\.html$/);
    assert.equal(await page.locator('#code-heading').textContent(),
      locale === 'zh-CN' ? '找回密码' : 'Reset your password');
    await page.locator('#login').fill('139 1234 5678');
    await page.locator('#send').click();
    await page.locator('#use-form:not([hidden])').waitFor();
    assert.match(await page.locator('#sent').textContent(), locale === 'zh-CN' ? /短信/ : /text message/);
    assert.equal(await page.locator('#resend').isDisabled(), true, 'a minute before sending again');
    const code = await nextCode();
    // a wrong code first: it says so and keeps the form
    await page.locator('#code').fill(String((Number(code) + 1) % 1e6).padStart(6, '0'));
    const pw = `a new password ${locale}`;
    await page.locator('#new_password').fill(pw);
    await page.locator('#new_password2').fill(pw);
    await page.locator('#use').click();
    await page.locator('#code-error:not([hidden])').waitFor();
    await page.locator('#code').fill(code);
    await page.locator('#use').click();
    await page.waitForURL(`${d.url}/account.html`);
    await page.locator('#account:not([hidden])').waitFor();
    assert.equal(await page.locator('#display-name').textContent(), GRANDMA.display_name);
    const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= iw, `code page: ${sw} > ${iw}`);
    // the new password works, and is the one now
    assert.equal((await api(d, 'POST', '/api/session',
      { json: { login: GRANDMA.login, password: pw } })).status, 200);
    GRANDMA.password = pw;
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
    await ctx.close();
  });

  test(`sign in by code lands on the page asked for (${locale})`, async () => {
    const ctx = await browser.newContext({ locale, viewport: PHONE });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/signin.html?next=/inbox.html`);
    await page.locator('#code-link').click();
    await page.locator('#login').fill(GRANDMA.login);
    await page.locator('#send').click();
    await page.locator('#use-form:not([hidden])').waitFor();
    assert.equal(await page.locator('#new-password').isHidden(), true);
    await page.locator('#code').fill(await nextCode());
    await page.locator('#use').click();
    await page.waitForURL(`${d.url}/inbox.html`);
    await page.locator('main[data-state="ready"]').waitFor();
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

/** A page whose localStorage and sessionStorage throw, as when blocked. */
async function blockedStorage(locale) {
  const ctx = await browser.newContext({ locale, viewport: PHONE });
  await ctx.addInitScript(() => {
    for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, {
        get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
      });
    }
  });
  return ctx;
}

for (const locale of ['zh-CN', 'en']) {
  test(`storage blocked: signing in lands on the page asked for (${locale})`, async () => {
    const ctx = await blockedStorage(locale);
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/signin.html?next=/inbox.html`);
    await page.locator('#login').fill(GRANDMA.login);
    await page.locator('#password').fill(GRANDMA.password);
    await page.locator('#signin-form [type="submit"]').click();
    await page.waitForURL(`${d.url}/inbox.html`);
    await page.locator('main[data-state="ready"]').waitFor();
    await page.waitForTimeout(500); // a loop would leave the page by now
    assert.equal(new URL(page.url()).pathname, '/inbox.html');
    assert.equal(await page.locator('[data-nav="account"]').count(), 1, 'the header knows the person');
    await page.goto(`${d.url}/account.html`);
    await page.locator('#account:not([hidden])').waitFor();
    assert.equal(await page.locator('#display-name').textContent(), GRANDMA.display_name);
    // a page asks the server who is signed in: 200 here, never a 401 loop
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
    await ctx.close();
  });
}

async function ok(who, method, p, json, want) {
  const r = await w.as(who, method, p, json === undefined ? {} : { json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p}: ${r.text}`);
  return r.json;
}

for (const locale of ['zh-CN', 'en']) {
  test(`the account page lists memorials, visits and orders by name (${locale})`, async () => {
    if (!w.ids.memorial) {
      w.ids.memorial = (await ok('family', 'POST', '/api/memorials', {
        title: '纪念李秀英', deceased: { name: '李秀英', death_date: '2024-09-17' } })).memorial.id;
      const other = (await ok('admin', 'POST', '/api/memorials', {
        title: '纪念张明', deceased: { name: '张明', death_date: cstDate(-3) } })).memorial.id;
      await ok('family', 'PUT', `/api/memorials/${other}/follow`, undefined, 200);
      await api(d, 'POST', `/api/memorials/${w.ids.memorial}/tributes`,
        { json: { kind: 'message', from_name: '小雨', text: '想您' } });
      const slot = (await ok('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
        { date: cstDate(2), start: '09:00', end: '10:00', capacity: 5 })).slots[0];
      await ok('family', 'POST', '/api/bookings',
        { slot_id: slot.id, plot_id: w.ids.plotA, persons: 1, contact_phone: '13900001234' });
      await ok('family', 'POST', '/api/sweeping-orders',
        { plot_id: w.ids.plotA, date: cstDate(3), items: [{ service_id: w.ids.cleanA }] });
    }
    const ctx = await browser.newContext({ locale, viewport: PHONE });
    await ctx.addCookies([{ name: 'sinian_session', value: w.tokens.family, url: d.url }]);
    await ctx.addInitScript(() => { localStorage.setItem('sinian.session', '1'); });
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${d.url}/account.html`);
    await page.locator('#my-orders:not([hidden])').waitFor();
    const mine = page.locator('#my-memorials a');
    assert.equal(await mine.count(), 1);
    assert.match(await mine.textContent(), /纪念李秀英/);
    assert.match(await mine.textContent(), locale === 'zh-CN' ? /1 条留言待审核/ : /1 message to review/);
    assert.equal(await mine.getAttribute('href'), `/memorial-admin.html?id=${w.ids.memorial}`);
    assert.match(await page.locator('#my-following a').textContent(), /纪念张明/);
    assert.match(await page.locator('#my-following a').textContent(), locale === 'zh-CN' ? /下一个日子：头七/ : /Next: First seventh day/);
    assert.match(await page.locator('#my-bookings a').textContent(), /A 区公墓/);
    assert.match(await page.locator('#my-orders a').textContent(), /A 区公墓/);
    // the roles list names the memorial too
    const roles = await page.locator('#roles').textContent();
    assert.match(roles, /纪念李秀英/);
    assert.doesNotMatch(roles, /#\d/);
    const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= iw, `account page: ${sw} > ${iw}`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
