// Plot proposals for a burial hand-over, in headless Chromium on a desktop
// (en) and a phone (zh-CN, 390x844): the funeral home hands over a record
// (from its console on the desktop run) naming the spouse the cemetery
// already buried in B 3 12; the hand-over
// card proposes the plot next to the spouse first, saying why ("Next to
// 王建国, spouse, in B 3 12"); staff confirm it, and the record then lies
// in that plot. Nothing is allocated before the click. On the desktop the
// staff also change the cemetery's allocation rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors } from '../lib/browser.mjs';
import { makeWorld, signIn, signUp } from '../lib/visit_world.mjs';

let d;
let w;
let browser;
let agency;
let operator; // the funeral home's operator's session
const plots = {};

const ok = async (who, method, url, json) => {
  const r = await w.as(who, method, url, { json });
  assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
  return r.json;
};

async function handOver(name, relative) {
  const rec = await ok('admin', 'POST', '/api/deceased', { agency_id: agency, name, death_date: '2026-11-20' });
  const body = { cemetery_id: w.ids.cemA, kind: 'grave' };
  if (relative) Object.assign(body, { relative_name: relative, relation: 'spouse' });
  const tr = (await ok('admin', 'POST', `/api/deceased/${rec.id}/transfers`, body)).transfer;
  return { rec, tr };
}

before(async () => {
  d = await startDaemon();
  w = await makeWorld(d);
  browser = await launchBrowser();
  agency = (await ok('admin', 'POST', '/api/agencies', { name: '东郊殡仪馆', region_code: '110107' })).id;
  const op = await signUp(d, 'op-alloc@example.org', '刘主任');
  await ok('admin', 'POST', `/api/users/${op}/grants`, { role: 'agency_operator', scope_id: agency });
  operator = await signIn(d, 'op-alloc@example.org');
  const list = [['B', '3', '10', 'grave', false], ['B', '3', '11', 'grave', false], ['B', '3', '12', 'grave', false],
    ['B', '3', '13', 'grave', false], ['C', '1', '1', 'grave', true]];
  const made = (await ok('admin', 'POST', `/api/cemeteries/${w.ids.cemA}/plots`, {
    plots: list.map(([section, row, number, kind, accessible]) => ({ section, row, number, kind, accessible })),
  })).plots;
  for (const p of made) plots[`${p.section}-${p.row}-${p.number}`] = p;
  // the spouse, handed over earlier and buried in B 3 12
  const { tr } = await handOver('王建国');
  await ok('staffA', 'POST', `/api/transfers/${tr.id}/accept`, { plot_id: plots['B-3-12'].id });
});

after(async () => {
  await browser?.close();
  await d?.stop();
});

// A console page, signed in by the session cookie.
async function consolePage(token, url, locale, viewport) {
  const ctx = await browser.newContext({ locale, viewport });
  await ctx.addCookies([{ name: 'sinian_session', value: token, url: d.url }]);
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(`${d.url}${url}`);
  return { ctx, page, errors };
}

// The funeral home's console starts the hand-over, naming the spouse.
async function handOverInConsole(name) {
  const rec = await ok('admin', 'POST', '/api/deceased', { agency_id: agency, name, death_date: '2026-11-20' });
  const { ctx, page: p, errors } = await consolePage(operator, '/agency.html', 'en', { width: 1280, height: 900 });
  await p.locator(`#records [data-record="${rec.id}"] button`).click();
  await p.selectOption('#h-cemetery', String(w.ids.cemA));
  await p.selectOption('#h-kind', 'grave');
  await p.fill('#h-relative', '王建国');
  await p.selectOption('#h-relation', 'spouse');
  await p.click('#handover-form [type="submit"]');
  await p.locator('#rec-transfers li[data-state="pending"]').waitFor();
  const tid = Number(await p.locator('#rec-transfers li[data-transfer]').getAttribute('data-transfer'));
  assert.deepEqual(errors, []);
  await ctx.close();
  const tr = (await ok('admin', 'GET', `/api/transfers/${tid}`)).transfer;
  assert.equal(tr.kind, 'grave');
  assert.deepEqual(tr.relative, { name: '王建国', relation: 'spouse' });
  return { rec, tr };
}

async function proposeAndConfirm(locale, viewport, name, why, viaConsole) {
  const { rec, tr } = viaConsole ? await handOverInConsole(name) : await handOver(name, '王建国');
  const { ctx, page, errors } = await consolePage(w.tokens.staffA, '/staff.html', locale, viewport);
  await page.locator('#s-console').waitFor();
  await page.click('#tab-transfers');
  const card = page.locator(`[data-transfer="${tr.id}"]`);
  const first = card.locator('[data-proposal]').first();
  await first.waitFor();
  const id = Number(await first.getAttribute('data-proposal'));
  const adjacent = [plots['B-3-11'].id, plots['B-3-13'].id];
  assert.ok(adjacent.includes(id), `first proposal ${id}, not next to the spouse`);
  const reason = await first.locator('[data-reason="adjacent"]').textContent();
  assert.match(reason, why);
  // nothing allocated before staff confirm
  assert.equal((await ok('admin', 'GET', `/api/plots/${id}`)).status, 'free');
  if (viewport.width < 500) {
    const box = await first.locator('[data-confirm-plot]').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, 'confirm button inside the phone screen');
  }
  await first.locator('[data-confirm-plot]').click();
  await page.locator(`[data-transfer="${tr.id}"][data-state="accepted"] [data-plot="${id}"]`).waitFor();
  const after = await ok('admin', 'GET', `/api/deceased/${rec.id}`);
  assert.equal(after.plot?.id ?? after.plot_id, id);
  assert.equal((await ok('admin', 'GET', `/api/plots/${id}`)).status, 'occupied');
  if (viaConsole) await editRules(page);
  assert.deepEqual(errors, []);
  await ctx.close();
}

// The rules below the hand-overs: read, changed, saved.
async function editRules(page) {
  await page.click('#alloc-rules summary');
  assert.equal(await page.inputValue('#alloc-w-family'), '100');
  await page.fill('#alloc-w-access', '30');
  await page.check('[data-subsidised="tree"]');
  await page.fill('#alloc-gate-lat', '39.9');
  await page.fill('#alloc-gate-lng', '116.1');
  await page.click('#alloc-form [type="submit"]');
  await page.locator('.toast', { hasText: 'Rules saved.' }).waitFor();
  const a = await ok('staffA', 'GET', `/api/cemeteries/${w.ids.cemA}/allocation`);
  assert.equal(a.weights.access, 30);
  assert.deepEqual(a.subsidised, ['tree']);
  assert.deepEqual(a.gate, { lat: 39.9, lng: 116.1 });
}

test('desktop (en): the plot next to the spouse proposed first, confirmed', { timeout: 90000 }, async () => {
  await proposeAndConfirm('en', { width: 1280, height: 900 }, '李秀英', /Next to 王建国, spouse, in Section B, row 3, no\. 12/, true);
});

test('phone (zh-CN): the other neighbour proposed first, confirmed', { timeout: 90000 }, async () => {
  await proposeAndConfirm('zh-CN', { width: 390, height: 844 }, '赵淑芬', /紧邻王建国（配偶），B区 3排 12号/);
});
