// Burial links and transfers over real HTTP. A record belongs to its funeral
// agency until a cemetery accepts it: the agency (or the cemetery holding the
// record) starts a hand-over to a cemetery, naming a plot or not; that
// cemetery's staff accept it (choosing the plot) or decline it. Only the
// cemetery that holds a record may link it to a plot, read it or add to its
// timeline; staff of another cemetery get nothing, however they try. The
// receiving cemetery's staff see its plots proposed for a hand-over, ranked
// by its allocation rules, which they read and change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startDaemon, api, BIN } from '../lib/daemon.mjs';
import { signUp } from '../lib/accounts.mjs';

const PASSWORD = 'evergreen cypress 1951';
const ID_NUMBER = '11010519491231002X'; // valid check digit, made up

let d;
const tok = {};
const ids = {};

async function signIn(login) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function as(who, method, p, json) {
  return api(d, method, p, { token: tok[who], json });
}

async function ok(who, method, p, json, want) {
  const r = await as(who, method, p, json);
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200),
    `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

async function refused(who, method, p, json, want) {
  const r = await as(who, method, p, json);
  assert.equal(r.status, want, `${method} ${p} as ${who}: ${r.text}`);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  return r.json.error;
}

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, demo: false } });
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', '13500000001', '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(add.status, 0, add.stderr);
  tok.admin = await signIn('13500000001');
  ids.agencyA = (await ok('admin', 'POST', '/api/agencies',
    { name: '甲殡仪馆', region_code: '110105' })).id;
  for (const k of ['A', 'B']) {
    ids[`cem${k}`] = (await ok('admin', 'POST', '/api/cemeteries',
      { name: `${k} 陵园`, region_code: '110109' })).id;
    for (const n of [1, 2]) {
      ids[`plot${k}${n}`] = (await ok('admin', 'POST', `/api/cemeteries/${ids[`cem${k}`]}/plots`,
        { section: k, row: '1', number: String(n), kind: 'grave' })).id;
    }
  }
  const grants = {
    operatorA: ['agency_operator', ids.agencyA],
    staffA: ['cemetery_staff', ids.cemA],
    staffB: ['cemetery_staff', ids.cemB],
  };
  let n = 2;
  for (const [who, [role, scope]] of Object.entries(grants)) {
    const login = `1350000000${n++}`;
    ids[who] = (await signUp(d, { login, password: PASSWORD, display_name: who })).id;
    await ok('admin', 'POST', `/api/users/${ids[who]}/grants`, { role, scope_id: scope }, 200);
    tok[who] = await signIn(login);
  }
});

after(async () => { await d?.stop(); });

async function record(name) {
  const r = await ok('operatorA', 'POST', '/api/deceased', {
    agency_id: ids.agencyA, name, death_date: '2026-01-02', id_number: ID_NUMBER,
  });
  return r.id;
}

test('staff of a cemetery cannot take an agency\'s record by linking it', async () => {
  const id = await record('赵一');
  // the audit's attack: link to an own plot, read the ID number, unlink.
  // To one with no right on it, a record does not exist (numbers count up)
  await refused('staffB', 'PUT', `/api/deceased/${id}/burial`, { plot_id: ids.plotB1 }, 404);
  await refused('staffB', 'GET', `/api/deceased/${id}?reveal=1`, undefined, 404);
  await refused('staffB', 'GET', `/api/deceased/${id}`, undefined, 404);
  await refused('staffB', 'POST', `/api/deceased/${id}/events`,
    { kind: 'registered', at: '2026-01-02T10:00:00+08:00' }, 404);
  await refused('staffB', 'POST', '/api/memorials',
    { title: '不该有的纪念', deceased_id: id }, 404);
  // the plot stayed free and the record unlinked
  const plot = await ok('admin', 'GET', `/api/plots/${ids.plotB1}`);
  assert.equal(plot.occupied, 0);
  const rec = await ok('operatorA', 'GET', `/api/deceased/${id}`);
  assert.equal(rec.plot, null);
  assert.equal(rec.cemetery_id, null);
  // the agency's operator cannot put it into a cemetery's plot either:
  // the cemetery must accept it
  await refused('operatorA', 'PUT', `/api/deceased/${id}/burial`, { plot_id: ids.plotA1 }, 403);
});

test('a transfer: the agency hands over, the cemetery accepts with a plot', async () => {
  const id = await record('钱二');
  // the receiving cemetery knows nothing of it before a hand-over
  assert.deepEqual((await ok('staffA', 'GET',
    `/api/cemeteries/${ids.cemA}/transfers?state=pending`)).transfers, []);
  await refused('staffB', 'POST', `/api/deceased/${id}/transfers`, { cemetery_id: ids.cemB }, 404);
  await refused('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemA, plot_id: ids.plotB1 }, 400);
  await refused('operatorA', 'POST', `/api/deceased/${id}/transfers`, { cemetery_id: 999999 }, 404);
  const t = (await ok('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemA, plot_id: ids.plotA1, note: '周六上午安葬' })).transfer;
  assert.equal(t.state, 'pending');
  assert.equal(t.cemetery.id, ids.cemA);
  assert.equal(t.plot.id, ids.plotA1);
  assert.equal(t.deceased.name, '钱二');
  assert.equal(t.deceased.id_number, undefined);
  assert.equal(t.from.kind, 'agency');
  // one hand-over at a time
  await refused('operatorA', 'POST', `/api/deceased/${id}/transfers`, { cemetery_id: ids.cemB }, 409);
  // pending: the cemetery sees the hand-over, not yet the record
  const inbox = (await ok('staffA', 'GET', `/api/cemeteries/${ids.cemA}/transfers?state=pending`))
    .transfers;
  assert.deepEqual(inbox.map((x) => x.id), [t.id]);
  await refused('staffB', 'GET', `/api/cemeteries/${ids.cemA}/transfers`, undefined, 403);
  await refused('staffA', 'GET', `/api/deceased/${id}`, undefined, 404);
  await refused('staffA', 'PUT', `/api/deceased/${id}/burial`, { plot_id: ids.plotA1 }, 404);
  // only the receiving cemetery decides, with one of its own plots
  await refused('staffB', 'POST', `/api/transfers/${t.id}/accept`, { plot_id: ids.plotB1 }, 404);
  await refused('operatorA', 'POST', `/api/transfers/${t.id}/accept`, { plot_id: ids.plotA1 }, 403);
  await refused('staffA', 'POST', `/api/transfers/${t.id}/accept`, { plot_id: ids.plotB1 }, 400);
  const done = (await ok('staffA', 'POST', `/api/transfers/${t.id}/accept`,
    { plot_id: ids.plotA2 }, 200)).transfer;
  assert.equal(done.state, 'accepted');
  assert.equal(done.plot.id, ids.plotA2);
  assert.equal(done.decided_by, ids.staffA);
  // now the cemetery holds the record: it reads it, buries it, moves it
  // between its own plots; the agency keeps its rights
  const rec = await ok('staffA', 'GET', `/api/deceased/${id}`);
  assert.equal(rec.plot.id, ids.plotA2);
  assert.equal(rec.cemetery_id, ids.cemA);
  await ok('staffA', 'GET', `/api/deceased/${id}?reveal=1`);
  await ok('staffA', 'PUT', `/api/deceased/${id}/burial`, { plot_id: ids.plotA1 });
  assert.equal((await ok('admin', 'GET', `/api/plots/${ids.plotA2}`)).occupied, 0);
  assert.equal((await ok('admin', 'GET', `/api/plots/${ids.plotA1}`)).occupied, 1);
  await ok('operatorA', 'GET', `/api/deceased/${id}`);
  // the other cemetery still gets nothing, and the holder cannot move it
  // into another cemetery's plot without a transfer
  await refused('staffB', 'GET', `/api/deceased/${id}`, undefined, 404);
  await refused('staffA', 'PUT', `/api/deceased/${id}/burial`, { plot_id: ids.plotB2 }, 403);
  await refused('staffA', 'POST', `/api/transfers/${t.id}/decline`, {}, 409);
  const listed = (await ok('staffA', 'GET', `/api/deceased?cemetery_id=${ids.cemA}`)).deceased;
  assert.ok(listed.some((x) => x.id === id));
  const history = (await ok('operatorA', 'GET', `/api/deceased/${id}/transfers`)).transfers;
  assert.deepEqual(history.map((x) => x.state), ['accepted']);
});

test('a transfer declined or cancelled leaves the record where it was', async () => {
  const id = await record('孙三');
  const t1 = (await ok('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemB })).transfer;
  assert.equal(t1.plot, null);
  await refused('staffA', 'POST', `/api/transfers/${t1.id}/decline`, {}, 404);
  const no = (await ok('staffB', 'POST', `/api/transfers/${t1.id}/decline`,
    { reason: '墓位已满' }, 200)).transfer;
  assert.equal(no.state, 'declined');
  assert.equal(no.reason, '墓位已满');
  await refused('staffB', 'GET', `/api/deceased/${id}`, undefined, 404);
  await refused('staffB', 'POST', `/api/transfers/${t1.id}/accept`, { plot_id: ids.plotB2 }, 409);

  const t2 = (await ok('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemB })).transfer;
  await refused('staffB', 'POST', `/api/transfers/${t2.id}/cancel`, {}, 403);
  const off = (await ok('operatorA', 'POST', `/api/transfers/${t2.id}/cancel`, {}, 200)).transfer;
  assert.equal(off.state, 'cancelled');
  await refused('staffB', 'POST', `/api/transfers/${t2.id}/accept`, { plot_id: ids.plotB2 }, 409);
  const rec = await ok('operatorA', 'GET', `/api/deceased/${id}`);
  assert.equal(rec.cemetery_id, null);
  assert.equal(rec.plot, null);
});

test('the holding cemetery hands a record on; the full plot is refused', async () => {
  const id = await record('李四');
  const t = (await ok('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemB })).transfer;
  await ok('staffB', 'POST', `/api/transfers/${t.id}/accept`, { plot_id: ids.plotB2 }, 200);
  // plot B2 is full now: another record cannot be accepted into it
  const other = await record('周五');
  const t2 = (await ok('operatorA', 'POST', `/api/deceased/${other}/transfers`,
    { cemetery_id: ids.cemB })).transfer;
  const full = await refused('staffB', 'POST', `/api/transfers/${t2.id}/accept`,
    { plot_id: ids.plotB2 }, 409);
  assert.equal(full.code, 'full');
  assert.equal((await ok('staffB', 'GET', `/api/transfers/${t2.id}`)).transfer.state, 'pending');
  // a relocation: cemetery B hands李四 on to cemetery A
  const move = (await ok('staffB', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemA })).transfer;
  assert.equal(move.from.kind, 'cemetery');
  assert.equal(move.from.id, ids.cemB);
  await ok('staffA', 'POST', `/api/transfers/${move.id}/accept`, { plot_id: ids.plotA2 }, 200);
  assert.equal((await ok('admin', 'GET', `/api/plots/${ids.plotB2}`)).occupied, 0);
  await refused('staffB', 'GET', `/api/deceased/${id}`, undefined, 404);
  await ok('staffA', 'GET', `/api/deceased/${id}`);
});

test('plot proposals: the receiving cemetery only, ranked by its rules, allocating nothing', async () => {
  // the spouse, buried in S 2 7; the new record names them
  const [s7, s8] = (await ok('staffA', 'POST', `/api/cemeteries/${ids.cemA}/plots`, {
    plots: ['7', '8'].map((number) => ({ section: 'S', row: '2', number, kind: 'grave' })),
  })).plots.map((p) => p.id);
  const spouse = await record('孙建华');
  const first = (await ok('operatorA', 'POST', `/api/deceased/${spouse}/transfers`, { cemetery_id: ids.cemA })).transfer;
  await ok('staffA', 'POST', `/api/transfers/${first.id}/accept`, { plot_id: s7 }, 200);
  const tree = (await ok('staffA', 'POST', `/api/cemeteries/${ids.cemA}/plots`,
    { section: 'T', row: '1', number: '1', kind: 'tree', accessible: true })).id;
  const id = await record('钱桂芝');
  await refused('operatorA', 'POST', `/api/deceased/${id}/transfers`, { cemetery_id: ids.cemA, relation: 'spouse' }, 400);
  await refused('operatorA', 'POST', `/api/deceased/${id}/transfers`, { cemetery_id: ids.cemA, kind: 'pyramid' }, 400);
  const tr = (await ok('operatorA', 'POST', `/api/deceased/${id}/transfers`,
    { cemetery_id: ids.cemA, kind: 'grave', relative_name: '孙建华', relation: 'spouse' })).transfer;
  assert.equal(tr.kind, 'grave');
  assert.deepEqual(tr.relative, { name: '孙建华', relation: 'spouse' });

  // who may see them: the receiving staff; the sender sees the hand-over, not these
  const url = `/api/transfers/${tr.id}/proposals`;
  await refused('operatorA', 'GET', url, undefined, 403);
  await refused('staffB', 'GET', url, undefined, 404);
  await refused('anon', 'GET', url, undefined, 401);
  await refused('staffA', 'GET', `${url}?limit=0`, undefined, 400);
  let r = await ok('staffA', 'GET', url);
  assert.equal(r.relatives_found, 1);
  assert.equal(r.proposals[0].plot.id, s8);
  assert.equal(r.proposals[0].score, 90 + 40 + 7);
  assert.deepEqual(r.proposals[0].reasons.map((x) => x.code), ['adjacent', 'kind', 'fill']);
  assert.equal(r.proposals[0].reasons[0].relative.plot.id, s7);
  assert.equal(r.proposals[0].reasons[0].relative.relation, 'spouse');
  assert.deepEqual(r.proposals[0].reasons[2], { code: 'fill', points: 7, percent: 50, section: 'S' });
  assert.ok(r.proposals.some((p) => p.plot.id === tree));
  assert.equal((await ok('admin', 'GET', `/api/plots/${s8}`)).status, 'free');

  // the cemetery's rules: read, refused when wrong, changed, and used
  const rules = `/api/cemeteries/${ids.cemA}/allocation`;
  assert.deepEqual(await ok('staffA', 'GET', rules),
    { weights: { family: 100, kind: 40, eco: 20, fill: 15, access: 10 }, subsidised: [], gate: null });
  await refused('staffB', 'GET', rules, undefined, 403);
  await refused('operatorA', 'PUT', rules, { weights: { family: 0 } }, 403);
  await refused('staffA', 'PUT', rules, { weights: { luck: 5 } }, 400);
  await refused('staffA', 'PUT', rules, { weights: { kind: 1001 } }, 400);
  await refused('staffA', 'PUT', rules, { subsidised: ['pyramid'] }, 400);
  await refused('staffA', 'PUT', rules, { gate: { lat: 91, lng: 0 } }, 400);
  const put = await ok('staffA', 'PUT', rules,
    { weights: { family: 0, kind: 0 }, subsidised: ['tree'], gate: { lat: 39.9, lng: 116.1 } });
  assert.deepEqual(put.weights, { family: 0, kind: 0, eco: 20, fill: 15, access: 10 });
  assert.deepEqual(put.subsidised, ['tree']);
  assert.deepEqual(await ok('staffA', 'GET', rules), put);
  r = await ok('staffA', 'GET', url);
  assert.equal(r.proposals[0].plot.id, tree);
  assert.deepEqual(r.proposals[0].reasons.map((x) => x.code), ['subsidised', 'accessible']);
});
