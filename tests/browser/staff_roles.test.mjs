// Roles without the command line, in headless Chromium on a phone (zh-CN,
// 390x844) and a desktop (en): the platform admin creates a funeral home
// or a cemetery on /admin.html and invites its first manager by phone
// number; the manager accepts on the account page and, from the console's
// staff tab, invites a colleague by e-mail; the colleague accepts, works
// (a hall, a plot), sees no staff tab when a cemetery's plain staff; the
// manager removes them, and their open console is refused at once and,
// reloaded, lets them in no more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, openPage } from '../lib/browser.mjs';
import { adminWithAgency } from '../lib/live.mjs';
import { signUp } from '../lib/accounts.mjs';

const ADMIN = { login: 'roles-admin@example.org', password: 'a platform of remembrance' };
const PASSWORD = 'incense for the new staff';

let d;
let browser;
let admin;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000 } });
  ({ admin } = await adminWithAgency(d, ADMIN, '总馆'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

async function page(token, locale, viewport) {
  const { ctx, page: p, errors } = await openPage(browser, d.url, null, { token, locale, viewport });
  return { ctx, p, errors };
}

/** On the account page: accept the one staff invitation; the console's URL. */
async function acceptOnAccountPage(p, kind) {
  await p.goto(`${d.url}/account.html`);
  const inv = p.locator('[data-staff-invitation]');
  await inv.waitFor();
  await inv.locator('[data-action="accept"]').click();
  const role = p.locator(`#roles [data-role="${kind === 'agency' ? 'agency_operator' : 'cemetery_staff'}"] a`);
  await role.waitFor();
  return role.getAttribute('href');
}

const CASES = [
  ['cemetery', 'zh-CN', { width: 390, height: 844 }, 0],
  ['agency', 'zh-CN', { width: 390, height: 844 }, 1],
  ['cemetery', 'en-US', { width: 1280, height: 800 }, 2],
  ['agency', 'en-US', { width: 1280, height: 800 }, 3],
];

for (const [kind, locale, viewport, i] of CASES) {
  test(`a ${kind}'s staff invited, accepting, working, revoked (${locale} ${viewport.width}px)`,
    { timeout: 120000 }, async () => {
      const orgName = `${kind === 'agency' ? '福寿殡仪馆' : '青山陵园'}${i}`;
      const manager = await signUp(d, { login: `1370000${i}001`, password: PASSWORD, display_name: `管理员${i}` });
      const memberName = `新同事${i}`;
      const member = await signUp(d, { login: `member${i}@example.org`, password: PASSWORD,
        display_name: memberName });

      // the admin makes the organisation and invites its first manager
      const A = await page(admin, locale, viewport);
      await A.p.goto(`${d.url}/admin.html`);
      await A.p.locator('#x-console').waitFor();
      await A.p.selectOption('#org-kind', kind);
      await A.p.fill('#org-name', orgName);
      await A.p.fill('#org-region', '110105');
      await A.p.click('#org-form [type="submit"]');
      await A.p.locator('#org-title', { hasText: orgName }).waitFor();
      // the team tab loads after the title: wait for the manager flag's
      // place to settle (only a cemetery has managers)
      await A.p.locator('#team-manager-field')
        .waitFor({ state: kind === 'cemetery' ? 'visible' : 'hidden' });
      await A.p.fill('#team-login', `137 0000 ${i}001`);
      await A.p.click('#team-form [type="submit"]');
      await A.p.locator(`#team-invites [data-invite="137****${i}001"]`).waitFor();
      // the list is drawn: the flag's place is what it will stay
      assert.equal(await A.p.isVisible('#team-manager-field'), kind === 'cemetery');
      assert.equal(await A.p.locator('#team-members li').count(), 0, 'nobody before accepting');

      // the manager accepts and invites a colleague from the console
      const M = await page(manager.token, locale, viewport);
      const consoleUrl = await acceptOnAccountPage(M.p, kind);
      assert.match(consoleUrl, kind === 'agency' ? /^\/agency\.html\?agency=\d+$/ : /^\/staff\.html\?cemetery=\d+$/);
      await M.p.goto(`${d.url}${consoleUrl}`);
      await M.p.click('#tab-team');
      await M.p.locator(`#team-members [data-member="管理员${i}"]`).waitFor();
      if (kind === 'cemetery') await M.p.locator('#team-manager-field').waitFor();
      await M.p.fill('#team-login', `member${i}@example.org`);
      await M.p.click('#team-form [type="submit"]');
      await M.p.locator('#team-invites [data-action="revoke-invite"]').waitFor();

      // the colleague accepts and works
      const S = await page(member.token, locale, viewport);
      assert.equal(await acceptOnAccountPage(S.p, kind), consoleUrl);
      await S.p.goto(`${d.url}${consoleUrl}`);
      if (kind === 'cemetery') {
        await S.p.locator('#s-console').waitFor();
        assert.equal(await S.p.isVisible('#tab-team'), false, 'plain staff manage nobody');
        await S.p.click('#tab-plots');
        await S.p.fill('#plot-section', 'A');
        await S.p.fill('#plot-row', '1');
        await S.p.fill('#plot-number', '7');
        await S.p.click('#plot-form [type="submit"]');
        await S.p.locator('#plot-list [data-plot]').waitFor();
      } else {
        await S.p.locator('#a-console').waitFor();
        await S.p.click('#tab-halls');
        await S.p.fill('#hall-name', `${memberName}厅`);
        await S.p.click('#hall-form [type="submit"]');
        await S.p.locator('#halls li', { hasText: `${memberName}厅` }).waitFor();
      }

      // the manager removes them: asked twice, in the row
      await M.p.click('#tab-team');
      const row = M.p.locator(`#team-members [data-member="${memberName}"]`);
      await row.locator('[data-action="remove"]').click();
      await row.locator('[data-action="confirm-remove"]').click();
      await row.waitFor({ state: 'detached' });
      assert.equal(await M.p.locator(`#team-members [data-member="管理员${i}"] [data-action="remove"]`).count(),
        0, 'nobody removes themselves');

      // the open console is refused at once; reloaded, it lets them in no more
      const form = kind === 'cemetery' ? '#plot-form' : '#hall-form';
      if (kind === 'cemetery') await S.p.fill('#plot-number', '8');
      else await S.p.fill('#hall-name', `${memberName}二厅`);
      await S.p.click(`${form} [type="submit"]`);
      await S.p.locator(`${form} [data-form-error]`).waitFor();
      await S.p.reload();
      await S.p.locator(kind === 'cemetery' ? '#s-error' : '#a-error').waitFor();

      assert.deepEqual(A.errors, []);
      assert.deepEqual(M.errors, []);
      for (const x of [A, M, S]) await x.ctx.close();
    });
}
