// The mourning calendar and the inbox in headless Chromium on a phone
// (390×844), in Chinese and English. A known death date shows the known
// 七七 and lunar anniversary: a death on 中秋 2024 (17 September) gives 七七
// on 4 November 2024 and, by the lunar date, 周年 on 中秋 2025 (6 October;
// Hong Kong Observatory's conversion table). A death 48 days ago shows
// "today is 七七". Following and unfollowing from the page; the feed behind
// "download" parses with python3-icalendar; "Add to calendar" on a
// ceremony to come. The inbox receives a message waiting for review live,
// without a reload, and the header's unread count follows. No console
// errors, nothing wider than the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, openPage } from '../lib/browser.mjs';
import { makeWorld, cstDate } from '../lib/visit_world.mjs';
import { parseIcs } from '../lib/mail.mjs';

const PHONE = { width: 390, height: 844 };

let d, w, browser;
const mem = {};

async function ok(who, method, p, json, want) {
  const r = await w.as(who, method, p, json === undefined ? {} : { json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p}: ${r.text}`);
  return r.json;
}

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000, demo: false } });
  w = await makeWorld(d, { families: ['family', 'mourner'] });
  mem.known = (await ok('family', 'POST', '/api/memorials', {
    title: '纪念李秀英', slug: 'li-xiuying',
    deceased: { name: '李秀英', birth_date: '1936-03-15', death_date: '2024-09-17' } })).memorial;
  await ok('family', 'PUT', `/api/memorials/${mem.known.id}/calendar`, { anniversaries: 'lunar' }, 200);
  mem.today = (await ok('family', 'POST', '/api/memorials', {
    title: '纪念张明', slug: 'zhang-ming', deceased: { name: '张明', death_date: cstDate(-48) } })).memorial;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

function open(urlPath, { who = null, locale = 'zh-CN' } = {}) {
  return openPage(browser, d.url, urlPath, { token: who ? w.tokens[who] : null, locale, viewport: PHONE });
}

async function noOverflow(page, what) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `${what}: scrollWidth ${sw} > innerWidth ${iw}`);
}

/** [title, date text, lunar text] of each rite. */
function rows(page) {
  return page.locator('#cal-rites .cal-tile').evaluateAll((els) => els.map((el) => [
    el.querySelector('.cal-item-title').textContent,
    el.querySelector('time').textContent,
    el.querySelector('.cal-tile-lunar')?.textContent ?? '',
  ]));
}

for (const locale of ['zh-CN', 'en']) {
  test(`a known death date gives the known 七七 and lunar anniversary (${locale})`, async () => {
    const { ctx, page, errors } = await open('/m/li-xiuying', { locale });
    await page.locator('#calendar:not([hidden]) #cal-rites .cal-tile').first().waitFor();
    const r = await rows(page);
    assert.equal(r.length, 10);
    if (locale === 'zh-CN') {
      assert.deepEqual(r[6], ['七七', '2024年11月4日', '']);
      assert.deepEqual(r[8], ['周年', '2025年10月6日', '农历八月十五']);
      assert.deepEqual(r[9], ['三周年', '2027年9月15日', '农历八月十五']);
      assert.match(await page.locator('#cal-note').textContent(), /按农历计算/);
    } else {
      assert.deepEqual(r[6], ['Seventh seventh day, the 49th (七七)', 'November 4, 2024', '']);
      assert.deepEqual(r[8], ['1st anniversary (周年)', 'October 6, 2025', 'lunar 8/15']);
      assert.match(await page.locator('#cal-note').textContent(), /lunar calendar/);
    }
    assert.equal(await page.locator('#cal-rites .cal-tile').nth(6).getAttribute('data-status'), 'past');
    // the next day with its countdown
    assert.ok(await page.locator('#cal-now-title').textContent());
    assert.match(await page.locator('#cal-countdown').textContent(),
      locale === 'zh-CN' ? /还有 \d+ 天|明天|就在今天/ : /in \d+ days?|tomorrow|today/);
    // signed out: following asks to sign in first, and comes back here
    const follow = page.locator('#cal-follow');
    assert.match(await follow.getAttribute('href'), /^\/signin\.html\?next=%2Fm%2Fli-xiuying/);
    await noOverflow(page, `memorial with its calendar (${locale})`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('today is 七七: the headline says so', async () => {
  const { ctx, page, errors } = await open('/m/zhang-ming');
  await page.locator('#cal-now.is-today').waitFor();
  assert.equal(await page.locator('#cal-now .cal-now-kicker').textContent(), '今天是');
  assert.equal(await page.locator('#cal-now-title').textContent(), '七七');
  assert.equal(await page.locator('#cal-rites .cal-tile[data-status="today"] .cal-item-title').textContent(), '七七');
  await page.locator('.lang-switch').click();
  await page.locator('#cal-now-title:text("Seventh seventh day, the 49th (七七)")').waitFor();
  assert.equal(await page.locator('#cal-now .cal-now-kicker').textContent(), 'Today is');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('follow from the page, and the feed behind "download" parses', async () => {
  const { ctx, page, errors } = await open('/m/li-xiuying', { who: 'mourner' });
  const follow = page.locator('button#cal-follow');
  await follow.waitFor();
  assert.equal(await follow.textContent(), '关注，祭日前一天提醒我');
  await follow.click();
  await page.locator('button#cal-follow:text("已关注 · 取消提醒")').waitFor();
  assert.equal((await ok('mourner', 'GET', '/api/me/following')).memorials[0].id, mem.known.id);
  assert.match(await page.locator('#cal-follow-note').textContent(), /共 1 位亲友关注/);
  await page.locator('button#cal-follow').click();
  await page.locator('button#cal-follow:text("关注，祭日前一天提醒我")').waitFor();
  assert.deepEqual((await ok('mourner', 'GET', '/api/me/following')).memorials, []);

  assert.match(await page.locator('#cal-subscribe').getAttribute('href'),
    /^webcal:\/\/127\.0\.0\.1:\d+\/api\/memorials\/\d+\/calendar\.ics$/);
  const href = await page.locator('#cal-download').getAttribute('href');
  const ics = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  const cal = parseIcs(ics);
  const qiqi = cal.events.find((e) => e.summary === '七七 · 李秀英');
  assert.equal(qiqi.start, '2024-11-04');
  assert.equal(cal.events.find((e) => e.summary === '周年 · 李秀英').start, '2025-10-06');
  await noOverflow(page, 'memorial, signed in');
  assert.deepEqual(errors, []);
  await ctx.close();
});

for (const locale of ['zh-CN', 'en']) {
  test(`the inbox receives a message waiting for review live (${locale})`, async () => {
    const { ctx, page, errors } = await open('/inbox.html', { who: 'family', locale });
    await page.locator('main[data-state="ready"]').waitFor();
    await page.waitForTimeout(500); // the subscription on /ws
    const before = await page.locator('.inbox-item').count();
    const t = await api(d, 'POST', `/api/memorials/${mem.known.id}/tributes`,
      { json: { kind: 'message', from_name: '小雨', text: '外婆，想您。' } });
    assert.equal(t.status, 201, t.text);
    const item = page.locator('.inbox-item[data-kind="message_pending"].is-unread');
    await item.waitFor({ timeout: 5000 });
    assert.equal(await page.locator('.inbox-item').count(), before + 1); // the last one was read
    assert.match(await item.locator('.inbox-title').textContent(),
      locale === 'zh-CN' ? /“纪念李秀英”有 \d+ 条留言等待审核/ : /waits? for review on “纪念李秀英”/);
    assert.equal(await item.locator('a').getAttribute('href'), `/memorial-admin.html?id=${mem.known.id}`);
    await page.locator('[data-nav="inbox"] .nav-badge').waitFor();
    // read: the badge goes
    const itemId = await item.getAttribute('data-id');
    await item.locator('button').click();
    await page.locator(`.inbox-item[data-id="${itemId}"]:not(.is-unread)`).waitFor();
    await page.locator('[data-nav="inbox"] .nav-badge').waitFor({ state: 'detached' });
    await noOverflow(page, `inbox (${locale})`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('a ceremony to come offers "Add to calendar"', async () => {
  const agency = await ok('admin', 'POST', '/api/agencies', { name: '思念殡仪馆', region_code: '110105' });
  const start = new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(Date.now() + 90000e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const c = await ok('admin', 'POST', '/api/ceremonies', {
    agency_id: agency.id, title: '李秀英女士告别仪式', deceased_name: '李秀英',
    scheduled_start: start, scheduled_end: end, visibility: 'public', source: { kind: 'whip' } });
  const { ctx, page } = await open(`/c/${c.id}`);
  const link = page.locator('#cer-ics-row:not([hidden]) #cer-ics');
  await link.waitFor();
  assert.equal(await link.textContent(), '加入手机日历');
  const href = await link.getAttribute('href');
  assert.equal(href, `/api/ceremonies/${c.id}/calendar.ics?lang=zh-CN`);
  const ics = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.equal(parseIcs(ics).events[0].summary, '李秀英女士告别仪式');
  await noOverflow(page, 'ceremony page');
  await ctx.close();
});
