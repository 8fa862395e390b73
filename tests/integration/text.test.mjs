// Every free-text field of every entity, with text that takes 4 bytes a
// character (emoji) and 3 (CJK), at its limit and one character over.
//
// The fields come from the daemon's one table (`sinian text-limits`,
// server/textlimit.c): at the limit the request succeeds and the text comes
// back whole where people read it; over the limit it is a 400 naming the
// field, and nothing was stored. Each entity has a driver below that
// creates one and reads the field back; a field of the table without a
// driver fails the test, so a new field cannot be forgotten.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, BIN, REPO } from '../lib/daemon.mjs';

const PASSWORD = 'lotus pond by moonlight';
const EMOJI = '🌸'; // U+1F338, 4 bytes in UTF-8
const CJK = '念'; // 3 bytes
const PNG = fs.readFileSync(path.join(REPO, 'tests/data/images/gray_4x3.png'));

let d;
let n = 0;
const ids = {};
let admin;

const fresh = () => ++n;
const tomorrow = () => new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);

async function as(token, method, p, opts = {}) {
  return api(d, method, p, { token, ...opts });
}

async function ok(method, p, json, token = admin) {
  const r = await as(token, method, p, { json });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

// A driver: make(key, value) sends the one request that stores the field and
// returns { res, read }, read() giving the value as people read it back.
const DRIVERS = {
  user: async (key, value) => {
    const login = `1591000${String(fresh()).padStart(4, '0')}`;
    const res = await api(d, 'POST', '/api/users',
      { json: { login, password: PASSWORD, display_name: value } });
    return {
      res,
      read: async () => {
        // the account signs in and reads its name back
        const s = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
        assert.equal(s.status, 200, s.text);
        const me = await as(s.json.token, 'GET', '/api/me');
        assert.equal(me.status, 200, me.text);
        assert.equal(s.json.user[key], me.json.user[key]);
        return me.json.user[key];
      },
      // refused: the login stays free, and signs up afterwards
      gone: async () => {
        const again = await api(d, 'POST', '/api/users',
          { json: { login, password: PASSWORD, display_name: 'ok' } });
        assert.equal(again.status, 202, again.text);
        const s = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
        assert.equal(s.json?.user?.display_name, 'ok', s.text);
      },
    };
  },
  org: async (key, value) => {
    const body = { name: `机构 ${fresh()}`, region_code: '110105', [key]: value };
    const res = await as(admin, 'POST', '/api/agencies', { json: body });
    return {
      res,
      read: async () => {
        const list = (await ok('GET', '/api/agencies')).agencies;
        const one = list.find((o) => o.id === res.json.id);
        assert.ok(one, 'the agency is listed');
        return one[key];
      },
    };
  },
  service: async (key, value) => {
    const body = { code: `c${fresh()}`, name: '鲜花', price_cents: 100, [key]: value };
    const res = await as(admin, 'POST', `/api/agencies/${ids.agency}/services`, { json: body });
    return {
      res,
      read: async () => {
        const list = (await ok('GET', `/api/agencies/${ids.agency}/services`)).services;
        const one = list.find((s) => s.id === res.json.id);
        assert.ok(one, 'the service is on the public fee list');
        return one[key];
      },
    };
  },
  hall: async (key, value) => {
    const res = await as(admin, 'POST', `/api/agencies/${ids.agency}/halls`,
      { json: { [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/agencies/${ids.agency}`)).halls
        .find((h) => h.id === res.json.id)[key],
    };
  },
  ceremony: async (key, value) => {
    const body = { agency_id: ids.agency, title: '告别仪式', deceased_name: '王', ...ceremonyTimes(),
      visibility: 'public', source: { kind: 'whip' }, [key]: value };
    const res = await as(admin, 'POST', '/api/ceremonies', { json: body });
    if (res.status === 201) assert.match(res.json.stream_key, /^[A-Za-z0-9_-]{20,}$/);
    return { res, read: async () => (await ok('GET', `/api/ceremonies/${res.json.id}`))[key] };
  },
  invite: async (key, value) => {
    const res = await as(admin, 'POST', `/api/ceremonies/${ids.ceremony}/invites`,
      { json: { [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/ceremonies/${ids.ceremony}/invites`)).invites
        .find((i) => i.id === res.json.id)[key],
    };
  },
  condolence: async (key, value) => {
    // condolences have a small budget per person: take turns
    const res = await as(mourners[fresh() % mourners.length], 'POST',
      `/api/ceremonies/${ids.ceremony}/condolences`,
      { json: { from_name: '外孙', text: '一路走好', [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/ceremonies/${ids.ceremony}/condolences`)).messages
        .find((m) => m.id === res.json.id)[key],
    };
  },
  deceased: async (key, value) => {
    const res = await as(admin, 'POST', '/api/deceased', { json: {
      agency_id: ids.agency, name: '张三', death_date: '2026-01-01', [key]: value } });
    return { res, read: async () => (await ok('GET', `/api/deceased/${res.json.id}`))[key] };
  },
  event: async (key, value) => {
    const rec = await ok('POST', '/api/deceased',
      { agency_id: ids.agency, name: '李四', death_date: '2026-01-01' });
    const res = await as(admin, 'POST', `/api/deceased/${rec.id}/events`,
      { json: { kind: 'registered', at: '2026-01-02T09:00:00+08:00', [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/deceased/${rec.id}`)).events[0][key],
    };
  },
  plot: async (key, value) => {
    const body = { section: 'A', row: '1', number: String(fresh()), kind: 'grave', [key]: value };
    const res = await as(admin, 'POST', `/api/cemeteries/${ids.cemetery}/plots`, { json: body });
    return { res, read: async () => (await ok('GET', `/api/plots/${res.json.id}`))[key] };
  },
  memorial: async (key, value) => {
    const res = await as(admin, 'POST', '/api/memorials', { json: {
      title: '纪念', visibility: 'public', deceased: { name: '赵五', death_date: '2026-01-01' },
      [key]: value } });
    return {
      res,
      read: async () => {
        const page = await ok('GET', `/api/memorials/by-slug/${res.json.memorial.slug}`);
        // what only editors see is in their own part of the page
        return key in page.memorial ? page.memorial[key] : page.viewer[key];
      },
    };
  },
  photo: async (key, value) => {
    const res = await as(admin, 'POST',
      `/api/memorials/${ids.memorial}/photos?${key}=${encodeURIComponent(value)}`,
      { body: PNG, headers: { 'content-type': 'image/png' } });
    return {
      res,
      read: async () => (await ok('GET', `/api/memorials/by-slug/${ids.memorialSlug}`)).photos
        .find((p) => p.id === res.json.photo.id)[key],
    };
  },
  tribute: async (key, value) => {
    const res = await as(admin, 'POST', `/api/memorials/${ids.memorial}/tributes`,
      { json: { kind: 'message', from_name: '孙女', text: '想念', [key]: value } });
    return {
      res,
      read: async () => {
        const page = await ok('GET', `/api/memorials/by-slug/${ids.memorialSlug}`);
        const t = page.messages.find((m) => m.id === res.json.tribute.id);
        assert.ok(t, 'the message is on the page');
        return t[key];
      },
    };
  },
  order: async (key, value) => {
    const res = await as(admin, 'POST', '/api/sweeping-orders', { json: {
      plot_id: ids.plot, date: tomorrow(), items: [{ service_id: ids.sweep }], [key]: value } });
    return { res, read: async () => (await ok('GET', `/api/sweeping-orders/${res.json.id}`))[key] };
  },
  move: async (key, value) => {
    const order = await placeOrder();
    // a note goes with any move, a reason with a refusal
    const res = await as(admin, 'POST', `/api/sweeping-orders/${order}/transitions`,
      { json: key === 'reason' ? { to: 'rejected', reason: value } : { to: 'accepted', note: value } });
    return {
      res,
      read: async () => {
        const o = await ok('GET', `/api/sweeping-orders/${order}`);
        return key === 'reason' ? o.reason : o.events.at(-1).note;
      },
    };
  },
  rating: async (key, value) => {
    const order = await placeOrder();
    const base = `/api/sweeping-orders/${order}`;
    await ok('POST', `${base}/transitions`, { to: 'accepted' });
    await ok('POST', `${base}/payment`, { state: 'paid', reference: 'R-1' });
    const proof = await as(admin, 'POST', `${base}/proof`,
      { body: PNG, headers: { 'content-type': 'image/png' } });
    assert.equal(proof.status, 201, proof.text);
    for (const to of ['in_progress', 'completed', 'confirmed']) {
      await ok('POST', `${base}/transitions`, { to });
    }
    const res = await as(admin, 'POST', `${base}/rating`, { json: { stars: 5, [key]: value } });
    return { res, read: async () => (await ok('GET', base)).rating[key] };
  },
  org_public: async (key, value) => {
    const res = await as(admin, 'PUT', `/api/agencies/${ids.agency}/public`,
      { json: { [key]: value } });
    return {
      res,
      read: async () => (await api(d, 'GET', `/api/agencies/${ids.agency}/public`)).json.public[key],
    };
  },
  complaint: async (key, value) => {
    const json = key === 'text' ? { text: value } : { text: '投诉', [key]: value };
    const res = await api(d, 'POST', `/api/cemeteries/${ids.cemetery}/complaints`, { json });
    return {
      res,
      // the sender reads the text back; the contact only those who answer
      read: async () => (key === 'text'
        ? (await api(d, 'GET', `/api/complaints/${res.json.complaint.id}?token=${res.json.token}`))
          .json.complaint.text
        : (await ok('GET', `/api/complaints/${res.json.complaint.id}`)).complaint[key]),
    };
  },
  complaint_answer: async (key, value) => {
    const c = (await api(d, 'POST', `/api/cemeteries/${ids.cemetery}/complaints`,
      { json: { text: '投诉' } })).json;
    const res = await as(admin, 'POST', `/api/complaints/${c.complaint.id}/answer`,
      { json: { [key]: value } });
    return {
      res,
      read: async () => (await api(d, 'GET', `/api/complaints/${c.complaint.id}?token=${c.token}`))
        .json.complaint[key],
    };
  },
  grave: async (key, value) => {
    const m = (await ok('POST', '/api/memorials', { title: '墓位', deceased: { name: '墓', death_date: '2026-01-01' } }))
      .memorial;
    const res = await as(admin, 'POST', `/api/memorials/${m.id}/grave-requests`,
      { json: { cemetery_id: ids.cemetery, section: 'S', number: '1', [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/memorials/${m.id}/grave-requests`)).grave_requests[0][key],
    };
  },
  grave_refusal: async (key, value) => {
    const m = (await ok('POST', '/api/memorials', { title: '墓位', deceased: { name: '墓', death_date: '2026-01-01' } }))
      .memorial;
    const g = (await ok('POST', `/api/memorials/${m.id}/grave-requests`,
      { cemetery_id: ids.cemetery, section: 'S', number: '1' })).grave_request;
    const res = await as(admin, 'POST', `/api/grave-requests/${g.id}/refuse`, { json: { [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/memorials/${m.id}/grave-requests`)).grave_requests[0][key],
    };
  },
  payment: async (key, value) => {
    if (key === 'instructions') {
      const res = await as(admin, 'PUT', `/api/cemeteries/${ids.cemetery}/payment-settings`,
        { json: { instructions: value } });
      return {
        res,
        read: async () => {
          // families read the text on their order
          const order = await placeOrder();
          return (await ok('GET', `/api/sweeping-orders/${order}`)).payment.instructions;
        },
      };
    }
    const order = await placeOrder();
    const res = await as(admin, 'POST', `/api/sweeping-orders/${order}/payment`,
      { json: { state: 'paid', [key]: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/sweeping-orders/${order}`)).payment.paid[key],
    };
  },
  transfer: async (key, value) => {
    const rec = await ok('POST', '/api/deceased',
      { agency_id: ids.agency, name: '钱六', death_date: '2026-01-01' });
    if (key === 'note') {
      const res = await as(admin, 'POST', `/api/deceased/${rec.id}/transfers`,
        { json: { cemetery_id: ids.cemetery, note: value } });
      return {
        res,
        read: async () => (await ok('GET', `/api/transfers/${res.json.transfer.id}`))
          .transfer.note,
      };
    }
    if (key === 'relative_name') {
      const res = await as(admin, 'POST', `/api/deceased/${rec.id}/transfers`,
        { json: { cemetery_id: ids.cemetery, relative_name: value } });
      return {
        res,
        read: async () => (await ok('GET', `/api/transfers/${res.json.transfer.id}`))
          .transfer.relative?.name ?? '',
      };
    }
    const t = await ok('POST', `/api/deceased/${rec.id}/transfers`, { cemetery_id: ids.cemetery });
    const res = await as(admin, 'POST', `/api/transfers/${t.transfer.id}/decline`,
      { json: { reason: value } });
    return {
      res,
      read: async () => (await ok('GET', `/api/transfers/${t.transfer.id}`)).transfer.reason,
    };
  },
};

function ceremonyTimes() {
  const start = new Date(Date.now() + 86400e3);
  start.setUTCSeconds(0, 0);
  const end = new Date(start.getTime() + 3600e3);
  const iso = (t) => t.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { scheduled_start: iso(start), scheduled_end: iso(end) };
}

async function placeOrder() {
  return (await ok('POST', '/api/sweeping-orders', {
    plot_id: ids.plot, date: tomorrow(), items: [{ service_id: ids.sweep }] })).id;
}

let fields;
const mourners = [];

before(async () => {
  const out = spawnSync(BIN, ['text-limits'], { encoding: 'utf8', env: process.env });
  assert.equal(out.status, 0, out.stderr);
  fields = JSON.parse(out.stdout);
  d = await startDaemon({ config: { rate_limit_writes: 100000, rate_limit_logins: 100000,
    rate_limit_complaints: 100000 } });
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', '15900000001', '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(add.status, 0, add.stderr);
  admin = (await api(d, 'POST', '/api/session',
    { json: { login: '15900000001', password: PASSWORD } })).json.token;
  ids.agency = (await ok('POST', '/api/agencies', { name: '文字殡仪馆', region_code: '110105' })).id;
  ids.cemetery = (await ok('POST', '/api/cemeteries', { name: '文字陵园', region_code: '110105' })).id;
  ids.plot = (await ok('POST', `/api/cemeteries/${ids.cemetery}/plots`,
    { section: 'S', row: '1', number: '1', kind: 'grave' })).id;
  ids.sweep = (await ok('POST', `/api/cemeteries/${ids.cemetery}/services`,
    { code: 'sweep', name: '代客祭扫', price_cents: 9900 })).id;
  ids.ceremony = (await ok('POST', '/api/ceremonies', { agency_id: ids.agency, title: '仪式',
    deceased_name: '王', ...ceremonyTimes(), visibility: 'public',
    source: { kind: 'whip' } })).id;
  const m = (await ok('POST', '/api/memorials', { title: '文字纪念馆', visibility: 'public',
    moderation: 'publish', deceased: { name: '周七', death_date: '2026-01-01' } })).memorial;
  ids.memorial = m.id;
  ids.memorialSlug = m.slug;
  for (let i = 0; i < 4; i++) {
    const login = `1592000000${i}`;
    await ok('POST', '/api/users', { login, password: PASSWORD, display_name: `吊唁人${i}` });
    mourners.push((await api(d, 'POST', '/api/session',
      { json: { login, password: PASSWORD } })).json.token);
  }
});

after(async () => { await d?.stop(); });

test('the table lists the fields the audit found broken', () => {
  const has = (e, k) => fields.some((f) => f.entity === e && f.key === k);
  assert.ok(has('user', 'display_name'));
  assert.ok(has('ceremony', 'title'));
  assert.ok(has('condolence', 'from_name'));
  assert.ok(has('service', 'description'));
  for (const f of fields) {
    assert.ok(f.max >= 1 && f.min <= f.max, JSON.stringify(f));
  }
});

test('every field has a driver', () => {
  const missing = fields.filter((f) => !DRIVERS[f.entity]).map((f) => `${f.entity}.${f.key}`);
  assert.deepEqual(missing, [], 'add a driver to tests/integration/text.test.mjs');
});

test('every field keeps emoji and CJK whole at its limit and refuses one more', async () => {
  const problems = [];
  for (const f of fields) {
    const name = `${f.entity}.${f.key} (max ${f.max})`;
    for (const [what, ch] of [['emoji', EMOJI], ['CJK', CJK]]) {
      const value = ch.repeat(f.max);
      const { res, read } = await DRIVERS[f.entity](f.key, value);
      if (res.status >= 300) {
        problems.push(`${name} ${what} at the limit: ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      const got = await read();
      if (got !== value) {
        problems.push(`${name} ${what} at the limit came back as ${JSON.stringify(got)?.slice(0, 80)}`);
      }
    }
    const over = EMOJI.repeat(f.max + 1);
    const { res, gone } = await DRIVERS[f.entity](f.key, over);
    if (res.status !== 400 || res.json?.error?.code !== 'invalid' ||
        !res.json.error.message.includes(f.key)) {
      problems.push(`${name} one over: ${res.status} ${res.text.slice(0, 200)}`);
    } else if (gone) {
      await gone();
    }
  }
  assert.deepEqual(problems, []);
});

test('the audit\'s cases: sign-in after a 43-character name, a condolence of a long sender', async () => {
  const login = '15911112222';
  const r = await api(d, 'POST', '/api/users',
    { json: { login, password: PASSWORD, display_name: '思'.repeat(43) } });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 2; i++) {
    const s = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.user.display_name, '思'.repeat(43));
  }
  const c = await ok('POST', `/api/ceremonies/${ids.ceremony}/condolences`,
    { from_name: EMOJI.repeat(40), text: '安息' }, mourners[0]);
  const list = (await ok('GET', `/api/ceremonies/${ids.ceremony}/condolences`)).messages;
  assert.ok(list.some((m) => m.id === c.id && m.from_name === EMOJI.repeat(40)));
});
