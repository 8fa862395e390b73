// The ceremony and memorial pages in a hand (390x844, also WeChat's user
// agent) and on a desktop, in both languages: the share tags a link preview
// reads and the card they name; the player held sideways (the picture fills
// the screen, its buttons on it) and upright while a condolence is written
// (the picture pinned at the top); times said in whose time they are, with
// the countdown; a browser that can play nothing live saying how to open
// the link in the phone's own browser; condolences held for the family,
// shown and hidden live; after the end, the recording to download and the
// printable page. No page logs a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { until, adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const FAMILY = { login: '13900002222', password: 'quiet spring rain', display_name: '王小梅' };
const PHONE = { width: 390, height: 844 };
const SIDEWAYS = { width: 844, height: 390 };
const DESKTOP = { width: 1280, height: 800 };
const WECHAT_UA = 'Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 '
  + '(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 '
  + 'MMWEBSDK/20241103 MMWEBID/2247 MicroMessenger/8.0.54.2760(0x28003637) WeChat/arm64 Weixin '
  + 'NetType/WIFI Language/zh_CN ABI/arm64';

let d;
let browser;
let admin;
let agencyId;
let family;

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function ceremony(extra = {}) {
  const r = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId, title: '刘淑珍女士告别仪式', deceased_name: '刘淑珍',
      scheduled_start: iso(Date.now() + 86400e3), scheduled_end: iso(Date.now() + 90000e3),
      visibility: 'public', source: { kind: 'test' }, ...extra,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function memorial(body) {
  const r = await api(d, 'POST', '/api/memorials', { token: family, json: body });
  assert.equal(r.status, 201, r.text);
  return r.json.memorial;
}

/** A context as a phone (touch, mobile viewport) or a desktop; signed in
 *  with token when given. */
async function context({ viewport = PHONE, locale = 'zh-CN', ua, token, timezoneId, mobile } = {}) {
  const phone = mobile ?? viewport.width < 900;
  const ctx = await browser.newContext({
    viewport, locale, timezoneId, userAgent: ua, isMobile: phone, hasTouch: phone,
  });
  if (token) {
    await ctx.addCookies([{ name: 'sinian_session', value: token, url: d.url }]);
    await ctx.addInitScript(() => {
      try { localStorage.setItem('sinian.session', '1'); } catch { /* ignore */ }
    });
  }
  const page = await ctx.newPage();
  return { ctx, page, errors: collectConsoleErrors(page) };
}

/** The box of a selector in the viewport's coordinates. */
const box = (page, sel) => page.$eval(sel, (el) => {
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height };
});

function inside(b, vp, what) {
  assert.ok(b.w > 0 && b.h > 0, `${what} is shown`);
  assert.ok(b.x >= 0 && b.y >= 0 && b.right <= vp.width && b.bottom <= vp.height,
    `${what} inside the ${vp.width}x${vp.height} viewport: ${JSON.stringify(b)}`);
}

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true, rate_limit_writes: 100000 } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  assert.equal((await api(d, 'POST', '/api/users', { json: FAMILY })).status, 201);
  family = (await api(d, 'POST', '/api/session',
    { json: { login: FAMILY.login, password: FAMILY.password } })).json.token;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

test('share: WeChat reads the tags of the page, the card is a 1200x630 PNG that follows the name', async () => {
  const m = await memorial({ title: '怀念赵德明', deceased: { name: '赵德明', birth_date: '1931-02-03', death_date: '2025-06-07' } });
  for (const [locale, lead] of [['zh-CN', /赵德明/], ['en-US', /Zhao|赵德明/]]) {
    const { ctx, page, errors } = await context({ locale, ua: WECHAT_UA });
    await page.goto(`${d.url}/m/${m.slug}`);
    await page.waitForSelector('main[data-state="ready"]');
    const tags = await page.evaluate(() => {
      const get = (q) => document.querySelector(q)?.getAttribute('content') ?? null;
      return {
        title: get('meta[property="og:title"]'), desc: get('meta[property="og:description"]'),
        image: get('meta[property="og:image"]'), wxImage: get('meta[itemprop="image"]'),
        wxName: get('meta[itemprop="name"]'), locale: get('meta[property="og:locale"]'),
      };
    });
    assert.match(tags.title, lead);
    assert.equal(tags.locale, locale === 'zh-CN' ? 'zh_CN' : 'en_US');
    assert.ok(tags.desc, 'a description');
    assert.equal(tags.wxImage, tags.image, 'WeChat reads the same card');
    assert.equal(tags.wxName, tags.title);
    // the card as the phone fetches it
    const png = await page.evaluate(async (src) => {
      const r = await fetch(src);
      const b = new DataView(await r.arrayBuffer());
      return { type: r.headers.get('content-type'), w: b.getUint32(16), h: b.getUint32(20), n: b.byteLength };
    }, tags.image);
    assert.deepEqual([png.type, png.w, png.h], ['image/png', 1200, 630]);
    // the QR code as a picture a long press saves
    const qr = await page.evaluate(async (mid) => {
      const r = await fetch(`/api/memorials/${mid}/qr.png`);
      const b = new DataView(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), sig: b.getUint32(0).toString(16) };
    }, m.id);
    assert.deepEqual(qr, { status: 200, type: 'image/png', sig: '89504e47' });
    assert.deepEqual(errors, []);
    await ctx.close();
  }
  // a new title, a new card
  const { ctx, page } = await context({ ua: WECHAT_UA });
  const card = () => page.evaluate(async () => {
    const src = document.querySelector('meta[property="og:image"]').getAttribute('content');
    const sum = await crypto.subtle.digest('SHA-256', await (await fetch(src)).arrayBuffer());
    return { src, sum: [...new Uint8Array(sum)].map((x) => x.toString(16).padStart(2, '0')).join('') };
  });
  await page.goto(`${d.url}/m/${m.slug}`);
  const first = await card();
  const p = await api(d, 'PATCH', `/api/memorials/${m.id}`,
    { token: family, json: { title: '怀念赵德明（1931—2025）' } });
  assert.equal(p.status, 200, p.text);
  await page.goto(`${d.url}/m/${m.slug}`);
  const second = await card();
  assert.notEqual(second.src, first.src, 'the card address changes with the title');
  assert.notEqual(second.sum, first.sum, 'a card drawn again');
  assert.match(await page.getAttribute('meta[property="og:title"]', 'content'), /1931—2025/);
  await ctx.close();
});

test('player in a hand: sideways it fills the screen with its buttons on it; upright it stays on top while writing', { timeout: 90000 }, async () => {
  const c = await ceremony({ title: '陈国华先生告别仪式' });
  assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin })).status, 200);
  try {
    for (const [locale, ua] of [['zh-CN', WECHAT_UA], ['en-US', undefined]]) {
      const { ctx, page, errors } = await context({ viewport: SIDEWAYS, locale, ua, mobile: true });
      await page.goto(`${d.url}/c/${c.id}/`); // with the final slash
      await page.waitForSelector('#player[data-view="playing"]', { timeout: 20000 });
      assert.equal(await page.isVisible('#open-browser'), false, 'this browser plays: no hint');
      const stage = await box(page, '#player');
      assert.deepEqual([stage.x, stage.y, stage.w, stage.h], [0, 0, SIDEWAYS.width, SIDEWAYS.height],
        'sideways the picture fills the screen');
      inside(await box(page, '#unmute'), SIDEWAYS, 'the sound button');
      inside(await box(page, '#fullscreen'), SIDEWAYS, 'the fullscreen button');
      const video = await box(page, '#live-video');
      assert.deepEqual([video.w, video.h], [SIDEWAYS.width, SIDEWAYS.height]);
      await page.click('#unmute');
      assert.equal(await page.getAttribute('#unmute', 'aria-pressed'), 'true', 'its buttons work');

      // upright, writing a condolence: the picture stays pinned at the top
      await page.setViewportSize(PHONE);
      await page.waitForFunction(() => document.getElementById('player').getBoundingClientRect().width < 400);
      await page.focus('#text');
      await page.fill('#text', '一路走好');
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.waitForTimeout(100);
      const pinned = await box(page, '#player');
      assert.equal(pinned.y, 0, 'pinned at the top');
      assert.ok(pinned.h > 150 && pinned.h <= PHONE.height * 0.4 + 1, `a third of the screen: ${pinned.h}`);
      const field = await box(page, '#text');
      assert.ok(field.y >= pinned.bottom || field.bottom <= 0 || field.y > PHONE.height,
        'the picture does not cover the field');
      // leaving the form lets it go
      await page.focus('#unmute');
      await page.waitForFunction(() => !document.getElementById('main').classList.contains('is-writing'));
      assert.deepEqual(errors, []);
      await ctx.close();
    }
  } finally {
    await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin });
  }
});

test('times: your time and the ceremony\'s, a countdown before the start', async () => {
  const start = Date.now() + 2 * 3600e3 + 15 * 60e3;
  const c = await ceremony({ scheduled_start: iso(start), scheduled_end: iso(start + 3600e3) });

  // a grandson in Vancouver: both clocks named
  let { ctx, page, errors } = await context({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'America/Vancouver' });
  await page.goto(`${d.url}/c/${c.id}`);
  await page.waitForSelector('#player[data-view="waiting"]');
  assert.match(await page.textContent('#cer-when'), /\(Beijing time\)$/);
  const both = await page.textContent('#cer-when-local');
  const bj = new Date(start).toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
  assert.match(both, new RegExp(`your time · ${bj} Beijing time$`));
  assert.equal(await page.isVisible('#cer-when-local'), true);
  assert.match(await page.textContent('#player-countdown'), /^Starts in 2 h 1[45] min$/);
  assert.deepEqual(errors, []);
  await ctx.close();

  // in Beijing: one clock, said once; in Chinese
  ({ ctx, page, errors } = await context({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }));
  await page.goto(`${d.url}/c/${c.id}`);
  await page.waitForSelector('#player[data-view="waiting"]');
  assert.match(await page.textContent('#cer-when'), /（北京时间）$/);
  assert.equal(await page.isVisible('#cer-when-local'), false);
  assert.match(await page.textContent('#player-countdown'), /^距开始还有 2 小时 1[45] 分钟$/);
  assert.deepEqual(errors, []);
  await ctx.close();

  // a ceremony in London seen from Beijing
  const london = await ceremony({ time_zone: 'Europe/London', scheduled_start: iso(start), scheduled_end: iso(start + 3600e3) });
  ({ ctx, page, errors } = await context({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }));
  await page.goto(`${d.url}/c/${london.id}`);
  await page.waitForSelector('#player[data-view="waiting"]');
  assert.match(await page.textContent('#cer-when'), /London时间/);
  assert.match(await page.textContent('#cer-when-local'), /^您的时间 .* · London时间 \d\d:\d\d$/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('WeChat without WebRTC or HLS: the page says how to open the link in the phone\'s browser', async () => {
  const c = await ceremony();
  for (const [locale, said] of [['zh-CN', /在浏览器打开/], ['en-US', /Open in Browser/]]) {
    const { ctx, page, errors } = await context({ locale, ua: WECHAT_UA });
    await ctx.addInitScript(() => {
      delete window.RTCPeerConnection;
      delete window.webkitRTCPeerConnection;
      delete window.MediaSource;
      delete window.ManagedMediaSource;
      HTMLMediaElement.prototype.canPlayType = () => '';
    });
    await page.goto(`${d.url}/c/${c.id}`);
    await page.waitForSelector('#player[data-view="waiting"]');
    await page.waitForSelector('#open-browser', { state: 'visible' });
    assert.match(await page.textContent('#open-browser-text'), said);
    assert.equal(await page.isVisible('#copy-link'), true, 'a button copies the link');
    // when it goes live, the card says the same instead of trying
    assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin })).status, 200);
    await page.waitForSelector('main[data-state="live"]', { timeout: 20000 });
    await page.waitForSelector('#player[data-view="blocked"]');
    assert.match(await page.textContent('#player-card-body'), said);
    assert.equal(await page.isVisible('#copy-link'), true);
    assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin })).status, 200);
    assert.deepEqual(errors, []);
    await ctx.close();
    if (locale === 'zh-CN') {
      // a new ceremony for the second language, the first has ended
      Object.assign(c, await ceremony());
    }
  }
});

test('condolences: held for the family, shown and hidden live; after the end kept and printed', { timeout: 120000 }, async () => {
  const m = await memorial({ title: '怀念孙秀兰', moderation: 'hold', deceased: { name: '孙秀兰', death_date: '2025-08-01' } });
  const c = await ceremony({ memorial_id: m.id, title: '孙秀兰女士告别仪式', deceased_name: '孙秀兰' });
  assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin })).status, 200);

  const mourner = await context({ locale: 'zh-CN', ua: WECHAT_UA });
  const fam = await context({ viewport: DESKTOP, locale: 'en-US', token: family });
  const a = mourner.page;
  const f = fam.page;
  await a.goto(`${d.url}/c/${c.id}`);
  await f.goto(`${d.url}/c/${c.id}`);
  await a.waitForSelector('main[data-state="live"]');
  await f.waitForSelector('#cond-mod', { state: 'visible' });
  assert.equal(await a.isVisible('#cond-mod'), false, 'the mourner keeps nothing');
  assert.match(await a.textContent('#cond-lead'), /家属看过后/);
  assert.match(await f.textContent('#cond-mod-empty'), /No messages are waiting/);
  await f.waitForTimeout(800); // the family follows condolences:{id} by now

  // the mourner writes: a note for the writer, nothing for the others yet
  await a.fill('#from_name', '老同事 王');
  await a.fill('#text', '孙老师，一路走好。');
  await a.click('#cond-form button[type="submit"]');
  await a.waitForSelector('#cond-waiting', { state: 'visible' });
  assert.equal(await a.locator('#cond-list li').count(), 0);
  const pend = f.locator('#cond-mod-list li', { hasText: '孙老师，一路走好。' });
  await pend.waitFor({ timeout: 5000 });
  assert.match(await f.textContent('#cond-mod-count'), /^1 message waiting$/);
  assert.equal(await f.locator('#cond-list li').count(), 0);

  // the family shows it: on both pages at once, the writer's note goes
  await pend.locator('button[data-action="publish"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=孙老师，一路走好。', { timeout: 5000 });
  await a.waitForSelector('#cond-waiting', { state: 'hidden' });
  await f.waitForSelector('#cond-list .cond-item-text >> text=孙老师，一路走好。');
  assert.match(await f.textContent('#cond-mod-empty'), /No messages are waiting/);

  // another, shown, then hidden again: gone from the mourner's page live
  await a.fill('#text', '广告：墓地优惠');
  await a.click('#cond-form button[type="submit"]');
  const spam = f.locator('#cond-mod-list li', { hasText: '广告' });
  await spam.waitFor({ timeout: 5000 });
  await spam.locator('button[data-action="publish"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=广告：墓地优惠', { timeout: 5000 });
  await f.locator('#cond-list li', { hasText: '广告' }).locator('button[data-action="hide"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=广告：墓地优惠', { state: 'detached', timeout: 5000 });
  assert.equal(await a.locator('#cond-list li').count(), 1);
  assert.equal(await a.locator('#cond-list button').count(), 0, 'no moderation buttons for the mourner');

  // the end: the family keeps the recording and prints the messages
  await f.waitForTimeout(2000); // some seconds to record
  assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin })).status, 200);
  await until(async () => (await api(d, 'GET', `/api/ceremonies/${c.id}`)).json.has_recording || { ok: false },
    15000, 'the recording');
  await f.waitForSelector('main[data-state="ended"]', { timeout: 20000 });
  await f.reload(); // has_recording is read when the page loads or polls
  await f.waitForSelector('#cer-keep', { state: 'visible' });
  await f.waitForSelector('#keep-recording', { state: 'visible' });
  assert.equal(await a.isVisible('#cer-keep'), false);
  const href = await f.getAttribute('#keep-recording', 'href');
  assert.equal(href, `/api/ceremonies/${c.id}/recording?download=1`);
  const dl = await f.evaluate(async (u) => {
    const r = await fetch(u, { method: 'HEAD' });
    return { status: r.status, disp: r.headers.get('content-disposition') };
  }, href);
  assert.equal(dl.status, 200);
  assert.match(dl.disp, /^attachment;/);

  await f.click('#keep-print');
  await f.waitForURL(`${d.url}/c/${c.id}/condolences`);
  await f.waitForSelector('main[data-state="ready"]');
  assert.equal(await f.textContent('#cp-title'), '孙秀兰女士告别仪式');
  assert.deepEqual(await f.locator('#cp-list .cp-text').allTextContents(), ['孙老师，一路走好。']);
  assert.match(await f.textContent('#cp-count'), /^1 message$/);
  assert.equal(await f.isVisible('#cp-download'), true);
  await f.emulateMedia({ media: 'print' });
  assert.equal(await f.isVisible('#cp-print'), false, 'the buttons are not printed');
  assert.equal(await f.isVisible('#site-header'), false);
  assert.equal(await f.isVisible('#cp-list'), true);

  // the mourner's printable page: the messages, no download
  await a.goto(`${d.url}/c/${c.id}/condolences`);
  await a.waitForSelector('main[data-state="ready"]');
  assert.match(await a.textContent('#cp-count'), /^共 1 条留言$/);
  assert.equal(await a.isVisible('#cp-download'), false);

  assert.deepEqual(mourner.errors, []);
  assert.deepEqual(fam.errors, []);
  await mourner.ctx.close();
  await fam.ctx.close();
});
