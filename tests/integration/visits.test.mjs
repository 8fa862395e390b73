// Cemetery visits and proxy grave-sweeping against the real daemon: slots
// and their remaining places, 200 concurrent bookings for 50 places, booking
// rules and the sealed contact phone, QR tickets, check-in once / that day /
// that cemetery, sweeping orders with captured prices through their whole
// life (proof required, EXIF stripped unless kept, live events on /ws),
// ratings, cemetery A's staff shut out of cemetery B, and the error paths
// 400/401/403/404/405/409/413/415.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api, wsConnect } from '../lib/daemon.mjs';
import { makeWorld, cstDate, exifJpeg, PASSWORD } from '../lib/visit_world.mjs';
import { signUpMany } from '../lib/accounts.mjs';

const MAX_BODY = 65536;
const MAX_UPLOAD = 300000;

let d;
let w;
const today = cstDate(0);
const tomorrow = cstDate(1);
const yesterday = cstDate(-1);

before(async () => {
  d = await startDaemon({
    config: {
      rate_limit_writes: 100000, rate_limit_logins: 100000,
      max_body_bytes: MAX_BODY, max_upload_bytes: MAX_UPLOAD,
    },
  });
  w = await makeWorld(d, { families: ['familyA', 'familyB', 'mourner'] });
});

after(async () => { await d?.stop(); });

const json = (body) => ({ json: body });

function assertErr(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
}

let slotSeq = 0;
/** Publish one slot as staff of cemetery k; returns it. */
async function slot(k, date, capacity = 10) {
  const h = String(6 + (slotSeq % 14)).padStart(2, '0');
  const m = String(Math.floor(slotSeq / 14) % 60).padStart(2, '0');
  slotSeq++;
  const r = await w.as(`staff${k}`, 'POST', `/api/cemeteries/${w.ids[`cem${k}`]}/slots`,
    json({ date, start: `${h}:${m}`, end: `${h}:59`, capacity }));
  assert.equal(r.status, 201, r.text);
  return r.json.slots[0];
}

async function book(who, s, extra = {}) {
  return w.as(who, 'POST', '/api/bookings', json({
    slot_id: s.id, plot_id: w.ids[s.cemetery_id === w.ids.cemA ? 'plotA' : 'plotB'],
    persons: 1, contact_phone: '139 0000 1234', ...extra,
  }));
}

async function remaining(s) {
  const r = await api(d, 'GET',
    `/api/cemeteries/${s.cemetery_id}/slots?from=${s.date}&to=${s.date}`);
  assert.equal(r.status, 200, r.text);
  return r.json.slots.find((x) => x.id === s.id).remaining;
}

// ---------- slots ----------

test('slots: staff publish one or a batch, everyone sees remaining places', async () => {
  const A = w.ids.cemA;
  const one = await w.as('staffA', 'POST', `/api/cemeteries/${A}/slots`,
    json({ date: '2031-04-04', start: '08:00', end: '09:00', capacity: 50 }));
  assert.equal(one.status, 201, one.text);
  assert.deepEqual(
    { ...one.json.slots[0], id: 0 },
    { id: 0, cemetery_id: A, date: '2031-04-04', start: '08:00', end: '09:00',
      capacity: 50, booked: 0, remaining: 50 });
  const batch = await w.as('staffA', 'POST', `/api/cemeteries/${A}/slots`, json({
    slots: [
      { date: '2031-04-05', start: '08:00', end: '09:00', capacity: 30 },
      { date: '2031-04-05', start: '09:00', end: '10:00', capacity: 30 },
    ],
  }));
  assert.equal(batch.status, 201, batch.text);
  assert.equal(batch.json.slots.length, 2);

  const pub = await api(d, 'GET', `/api/cemeteries/${A}/slots?from=2031-04-04&to=2031-04-05`);
  assert.equal(pub.status, 200);
  assert.deepEqual(pub.json.slots.map((s) => [s.date, s.start, s.remaining]),
    [['2031-04-04', '08:00', 50], ['2031-04-05', '08:00', 30], ['2031-04-05', '09:00', 30]]);
  const day = await api(d, 'GET', `/api/cemeteries/${A}/slots?date=2031-04-05`);
  assert.equal(day.json.slots.length, 2);

  // the same start twice: nothing of the batch is kept
  const dup = await w.as('staffA', 'POST', `/api/cemeteries/${A}/slots`, json({
    slots: [
      { date: '2031-04-06', start: '08:00', end: '09:00', capacity: 5 },
      { date: '2031-04-04', start: '08:00', end: '09:00', capacity: 5 },
    ],
  }));
  assertErr(dup, 409, 'slot_exists');
  const after6 = await api(d, 'GET', `/api/cemeteries/${A}/slots?date=2031-04-06`);
  assert.equal(after6.json.slots.length, 0);
});

test('slots: who may publish, and malformed requests', async () => {
  const A = w.ids.cemA;
  const body = json({ date: '2031-05-01', start: '08:00', end: '09:00', capacity: 5 });
  assertErr(await api(d, 'POST', `/api/cemeteries/${A}/slots`, body), 401, 'unauthorized');
  assertErr(await w.as('mourner', 'POST', `/api/cemeteries/${A}/slots`, body), 403, 'forbidden');
  assertErr(await w.as('staffB', 'POST', `/api/cemeteries/${A}/slots`, body), 403, 'forbidden');
  assertErr(await w.as('staffA', 'POST', '/api/cemeteries/99999/slots', body), 404);
  const bad = [
    { date: '2031-05-01', start: '09:00', end: '08:00', capacity: 5 },
    { date: '2031-02-30', start: '08:00', end: '09:00', capacity: 5 },
    { date: '2031-05-01', start: '8:00', end: '09:00', capacity: 5 },
    { date: '2031-05-01', start: '08:00', end: '09:00', capacity: 0 },
    { date: '2031-05-01', start: '08:00', end: '09:00', capacity: 5, colour: 'red' },
    { date: yesterday, start: '08:00', end: '09:00', capacity: 5 },
    { slots: [] },
    { slots: 'many' },
  ];
  for (const b of bad) {
    assertErr(await w.as('staffA', 'POST', `/api/cemeteries/${A}/slots`, json(b)), 400,
      'invalid');
  }
  assertErr(await w.as('staffA', 'POST', `/api/cemeteries/${A}/slots`,
    { body: '{"date":', headers: { 'content-type': 'application/json' } }), 400);
  assertErr(await api(d, 'GET', `/api/cemeteries/${A}/slots?from=2031-13-01`), 400);
  assertErr(await api(d, 'GET',
    `/api/cemeteries/${A}/slots?from=2031-01-01&to=2033-01-01`), 400);
  assertErr(await api(d, 'GET', '/api/cemeteries/99999/slots'), 404);
  assertErr(await w.as('staffA', 'DELETE', `/api/cemeteries/${A}/slots`), 405);
});

// ---------- capacity under concurrency ----------

test('200 concurrent bookings for a slot of 50: exactly 50 win', async () => {
  const s = await slot('A', tomorrow, 50);
  const ids = await signUpMany(d, Array.from({ length: 200 }, (_, i) =>
    ({ login: `1770000${String(i).padStart(4, '0')}`, name: `访客${i}` })), PASSWORD, w.tokens.admin);
  // phone bookings by the cemetery's staff on behalf of 200 accounts, all
  // in flight at once
  const results = await Promise.all(ids.map((id, i) => w.as('staffA', 'POST', '/api/bookings',
    json({ slot_id: s.id, plot_id: w.ids.plotA, persons: 1,
      contact_phone: `1360000${String(i).padStart(4, '0')}`, for_user_id: id }))));
  const byStatus = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  assert.deepEqual(byStatus, { 201: 50, 409: 150 }, JSON.stringify(byStatus));
  for (const r of results.filter((x) => x.status === 409)) {
    assert.equal(r.json.error.code, 'slot_full');
  }
  const won = results.filter((x) => x.status === 201).map((x) => x.json);
  assert.equal(new Set(won.map((b) => b.code)).size, 50, 'ticket codes are unique');
  assert.ok(won.every((b) => b.booked_by === w.ids.staffA));
  assert.equal(await remaining(s), 0);
  const list = await w.as('staffA', 'GET',
    `/api/bookings?cemetery_id=${w.ids.cemA}&date=${tomorrow}&state=booked`);
  assert.equal(list.json.bookings.filter((b) => b.slot.id === s.id).length, 50);

  // a cancellation frees exactly that place, which can be booked again
  const c = await w.as('staffA', 'DELETE', `/api/bookings/${won[0].id}`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.state, 'cancelled');
  assert.equal(await remaining(s), 1);
  const again = await book('familyB', s);
  assert.equal(again.status, 201, again.text);
  assert.equal(await remaining(s), 0);
  assertErr(await book('mourner', s), 409, 'slot_full');
});

// ---------- booking rules and privacy ----------

test('bookings: rules, owners, staff, and the sealed contact phone', async () => {
  const s = await slot('A', tomorrow, 10);
  assertErr(await api(d, 'POST', '/api/bookings', json({ slot_id: s.id, plot_id: w.ids.plotA,
    persons: 1, contact_phone: '13900001234' })), 401, 'unauthorized');
  for (const bad of [{ persons: 0 }, { persons: 6 }, { contact_phone: '12345' },
    { contact_phone: 'call me' }, { extra: 1 }, { slot_id: 'one' }]) {
    assertErr(await book('familyA', s, bad), 400, 'invalid');
  }
  assertErr(await w.as('familyA', 'POST', '/api/bookings', json({ slot_id: s.id })), 400);
  assertErr(await book('familyA', { ...s, id: 999999 }), 404);
  assertErr(await book('familyA', s, { plot_id: w.ids.plotB }), 404, 'plot_not_found');
  assertErr(await book('familyA', s, { for_user_id: w.ids.familyB }), 403, 'forbidden');
  assertErr(await book('staffB', s, { for_user_id: w.ids.familyB }), 403, 'forbidden');
  assertErr(await book('staffA', s, { for_user_id: 999999 }), 404);
  assertErr(await w.as('familyA', 'POST', '/api/bookings',
    { body: JSON.stringify({ pad: 'x'.repeat(MAX_BODY * 2) }),
      headers: { 'content-type': 'application/json' } }), 413);

  const r = await book('familyA', s, { persons: 4, contact_phone: '+86 139-0000-1234' });
  assert.equal(r.status, 201, r.text);
  const b = r.json;
  assert.equal(b.persons, 4);
  assert.equal(b.state, 'booked');
  assert.equal(b.contact_phone, '139****1234');
  assert.match(b.code, /^[2-9A-HJKMNP-Z]{12}$/);
  assert.equal(b.slot.date, tomorrow);
  assert.equal(await remaining(s), 6);
  assertErr(await book('familyA', s), 409, 'already_booked');

  // owner and staff of the cemetery see it; to anyone else it does not
  // exist (numbers count up)
  assert.equal((await w.as('familyA', 'GET', `/api/bookings/${b.id}`)).status, 200);
  assert.equal((await w.as('staffA', 'GET', `/api/bookings/${b.id}`)).status, 200);
  assert.equal((await w.as('admin', 'GET', `/api/bookings/${b.id}`)).status, 200);
  assertErr(await w.as('familyB', 'GET', `/api/bookings/${b.id}`), 404);
  assertErr(await w.as('staffB', 'GET', `/api/bookings/${b.id}`), 404);
  assertErr(await api(d, 'GET', `/api/bookings/${b.id}`), 401);
  assertErr(await w.as('familyA', 'GET', '/api/bookings/999999'), 404);
  assertErr(await w.as('familyB', 'DELETE', `/api/bookings/${b.id}`), 404);
  assertErr(await w.as('staffB', 'GET', `/api/bookings/${b.id}/ticket.svg`), 404);

  // the QR ticket
  const t = await w.as('familyA', 'GET', `/api/bookings/${b.id}/ticket.svg`);
  assert.equal(t.status, 200);
  assert.match(t.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(t.text, /<svg[^>]+viewBox/);

  // the clear phone: the cemetery's staff only, audited
  const c = await w.as('staffA', 'GET', `/api/bookings/${b.id}/contact`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.contact_phone, '13900001234');
  assert.equal(c.headers.get('cache-control'), 'no-store');
  assertErr(await w.as('familyA', 'GET', `/api/bookings/${b.id}/contact`), 403);
  assertErr(await w.as('staffB', 'GET', `/api/bookings/${b.id}/contact`), 404);
  assertErr(await api(d, 'GET', `/api/bookings/${b.id}/contact`), 401);

  // listings
  const mine = await w.as('familyA', 'GET', '/api/bookings?mine=1');
  assert.ok(mine.json.bookings.some((x) => x.id === b.id));
  assert.ok(!JSON.stringify(mine.json).includes('13900001234'));
  const other = await w.as('familyB', 'GET', '/api/bookings?mine=1');
  assert.ok(!other.json.bookings.some((x) => x.id === b.id));
  assertErr(await w.as('staffB', 'GET', `/api/bookings?cemetery_id=${w.ids.cemA}`), 403);
  assertErr(await w.as('familyA', 'GET', `/api/bookings?cemetery_id=${w.ids.cemA}`), 403);
  assertErr(await w.as('familyA', 'GET', '/api/bookings'), 400);
  assertErr(await w.as('staffA', 'GET', `/api/bookings?cemetery_id=${w.ids.cemA}&state=lost`), 400);
  assertErr(await api(d, 'GET', '/api/bookings?mine=1'), 401);

  // cancel frees the places, once
  const del = await w.as('familyA', 'DELETE', `/api/bookings/${b.id}`);
  assert.equal(del.status, 200, del.text);
  assert.equal(await remaining(s), 10);
  assertErr(await w.as('familyA', 'DELETE', `/api/bookings/${b.id}`), 409, 'already_cancelled');
  // and the account may book that slot again
  assert.equal((await book('familyA', s)).status, 201);

});

// ---------- check-in ----------

test('check-in: once, only on the day, only at that cemetery', async () => {
  const s = await slot('A', today, 10);
  const later = await slot('A', tomorrow, 10);
  const b = (await book('familyA', s, { persons: 2 })).json;
  const b2 = (await book('familyA', later)).json;
  const code = b.code.toLowerCase().replace(/(....)(....)/, '$1-$2 ');

  assertErr(await api(d, 'POST', '/api/checkins', json({ code: b.code })), 401, 'unauthorized');
  assertErr(await w.as('familyA', 'POST', '/api/checkins', json({ code: b.code })), 403,
    'forbidden');
  assertErr(await w.as('staffB', 'POST', '/api/checkins', json({ code: b.code })), 403,
    'forbidden');
  assertErr(await w.as('staffA', 'POST', '/api/checkins', json({ code: 'ABC' })), 400);
  assertErr(await w.as('staffA', 'POST', '/api/checkins', json({})), 400);
  assertErr(await w.as('staffA', 'POST', '/api/checkins', json({ code: '222222222222' })), 404);
  // admin standing at cemetery B's gate
  assertErr(await w.as('admin', 'POST', '/api/checkins',
    json({ code: b.code, cemetery_id: w.ids.cemB })), 403, 'forbidden');

  const first = await w.as('staffA', 'POST', '/api/checkins', json({ code }));
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.booking.id, b.id);
  assert.equal(first.json.booking.state, 'checked_in');
  assert.ok(first.json.booking.checked_in_at);
  const second = await w.as('staffA', 'POST', '/api/checkins', json({ code: b.code }));
  assertErr(second, 409, 'already_checked_in');
  assert.match(second.json.error.message, /already checked in/);
  // a used ticket cannot be cancelled
  assertErr(await w.as('familyA', 'DELETE', `/api/bookings/${b.id}`), 409, 'already_checked_in');
  // tomorrow's ticket today
  const wrong = await w.as('staffA', 'POST', '/api/checkins', json({ code: b2.code }));
  assertErr(wrong, 409, 'wrong_day');
  assert.ok(wrong.json.error.message.includes(tomorrow));
  // a cancelled ticket
  await w.as('familyA', 'DELETE', `/api/bookings/${b2.id}`);
  assertErr(await w.as('staffA', 'POST', '/api/checkins', json({ code: b2.code })), 409,
    'cancelled');
});

// ---------- proxy sweeping ----------

async function placeOrder(who = 'familyA', k = 'A', items = null) {
  const r = await w.as(who, 'POST', '/api/sweeping-orders', json({
    plot_id: w.ids[`plot${k}`], date: tomorrow, note: '请代为献花，替我们说声想念',
    items: items ?? [{ service_id: w.ids[`clean${k}`], quantity: 1 },
      { service_id: w.ids[`flowers${k}`], quantity: 2 }],
  }));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Staff record the payment made at the office.
async function paid(who, id, reference = `收据 ${id}`) {
  const r = await w.as(who, 'POST', `/api/sweeping-orders/${id}/payment`,
    { json: { state: 'paid', reference } });
  assert.equal(r.status, 200, r.text);
  return r;
}

async function to(who, id, target, extra = {}) {
  return w.as(who, 'POST', `/api/sweeping-orders/${id}/transitions`,
    json({ to: target, ...extra }));
}

async function upload(who, id, bytes, ctype = 'image/jpeg', query = '') {
  return w.as(who, 'POST', `/api/sweeping-orders/${id}/proof${query}`,
    { body: bytes, headers: { 'content-type': ctype } });
}

test('sweeping: captured prices and the whole life of an order, live', async () => {
  const o = await placeOrder();
  assert.equal(o.state, 'placed');
  assert.equal(o.total_cents, 5000 + 2 * 8800);
  assert.deepEqual(o.items.map((i) => [i.name, i.price_cents, i.quantity]),
    [['墓碑清洁', 5000, 1], ['鲜花一束', 8800, 2]]);
  assert.deepEqual(o.next, { family: ['cancelled'], staff: ['accepted', 'rejected'] });

  // the family follows the order and its own user topic
  const ws = await wsConnect(d, '/ws', { token: w.tokens.familyA });
  ws.send({ subscribe: `order:${o.id}` });
  await ws.next((m) => m.subscribed === `order:${o.id}`);
  ws.send({ subscribe: `user:${w.ids.familyA}` });
  await ws.next((m) => m.subscribed === `user:${w.ids.familyA}`);

  // the cemetery raises a price: the order keeps what was agreed
  const svc = await w.as('staffA', 'PATCH', `/api/services/${w.ids.flowersA}`,
    json({ price_cents: 12000 }));
  assert.equal(svc.status, 200, svc.text);
  // only the price changes: the fields left out keep their values
  assert.deepEqual([svc.json.code, svc.json.name, svc.json.unit, svc.json.price_cents],
    ['flowers', '鲜花一束', '次', 12000]);
  const kept = await w.as('familyA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.equal(kept.json.total_cents, 5000 + 2 * 8800);
  assert.equal(kept.json.items[1].price_cents, 8800);

  // who may do what
  assertErr(await to('familyA', o.id, 'accepted'), 403, 'forbidden');
  assertErr(await to('staffB', o.id, 'accepted'), 404, 'not_found');
  assertErr(await to('staffA', o.id, 'confirmed'), 403, 'forbidden');
  assertErr(await api(d, 'POST', `/api/sweeping-orders/${o.id}/transitions`,
    json({ to: 'accepted' })), 401);
  assertErr(await to('staffA', o.id, 'teleported'), 400, 'invalid');
  assertErr(await to('staffA', o.id, 'placed'), 400, 'invalid');
  assertErr(await to('staffA', 999999, 'accepted'), 404);
  const early = await to('staffA', o.id, 'completed');
  assertErr(early, 409, 'illegal_transition');
  assert.match(early.json.error.message, /placed/);
  assertErr(await upload('staffA', o.id, exifJpeg()), 409, 'proof_not_now');

  const acc = await to('staffA', o.id, 'accepted', { note: '明早八点前往' });
  assert.equal(acc.status, 200, acc.text);
  let ev = await ws.next((m) => m.topic === `order:${o.id}` && m.event.order.state === 'accepted');
  assert.equal(ev.event.type, 'order');
  await ws.next((m) => m.topic === `user:${w.ids.familyA}` &&
    m.event.order.state === 'accepted');
  // the work waits for the payment (pay.h); staff record it at the office
  assertErr(await to('staffA', o.id, 'in_progress'), 409, 'payment_required');
  await paid('staffA', o.id);
  assert.equal((await to('staffA', o.id, 'in_progress')).status, 200);
  const noProof = await to('staffA', o.id, 'completed');
  assertErr(noProof, 409, 'proof_required');

  // proof: staff of this cemetery only, checked images, size-limited
  assertErr(await upload('staffB', o.id, exifJpeg()), 404, 'not_found');
  assertErr(await upload('familyA', o.id, exifJpeg()), 403, 'forbidden');
  assertErr(await upload('staffA', o.id, Buffer.from('hello'), 'text/plain'), 415);
  assertErr(await upload('staffA', o.id, Buffer.from('not a jpeg at all'), 'image/jpeg'), 415);
  assertErr(await upload('staffA', o.id, exifJpeg(), 'image/png'), 415);
  assertErr(await upload('staffA', o.id, Buffer.alloc(0)), 400);
  assertErr(await upload('staffA', o.id, Buffer.alloc(MAX_UPLOAD + 1000, 0xff)), 413);
  assertErr(await upload('staffA', o.id, exifJpeg(), 'image/jpeg', '?keep_location=yes'), 400);

  const p1 = await upload('staffA', o.id, exifJpeg());
  assert.equal(p1.status, 201, p1.text);
  assert.equal(p1.json.kept_location, false);
  const p2 = await upload('staffA', o.id, exifJpeg(), 'image/jpeg', '?keep_location=1');
  assert.equal(p2.status, 201, p2.text);
  assert.equal(p2.json.kept_location, true);
  ev = await ws.next((m) => m.topic === `order:${o.id}` && m.event.order.proofs.length === 2);

  const done = await to('staffA', o.id, 'completed', { note: '已清扫献花' });
  assert.equal(done.status, 200, done.text);
  ev = await ws.next((m) => m.topic === `order:${o.id}` && m.event.order.state === 'completed');
  assert.equal(ev.event.order.proofs.length, 2);

  // what the family downloads has no GPS unless kept on purpose
  const f1 = await w.as('familyA', 'GET', p1.json.url);
  assert.equal(f1.status, 200);
  assert.equal(f1.headers.get('content-type'), 'image/jpeg');
  const b1 = Buffer.from(await (await fetch(d.url + p1.json.url,
    { headers: { authorization: `Bearer ${w.tokens.familyA}` } })).arrayBuffer());
  assert.ok(!b1.includes('GPS') && !b1.includes('secret location'));
  assert.equal(b1[0], 0xff);
  const b2 = Buffer.from(await (await fetch(d.url + p2.json.url,
    { headers: { authorization: `Bearer ${w.tokens.familyA}` } })).arrayBuffer());
  assert.ok(b2.includes('GPS'));
  assertErr(await w.as('staffB', 'GET', p1.json.url), 404);
  assertErr(await w.as('familyB', 'GET', p1.json.url), 404);
  assertErr(await api(d, 'GET', p1.json.url), 401);
  assertErr(await w.as('familyA', 'GET', `/api/sweeping-orders/${o.id}/proof/999999`), 404);

  // too late for the family to cancel; confirm; rate once
  const late = await to('familyA', o.id, 'cancelled');
  assertErr(late, 409, 'illegal_transition');
  assert.match(late.json.error.message, /completed/);
  assertErr(await w.as('familyA', 'POST', `/api/sweeping-orders/${o.id}/rating`,
    json({ stars: 5 })), 409, 'not_confirmed');
  assert.equal((await to('familyA', o.id, 'confirmed', { note: '谢谢' })).status, 200);
  assertErr(await w.as('familyA', 'POST', `/api/sweeping-orders/${o.id}/rating`,
    json({ stars: 6 })), 400);
  assertErr(await w.as('staffA', 'POST', `/api/sweeping-orders/${o.id}/rating`,
    json({ stars: 5 })), 403);
  const rated = await w.as('familyA', 'POST', `/api/sweeping-orders/${o.id}/rating`,
    json({ stars: 4, comment: '很用心' }));
  assert.equal(rated.status, 201, rated.text);
  assertErr(await w.as('familyA', 'POST', `/api/sweeping-orders/${o.id}/rating`,
    json({ stars: 5 })), 409, 'already_rated');

  const full = await w.as('familyA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.deepEqual(full.json.events.map((e) => [e.from, e.to]), [
    [null, 'placed'], ['placed', 'accepted'], ['accepted', 'in_progress'],
    ['in_progress', 'completed'], ['completed', 'confirmed']]);
  assert.equal(full.json.events[1].actor_id, w.ids.staffA);
  assert.equal(full.json.events[1].note, '明早八点前往');
  assert.deepEqual(full.json.rating, { stars: 4, comment: '很用心' });

  const rating = await api(d, 'GET', `/api/cemeteries/${w.ids.cemA}/rating`);
  assert.deepEqual(rating.json, { subject_kind: 'cemetery', subject_id: w.ids.cemA,
    average: 4, count: 1 });
  const none = await api(d, 'GET', `/api/cemeteries/${w.ids.cemB}/rating`);
  assert.equal(none.json.count, 0);
  assertErr(await api(d, 'GET', '/api/cemeteries/99999/rating'), 404);
  assertErr(await api(d, 'GET', '/api/agencies/99999/rating'), 404);
  await ws.close();
});

test('sweeping: reasons, cancelling, disputes', async () => {
  const a = await placeOrder();
  assertErr(await to('staffA', a.id, 'rejected'), 400, 'reason_required');
  const rej = await to('staffA', a.id, 'rejected', { reason: '该墓区本周维修' });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.json.reason, '该墓区本周维修');
  assertErr(await to('staffA', a.id, 'accepted'), 409, 'illegal_transition');

  const b = await placeOrder();
  assert.equal((await to('staffA', b.id, 'accepted')).status, 200);
  assert.equal((await to('familyA', b.id, 'cancelled')).status, 200);
  assertErr(await to('familyB', b.id, 'cancelled'), 404);

  const c = await placeOrder();
  await to('staffA', c.id, 'accepted');
  await paid('staffA', c.id);
  await to('staffA', c.id, 'in_progress');
  const nocancel = await to('familyA', c.id, 'cancelled');
  assertErr(nocancel, 409, 'illegal_transition');
  assert.match(nocancel.json.error.message, /in_progress/);
  assert.equal((await upload('staffA', c.id, exifJpeg())).status, 201);
  await to('staffA', c.id, 'completed');
  assertErr(await to('familyA', c.id, 'disputed'), 400, 'reason_required');
  const dis = await to('familyA', c.id, 'disputed', { reason: '照片里不是我家的墓' });
  assert.equal(dis.status, 200, dis.text);
  assert.equal(dis.json.state, 'disputed');
  assertErr(await to('familyA', c.id, 'confirmed'), 409, 'illegal_transition');
});

test('sweeping: placing refuses what the cemetery does not offer', async () => {
  const post = (who, body) => w.as(who, 'POST', '/api/sweeping-orders', json(body));
  const base = { plot_id: w.ids.plotA, date: tomorrow,
    items: [{ service_id: w.ids.cleanA, quantity: 1 }] };
  assertErr(await api(d, 'POST', '/api/sweeping-orders', json(base)), 401, 'unauthorized');
  for (const bad of [
    { ...base, items: [] },
    { ...base, items: [{ service_id: w.ids.cleanB, quantity: 1 }] },
    { ...base, items: [{ service_id: w.ids.cleanA, quantity: 0 }] },
    { ...base, items: [{ service_id: w.ids.cleanA }, { service_id: w.ids.cleanA }] },
    { ...base, date: yesterday },
    { ...base, date: '明天' },
    { ...base, tip: 100 },
    { ...base, items: 'all' },
  ]) {
    assertErr(await post('familyA', bad), 400, 'invalid');
  }
  assertErr(await post('familyA', { ...base, plot_id: 999999 }), 404, 'plot_not_found');
  assertErr(await w.as('familyA', 'POST', '/api/sweeping-orders',
    { body: '{"plot_id":', headers: { 'content-type': 'application/json' } }), 400);
  const ok = await post('familyA', { ...base, date: today });
  assert.equal(ok.status, 201, ok.text);
});

test('sweeping: staff of cemetery A cannot see or touch cemetery B', async () => {
  const oB = await placeOrder('familyB', 'B');
  const oA = await placeOrder('familyA', 'A');
  assertErr(await w.as('staffA', 'GET', `/api/sweeping-orders/${oB.id}`), 404, 'not_found');
  assertErr(await w.as('staffA', 'GET',
    `/api/sweeping-orders?cemetery_id=${w.ids.cemB}`), 403, 'forbidden');
  for (const target of ['accepted', 'rejected']) {
    assertErr(await to('staffA', oB.id, target, { reason: 'x' }), 404, 'not_found');
  }
  assertErr(await upload('staffA', oB.id, exifJpeg()), 404, 'not_found');
  assertErr(await w.as('familyA', 'GET', `/api/sweeping-orders/${oB.id}`), 404);
  assertErr(await api(d, 'GET', `/api/sweeping-orders/${oB.id}`), 401);
  assertErr(await w.as('familyA', 'GET', '/api/sweeping-orders/999999'), 404);

  // staff B sees their own
  assert.equal((await w.as('staffB', 'GET', `/api/sweeping-orders/${oB.id}`)).status, 200);
  const listB = await w.as('staffB', 'GET',
    `/api/sweeping-orders?cemetery_id=${w.ids.cemB}&state=placed`);
  assert.equal(listB.status, 200);
  assert.ok(listB.json.orders.some((o) => o.id === oB.id));
  assert.ok(listB.json.orders.every((o) => o.cemetery.id === w.ids.cemB && o.state === 'placed'));
  const listA = await w.as('staffA', 'GET', `/api/sweeping-orders?cemetery_id=${w.ids.cemA}`);
  assert.ok(listA.json.orders.some((o) => o.id === oA.id));
  assert.ok(!listA.json.orders.some((o) => o.id === oB.id));
  const mine = await w.as('familyA', 'GET', '/api/sweeping-orders?mine=1');
  assert.ok(mine.json.orders.every((o) => o.owner_id === w.ids.familyA));
  assertErr(await w.as('familyA', 'GET', '/api/sweeping-orders'), 400);
  assertErr(await w.as('staffA', 'GET',
    `/api/sweeping-orders?cemetery_id=${w.ids.cemA}&state=lost`), 400);
  assertErr(await w.as('staffA', 'GET', '/api/sweeping-orders?cemetery_id=abc'), 400);

  // live topics follow the same rule
  const wsA = await wsConnect(d, '/ws', { token: w.tokens.staffA });
  wsA.send({ subscribe: `order:${oB.id}` });
  const refused = await wsA.next((m) => m.error);
  assert.equal(refused.error.code, 'not_found');
  wsA.send({ subscribe: `user:${w.ids.familyB}` });
  assert.equal((await wsA.next((m) => m.error)).error.code, 'forbidden');
  wsA.send({ subscribe: `order:${oA.id}` });
  await wsA.next((m) => m.subscribed === `order:${oA.id}`);
  await wsA.close();
  const anon = await wsConnect(d, '/ws');
  anon.send({ subscribe: `order:${oA.id}` });
  assert.equal((await anon.next((m) => m.error)).error.code, 'unauthorized');
  await anon.close();
});

test('sweeping: a short proof video, its location removed', async () => {
  const o = await placeOrder();
  await to('staffA', o.id, 'accepted');
  // ftyp + moov{udta{©xyz}} + mdat, built by hand
  const box = (type, ...parts) => {
    const body = Buffer.concat(parts);
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + body.length);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, body]);
  };
  const xyz = box('\xa9xyz', Buffer.from([0, 0x12, 0, 0]), Buffer.from('+39.9567+116.1745/'));
  const mp4 = Buffer.concat([
    box('ftyp', Buffer.from('isom\0\0\x02\0isom', 'latin1')),
    box('moov', box('udta', xyz)),
    box('mdat', Buffer.alloc(64, 7)),
  ]);
  assertErr(await upload('staffA', o.id, mp4, 'video/webm'), 415);
  const v = await upload('staffA', o.id, mp4, 'video/mp4');
  assert.equal(v.status, 201, v.text);
  assert.equal(v.json.kind, 'video');
  const got = Buffer.from(await (await fetch(d.url + v.json.url,
    { headers: { authorization: `Bearer ${w.tokens.familyA}` } })).arrayBuffer());
  assert.equal(got.length, mp4.length);
  assert.ok(!got.includes('+39.9567'));
  // a video alone does not prove the work
  await paid('staffA', o.id);
  await to('staffA', o.id, 'in_progress');
  assertErr(await to('staffA', o.id, 'completed'), 409, 'proof_required');
  // ranges work for the player
  const part = await w.as('familyA', 'GET', v.json.url, { headers: { range: 'bytes=0-7' } });
  assert.equal(part.status, 206);
});
