// A small world for the visit and proxy-sweeping tests: an admin made with
// the CLI, two cemeteries (A, B) with a plot and priced services each,
// staff of each, and family accounts — all through the public API.
//
//   const w = await makeWorld(d);
//   await w.as('familyA', 'POST', '/api/sweeping-orders', { json: {...} });
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { api, BIN, REPO } from './daemon.mjs';
import { signUp as signUpAs } from './accounts.mjs';

export const PASSWORD = 'pine and cypress 1976';

/** Today and other days in China Standard Time, as the daemon counts them. */
export function cstDate(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}

/** A small JPEG whose EXIF names a GPS position (tests/data/images/README.md). */
export function exifJpeg() {
  return fs.readFileSync(path.join(REPO, 'tests/data/images/with_exif.jpg'));
}

function cli(d, args, input) {
  const pre = ['--data-dir', d.dataDir];
  if (d.confFile) pre.unshift('--config', d.confFile);
  const r = spawnSync(BIN, [...pre, ...args], { input, encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, `sinian ${args.join(' ')}: ${r.stderr}`);
  return r;
}

export async function signIn(d, login) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
  assert.equal(r.status, 200, `sign-in ${login}: ${r.text}`);
  return r.json.token;
}

/** Create an account through sign-up; returns its id. */
export async function signUp(d, login, name) {
  return (await signUpAs(d, { login, password: PASSWORD, display_name: name })).id;
}

export async function makeWorld(d, { families = ['familyA', 'familyB'] } = {}) {
  const w = { ids: {}, tokens: {}, logins: {} };
  const admin = '15000000001';
  cli(d, ['user', 'add', '--login', admin, '--role', 'admin', '--password-stdin'],
    `${PASSWORD}\n`);
  w.tokens.admin = await signIn(d, admin);

  w.as = async (who, method, urlPath, opts = {}) =>
    api(d, method, urlPath, { ...opts, ...(w.tokens[who] ? { token: w.tokens[who] } : {}) });
  const ok = async (method, urlPath, json) => {
    const r = await w.as('admin', method, urlPath, { json });
    assert.ok(r.status < 300, `${method} ${urlPath}: ${r.status} ${r.text}`);
    return r.json;
  };

  for (const k of ['A', 'B']) {
    const c = await ok('POST', '/api/cemeteries', { name: `${k} 区公墓`, region_code: '110107' });
    w.ids[`cem${k}`] = c.id;
    w.ids[`plot${k}`] = (await ok('POST', `/api/cemeteries/${c.id}/plots`,
      { section: k, row: '3', number: '18', kind: 'grave' })).id;
    w.ids[`clean${k}`] = (await ok('POST', `/api/cemeteries/${c.id}/services`,
      { code: 'clean', name: '墓碑清洁', price_cents: 5000 })).id;
    w.ids[`flowers${k}`] = (await ok('POST', `/api/cemeteries/${c.id}/services`,
      { code: 'flowers', name: '鲜花一束', price_cents: 8800 })).id;
  }
  let n = 10;
  const people = [...families, 'staffA', 'staffB'];
  for (const who of people) {
    const login = `1380000${String(n++).padStart(4, '0')}`;
    w.logins[who] = login;
    w.ids[who] = await signUp(d, login, who);
    if (who === 'staffA' || who === 'staffB') {
      await ok('POST', `/api/users/${w.ids[who]}/grants`,
        { role: 'cemetery_staff', scope_id: w.ids[who === 'staffA' ? 'cemA' : 'cemB'] });
    }
    w.tokens[who] = await signIn(d, login);
  }
  return w;
}
