// A complaint in the browser, on a desktop and on a phone: a visitor who is
// not signed in reads a cemetery's public page (fee list, published text,
// rating) and sends a complaint; the page gives the link to the answer.
// The cemetery's staff find it in their console (service.html, reached
// from the cemetery console), open it and answer. The visitor's link then
// shows the answer; another visitor without the link sees nothing. No
// console errors anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { makeWorld, PASSWORD } from '../lib/visit_world.mjs';

let d;
let w;
let browser;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  w = await makeWorld(d);
  const r = await w.as('staffA', 'PUT', `/api/cemeteries/${w.ids.cemA}/public`,
    { json: { commitments: '当日办结，明码标价。', subsidy: '树葬每例补贴 1000 元' } });
  assert.equal(r.status, 200, r.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const text = async (page, sel) => (await page.locator(sel).first().textContent())?.trim();

async function open(viewport, locale = 'zh-CN') {
  const ctx = await browser.newContext({ locale, viewport: VIEWPORTS[viewport] });
  const page = await ctx.newPage();
  return { ctx, page, errors: collectConsoleErrors(page) };
}

async function signIn(page, who, next) {
  await page.goto(`${d.url}/signin.html?next=${encodeURIComponent(next)}`);
  await page.fill('#login', w.logins[who]);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => `${u.pathname}${u.search}` === next),
    page.click('#signin-form [type="submit"]'),
  ]);
}

// Chromium logs every 4xx answer as a console error; drop the one a test
// provoked on purpose (urlPart names its endpoint), keep everything else.
function except(errors, status, urlPart) {
  const i = errors.findIndex((e) => e.includes(`status of ${status}`) && e.includes(urlPart));
  assert.ok(i >= 0, `expected a ${status} from ${urlPart} in ${JSON.stringify(errors)}`);
  return errors.filter((_, k) => k !== i);
}

for (const viewport of Object.keys(VIEWPORTS)) {
  test(`${viewport}: a complaint is sent from the public page and answered in the console`, async () => {
    const said = `${viewport}：代客祭扫的照片迟迟没有上传。`;
    const visitor = await open(viewport);
    const v = visitor.page;
    await v.goto(`${d.url}/org.html?cemetery=${w.ids.cemA}`);
    await v.locator('#o-page:not([hidden])').waitFor();
    assert.equal(await text(v, '#o-name'), 'A 区公墓');
    assert.match(await text(v, '#o-fees'), /墓碑清洁.*¥50\.00/s);
    assert.equal(await text(v, '#o-commitments'), '当日办结，明码标价。');
    assert.equal(await text(v, '#o-subsidy'), '树葬每例补贴 1000 元');
    assert.equal(await text(v, '#o-rating'), '还没有评分。');
    // the form fits the phone: no sideways scrolling
    assert.ok(await v.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

    // empty: said under the field, nothing sent
    await v.click('#complaint-form [type="submit"]');
    await v.locator('#c-text-error:not([hidden])').waitFor();
    await v.fill('#c-text', said);
    await v.fill('#c-contact', '13912345678');
    await v.click('#complaint-form [type="submit"]');
    await v.locator('#c-sent:not([hidden])').waitFor();
    assert.ok(await v.locator('#complaint-form').isHidden());
    const link = await v.locator('#c-link').getAttribute('href');
    assert.match(link, /^\/complaint\.html\?id=\d+&token=[\w-]{40,}$/);

    // the link shows it, waiting for an answer
    await v.click('#c-link');
    await v.locator('#p-page:not([hidden])').waitFor();
    assert.equal(await text(v, '#p-text'), said);
    assert.equal(await text(v, '#p-state'), '等待答复');
    assert.ok(await v.locator('#answer-form').isHidden());
    assert.ok(await v.locator('#p-contact').isHidden(), 'the sender is not shown the contact');

    // the staff member: cemetery console → public information and complaints
    const staff = await open(viewport);
    const s = staff.page;
    await signIn(s, 'staffA', '/staff.html');
    await s.click('#to-service');
    await s.waitForURL(/\/service\.html$/);
    const item = s.locator('#complaints li', { hasText: said });
    await item.waitFor();
    assert.match(await item.textContent(), /13912345678/);
    assert.match(await item.textContent(), /等待答复/);
    await item.locator('a').click();
    await s.locator('#answer-form:not([hidden])').waitFor();
    assert.equal(await text(s, '#p-text'), said);
    await s.fill('#a-text', '已补传照片，并向您致歉。');
    await s.click('#answer-form [type="submit"]');
    await s.locator('#p-answer-box:not([hidden])').waitFor();
    assert.equal(await text(s, '#p-state'), '已答复');
    assert.ok(await s.locator('#answer-form').isHidden());

    // the visitor's link now shows the answer
    await v.reload();
    await v.locator('#p-answer-box:not([hidden])').waitFor();
    assert.equal(await text(v, '#p-answer'), '已补传照片，并向您致歉。');
    assert.equal(await text(v, '#p-state'), '已答复');

    // someone else, without the link's token, finds nothing
    const other = await open(viewport, 'en');
    const o = other.page;
    await o.goto(`${d.url}${link.replace(/&token=.*/, '')}`);
    await o.locator('#p-error:not([hidden])').waitFor();
    assert.match(await text(o, '#p-error-text'), /sign in/);
    assert.ok(!(await o.content()).includes('代客祭扫的照片'));

    assert.deepEqual(visitor.errors, []);
    assert.deepEqual(staff.errors, []);
    assert.deepEqual(except(other.errors, 401, '/api/complaints/'), []);
    await Promise.all([visitor.ctx.close(), staff.ctx.close(), other.ctx.close()]);
  });
}

test('phone: a signed-in sender finds the complaint and its answer in their account', async () => {
  const fam = await open('phone');
  const f = fam.page;
  await signIn(f, 'familyB', `/org.html?cemetery=${w.ids.cemB}`);
  await f.locator('#o-page:not([hidden])').waitFor();
  await f.fill('#c-text', '预约的时段到了却进不了园门。');
  await f.click('#complaint-form [type="submit"]');
  await f.locator('#c-sent:not([hidden])').waitFor();
  const id = Number(new URLSearchParams((await f.locator('#c-link').getAttribute('href')).split('?')[1]).get('id'));
  const r = await w.as('staffB', 'POST', `/api/complaints/${id}/answer`, { json: { answer: '门卫已培训，抱歉。' } });
  assert.equal(r.status, 200, r.text);

  await f.goto(`${d.url}/account.html`);
  const item = f.locator(`#my-complaints [data-complaint="${id}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /B 区公墓.*已答复/);
  await item.locator('a').click();
  await f.locator('#p-answer-box:not([hidden])').waitFor();
  assert.equal(await text(f, '#p-answer'), '门卫已培训，抱歉。');
  assert.deepEqual(fam.errors, []);
  await fam.ctx.close();
});
