// The ceremony and memorial pages in a hand (390x844, also WeChat's user
// agent) and on a desktop, in both languages: the share tags a link preview
// reads and the card they name; the player held sideways (the picture fills
// the screen, its buttons on it) and upright while a condolence is written
// (the picture pinned at the top); a browser that can play nothing live
// saying how to open the link in the phone's own browser. No page logs a
// console error. (Times and condolences: phone_ceremony.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../lib/daemon.mjs';
import {
  PHONE, SIDEWAYS, WECHAT_UA, box, ceremony, context, inside, memorial, usePhoneWorld, w,
} from '../lib/phone_world.mjs';

usePhoneWorld();

test('share: WeChat reads the tags of the page, the card is a 1200x630 PNG that follows the name', async () => {
  const m = await memorial({ title: '怀念赵德明', deceased: { name: '赵德明', birth_date: '1931-02-03', death_date: '2025-06-07' } });
  for (const [locale, lead] of [['zh-CN', /赵德明/], ['en-US', /Zhao|赵德明/]]) {
    const { ctx, page, errors } = await context({ locale, ua: WECHAT_UA });
    await page.goto(`${w.d.url}/m/${m.slug}`);
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
  await page.goto(`${w.d.url}/m/${m.slug}`);
  const first = await card();
  const p = await api(w.d, 'PATCH', `/api/memorials/${m.id}`,
    { token: w.family, json: { title: '怀念赵德明（1931—2025）' } });
  assert.equal(p.status, 200, p.text);
  await page.goto(`${w.d.url}/m/${m.slug}`);
  const second = await card();
  assert.notEqual(second.src, first.src, 'the card address changes with the title');
  assert.notEqual(second.sum, first.sum, 'a card drawn again');
  assert.match(await page.getAttribute('meta[property="og:title"]', 'content'), /1931—2025/);
  await ctx.close();
});

test('player in a hand: sideways it fills the screen with its buttons on it; upright it stays on top while writing', { timeout: 90000 }, async () => {
  const c = await ceremony({ title: '陈国华先生告别仪式' });
  assert.equal((await api(w.d, 'POST', `/api/ceremonies/${c.id}/start`, { token: w.admin })).status, 200);
  try {
    for (const [locale, ua] of [['zh-CN', WECHAT_UA], ['en-US', undefined]]) {
      const { ctx, page, errors } = await context({ viewport: SIDEWAYS, locale, ua, mobile: true });
      await page.goto(`${w.d.url}/c/${c.id}/`); // with the final slash
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
    await api(w.d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: w.admin });
  }
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
    await page.goto(`${w.d.url}/c/${c.id}`);
    await page.waitForSelector('#player[data-view="waiting"]');
    await page.waitForSelector('#open-browser', { state: 'visible' });
    assert.match(await page.textContent('#open-browser-text'), said);
    assert.equal(await page.isVisible('#copy-link'), true, 'a button copies the link');
    // when it goes live, the card says the same instead of trying
    assert.equal((await api(w.d, 'POST', `/api/ceremonies/${c.id}/start`, { token: w.admin })).status, 200);
    await page.waitForSelector('main[data-state="live"]', { timeout: 20000 });
    await page.waitForSelector('#player[data-view="blocked"]');
    assert.match(await page.textContent('#player-card-body'), said);
    assert.equal(await page.isVisible('#copy-link'), true);
    assert.equal((await api(w.d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: w.admin })).status, 200);
    assert.deepEqual(errors, []);
    await ctx.close();
    if (locale === 'zh-CN') {
      // a new ceremony for the second language, the first has ended
      Object.assign(c, await ceremony());
    }
  }
});
