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
