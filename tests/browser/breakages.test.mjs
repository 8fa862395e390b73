// The small breakages a family met on a phone, each kept from coming back:
// plot labels said once ("3排 12号", never "3排排 12号号") on the booking
// form, the ticket, the staff console and the order page; "1 booking";
// the chosen slot kept through signing in to book; the "waiting for
// review" notice gone once the family has read the message; a "create a
// memorial" entry on the home page; only the language in use loaded; a
// calm dot beside "live updates connected"; toasts that do not pile up; a
// large phone photo made smaller before it is sent, with its own caption,
// edited in the gallery. No console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, openPage } from '../lib/browser.mjs';
import { makeWorld, PASSWORD, cstDate } from '../lib/visit_world.mjs';

const PHONE = { width: 390, height: 844 };

let d;
let w;
let browser;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  w = await makeWorld(d);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

/** A phone context in locale, signed in as who (a world name) or not. */
function phone(who, locale = 'zh-CN', viewport = PHONE) {
  return openPage(browser, d.url, null, { token: who ? w.tokens[who] : null, locale, viewport });
}

const DOUBLED = /区区|排排|号号/;

test('plot labels are said once everywhere; "1 booking"; the chosen slot survives signing in', async () => {
  // a plot typed with its units, as cemetery staff often do
  const plot = await w.as('admin', 'POST', `/api/cemeteries/${w.ids.cemA}/plots`,
    { json: { section: 'B', row: '3排', number: '12号', kind: 'grave' } });
  assert.equal(plot.status, 201, plot.text);
  const slot = await w.as('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
    { json: { date: cstDate(1), start: '09:00', end: '10:00', capacity: 5 } });
  assert.equal(slot.status, 201, slot.text);
  const slotId = slot.json.slots[0].id;

  // signed out: choose the day and the slot, then sign in to book
  const fam = await phone(null);
  const p = fam.page;
  await p.goto(`${d.url}/visit.html?cemetery=${w.ids.cemA}`);
  await p.locator(`[data-date="${cstDate(1)}"]`).click();
  await p.locator(`[data-slot="${slotId}"]`).click();
  await p.waitForURL((u) => u.searchParams.get('slot') === String(slotId));
  await p.locator('#signin-link').click();
  await p.waitForURL(/\/signin\.html\?next=/);
  await p.fill('#login', w.logins.familyB);
  await p.fill('#password', PASSWORD);
  await Promise.all([
    p.waitForURL((u) => u.pathname === '/visit.html' && u.searchParams.get('slot') === String(slotId)),
    p.click('#signin-form [type="submit"]'),
  ]);
  const chosen = p.locator(`[data-slot="${slotId}"]`);
  await chosen.waitFor();
  assert.equal(await chosen.getAttribute('aria-pressed'), 'true', 'the slot is still chosen');

  // the booking form's plots
  const options = await p.locator('#plot_id option').allTextContents();
  assert.ok(options.includes('B区 3排 12号'), JSON.stringify(options));
  assert.ok(options.includes('A区 3排 18号'), JSON.stringify(options));
  assert.ok(!options.some((o) => DOUBLED.test(o)), JSON.stringify(options));
  await p.selectOption('#plot_id', String(plot.json.id));
  await p.fill('#contact_phone', '139 1234 5678');
  await Promise.all([
    p.waitForURL(/\/visit\.html\?booking=\d+$/),
    p.click('#book-form [type="submit"]'),
  ]);
  await p.locator('#v-ticket').waitFor();
  assert.equal((await p.textContent('#t-plot')).trim(), 'B区 3排 12号');

  // the order page's plots
  await p.goto(`${d.url}/order.html?cemetery=${w.ids.cemA}`);
  await p.locator('#o-plot option', { hasText: '12' }).first().waitFor({ state: 'attached' });
  const ot = await p.locator('#o-plot option').allTextContents();
  assert.ok(ot.includes('B区 3排 12号'), JSON.stringify(ot));
  assert.ok(!ot.some((o) => DOUBLED.test(o)), JSON.stringify(ot));
  assert.deepEqual(fam.errors, []);
  await fam.ctx.close();

  // the staff console, in English: units said once, "1 booking"
  const staff = await phone('staffA', 'en-US');
  const s = staff.page;
  await s.goto(`${d.url}/staff.html`);
  await s.click('#tab-visits');
  await s.fill('#v-date', cstDate(1));
  const row = s.locator('#visits [data-booking]').first();
  await row.waitFor();
  assert.match(await row.textContent(), /Section B, row 3, no\. 12/);
  assert.doesNotMatch(await row.textContent(), /排|号/);
  assert.match(await s.textContent('#visits-summary'), /^1 booking, 1 person$/);
  assert.deepEqual(staff.errors, []);
  await staff.ctx.close();
});

test('the "waiting for review" notice goes once the family has read the message', async () => {
  const m = await w.as('familyA', 'POST', '/api/memorials',
    { json: { title: '怀念周玉芬', moderation: 'hold', deceased: { name: '周玉芬', death_date: '2025-02-02' } } });
  assert.equal(m.status, 201, m.text);
  const { ctx, page, errors } = await phone(null);
  await page.goto(`${d.url}/m/${m.json.memorial.slug}`);
  await page.waitForSelector('#live-status[data-status="connected"]');
  await page.fill('#gb-from', '邻居 老李');
  await page.fill('#gb-text', '周阿姨，您走好。');
  const posted = page.waitForResponse((r) => r.url().includes('/tributes') && r.request().method() === 'POST');
  await page.click('#gb-form [type="submit"]');
  const tid = (await (await posted).json()).tribute.id;
  await page.waitForSelector('#gb-pending', { state: 'visible' });
  const ok = await w.as('familyA', 'PATCH', `/api/memorials/${m.json.memorial.id}/messages/${tid}`,
    { json: { state: 'published' } });
  assert.equal(ok.status, 200, ok.text);
  await page.waitForSelector('#gb-pending', { state: 'hidden', timeout: 5000 });
  await page.waitForSelector('#gb-list >> text=周阿姨，您走好。');

  // the connected dot is calm: jade, still; never the red of a live ceremony
  const dot = await page.$eval('#live-dot', (el) => {
    const s = getComputedStyle(el);
    const after = getComputedStyle(el, '::after');
    return { bg: s.backgroundColor, anim: s.animationName, after: after.display };
  });
  assert.equal(dot.bg, 'rgb(45, 102, 84)', JSON.stringify(dot));
  assert.equal(dot.anim, 'none');
  assert.equal(dot.after, 'none');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('home: a way to create a memorial; only the language in use is loaded; toasts do not pile up', async () => {
  for (const [locale, mine, other] of [['zh-CN', 'zh-CN.js', 'en.js'], ['en-US', 'en.js', 'zh-CN.js']]) {
    const { ctx, page, errors } = await phone(null, locale);
    const dicts = [];
    page.on('request', (r) => {
      const m = /\/js\/i18n\/([^/]+\.js)$/.exec(new URL(r.url()).pathname);
      if (m) dicts.push(m[1]);
    });
    await page.goto(`${d.url}/`);
    const create = page.locator('#create-memorial');
    assert.equal(await create.isVisible(), true);
    assert.equal(await create.getAttribute('href'), '/memorial-new.html');
    assert.deepEqual(dicts, [mine], 'one dictionary');
    // switching loads the other one and re-words the page
    const before1 = await create.textContent();
    await page.evaluate(async (code) => (await import('/js/i18n.js')).setLang(code),
      locale === 'zh-CN' ? 'en' : 'zh-CN');
    assert.deepEqual(dicts, [mine, other]);
    assert.notEqual(await create.textContent(), before1);

    // a burst of toasts: three at most, the same one once
    const shown = await page.evaluate(async () => {
      const { toast } = await import('/js/layout.js');
      for (let i = 0; i < 6; i++) toast(`状态 ${i}`);
      toast('状态 5');
      toast('状态 5');
      return [...document.querySelectorAll('.toast:not(.is-leaving) .toast-body')].map((n) => n.textContent);
    });
    assert.deepEqual(shown, ['状态 3', '状态 4', '状态 5']);
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});

test('a large phone photo is made smaller before it is sent; each photo has its caption, editable', { timeout: 120000 }, async () => {
  const m = await w.as('familyA', 'POST', '/api/memorials',
    { json: { title: '怀念钱志强', deceased: { name: '钱志强', death_date: '2025-03-03' } } });
  assert.equal(m.status, 201, m.text);
  const mid = m.json.memorial.id;
  const { ctx, page, errors } = await phone('familyA');
  await page.goto(`${d.url}/memorial-admin.html?id=${mid}`);
  await page.waitForSelector('main[data-state="ready"]');

  // a 12.5 MB-class picture, as a phone's camera makes them: more than the
  // server takes (10 MB)
  const size = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 3200;
    c.height = 2400;
    const g = c.getContext('2d');
    const img = g.createImageData(c.width, c.height);
    for (let i = 0; i < img.data.length; i += 65536) {
      crypto.getRandomValues(img.data.subarray(i, Math.min(i + 65536, img.data.length)));
    }
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
    g.putImageData(img, 0, 0);
    const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 1));
    const file = new File([blob], 'IMG_20250405_101500.jpg', { type: 'image/jpeg' });
    const dt = new DataTransfer();
    dt.items.add(file);
    const input = document.getElementById('ph-file');
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    // what is sent: the size of each uploaded body
    window.sentBodies = [];
    const send = window.fetch;
    window.fetch = (url, opts = {}) => {
      if (opts.body instanceof Blob) window.sentBodies.push({ url: String(url), size: opts.body.size, type: opts.body.type });
      return send(url, opts);
    };
    return file.size;
  });
  assert.ok(size > 10485760, `the picture is larger than the server's limit: ${size}`);
  await page.fill('#ph-cap-0', '2019年春节，全家福');
  await page.click('#ph-form [type="submit"]');
  const item = page.locator('#ph-list li').first();
  await item.waitFor({ timeout: 60000 });
  const sent = await page.evaluate(() => window.sentBodies);
  assert.equal(sent.length, 1, JSON.stringify(sent));
  assert.match(sent[0].url, new RegExp(`/api/memorials/${mid}/photos\\?caption=`));
  assert.equal(sent[0].type, 'image/jpeg');
  // noise is the worst case for JPEG: within the limit, a fraction of it
  assert.ok(sent[0].size < 10485760 && sent[0].size < size / 4, `sent ${sent[0].size} of ${size} bytes`);
  const saved = (await api(d, 'GET', `/api/memorials/${mid}`, { token: w.tokens.familyA })).json;
  const photo = saved.photos?.[0] ?? saved.memorial?.photos?.[0];
  assert.equal(photo.caption, '2019年春节，全家福');
  const dims = await page.evaluate(async (url) => {
    const b = await createImageBitmap(await (await fetch(url)).blob());
    return [b.width, b.height];
  }, photo.url);
  assert.deepEqual(dims, [2560, 1920], 'the long side made 2560 pixels');

  // the caption edited in place
  const cap = item.locator('input.madm-photo-caption');
  assert.equal(await cap.inputValue(), '2019年春节，全家福');
  await cap.fill('2019年春节，全家福（北京）');
  await item.locator('[data-action="save-caption"]').click();
  await item.locator('[data-action="save-caption"]').waitFor({ state: 'hidden' });
  const again = (await api(d, 'GET', `/api/memorials/${mid}`, { token: w.tokens.familyA })).json;
  assert.equal((again.photos?.[0] ?? again.memorial?.photos?.[0]).caption, '2019年春节，全家福（北京）');
  assert.deepEqual(errors, []);
  await ctx.close();
});
