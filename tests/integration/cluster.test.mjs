// Two sinian nodes on one real redis-server (and one data dir, as several
// nodes on one machine share their SQLite file): a tribute posted on node A
// reaches a WebSocket watcher on node B within 200 ms, once; 1000
// concurrent tributes spread over both nodes reach both nodes' watchers
// once each, in the same order, and both nodes report the same counts;
// a tribute on node B sees a memorial held or made private on node A;
// write rate limits are shared (5 a minute over two nodes: the 6th is
// 429); /healthz says degraded (200) while Redis is dead and ok once it is
// back; killing redis-server under a tribute load fails no request with a
// 5xx, every 201 is in SQLite, and live events flow again after a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api, wsConnect, BIN } from '../lib/daemon.mjs';
import { startRedis } from '../lib/redis.mjs';

const PASSWORD = 'evergreen cypress 1949';
const ADMIN = 'admin@example.org';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let redis;
const dirs = [];
const nodes = [];
let A;
let B;
let token;
let demo; // the demo memorial's id

/** Start a node on dataDir with Redis; remembered for after(). */
async function node(dataDir, config) {
  const d = await startDaemon({
    dataDir,
    // 1000 concurrent tributes, all from 127.0.0.1
    config: { demo: 'false', rate_limit_writes: 100000,
      max_connections_per_address: 0, ...config },
  });
  nodes.push(d);
  return d;
}

async function sharedDir() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-cluster-'));
  dirs.push(dir);
  return dir;
}

function addAdmin(d) {
  const r = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', ADMIN, '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, r.stderr);
}

async function signIn(d) {
  const r = await api(d, 'POST', '/api/session', { json: { login: ADMIN, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

/** Poll /healthz until its body is want (200 every time). */
async function healthIs(d, want, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await api(d, 'GET', '/healthz');
    assert.equal(last.status, 200, last.text);
    const { disk, ...rest } = last.json; // the disk's free space moves
    assert.equal(disk?.status, 'ok', last.text);
    if (JSON.stringify(rest) === JSON.stringify(want)) return;
    await sleep(50);
  }
  assert.fail(`/healthz is ${last.text}, want ${JSON.stringify(want)}`);
}

/** A WebSocket on d following topic. Waits a moment after the answer, for
 *  the node's own SUBSCRIBE to reach Redis. */
async function watch(d, topic) {
  const ws = await wsConnect(d);
  ws.send({ subscribe: topic });
  await ws.next((m) => m.subscribed === topic);
  await sleep(100);
  return ws;
}

function tribute(d, from, kind = 'flower') {
  return api(d, 'POST', `/api/memorials/${demo}/tributes`,
    { token, json: { kind, from_name: from } });
}

async function counts(d) {
  const r = await api(d, 'GET', '/api/memorials/by-slug/demo');
  assert.equal(r.status, 200, r.text);
  return r.json.counts;
}

function sqlCount(dir, memorialId) {
  return Number(execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dir, 'sinian.db'),
    `SELECT count(*) FROM tributes WHERE memorial_id = ${memorialId}`], { encoding: 'utf8' }).trim());
}

/** Run jobs (async functions) with at most n at once; resolves with their results. */
async function pool(jobs, n) {
  const out = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

before(async () => {
  redis = await startRedis();
  const dir = await sharedDir();
  A = await node(dir, { redis_url: redis.url, demo: 'true' });
  B = await node(dir, { redis_url: redis.url });
  addAdmin(A);
  token = await signIn(A);
  const r = await api(B, 'GET', '/api/memorials/by-slug/demo'); // B reads A's store
  assert.equal(r.status, 200, r.text);
  demo = r.json.memorial.id;
  await healthIs(A, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
  await healthIs(B, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
});

after(async () => {
  for (const d of nodes) await d.stop({ keep: true });
  if (redis) await redis.stop();
  for (const dir of dirs) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.conf`, { force: true });
  }
});

test('a tribute posted on node A reaches a watcher on node B within 200 ms, once', async () => {
  const topic = `memorial:${demo}`;
  const onB = await watch(B, topic);
  const onA = await watch(A, topic);
  assert.equal((await tribute(A, '第一位来客')).status, 201); // warm-up
  const times = [];
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const posted = tribute(A, `远方的外孙${i}`);
    const ev = await onB.next((m) => m.event?.tribute?.from_name === `远方的外孙${i}`, 2000);
    times.push(performance.now() - t0);
    const r = await posted;
    assert.equal(r.status, 201, r.text);
    assert.equal(ev.topic, topic);
    assert.equal(ev.event.type, 'tribute');
    assert.equal(ev.event.tribute.id, r.json.tribute.id);
    ids.push(r.json.tribute.id);
  }
  console.log(`# node A -> node B, from POST to the watcher's message: ${
    times.map((t) => t.toFixed(1)).join(', ')} ms`);
  // the median: one hiccup of a shared machine (seen: 350 ms at load 14)
  // is not the path between nodes (bench/ws_fanout.mjs measures it)
  const median = [...times].sort((x, y) => x - y)[2];
  assert.ok(median < 200, `took ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
  await sleep(300); // no second copy on either node
  for (const ws of [onA, onB]) {
    for (const id of ids) {
      assert.equal(ws.messages.filter((m) => m.event?.tribute?.id === id).length, 1);
    }
    ws.ws.close();
  }
  const m = await api(A, 'GET', '/metrics');
  assert.match(m.text, /^sinian_redis_up 1$/m);
  assert.match(m.text, /^sinian_bus_backend_redis 1$/m);
  // a loaded machine (sanitizer builds) may see a watchdog reconnect
  assert.match(m.text, /^sinian_redis_reconnects_total \d+$/m);
});

test('a memorial turned private on node A cuts its followers on node B', async () => {
  const m = await api(A, 'POST', '/api/memorials', { token, json: { title: '集群纪念',
    visibility: 'public', deceased: { name: '节点', death_date: '2026-01-01' } } });
  assert.equal(m.status, 201, m.text);
  const topic = `memorial:${m.json.memorial.id}`;
  const onB = await watch(B, topic);
  const p = await api(A, 'PATCH', `/api/memorials/${m.json.memorial.id}`,
    { token, json: { visibility: 'private' } });
  assert.equal(p.status, 200, p.text);
  const cut = await onB.next((x) => x.error && x.error.topic === topic, 3000);
  // by number a private memorial no longer exists for an anonymous follower
  assert.equal(cut.error.code, 'not_found');
  await onB.close();
});

test('a tribute on node B sees a change made on node A: held, then private', async () => {
  const m = await api(A, 'POST', '/api/memorials', { token, json: { title: '集群留言',
    visibility: 'public', moderation: 'publish',
    deceased: { name: '远方', death_date: '2026-01-02' } } });
  assert.equal(m.status, 201, m.text);
  const id = m.json.memorial.id;
  const topic = `memorial:${id}`;
  const p = `/api/memorials/${id}/tributes`;
  const msg = { kind: 'message', from_name: '远方的学生', text: '想念您' };
  // the admin's watcher on B is not cut: it hears each change B hears
  const onB = await wsConnect(B, '/ws', { token });
  onB.send({ subscribe: topic });
  await onB.next((x) => x.subscribed === topic);
  await sleep(100);
  const changed = async (json) => {
    const r = await api(A, 'PATCH', `/api/memorials/${id}`, { token, json });
    assert.equal(r.status, 200, r.text);
    await onB.next((x) => x.event?.type === 'memorial_changed', 3000);
  };
  // B reads the memorial's facts, then finds them kept
  for (let i = 0; i < 2; i++) {
    const r = await api(B, 'POST', p, { json: msg });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.tribute.state, 'published');
  }
  await changed({ moderation: 'hold' });
  for (let i = 0; i < 2; i++) {
    const r = await api(B, 'POST', p, { json: msg });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.tribute.state, 'pending');
  }
  await changed({ visibility: 'private' });
  const missing = await api(B, 'POST', '/api/memorials/99999/tributes', { json: msg });
  for (let i = 0; i < 2; i++) {
    const r = await api(B, 'POST', p, { json: msg });
    assert.equal(r.status, 404, r.text);
    assert.deepEqual(r.json, missing.json);
  }
  const own = await api(B, 'POST', p, { token, json: { kind: 'flower' } });
  assert.equal(own.status, 201, own.text);
  await onB.close();
});

test('1000 concurrent tributes over both nodes: every watcher sees each once, in one order, and counts agree', async () => {
  const topic = `memorial:${demo}`;
  const onA = await watch(A, topic);
  const onB = await watch(B, topic);
  const before0 = await counts(A);
  const N = 1000;
  const t0 = performance.now();
  const res = await pool(Array.from({ length: N }, (_, i) =>
    () => tribute(i % 2 ? B : A, `来客${i}`, i % 3 ? 'flower' : 'candle')), 32);
  const postMs = performance.now() - t0;
  assert.deepEqual([...new Set(res.map((r) => r.status))], [201]);
  const ids = new Set(res.map((r) => r.json.tribute.id));
  const seen = (ws) => ws.messages.filter((m) => m.event?.type === 'tribute' && ids.has(m.event.tribute.id));
  const deadline = Date.now() + 10000;
  while ((seen(onA).length < N || seen(onB).length < N) && Date.now() < deadline) await sleep(50);
  await sleep(200);
  const a = seen(onA).map((m) => m.event.tribute.id);
  const b = seen(onB).map((m) => m.event.tribute.id);
  console.log(`# ${N} tributes in ${postMs.toFixed(0)} ms; watcher on A saw ${a.length}, on B ${b.length}`);
  assert.equal(a.length, N);
  assert.equal(b.length, N);
  assert.equal(new Set(a).size, N);
  assert.deepEqual(a, b); // one order per topic, on every node
  const ca = await counts(A);
  const cb = await counts(B);
  assert.deepEqual(ca, cb);
  assert.equal(ca.total, before0.total + N);
  onA.ws.close();
  onB.ws.close();
});

test('write rate limits are shared: 5 a minute over two nodes, the 6th is 429', async () => {
  // a pair of its own, on Redis database 1 (its user ids restart at 1)
  const dir = await sharedDir();
  const url = `${redis.url}/1`;
  const P = await node(dir, { redis_url: url, rate_limit_writes: 5 });
  const Q = await node(dir, { redis_url: url, rate_limit_writes: 5 });
  addAdmin(P);
  const r0 = await api(P, 'POST', '/api/session', { json: { login: ADMIN, password: PASSWORD } });
  assert.equal(r0.status, 200, r0.text);
  const tok = r0.json.token;
  const codes = [];
  let last;
  for (let i = 0; i < 6; i++) {
    last = await api(i % 2 ? Q : P, 'POST', '/api/agencies',
      { token: tok, json: { name: `示范殡仪馆${i}`, region_code: '110107' } });
    codes.push(last.status);
  }
  assert.deepEqual(codes, [201, 201, 201, 201, 201, 429], codes.join(' '));
  assert.equal(last.json.error.code, 'rate_limited');
  assert.ok(Number(last.headers.get('retry-after')) >= 1);
  assert.ok(Number(last.headers.get('retry-after')) <= 12);
  const m = await api(Q, 'GET', '/metrics');
  assert.match(m.text, /^sinian_ratelimit_redis_answered_total [1-9]/m);
});

test('/healthz is degraded (200) while Redis is dead, ok when it is back; events flow again', async () => {
  await redis.kill();
  await healthIs(A, { status: 'degraded', media: { status: 'ok' }, redis: 'down' }, 3000);
  await healthIs(B, { status: 'degraded', media: { status: 'ok' }, redis: 'down' }, 3000);
  const m = await api(A, 'GET', '/metrics');
  assert.match(m.text, /^sinian_redis_up 0$/m);
  // writes keep working, watchers on the same node keep seeing them
  const topic = `memorial:${demo}`;
  const local = await watch(A, topic);
  const r = await tribute(A, '停电时的来客');
  assert.equal(r.status, 201, r.text);
  await local.next((x) => x.event?.tribute?.id === r.json.tribute.id, 2000);
  await redis.start();
  await healthIs(A, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
  await healthIs(B, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
  const onB = await watch(B, topic);
  const t0 = performance.now();
  const r2 = await tribute(A, '恢复后的来客');
  assert.equal(r2.status, 201, r2.text);
  await onB.next((x) => x.event?.tribute?.id === r2.json.tribute.id, 2000);
  console.log(`# after the restart: A -> B in ${(performance.now() - t0).toFixed(1)} ms`);
  const m2 = await api(B, 'GET', '/metrics');
  const rec = Number(/^sinian_redis_reconnects_total (\d+)$/m.exec(m2.text)?.[1]);
  assert.ok(rec >= 1, `reconnects counted after the restart: ${rec}`);
  local.ws.close();
  onB.ws.close();
});

test('killing redis-server under a tribute load: no 5xx, every 201 is in SQLite, events flow after', async () => {
  const dir = A.dataDir;
  const before0 = sqlCount(dir, demo);
  const N = 400;
  let done = 0;
  const jobs = Array.from({ length: N }, (_, i) => async () => {
    const r = await tribute(i % 2 ? B : A, `风雨中的来客${i}`);
    done++;
    return { status: r.status, id: r.json?.tribute?.id };
  });
  const load = pool(jobs, 16);
  while (done < N / 4) await sleep(5);
  await redis.kill();
  const killedAt = done;
  const res = await load;
  const statuses = res.map((r) => r.status);
  const bad = statuses.filter((s) => s >= 500);
  console.log(`# redis killed after ${killedAt} of ${N} tributes; statuses: ` +
    JSON.stringify(Object.fromEntries([...new Set(statuses)].map((s) =>
      [s, statuses.filter((x) => x === s).length]))));
  assert.deepEqual(bad, []);
  const created = res.filter((r) => r.status === 201).length;
  assert.equal(created, N); // the write limits fell back to each node
  assert.equal(sqlCount(dir, demo), before0 + created);
  await redis.start();
  await healthIs(A, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
  await healthIs(B, { status: 'ok', media: { status: 'ok' }, redis: 'up' });
  const onA = await watch(A, `memorial:${demo}`);
  const r = await tribute(B, '雨停了');
  assert.equal(r.status, 201, r.text);
  await onA.next((x) => x.event?.tribute?.id === r.json.tribute.id, 2000);
  onA.ws.close();
});
