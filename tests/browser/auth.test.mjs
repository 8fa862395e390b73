// Accounts in the browser: sign up, land on the account page, sign out, sign
// in again, switch the language; no console errors on any page on the way.
// Also: wrong credentials are shown inline, ?next= stays on the site, and the
// account page sends a signed-out visitor to the sign-in page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';

let d;
let browser;

before(async () => {
  d = await startDaemon();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

// A mobile number of its own for each run: 1 + 10 digits.
function phone() {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

async function newPage(opts = {}) {
  const ctx = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 390, height: 844 },
    ...opts,
  });
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  return { ctx, page, errors };
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent())?.trim();
}

test('sign up, sign out, sign in again and switch language', async () => {
  const { ctx, page, errors } = await newPage();
  const login = phone();
  const password = 'quiet river 42';
  const name = '李思远';

  // Sign up.
  await page.goto(`${d.url}/signup.html`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await text(page, 'h1'), '注册账号');
  assert.equal(await text(page, '[data-nav="signin"]'), '登录');
  await page.fill('#display_name', name);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.fill('#password2', password);
  await Promise.all([
    page.waitForURL(`${d.url}/account.html`),
    page.click('#signup-form [type="submit"]'),
  ]);
  assert.deepEqual(errors, [], 'signup page');

  // The account page shows who signed up.
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await text(page, '#display-name'), name);
  const masked = await text(page, '#login-masked');
  assert.match(masked, /\*{4}/, 'login is shown masked');
  assert.ok(!masked.includes(login), 'the full phone number is not shown');
  assert.equal(await text(page, '#roles [data-role="mourner"]'), '追思者');
  assert.equal(await text(page, '[data-nav="account"]'), '我的');
  const cookies = await ctx.cookies(d.url);
  const session = cookies.find((c) => c.name === 'sinian_session');
  assert.ok(session, 'session cookie set');
  assert.equal(session.httpOnly, true);
  assert.deepEqual(errors, [], 'account page after sign-up');

  // Sign out: back to the landing page, signed out.
  await Promise.all([
    page.waitForURL(`${d.url}/`),
    page.click('#signout'),
  ]);
  await page.locator('[data-nav="signin"]').waitFor();
  assert.equal(await text(page, '[data-nav="signin"]'), '登录');
  assert.equal((await ctx.cookies(d.url)).filter((c) => c.name === 'sinian_session' && c.value).length, 0,
    'session cookie cleared');
  assert.deepEqual(errors, [], 'landing page after sign-out');

  // Sign in again through the header link.
  await Promise.all([
    page.waitForURL(/\/signin\.html/),
    page.click('[data-nav="signin"]'),
  ]);
  assert.equal(await text(page, 'h1'), '登录');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL(`${d.url}/account.html`),
    page.click('#signin-form [type="submit"]'),
  ]);
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await text(page, '#display-name'), name);
  assert.deepEqual(errors, [], 'sign-in and account pages');

  // Switch to English: the page re-renders in place, and stays English.
  assert.equal(await text(page, 'h1'), '我的账号');
  await page.click('[data-lang-switch]');
  // the English dictionary is loaded when asked for (only the language in
  // use comes with the page)
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await text(page, 'h1'), 'Your account');
  assert.equal(await text(page, '#roles [data-role="mourner"]'), 'Mourner');
  assert.equal(await text(page, '[data-nav="account"]'), 'Account');
  assert.equal(await page.title(), 'Your account · sinian');
  await page.reload();
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await text(page, 'h1'), 'Your account');
  // ... and back.
  await page.click('[data-lang-switch]');
  await page.waitForFunction((l) => document.documentElement.lang === l, 'zh-CN'); // its dictionary loaded
  assert.equal(await text(page, 'h1'), '我的账号');
  assert.deepEqual(errors, [], 'language switch');

  await ctx.close();
});

test('wrong password and a taken login are shown inline', async () => {
  const login = phone();
  const r = await api(d, 'POST', '/api/users', {
    json: { login, password: 'correct horse', display_name: '王' },
  });
  assert.equal(r.status, 202, r.text);

  const { ctx, page, errors } = await newPage();
  await page.goto(`${d.url}/signin.html`);
  await page.fill('#login', login);
  await page.fill('#password', 'not the password');
  await page.click('#signin-form [type="submit"]');
  const box = page.locator('#signin-form [data-form-error]');
  await box.waitFor({ state: 'visible' });
  assert.equal((await box.textContent()).trim(), '手机号、邮箱或密码不正确。');
  assert.equal(new URL(page.url()).pathname, '/signin.html');

  // Client-side checks need no request at all.
  await page.goto(`${d.url}/signup.html`);
  await page.fill('#display_name', '王');
  await page.fill('#login', '12345');
  await page.fill('#password', 'short');
  await page.fill('#password2', 'short');
  await page.click('#signup-form [type="submit"]');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login').getAttribute('aria-invalid'), 'true');
  assert.match(await text(page, '#password-error'), /8/);

  // Sign-up never says a login is taken; signing in with it then fails,
  // and the page says what to do, under the login field.
  await page.fill('#login', login);
  await page.fill('#password', 'long enough now');
  await page.fill('#password2', 'long enough now');
  await page.click('#signup-form [type="submit"]');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  assert.match(await text(page, '#login-error'), /已经注册过/);
  assert.equal(new URL(page.url()).pathname, '/signup.html');

  // The only console errors are Chromium's notes of the 401 answers.
  const unexpected = errors.filter((e) => !/status of 401/.test(e));
  assert.deepEqual(unexpected, []);
  await ctx.close();
});

test('?next= stays on this site; the account page needs a session', async () => {
  const login = phone();
  const password = 'a quiet morning';
  const r = await api(d, 'POST', '/api/users', {
    json: { login, password, display_name: '陈' },
  });
  assert.equal(r.status, 202, r.text);

  const { ctx, page, errors } = await newPage({ locale: 'en-US' });
  // Signed out: the account page sends the visitor to sign in, with no request.
  await page.goto(`${d.url}/account.html`);
  await page.waitForURL(`${d.url}/signin.html?next=/account.html`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Sign in');

  // A next= to another site is ignored.
  await page.goto(`${d.url}/signin.html?next=//example.com/x`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL(`${d.url}/account.html`),
    page.click('#signin-form [type="submit"]'),
  ]);
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await text(page, '#display-name'), '陈');
  assert.deepEqual(errors, []);
  await ctx.close();
});
