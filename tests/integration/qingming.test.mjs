// Qingming morning on one node: tributes grouped into shared commits keep
// the durability promise under kill -9 at full speed; memorial pages kept
// in memory answer with an ETag (304 on If-None-Match) and are dropped by
// a tribute or an edit, on the node that took it and, through Redis, on
// another; a public page may be kept by a shared cache (a real nginx in
// front), a private one never, nor with a public Cache-Control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api, BIN } from '../lib/daemon.mjs';
import { startNginx } from '../lib/nginx.mjs';
import { startRedis } from '../lib/redis.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Writes are limited per client; these tests post as one loopback client.
// a crowd, all from 127.0.0.1
const BUSY = { rate_limit_writes: 1000000, max_connections_per_address: 0 };

async function demoMemorial(d) {
  const r = await api(d, 'GET', '/api/memorials/by-slug/demo');
  assert.equal(r.status, 200, r.text);
  return r.json.memorial.id;
}

test('kill -9 under full-speed tributes: every acknowledged one is kept', async () => {
  const a = await startDaemon({ config: BUSY });
  const m = await demoMemorial(a);
  const acked = [];
  const errors = [];
  let stop = false;
  let sent = 0;
  // 64 clients, each posting its next tribute as soon as the last is answered
  async function client(n) {
    for (let i = 0; !stop; i++) {
      sent++;
      try {
        const r = await api(a, 'POST', `/api/memorials/${m}/tributes`,
          { json: { kind: 'incense', from_name: `c${n}-${i}` }, timeoutMs: 10000 });
        if (r.status === 201) acked.push(r.json.tribute.id);
        else errors.push(`${r.status} ${r.text}`);
      } catch {
        return; // the daemon died under this request: never acknowledged
      }
    }
  }
  const clients = Array.from({ length: 64 }, (_, n) => client(n));
  while (acked.length < 2000) await sleep(20);
  const e = await a.kill9();
  stop = true;
  await Promise.all(clients);
  assert.equal(e.signal, 'SIGKILL');
  assert.deepEqual(errors, []);

  const b = await startDaemon({ dataDir: a.dataDir, config: BUSY });
  try {
    const db = path.join(a.dataDir, 'sinian.db');
    const stored = new Set(sqlite(db, `SELECT id FROM tributes WHERE memorial_id = ${m}`)
      .split('\n').filter(Boolean).map(Number));
    const missing = acked.filter((id) => !stored.has(id));
    console.log(`kill -9 under load: ${sent} sent, ${acked.length} acknowledged, ` +
                `${stored.size} stored, ${missing.length} acknowledged but missing`);
    assert.deepEqual(missing, []);
    // the counts were committed with the tributes: they agree
    const page = await api(b, 'GET', `/api/memorials/${m}`);
    assert.equal(page.status, 200);
    assert.equal(page.json.counts.total, Number(sqlite(db,
      `SELECT count(*) FROM tributes WHERE memorial_id = ${m} AND state = 'published'`)));
    assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok');
    // and the daemon takes tributes again
    const r = await api(b, 'POST', `/api/memorials/${m}/tributes`,
      { json: { kind: 'flower', from_name: '清明' } });
    assert.equal(r.status, 201, r.text);
  } finally {
    await b.stop();
  }
});

const PASSWORD = 'pine wind on the hill 1936';

function addAdmin(d, login) {
  const r = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', login, '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, r.stderr);
}

async function signIn(d, login) {
  const r = await api(d, 'POST', '/api/session', { json: { login, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function metric(d, name) {
  const r = await api(d, 'GET', '/metrics');
  const line = r.text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

test('memorial pages: ETag and 304, dropped by a tribute and by an edit', async () => {
  const d = await startDaemon({ config: BUSY });
  try {
    addAdmin(d, 'family@example.org');
    const token = await signIn(d, 'family@example.org');
    const m = await demoMemorial(d);
    const p = `/api/memorials/${m}`;
    const first = await api(d, 'GET', p);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{16}-[0-9a-f]{8}(-gz|-br)?"$/);
    assert.equal(first.headers.get('cache-control'), 'public, max-age=5');
    assert.match(first.headers.get('vary'), /^Cookie, Authorization(, Accept-Encoding)?$/);
    assert.equal(first.json.viewer.signed_in, false);
    // the same bytes again, from memory, by id and by slug
    const hits0 = await metric(d, 'sinian_pagecache_hits_total');
    const again = await api(d, 'GET', p);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('etag'), etag);
    const bySlug = await api(d, 'GET', '/api/memorials/by-slug/demo');
    assert.equal(bySlug.text, first.text);
    assert.equal(await metric(d, 'sinian_pagecache_hits_total'), hits0 + 2);
    // If-None-Match: 304, no body, the same validators
    const nm = await api(d, 'GET', p, { headers: { 'if-none-match': etag } });
    assert.equal(nm.status, 304);
    assert.equal(nm.text, '');
    assert.equal(nm.headers.get('etag'), etag);
    assert.equal(nm.headers.get('cache-control'), 'public, max-age=5');
    const listed = await api(d, 'GET', p, { headers: { 'if-none-match': `"x", W/${etag}` } });
    assert.equal(listed.status, 304);

    // a tribute: the next read shows it, under a new ETag
    const t = await api(d, 'POST', `${p}/tributes`, { json: { kind: 'candle', from_name: '孙女' } });
    assert.equal(t.status, 201, t.text);
    const after = await api(d, 'GET', p, { headers: { 'if-none-match': etag } });
    assert.equal(after.status, 200);
    assert.equal(after.json.counts.total, first.json.counts.total + 1);
    assert.equal(after.json.counts.total, t.json.counts.total);
    assert.equal(after.json.recent[0].id, t.json.tribute.id);
    assert.notEqual(after.headers.get('etag'), etag);
    assert.equal(after.json.memorial.title, first.json.memorial.title);

    // an edit: the page shows it at once
    const e = await api(d, 'PATCH', p, { token, json: { title: '李秀英老师千古' } });
    assert.equal(e.status, 200, e.text);
    const edited = await api(d, 'GET', p);
    assert.equal(edited.json.memorial.title, '李秀英老师千古');

    // a signed-in visitor gets their own rights, never a shared copy
    const own = await api(d, 'GET', p, { token });
    assert.equal(own.status, 200);
    assert.equal(own.json.viewer.signed_in, true);
    assert.equal(own.json.viewer.can_edit, true);
    assert.equal(own.headers.get('cache-control'), 'private, no-cache');
    assert.notEqual(own.headers.get('etag'), edited.headers.get('etag'));
    const own304 = await api(d, 'GET', p, { token, headers: { 'if-none-match': own.headers.get('etag') } });
    assert.equal(own304.status, 304);
    // the anonymous ETag does not answer for the signed-in page
    const cross = await api(d, 'GET', p, { token, headers: { 'if-none-match': edited.headers.get('etag') } });
    assert.equal(cross.status, 200);
    assert.equal(cross.json.viewer.signed_in, true);
    assert.equal((await api(d, 'GET', '/api/memorials/999999')).status, 404);
  } finally {
    await d.stop();
  }
});

test('a change on node A drops the page node B keeps (Redis)', async () => {
  const redis = await startRedis();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-pages-'));
  const config = { ...BUSY, redis_url: redis.url };
  const A = await startDaemon({ dataDir: dir, config });
  const B = await startDaemon({ dataDir: dir, config: { ...config, demo: 'false' } });
  try {
    addAdmin(A, 'family@example.org');
    const token = await signIn(A, 'family@example.org');
    const m = await demoMemorial(A);
    const p = `/api/memorials/${m}`;
    // B keeps the page once its subscription is confirmed by Redis
    const deadline = Date.now() + 10000;
    let kept = false;
    while (!kept) {
      assert.ok(Date.now() < deadline, 'node B keeps the page');
      await api(B, 'GET', p);
      const h0 = await metric(B, 'sinian_pagecache_hits_total');
      await api(B, 'GET', p);
      kept = (await metric(B, 'sinian_pagecache_hits_total')) > h0;
    }
    const before = await api(B, 'GET', p);
    // a tribute on A: B's next reads show it (it never expires by time)
    const t = await api(A, 'POST', `${p}/tributes`, { json: { kind: 'flower', from_name: '外孙' } });
    assert.equal(t.status, 201, t.text);
    await until(async () => (await api(B, 'GET', p)).json.counts.total === t.json.counts.total,
      'B shows the tribute posted on A');
    const after = await api(B, 'GET', p);
    assert.equal(after.json.recent[0].id, t.json.tribute.id);
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
    // an edit on A
    const e = await api(A, 'PATCH', p, { token, json: { biography: '桃李满天下。' } });
    assert.equal(e.status, 200, e.text);
    await until(async () => (await api(B, 'GET', p)).json.memorial.biography === '桃李满天下。',
      'B shows the edit made on A');
    // B dropped the page rather than waiting for time to pass
    assert.ok(await metric(B, 'sinian_pagecache_drops_total') >= 2);
  } finally {
    await B.stop();
    await A.stop({ keep: true });
    await fsp.rm(dir, { recursive: true, force: true });
    await redis.stop();
  }
});

async function until(fn, what, limitMs = 5000) {
  const deadline = Date.now() + limitMs;
  while (!(await fn())) {
    assert.ok(Date.now() < deadline, what);
    await sleep(20);
  }
}

test('a shared cache keeps public pages, never a private one', async () => {
  const d = await startDaemon({ config: BUSY });
  const n = await startNginx({ upstream: d.port });
  try {
    addAdmin(d, 'family@example.org');
    const token = await signIn(d, 'family@example.org');
    const get = (p, headers = {}) => fetch(`${n.url}${p}`, { headers });
    // public, anonymous: nginx answers the second request itself
    const pub = `/api/memorials/${await demoMemorial(d)}`;
    assert.equal((await get(pub)).headers.get('x-cache'), 'MISS');
    const hit = await get(pub);
    assert.equal(hit.headers.get('x-cache'), 'HIT');
    assert.equal((await hit.json()).viewer.signed_in, false);

    for (const visibility of ['private', 'unlisted']) {
      const c = await api(d, 'POST', '/api/memorials', {
        token,
        json: { title: `${visibility} 纪念`, visibility, deceased: { name: '王德明', death_date: '2025-03-01' } },
      });
      assert.equal(c.status, 201, c.text);
      const p = `/api/memorials/${c.json.memorial.id}`;
      const auth = { authorization: `Bearer ${token}` };
      for (let i = 0; i < 3; i++) {
        const r = await get(p, auth);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('cache-control'), 'private, no-cache');
        assert.notEqual(r.headers.get('x-cache'), 'HIT', `${visibility} served from the shared cache`);
        assert.equal((await r.json()).viewer.can_edit, true);
      }
      // by number, a hidden memorial does not exist for a stranger
      const anon = await get(p);
      assert.notEqual(anon.headers.get('x-cache'), 'HIT');
      assert.equal(anon.status, 404);
      const bySlug = `/api/memorials/by-slug/${c.json.memorial.slug}`;
      const slugged = await get(bySlug);
      assert.notEqual(slugged.headers.get('x-cache'), 'HIT');
      if (visibility === 'private') {
        assert.equal(slugged.status, 401);
      } else {
        // unlisted: anyone with the link, but no shared cache keeps it
        assert.equal(slugged.status, 200);
        assert.equal(slugged.headers.get('cache-control'), 'private, no-cache');
        assert.notEqual((await get(bySlug)).headers.get('x-cache'), 'HIT');
      }
      // and straight from the daemon, conditional or not
      const direct = await api(d, 'GET', p, { token });
      assert.equal(direct.headers.get('cache-control'), 'private, no-cache');
      const again = await api(d, 'GET', p, { token, headers: { 'if-none-match': direct.headers.get('etag') } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('cache-control'), 'private, no-cache');
    }
  } finally {
    await n.stop();
    await d.stop();
  }
});
