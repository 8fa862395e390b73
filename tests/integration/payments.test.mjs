// Paying for proxy sweeping at the cemetery's office (server/pay.c): who
// may record a payment or a refund, marking twice, the start rule and
// pay-later, the cemetery's instructions as the family reads them, and the
// live event the family follows when staff mark the order paid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, wsConnect } from '../lib/daemon.mjs';
import { makeWorld, cstDate } from '../lib/visit_world.mjs';

let d;
let w;

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  w = await makeWorld(d, { families: ['familyA', 'familyB'] });
});

after(async () => { await d?.stop(); });

function assertErr(r, status, code) {
  assert.equal(r.status, status, r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
}

async function place(who = 'familyA') {
  const r = await w.as(who, 'POST', '/api/sweeping-orders', { json: {
    plot_id: w.ids.plotA, date: cstDate(1),
    items: [{ service_id: w.ids.cleanA, quantity: 1 }, { service_id: w.ids.flowersA, quantity: 2 }] } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const pay = (who, id, body) => w.as(who, 'POST', `/api/sweeping-orders/${id}/payment`, { json: body });
const to = (who, id, target, extra = {}) =>
  w.as(who, 'POST', `/api/sweeping-orders/${id}/transitions`, { json: { to: target, ...extra } });

test('the cemetery writes its instructions; the family reads them on the order', async () => {
  const text = '收款人：A 区公墓；开户行：示例银行 6222 0000 1111；办公室 8:00-17:00';
  assertErr(await w.as('staffB', 'PUT', `/api/cemeteries/${w.ids.cemA}/payment-settings`,
    { json: { instructions: 'x' } }), 403);
  assertErr(await w.as('familyA', 'PUT', `/api/cemeteries/${w.ids.cemA}/payment-settings`,
    { json: { instructions: 'x' } }), 403);
  assertErr(await w.as('familyA', 'GET', `/api/cemeteries/${w.ids.cemA}/payment-settings`), 403);
  const put = await w.as('staffA', 'PUT', `/api/cemeteries/${w.ids.cemA}/payment-settings`,
    { json: { instructions: text } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.instructions, text);
  assert.equal(put.json.pay_later, false);
  const o = await place();
  assert.equal(o.state, 'placed');
  assert.deepEqual(
    { state: o.payment.state, amount_fen: o.payment.amount_fen, instructions: o.payment.instructions },
    { state: 'unpaid', amount_fen: 5000 + 2 * 8800, instructions: text });
  assert.match(o.payment.reference, /^SW\d{7,}$/);
});

test('only the staff of the order\'s cemetery record a payment; twice is once', async () => {
  const o = await place();
  const body = { state: 'paid', reference: '收据 0007' };
  assertErr(await pay('familyA', o.id, body), 403);
  assertErr(await pay('familyB', o.id, body), 404);
  assertErr(await pay('staffB', o.id, body), 404);
  assertErr(await w.as(null, 'POST', `/api/sweeping-orders/${o.id}/payment`, { json: body }), 401);
  assertErr(await pay('staffA', o.id, { state: 'paid', reference: '' }), 400);
  assertErr(await pay('staffA', o.id, { state: 'owed', reference: 'x' }), 400);

  const ws = await wsConnect(d, '/ws', { token: w.tokens.familyA });
  ws.send({ subscribe: `order:${o.id}` });
  await ws.next((m) => m.subscribed === `order:${o.id}`);
  const first = await pay('staffA', o.id, body);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.payment.state, 'paid');
  assert.equal(first.json.payment.paid.reference, '收据 0007');
  assert.equal(first.json.payment.paid.amount_fen, o.total_cents);
  assert.equal(first.json.state, 'placed', 'the order\'s own state is untouched');
  const ev = await ws.next((m) => m.topic === `order:${o.id}` && m.event.order.payment.state === 'paid');
  assert.equal(ev.event.order.payment.paid.reference, '收据 0007');
  await ws.close();

  const again = await pay('staffA', o.id, body);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.payment, first.json.payment);
  assertErr(await pay('staffA', o.id, { state: 'paid', reference: '收据 0008' }), 409, 'already_paid');
  const seen = await w.as('familyA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.equal(seen.json.payment.state, 'paid');
});

test('no work before payment unless the cemetery allows pay-later', async () => {
  const o = await place();
  await to('staffA', o.id, 'accepted');
  const acc = await w.as('staffA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.ok(!acc.json.next.staff.includes('in_progress'), 'no start button while unpaid');
  assertErr(await to('staffA', o.id, 'in_progress'), 409, 'payment_required');
  const later = await w.as('staffA', 'PUT', `/api/cemeteries/${w.ids.cemA}/payment-settings`,
    { json: { instructions: '月底结算', pay_later: true } });
  assert.equal(later.status, 200, later.text);
  const now = await w.as('staffA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.ok(now.json.next.staff.includes('in_progress'));
  assert.equal(now.json.payment.pay_later, true);
  assert.equal((await to('staffA', o.id, 'in_progress')).status, 200);
  await w.as('staffA', 'PUT', `/api/cemeteries/${w.ids.cemA}/payment-settings`,
    { json: { instructions: '月底结算', pay_later: false } });
});

test('a refund is recorded once a paid order is cancelled', async () => {
  const o = await place();
  assert.equal((await pay('staffA', o.id, { state: 'paid', reference: 'T-1' })).status, 200);
  assertErr(await pay('staffA', o.id, { state: 'refunded', reference: 'RF-1' }), 409, 'refund_not_due');
  assert.equal((await to('familyA', o.id, 'cancelled')).status, 200);
  const c = await w.as('staffA', 'GET', `/api/sweeping-orders/${o.id}`);
  assert.equal(c.json.payment.refund_due, true);
  assertErr(await pay('familyA', o.id, { state: 'refunded', reference: 'RF-1' }), 403);
  const r = await pay('staffA', o.id, { state: 'refunded', reference: 'RF-1' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.payment.state, 'refunded');
  assert.equal(r.json.payment.refunded.reference, 'RF-1');
  assert.equal(r.json.payment.refund_due, false);
  assert.equal(r.json.state, 'cancelled');
  assert.equal((await pay('staffA', o.id, { state: 'refunded', reference: 'RF-1' })).status, 200);
  // an unpaid cancelled order is not paid afterwards
  const u = await place();
  await to('familyA', u.id, 'cancelled');
  assertErr(await pay('staffA', u.id, { state: 'paid', reference: 'x' }), 409, 'order_closed');
});
