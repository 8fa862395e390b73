// Debian's Chromium, headless, driven by playwright-core, for tests/browser/.
//
//   const browser = await launchBrowser();
//   const page = await browser.newPage();
//   const errors = collectConsoleErrors(page);
//   await page.goto(`${d.url}/m/demo`);
//   assert.deepEqual(errors, []);
//   await browser.close();
//
// The binary is $SINIAN_CHROMIUM, else /usr/bin/chromium (scripts/deps.sh).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SINIAN_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launch headless Chromium; the caller closes the returned Browser. */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Record the page's console errors and uncaught exceptions, as strings
 * ("console: ..." / "pageerror: ..."), into the returned array as they happen.
 */
export function collectConsoleErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    errors.push(`console: ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => {
    errors.push(`pageerror: ${err.message}`);
  });
  return errors;
}

/**
 * A person signed in through the sign-in page in a fresh browser context:
 * goes to /signin.html?next=<next> on base, signs in with login and
 * password, and returns once the page has landed on next.
 * opts: locale ('zh-CN'), viewport (a phone, 390x844), lang (the page
 * language kept in localStorage, when set). Returns { ctx, page, errors }.
 */
export async function signInPage(browser, base, login, password, next,
  { locale = 'zh-CN', viewport = { width: 390, height: 844 }, lang = null } = {}) {
  const ctx = await browser.newContext({ locale, viewport });
  if (lang) await ctx.addInitScript((l) => localStorage.setItem('sinian.lang', l), lang);
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(`${base}/signin.html?next=${encodeURIComponent(next)}`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => `${u.pathname}${u.search}` === next),
    page.click('#signin-form [type="submit"]'),
  ]);
  return { ctx, page, errors };
}

/** The trimmed text of the first element matching sel. */
export async function textOf(page, sel) {
  return (await page.locator(sel).first().textContent())?.trim();
}

/**
 * A fresh browser context and page: signed in by a session token when one
 * is given (the session cookie, and the mark api.js looks for before it
 * asks /api/me), opened at base + path when a path is given.
 * opts: token, locale ('zh-CN'), viewport (a phone, 390x844).
 * Returns { ctx, page, errors }.
 */
export async function openPage(browser, base, path,
  { token = null, locale = 'zh-CN', viewport = { width: 390, height: 844 } } = {}) {
  const ctx = await browser.newContext({ locale, viewport });
  if (token) {
    await ctx.addCookies([{ name: 'sinian_session', value: token, url: base }]);
    await ctx.addInitScript(() => {
      try { localStorage.setItem('sinian.session', '1'); } catch { /* ignore */ }
    });
  }
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  if (path) await page.goto(base + path);
  return { ctx, page, errors };
}
