// The ceremony page's times and condolences, on a phone (390x844, also
// WeChat's user agent) and a desktop, in both languages: times said in
// whose time they are, with the countdown; the operator giving them in the
// hall's clock; condolences held for the family, shown and hidden live;
// after the end, the recording to download and the printable page. No page
// logs a console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../lib/daemon.mjs';
import { until } from '../lib/live.mjs';
import {
  DESKTOP, WECHAT_UA, ceremony, context, iso, memorial, usePhoneWorld, w,
} from '../lib/phone_world.mjs';

usePhoneWorld();

// a live event on a busy shared machine (it takes milliseconds on a quiet one)
const LIVE_MS = 10000;

test('times: your time and the ceremony\'s, a countdown before the start', async () => {
  const start = Date.now() + 2 * 3600e3 + 15 * 60e3;
  const c = await ceremony({ scheduled_start: iso(start), scheduled_end: iso(start + 3600e3) });

  // a grandson in Vancouver: both clocks named
  let { ctx, page, errors } = await context({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'America/Vancouver' });
  await page.goto(`${w.d.url}/c/${c.id}`);
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
  await page.goto(`${w.d.url}/c/${c.id}`);
  await page.waitForSelector('#player[data-view="waiting"]');
  assert.match(await page.textContent('#cer-when'), /（北京时间）$/);
  assert.equal(await page.isVisible('#cer-when-local'), false);
  assert.match(await page.textContent('#player-countdown'), /^距开始还有 2 小时 1[45] 分钟$/);
  assert.deepEqual(errors, []);
  await ctx.close();

  // a ceremony in London seen from Beijing
  const london = await ceremony({ time_zone: 'Europe/London', scheduled_start: iso(start), scheduled_end: iso(start + 3600e3) });
  ({ ctx, page, errors } = await context({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }));
  await page.goto(`${w.d.url}/c/${london.id}`);
  await page.waitForSelector('#player[data-view="waiting"]');
  assert.match(await page.textContent('#cer-when'), /London时间/);
  assert.match(await page.textContent('#cer-when-local'), /^您的时间 .* · London时间 \d\d:\d\d$/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the funeral home gives the times in the hall\'s clock', async () => {
  // an operator in Vancouver sets up a ceremony in a London hall
  const { ctx, page, errors } = await context({ viewport: DESKTOP, locale: 'en-US', token: w.admin,
    timezoneId: 'America/Vancouver' });
  await page.goto(`${w.d.url}/operator.html`);
  await page.waitForSelector('main[data-mode="list"]');
  assert.equal(await page.inputValue('#time_zone'), 'America/Vancouver', 'the browser\'s zone first');
  await page.selectOption('#time_zone', 'Europe/London');
  await page.fill('#title', '伦敦告别仪式');
  await page.fill('#deceased_name', '林美华');
  await page.fill('#date', '2027-07-01');
  await page.fill('#start_time', '10:00');
  await page.fill('#end_time', '11:30');
  const made = page.waitForResponse((r) => r.url().endsWith('/api/ceremonies') && r.request().method() === 'POST');
  await page.click('#create-form [type="submit"]');
  const c = await (await made).json();
  assert.equal(c.time_zone, 'Europe/London');
  assert.equal(c.scheduled_start, '2027-07-01T09:00:00Z', '10:00 in London in summer');
  assert.equal(c.scheduled_end, '2027-07-01T10:30:00Z');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('condolences: held for the family, shown and hidden live; after the end kept and printed', { timeout: 150000 }, async () => {
  const m = await memorial({ title: '怀念孙秀兰', moderation: 'hold', deceased: { name: '孙秀兰', death_date: '2025-08-01' } });
  // still to come while messages are written (nothing to decode: the
  // machine's time goes to the moderation), live for a moment at the end
  const c = await ceremony({ memorial_id: m.id, title: '孙秀兰女士告别仪式', deceased_name: '孙秀兰' });

  const mourner = await context({ locale: 'zh-CN', ua: WECHAT_UA });
  const fam = await context({ viewport: DESKTOP, locale: 'en-US', token: w.family });
  const a = mourner.page;
  const f = fam.page;
  await a.goto(`${w.d.url}/c/${c.id}`);
  await f.goto(`${w.d.url}/c/${c.id}`);
  await a.waitForSelector('main[data-state="scheduled"]');
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
  await pend.waitFor({ timeout: LIVE_MS });
  assert.match(await f.textContent('#cond-mod-count'), /^1 message waiting$/);
  assert.equal(await f.locator('#cond-list li').count(), 0);

  // the family shows it: on both pages at once, the writer's note goes
  await pend.locator('button[data-action="publish"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=孙老师，一路走好。', { timeout: LIVE_MS });
  await a.waitForSelector('#cond-waiting', { state: 'hidden' });
  await f.waitForSelector('#cond-list .cond-item-text >> text=孙老师，一路走好。');
  assert.match(await f.textContent('#cond-mod-empty'), /No messages are waiting/);

  // another, shown, then hidden again: gone from the mourner's page live
  await a.fill('#text', '广告：墓地优惠');
  await a.click('#cond-form button[type="submit"]');
  await a.waitForSelector('#cond-waiting', { state: 'visible' });
  const spam = f.locator('#cond-mod-list li', { hasText: '广告' });
  await spam.waitFor({ timeout: LIVE_MS });
  await spam.locator('button[data-action="publish"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=广告：墓地优惠', { timeout: LIVE_MS });
  await f.locator('#cond-list li', { hasText: '广告' }).locator('button[data-action="hide"]').click();
  await a.waitForSelector('#cond-list .cond-item-text >> text=广告：墓地优惠', { state: 'detached', timeout: LIVE_MS });
  assert.equal(await a.locator('#cond-list li').count(), 1);
  assert.equal(await a.locator('#cond-list button').count(), 0, 'no moderation buttons for the mourner');

  // the end: the family keeps the recording and prints the messages
  assert.equal((await api(w.d, 'POST', `/api/ceremonies/${c.id}/start`, { token: w.admin })).status, 200);
  await f.waitForSelector('main[data-state="live"]', { timeout: LIVE_MS });
  await f.waitForTimeout(2500); // some seconds to record
  assert.equal((await api(w.d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: w.admin })).status, 200);
  await until(async () => (await api(w.d, 'GET', `/api/ceremonies/${c.id}`)).json.has_recording || { ok: false },
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
  await f.waitForURL(`${w.d.url}/c/${c.id}/condolences`);
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
  await a.goto(`${w.d.url}/c/${c.id}/condolences`);
  await a.waitForSelector('main[data-state="ready"]');
  assert.match(await a.textContent('#cp-count'), /^共 1 条留言$/);
  assert.equal(await a.isVisible('#cp-download'), false);

  assert.deepEqual(mourner.errors, []);
  assert.deepEqual(fam.errors, []);
  await mourner.ctx.close();
  await fam.ctx.close();
});
