// A family memorial linked to its grave, in the browser, on a desktop and
// on a phone: the family admin names the cemetery and the plot on the
// memorial's admin page; the memorial shows no grave yet; the cemetery's
// staff open "memorials asking for their grave" from their console, find
// the plot picked for them and confirm; the memorial page then shows the
// resting place with "Book a visit" and proxy sweeping, and the admin page
// says where it lies. No console errors anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, signInPage, textOf } from '../lib/browser.mjs';
import { makeWorld, PASSWORD } from '../lib/visit_world.mjs';

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

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

function person(who, next, viewport) {
  return signInPage(browser, d.url, w.logins[who], PASSWORD, next,
    { viewport: VIEWPORTS[viewport] });
}

let n = 0;
for (const viewport of Object.keys(VIEWPORTS)) {
  test(`${viewport}: a family memorial is linked to its grave after the cemetery confirms`, async () => {
    n++;
    const plot = (await w.as('admin', 'POST', `/api/cemeteries/${w.ids.cemA}/plots`,
      { json: { section: 'C', row: String(n), number: '8', kind: 'grave' } })).json.id;
    const made = await w.as('familyA', 'POST', '/api/memorials', {
      json: { title: `怀念李淑珍 ${viewport}`, visibility: 'public', moderation: 'publish',
        deceased: { name: '李淑珍', death_date: '2019-10-02' } },
    });
    assert.equal(made.status, 201, made.text);
    const m = made.json.memorial;

    const fam = await person('familyA', `/memorial-admin.html?id=${m.id}`, viewport);
    const f = fam.page;
    await f.locator('#grave:not([hidden])').waitFor();
    await f.selectOption('#g-cemetery', String(w.ids.cemA));
    // neither plot nor record: said in the form, nothing sent
    await f.click('#grave-form [type="submit"]');
    await f.locator('#grave-form [data-form-error]:not([hidden])').waitFor();
    await f.fill('#g-section', 'C');
    await f.fill('#g-row', String(n));
    await f.fill('#g-number', '8');
    await f.fill('#g-note', '墓碑上刻着母亲的名字');
    await f.click('#grave-form [type="submit"]');
    await f.locator('#grave-requests [data-state="pending"]').waitFor();
    assert.ok(await f.locator('#grave-form').isHidden());
    assert.ok(await f.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

    // the memorial lies nowhere yet
    await f.goto(`${d.url}/m/${m.slug}`);
    await f.locator('#live-status[data-status="connected"]').waitFor();
    assert.ok(await f.locator('#burial').isHidden());

    // the cemetery's staff, from their console
    const staff = await person('staffA', '/staff.html', viewport);
    const s = staff.page;
    await s.click('#to-graves');
    await s.waitForURL(/\/graves\.html$/);
    const card = s.locator('#requests [data-grave]', { hasText: `怀念李淑珍 ${viewport}` });
    await card.waitFor();
    assert.match(await card.textContent(), /李淑珍/);
    assert.match(await card.textContent(), /墓碑上刻着母亲的名字/);
    assert.equal(await card.locator('select').inputValue(), String(plot), 'the plot named is picked');
    await card.locator('[data-act="plot"]').click();
    await card.waitFor({ state: 'detached' });

    // the memorial shows its resting place, a visit and proxy sweeping
    await f.reload();
    await f.locator('#burial:not([hidden])').waitFor();
    assert.equal(await textOf(f, '#burial-cemetery'), 'A 区公墓');
    assert.match(await textOf(f, '#burial-plot'), new RegExp(`C.*${n}.*8`));
    assert.equal(await f.locator('#burial-visit').getAttribute('href'), `/visit.html?cemetery=${w.ids.cemA}&plot=${plot}`);
    assert.equal(await f.locator('#burial-sweep').getAttribute('href'), `/order.html?cemetery=${w.ids.cemA}&plot=${plot}`);
    assert.ok(await f.locator('#burial-visit').isVisible());
    await f.goto(`${d.url}/memorial-admin.html?id=${m.id}`);
    await f.locator('#grave-linked:not([hidden])').waitFor();
    assert.match(await textOf(f, '#grave-linked'), /A 区公墓/);
    assert.ok(await f.locator('#grave-form').isHidden());

    assert.deepEqual(fam.errors, []);
    assert.deepEqual(staff.errors, []);
    await Promise.all([fam.ctx.close(), staff.ctx.close()]);
  });
}
