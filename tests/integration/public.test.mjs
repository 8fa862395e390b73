// Public service information and complaints over real HTTP. An agency's or
// a cemetery's public page is anyone's: its fee list, the text it publishes
// (commitments, supervision, eco-burial, subsidy), the mean of its ratings
// and its free eco-burial plots. Anyone may complain; the organisation's
// staff and the platform admin answer; whoever sent it reads the answer (by
// account or by its token link) and nobody else sees the complaint at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { makeWorld, signUp, signIn, exifJpeg, cstDate } from '../lib/visit_world.mjs';

let d;
let w;

before(async () => {
  d = await startDaemon({
    config: { rate_limit_writes: 100000, rate_limit_logins: 100000, rate_limit_complaints: 1000 },
  });
  w = await makeWorld(d, { families: ['familyA', 'familyB', 'familyC'] });
  w.ids.agency = (await w.as('admin', 'POST', '/api/agencies',
    { json: { name: '东郊殡仪馆', region_code: '110105' } })).json.id;
  w.ids.operator = await signUp(d, '13800009901', 'operator');
  const g = await w.as('admin', 'POST', `/api/users/${w.ids.operator}/grants`,
    { json: { role: 'agency_operator', scope_id: w.ids.agency } });
  assert.equal(g.status, 200, g.text);
  w.tokens.operator = await signIn(d, '13800009901');
});

after(async () => { await d?.stop(); });

function err(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
}

async function rateOrder(who, stars) {
  const o = (await w.as(who, 'POST', '/api/sweeping-orders', {
    json: { plot_id: w.ids.plotA, date: cstDate(1), items: [{ service_id: w.ids.cleanA }] },
  })).json;
  for (const [by, to] of [['staffA', 'accepted'], ['staffA', 'in_progress']]) {
    if (to === 'in_progress') { // the work waits for the payment, made at the office
      const pay = await w.as('staffA', 'POST', `/api/sweeping-orders/${o.id}/payment`,
        { json: { state: 'paid', reference: `收据 ${o.id}` } });
      assert.equal(pay.status, 200, pay.text);
    }
    const r = await w.as(by, 'POST', `/api/sweeping-orders/${o.id}/transitions`, { json: { to } });
    assert.equal(r.status, 200, r.text);
  }
  const p = await w.as('staffA', 'POST', `/api/sweeping-orders/${o.id}/proof`,
    { body: exifJpeg(), headers: { 'content-type': 'image/jpeg' } });
  assert.equal(p.status, 201, p.text);
  for (const [by, to] of [['staffA', 'completed'], [who, 'confirmed']]) {
    const r = await w.as(by, 'POST', `/api/sweeping-orders/${o.id}/transitions`, { json: { to } });
    assert.equal(r.status, 200, r.text);
  }
  const r = await w.as(who, 'POST', `/api/sweeping-orders/${o.id}/rating`, { json: { stars } });
  assert.equal(r.status, 201, r.text);
}

test('a cemetery\'s public page: fee list, published text, rating, eco-burial', async () => {
  const cem = w.ids.cemA;
  await w.as('admin', 'POST', `/api/cemeteries/${cem}/plots`,
    { json: { section: 'T', row: '1', number: '1', kind: 'tree' } });
  const hidden = await w.as('staffA', 'POST', `/api/cemeteries/${cem}/services`,
    { json: { code: 'old', name: '旧项目', price_cents: 100 } });
  assert.equal(hidden.status, 201, hidden.text);
  assert.equal((await w.as('staffA', 'PATCH', `/api/services/${hidden.json.id}`,
    { json: { active: false } })).status, 200);

  let r = await api(d, 'GET', `/api/cemeteries/${cem}/public`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.org.name, 'A 区公墓');
  assert.deepEqual(r.json.services.map((s) => s.code).sort(), ['clean', 'flowers']);
  assert.deepEqual(r.json.rating, { count: 0, average: null });
  assert.deepEqual(r.json.eco_kinds, [{ kind: 'tree', free: 1 }, { kind: 'sea', free: 0 }]);
  assert.equal(r.json.public.commitments, '');
  assert.equal(r.json.public.updated_at, null);
  assert.equal(r.json.can_edit, false);

  // only its own staff (and the admin) write it; 400s name the field
  const text = { commitments: '承诺：预约当日办结，收费明码标价。', supervision: '区民政局 监督电话 12345' };
  err(await api(d, 'PUT', `/api/cemeteries/${cem}/public`, { json: text }), 401);
  err(await w.as('staffB', 'PUT', `/api/cemeteries/${cem}/public`, { json: text }), 403);
  err(await w.as('operator', 'PUT', `/api/cemeteries/${cem}/public`, { json: text }), 403);
  err(await w.as('familyA', 'PUT', `/api/cemeteries/${cem}/public`, { json: text }), 403);
  r = await w.as('staffA', 'PUT', `/api/cemeteries/${cem}/public`, { json: { price: 1 } });
  err(r, 400, 'invalid');
  r = await w.as('staffA', 'PUT', `/api/cemeteries/${cem}/public`,
    { json: { subsidy: '念'.repeat(2001) } });
  err(r, 400, 'invalid');
  assert.match(r.json.error.message, /subsidy/);
  r = await w.as('staffA', 'PUT', `/api/cemeteries/${cem}/public`, { json: text });
  assert.equal(r.status, 200, r.text);
  r = await w.as('admin', 'PUT', `/api/cemeteries/${cem}/public`,
    { json: { eco_burial: '树葬、海葬', subsidy: '生态安葬每例补贴 1000 元' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.public.commitments, text.commitments, 'a field not given stays');

  r = await api(d, 'GET', `/api/cemeteries/${cem}/public`);
  assert.equal(r.json.public.supervision, text.supervision);
  assert.equal(r.json.public.subsidy, '生态安葬每例补贴 1000 元');
  assert.match(r.json.public.updated_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await w.as('staffA', 'GET', `/api/cemeteries/${cem}/public`)).json.can_edit, true);
  // the other cemetery's page is its own
  assert.equal((await api(d, 'GET', `/api/cemeteries/${w.ids.cemB}/public`)).json.public.supervision, '');
  err(await api(d, 'GET', '/api/cemeteries/9999/public'), 404);
  err(await api(d, 'GET', `/api/agencies/${cem + 1000}/public`), 404);

  // the mean of the ratings of its sweeping orders, never who gave them
  await rateOrder('familyA', 5);
  await rateOrder('familyB', 4);
  r = await api(d, 'GET', `/api/cemeteries/${cem}/public`);
  assert.deepEqual(r.json.rating, { count: 2, average: 4.5 });
  assert.ok(!JSON.stringify(r.json).includes('familyA'));
});

test('a complaint reaches the organisation and the admin, and only its sender reads the answer', async () => {
  const ag = w.ids.agency;
  // anonymous, with a contact
  let r = await api(d, 'POST', `/api/agencies/${ag}/complaints`,
    { json: { text: '告别厅超时收费，未提前告知。', contact: '13912345678' } });
  assert.equal(r.status, 201, r.text);
  const anon = r.json;
  assert.equal(anon.complaint.state, 'open');
  assert.equal(anon.complaint.answer, null);
  assert.equal(anon.complaint.contact, undefined, 'the sender is not shown the sealed contact back');
  assert.ok(anon.token.length >= 40);
  assert.equal(anon.link, `/complaint.html?id=${anon.complaint.id}&token=${anon.token}`);
  // signed in, no contact
  r = await w.as('familyC', 'POST', `/api/agencies/${ag}/complaints`, { json: { text: '态度冷漠。' } });
  assert.equal(r.status, 201, r.text);
  const mine = r.json.complaint;

  // 400s: missing text, unknown key, empty text, over the limit; unknown org 404
  err(await api(d, 'POST', `/api/agencies/${ag}/complaints`, { json: {} }), 400, 'invalid');
  err(await api(d, 'POST', `/api/agencies/${ag}/complaints`, { json: { text: 'x', who: 1 } }), 400);
  err(await api(d, 'POST', `/api/agencies/${ag}/complaints`, { json: { text: '' } }), 400);
  r = await api(d, 'POST', `/api/agencies/${ag}/complaints`, { json: { text: '🌸'.repeat(2001) } });
  err(r, 400, 'invalid');
  assert.match(r.json.error.message, /text/);
  r = await api(d, 'POST', `/api/agencies/${ag}/complaints`,
    { json: { text: 'x', contact: '念'.repeat(101) } });
  err(r, 400, 'invalid');
  assert.match(r.json.error.message, /contact/);
  err(await api(d, 'POST', '/api/agencies/9999/complaints', { json: { text: 'x' } }), 404);

  // the agency's operator and the admin see both, with the contact
  r = await w.as('operator', 'GET', `/api/agencies/${ag}/complaints`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.complaints.map((c) => c.id), [mine.id, anon.complaint.id]);
  assert.equal(r.json.complaints[1].contact, '13912345678');
  assert.equal(r.json.complaints[1].from_account, false);
  assert.equal(r.json.complaints[0].from_account, true);
  r = await w.as('admin', 'GET', '/api/complaints');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.complaints.some((c) => c.id === anon.complaint.id));
  // nobody else lists them
  err(await api(d, 'GET', `/api/agencies/${ag}/complaints`), 401);
  err(await w.as('staffA', 'GET', `/api/agencies/${ag}/complaints`), 403);
  err(await w.as('familyC', 'GET', `/api/agencies/${ag}/complaints`), 403);
  err(await w.as('operator', 'GET', '/api/complaints'), 403);
  err(await w.as('familyC', 'GET', '/api/complaints'), 403);
  // never published: not on the public page
  r = await api(d, 'GET', `/api/agencies/${ag}/public`);
  assert.ok(!r.text.includes('超时收费') && !r.text.includes('complaint'));

  // the sender reads it; nobody else does
  const path = `/api/complaints/${anon.complaint.id}`;
  r = await api(d, 'GET', `${path}?token=${anon.token}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.complaint.text, '告别厅超时收费，未提前告知。');
  assert.equal(r.json.complaint.contact, undefined);
  assert.equal(r.json.can_answer, false);
  err(await api(d, 'GET', path), 401);
  err(await api(d, 'GET', `${path}?token=${anon.token.slice(0, -2)}xx`), 404);
  err(await api(d, 'GET', `/api/complaints/${mine.id}?token=${anon.token}`), 404);
  err(await w.as('familyA', 'GET', path), 404);
  err(await w.as('staffA', 'GET', path), 404);
  err(await w.as('familyA', 'GET', `/api/complaints/${mine.id}`), 404);
  err(await w.as('familyA', 'GET', '/api/complaints/99999'), 404);
  r = await w.as('familyC', 'GET', `/api/complaints/${mine.id}`);
  assert.equal(r.status, 200, r.text);
  r = await w.as('familyC', 'GET', '/api/me/complaints');
  assert.deepEqual(r.json.complaints.map((c) => c.id), [mine.id]);
  assert.equal(r.json.complaints[0].contact, undefined);
  err(await api(d, 'GET', '/api/me/complaints'), 401);

  // answered in the console, once, by those who may
  const answer = { answer: '已核实：超时费用已退还，并向您致歉。' };
  err(await api(d, 'POST', `${path}/answer?token=${anon.token}`, { json: answer }), 403);
  err(await w.as('familyA', 'POST', `${path}/answer`, { json: answer }), 404);
  err(await w.as('staffA', 'POST', `${path}/answer`, { json: answer }), 404);
  err(await w.as('familyC', 'POST', `/api/complaints/${mine.id}/answer`, { json: answer }), 403);
  err(await w.as('operator', 'POST', `${path}/answer`, { json: {} }), 400, 'invalid');
  err(await w.as('operator', 'POST', `${path}/answer`, { json: { answer: '念'.repeat(2001) } }), 400);
  r = await w.as('operator', 'GET', path);
  assert.equal(r.json.can_answer, true);
  r = await w.as('operator', 'POST', `${path}/answer`, { json: answer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.complaint.state, 'answered');
  err(await w.as('admin', 'POST', `${path}/answer`, { json: answer }), 409, 'conflict');
  r = await w.as('admin', 'POST', `/api/complaints/${mine.id}/answer`, { json: { answer: '已约谈当班人员。' } });
  assert.equal(r.status, 200, r.text);

  // the senders see the answers
  r = await api(d, 'GET', `${path}?token=${anon.token}`);
  assert.equal(r.json.complaint.state, 'answered');
  assert.equal(r.json.complaint.answer, answer.answer);
  assert.match(r.json.complaint.answered_at, /^\d{4}-/);
  r = await w.as('familyC', 'GET', '/api/me/complaints');
  assert.equal(r.json.complaints[0].answer, '已约谈当班人员。');
});

test('complaints are limited per address and per account', async () => {
  // behind a trusted proxy, each request names its client's address
  const d2 = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_complaints: 2,
    trusted_proxies: '127.0.0.1 ::1' } });
  try {
    const w2 = await makeWorld(d2, { families: ['familyA'] });
    const cem = w2.ids.cemB;
    const send = (who, addr) => {
      const opts = { json: { text: '一' }, headers: { 'x-forwarded-for': addr } };
      return who ? w2.as(who, 'POST', `/api/cemeteries/${cem}/complaints`, opts)
        : api(d2, 'POST', `/api/cemeteries/${cem}/complaints`, opts);
    };
    // two an hour from one address, whether signed in or not
    assert.equal((await send('familyA', '203.0.113.1')).status, 201);
    assert.equal((await send(null, '203.0.113.1')).status, 201);
    const r = await send(null, '203.0.113.1');
    err(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal((await send(null, '203.0.113.2')).status, 201, 'another address has its own');
    // two an hour from one account, wherever it is
    assert.equal((await send('familyA', '203.0.113.3')).status, 201);
    err(await send('familyA', '203.0.113.4'), 429, 'rate_limited');
    // reading is not limited
    assert.equal((await w2.as('familyA', 'GET', '/api/me/complaints')).json.complaints.length, 2);
  } finally {
    await d2.stop();
  }
});
