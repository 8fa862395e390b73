// Nobody can map a phone number or an e-mail address to an account:
// inviting a login to a memorial's family answers the same whether it has
// an account or not and adds nobody until the person accepts; sign-up
// answers the same whether the login was free or not, and tells a taken
// login's owner in the app instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { signUp, signInAs } from '../lib/accounts.mjs';

const PASSWORD = 'the lanterns on the river';
let d;
const u = {};
let memorial;

async function as(who, method, p, json) {
  return api(d, method, p, { token: u[who]?.token, json });
}

async function ok(who, method, p, json, want = 200) {
  const r = await as(who, method, p, json);
  assert.equal(r.status, want, `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000 } });
  for (const [who, login] of [['family', '13100000001'], ['cousin', '13100000002'],
    ['stranger', '13100000003']]) {
    u[who] = await signUp(d, { login, password: PASSWORD, display_name: who });
  }
  memorial = (await ok('family', 'POST', '/api/memorials', { title: '邀请纪念', visibility: 'private',
    deceased: { name: '吴九', death_date: '2026-01-01' } }, 201)).memorial;
});

after(async () => { await d?.stop(); });

test('an invitation answers the same for a login with and without an account', async () => {
  const fam = `/api/memorials/${memorial.id}/family`;
  const known = await as('family', 'POST', fam, { login: '131 0000 0002', role: 'memorial_guest' });
  const unknown = await as('family', 'POST', fam, { login: '13199999999', role: 'memorial_guest' });
  assert.equal(known.status, 202, known.text);
  assert.equal(unknown.status, 202, unknown.text);
  const shape = (r) => ({ keys: Object.keys(r.json.invitation).sort(), state: r.json.invitation.state,
    role: r.json.invitation.role });
  assert.deepEqual(shape(known), shape(unknown));
  assert.equal(known.json.invitation.login, '131****0002');
  assert.equal(unknown.json.invitation.login, '131****9999');
  assert.doesNotMatch(known.text, /cousin|user_id|display_name/);
  // nobody was added: the cousin cannot open the private memorial yet
  const members = (await ok('family', 'GET', fam)).family;
  assert.deepEqual(members.map((m) => m.display_name), ['family']);
  // (by number a private memorial does not exist for them; by slug it asks for a right)
  assert.equal((await as('cousin', 'GET', `/api/memorials/${memorial.id}`)).status, 404);
  assert.equal((await as('cousin', 'GET', `/api/memorials/by-slug/${memorial.slug}`)).status, 403);
  // asking again renews the same invitation
  const again = await as('family', 'POST', fam, { login: '13100000002', role: 'memorial_guest' });
  assert.equal(again.json.invitation.id, known.json.invitation.id);
  // a user number is no way in any more
  assert.equal((await as('family', 'POST', fam, { user_id: u.cousin.id, role: 'memorial_guest' }))
    .status, 400);
});

test('the invitee sees, accepts or declines; nobody else can', async () => {
  const mine = (await ok('cousin', 'GET', '/api/me/invitations')).invitations;
  assert.equal(mine.length, 1);
  const inv = mine[0];
  assert.equal(inv.memorial.title, '邀请纪念');
  assert.equal(inv.invited_by, 'family');
  assert.equal(inv.url, undefined, 'no link before accepting');
  assert.deepEqual((await ok('stranger', 'GET', '/api/me/invitations')).invitations, []);
  await ok('stranger', 'POST', `/api/invitations/${inv.id}/accept`, undefined, 404);
  assert.equal((await as(undefined, 'POST', `/api/invitations/${inv.id}/accept`)).status, 401);
  const done = (await ok('cousin', 'POST', `/api/invitations/${inv.id}/accept`)).invitation;
  assert.equal(done.state, 'accepted');
  assert.equal(done.url, `/m/${memorial.slug}`);
  await ok('cousin', 'GET', `/api/memorials/${memorial.id}`);
  await ok('cousin', 'POST', `/api/invitations/${inv.id}/accept`, undefined, 404);
  const sent = (await ok('family', 'GET', `/api/memorials/${memorial.id}/invitations`)).invitations;
  assert.deepEqual(sent.map((x) => [x.login, x.state]).sort(),
    [['131****0002', 'accepted'], ['131****9999', 'pending']]);
  await ok('cousin', 'GET', `/api/memorials/${memorial.id}/invitations`, undefined, 403);
});

test('an invitation to a login without an account waits for its sign-up', async () => {
  const later = await signUp(d, { login: '13199999999', password: PASSWORD, display_name: '后来者' });
  u.later = later;
  const inv = (await ok('later', 'GET', '/api/me/invitations')).invitations;
  assert.equal(inv.length, 1);
  await ok('later', 'POST', `/api/invitations/${inv[0].id}/decline`);
  assert.equal((await as('later', 'GET', `/api/memorials/${memorial.id}`)).status, 404);
  assert.deepEqual((await ok('later', 'GET', '/api/me/invitations')).invitations, []);
});

test('the family revokes an open invitation', async () => {
  const fam = `/api/memorials/${memorial.id}/family`;
  const r = await ok('family', 'POST', fam, { login: 'someone@example.org', role: 'family_admin' }, 202);
  await ok('family', 'DELETE', `/api/memorials/${memorial.id}/invitations/${r.invitation.id}`,
    undefined, 204);
  await ok('family', 'DELETE', `/api/memorials/${memorial.id}/invitations/${r.invitation.id}`,
    undefined, 404);
  const s = await signUp(d, { login: 'someone@example.org', password: PASSWORD, display_name: 'x' });
  u.someone = s;
  assert.deepEqual((await ok('someone', 'GET', '/api/me/invitations')).invitations, []);
});

test('sign-up never says whether a login is taken; its owner is told', async () => {
  const fresh = await api(d, 'POST', '/api/users',
    { json: { login: '13122223333', password: PASSWORD, display_name: '新人' } });
  const taken = await api(d, 'POST', '/api/users',
    { json: { login: '+86 131-0000-0001', password: 'another secret words', display_name: '冒名' } });
  assert.equal(fresh.status, 202, fresh.text);
  assert.equal(taken.status, 202, taken.text);
  assert.deepEqual(taken.json, fresh.json);
  // the taken account is unchanged: its owner's password still works,
  // the other one does not, and the owner has a notice
  await signInAs(d, '13100000001', PASSWORD);
  const wrong = await api(d, 'POST', '/api/session',
    { json: { login: '13100000001', password: 'another secret words' } });
  assert.equal(wrong.status, 401);
  const notices = (await ok('family', 'GET', '/api/me/notices')).notices;
  assert.equal(notices[0].kind, 'signup_attempt');
  assert.doesNotMatch(JSON.stringify(notices), /冒名|another/);
  // and the fresh login is an account now
  await signInAs(d, '13122223333', PASSWORD);
});
