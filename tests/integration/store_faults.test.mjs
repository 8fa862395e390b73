// The store failing in the middle of a write, for each kind of write, and
// under one read. The daemon is started with SINIAN_STORE_FAULT (the store's
// fault hook, server/store_fault.c): a chosen statement of an operation's
// transaction fails as a disk would, once, then works again. Each case
// checks that the request answers 500 with the reason in the daemon's log,
// that nothing of the operation was written (read from the database file
// with the sqlite3 CLI, and through the API), and that the same request,
// sent again, succeeds while the daemon goes on serving others.
//
// Faults are counted per statement and per connection, from the daemon's
// start: each rule below names the execution of its statement that fails,
// so the cases run in this file's order and the set-up of one case never
// runs another case's statement before that case does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';
import { makeWorld, cstDate, PASSWORD } from '../lib/visit_world.mjs';
import { signUp } from '../lib/accounts.mjs';

// Tributes run on the store's writer connection: the first one alone, then
// a burst of BURST at once sharing commits; the FAULTED-th of the burst
// fails.
const BURST = 40;
const FAULTED = 20;

const FAULTS = [
  'memorial.memorial_insert:1', // after the deceased record's insert
  'order.order_item_insert:2', // the second item of the first order
  'booking.booking_insert:1', // after the slot's places were taken
  'grave.decide:1', // after the deceased record was put in the plot
  'pay.record_paid:1', // after the order and its payment were read
  'memorial.memorial_by_slug:1', // the first memorial page by its name
  `tribute.tribute_count_add:${1 + FAULTED}`, // after the tribute's insert
].join(',');

let d;
let w;

before(async () => {
  // no demo memorial: its creation at start-up would spend the first fault
  d = await startDaemon({
    config: { demo: false, rate_limit_writes: 100000, rate_limit_logins: 100000 },
    env: { SINIAN_STORE_FAULT: FAULTS },
  });
  w = await makeWorld(d, { families: ['familyA'] });
});

after(async () => { await d?.stop(); });

/** One value (the first column of the first row) from the database file. */
function one(query) {
  const out = execFileSync('sqlite3',
    ['-cmd', '.timeout 5000', path.join(d.dataDir, 'sinian.db'), query], { encoding: 'utf8' });
  return out.trim();
}
const count = (query) => Number(one(query));

async function as(who, method, p, json) {
  return w.as(who, method, p, json === undefined ? {} : { json });
}

async function ok(who, method, p, json, want = method === 'POST' ? 201 : 200) {
  const r = await as(who, method, p, json);
  assert.equal(r.status, want, `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

/**
 * Send a request armed to fail: a 500 naming a store failure, never a 4xx
 * or a 2xx, and the reason in the daemon's log (the statement the hook
 * failed and SQLite's own error), and, given a context, the daemon's own
 * line saying which operation failed on what.
 */
async function failsInStore(statement, send, { page = false, context } = {}) {
  const from = d.log().length;
  const r = await send();
  assert.equal(r.status, 500, `with ${statement} failing: ${r.status} ${r.text}`);
  if (!page) assert.ok(['io_error', 'database_error'].includes(r.json?.error?.code), r.text);
  const log = d.log().slice(from);
  assert.match(log, new RegExp(`injected fault: ${statement.replace('.', '\\.')} execution`),
    'the hook says which statement it failed');
  assert.match(log, /injected fault \(SINIAN_STORE_FAULT\)/, 'SQLite\'s reason is logged');
  if (context) assert.match(log, context, 'the operation and its ids are logged');
  return r;
}

/** The daemon serves others meanwhile: its health, a page, the API. */
async function stillServing() {
  const h = await api(d, 'GET', '/healthz');
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.status, 'ok');
  const page = await api(d, 'GET', '/');
  assert.equal(page.status, 200);
  assert.equal((await as('staffB', 'GET', '/api/me')).status, 200);
}

// ---------- writes ----------

test('a memorial with its deceased record: neither is stored, then both are', async () => {
  const body = {
    title: '怀念林秀英', visibility: 'public', moderation: 'publish',
    deceased: { name: '林秀英', death_date: '2024-03-02' },
  };
  const before = {
    memorials: count('SELECT count(*) FROM memorials'),
    deceased: count('SELECT count(*) FROM deceased'),
    grants: count('SELECT count(*) FROM grants'),
  };
  await failsInStore('memorial.memorial_insert',
    () => as('familyA', 'POST', '/api/memorials', body),
    { context: new RegExp(`storing a memorial of record \\d+ by user ${w.ids.familyA}: io_error`) });
  assert.deepEqual({
    memorials: count('SELECT count(*) FROM memorials'),
    deceased: count('SELECT count(*) FROM deceased'),
    grants: count('SELECT count(*) FROM grants'),
  }, before, 'no record without its memorial, no right without either');
  assert.equal(count("SELECT count(*) FROM deceased WHERE name = '林秀英'"), 0);
  await stillServing();

  const m = (await ok('familyA', 'POST', '/api/memorials', body)).memorial;
  assert.equal(count(`SELECT count(*) FROM memorials WHERE id = ${m.id}`), 1);
  assert.equal(count(`SELECT count(*) FROM deceased d JOIN memorials m ON m.deceased_id = d.id
    WHERE m.id = ${m.id} AND d.name = '林秀英'`), 1);
  assert.equal(count('SELECT count(*) FROM deceased') - before.deceased, 1);
  w.ids.memorial = m.id;
  w.ids.slug = m.slug;
});

test('an order with its items: no order without its items, then the whole order', async () => {
  const body = {
    plot_id: w.ids.plotA, date: cstDate(1), note: '请在碑前放一束菊花',
    items: [{ service_id: w.ids.cleanA, quantity: 1 }, { service_id: w.ids.flowersA, quantity: 2 }],
  };
  const tables = ['sweeping_orders', 'sweeping_items', 'sweeping_events'];
  const counts = () => Object.fromEntries(tables.map((t) => [t, count(`SELECT count(*) FROM ${t}`)]));
  const before = counts();
  await failsInStore('order.order_item_insert',
    () => as('familyA', 'POST', '/api/sweeping-orders', body),
    { context: new RegExp(`saving an order on plot ${w.ids.plotA} for user ${w.ids.familyA}: io_error`) });
  assert.deepEqual(counts(), before, 'the order and its first item are gone with the second');
  const mine = await ok('familyA', 'GET', '/api/sweeping-orders?mine=1');
  assert.equal(mine.orders.length, 0, JSON.stringify(mine));
  await stillServing();

  const o = await ok('familyA', 'POST', '/api/sweeping-orders', body);
  assert.equal(o.items.length, 2);
  assert.equal(o.total_cents, 5000 + 2 * 8800);
  assert.equal(count(`SELECT count(*) FROM sweeping_items WHERE order_id = ${o.id}`), 2);
  assert.equal(count(`SELECT count(*) FROM sweeping_events WHERE order_id = ${o.id}`), 1);
  assert.equal(count('SELECT count(*) FROM sweeping_orders'), before.sweeping_orders + 1);
  w.ids.order = o.id;
});

test('a visit booking: the slot\'s places are not taken without a booking', async () => {
  const s = (await ok('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
    { date: cstDate(2), start: '09:00', end: '10:00', capacity: 10 })).slots[0];
  const body = { slot_id: s.id, plot_id: w.ids.plotA, persons: 3, contact_phone: '139 0000 1234' };
  const remaining = async () => (await ok(null, 'GET',
    `/api/cemeteries/${w.ids.cemA}/slots?from=${s.date}&to=${s.date}`)).slots.find((x) => x.id === s.id).remaining;

  await failsInStore('booking.booking_insert', () => as('familyA', 'POST', '/api/bookings', body),
    { context: new RegExp(`booking slot ${s.id} for user ${w.ids.familyA}: io_error`) });
  assert.equal(count(`SELECT booked FROM visit_slots WHERE id = ${s.id}`), 0, 'no places taken');
  assert.equal(count(`SELECT count(*) FROM bookings WHERE slot_id = ${s.id}`), 0);
  assert.equal(await remaining(), 10);
  await stillServing();

  const b = await ok('familyA', 'POST', '/api/bookings', body);
  assert.equal(b.booking?.persons ?? b.persons, 3, JSON.stringify(b));
  assert.equal(count(`SELECT booked FROM visit_slots WHERE id = ${s.id}`), 3);
  assert.equal(count(`SELECT count(*) FROM bookings WHERE slot_id = ${s.id}`), 1);
  assert.equal(await remaining(), 7);
});

test('a grave request confirmed by the cemetery: the record is not put in the plot unless the request is decided', async () => {
  const p = `/api/memorials/${w.ids.memorial}/grave-requests`;
  const r = (await ok('familyA', 'POST', p,
    { cemetery_id: w.ids.cemA, section: 'A', row: '3', number: '18' })).grave_request;
  const confirm = () => as('staffA', 'POST', `/api/grave-requests/${r.id}/confirm`, { plot_id: w.ids.plotA });
  const state = () => one(`SELECT state || '|' || coalesce(plot_id, '') FROM grave_requests WHERE id = ${r.id}`);
  const plotOf = () => one(`SELECT coalesce(d.plot_id, '') FROM deceased d
    JOIN memorials m ON m.deceased_id = d.id WHERE m.id = ${w.ids.memorial}`);

  await failsInStore('grave.decide', confirm,
    { context: new RegExp(`confirming request ${r.id}: io_error`) });
  assert.equal(state(), 'pending|', 'the request is still pending');
  assert.equal(plotOf(), '', 'the record lies nowhere yet');
  assert.equal((await ok(null, 'GET', `/api/memorials/${w.ids.memorial}`)).burial, null);
  await stillServing();

  const done = (await confirm()).json;
  assert.equal(done?.grave_request?.state, 'confirmed', JSON.stringify(done));
  assert.equal(state(), `confirmed|${w.ids.plotA}`);
  assert.equal(plotOf(), String(w.ids.plotA));
  assert.equal((await ok(null, 'GET', `/api/memorials/${w.ids.memorial}`)).burial.plot.id, w.ids.plotA);
});

test('a payment recorded at the office: nothing recorded, then the payment', async () => {
  const o = w.ids.order;
  const body = { state: 'paid', reference: '收据 0042' };
  await failsInStore('pay.record_paid',
    () => as('staffA', 'POST', `/api/sweeping-orders/${o}/payment`, body));
  assert.equal(count(`SELECT count(*) FROM order_payments WHERE order_id = ${o}`), 0);
  assert.equal((await ok('familyA', 'GET', `/api/sweeping-orders/${o}`)).payment.state, 'unpaid');
  await stillServing();

  const paid = await ok('staffA', 'POST', `/api/sweeping-orders/${o}/payment`, body, 200);
  assert.equal(paid.payment.state, 'paid');
  assert.equal(one(`SELECT state || '|' || paid_reference FROM order_payments WHERE order_id = ${o}`),
    'paid|收据 0042');
});

/** The store's queued writes and the commits they took, from /metrics. */
async function writeStats() {
  const r = await api(d, 'GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  const value = (name) => Number(r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'))[1]);
  return { writes: value('sinian_store_writes_total'), commits: value('sinian_store_write_commits_total') };
}

test('tributes sharing commits: the one that fails is a 500, the others of its batch are stored, counts match rows', async () => {
  const m = w.ids.memorial;
  const tribute = (i) => api(d, 'POST', `/api/memorials/${m}/tributes`,
    { json: { kind: 'flower', from_name: `亲友${i}` } });
  const first = await tribute(0); // starts the writer
  assert.equal(first.status, 201, first.text);

  const from = d.log().length;
  const stats0 = await writeStats();
  const res = await Promise.all(Array.from({ length: BURST }, (_, i) => tribute(i + 1)));
  const stats1 = await writeStats();
  assert.equal(stats1.writes - stats0.writes, BURST);
  assert.ok(stats1.commits - stats0.commits < BURST,
    `the burst shared commits: ${stats1.commits - stats0.commits} for ${BURST} writes`);
  const failed = res.filter((r) => r.status !== 201);
  assert.equal(failed.length, 1, res.map((r) => `${r.status} ${r.text}`).join('\n'));
  assert.equal(failed[0].status, 500, failed[0].text);
  assert.ok(['io_error', 'database_error'].includes(failed[0].json?.error?.code), failed[0].text);
  const log = d.log().slice(from);
  assert.match(log, /injected fault: tribute\.tribute_count_add execution/);
  assert.match(log, /injected fault \(SINIAN_STORE_FAULT\)/);

  // every acknowledged tribute is a row, and the counts are the rows
  const ok201 = res.filter((r) => r.status === 201);
  const rows = count(`SELECT count(*) FROM tributes WHERE memorial_id = ${m}`);
  assert.equal(rows, 1 + ok201.length);
  for (const r of ok201) {
    assert.equal(count(`SELECT count(*) FROM tributes WHERE id = ${r.json.tribute.id}`), 1);
  }
  assert.equal(count(`SELECT n FROM tribute_counts WHERE memorial_id = ${m} AND kind = 'flower'`), rows);
  const list = await api(d, 'GET', `/api/memorials/${m}/tributes?limit=50`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.tributes.length, rows);
  const page = await api(d, 'GET', `/api/memorials/${m}`);
  assert.equal(page.json.counts.flower, rows, JSON.stringify(page.json.counts));
  await stillServing();

  // the one that failed, sent again, is stored
  const again = await tribute(FAULTED);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.counts.flower, rows + 1);
  assert.equal(count(`SELECT n FROM tribute_counts WHERE memorial_id = ${m} AND kind = 'flower'`), rows + 1);
});

// ---------- a read ----------

test('a memorial page whose memorial cannot be read is a 500, never a 404 or a page', async () => {
  const r = await failsInStore('memorial.memorial_by_slug', () => api(d, 'GET', `/m/${w.ids.slug}`), { page: true });
  assert.doesNotMatch(r.text, /林秀英/, 'no page of the memorial');
  await stillServing();
  const page = await api(d, 'GET', `/m/${w.ids.slug}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /林秀英/);
});

test('a tribute list that cannot be read is a 500, never an empty list, nor a page without it', async () => {
  // a daemon of its own: the memorial's page reads the same lists
  const e = await startDaemon({
    config: { demo: false, rate_limit_writes: 100000, rate_limit_logins: 100000 },
    env: { SINIAN_STORE_FAULT: 'tribute.tribute_list:1,tribute.tribute_list_kind:1' },
  });
  try {
    const { token } = await signUp(e, { login: '13900000077', password: PASSWORD, display_name: '周' });
    const m = await api(e, 'POST', '/api/memorials', { token, json: {
      title: '怀念周明', visibility: 'public', deceased: { name: '周明', death_date: '2023-05-06' } } });
    assert.equal(m.status, 201, m.text);
    const p = `/api/memorials/${m.json.memorial.id}/tributes`;
    for (const kind of ['flower', 'candle']) {
      const t = await api(e, 'POST', p, { json: { kind, from_name: '邻居' } });
      assert.equal(t.status, 201, t.text);
    }
    const from = e.log().length;
    const r = await api(e, 'GET', p);
    assert.equal(r.status, 500, r.text);
    assert.ok(['io_error', 'database_error'].includes(r.json?.error?.code), r.text);
    assert.match(e.log().slice(from), /injected fault: tribute\.tribute_list execution 1/);
    assert.equal((await api(e, 'GET', '/healthz')).status, 200);
    const again = await api(e, 'GET', p);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.tributes.map((x) => x.kind), ['candle', 'flower']);

    // the memorial's page: its latest messages cannot be read
    const page = `/api/memorials/${m.json.memorial.id}`;
    const at = e.log().length;
    const broken = await api(e, 'GET', page);
    assert.equal(broken.status, 500, broken.text);
    assert.ok(['io_error', 'database_error'].includes(broken.json?.error?.code), broken.text);
    assert.match(e.log().slice(at), /injected fault: tribute\.tribute_list_kind execution 1/);
    const whole = await api(e, 'GET', page);
    assert.equal(whole.status, 200, whole.text);
    assert.deepEqual(whole.json.recent.map((x) => x.kind), ['candle', 'flower']);
  } finally {
    await e.stop();
  }
});

test('an order list with an order whose items cannot be read is a 500, never a list without it', async () => {
  // a daemon of its own: creating an order reads its items twice (the
  // event published, the answer), so the list's read is the third
  const e = await startDaemon({
    config: { demo: false, rate_limit_writes: 100000, rate_limit_logins: 100000 },
    env: { SINIAN_STORE_FAULT: 'order.order_item_list:3' },
  });
  try {
    const v = await makeWorld(e, { families: ['familyA'] });
    const o = await v.as('familyA', 'POST', '/api/sweeping-orders', { json: {
      plot_id: v.ids.plotA, date: cstDate(1), items: [{ service_id: v.ids.cleanA, quantity: 1 }] } });
    assert.equal(o.status, 201, o.text);
    assert.equal(o.json.items.length, 1);

    const from = e.log().length;
    const r = await v.as('familyA', 'GET', '/api/sweeping-orders?mine=1');
    assert.equal(r.status, 500, r.text);
    assert.equal(r.json?.error?.code, 'internal', r.text);
    const log = e.log().slice(from);
    assert.match(log, /injected fault: order\.order_item_list execution 3/);
    assert.match(log, /listing an order's items/, 'the store\'s reason is logged');
    assert.match(log, new RegExp(`listing orders: order ${o.json.id} cannot be read`));
    assert.equal((await api(e, 'GET', '/healthz')).status, 200);

    const again = await v.as('familyA', 'GET', '/api/sweeping-orders?mine=1');
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.orders.map((x) => [x.id, x.items.length]), [[o.json.id, 1]]);
  } finally {
    await e.stop();
  }
});

test('a family invitation that cannot be read while it is revoked is a 500, never a 404', async () => {
  // a daemon of its own: the invitation is read once when it is made,
  // again when it is revoked
  const e = await startDaemon({
    config: { demo: false, rate_limit_writes: 100000, rate_limit_logins: 100000 },
    env: { SINIAN_STORE_FAULT: 'family.invite_get:2' },
  });
  try {
    const { token } = await signUp(e, { login: '13900000078', password: PASSWORD, display_name: '吴' });
    const m = await api(e, 'POST', '/api/memorials', { token, json: {
      title: '怀念吴兰', visibility: 'private', deceased: { name: '吴兰', death_date: '2022-03-04' } } });
    assert.equal(m.status, 201, m.text);
    const base = `/api/memorials/${m.json.memorial.id}`;
    const inv = await api(e, 'POST', `${base}/family`, { token, json: { login: '13100000003', role: 'memorial_guest' } });
    assert.equal(inv.status, 202, inv.text);
    const p = `${base}/invitations/${inv.json.invitation.id}`;

    const from = e.log().length;
    const r = await api(e, 'DELETE', p, { token });
    assert.equal(r.status, 500, r.text);
    assert.ok(['io_error', 'database_error'].includes(r.json?.error?.code), r.text);
    assert.match(e.log().slice(from), /injected fault: family\.invite_get execution 2/);
    assert.equal((await api(e, 'GET', '/healthz')).status, 200);
    const sent = await api(e, 'GET', `${base}/invitations`, { token });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(sent.json.invitations.map((x) => x.state), ['pending'], 'still open');

    assert.equal((await api(e, 'DELETE', p, { token })).status, 204);
    assert.equal((await api(e, 'DELETE', p, { token })).status, 404, 'revoked already: none open');
  } finally {
    await e.stop();
  }
});
