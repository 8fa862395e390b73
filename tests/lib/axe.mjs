// axe-core over every page in one viewport and one language: no serious or
// critical violation. tests/browser/axe_{phone,desktop}_{zh,en}.test.mjs
// call it, one viewport and language each (a run of every page takes a
// minute or more on a busy machine). Pages that need a role are
// opened signed in as the platform admin, who holds every role's rights
// (the family admin's, the funeral home operator's, the cemetery staff's);
// the memorial and ceremony pages with their live parts running. label-content-name-mismatch (a button's
// accessible name must contain its visible text) is switched on, as it is
// off by default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startDaemon, api, BIN } from './daemon.mjs';
import { launchBrowser } from './browser.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

let d;
let browser;
let adminToken;
const ids = {};

/** Every page, as whom it is for ("admin": signed in as the admin, who
 *  holds every role's rights); tab: a console's tab opened first. */
function pages() {
  return [
    { path: '/' },
    { path: '/search.html?q=%E6%9D%8E' },
    { path: '/m/demo', ready: '#live-status[data-status="connected"]' },
    { path: '/c/1', ready: '#player[data-view="playing"]' },
    { path: '/c/1/condolences', ready: 'main[data-state="ready"]' },
    { path: '/signin.html' },
    { path: '/signup.html' },
    { path: '/code.html' },
    { path: '/visit.html' },
    { path: `/visit.html?cemetery=${ids.cemetery}`, admin: true },
    { path: `/order.html?cemetery=${ids.cemetery}`, admin: true },
    { path: '/memorial-new.html', admin: true },
    { path: `/memorial-admin.html?id=${ids.memorial}`, admin: true, ready: 'main[data-state="ready"]' },
    { path: '/account.html', admin: true },
    { path: '/inbox.html', admin: true },
    { path: '/staff.html', admin: true },
    { path: '/staff.html', admin: true, tab: 'services', ready: '#panel-services:not([hidden])' },
    { path: '/agency.html', admin: true, tab: 'services', ready: '#panel-services:not([hidden])' },
    { path: '/operator.html', admin: true },
    { path: `/org.html?cemetery=${ids.cemetery}`, ready: '#o-page:not([hidden])' },
    { path: '/service.html', admin: true, ready: '#v-console:not([hidden])' },
    { path: '/graves.html', admin: true, ready: '#g-console:not([hidden])' },
    { path: '/404.html' },
  ];
}

/** One browser context per viewport and language (and one signed in as
 *  the admin), each page opened in turn in it, axe injected into each. */
async function contexts(viewport, locale) {
  const make = async (admin) => {
    // axe is injected as a script: the pages' CSP allows none inline
    const ctx = await browser.newContext({ viewport, locale, bypassCSP: true });
    if (admin) {
      await ctx.addCookies([{ name: 'sinian_session', value: adminToken, url: d.url }]);
      await ctx.addInitScript(() => {
        try { localStorage.setItem('sinian.session', '1'); } catch { /* ignore */ }
      });
    }
    return { ctx, page: await ctx.newPage() };
  };
  return { visitor: await make(false), admin: await make(true) };
}

async function check(page, p, viewport, locale) {
  await page.goto(d.url + p.path);
  if (p.tab) await page.click(`#tab-${p.tab}`); // a console's tab, checked opened
  if (p.ready) await page.locator(p.ready).first().waitFor({ timeout: 30000 });
  await page.waitForFunction(() => !document.querySelector('main[data-state="loading"]'),
    null, { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(200); // toasts and late renders settle
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'label-content-name-mismatch': { enabled: true } },
  }));
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${p.path}${p.tab ? `#${p.tab}` : ''} [${viewport.width}px ${locale}] ${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
}

/** Register the test: every page in viewport ({width, height}, named
 *  name) and locale. */
export function axeEveryPage(name, viewport, locale) {
  before(async () => {
    d = await startDaemon({ config: { media_loopback_only: true, demo_ceremony: true } });
    const add = spawnSync(BIN, ['--config', d.confFile, '--data-dir', d.dataDir, 'user', 'add', '--login',
      ADMIN.login, '--role', 'admin', '--password-stdin'], { input: `${ADMIN.password}\n`, encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    adminToken = (await api(d, 'POST', '/api/session', { json: ADMIN })).json.token;
    const demo = await api(d, 'GET', '/api/memorials/by-slug/demo');
    ids.memorial = demo.json.memorial.id;
    const cem = await api(d, 'GET', '/api/cemeteries');
    ids.cemetery = cem.json.cemeteries[0].id;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  test(`axe: every page, ${name}, ${locale}: no serious or critical violation`, { timeout: 280000 }, async () => {
    const found = [];
    const c = await contexts(viewport, locale);
    try {
      for (const p of pages()) {
        const t0 = Date.now();
        found.push(...await check((p.admin ? c.admin : c.visitor).page, p, viewport, locale));
        if (process.env.SINIAN_TEST_VERBOSE) console.error(`${p.path}: ${Date.now() - t0} ms`);
      }
    } finally {
      await c.visitor.ctx.close();
      await c.admin.ctx.close();
    }
    assert.deepEqual(found, []);
  });
}
