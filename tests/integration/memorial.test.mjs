// Memorials over real HTTP: deceased records and their timeline, burial
// plots, memorials and the page response, family rights, photos, search,
// tributes with moderation and exact counts under 1000 concurrent posts
// (each seeing its memorial as it is now: held, renamed, private),
// live events over /ws, QR codes, NDJSON export and all-or-nothing import,
// and the demo memorial. Every error path of these endpoints is tried:
// 400, 401, 403, 404, 409, 413, 415 (and 429 for anonymous tributes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startDaemon, api, wsConnect, BIN, REPO } from '../lib/daemon.mjs';
import { signUp } from '../lib/accounts.mjs';

const PASSWORD = 'white chrysanthemum 1936';
const UPLOAD_CAP = 65536;
const IMAGES = path.join(REPO, 'tests', 'data', 'images');
const ID_NUMBER = '11010519491231002X'; // valid check digit, made up

let d;
const tok = {};
const ids = {};

function cli(args, input) {
  const r = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, ...args],
    { input, encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

async function signIn(login) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function user(name, login) {
  const u = await signUp(d, { login, password: PASSWORD, display_name: name });
  ids[name] = u.id;
  tok[name] = u.token;
}

/** A request that must succeed with want; returns the JSON. */
async function ok(method, p, who, json, want) {
  const r = await api(d, method, p, { token: tok[who], json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200),
    `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

/** A request that must fail with status and the uniform error body. */
async function fails(status, method, p, who, opts = {}) {
  const r = await api(d, method, p, { token: tok[who], ...opts });
  assert.equal(r.status, status, `${method} ${p} as ${who ?? 'anonymous'}: ${r.text.slice(0, 300)}`);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  return r.json.error;
}

before(async () => {
  d = await startDaemon({
    config: { rate_limit_writes: 100000, rate_limit_logins: 100000,
      max_upload_bytes: UPLOAD_CAP,
      max_connections_per_address: 0 }, // 1000 concurrent, all from 127.0.0.1
  });
  cli(['user', 'add', '--login', '13600000001', '--role', 'admin', '--password-stdin'],
    `${PASSWORD}\n`);
  tok.admin = await signIn('13600000001');
  ids.agency = (await ok('POST', '/api/agencies', 'admin',
    { name: '东郊殡仪馆', region_code: '110105', address: '东郊路1号', phone: '010-1' })).id;
  ids.agency2 = (await ok('POST', '/api/agencies', 'admin',
    { name: '西郊殡仪馆', region_code: '110108' })).id;
  ids.cemetery = (await ok('POST', '/api/cemeteries', 'admin',
    { name: '青松陵园', region_code: '110109', address: '青松路8号', lat: 39.9, lng: 116.1 })).id;
  ids.cemetery2 = (await ok('POST', '/api/cemeteries', 'admin',
    { name: '白云公墓', region_code: '110109' })).id;
  for (const [name, login] of [['operator', '13600000002'], ['operator2', '13600000003'],
    ['staff', '13600000004'], ['family', '13600000005'], ['mourner', '13600000006'],
    ['guest', '13600000007']]) {
    await user(name, login);
  }
  await ok('POST', `/api/users/${ids.operator}/grants`, 'admin',
    { role: 'agency_operator', scope_id: ids.agency }, 200);
  await ok('POST', `/api/users/${ids.operator2}/grants`, 'admin',
    { role: 'agency_operator', scope_id: ids.agency2 }, 200);
  await ok('POST', `/api/users/${ids.staff}/grants`, 'admin',
    { role: 'cemetery_staff', scope_id: ids.cemetery }, 200);
});

after(async () => { await d?.stop(); });

const person = (extra = {}) => ({
  agency_id: ids.agency, name: '周淑芬', gender: 'female', birth_date: '1940-05-06',
  death_date: '2026-03-01', native_place: '浙江绍兴', ...extra,
});

test('demo memorial: a living page on a fresh start', async () => {
  const r = await api(d, 'GET', '/api/memorials/by-slug/demo');
  assert.equal(r.status, 200, r.text);
  const p = r.json;
  assert.equal(p.memorial.slug, 'demo');
  assert.equal(p.memorial.visibility, 'public');
  assert.equal(p.deceased.name, '李秀英');
  assert.equal(p.deceased.birth_date, '1936-03-12');
  assert.equal(p.deceased.death_date, '2025-01-08');
  assert.deepEqual(p.deceased.timeline.map((e) => e.kind),
    ['registered', 'farewell', 'cremated', 'buried']);
  assert.equal(p.burial.cemetery.name, '思念示范陵园');
  assert.match(p.burial.map_url, /^https:\/\/www\.openstreetmap\.org\//);
  assert.ok(p.counts.flower >= 2 && p.counts.incense >= 1 && p.counts.total >= 7);
  assert.ok(p.messages.length >= 2);
  assert.match(p.memorial.biography, /李秀英/);
  assert.match(p.memorial.biography, /Li Xiuying/);
  const agencies = (await api(d, 'GET', '/api/agencies')).json.agencies;
  assert.ok(agencies.some((a) => a.name === '思念示范殡仪馆'));
});

test('deceased: registration, masking, reveal, and every refusal', async () => {
  await fails(401, 'POST', '/api/deceased', undefined, { json: person() });
  await fails(403, 'POST', '/api/deceased', 'mourner', { json: person() });
  await fails(403, 'POST', '/api/deceased', 'operator2', { json: person() });
  await fails(403, 'POST', '/api/deceased', 'staff', { json: person() });
  await fails(400, 'POST', '/api/deceased', 'operator', { body: '{nope', headers: { 'content-type': 'application/json' } });
  const living = await fails(400, 'POST', '/api/deceased', 'operator',
    { json: person({ death_date: undefined }) });
  assert.match(living.message, /death_date/);
  await fails(400, 'POST', '/api/deceased', 'operator', { json: person({ death_date: '2999-01-01' }) });
  await fails(400, 'POST', '/api/deceased', 'operator', { json: person({ birth_date: '2026-03-02' }) });
  await fails(400, 'POST', '/api/deceased', 'operator', { json: person({ gender: 'x' }) });
  await fails(400, 'POST', '/api/deceased', 'operator', { json: person({ id_number: '110105194912310021' }) });
  await fails(400, 'POST', '/api/deceased', 'operator', { json: person({ colour: 'red' }) });
  await fails(404, 'POST', '/api/deceased', 'admin', { json: person({ agency_id: 9999 }) });

  const rec = await ok('POST', '/api/deceased', 'operator', person({ id_number: ID_NUMBER, ext_id: 'E-1' }));
  ids.deceased = rec.id;
  assert.equal(rec.id_number_masked, '1101**********002X');
  assert.equal(rec.id_number, undefined);
  assert.ok(!JSON.stringify(rec).includes('11010519491231002'));

  await fails(401, 'GET', `/api/deceased/${rec.id}`);
  // record numbers count up: to one who may not read a record it does not exist
  await fails(404, 'GET', `/api/deceased/${rec.id}`, 'mourner');
  await fails(404, 'GET', `/api/deceased/${rec.id}`, 'operator2');
  await fails(404, 'GET', '/api/deceased/99999', 'admin');
  await fails(404, 'GET', '/api/deceased/abc', 'admin');
  const plain = await ok('GET', `/api/deceased/${rec.id}`, 'operator');
  assert.equal(plain.id_number, undefined);
  const clear = await ok('GET', `/api/deceased/${rec.id}?reveal=1`, 'operator');
  assert.equal(clear.id_number, ID_NUMBER);
  await ok('GET', `/api/deceased?agency_id=${ids.agency}`, 'operator');
  await fails(400, 'GET', '/api/deceased', 'operator');
  await fails(403, 'GET', `/api/deceased?agency_id=${ids.agency}`, 'operator2');
});

test('deceased events: order rules answer 409 with the reason', async () => {
  const p = `/api/deceased/${ids.deceased}/events`;
  const at = (day, h = 10) => `2026-03-${String(day).padStart(2, '0')}T${h}:00:00+08:00`;
  await fails(401, 'POST', p, undefined, { json: { kind: 'registered', at: at(1) } });
  await fails(404, 'POST', p, 'mourner', { json: { kind: 'registered', at: at(1) } });
  await fails(404, 'POST', p, 'operator2', { json: { kind: 'registered', at: at(1) } });
  await fails(404, 'POST', '/api/deceased/99999/events', 'operator', { json: { kind: 'registered', at: at(1) } });
  let e = await fails(409, 'POST', p, 'operator', { json: { kind: 'cremated', at: at(2) } });
  assert.match(e.message, /first event must be registered/);
  await fails(400, 'POST', p, 'operator', { json: { kind: 'exhumed', at: at(2) } });
  await fails(400, 'POST', p, 'operator', { json: { kind: 'registered', at: 'tomorrow' } });
  e = await fails(409, 'POST', p, 'operator', { json: { kind: 'registered', at: '2026-02-28T10:00:00+08:00' } });
  assert.match(e.message, /death date/);
  const reg = await ok('POST', p, 'operator', { kind: 'registered', at: at(1), place: '东郊殡仪馆' });
  assert.equal(reg.event.at, '2026-03-01T02:00:00Z');
  await ok('POST', p, 'operator', { kind: 'farewell', at: at(3), place: '一号厅' });
  e = await fails(409, 'POST', p, 'operator', { json: { kind: 'niche_placed', at: at(4) } });
  assert.match(e.message, /needs cremated first/);
  e = await fails(409, 'POST', p, 'operator', { json: { kind: 'cremated', at: at(2) } });
  assert.match(e.message, /earlier than the previous/);
  await ok('POST', p, 'operator', { kind: 'cremated', at: at(3, 14) });
  e = await fails(409, 'POST', p, 'operator', { json: { kind: 'farewell', at: at(4) } });
  assert.match(e.message, /farewell ceremony is already recorded/);
  await fails(400, 'POST', p, 'operator', { json: { kind: 'ashes_stored', at: at(4), until: '2026-03-01' } });
  await ok('POST', p, 'operator', { kind: 'ashes_stored', at: at(4), until: '2027-03-04', place: '寄存处' });
  await fails(404, 'POST', p, 'operator', { json: { kind: 'buried', at: at(5), plot_id: 99999 } });
  const full = await ok('GET', `/api/deceased/${ids.deceased}`, 'operator');
  assert.deepEqual(full.events.map((x) => x.kind), ['registered', 'farewell', 'cremated', 'ashes_stored']);
  assert.equal(full.events[3].until, '2027-03-04');
});

test('plots and burial: occupied in one step, never two in one plot', async () => {
  const base = `/api/cemeteries/${ids.cemetery}/plots`;
  const plot = (n, extra = {}) => ({ section: '松区', row: '2排', number: `${n}号`, kind: 'grave', ...extra });
  await fails(401, 'POST', base, undefined, { json: plot(1) });
  await fails(403, 'POST', base, 'operator', { json: plot(1) });
  await fails(403, 'POST', `/api/cemeteries/${ids.cemetery2}/plots`, 'staff', { json: plot(1) });
  await fails(404, 'POST', '/api/cemeteries/99999/plots', 'admin', { json: plot(1) });
  await fails(400, 'POST', base, 'staff', { json: plot(1, { capacity: 2 }) });
  await fails(400, 'POST', base, 'staff', { json: plot(1, { kind: 'pyramid' }) });
  await fails(400, 'POST', base, 'staff', { json: plot(1, { lat: 95, lng: 1 }) });
  const p1 = await ok('POST', base, 'staff', plot(1, { lat: 39.91, lng: 116.11 }));
  assert.equal(p1.status, 'free');
  assert.match(p1.map_url, /openstreetmap/);
  const e = await fails(409, 'POST', base, 'staff', { json: plot(1) });
  assert.match(e.message, /already has plot/);
  const p2 = await ok('POST', base, 'staff', plot(2, { kind: 'niche' }));
  const fam = await ok('POST', base, 'staff', plot(3, { kind: 'family', capacity: 2 }));
  ids.plot = p1.id;

  const pub = await ok('GET', `/api/plots/${p1.id}`, undefined);
  assert.equal(pub.cemetery.name, '青松陵园');
  assert.equal(pub.occupants, undefined); // who lies where is for staff
  await fails(404, 'GET', '/api/plots/99999');
  const list = await ok('GET', `${base}?status=free`, undefined);
  assert.equal(list.plots.length, 3);
  await fails(400, 'GET', `${base}?status=lost`);

  const burial = `/api/deceased/${ids.deceased}/burial`;
  await fails(401, 'PUT', burial, undefined, { json: { plot_id: p1.id } });
  await fails(403, 'PUT', burial, 'operator', { json: { plot_id: p1.id } });
  await fails(404, 'PUT', burial, 'mourner', { json: { plot_id: p1.id } });
  await fails(404, 'PUT', '/api/deceased/99999/burial', 'staff', { json: { plot_id: p1.id } });
  // the cemetery holds no record it has not accepted (to its staff it does
  // not exist yet): the agency hands it over, the cemetery's staff accept it
  // into a plot (burial.test.mjs)
  await fails(404, 'PUT', burial, 'staff', { json: { plot_id: p1.id } });
  const handOver = async (id) => (await ok('POST', `/api/deceased/${id}/transfers`, 'operator',
    { cemetery_id: ids.cemetery })).transfer.id;
  await ok('POST', `/api/transfers/${await handOver(ids.deceased)}/accept`, 'staff',
    { plot_id: p1.id }, 200);
  await fails(400, 'PUT', burial, 'staff', { json: {} });
  await fails(400, 'PUT', burial, 'staff', { json: { plot_id: 'one' } });
  await fails(404, 'PUT', burial, 'staff', { json: { plot_id: 99999 } });
  const linked = await ok('PUT', burial, 'staff', { plot_id: p1.id });
  assert.equal(linked.plot.status, 'occupied');
  assert.equal(linked.plot.occupied, 1);
  const staffView = await ok('GET', `/api/plots/${p1.id}`, 'staff');
  assert.deepEqual(staffView.occupants.map((o) => o.id), [ids.deceased]);
  // staff of the cemetery holding the record now read it and add its burial
  await ok('GET', `/api/deceased/${ids.deceased}`, 'staff');
  await ok('POST', `/api/deceased/${ids.deceased}/events`, 'staff',
    { kind: 'buried', at: '2026-03-06T10:00:00+08:00', plot_id: p1.id });

  // a second deceased cannot take the occupied grave
  const other = await ok('POST', '/api/deceased', 'operator', person({ name: '吴国华' }));
  const t2 = await handOver(other.id);
  const full = await fails(409, 'POST', `/api/transfers/${t2}/accept`, 'staff',
    { json: { plot_id: p1.id } });
  assert.match(full.message, /already occupied/);
  // a family plot takes two
  await ok('POST', `/api/transfers/${t2}/accept`, 'staff', { plot_id: fam.id }, 200);
  const third = await ok('POST', '/api/deceased', 'operator', person({ name: '吴小华' }));
  await ok('POST', `/api/transfers/${await handOver(third.id)}/accept`, 'staff',
    { plot_id: fam.id }, 200);
  const famNow = await ok('GET', `/api/plots/${fam.id}`, undefined);
  assert.equal(famNow.occupied, 2);
  // moving frees the old plot; unlinking frees the new one
  await ok('PUT', `/api/deceased/${third.id}/burial`, 'staff', { plot_id: p2.id });
  assert.equal((await ok('GET', `/api/plots/${fam.id}`)).occupied, 1);
  await ok('PUT', `/api/deceased/${third.id}/burial`, 'staff', { plot_id: null });
  assert.equal((await ok('GET', `/api/plots/${p2.id}`)).status, 'free');
  // reserved / free, and occupied plots cannot be freed by hand
  await ok('PATCH', `/api/plots/${p2.id}`, 'staff', { status: 'reserved' });
  await fails(409, 'PATCH', `/api/plots/${p1.id}`, 'staff', { json: { status: 'free' } });
  await fails(403, 'PATCH', `/api/plots/${p2.id}`, 'operator', { json: { status: 'free' } });
  await fails(400, 'PATCH', `/api/plots/${p2.id}`, 'staff', { json: { status: 'occupied' } });
});

test('memorials: creation rules, the page response, editing, family rights', async () => {
  const inline = { title: '怀念父亲', biography: '<script>alert(1)</script>\n一生勤劳。',
    deceased: { name: '郑国强', gender: 'male', birth_date: '1950-02-03', death_date: '2026-01-20' } };
  await fails(401, 'POST', '/api/memorials', undefined, { json: inline });
  const living = await fails(400, 'POST', '/api/memorials', 'family',
    { json: { title: 'x', deceased: { name: '活着的人' } } });
  assert.match(living.message, /death_date/);
  await fails(400, 'POST', '/api/memorials', 'family',
    { json: { title: 'x', deceased: { name: '未来', death_date: '2999-01-01' } } });
  await fails(400, 'POST', '/api/memorials', 'family', { json: { title: 'x' } });
  await fails(400, 'POST', '/api/memorials', 'family',
    { json: { ...inline, deceased_id: ids.deceased } });
  await fails(400, 'POST', '/api/memorials', 'family', { json: { ...inline, visibility: 'secret' } });
  await fails(400, 'POST', '/api/memorials', 'family', { json: { ...inline, slug: 'Bad Slug' } });
  await fails(404, 'POST', '/api/memorials', 'family', { json: { title: 'x', deceased_id: 99999 } });
  // linking a registered record needs the right to edit it
  await fails(404, 'POST', '/api/memorials', 'mourner', { json: { title: 'x', deceased_id: ids.deceased } });

  const m = (await ok('POST', '/api/memorials', 'family', { ...inline, slug: 'zheng-guoqiang' })).memorial;
  ids.memorial = m.id;
  assert.equal(m.slug, 'zheng-guoqiang');
  assert.equal(m.url, '/m/zheng-guoqiang');
  assert.equal(m.moderation, 'hold'); // reviewed before shown, by default
  await fails(409, 'POST', '/api/memorials', 'mourner', { json: { ...inline, slug: 'zheng-guoqiang' } });

  const reg = (await ok('POST', '/api/memorials', 'operator',
    { title: '周淑芬纪念馆', deceased_id: ids.deceased, moderation: 'publish' })).memorial;
  ids.memorialReg = reg.id;
  assert.match(reg.slug, /^[a-z][a-z0-9]{15}$/); // 80 random bits
  const again = await fails(409, 'POST', '/api/memorials', 'operator',
    { json: { title: 'again', deceased_id: ids.deceased } });
  assert.match(again.message, /already has a memorial/);

  // the page: everything in one response, no personal data
  const page = await ok('GET', `/api/memorials/${reg.id}`, undefined);
  for (const k of ['memorial', 'deceased', 'burial', 'counts', 'messages', 'recent', 'photos', 'viewer']) {
    assert.ok(k in page, `page lacks ${k}`);
  }
  assert.equal(page.deceased.name, '周淑芬');
  assert.equal(page.burial.cemetery.name, '青松陵园');
  assert.equal(page.burial.plot.number, '1号');
  assert.equal(page.burial.lat, 39.91);
  assert.deepEqual(page.viewer, { signed_in: false, can_edit: false, can_moderate: false, can_grant: false });
  const text = JSON.stringify(page);
  assert.ok(!text.includes('11010519491231002') && !text.includes('1101**'), 'ID number leaked');
  assert.deepEqual(page.counts, { flower: 0, incense: 0, candle: 0, bow: 0, message: 0, total: 0 });
  const bySlug = await ok('GET', `/api/memorials/by-slug/${reg.slug}`, undefined);
  assert.equal(bySlug.memorial.id, reg.id);
  await fails(404, 'GET', '/api/memorials/by-slug/no-such-slug');
  await fails(404, 'GET', '/api/memorials/by-slug/..');
  await fails(404, 'GET', '/api/memorials/99999');
  const mine = await ok('GET', `/api/memorials/${m.id}`, 'family');
  assert.equal(mine.viewer.can_edit, true);
  assert.equal(mine.viewer.can_moderate, true);
  assert.equal(mine.viewer.pending_messages, 0);
  assert.equal(mine.burial, null);
  assert.equal(mine.memorial.biography, inline.biography); // plain text, rendered by the page

  // editing
  await fails(401, 'PATCH', `/api/memorials/${m.id}`, undefined, { json: { title: 'x' } });
  await fails(403, 'PATCH', `/api/memorials/${m.id}`, 'mourner', { json: { title: 'x' } });
  await fails(403, 'PATCH', `/api/memorials/${m.id}`, 'operator', { json: { title: 'x' } });
  await fails(400, 'PATCH', `/api/memorials/${m.id}`, 'family', { json: { visibility: 'secret' } });
  await fails(400, 'PATCH', `/api/memorials/${m.id}`, 'family', { json: { title: '' } });
  await fails(400, 'PATCH', `/api/memorials/${m.id}`, 'family', { json: { deceased_id: 1 } });
  await fails(409, 'PATCH', `/api/memorials/${m.id}`, 'family', { json: { slug: 'demo' } });
  await fails(404, 'PATCH', '/api/memorials/99999', 'family', { json: { title: 'x' } });
  // a chosen slug is for public memorials only (an unlisted one is found by
  // its random slug alone), and never all digits (that reads as a number)
  await fails(400, 'PATCH', `/api/memorials/${m.id}`, 'family', { json: { slug: '12345' } });
  await fails(400, 'PATCH', `/api/memorials/${m.id}`, 'family',
    { json: { visibility: 'unlisted', slug: 'zheng-unlisted' } });
  await fails(400, 'POST', '/api/memorials', 'family',
    { json: { ...inline, slug: 'zheng-hidden', visibility: 'unlisted' } });
  const edited = (await ok('PATCH', `/api/memorials/${m.id}`, 'family',
    { title: '怀念父亲郑国强', visibility: 'private' })).memorial;
  assert.equal(edited.visibility, 'private');

  // family rights
  // (invitations in detail: family.test.mjs)
  const fam = `/api/memorials/${m.id}/family`;
  const guest = { login: '13600000007', role: 'memorial_guest' };
  await fails(404, 'POST', fam, undefined, { json: guest }); // private: by number, no such memorial
  await fails(404, 'POST', fam, 'mourner', { json: guest });
  await fails(400, 'POST', fam, 'family', { json: { ...guest, role: 'admin' } });
  await fails(400, 'POST', fam, 'family', { json: { user_id: ids.guest, role: 'memorial_guest' } });
  await ok('POST', fam, 'family', guest, 202);
  const invite = (await ok('GET', '/api/me/invitations', 'guest')).invitations[0];
  await ok('POST', `/api/invitations/${invite.id}/accept`, 'guest', undefined, 200);
  const members = (await ok('GET', fam, 'family')).family;
  assert.deepEqual(members.map((x) => [x.user_id, x.role]).sort(),
    [[ids.family, 'family_admin'], [ids.guest, 'memorial_guest']].sort());
  await fails(403, 'GET', fam, 'guest');
  // the operator of the record's agency may grant on its memorial
  await ok('POST', `/api/memorials/${reg.id}/family`, 'operator',
    { login: '13600000005', role: 'family_admin' }, 202);
  await fails(403, 'POST', `/api/memorials/${reg.id}/family`, 'operator2',
    { json: { login: '13600000005', role: 'family_admin' } });
  const toFamily = (await ok('GET', '/api/me/invitations', 'family')).invitations
    .find((x) => x.memorial.id === reg.id);
  await ok('POST', `/api/invitations/${toFamily.id}/accept`, 'family', undefined, 200);
});

test('private memorial: invited only, over HTTP and /ws', async () => {
  // by number it does not exist for those without a right of their own
  const p = `/api/memorials/${ids.memorial}`;
  const none = await fails(404, 'GET', p);
  assert.deepEqual(none, await fails(404, 'GET', '/api/memorials/99999'));
  await fails(404, 'GET', p, 'mourner');
  await fails(404, 'GET', p, 'operator');
  const seen = await ok('GET', p, 'guest');
  assert.equal(seen.viewer.can_edit, false);
  await ok('GET', p, 'admin');
  // by its slug (a new random one since it left public) it asks for a right
  assert.notEqual(seen.memorial.slug, 'zheng-guoqiang');
  assert.match(seen.memorial.slug, /^[a-z][a-z0-9]{15}$/);
  await fails(404, 'GET', '/api/memorials/by-slug/zheng-guoqiang');
  const bySlug = `/api/memorials/${seen.memorial.slug}`;
  await fails(401, 'GET', bySlug);
  await fails(403, 'GET', bySlug, 'mourner');
  await ok('GET', bySlug, 'guest');
  await fails(404, 'POST', `${p}/tributes`, undefined, { json: { kind: 'flower', from_name: '路人' } });
  await fails(404, 'POST', `${p}/tributes`, 'mourner', { json: { kind: 'flower' } });
  await fails(401, 'POST', `${bySlug}/tributes`, undefined, { json: { kind: 'flower', from_name: '路人' } });
  await fails(403, 'POST', `${bySlug}/tributes`, 'mourner', { json: { kind: 'flower' } });
  await ok('POST', `${p}/tributes`, 'guest', { kind: 'flower' });
  await ok('POST', `${bySlug}/tributes`, 'guest', { kind: 'candle' });
  await fails(404, 'GET', `${p}/tributes`);
  await fails(404, 'GET', `${p}/qr.svg`);
  await fails(401, 'GET', `${bySlug}/tributes`);
  // not found in search
  const s = await ok('GET', `/api/memorials?q=${encodeURIComponent('郑国强')}`);
  assert.equal(s.memorials.length, 0);

  const topic = `memorial:${ids.memorial}`;
  const slugTopic = `memorial:${seen.memorial.slug}`;
  for (const who of [undefined, 'mourner']) {
    const ws = await wsConnect(d, '/ws', { token: tok[who] });
    ws.send({ subscribe: topic });
    assert.equal((await ws.next((x) => x.error)).error.code, 'not_found');
    ws.send({ subscribe: slugTopic });
    const m = await ws.next((x) => x.error?.topic === slugTopic);
    assert.equal(m.error.code, who ? 'forbidden' : 'unauthorized');
    await ws.close();
  }
  const ws = await wsConnect(d, '/ws', { token: tok.guest });
  ws.send({ subscribe: topic });
  await ws.next((x) => x.subscribed === topic);
  // events of the memorial reach the slug's subscribers under that name
  ws.send({ subscribe: slugTopic });
  await ws.next((x) => x.subscribed === slugTopic);
  await ok('POST', `${p}/tributes`, 'guest', { kind: 'bow' });
  const evs = [await ws.next((x) => x.event), await ws.next((x) => x.event)].map((x) => x.topic).sort();
  assert.deepEqual(evs, [topic, slugTopic].sort());
  await ws.close();
  const bad = await wsConnect(d);
  bad.send({ subscribe: 'memorial:99999' });
  assert.equal((await bad.next((x) => x.error)).error.code, 'not_found');
  bad.send({ subscribe: 'memorial:abc' });
  await bad.next((x) => x.error);
  await bad.close();
});

function readImage(name) {
  return fs.readFileSync(path.join(IMAGES, name));
}

test('photos and portrait: checked by content, EXIF stripped, size-capped', async () => {
  const p = `/api/memorials/${ids.memorialReg}`;
  const png = readImage('gray_4x3.png');
  const jpg = readImage('with_exif.jpg');
  const raw = (ct, body) => ({ headers: { 'content-type': ct }, body });
  await fails(401, 'POST', `${p}/photos`, undefined, raw('image/png', png));
  await fails(403, 'POST', `${p}/photos`, 'mourner', raw('image/png', png));
  await fails(404, 'POST', '/api/memorials/99999/photos', 'family', raw('image/png', png));
  await fails(415, 'POST', `${p}/photos`, 'family', raw('image/gif', Buffer.from('GIF89a\x01\x00\x01\x00')));
  await fails(415, 'POST', `${p}/photos`, 'family', raw('image/png', Buffer.from('<svg onload=alert(1)>')));
  const lie = await fails(415, 'POST', `${p}/photos`, 'family', raw('image/jpeg', png));
  assert.match(lie.message, /image\/png/);
  await fails(413, 'POST', `${p}/photos`, 'family', raw('image/png', Buffer.concat([png, Buffer.alloc(UPLOAD_CAP)])));
  await fails(400, 'POST', `${p}/photos`, 'family', raw('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff])));
  await fails(400, 'POST', `${p}/photos?caption=${'字'.repeat(101)}`, 'family', raw('image/png', png));

  const r1 = await api(d, 'POST', `${p}/photos?caption=${encodeURIComponent('全家福')}`,
    { token: tok.family, ...raw('image/png', png) });
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r1.json.photo.caption, '全家福');
  assert.equal(r1.json.photo.width, 4);
  const r2 = await api(d, 'POST', `${p}/photos`, { token: tok.family, ...raw('image/jpeg', jpg) });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.photo.position, 2);

  const img = await api(d, 'GET', r2.json.photo.url);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  assert.match(img.headers.get('cache-control'), /max-age=31536000/);
  assert.ok(!img.text.includes('GPS 39.9567N') && !img.text.includes('SinianTestCam'),
    'EXIF reached the stored image');
  await fails(404, 'GET', `/api/images/${'0'.repeat(64)}`);
  await fails(404, 'GET', '/api/images/..');

  await fails(415, 'PUT', `${p}/portrait`, 'family', raw('text/plain', Buffer.from('hello')));
  await fails(403, 'PUT', `${p}/portrait`, 'guest', raw('image/png', png));
  await fails(400, 'PUT', `${p}/portrait`, 'family', raw('image/png', Buffer.alloc(0)));
  const set = await api(d, 'PUT', `${p}/portrait`, { token: tok.family, ...raw('image/png', png) });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.portrait_url, r1.json.photo.url); // same bytes, same file
  const page = await ok('GET', p);
  assert.equal(page.memorial.portrait_url, r1.json.photo.url);
  assert.equal(page.photos.length, 2);
  await fails(404, 'DELETE', `${p}/photos/99999`, 'family');
  await ok('DELETE', `${p}/photos/${r2.json.photo.id}`, 'family');
  assert.equal((await ok('GET', p)).photos.length, 1);

  // a photo of a private memorial is for its invited viewers only
  const priv = `/api/memorials/${ids.memorial}/photos`;
  const pp = await api(d, 'POST', priv, { token: tok.family, ...raw('image/jpeg', readImage('plain.jpg')) });
  assert.equal(pp.status, 201, pp.text);
  await fails(401, 'GET', pp.json.photo.url);
  await fails(403, 'GET', pp.json.photo.url, 'mourner');
  const seen = await api(d, 'GET', pp.json.photo.url, { token: tok.guest });
  assert.equal(seen.status, 200);
  assert.match(seen.headers.get('cache-control'), /^private/);
});

test('an unlisted memorial: found by its random slug, never by its number', async () => {
  // the audit: GET /api/memorials/3 served an unlisted memorial's whole page
  const m = (await ok('POST', '/api/memorials', 'mourner', { title: '只给亲友', visibility: 'unlisted',
    deceased: { name: '钟离秋', death_date: '2026-02-01' } })).memorial;
  assert.match(m.slug, /^[a-z][a-z0-9]{15}$/); // 80 random bits
  const byNumber = `/api/memorials/${m.id}`;
  const never = await fails(404, 'GET', '/api/memorials/99999');
  for (const who of [undefined, 'operator', 'family']) {
    assert.deepEqual(await fails(404, 'GET', byNumber, who), never);
    await fails(404, 'GET', `${byNumber}/tributes`, who);
    await fails(404, 'POST', `${byNumber}/tributes`, who, { json: { kind: 'flower', from_name: '路人' } });
  }
  // the creator, who holds a right of their own, still uses the number
  assert.equal((await ok('GET', byNumber, 'mourner')).memorial.id, m.id);
  // whoever was given the link reads and honours it
  assert.equal((await ok('GET', `/api/memorials/by-slug/${m.slug}`)).memorial.id, m.id);
  await ok('GET', `/api/memorials/${m.slug}/tributes`);
  await ok('POST', `/api/memorials/${m.slug}/tributes`, undefined, { kind: 'flower', from_name: '路人' });
  const ws = await wsConnect(d);
  try {
    ws.send({ subscribe: `memorial:${m.id}` });
    assert.equal((await ws.next((x) => x.error)).error.code, 'not_found');
    ws.send({ subscribe: `memorial:${m.slug}` });
    await ws.next((x) => x.subscribed === `memorial:${m.slug}`);
  } finally {
    await ws.close();
  }
});

test('search: public memorials by Chinese substrings, with cursor pages', async () => {
  for (let i = 0; i < 5; i++) {
    await ok('POST', '/api/memorials', 'mourner', { title: `纪念 ${i}`, visibility: 'public',
      deceased: { name: `欧阳明月${i}`, death_date: '2026-02-01' } });
  }
  await ok('POST', '/api/memorials', 'mourner', { title: '不公开', visibility: 'unlisted',
    deceased: { name: '欧阳明月X', death_date: '2026-02-01' } });
  const q = (s, extra = '') => api(d, 'GET', `/api/memorials?q=${encodeURIComponent(s)}${extra}`);
  let r = await q('欧阳明月');
  assert.equal(r.status, 200);
  assert.equal(r.json.memorials.length, 5);
  assert.ok(r.json.memorials.every((m) => m.url.startsWith('/m/') && m.name.startsWith('欧阳明月')));
  r = await q('明月'); // two characters: the LIKE path
  assert.equal(r.json.memorials.length, 5);
  r = await q('阳明月3');
  assert.deepEqual(r.json.memorials.map((m) => m.name), ['欧阳明月3']);
  r = await q('秀英');
  assert.ok(r.json.memorials.some((m) => m.slug === 'demo'));
  const p1 = await q('欧阳明月', '&limit=2');
  assert.equal(p1.json.memorials.length, 2);
  assert.ok(p1.json.next_cursor);
  const p2 = await q('欧阳明月', `&limit=2&cursor=${p1.json.next_cursor}`);
  const p3 = await q('欧阳明月', `&limit=2&cursor=${p2.json.next_cursor}`);
  const all = [...p1.json.memorials, ...p2.json.memorials, ...p3.json.memorials].map((m) => m.id);
  assert.equal(new Set(all).size, 5);
  assert.equal(p3.json.next_cursor, null);
  assert.equal((await q('"OR NEAR(')).status, 200);
  assert.equal((await q('x'.repeat(101))).status, 400);
  assert.equal((await q('a b c d e')).status, 400);
  assert.equal((await q('x', '&limit=0')).status, 400);
  assert.equal((await api(d, 'GET', '/api/memorials')).status, 200);
});

test('tributes: 201 with counts, moderation, live events, refusals', async () => {
  const m = ids.memorialReg; // moderation: publish
  const p = `/api/memorials/${m}/tributes`;
  const ws = await wsConnect(d);
  ws.send({ subscribe: `memorial:${m}` });
  await ws.next((x) => x.subscribed === `memorial:${m}`);

  await fails(400, 'POST', p, undefined, { json: { kind: 'wreath', from_name: '路人' } });
  await fails(400, 'POST', p, undefined, { json: { kind: 'flower' } }); // anonymous: name it
  await fails(400, 'POST', p, 'mourner', { json: { kind: 'flower', text: '多余' } });
  await fails(400, 'POST', p, 'mourner', { json: { kind: 'message' } });
  await fails(400, 'POST', p, 'mourner', { json: { kind: 'message', text: '长'.repeat(501) } });
  await fails(400, 'POST', p, 'mourner', { json: { kind: 'flower', amount: 100 } });
  await fails(404, 'POST', '/api/memorials/99999/tributes', 'mourner', { json: { kind: 'flower' } });

  const t = await ok('POST', p, undefined, { kind: 'incense', from_name: '路人甲' });
  assert.equal(t.tribute.kind, 'incense');
  assert.equal(t.tribute.state, 'published');
  assert.equal(t.counts.incense, 1);
  assert.equal(t.counts.total, 1);
  const ev = await ws.next((x) => x.event?.type === 'tribute');
  assert.equal(ev.topic, `memorial:${m}`);
  assert.equal(ev.event.tribute.id, t.tribute.id);
  assert.deepEqual(ev.event.counts, t.counts);
  const named = await ok('POST', p, 'mourner', { kind: 'bow' });
  assert.equal(named.tribute.from_name, 'mourner'); // the signed-in name

  // hold mode: messages wait for the family
  await ok('PATCH', `/api/memorials/${m}`, 'family', { moderation: 'hold' });
  const msg = await ok('POST', p, 'mourner', { kind: 'message', text: '周老师，一路走好' });
  assert.equal(msg.tribute.state, 'pending');
  assert.equal(msg.counts.message, 0);
  const listed = await ok('GET', p);
  assert.ok(!listed.tributes.some((x) => x.id === msg.tribute.id));
  await fails(403, 'GET', `${p}?state=pending`, 'mourner');
  await fails(401, 'GET', `${p}?state=pending`);
  await fails(400, 'GET', `${p}?state=lost`, 'family');
  const pending = await ok('GET', `${p}?state=pending`, 'family');
  assert.deepEqual(pending.tributes.map((x) => x.id), [msg.tribute.id]);
  assert.equal((await ok('GET', `/api/memorials/${m}`, 'family')).viewer.pending_messages, 1);

  const mp = `/api/memorials/${m}/messages/${msg.tribute.id}`;
  await fails(401, 'PATCH', mp, undefined, { json: { state: 'published' } });
  await fails(403, 'PATCH', mp, 'mourner', { json: { state: 'published' } });
  await fails(400, 'PATCH', mp, 'family', { json: { state: 'pending' } });
  await fails(404, 'PATCH', `/api/memorials/${m}/messages/99999`, 'family', { json: { state: 'published' } });
  await fails(404, 'PATCH', `/api/memorials/${m}/messages/${t.tribute.id}`, 'family', { json: { state: 'hidden' } });
  await fails(404, 'PATCH', `/api/memorials/${ids.memorial}/messages/${msg.tribute.id}`, 'family',
    { json: { state: 'published' } });
  const appr = await ok('PATCH', mp, 'family', { state: 'published' });
  assert.equal(appr.counts.message, 1);
  const aev = await ws.next((x) => x.event?.type === 'message_approved');
  assert.equal(aev.event.tribute.text, '周老师，一路走好');
  await ok('PATCH', mp, 'family', { state: 'hidden' });
  const hev = await ws.next((x) => x.event?.type === 'message_hidden');
  assert.equal(hev.event.id, msg.tribute.id);
  assert.equal(hev.event.counts.message, 0);
  const page = await ok('GET', `/api/memorials/${m}`);
  assert.equal(page.messages.length, 0);
  await ws.close();
});

test('a tribute sees its memorial as it is now: held, renamed, private, public again', async () => {
  const m = (await ok('POST', '/api/memorials', 'family', { title: '吴老师纪念馆',
    visibility: 'public', moderation: 'publish',
    deceased: { name: '吴老师', death_date: '2026-02-02' } })).memorial;
  const p = `/api/memorials/${m.id}/tributes`;
  const msg = { kind: 'message', from_name: '学生', text: '老师，谢谢您' };
  const pendingItem = async () => (await ok('GET', '/api/me/inbox', 'family')).items
    .find((i) => i.kind === 'message_pending' && i.data.memorial_id === m.id);
  // each twice: the second tribute finds what the first one read
  for (let i = 0; i < 2; i++) {
    assert.equal((await ok('POST', p, undefined, msg)).tribute.state, 'published');
    assert.equal((await ok('POST', `/api/memorials/${m.slug}/tributes`, undefined, msg))
      .tribute.state, 'published');
  }
  await ok('GET', `/api/memorials/${m.id}`); // and its page is kept
  await ok('PATCH', `/api/memorials/${m.id}`, 'family', { moderation: 'hold' });
  for (let i = 0; i < 2; i++) {
    assert.equal((await ok('POST', p, undefined, msg)).tribute.state, 'pending');
  }
  let item = await pendingItem();
  assert.equal(item.data.title, '吴老师纪念馆');
  assert.equal(item.data.slug, m.slug);
  assert.equal(item.data.pending, 2);
  await ok('PATCH', `/api/memorials/${m.id}`, 'family', { title: '怀念吴老师' });
  assert.equal((await ok('POST', p, 'mourner', msg)).tribute.state, 'pending');
  item = await pendingItem();
  assert.equal(item.data.title, '怀念吴老师');
  assert.equal(item.data.pending, 3);
  await ok('PATCH', `/api/memorials/${m.id}`, 'family', { moderation: 'publish' });
  assert.equal((await ok('POST', p, undefined, msg)).tribute.state, 'published');

  // private: by number it no longer exists, word for word as a missing one
  const priv = (await ok('PATCH', `/api/memorials/${m.id}`, 'family', { visibility: 'private' })).memorial;
  const missing = await fails(404, 'POST', '/api/memorials/99999/tributes', undefined, { json: msg });
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(await fails(404, 'POST', p, undefined, { json: msg }), missing);
    assert.deepEqual(await fails(404, 'POST', p, 'mourner', { json: msg }), missing);
    await fails(404, 'POST', `/api/memorials/${m.slug}/tributes`, undefined, { json: msg });
    await fails(401, 'POST', `/api/memorials/${priv.slug}/tributes`, undefined, { json: msg });
    await fails(403, 'POST', `/api/memorials/${priv.slug}/tributes`, 'mourner', { json: msg });
    await ok('POST', p, 'family', { kind: 'flower' });
  }
  await ok('PATCH', `/api/memorials/${m.id}`, 'family', { visibility: 'public' });
  assert.equal((await ok('POST', p, undefined, msg)).tribute.state, 'published');
  assert.equal((await ok('POST', p, 'mourner', msg)).tribute.state, 'published');
});

test('1000 concurrent tributes give exact counts and reach a live subscriber each', async () => {
  const m = ids.memorialReg;
  const before = (await ok('GET', `/api/memorials/${m}`)).counts;
  const ws = await wsConnect(d);
  ws.send({ subscribe: `memorial:${m}` });
  await ws.next((x) => x.subscribed === `memorial:${m}`);
  const kinds = ['flower', 'incense', 'candle', 'bow'];
  const posts = [];
  for (let i = 0; i < 1000; i++) {
    const who = i % 2 ? tok.mourner : undefined;
    posts.push(api(d, 'POST', `/api/memorials/${m}/tributes`,
      { token: who, json: { kind: kinds[i % 4], from_name: `访客${i}` } }));
  }
  const results = await Promise.all(posts);
  const bad = results.filter((r) => r.status !== 201);
  assert.equal(bad.length, 0, bad.slice(0, 3).map((r) => `${r.status} ${r.text}`).join('\n'));
  const after = (await ok('GET', `/api/memorials/${m}`)).counts;
  for (const k of kinds) assert.equal(after[k], before[k] + 250, k);
  assert.equal(after.total, before.total + 1000);
  // every response carried a distinct, consistent total
  const totals = new Set(results.map((r) => r.json.counts.total));
  assert.equal(totals.size, 1000);
  const events = [];
  while (events.length < 1000) events.push(await ws.next((x) => x.event?.type === 'tribute', 10000));
  assert.equal(new Set(events.map((e) => e.event.tribute.id)).size, 1000);
  assert.equal(Math.max(...events.map((e) => e.event.counts.total)), after.total);
  await ws.close();
});

test('QR codes: plaque for the memorial, record code for staff only', async () => {
  const r = await api(d, 'GET', `/api/memorials/${ids.memorialReg}/qr.svg`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/svg+xml');
  assert.match(r.text, /^<\?xml/);
  assert.match(r.text, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  await fails(404, 'GET', '/api/memorials/99999/qr.svg');
  // the link is built from Host: a malformed one is refused (fetch cannot
  // send it, so this goes through node:http)
  const bad = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: d.port, path: `/api/memorials/${ids.memorialReg}/qr.svg`,
      headers: { host: 'evil"host<x>' } }, (res) => { res.resume(); resolve(res.statusCode); })
      .on('error', reject);
  });
  assert.equal(bad, 400);
  const q = `/api/deceased/${ids.deceased}/qr.svg`;
  await fails(401, 'GET', q);
  await fails(404, 'GET', q, 'mourner');
  await fails(403, 'GET', q, 'family'); // family may view, not handle the record
  await fails(404, 'GET', '/api/deceased/99999/qr.svg', 'staff');
  for (const who of ['operator', 'staff', 'admin']) {
    const s = await api(d, 'GET', q, { token: tok[who] });
    assert.equal(s.status, 200, who);
    assert.equal(s.headers.get('content-type'), 'image/svg+xml');
  }
});

function ndjson(lines) {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

async function exported(who, query = '') {
  const r = await api(d, 'GET', `/api/export/deceased?agency_id=${ids.agency}${query}`, { token: tok[who] });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/x-ndjson/);
  return r.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('exchange: NDJSON export (masked unless revealed) and all-or-nothing import', async () => {
  const masked = await exported('operator');
  const mine = masked.find((x) => x.id === ids.deceased);
  assert.equal(mine.id_number_masked, '1101**********002X');
  assert.equal(mine.id_number, undefined);
  assert.equal(mine.gender, '2');
  assert.ok(mine.events.some((e) => e.kind === 'buried'));
  const clear = await exported('operator', '&reveal=1');
  assert.equal(clear.find((x) => x.id === ids.deceased).id_number, ID_NUMBER);
  await fails(401, 'GET', '/api/export/deceased');
  await fails(400, 'GET', '/api/export/deceased', 'operator'); // which agency?
  await fails(403, 'GET', `/api/export/deceased?agency_id=${ids.agency}`, 'operator2');
  await fails(403, 'GET', `/api/export/deceased?agency_id=${ids.agency}`, 'staff');
  await fails(400, 'GET', `/api/export/deceased?agency_id=${ids.agency}&since=yesterday`, 'operator');
  const since = await exported('operator', '&since=2100-01-01');
  assert.equal(since.length, 0);
  const admin = await api(d, 'GET', '/api/export/deceased', { token: tok.admin });
  assert.equal(admin.status, 200);

  const line = (n, extra = {}) => ({ type: 'deceased', agency_id: ids.agency, ext_id: `IMP-${n}`,
    name: `导入${n}`, gender: '1', death_date: '2026-02-02',
    events: [{ kind: 'registered', at: '2026-02-02T09:00:00+08:00' },
      { kind: 'cremated', at: '2026-02-04T09:00:00+08:00' }], ...extra });
  const imp = (body, who = 'operator', ct = 'application/x-ndjson') =>
    api(d, 'POST', '/api/import/deceased', { token: tok[who], headers: { 'content-type': ct }, body });
  const count = async () => (await exported('admin')).length;
  const n0 = await count();

  // one bad line: nothing changes, every bad line reported
  let r = await imp(ndjson([line(1), line(2, { gender: 'female' }), '', line(3),
    '{"type":"deceased"', line(4, { events: [{ kind: 'buried', at: '2026-02-03T00:00:00Z' }] })]));
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid');
  assert.deepEqual(r.json.lines.map((l) => l.line), [2, 5, 6]);
  assert.match(r.json.lines[0].error, /gender/);
  assert.match(r.json.lines[2].error, /registered/);
  assert.equal(await count(), n0);
  r = await imp(ndjson([line(5, { agency_id: 99999 })]));
  assert.equal(r.status, 400);
  assert.match(r.json.lines[0].error, /no such agency/);

  await fails(401, 'POST', '/api/import/deceased', undefined,
    { headers: { 'content-type': 'application/x-ndjson' }, body: ndjson([line(1)]) });
  await fails(415, 'POST', '/api/import/deceased', 'operator',
    { headers: { 'content-type': 'application/json' }, body: ndjson([line(1)]) });
  await fails(403, 'POST', '/api/import/deceased', 'operator2',
    { headers: { 'content-type': 'application/x-ndjson' }, body: ndjson([line(1)]) });
  await fails(400, 'POST', '/api/import/deceased', 'operator',
    { headers: { 'content-type': 'application/x-ndjson' }, body: '\n\n' });
  assert.equal(await count(), n0);

  r = await imp(ndjson([line(1), line(2, { id_number: ID_NUMBER }), line(3)]));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { imported: 3 });
  assert.equal(await count(), n0 + 3);
  // the same ext_id again: 409 naming the line, nothing kept
  r = await imp(ndjson([line(7), line(2)]));
  assert.equal(r.status, 409, r.text);
  assert.deepEqual(r.json.lines.map((l) => l.line), [2]);
  assert.equal(await count(), n0 + 3);
  // an exported line goes back in (ids and masks are ignored)
  const back = masked.find((x) => x.id === ids.deceased);
  r = await imp(ndjson([{ ...back, ext_id: 'ROUND-TRIP' }]));
  assert.equal(r.status, 200, r.text);
  const again = (await exported('operator', '&reveal=1')).find((x) => x.ext_id === 'IMP-2');
  assert.equal(again.id_number, ID_NUMBER);
  assert.deepEqual(again.events.map((e) => e.kind), ['registered', 'cremated']);
});

test('page routes: /m/{slug} serves the memorial page', async () => {
  const page = path.join(REPO, 'web', 'memorial.html');
  const r = await api(d, 'GET', '/m/demo');
  if (fs.existsSync(page)) {
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html/);
  } else {
    assert.equal(r.status, 404);
  }
  const s = await api(d, 'GET', '/search');
  assert.equal(s.status, fs.existsSync(path.join(REPO, 'web', 'search.html')) ? 200 : 404);
});

test('anonymous tributes have their own per-address budget', async () => {
  // default write limit (120/min): anonymous tributes get a sixth, 20
  const small = await startDaemon({ config: { demo: 'true' } });
  try {
    const demo = (await api(small, 'GET', '/api/memorials/by-slug/demo')).json.memorial.id;
    const codes = [];
    for (let i = 0; i < 22; i++) {
      const r = await api(small, 'POST', `/api/memorials/${demo}/tributes`,
        { json: { kind: 'candle', from_name: '夜里的人' } });
      codes.push(r.status);
      if (r.status === 429) assert.ok(Number(r.headers.get('retry-after')) >= 1);
    }
    assert.deepEqual(codes.slice(0, 20), Array(20).fill(201));
    assert.equal(codes[21], 429);
  } finally {
    await small.stop();
  }
});

test('demo data is created once across restarts', async () => {
  const first = await startDaemon({});
  const dir = first.dataDir;
  const count = async (x) => (await api(x, 'GET', `/api/memorials?q=${encodeURIComponent('李秀英')}`)).json.memorials.length;
  assert.equal(await count(first), 1);
  await first.stop({ keep: true });
  const second = await startDaemon({ dataDir: dir });
  try {
    assert.equal(await count(second), 1);
    const page = (await api(second, 'GET', '/api/memorials/by-slug/demo')).json;
    assert.equal(page.deceased.timeline.length, 4);
    const agencies = (await api(second, 'GET', '/api/agencies')).json.agencies;
    assert.equal(agencies.filter((a) => a.name === '思念示范殡仪馆').length, 1);
  } finally {
    await second.stop();
  }
  const off = await startDaemon({ config: { demo: 'false' } });
  try {
    assert.equal((await api(off, 'GET', '/api/memorials/by-slug/demo')).status, 404);
  } finally {
    await off.stop();
  }
});
