// The world of the phone browser tests (tests/browser/phone*.test.mjs): a
// daemon, a funeral home with its admin, a family account, Chromium, and
// contexts as a phone (390x844, touch; WeChat's user agent when asked) or a
// desktop, signed in or not.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from './daemon.mjs';
import { launchBrowser, collectConsoleErrors } from './browser.mjs';
import { adminWithAgency } from './live.mjs';

export const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
export const FAMILY = { login: '13900002222', password: 'quiet spring rain', display_name: '王小梅' };
export const PHONE = { width: 390, height: 844 };
export const SIDEWAYS = { width: 844, height: 390 };
export const DESKTOP = { width: 1280, height: 800 };
export const WECHAT_UA = 'Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 '
  + '(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 '
  + 'MMWEBSDK/20241103 MMWEBID/2247 MicroMessenger/8.0.54.2760(0x28003637) WeChat/arm64 Weixin '
  + 'NetType/WIFI Language/zh_CN ABI/arm64';

/** The daemon, the browser and the accounts, once before() has run. */
export const w = {};

export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export async function ceremony(extra = {}) {
  const r = await api(w.d, 'POST', '/api/ceremonies', {
    token: w.admin,
    json: {
      agency_id: w.agencyId, title: '刘淑珍女士告别仪式', deceased_name: '刘淑珍',
      scheduled_start: iso(Date.now() + 86400e3), scheduled_end: iso(Date.now() + 90000e3),
      visibility: 'public', source: { kind: 'test' }, ...extra,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

export async function memorial(body) {
  const r = await api(w.d, 'POST', '/api/memorials', { token: w.family, json: body });
  assert.equal(r.status, 201, r.text);
  return r.json.memorial;
}

/** A context as a phone (touch, mobile viewport) or a desktop; signed in
 *  with token when given. */
export async function context({ viewport = PHONE, locale = 'zh-CN', ua, token, timezoneId, mobile } = {}) {
  const phone = mobile ?? viewport.width < 900;
  const ctx = await w.browser.newContext({
    viewport, locale, timezoneId, userAgent: ua, isMobile: phone, hasTouch: phone,
  });
  if (token) {
    await ctx.addCookies([{ name: 'sinian_session', value: token, url: w.d.url }]);
    await ctx.addInitScript(() => {
      try { localStorage.setItem('sinian.session', '1'); } catch { /* ignore */ }
    });
  }
  const page = await ctx.newPage();
  return { ctx, page, errors: collectConsoleErrors(page) };
}

/** The box of a selector in the viewport's coordinates. */
export const box = (page, sel) => page.$eval(sel, (el) => {
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height };
});

export function inside(b, vp, what) {
  assert.ok(b.w > 0 && b.h > 0, `${what} is shown`);
  assert.ok(b.x >= 0 && b.y >= 0 && b.right <= vp.width && b.bottom <= vp.height,
    `${what} inside the ${vp.width}x${vp.height} viewport: ${JSON.stringify(b)}`);
}

/** Register the world's before() and after(). */
export function usePhoneWorld() {
  before(async () => {
    w.d = await startDaemon({ config: { media_loopback_only: true, rate_limit_writes: 100000 } });
    ({ admin: w.admin, agencyId: w.agencyId } = await adminWithAgency(w.d, ADMIN));
    assert.equal((await api(w.d, 'POST', '/api/users', { json: FAMILY })).status, 202);
    w.family = (await api(w.d, 'POST', '/api/session',
      { json: { login: FAMILY.login, password: FAMILY.password } })).json.token;
    w.browser = await launchBrowser();
  });

  after(async () => {
    await w.browser?.close();
    await w.d?.stop();
  });
}
