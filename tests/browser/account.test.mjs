// Accounts a grandmother can keep, in headless Chromium on a phone
// (390×844), in Chinese and English: with browser storage blocked (as in
// some in-app browsers), a successful sign-in lands on the page asked for
// and stays there, instead of going back to the sign-in page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';

const PHONE = { width: 390, height: 844 };
const GRANDMA = { login: '13912345678', password: 'osmanthus in autumn', display_name: '王奶奶' };

let d, browser;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000, demo: false } });
  const r = await api(d, 'POST', '/api/users', { json: GRANDMA });
  assert.equal(r.status, 201, r.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

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
