// When the database fails, the daemon says so: a 500 with the reason in its
// log, never "not found", "wrong password" or an empty list. The store is
// made to fail for real: a table of the daemon's SQLite file is renamed
// from outside (the sqlite3 CLI) while the daemon runs, so its statements
// fail with "no such table"; renamed back, the same requests succeed again
// without a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';
import { adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'the willow by the gate' };

let d;
let admin;
const ids = {};

function sql(query) {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(d.dataDir, 'sinian.db'), query]);
}

async function ok(method, p, json, status = [200, 201]) {
  const r = await api(d, method, p, { token: admin, json });
  assert.ok([status].flat().includes(r.status), `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

before(async () => {
  d = await startDaemon();
  let agencyId;
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  ids.agency = agencyId;
  ids.cemetery = (await ok('POST', '/api/cemeteries', { name: '福寿园', region_code: '110107' })).id;
  ids.plot = (await ok('POST', `/api/cemeteries/${ids.cemetery}/plots`,
    { section: '松园', row: '1排', number: '8号', kind: 'grave' })).id;
  ids.record = (await ok('POST', '/api/deceased',
    { agency_id: agencyId, name: '周兰', death_date: '2026-01-02' })).id;
  ids.unlinked = (await ok('POST', '/api/deceased',
    { agency_id: agencyId, name: '周梅', death_date: '2026-01-03' })).id;
  const m = (await ok('POST', '/api/memorials', { title: '周兰纪念馆', deceased_id: ids.record })).memorial;
  ids.memorial = m.id;
  ids.slug = m.slug;
  const start = new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(Date.now() + 90000e3).toISOString().replace(/\.\d+Z$/, 'Z');
  ids.ceremony = (await ok('POST', '/api/ceremonies', {
    agency_id: agencyId, title: '周兰女士告别仪式', deceased_name: '周兰',
    scheduled_start: start, scheduled_end: end, source: { kind: 'test' },
  })).id;
  const service = (await ok('POST', `/api/cemeteries/${ids.cemetery}/services`,
    { code: 'sweep', name: '代客祭扫', price_cents: 19900 })).id;
  const tomorrow = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  ids.order = (await ok('POST', '/api/sweeping-orders',
    { plot_id: ids.plot, date: tomorrow, items: [{ service_id: service, quantity: 1 }] })).id;
});

after(async () => { await d?.stop(); });

// table renamed -> requests that read it; each answered before and after
const CASES = [
  ['memorials', [
    ['GET', () => `/api/memorials/${ids.memorial}/tributes`],
    ['GET', () => `/api/memorials/${ids.slug}/tributes`],
    ['GET', () => `/m/${ids.slug}`],
  ]],
  ['tributes', [['GET', () => `/api/memorials/${ids.memorial}/tributes`]]],
  ['deceased', [
    ['GET', () => `/api/deceased/${ids.record}`],
    ['POST', () => '/api/memorials', () => ({ title: '周梅纪念馆', deceased_id: ids.unlinked })],
  ]],
  ['agencies', [
    ['GET', () => `/api/agencies/${ids.agency}`],
    ['GET', () => `/api/agencies/${ids.agency}/services`],
  ]],
  ['cemeteries', [
    ['GET', () => `/api/cemeteries/${ids.cemetery}/plots`],
  ]],
  ['plots', [['GET', () => `/api/plots/${ids.plot}`]]],
  ['ceremonies', [['GET', () => `/api/ceremonies/${ids.ceremony}`]]],
  ['payment_settings', [
    ['GET', () => `/api/cemeteries/${ids.cemetery}/payment-settings`],
    ['GET', () => `/api/sweeping-orders/${ids.order}`],
  ]],
  ['order_payments', [
    ['GET', () => `/api/sweeping-orders/${ids.order}`],
    ['POST', () => `/api/sweeping-orders/${ids.order}/payment`, () => ({ state: 'paid', reference: 'R-9' })],
  ]],
  ['org_public', [['GET', () => `/api/cemeteries/${ids.cemetery}/public`]]],
  ['complaints', [['GET', () => `/api/cemeteries/${ids.cemetery}/complaints`]]],
  ['grave_requests', [['GET', () => `/api/memorials/${ids.memorial}/grave-requests`]]],
  ['staff_invitations', [['GET', () => `/api/cemeteries/${ids.cemetery}/staff`]]],
  ['alloc_weights', [['GET', () => `/api/cemeteries/${ids.cemetery}/allocation`]]],
  ['users', [
    ['POST', () => '/api/session', () => ({ login: ADMIN.login, password: ADMIN.password }), 'anonymous'],
  ]],
];

for (const [table, requests] of CASES) {
  test(`with no "${table}" table: 500 and a logged reason, then served again`, async () => {
    const send = ([method, p, body, who]) =>
      api(d, method, p(), { token: who === 'anonymous' ? undefined : admin, json: body?.() });
    const before = [];
    for (const r of requests) {
      const res = await send(r);
      assert.ok(res.status < 400, `${r[0]} ${r[1]()} before: ${res.status} ${res.text}`);
      before.push(res.status);
    }
    const logFrom = d.log().length;
    sql(`ALTER TABLE ${table} RENAME TO broken_${table}`);
    try {
      for (const r of requests) {
        const res = await send(r);
        assert.equal(res.status, 500, `${r[0]} ${r[1]()} without ${table}: ${res.status} ${res.text}`);
      }
      const log = d.log().slice(logFrom);
      assert.match(log, new RegExp(`no such table: (main\\.)?${table}`), 'the reason is logged');
    } finally {
      sql(`ALTER TABLE broken_${table} RENAME TO ${table}`);
    }
    // the first POST /api/memorials made the memorial: it is a 409 now
    for (const [i, r] of requests.entries()) {
      const res = await send(r);
      assert.ok(res.status < 500, `${r[0]} ${r[1]()} after: ${res.status} ${res.text}`);
      if (r[0] === 'GET') assert.equal(res.status, before[i]);
    }
  });
}

test('a memorial page whose resting place cannot be read is a 500, not a page without its grave', async () => {
  await ok('PUT', `/api/deceased/${ids.record}/burial`, { plot_id: ids.plot });
  sql('ALTER TABLE plots RENAME TO broken_plots');
  try {
    const r = await api(d, 'GET', `/api/memorials/${ids.memorial}`, { token: admin });
    assert.equal(r.status, 500, r.text);
  } finally {
    sql('ALTER TABLE broken_plots RENAME TO plots');
  }
  const r = await api(d, 'GET', `/api/memorials/${ids.memorial}`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.burial.plot.number, '8号');
});
