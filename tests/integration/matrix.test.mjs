// The role matrix: every endpoint that exists, tried as every role, with the
// status each role must get. Later features extend ROWS (and, if they bring
// new kinds of actor, ROLES and the setup below); the runner stays as it is.
//
// The rule table (server/access.c, `sinian access-table --json`) decides
// most rows: a row with `rule` has its expectation derived from the table
// rather than written out, and every rule of the table must have at least
// one such row, so a new rule is tried without anyone having to remember
// it (see derive() below).
//
// Each row: { method, path, body?, fresh?, expect: { role: status } } or,
// instead of expect, rule: { act, on, ok, deny?, seen? }:
//   act    an action of the table, or several (allowed by any of them)
//   on     the object's scope: { agency: 1|2, cemetery: 1|2, memorial: 1|2,
//          owner: role, visible: bool, invite: bool }
//   ok     the status of a role the table allows
//   deny   the status of a signed-in role it refuses (403 by default; 404
//          where the object is not shown to those without a right on it)
//   seen   an action: signed-in roles allowed that one (they may see the
//          object) get 403 where others get deny
//   anonymous is refused with 401, or with `deny` when on.visible is false
//   and deny is 404.
//   path   may hold {agency1} {agency2} {cemetery1} {cemetery2}
//          {agencyService1} {cemeteryService1} {mourner} {target}: ids made by
//          the setup.
//   body   an object, or a function (ctx) => object for bodies that must be
//          unique per request (ctx.n() gives a fresh number).
//   fresh  the request ends sessions (sign-out, password change): it runs
//          on a session of its own and the role signs in again afterwards.
//   expect a status for each of ROLES.
//
// The whole matrix runs twice: with bearer tokens, and as a browser would,
// with the session cookie and this site's Origin. A mismatch fails the test
// with a table of every row and role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startDaemon, api, BIN } from '../lib/daemon.mjs';

const ROLES = ['anonymous', 'mourner', 'operator1', 'operator2', 'staff1', 'staff2', 'admin',
  'family1', 'family2'];
const SHORT = ['anon', 'mourn', 'op1', 'op2', 'st1', 'st2', 'admin', 'fam1', 'fam2'];

const PASSWORD = 'chrysanthemum 1949';

// The logins of the actors (and of two more accounts the rows act on).
const LOGIN = {
  mourner: '13700000001',
  operator1: '13700000002',
  operator2: '13700000003',
  staff1: '13700000004',
  staff2: '13700000005',
  admin: '13700000006',
  target: '13700000007', // receives and loses grants
  signin: '13700000008', // signed into by every role
  family1: '13700000009', // family admin of memorial1 (public, agency1's record)
  family2: '13700000010', // family admin of memorial2 (private, made by a family)
};

// Who each role is, for derive(): its grants' scopes, as the setup makes them.
const SCOPE = {
  operator1: { operator: 1 }, operator2: { operator: 2 },
  staff1: { staff: 1 }, staff2: { staff: 2 },
  family1: { family: 1 }, family2: { family: 2 },
  admin: { admin: true },
};
const RULES = Object.fromEntries(JSON.parse(spawnSync(BIN, ['access-table', '--json'],
  { encoding: 'utf8' }).stdout).map((r) => [r.action, new Set(r.who)]));

/** Whether the table lets role do act on an object of scope on. */
function allows(act, role, on) {
  const who = RULES[act];
  assert.ok(who, `no rule ${act} in the table`);
  const me = SCOPE[role] ?? {};
  if (who.has('anon') || (who.has('visible') && on.visible) || (who.has('invited') && on.invite)) return true;
  if (role === 'anonymous') return false;
  return who.has('user') ||
    (who.has('owner') && on.owner === role) ||
    (who.has('admin') && !!me.admin) ||
    (who.has('operator') && !!on.agency && me.operator === on.agency) ||
    (who.has('staff') && !!on.cemetery && me.staff === on.cemetery) ||
    (who.has('manager') && !!on.cemetery && me.manager === on.cemetery) ||
    ((who.has('family') || who.has('guest')) && !!on.memorial && me.family === on.memorial);
}

/** A row's expectation from the rule table. */
function derive({ act, on = {}, ok, deny = 403, seen }) {
  const acts = [].concat(act);
  return Object.fromEntries(ROLES.map((role) => {
    if (acts.some((a) => allows(a, role, on))) return [role, ok];
    if (role === 'anonymous') return [role, deny === 404 && on.visible === false ? 404 : 401];
    return [role, seen && allows(seen, role, on) ? 403 : deny];
  }));
}

const everyone = (status) => Object.fromEntries(ROLES.map((r) => [r, status]));
const signedIn = (status) => ({ ...everyone(status), anonymous: 401 });

const ROWS = [
  // system
  { method: 'GET', path: '/healthz', expect: everyone(200) },

  // accounts
  {
    method: 'POST', path: '/api/users',
    body: (ctx) => ({ login: `1390000${String(ctx.n()).padStart(4, '0')}`,
      password: PASSWORD, display_name: '新用户' }),
    expect: everyone(202),
  },
  {
    method: 'POST', path: '/api/session',
    body: { login: LOGIN.signin, password: PASSWORD }, expect: everyone(200),
  },
  { method: 'GET', path: '/api/me', expect: signedIn(200) },
  {
    method: 'PUT', path: '/api/me/password', fresh: true,
    body: { old_password: PASSWORD, new_password: PASSWORD }, expect: signedIn(204),
  },
  { method: 'DELETE', path: '/api/session', fresh: true, expect: signedIn(204) },
  {
    method: 'GET', path: '/api/users', rule: { act: 'user.list', ok: 200 },
  },
  {
    method: 'GET', path: '/api/users/{mourner}/contact',
    expect: { anonymous: 401, mourner: 403, operator1: 403, operator2: 403,
      staff1: 403, staff2: 403, admin: 200 },
  },
  {
    method: 'POST', path: '/api/users/{target}/grants',
    body: (ctx) => ({ role: 'cemetery_staff', scope_id: ctx.ids.cemetery2 }),
    rule: { act: 'role.grant', ok: 200 },
  },
  {
    method: 'DELETE', path: '/api/users/{target}/grants',
    body: (ctx) => ({ role: 'cemetery_staff', scope_id: ctx.ids.cemetery2 }),
    rule: { act: 'role.grant', ok: 200 },
  },

  // funeral agencies
  { method: 'GET', path: '/api/agencies', expect: everyone(200) },
  { method: 'GET', path: '/api/agencies/{agency1}', expect: everyone(200) },
  {
    method: 'POST', path: '/api/agencies',
    body: (ctx) => ({ name: `殡仪馆 ${ctx.n()}`, region_code: '110105' }),
    rule: { act: 'org.create', ok: 201 },
  },
  {
    method: 'PATCH', path: '/api/agencies/{agency1}',
    body: (ctx) => ({ address: `朝阳区 ${ctx.n()} 号` }),
    rule: { act: 'agency.edit', on: { agency: 1 }, ok: 200 },
  },
  {
    method: 'PATCH', path: '/api/agencies/{agency2}',
    body: (ctx) => ({ address: `海淀区 ${ctx.n()} 号` }),
    rule: { act: 'agency.edit', on: { agency: 2 }, ok: 200 },
  },
  { method: 'GET', path: '/api/agencies/{agency1}/services', expect: everyone(200) },
  {
    method: 'POST', path: '/api/agencies/{agency1}/services',
    body: (ctx) => ({ code: `svc-${ctx.n()}`, name: '守灵', price_cents: 30000 }),
    rule: { act: 'agency.edit', on: { agency: 1 }, ok: 201 },
  },
  {
    method: 'PATCH', path: '/api/services/{agencyService1}',
    body: (ctx) => ({ price_cents: 50000 + ctx.n() }),
    rule: { act: 'agency.edit', on: { agency: 1 }, ok: 200 },
  },
  {
    method: 'POST', path: '/api/agencies/{agency1}/halls',
    body: (ctx) => ({ name: `告别厅 ${ctx.n()}` }),
    expect: { anonymous: 401, mourner: 403, operator1: 201, operator2: 403,
      staff1: 403, staff2: 403, admin: 201 },
  },
  {
    method: 'POST', path: '/api/agencies/{agency2}/halls',
    body: (ctx) => ({ name: `告别厅 ${ctx.n()}` }),
    rule: { act: 'agency.edit', on: { agency: 2 }, ok: 201 },
  },

  // staff of an organisation: its operators, or its managers (a flag
  // none of the staff roles here hold), invite and revoke
  {
    method: 'GET', path: '/api/agencies/{agency2}/staff',
    rule: { act: 'staff.manage', on: { agency: 2 }, ok: 200 },
  },
  {
    method: 'POST', path: '/api/agencies/{agency1}/staff',
    body: (ctx) => ({ login: `1360000${String(ctx.n()).padStart(4, '0')}` }),
    rule: { act: 'staff.manage', on: { agency: 1 }, ok: 202 },
  },
  {
    method: 'POST', path: '/api/cemeteries/{cemetery1}/staff',
    body: (ctx) => ({ login: `1360001${String(ctx.n()).padStart(4, '0')}`, manager: true }),
    rule: { act: 'staff.manage', on: { cemetery: 1 }, ok: 202 },
  },
  {
    method: 'DELETE', path: '/api/cemeteries/{cemetery2}/staff/{mourner}',
    rule: { act: 'staff.manage', on: { cemetery: 2 }, ok: 404 },
  },
  { method: 'GET', path: '/api/me/staff-invitations', expect: signedIn(200) },

  // cemeteries
  { method: 'GET', path: '/api/cemeteries', expect: everyone(200) },
  { method: 'GET', path: '/api/cemeteries/{cemetery1}', expect: everyone(200) },
  {
    method: 'POST', path: '/api/cemeteries',
    body: (ctx) => ({ name: `公墓 ${ctx.n()}`, region_code: '370102' }),
    rule: { act: 'org.create', ok: 201 },
  },
  {
    method: 'PATCH', path: '/api/cemeteries/{cemetery1}',
    body: (ctx) => ({ address: `历下区 ${ctx.n()} 号` }),
    rule: { act: 'cemetery.edit', on: { cemetery: 1 }, ok: 200 },
  },
  {
    method: 'PATCH', path: '/api/cemeteries/{cemetery2}',
    body: (ctx) => ({ address: `市中区 ${ctx.n()} 号` }),
    rule: { act: 'cemetery.edit', on: { cemetery: 2 }, ok: 200 },
  },
  { method: 'GET', path: '/api/cemeteries/{cemetery1}/services', expect: everyone(200) },
  {
    method: 'POST', path: '/api/cemeteries/{cemetery1}/services',
    body: (ctx) => ({ code: `sweep-${ctx.n()}`, name: '代客祭扫', price_cents: 19900 }),
    rule: { act: 'cemetery.edit', on: { cemetery: 1 }, ok: 201 },
  },
  {
    method: 'PATCH', path: '/api/services/{cemeteryService1}',
    body: (ctx) => ({ description: `含鲜花 ${ctx.n()}` }),
    rule: { act: 'cemetery.edit', on: { cemetery: 1 }, ok: 200 },
  },

  // deceased records, plots, memorials, tributes: deceased1 is agency1's
  // record, buried in plot1 of cemetery1; memorial1 is its public memorial
  // (family1 its family admin); memorial2 is family2's private memorial
  ...memorialRows(),

  // cemetery visits and proxy sweeping (slots, bookings, check-in, orders,
  // ratings) on cemetery1 (plot1, cemeteryService1) and cemetery2
  ...visitRows(),

  // public service information and complaints: complaint1 is the mourner's
  // about cemetery1; family memorials asking for their grave (memorial2)
  { method: 'GET', path: '/api/cemeteries/{cemetery1}/public', expect: everyone(200) },
  {
    method: 'PUT', path: '/api/cemeteries/{cemetery1}/public',
    body: (ctx) => ({ commitments: `承诺 ${ctx.n()}` }),
    rule: { act: 'cemetery.edit', on: { cemetery: 1 }, ok: 200 },
  },
  {
    method: 'PUT', path: '/api/agencies/{agency1}/public',
    body: (ctx) => ({ supervision: `监督 ${ctx.n()}` }),
    rule: { act: 'agency.edit', on: { agency: 1 }, ok: 200 },
  },
  {
    method: 'POST', path: '/api/cemeteries/{cemetery1}/complaints',
    body: (ctx) => ({ text: `投诉 ${ctx.n()}` }),
    rule: { act: 'complaint.send', ok: 201 },
  },
  {
    method: 'GET', path: '/api/cemeteries/{cemetery1}/complaints',
    rule: { act: 'complaint.answer', on: { cemetery: 1 }, ok: 200 },
  },
  {
    method: 'GET', path: '/api/agencies/{agency1}/complaints',
    rule: { act: 'complaint.answer', on: { agency: 1 }, ok: 200 },
  },
  { method: 'GET', path: '/api/complaints', rule: { act: 'complaint.answer', ok: 200 } },
  {
    method: 'GET', path: '/api/complaints/{complaint1}',
    rule: { act: 'complaint.read', on: { cemetery: 1, owner: 'mourner' }, ok: 200, deny: 404 },
  },
  { method: 'GET', path: '/api/me/complaints', expect: signedIn(200) },
  {
    method: 'GET', path: '/api/memorials/{memorial2}/grave-requests',
    rule: { act: 'grave.ask', on: { memorial: 2, visible: false }, ok: 200, deny: 404,
      seen: 'memorial.view' },
  },
  {
    method: 'GET', path: '/api/cemeteries/{cemetery1}/grave-requests',
    rule: { act: 'grave.decide', on: { cemetery: 1 }, ok: 200 },
  },
];

// Rows with a rule take their expectation from the rule table.
for (const row of ROWS) {
  if (row.rule) row.expect = derive(row.rule);
}
// Family admins are mourners wherever a row does not say otherwise.
for (const row of ROWS) {
  for (const f of ['family1', 'family2']) {
    if (!(f in row.expect)) row.expect[f] = row.expect.mourner;
  }
}

function memorialRows() {
  // the roles listed get status; other signed-in roles 403, anonymous 401
  const only = (roles, status) => ({ ...signedIn(403),
    ...Object.fromEntries(roles.map((r) => [r, status])) });
  const agencyRecord = ['operator1', 'admin'];
  // numbers count up: a record or non-public memorial is not found by those
  // with no right of their own on it (anonymous asked to sign in, if given)
  const unseen = (roles, status, anonymous = 401, more = {}) => ({ ...everyone(404), anonymous,
    ...more, ...Object.fromEntries(roles.map((r) => [r, status])) });
  // deceased1: agency1's record in cemetery1, memorial1's deceased
  const record1 = { agency: 1, cemetery: 1, memorial: 1 };
  const memorial1 = { agency: 1, memorial: 1, visible: true };
  return [
    {
      method: 'POST', path: '/api/deceased',
      body: (ctx) => ({ agency_id: ctx.ids.agency1, name: `逝者${ctx.n()}`, death_date: '2026-01-01' }),
      rule: { act: 'deceased.create', on: { agency: 1 }, ok: 201 },
    },
    { method: 'GET', path: '/api/deceased?agency_id={agency1}', expect: only(agencyRecord, 200) },
    {
      method: 'GET', path: '/api/deceased/{deceased1}',
      rule: { act: 'deceased.view', on: record1, ok: 200, deny: 404 },
    },
    {
      method: 'GET', path: '/api/deceased/{deceased1}?reveal=1',
      rule: { act: 'pii.view', on: record1, ok: 200, deny: 404, seen: 'deceased.view' },
    },
    {
      method: 'POST', path: '/api/deceased/{deceased1}/events',
      body: { kind: 'ashes_stored', at: '2026-01-03T10:00:00+08:00', place: '寄存处' },
      rule: { act: 'deceased.edit', on: record1, ok: 201, deny: 404, seen: 'deceased.view' },
    },
    {
      method: 'PUT', path: '/api/deceased/{deceased1}/burial',
      body: (ctx) => ({ plot_id: ctx.ids.plot1 }),
      rule: { act: 'burial.link', on: record1, ok: 200, deny: 404, seen: 'deceased.view' },
    },
    {
      method: 'GET', path: '/api/deceased/{deceased1}/qr.svg',
      rule: { act: 'deceased.edit', on: record1, ok: 200, deny: 404, seen: 'deceased.view' },
    },
    {
      method: 'POST', path: '/api/cemeteries/{cemetery1}/plots',
      body: (ctx) => ({ section: 'N', row: '1', number: `${ctx.n()}`, kind: 'niche' }),
      rule: { act: 'plot.edit', on: { cemetery: 1 }, ok: 201 },
    },
    { method: 'GET', path: '/api/cemeteries/{cemetery1}/plots', expect: everyone(200) },
    { method: 'GET', path: '/api/plots/{plot1}', expect: everyone(200) },
    {
      method: 'PATCH', path: '/api/plots/{plot2}', body: { status: 'reserved' },
      rule: { act: 'plot.edit', on: { cemetery: 1 }, ok: 200 },
    },
    {
      method: 'POST', path: '/api/memorials',
      body: (ctx) => ({ title: `纪念 ${ctx.n()}`,
        deceased: { name: '矩阵丙', death_date: '2026-01-01' } }),
      rule: { act: 'memorial.create', ok: 201 },
    },
    { method: 'GET', path: '/api/memorials?q=矩阵', expect: everyone(200) },
    { method: 'GET', path: '/api/memorials/{memorial1}', expect: everyone(200) },
    {
      method: 'GET', path: '/api/memorials/{memorial2}',
      rule: { act: 'memorial.view', on: { memorial: 2, visible: false }, ok: 200, deny: 404 },
    },
    {
      method: 'GET', path: '/api/memorials/by-slug/{memorial2slug}',
      expect: only(['admin', 'family2'], 200),
    },
    {
      method: 'PATCH', path: '/api/memorials/{memorial1}',
      body: (ctx) => ({ biography: `一生 ${ctx.n()}` }),
      rule: { act: 'memorial.edit', on: memorial1, ok: 200 },
    },
    {
      method: 'GET', path: '/api/memorials/{memorial1}/family',
      expect: only(['operator1', 'admin', 'family1'], 200),
    },
    {
      method: 'POST', path: '/api/memorials/{memorial1}/family',
      body: { login: LOGIN.mourner, role: 'memorial_guest' },
      rule: { act: 'memorial.grant', on: memorial1, ok: 202 },
    },
    {
      method: 'POST', path: '/api/memorials/{memorial1}/tributes',
      body: { kind: 'flower', from_name: '矩阵' }, expect: everyone(201),
    },
    {
      method: 'POST', path: '/api/memorials/{memorial2}/tributes',
      body: { kind: 'candle', from_name: '矩阵' }, expect: unseen(['admin', 'family2'], 201, 404),
    },
    {
      method: 'POST', path: '/api/memorials/{memorial2slug}/tributes',
      body: { kind: 'candle', from_name: '矩阵' }, expect: only(['admin', 'family2'], 201),
    },
    { method: 'GET', path: '/api/memorials/{memorial1}/tributes', expect: everyone(200) },
    {
      method: 'GET', path: '/api/memorials/{memorial1}/tributes?state=pending',
      rule: { act: 'memorial.moderate', on: memorial1, ok: 200 },
    },
    {
      method: 'PATCH', path: '/api/memorials/{memorial1}/messages/{message1}',
      body: { state: 'published' }, expect: only(['admin', 'family1'], 200),
    },
    { method: 'GET', path: '/api/memorials/{memorial1}/qr.svg', expect: everyone(200) },
    {
      method: 'GET', path: '/api/memorials/{memorial2}/qr.svg',
      expect: unseen(['admin', 'family2'], 200, 404),
    },
    { method: 'GET', path: '/api/memorials/{memorial1}/qr.png', expect: everyone(200) },
    {
      method: 'GET', path: '/api/memorials/{memorial2}/qr.png',
      expect: unseen(['admin', 'family2'], 200, 404),
    },
    { method: 'GET', path: '/api/memorials/{memorial1}/card.png', expect: everyone(200) },
    {
      method: 'GET', path: '/api/memorials/{memorial2}/card.png',
      expect: unseen(['admin', 'family2'], 200, 404),
    },
    { method: 'GET', path: '/api/export/deceased?agency_id={agency1}',
      rule: { act: 'deceased.exchange', on: { agency: 1 }, ok: 200 } },
    // burial hand-overs: the agency's list, the cemetery's inbox
    { method: 'GET', path: '/api/agencies/{agency1}/transfers',
      rule: { act: 'transfer.start', on: { agency: 1 }, ok: 200 } },
    { method: 'GET', path: '/api/cemeteries/{cemetery1}/transfers',
      rule: { act: 'transfer.decide', on: { cemetery: 1 }, ok: 200 } },
    // ceremony1: agency1's invite-only farewell, linked to memorial1
    { method: 'GET', path: '/api/ceremonies/{ceremony1}/invites',
      rule: { act: 'ceremony.manage', on: { agency: 1, memorial: 1, visible: false }, ok: 200,
        deny: 404, seen: 'ceremony.watch' } },
    { method: 'GET', path: '/api/ceremonies/{ceremony1}',
      rule: { act: 'ceremony.watch', on: { agency: 1, memorial: 1, visible: false }, ok: 200, deny: 404 } },
  ];
}

function visitRows() {
  const only = (roles, status) => ({ ...signedIn(403),
    ...Object.fromEntries(roles.map((r) => [r, status])) });
  // a day of its own for each published slot, far enough ahead
  const day = (n) => new Date(Date.UTC(2031, 0, 1) + n * 86400e3).toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const staff = (k) => [`staff${k}`, 'admin'];
  const ticketScanners = { ...only(['staff1', 'staff2', 'admin'], 404) };
  return [
    { method: 'GET', path: '/api/cemeteries/{cemetery1}/slots', expect: everyone(200) },
    {
      method: 'POST', path: '/api/cemeteries/{cemetery1}/slots',
      body: (ctx) => ({ date: day(ctx.n()), start: '08:00', end: '09:00', capacity: 10 }),
      rule: { act: 'slot.manage', on: { cemetery: 1 }, ok: 201 },
    },
    {
      method: 'POST', path: '/api/cemeteries/{cemetery2}/slots',
      body: (ctx) => ({ slots: [{ date: day(ctx.n()), start: '08:00', end: '09:00', capacity: 5 }] }),
      rule: { act: 'slot.manage', on: { cemetery: 2 }, ok: 201 },
    },
    // no such slot: past the sign-in check, everyone gets the same 404
    {
      method: 'POST', path: '/api/bookings',
      body: (ctx) => ({ slot_id: 999999, plot_id: ctx.ids.plot1, persons: 1,
        contact_phone: '13900000000' }),
      rule: { act: 'booking.create', ok: 404 },
    },
    { method: 'GET', path: '/api/bookings?mine=1', expect: signedIn(200) },
    { method: 'GET', path: '/api/bookings?cemetery_id={cemetery1}',
      rule: { act: 'booking.view', on: { cemetery: 1 }, ok: 200 } },
    { method: 'GET', path: '/api/bookings?cemetery_id={cemetery2}', expect: only(staff(2), 200) },
    // an unknown code: only those who may scan tickets learn it is unknown
    { method: 'POST', path: '/api/checkins', body: { code: '222222222222' }, expect: ticketScanners },
    {
      method: 'POST', path: '/api/sweeping-orders',
      body: (ctx) => ({ plot_id: ctx.ids.plot1, date: tomorrow,
        items: [{ service_id: ctx.ids.cemeteryService1, quantity: 1 }] }),
      rule: { act: 'order.create', ok: 201 },
    },
    { method: 'GET', path: '/api/sweeping-orders?mine=1', expect: signedIn(200) },
    {
      method: 'GET', path: '/api/sweeping-orders?cemetery_id={cemetery1}',
      rule: { act: 'order.staff', on: { cemetery: 1 }, ok: 200 },
    },
    {
      method: 'GET', path: '/api/sweeping-orders?cemetery_id={cemetery2}&state=placed',
      expect: only(staff(2), 200),
    },
    // order1: the mourner's order for plot1 of cemetery1
    { method: 'GET', path: '/api/sweeping-orders/{order1}',
      rule: { act: ['order.family', 'order.staff'], on: { owner: 'mourner', cemetery: 1 }, ok: 200, deny: 404 } },
    // its payment, recorded at the office by the cemetery's staff (the
    // same record again changes nothing); the family sees it but may not
    {
      method: 'POST', path: '/api/sweeping-orders/{order1}/payment',
      body: { state: 'paid', reference: 'R-1' },
      rule: { act: 'order.staff', on: { owner: 'mourner', cemetery: 1 }, ok: 200, deny: 404,
        seen: 'order.family' },
    },
    { method: 'GET', path: '/api/cemeteries/{cemetery1}/payment-settings',
      rule: { act: 'order.staff', on: { cemetery: 1 }, ok: 200 } },
    {
      method: 'PUT', path: '/api/cemeteries/{cemetery2}/payment-settings',
      body: { instructions: '请到陵园办公室付款', pay_later: true },
      rule: { act: 'order.staff', on: { cemetery: 2 }, ok: 200 },
    },
    { method: 'GET', path: '/api/cemeteries/{cemetery1}/rating', expect: everyone(200) },
    { method: 'GET', path: '/api/agencies/{agency1}/rating', expect: everyone(200) },
  ];
}

let d;
const ctx = { ids: {}, tokens: {}, counter: 0 };
ctx.n = () => ++ctx.counter;

async function call(method, path, opts) {
  const r = await api(d, method, path, opts);
  return r;
}

async function signIn(login) {
  const r = await call('POST', '/api/session', { json: { login, password: PASSWORD } });
  assert.equal(r.status, 200, `sign-in ${login}: ${r.text}`);
  return r.json.token;
}

async function asAdmin(method, path, json) {
  const r = await call(method, path, { token: ctx.tokens.admin, json });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

before(async () => {
  d = await startDaemon({
    config: { rate_limit_writes: 100000, rate_limit_logins: 100000, rate_limit_complaints: 100000 },
  });
  // the first admin, as an operator would make one
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', LOGIN.admin, '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(add.status, 0, add.stderr);
  ctx.tokens.admin = await signIn(LOGIN.admin);

  for (const key of ['agency1', 'agency2']) {
    ctx.ids[key] = (await asAdmin('POST', '/api/agencies',
      { name: `${key} 殡仪馆`, region_code: '110105' })).id;
  }
  for (const key of ['cemetery1', 'cemetery2']) {
    ctx.ids[key] = (await asAdmin('POST', '/api/cemeteries',
      { name: `${key} 公墓`, region_code: '370102' })).id;
  }
  ctx.ids.agencyService1 = (await asAdmin('POST', `/api/agencies/${ctx.ids.agency1}/services`,
    { code: 'farewell', name: '告别仪式', price_cents: 80000 })).id;
  ctx.ids.cemeteryService1 = (await asAdmin('POST',
    `/api/cemeteries/${ctx.ids.cemetery1}/services`,
    { code: 'sweep', name: '代客祭扫', price_cents: 19900 })).id;

  const scopes = {
    operator1: ['agency_operator', ctx.ids.agency1],
    operator2: ['agency_operator', ctx.ids.agency2],
    staff1: ['cemetery_staff', ctx.ids.cemetery1],
    staff2: ['cemetery_staff', ctx.ids.cemetery2],
  };
  for (const who of ['mourner', 'operator1', 'operator2', 'staff1', 'staff2', 'target',
    'signin', 'family1', 'family2']) {
    const r = await call('POST', '/api/users', {
      json: { login: LOGIN[who], password: PASSWORD, display_name: who },
    });
    assert.equal(r.status, 202, r.text);
    ctx.tokens[who] = await signIn(LOGIN[who]);
    ctx.ids[who] = (await call('GET', '/api/me', { token: ctx.tokens[who] })).json.user.id;
    if (scopes[who]) {
      const [role, scope] = scopes[who];
      await asAdmin('POST', `/api/users/${ctx.ids[who]}/grants`, { role, scope_id: scope });
    }
  }
  for (const who of ROLES) {
    if (who !== 'anonymous' && who !== 'admin') ctx.tokens[who] = await signIn(LOGIN[who]);
  }
  // the daemon may come with demo data: count what is there before the rows
  ctx.baseline = {
    agencies: (await call('GET', '/api/agencies')).json.agencies.length,
    cemeteries: (await call('GET', '/api/cemeteries')).json.cemeteries.length,
  };
  await memorialSetup();
});

// What the memorial rows act on (see memorialRows).
async function memorialSetup() {
  const { ids } = ctx;
  ids.deceased1 = (await asAdmin('POST', '/api/deceased',
    { agency_id: ids.agency1, name: '矩阵甲', death_date: '2026-01-01' })).id;
  for (const [kind, at] of [['registered', '2026-01-01T10:00:00+08:00'],
    ['cremated', '2026-01-02T10:00:00+08:00']]) {
    await asAdmin('POST', `/api/deceased/${ids.deceased1}/events`, { kind, at });
  }
  for (const n of [1, 2]) {
    ids[`plot${n}`] = (await asAdmin('POST', `/api/cemeteries/${ids.cemetery1}/plots`,
      { section: 'M', row: '1', number: String(n), kind: 'grave' })).id;
  }
  await asAdmin('PUT', `/api/deceased/${ids.deceased1}/burial`, { plot_id: ids.plot1 });
  ids.memorial1 = (await asAdmin('POST', '/api/memorials',
    { title: '矩阵纪念馆', deceased_id: ids.deceased1, visibility: 'public' })).memorial.id;
  await asAdmin('POST', `/api/memorials/${ids.memorial1}/family`,
    { login: LOGIN.family1, role: 'family_admin' });
  const inv = await call('GET', '/api/me/invitations', { token: ctx.tokens.family1 });
  assert.equal(inv.json.invitations.length, 1, inv.text);
  const acc = await call('POST', `/api/invitations/${inv.json.invitations[0].id}/accept`,
    { token: ctx.tokens.family1 });
  assert.equal(acc.status, 200, acc.text);
  const msg = await call('POST', `/api/memorials/${ids.memorial1}/tributes`,
    { token: ctx.tokens.mourner, json: { kind: 'message', text: '想念您' } });
  assert.equal(msg.status, 201, msg.text);
  ids.message1 = msg.json.tribute.id;
  const m2 = await call('POST', '/api/memorials', { token: ctx.tokens.family2,
    json: { title: '家人的纪念', visibility: 'private',
      deceased: { name: '矩阵乙', death_date: '2026-01-01' } } });
  assert.equal(m2.status, 201, m2.text);
  ids.memorial2 = m2.json.memorial.id;
  ids.memorial2slug = m2.json.memorial.slug;
  const tomorrow = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const order = await call('POST', '/api/sweeping-orders', { token: ctx.tokens.mourner,
    json: { plot_id: ids.plot1, date: tomorrow,
      items: [{ service_id: ids.cemeteryService1, quantity: 1 }] } });
  assert.equal(order.status, 201, order.text);
  ids.order1 = order.json.order?.id ?? order.json.id;
  const complaint = await call('POST', `/api/cemeteries/${ids.cemetery1}/complaints`,
    { token: ctx.tokens.mourner, json: { text: '矩阵投诉' } });
  assert.equal(complaint.status, 201, complaint.text);
  ids.complaint1 = complaint.json.complaint.id;
  const start = new Date(Date.now() + 48 * 3600e3);
  ids.ceremony1 = (await asAdmin('POST', '/api/ceremonies', {
    agency_id: ids.agency1, memorial_id: ids.memorial1, title: '矩阵告别', deceased_name: '矩阵甲',
    scheduled_start: start.toISOString().replace(/\.\d+Z$/, 'Z'),
    scheduled_end: new Date(start.getTime() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
    visibility: 'invite', source: { kind: 'test' } })).id;
}

after(async () => { await d?.stop(); });

function fill(path) {
  return path.replace(/\{(\w+)\}/g, (_, k) => {
    assert.ok(ctx.ids[k] !== undefined, `no id for {${k}}`);
    return String(ctx.ids[k]);
  });
}

function credentials(mode, token) {
  if (!token) return mode === 'cookie' ? { headers: { origin: d.url } } : {};
  return mode === 'cookie'
    ? { cookie: { sinian_session: token }, headers: { origin: d.url } }
    : { token };
}

async function runRow(mode, row, role) {
  const body = typeof row.body === 'function' ? row.body(ctx) : row.body;
  let token = ctx.tokens[role];
  if (row.fresh && token) token = await signIn(LOGIN[role]);
  const r = await call(row.method, fill(row.path), {
    ...credentials(mode, token),
    ...(body !== undefined ? { json: body } : {}),
  });
  if (row.fresh && token) ctx.tokens[role] = await signIn(LOGIN[role]);
  return r;
}

function table(mode, results) {
  const w = Math.max(...ROWS.map((r) => `${r.method} ${r.path}`.length));
  const cell = (s) => s.padStart(9);
  const lines = [`matrix (${mode}); a cell is got, or got≠want`,
    `${''.padEnd(w)} ${SHORT.map(cell).join('')}`];
  for (const { row, got } of results) {
    const cells = ROLES.map((role) => {
      const g = got[role];
      const want = row.expect[role];
      return cell(g === want ? String(g) : `${g}≠${want}`);
    });
    lines.push(`${`${row.method} ${row.path}`.padEnd(w)} ${cells.join('')}`);
  }
  return lines.join('\n');
}

test('every rule of the table is tried by a row, its expectation derived from the table', () => {
  const tried = new Set(ROWS.filter((r) => r.rule).flatMap((r) => [].concat(r.rule.act)));
  const untried = Object.keys(RULES).filter((a) => !tried.has(a));
  assert.deepEqual(untried, [], 'rules of server/access.c without a row here');
});

test('every row names an expected status for every role', () => {
  for (const row of ROWS) {
    assert.deepEqual(Object.keys(row.expect).sort(), [...ROLES].sort(),
      `${row.method} ${row.path}`);
  }
});

for (const mode of ['bearer', 'cookie']) {
  test(`role matrix with ${mode} credentials`, async () => {
    const results = [];
    const problems = [];
    for (const row of ROWS) {
      const got = {};
      for (const role of ROLES) {
        const r = await runRow(mode, row, role);
        got[role] = r.status;
        if (r.status >= 400) {
          // refusals carry the uniform error body
          const code = r.json?.error?.code;
          if (typeof code !== 'string') {
            problems.push(`${row.method} ${row.path} as ${role}: body ${r.text}`);
          } else if ((r.status === 401 && code !== 'unauthorized') ||
                     (r.status === 403 && code !== 'forbidden')) {
            problems.push(`${row.method} ${row.path} as ${role}: ${r.status} ${code}`);
          }
        }
      }
      results.push({ row, got });
    }
    const wrong = results.filter(({ row, got }) => ROLES.some((r) => got[r] !== row.expect[r]));
    assert.ok(wrong.length === 0 && problems.length === 0,
      `${table(mode, results)}\n${problems.join('\n')}`);
  });
}

test('the matrix changed only what the rights allowed', async () => {
  // admin and operator1 patched agency 1's address; the last write wins and
  // is one of theirs, never a refused role's
  const a1 = await call('GET', fill('/api/agencies/{agency1}'));
  assert.match(a1.json.address, /^朝阳区 \d+ 号$/);
  const halls = a1.json.halls.map((h) => h.name);
  // operator1 and admin, in two modes
  assert.equal(halls.length, 4, halls.join());
  const a2 = await call('GET', fill('/api/agencies/{agency2}'));
  assert.equal(a2.json.halls.length, 4);
  const s1 = await call('GET', fill('/api/agencies/{agency1}/services'));
  // the setup's item plus operator1 and admin in two modes
  assert.equal(s1.json.services.length, 5);
  const c1 = await call('GET', fill('/api/cemeteries/{cemetery1}/services'));
  assert.equal(c1.json.services.length, 5);
  // admin created one of each in each mode; nobody else could
  const agencies = await call('GET', '/api/agencies');
  assert.equal(agencies.json.agencies.length, ctx.baseline.agencies + 2);
  const cemeteries = await call('GET', '/api/cemeteries');
  assert.equal(cemeteries.json.cemeteries.length, ctx.baseline.cemeteries + 2);
  // the target user ends with no grant
  const users = await call('GET', '/api/users', { token: ctx.tokens.admin });
  const target = users.json.users.find((u) => u.id === ctx.ids.target);
  assert.deepEqual(target.roles, []);
});
