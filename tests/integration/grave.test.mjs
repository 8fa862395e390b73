// A family memorial finding its grave, over real HTTP. Its family admin
// asks for the memorial to be linked to a burial, naming the cemetery and
// the plot, or the number of the cemetery's record; that cemetery's staff
// confirm (choosing the plot, or taking the record) or refuse; then the
// memorial page shows the resting place, as for any record in a plot.
// Nobody else asks, sees or decides.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { makeWorld } from '../lib/visit_world.mjs';

let d;
let w;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  w = await makeWorld(d, { families: ['familyA', 'familyB', 'familyC'] });
});

after(async () => { await d?.stop(); });

function err(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
  return r.json.error;
}

async function ok(who, method, p, json, want) {
  const r = await w.as(who, method, p, { json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

async function familyMemorial(who, name) {
  return (await ok(who, 'POST', '/api/memorials', {
    title: `怀念${name}`, visibility: 'public', moderation: 'publish',
    deceased: { name, death_date: '2020-04-01' },
  })).memorial;
}

const page = async (m) => (await api(d, 'GET', `/api/memorials/${m.slug}`)).json;

test('asked by the family, confirmed by the cemetery with a plot: the memorial shows its grave', async () => {
  const m = await familyMemorial('familyA', '张桂兰');
  const p = `/api/memorials/${m.id}/grave-requests`;
  const ask = { cemetery_id: w.ids.cemA, section: 'A', row: '3', number: '18', note: '家父生前所购墓位' };
  assert.equal((await page(m)).burial, null);

  // only its family admin (or an admin) asks
  err(await api(d, 'POST', p, { json: ask }), 401);
  err(await w.as('familyB', 'POST', p, { json: ask }), 403);
  err(await w.as('staffA', 'POST', p, { json: ask }), 403);
  // 400s and 404s
  err(await w.as('familyA', 'POST', p, { json: { section: 'A', number: '18' } }), 400, 'invalid');
  err(await w.as('familyA', 'POST', p, { json: { cemetery_id: w.ids.cemA } }), 400, 'invalid');
  err(await w.as('familyA', 'POST', p, { json: { ...ask, plot: 1 } }), 400, 'invalid');
  const long = err(await w.as('familyA', 'POST', p, { json: { ...ask, note: '念'.repeat(501) } }), 400);
  assert.match(long.message, /note/);
  err(await w.as('familyA', 'POST', p, { json: { ...ask, cemetery_id: 9999 } }), 404);
  err(await w.as('familyA', 'POST', '/api/memorials/99999/grave-requests', { json: ask }), 404);

  const r = (await ok('familyA', 'POST', p, ask)).grave_request;
  assert.equal(r.state, 'pending');
  assert.equal(r.cemetery.name, 'A 区公墓');
  assert.equal(r.deceased, undefined, 'the family is not sent the record');
  err(await w.as('familyA', 'POST', p, { json: ask }), 409, 'conflict');
  assert.deepEqual((await ok('familyA', 'GET', p)).grave_requests.map((x) => x.id), [r.id]);
  err(await w.as('familyB', 'GET', p), 403);

  // the cemetery's staff see it with the memorial's record; others nothing
  const list = (await ok('staffA', 'GET', `/api/cemeteries/${w.ids.cemA}/grave-requests?state=pending`))
    .grave_requests;
  assert.equal(list.length, 1);
  assert.equal(list[0].deceased.name, '张桂兰');
  assert.equal(list[0].note, '家父生前所购墓位');
  err(await w.as('staffB', 'GET', `/api/cemeteries/${w.ids.cemA}/grave-requests`), 403);
  err(await w.as('familyA', 'GET', `/api/cemeteries/${w.ids.cemA}/grave-requests`), 403);
  err(await w.as('staffA', 'GET', `/api/cemeteries/${w.ids.cemA}/grave-requests?state=x`), 400);
  const c = `/api/grave-requests/${r.id}/confirm`;
  err(await api(d, 'POST', c, { json: { plot_id: w.ids.plotA } }), 401);
  err(await w.as('staffB', 'POST', c, { json: { plot_id: w.ids.plotB } }), 404);
  err(await w.as('familyA', 'POST', c, { json: { plot_id: w.ids.plotA } }), 404);
  err(await w.as('staffA', 'POST', c, { json: {} }), 400, 'invalid');
  err(await w.as('staffA', 'POST', c, { json: { plot_id: w.ids.plotB } }), 404);
  err(await w.as('staffA', 'POST', c, { json: { reason: 'x' } }), 400);
  assert.equal((await page(m)).burial, null, 'nothing linked before the confirmation');

  const done = (await ok('staffA', 'POST', c, { plot_id: w.ids.plotA }, 200)).grave_request;
  assert.equal(done.state, 'confirmed');
  assert.equal(done.plot_id, w.ids.plotA);
  err(await w.as('staffA', 'POST', c, { json: { plot_id: w.ids.plotA } }), 409);
  const b = (await page(m)).burial;
  assert.equal(b.cemetery.id, w.ids.cemA);
  assert.equal(b.plot.id, w.ids.plotA);
  assert.equal(b.plot.number, '18');
  // it lies somewhere now: no second request
  err(await w.as('familyA', 'POST', p, { json: ask }), 409);
  assert.equal((await ok('familyA', 'GET', p)).grave_requests[0].state, 'confirmed');
});

test('by the cemetery\'s record: the memorial tells of that record and its plot', async () => {
  const agency = (await ok('admin', 'POST', '/api/agencies', { name: '西郊殡仪馆', region_code: '110108' })).id;
  const plot = (await ok('admin', 'POST', `/api/cemeteries/${w.ids.cemA}/plots`,
    { section: 'B', row: '1', number: '2', kind: 'grave' })).id;
  const rec = await ok('admin', 'POST', '/api/deceased', { agency_id: agency, name: '刘振华', death_date: '2021-02-03' });
  const t = await ok('admin', 'POST', `/api/deceased/${rec.id}/transfers`, { cemetery_id: w.ids.cemA });
  await ok('staffA', 'POST', `/api/transfers/${t.transfer.id}/accept`, { plot_id: plot }, 200);

  const m = await familyMemorial('familyC', '刘振华');
  const r = (await ok('familyC', 'POST', `/api/memorials/${m.id}/grave-requests`,
    { cemetery_id: w.ids.cemA, record_id: rec.id })).grave_request;
  assert.equal(r.record_id, rec.id);
  // staff see the record they were pointed to, held by them
  const seen = (await ok('staffA', 'GET', `/api/cemeteries/${w.ids.cemA}/grave-requests`))
    .grave_requests.find((x) => x.id === r.id);
  assert.deepEqual(seen.record, { id: rec.id, name: '刘振华', death_date: '2021-02-03', plot_id: plot });
  // a record of another cemetery cannot be taken
  err(await w.as('staffA', 'POST', `/api/grave-requests/${r.id}/confirm`, { json: { record_id: 99999 } }), 404);
  const done = (await ok('staffA', 'POST', `/api/grave-requests/${r.id}/confirm`, {}, 200)).grave_request;
  assert.equal(done.plot_id, plot);
  const pg = await page(m);
  assert.equal(pg.burial.plot.id, plot);
  assert.equal(pg.deceased.name, '刘振华');
  assert.equal(pg.memorial.deceased_id, rec.id);
  // its family admin reads the record now, masked, as for an agency's memorial
  assert.equal((await ok('familyC', 'GET', `/api/deceased/${rec.id}`)).name, '刘振华');

  // a memorial of an agency's record goes through a hand-over instead
  const rec2 = await ok('admin', 'POST', '/api/deceased', { agency_id: agency, name: '周红', death_date: '2021-05-06' });
  const m2 = (await ok('admin', 'POST', '/api/memorials', { title: '怀念周红', deceased_id: rec2.id })).memorial;
  const e = err(await w.as('admin', 'POST', `/api/memorials/${m2.id}/grave-requests`,
    { json: { cemetery_id: w.ids.cemA, section: 'A', number: '1' } }), 409);
  assert.match(e.message, /hands it over/);
});

test('refused by the cemetery, with a reason the family reads; then asked again', async () => {
  const m = await familyMemorial('familyB', '王秀英');
  const p = `/api/memorials/${m.id}/grave-requests`;
  const r = (await ok('familyB', 'POST', p, { cemetery_id: w.ids.cemB, section: 'Z', number: '9' })).grave_request;
  err(await w.as('staffA', 'POST', `/api/grave-requests/${r.id}/refuse`, { json: { reason: 'x' } }), 404);
  err(await w.as('staffB', 'POST', `/api/grave-requests/${r.id}/refuse`, { json: { reason: '念'.repeat(501) } }), 400);
  const no = (await ok('staffB', 'POST', `/api/grave-requests/${r.id}/refuse`,
    { reason: '本园没有 Z 区，请核对墓位证。' }, 200)).grave_request;
  assert.equal(no.state, 'refused');
  err(await w.as('staffB', 'POST', `/api/grave-requests/${r.id}/confirm`, { json: { plot_id: w.ids.plotB } }), 409);
  const mine = (await ok('familyB', 'GET', p)).grave_requests[0];
  assert.equal(mine.state, 'refused');
  assert.equal(mine.reason, '本园没有 Z 区，请核对墓位证。');
  assert.equal((await page(m)).burial, null);
  assert.equal((await w.as('familyB', 'POST', p, { json: { cemetery_id: w.ids.cemB, section: 'B', number: '18' } })).status, 201);
});
