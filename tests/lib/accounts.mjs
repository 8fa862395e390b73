// accounts.mjs — signing up and in as the tests' people do.
//
// Sign-up answers 202 whether the login was free or not (it never says),
// so the account's id and a session come from signing in afterwards:
//
//   const { id, token, user } = await signUp(d, { login, password, display_name });
import assert from 'node:assert/strict';
import { api } from './daemon.mjs';

/** Sign in; resolves with the session's { token, user }. */
export async function signInAs(d, login, password) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password } });
  assert.equal(r.status, 200, `sign-in ${login}: ${r.text}`);
  return { token: r.json.token, user: r.json.user };
}

/**
 * Sign up many accounts at once (at most `at` in flight) without signing
 * each in: their ids, in the order given, found by name in the admin's
 * account list (adminToken). The names must be unique.
 */
export async function signUpMany(d, people, password, adminToken, at = 4) {
  let next = 0;
  async function worker() {
    while (next < people.length) {
      const p = people[next++];
      const r = await api(d, 'POST', '/api/users',
        { json: { login: p.login, password, display_name: p.name } });
      assert.equal(r.status, 202, `sign-up ${p.login}: ${r.text}`);
    }
  }
  await Promise.all(Array.from({ length: at }, worker));
  const byName = new Map();
  for (let cursor = 0; ;) {
    const r = await api(d, 'GET', `/api/users?cursor=${cursor}`, { token: adminToken });
    assert.equal(r.status, 200, r.text);
    for (const u of r.json.users) byName.set(u.display_name, u.id);
    if (r.json.next_cursor === null) break;
    cursor = r.json.next_cursor;
  }
  return people.map((p) => {
    assert.ok(byName.has(p.name), `no account named ${p.name}`);
    return byName.get(p.name);
  });
}

/** Sign up a new account and sign in: { id, token, user }. */
export async function signUp(d, { login, password, display_name }) {
  const r = await api(d, 'POST', '/api/users', { json: { login, password, display_name } });
  assert.equal(r.status, 202, `sign-up ${login}: ${r.text}`);
  const s = await signInAs(d, login, password);
  return { id: s.user.id, token: s.token, user: s.user };
}
