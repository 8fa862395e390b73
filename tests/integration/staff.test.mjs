// The staff of agencies and cemeteries, managed without the command line:
// an agency's operators and a cemetery's managers invite a login (the
// answer is the same whether it has an account) and revoke their own
// organisation's staff — and nobody else's; a non-manager cannot; a
// revoked member loses the right at once, a live socket included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startDaemon, api, wsConnect, BIN } from '../lib/daemon.mjs';
import { signUp } from '../lib/accounts.mjs';
import { adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'staff-admin@example.org', password: 'staff are invited, not made' };
const PASSWORD = 'the gate of the old cemetery';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let d;
let admin;
const org = {};
const u = {};

async function as(token, method, p, json) {
  return api(d, method, p, { token, json });
}

async function ok(token, method, p, json, want = 200) {
  const r = await as(token, method, p, json);
  assert.equal(r.status, want, `${method} ${p}: ${r.text}`);
  return r.json;
}

/** who's open staff invitation (the only one), accepted. */
async function accept(who) {
  const mine = (await ok(u[who].token, 'GET', '/api/me/staff-invitations')).invitations;
  assert.equal(mine.length, 1, JSON.stringify(mine));
  return (await ok(u[who].token, 'POST', `/api/staff-invitations/${mine[0].id}/accept`)).invitation;
}

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  ({ admin, agencyId: org.a } = await adminWithAgency(d, ADMIN, '甲殡仪馆'));
  org.b = (await ok(admin, 'POST', '/api/agencies', { name: '乙殡仪馆', region_code: '110108' }, 201)).id;
  org.c = (await ok(admin, 'POST', '/api/cemeteries', { name: '丙陵园', region_code: '110109' }, 201)).id;
  for (const [who, login] of [['op', '13500000001'], ['op2', '13500000002'], ['manager', '13500000003'],
    ['staff', 'staff@example.org'], ['family', '13500000005']]) {
    u[who] = await signUp(d, { login, password: PASSWORD, display_name: who });
  }
});

after(async () => { await d?.stop(); });

test('an invitation answers the same with or without an account, and adds nobody', async () => {
  const known = await as(admin, 'POST', `/api/agencies/${org.a}/staff`, { login: '135 0000 0001' });
  const unknown = await as(admin, 'POST', `/api/agencies/${org.a}/staff`, { login: '13599999999' });
  assert.equal(known.status, 202, known.text);
  assert.equal(unknown.status, 202, unknown.text);
  const shape = (r) => ({ keys: Object.keys(r.json.invitation).sort(), state: r.json.invitation.state });
  assert.deepEqual(shape(known), shape(unknown));
  assert.equal(known.json.invitation.login, '135****0001');
  assert.doesNotMatch(known.text, /"op"|user_id|display_name/);
  // nobody holds the role before saying yes
  const list = await ok(admin, 'GET', `/api/agencies/${org.a}/staff`);
  assert.deepEqual(list.staff, []);
  assert.equal(list.invitations.length, 2);
  await ok(u.op.token, 'POST', `/api/agencies/${org.a}/halls`, { name: '一号厅' }, 403);
  // somebody else cannot accept it
  await ok(u.op2.token, 'POST', `/api/staff-invitations/${known.json.invitation.id}/accept`, undefined, 404);
  assert.equal((await as(undefined, 'POST',
    `/api/staff-invitations/${known.json.invitation.id}/accept`)).status, 401);
  const inv = await accept('op');
  assert.equal(inv.state, 'accepted');
  assert.deepEqual(inv.org, { kind: 'agency', id: org.a, name: '甲殡仪馆' });
  await ok(u.op.token, 'POST', `/api/agencies/${org.a}/halls`, { name: '一号厅' }, 201);
  const me = await ok(u.op.token, 'GET', '/api/me');
  assert.ok(me.user.roles.some((r) => r.role === 'agency_operator' && r.scope_id === org.a));
});

test('an operator invites into their own agency only', async () => {
  await ok(u.op.token, 'POST', `/api/agencies/${org.b}/staff`, { login: '13500000002' }, 403);
  await ok(u.op.token, 'GET', `/api/agencies/${org.b}/staff`, undefined, 403);
  await ok(u.op.token, 'POST', `/api/cemeteries/${org.c}/staff`, { login: '13500000002' }, 403);
  await ok(u.op2.token, 'POST', `/api/agencies/${org.a}/staff`, { login: '13500000002' }, 403);
  // managers are a cemetery's; an agency's operators all invite
  await ok(u.op.token, 'POST', `/api/agencies/${org.a}/staff`, { login: '13500000002', manager: true }, 400);
  await ok(u.op.token, 'POST', `/api/agencies/${org.a}/staff`, { login: '13500000002' }, 202);
  await accept('op2');
  await ok(u.op2.token, 'GET', `/api/agencies/${org.a}/staff`);
  // the unknown login's invitation is revoked; revoking it again is 404
  const open = (await ok(u.op.token, 'GET', `/api/agencies/${org.a}/staff`)).invitations
    .filter((x) => x.state === 'pending');
  assert.equal(open.length, 1);
  await ok(u.op.token, 'DELETE', `/api/agencies/${org.a}/staff-invitations/${open[0].id}`, undefined, 204);
  await ok(u.op.token, 'DELETE', `/api/agencies/${org.a}/staff-invitations/${open[0].id}`, undefined, 404);
  // an invitation of agency A is not revoked through agency B
  await ok(admin, 'POST', `/api/agencies/${org.b}/staff`, { login: '13588888888' }, 202);
  const bInv = (await ok(admin, 'GET', `/api/agencies/${org.b}/staff`)).invitations[0];
  await ok(u.op.token, 'DELETE', `/api/agencies/${org.a}/staff-invitations/${bInv.id}`, undefined, 404);
  // nobody removes themselves
  await ok(u.op.token, 'DELETE', `/api/agencies/${org.a}/staff/${u.op.id}`, undefined, 409);
  const staff = (await ok(u.op.token, 'GET', `/api/agencies/${org.a}/staff`)).staff;
  assert.deepEqual(staff.map((s) => s.display_name).sort(), ['op', 'op2']);
});

test('a cemetery\'s manager invites; a non-manager cannot', async () => {
  await ok(admin, 'POST', `/api/cemeteries/${org.c}/staff`, { login: '13500000003', manager: true }, 202);
  const inv = await accept('manager');
  assert.equal(inv.manager, true);
  assert.equal(inv.role, 'cemetery_staff');
  await ok(u.manager.token, 'POST', `/api/cemeteries/${org.c}/staff`, { login: 'Staff@Example.org' }, 202);
  await accept('staff');
  const list = (await ok(u.manager.token, 'GET', `/api/cemeteries/${org.c}/staff`)).staff;
  assert.deepEqual(list.map((s) => [s.display_name, s.manager]).sort(),
    [['manager', true], ['staff', false]]);
  // the staff member works, but does not manage the staff
  await ok(u.staff.token, 'POST', `/api/cemeteries/${org.c}/plots`,
    { section: 'A', row: '1', number: '1', kind: 'grave' }, 201);
  await ok(u.staff.token, 'GET', `/api/cemeteries/${org.c}/staff`, undefined, 403);
  await ok(u.staff.token, 'POST', `/api/cemeteries/${org.c}/staff`, { login: '13500000005' }, 403);
  await ok(u.staff.token, 'DELETE', `/api/cemeteries/${org.c}/staff/${u.manager.id}`, undefined, 403);
  // a manager of this cemetery manages nothing else
  await ok(u.manager.token, 'POST', `/api/agencies/${org.a}/staff`, { login: '13500000005' }, 403);
  await ok(u.manager.token, 'DELETE', `/api/agencies/${org.a}/staff/${u.op2.id}`, undefined, 403);
});

test('a revoked staff member loses the right at once, their live socket too', async () => {
  const plot = (await ok(u.staff.token, 'GET', `/api/cemeteries/${org.c}/plots`)).plots[0];
  const svc = await ok(u.manager.token, 'POST', `/api/cemeteries/${org.c}/services`,
    { code: 'sweep', name: '代扫', price_cents: 100 }, 201);
  const day = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const order = await ok(u.family.token, 'POST', '/api/sweeping-orders',
    { plot_id: plot.id, date: day, items: [{ service_id: svc.id }] }, 201);
  const topic = `order:${order.id}`;
  const ws = await wsConnect(d, '/ws', { token: u.staff.token });
  ws.send({ subscribe: topic });
  const sub = await ws.next((x) => x.subscribed === topic || x.error);
  assert.equal(sub.subscribed, topic, JSON.stringify(sub));
  await ok(u.staff.token, 'GET', `/api/sweeping-orders/${order.id}`);

  const after = await ok(u.manager.token, 'DELETE', `/api/cemeteries/${org.c}/staff/${u.staff.id}`);
  assert.deepEqual(after.staff.map((s) => s.display_name), ['manager']);
  const cut = await ws.next((x) => x.error && x.error.topic === topic, 5000);
  assert.match(cut.error.code, /^(forbidden|not_found)$/);
  // the next request is refused too, and nothing reaches the socket
  await ok(u.staff.token, 'GET', `/api/sweeping-orders/${order.id}`, undefined, 404);
  await ok(u.staff.token, 'POST', `/api/cemeteries/${org.c}/plots`,
    { section: 'A', row: '1', number: '2', kind: 'grave' }, 403);
  await ok(u.family.token, 'POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'cancelled' });
  await sleep(400);
  const at = ws.messages.findIndex((m) => m.error && m.error.topic === topic);
  assert.ok(!ws.messages.slice(at).some((m) => m.topic === topic && m.event), JSON.stringify(ws.messages));
  await ws.close();
  // removing them again finds nobody
  await ok(u.manager.token, 'DELETE', `/api/cemeteries/${org.c}/staff/${u.staff.id}`, undefined, 404);
});

test('the command line makes a manager as the screens do', async () => {
  const cli = (...args) => spawnSync(BIN, ['--data-dir', d.dataDir, 'user', ...args], { encoding: 'utf8' });
  await ok(u.family.token, 'GET', `/api/cemeteries/${org.c}/staff`, undefined, 403);
  assert.equal(cli('grant', '--login', '13500000005', '--role', 'agency_operator', '--scope',
    String(org.a), '--manager').status, 2);
  const r = cli('grant', '--login', '13500000005', '--role', 'cemetery_staff', '--scope', String(org.c),
    '--manager');
  assert.equal(r.status, 0, r.stderr);
  const list = (await ok(u.family.token, 'GET', `/api/cemeteries/${org.c}/staff`)).staff;
  assert.ok(list.some((s) => s.display_name === 'family' && s.manager));
  assert.match(cli('list').stdout, new RegExp(`cemetery_staff:${org.c}\\(manager\\)`));
});
