// Family invitations in the browser: a family admin invites a relative by
// phone number from the memorial's admin page (desktop, English) and sees
// the invitation waiting; the relative, signed in on a phone (Chinese),
// finds it on the account page, accepts it and holds the role; a notice
// tells an account's owner that someone tried to sign up with their
// number. Both pages fit a 390 px phone, and no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { signUp } from '../lib/accounts.mjs';
import { launchBrowser, openPage } from '../lib/browser.mjs';

const PASSWORD = 'an evening by the river';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let d;
let browser;
let family;
let cousin;
let memorial;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  family = await signUp(d, { login: '13500001111', password: PASSWORD, display_name: '王小梅' });
  cousin = await signUp(d, { login: '13500002222', password: PASSWORD, display_name: '表弟' });
  memorial = (await api(d, 'POST', '/api/memorials', { token: family.token, json: {
    title: '外公的纪念馆', visibility: 'private',
    deceased: { name: '王德', death_date: '2025-12-01' } } })).json.memorial;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

function open(urlPath, token, { viewport = PHONE, locale = 'zh-CN' } = {}) {
  return openPage(browser, d.url, urlPath, { token, locale, viewport });
}

async function fits(page, what) {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `${what}: scrollWidth ${sw} > innerWidth ${iw}`);
}

test('invite from the admin page (desktop, English); accept on the phone (Chinese)', async () => {
  const admin = await open(`/memorial-admin.html?id=${memorial.id}`, family.token,
    { viewport: DESKTOP, locale: 'en-US' });
  const p = admin.page;
  await p.locator('#family').waitFor({ state: 'visible' });
  assert.equal((await p.locator('#fam-form h3').textContent()).trim(), 'Invite someone');
  // not a phone number or address: caught before any request
  await p.fill('#fam-user', '42');
  await p.click('#fam-form [type="submit"]');
  await p.locator('#fam-user-error').waitFor({ state: 'visible' });
  await p.fill('#fam-user', '135 0000 2222');
  await p.selectOption('#fam-role', 'memorial_guest');
  await p.click('#fam-form [type="submit"]');
  const item = p.locator('#inv-list [data-state="pending"]');
  await item.waitFor();
  assert.match(await item.textContent(), /135\*\*\*\*2222/);
  assert.match(await item.textContent(), /waiting/);
  // the cousin is not a member yet
  assert.equal(await p.locator('#fam-list [data-role="memorial_guest"]').count(), 0);
  assert.deepEqual(admin.errors, []);
  await admin.ctx.close();

  const phone = await open('/account.html', cousin.token);
  const q = phone.page;
  await q.locator('#invites').waitFor({ state: 'visible' });
  assert.equal((await q.locator('#invites h2').textContent()).trim(), '邀请');
  assert.match(await q.locator('#invite-list').textContent(), /王小梅 邀请您成为「外公的纪念馆」的/);
  await fits(q, 'account page with an invitation');
  await q.click('#invite-list [data-action="accept"]');
  await q.locator('#invites').waitFor({ state: 'hidden' });
  await q.locator('#roles [data-role="memorial_guest"]').waitFor();
  assert.deepEqual(phone.errors, []);
  await phone.ctx.close();

  // the private memorial opens for the cousin now
  const page = await api(d, 'GET', `/api/memorials/${memorial.id}`, { token: cousin.token });
  assert.equal(page.status, 200, page.text);
});

test('an owner is told that someone tried to sign up with their number', async () => {
  const r = await api(d, 'POST', '/api/users',
    { json: { login: '13500001111', password: 'somebody else entirely', display_name: '别人' } });
  assert.equal(r.status, 202, r.text);
  for (const [locale, viewport, want] of [['zh-CN', PHONE, /有人尝试用您的手机号或邮箱注册/],
    ['en-US', DESKTOP, /someone tried to sign up/]]) {
    const { ctx, page, errors } = await open('/account.html', family.token, { viewport, locale });
    await page.locator('#notices').waitFor({ state: 'visible' });
    assert.match(await page.locator('#notice-list').textContent(), want);
    if (viewport === PHONE) await fits(page, 'account page with a notice');
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});
