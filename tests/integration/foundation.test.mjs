// The foundation against the real binary: health, Prometheus metrics, error
// bodies (404/405/413/400), static files (types, ETag/304, ranges, traversal),
// security headers, the /ws protocol, graceful shutdown with WebSocket close
// 1001, command-line and config-file errors (exit 2 naming file:line:key),
// and a restart after kill -9 on the same data dir.
//
// The hub refuses topics of a kind no module registered, so the WebSocket
// tests follow public ceremonies made through the API by an admin the CLI
// creates; a condolence posted to one of them is the event that travels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api, wsConnect, BIN, REPO } from '../lib/daemon.mjs';

const MAX_BODY = 2048;
const HTTP_THREADS = 3; // whatever the machine's CPUs
const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:|LeakSanitizer/;

let d; // shared daemon, max_body_bytes = MAX_BODY
let cer; // ids of public ceremonies on d: topics anyone may follow

before(async () => {
  d = await startDaemon({ config: { max_body_bytes: MAX_BODY, rate_limit_writes: 1000, http_threads: HTTP_THREADS } });
  cer = await publicCeremonies(d, 33);
});

after(async () => {
  if (d) await d.stop();
});

// ---------- helpers ----------

/** A request with the path sent exactly as given (fetch would normalise
 *  "/../"). Resolves with { status, headers (lower-case object), body }. */
function rawRequest(dm, method, rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: dm.port, method, path: rawPath, headers,
      agent: false, timeout: 10000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${rawPath}`)));
    req.on('error', reject);
    req.end();
  });
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)(?: -?\\d+)?$`);
const VALUE_RE = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)$/;
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

function unescapeLabel(v) {
  return v.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));
}

/**
 * Parse Prometheus text format 0.0.4 strictly enough to catch a broken
 * exposition: every line is HELP, TYPE or a sample; every sample belongs to
 * a family whose TYPE came before it; HELP and TYPE appear once per family.
 * Returns { types: Map name -> type, samples: [{ name, labels, value }] }.
 */
function parseMetrics(text) {
  assert.ok(text.endsWith('\n'), 'exposition must end with a newline');
  const types = new Map();
  const helps = new Set();
  const samples = [];
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.startsWith('#')) {
      let m;
      if ((m = HELP_RE.exec(line))) {
        assert.ok(!helps.has(m[1]), `second HELP for ${m[1]} (${where})`);
        assert.ok(m[2].length > 0, `empty HELP (${where})`);
        helps.add(m[1]);
      } else if ((m = TYPE_RE.exec(line))) {
        assert.ok(!types.has(m[1]), `second TYPE for ${m[1]} (${where})`);
        types.set(m[1], m[2]);
      } else {
        assert.match(line, /^# (?!HELP |TYPE )/, `malformed HELP/TYPE (${where})`);
      }
      continue;
    }
    assert.notEqual(line, '', `empty line (${where})`);
    const m = SAMPLE_RE.exec(line);
    assert.ok(m, `not a sample "name{labels} value" (${where})`);
    assert.match(m[3], VALUE_RE, `bad value (${where})`);
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        assert.ok(!(lm[1] in labels), `label ${lm[1]} twice (${where})`);
        labels[lm[1]] = unescapeLabel(lm[2]);
      }
    }
    const name = m[1];
    const hist = name.match(/^(.*)_(bucket|sum|count)$/);
    const family = types.has(name) ? name
      : hist && types.get(hist[1]) === 'histogram' ? hist[1] : null;
    assert.ok(family, `sample ${name} has no TYPE before it (${where})`);
    if (types.get(family) === 'histogram') {
      assert.ok(hist, `histogram ${family} sample must be _bucket/_sum/_count (${where})`);
      if (hist[2] === 'bucket') assert.ok('le' in labels, `bucket without le (${where})`);
    }
    samples.push({ name, labels, value: Number(m[3].replace(/^\+?Inf$/, 'Infinity')) });
  }
  return { types, samples };
}

/** Value of the one sample matching name and (a subset of) labels, or undefined. */
function sampleValue(parsed, name, labels = {}) {
  const found = parsed.samples.filter((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${found.length} samples for ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(dm) {
  const r = await api(dm, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parseMetrics(r.text);
}

function assertErrorBody(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(r.json, `body is JSON: ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['error']);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message']);
  assert.equal(r.json.error.code, code);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
}

function assertSecurityHeaders(headers, what) {
  const get = (n) => (typeof headers.get === 'function' ? headers.get(n) : headers[n]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP default-src`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(csp, /object-src 'none'/, `${what}: CSP object-src`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.ok(get('referrer-policy'), `${what}: no Referrer-Policy`);
  assert.equal(get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
}

/** Run the binary to completion (no daemon start expected). */
function runBin(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 20000, ...opts });
  assert.ok(!r.error, `cannot run ${BIN}: ${r.error?.message}`);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.ok(!SANITIZER_RE.test(out), `sanitizer report:\n${out}`);
  return r;
}

function schemaMaxVersion() {
  const files = fs.readdirSync(path.join(REPO, 'schema')).filter((f) => /^\d+_.*\.sql$/.test(f));
  assert.ok(files.length > 0);
  return Math.max(...files.map((f) => parseInt(f, 10)));
}

function sqlite(dbFile, sql) {
  const r = spawnSync('sqlite3', [dbFile, sql], { encoding: 'utf8', timeout: 10000 });
  assert.ok(!r.error, `sqlite3: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** An admin made with the operator CLI beside the running daemon, signed
 *  in; resolves with a bearer token. Once per daemon. */
async function adminToken(dm) {
  const login = 'admin@example.com';
  const password = 'foundation-pass-1';
  const r = runBin(['--data-dir', dm.dataDir, 'user', 'add', '--login', login,
    '--role', 'admin', '--password-stdin'], { input: `${password}\n` });
  assert.equal(r.status, 0, `sinian user add: ${r.stderr}`);
  const s = await api(dm, 'POST', '/api/session', { json: { login, password } });
  assert.equal(s.status, 200, `sign-in: ${s.text}`);
  assert.ok(s.json.token);
  return s.json.token;
}

/** n public ceremonies on dm; resolves with their ids. */
async function publicCeremonies(dm, n) {
  const token = await adminToken(dm);
  const a = await api(dm, 'POST', '/api/agencies', {
    token, json: { name: '思念测试殡仪馆', region_code: '110101' },
  });
  assert.equal(a.status, 201, `agency: ${a.text}`);
  const ids = [];
  for (let i = 0; i < n; i++) {
    const c = await api(dm, 'POST', '/api/ceremonies', {
      token,
      json: {
        agency_id: a.json.id, title: `告别仪式 ${i}`, deceased_name: '张三',
        scheduled_start: '2030-04-04T09:00:00Z', scheduled_end: '2030-04-04T10:00:00Z',
        visibility: 'public',
      },
    });
    assert.equal(c.status, 201, `ceremony: ${c.text}`);
    ids.push(c.json.id);
  }
  return ids;
}

/** Post a condolence to ceremony id: the one thing that publishes an event
 *  anonymously. */
async function condolence(dm, id, text) {
  const r = await api(dm, 'POST', `/api/ceremonies/${id}/condolences`, {
    json: { from_name: '李四', text },
  });
  assert.equal(r.status, 201, `condolence: ${r.text}`);
}

/** Wait until the server has answered everything sent on ws so far. */
async function roundTrip(ws) {
  ws.send({ ping: 1 });
  await ws.next((m) => m.pong === 1);
}

async function tmpDir(prefix) {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

// ---------- health and metrics ----------

test('GET /healthz answers 200 {"status":"ok","media":{"status":"ok"},"disk":{…"status":"ok"}}', async () => {
  const r = await api(d, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const { disk, ...rest } = r.json;
  assert.deepEqual(rest, { status: 'ok', media: { status: 'ok' } });
  assert.equal(disk.status, 'ok');
  assert.ok(disk.free_mb >= disk.min_mb);
  assertSecurityHeaders(r.headers, 'healthz');

  const h = await api(d, 'HEAD', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.text, '');
  assert.equal(h.headers.get('content-length'), String(r.text.length));
});

test('/metrics is valid Prometheus text and counts what happens', async () => {
  const m0 = await scrape(d);
  const key = { method: 'GET', route: '/healthz', status: '200' };
  const before0 = sampleValue(m0, 'sinian_http_requests_total', key) ?? 0;
  const count0 = sampleValue(m0, 'sinian_http_request_duration_seconds_count',
    { route: '/healthz' }) ?? 0;
  const queries0 = sampleValue(m0, 'sinian_store_queries_total');

  const N = 5;
  for (let i = 0; i < N; i++) assert.equal((await api(d, 'GET', '/healthz')).status, 200);
  await api(d, 'GET', '/api/nope');

  const m = await scrape(d);
  assert.equal(m.types.get('sinian_http_requests_total'), 'counter');
  assert.equal(m.types.get('sinian_http_request_duration_seconds'), 'histogram');
  assert.equal(sampleValue(m, 'sinian_http_requests_total', key), before0 + N);
  assert.ok(sampleValue(m, 'sinian_http_requests_total',
    { method: 'GET', status: '404' }) >= 1, 'the 404 is counted');

  // the histogram for /healthz: cumulative buckets, +Inf == count
  const buckets = m.samples
    .filter((s) => s.name === 'sinian_http_request_duration_seconds_bucket' &&
                   s.labels.route === '/healthz');
  assert.ok(buckets.length >= 2, 'buckets for /healthz');
  const les = buckets.map((b) => Number(b.labels.le.replace('+Inf', 'Infinity')));
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(les[i] > les[i - 1], 'le ascending');
    assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets cumulative');
  }
  assert.equal(buckets.at(-1).labels.le, '+Inf');
  const count = sampleValue(m, 'sinian_http_request_duration_seconds_count', { route: '/healthz' });
  assert.equal(buckets.at(-1).value, count);
  assert.equal(count, count0 + N);
  const sum = sampleValue(m, 'sinian_http_request_duration_seconds_sum', { route: '/healthz' });
  assert.ok(sum >= 0 && Number.isFinite(sum));

  // store queries are exported and are a number that does not go down
  assert.ok(queries0 !== undefined, 'sinian_store_queries_total present');
  const queries = sampleValue(m, 'sinian_store_queries_total');
  assert.ok(Number.isFinite(queries) && queries >= queries0);
});

test('sinian_ws_connections follows open WebSockets', async () => {
  const m0 = await scrape(d);
  assert.equal(m0.types.get('sinian_ws_connections'), 'gauge');
  assert.equal(sampleValue(m0, 'sinian_ws_connections'), 0, 'exported before any socket');
  // the memorial page cache follows topics of its own
  const subs0 = sampleValue(m0, 'sinian_bus_subscriptions');

  const a = await wsConnect(d);
  const b = await wsConnect(d);
  // a reply proves the server has seen the connection open
  a.send({ ping: 1 });
  b.send({ subscribe: `ceremony:${cer[0]}` });
  await a.next((m) => m.pong === 1);
  await b.next((m) => m.subscribed === `ceremony:${cer[0]}`);
  let m = await scrape(d);
  assert.equal(sampleValue(m, 'sinian_ws_connections'), 2);
  assert.equal(sampleValue(m, 'sinian_bus_subscriptions'), subs0 + 1);

  await a.close();
  await b.close();
  // the server learns of the close asynchronously
  const deadline = Date.now() + 5000;
  for (;;) {
    m = await scrape(d);
    if (sampleValue(m, 'sinian_ws_connections') === 0) break;
    assert.ok(Date.now() < deadline, 'sinian_ws_connections back to 0');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(sampleValue(m, 'sinian_bus_subscriptions'), subs0);
});

test('connections are shared among the http_threads lws threads, and an event reaches WebSockets on each', async () => {
  const perThread = (m) => Array.from({ length: HTTP_THREADS },
    (_, i) => sampleValue(m, 'sinian_http_connections', { thread: String(i) }));
  const m0 = await scrape(d);
  assert.equal(m0.types.get('sinian_http_connections'), 'gauge');
  assert.equal(sampleValue(m0, 'sinian_http_connections', { thread: String(HTTP_THREADS) }),
    undefined, `exactly ${HTTP_THREADS} threads`);
  const before0 = perThread(m0);
  assert.ok(before0.every((n) => Number.isInteger(n)), `one gauge a thread: ${before0}`);

  // each new connection goes to the thread with the fewest open
  const socks = [];
  try {
    for (let i = 0; i < 3 * HTTP_THREADS; i++) {
      const ws = await wsConnect(d);
      socks.push(ws);
      ws.send({ subscribe: `ceremony:${cer[3]}` });
      await ws.next((m) => m.subscribed === `ceremony:${cer[3]}`);
    }
    const open = perThread(await scrape(d));
    assert.ok(open.every((n) => n >= 3), `every thread took its share: ${open}`);
    assert.ok(Math.max(...open) - Math.min(...open) <= 1 + Math.max(...before0),
      `balanced: ${open}`);

    await condolence(d, cer[3], '每个线程');
    for (const ws of socks) {
      const ev = await ws.next((m) => 'topic' in m);
      assert.equal(ev.event.message.text, '每个线程');
    }
  } finally {
    for (const ws of socks) await ws.close();
  }
  // and each thread counts them out again
  const deadline = Date.now() + 5000;
  for (;;) {
    const now = perThread(await scrape(d));
    if (now.every((n, i) => n <= before0[i] + 1)) break;
    assert.ok(Date.now() < deadline, `connections counted out: ${now} (before ${before0})`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

/** BIN run with the open-file limits soft:hard (bash's ulimit, then
 *  exec: the daemon keeps the pid). */
async function limitedBin(soft, hard) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-nofile-'));
  const f = path.join(dir, 'sinian');
  await fsp.writeFile(f, `#!/bin/bash\nulimit -Sn ${soft} && ulimit -Hn ${hard} && exec "${BIN}" "$@"\n`,
    { mode: 0o755 });
  return f;
}

/** [soft, hard] open-file limits of a process. */
function nofile(pid) {
  const m = fs.readFileSync(`/proc/${pid}/limits`, 'utf8')
    .match(/^Max open files\s+(\S+)\s+(\S+)/m);
  return [m[1], m[2]].map((v) => (v === 'unlimited' ? Infinity : Number(v)));
}

test('the open-file limit is raised to the hard one: 1 100 connections on a soft limit of 1 024', async () => {
  const bin = await limitedBin(1024, 4096);
  const dm = await startDaemon({ bin, config: { max_connections_per_address: 0 } });
  const socks = [];
  try {
    assert.deepEqual(nofile(dm.proc.pid), [4096, 4096]);
    // each connection asks once and stays open
    for (let i = 0; i < 1100; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => new Promise((resolve, reject) => {
        const s = net.connect(dm.port, '127.0.0.1');
        socks.push(s);
        s.on('error', reject);
        s.on('close', () => reject(new Error('closed by the daemon')));
        s.once('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
        s.once('data', (b) => (/^HTTP\/1\.1 200 /.test(b.toString()) ? resolve() : reject(new Error(String(b)))));
      })));
    }
    const m = await scrape(dm);
    const open = m.samples.filter((x) => x.name === 'sinian_http_connections')
      .reduce((a, x) => a + x.value, 0);
    assert.ok(open >= 1100, `${open} connections open`);
  } finally {
    for (const s of socks) { s.removeAllListeners('close'); s.destroy(); }
    await dm.stop();
    await fsp.rm(path.dirname(bin), { recursive: true, force: true });
  }
});

test('the open-file limit is held to 65 536 (lws scans a table that large on every close)', async (t) => {
  // a hard limit above 65 536: this process's, or 100 000 where it may be raised
  const [, hard] = nofile(process.pid);
  const canRaise = spawnSync('bash', ['-c', 'ulimit -Hn 100000']).status === 0;
  if (hard <= 65536 && !canRaise) {
    return t.skip(`the hard open-file limit here is ${hard} and cannot be raised`);
  }
  const lim = hard > 65536 ? hard : 100000;
  const bin = await limitedBin(lim, lim);
  const dm = await startDaemon({ bin });
  try {
    assert.deepEqual(nofile(dm.proc.pid), [65536, lim]);
    assert.equal((await api(dm, 'GET', '/healthz')).status, 200);
  } finally {
    await dm.stop();
    await fsp.rm(path.dirname(bin), { recursive: true, force: true });
  }
});

// ---------- error bodies ----------

test('404 for an unknown API path has the uniform error body', async () => {
  const r = await api(d, 'GET', '/api/nope');
  assertErrorBody(r, 404, 'not_found');
  assertSecurityHeaders(r.headers, '404');
  assertErrorBody(await api(d, 'POST', '/api/nope', { json: {} }), 404, 'not_found');
  assertErrorBody(await api(d, 'GET', '/no-such-page.html'), 404, 'not_found');
  assertErrorBody(await api(d, 'DELETE', '/no-such-thing'), 404, 'not_found');
});

test('405 with an Allow header for a known path and a wrong method', async () => {
  const r = await api(d, 'POST', '/healthz', { json: {} });
  assertErrorBody(r, 405, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'GET');
  assertSecurityHeaders(r.headers, '405');
  const r2 = await api(d, 'DELETE', '/metrics');
  assertErrorBody(r2, 405, 'method_not_allowed');
  assert.equal(r2.headers.get('allow'), 'GET');
});

test('413 for a body over max_body_bytes', async () => {
  // just over the limit: read and refused
  const r = await api(d, 'POST', '/api/session', {
    body: JSON.stringify({ login: 'x'.repeat(MAX_BODY), password: 'y' }),
    headers: { 'content-type': 'application/json' },
  });
  assertErrorBody(r, 413, 'too_large');
  assertSecurityHeaders(r.headers, '413');
  // far over the limit: answered at once, connection closed
  const r2 = await api(d, 'POST', '/api/session', {
    body: 'z'.repeat(MAX_BODY * 8 + 100),
    headers: { 'content-type': 'application/json' },
  });
  assertErrorBody(r2, 413, 'too_large');
  // exactly at the limit is not too large (it is bad JSON: 400)
  const r3 = await api(d, 'POST', '/api/session', {
    body: '{' + ' '.repeat(MAX_BODY - 1),
    headers: { 'content-type': 'application/json' },
  });
  assertErrorBody(r3, 400, 'invalid');
  // the daemon is fine afterwards
  assert.equal((await api(d, 'GET', '/healthz')).status, 200);
});

test('400 for a malformed JSON body', async () => {
  const post = (body) => api(d, 'POST', '/api/session', {
    body, headers: { 'content-type': 'application/json' },
  });
  const r = await post('{"login": ');
  assertErrorBody(r, 400, 'invalid');
  assert.match(r.json.error.message, /JSON/);
  assertSecurityHeaders(r.headers, '400');
  assertErrorBody(await post('[1,2,3]'), 400, 'invalid');
  assertErrorBody(await post('"text"'), 400, 'invalid');
  assertErrorBody(await post('{"login":"a","login":"b"}'), 400, 'invalid');
  const empty = await api(d, 'POST', '/api/session');
  assertErrorBody(empty, 400, 'invalid');
});

// ---------- static files ----------

// Byte-for-byte checks ask for the file as it is (compression: phone.test.mjs).
const IDENTITY = { 'accept-encoding': 'identity' };

test('GET / serves web/index.html with type, validators and caching', async () => {
  const file = await fsp.readFile(path.join(REPO, 'web', 'index.html'));
  const r = await api(d, 'GET', '/', { headers: IDENTITY });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(Buffer.from(r.text).compare(file), 0, 'body is web/index.html');
  assert.equal(r.headers.get('content-length'), String(file.length));
  assert.ok(r.headers.get('cache-control'), 'Cache-Control set');
  assert.ok(r.headers.get('last-modified'), 'Last-Modified set');
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  assertSecurityHeaders(r.headers, 'GET /');
  const etag = r.headers.get('etag');
  assert.match(etag ?? '', /^"[^"]+"$/, 'strong ETag');

  // the same file by name
  const byName = await api(d, 'GET', '/index.html', { headers: IDENTITY });
  assert.equal(byName.status, 200);
  assert.equal(byName.headers.get('etag'), etag);

  // If-None-Match → 304 without a body
  const nm = await api(d, 'GET', '/', { headers: { ...IDENTITY, 'if-none-match': etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  assert.equal(nm.headers.get('etag'), etag);
  assertSecurityHeaders(nm.headers, '304');
  const other = await api(d, 'GET', '/', { headers: { ...IDENTITY, 'if-none-match': '"nope"' } });
  assert.equal(other.status, 200);

  // HEAD: headers only
  const head = await api(d, 'HEAD', '/', { headers: IDENTITY });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('content-length'), String(file.length));
});

test('Range requests: 206 with Content-Range, 416 when unsatisfiable', async () => {
  const file = await fsp.readFile(path.join(REPO, 'web', 'index.html'));
  const size = file.length;
  assert.ok(size > 20);

  const r = await api(d, 'GET', '/index.html', { headers: { range: 'bytes=0-9' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), `bytes 0-9/${size}`);
  assert.equal(r.headers.get('content-length'), '10');
  assert.equal(Buffer.from(r.text).compare(file.subarray(0, 10)), 0);
  assertSecurityHeaders(r.headers, '206');

  const tail = await api(d, 'GET', '/index.html', { headers: { range: 'bytes=-5' } });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), `bytes ${size - 5}-${size - 1}/${size}`);
  assert.equal(Buffer.from(tail.text).compare(file.subarray(size - 5)), 0);

  const from = await api(d, 'GET', '/index.html', { headers: { range: `bytes=${size - 3}-` } });
  assert.equal(from.status, 206);
  assert.equal(from.headers.get('content-length'), '3');

  const bad = await api(d, 'GET', '/index.html', { headers: { range: `bytes=${size}-` } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get('content-range'), `bytes */${size}`);
  assertErrorBody(bad, 416, 'range_not_satisfiable');

  // several ranges are not supported: the whole file
  const multi = await api(d, 'GET', '/index.html', { headers: { range: 'bytes=0-1,4-5' } });
  assert.equal(multi.status, 200);
  assert.equal(multi.headers.get('content-length'), String(size));

  // If-Range with a stale validator: the whole file
  const stale = await api(d, 'GET', '/index.html', {
    headers: { range: 'bytes=0-9', 'if-range': '"stale"' },
  });
  assert.equal(stale.status, 200);
  const etag = r.headers.get('etag');
  const fresh = await api(d, 'GET', '/index.html', {
    headers: { range: 'bytes=0-9', 'if-range': etag },
  });
  assert.equal(fresh.status, 206);
});

test('web files are kept in memory yet follow the disk: a change is served within a second, a removal is 404', async () => {
  const root = await tmpDir('sinian-web-');
  const web = path.join(root, 'web');
  await fsp.mkdir(web, { recursive: true });
  const file = path.join(web, 'app.js');
  await fsp.writeFile(file, 'export const v = 1;\n');
  const w = await startDaemon({ config: { web_dir: web } });
  try {
    const first = await rawRequest(w, 'GET', '/app.js');
    assert.equal(first.status, 200);
    assert.equal(first.body, 'export const v = 1;\n');
    const etag = first.headers.etag;
    // served again from memory: same bytes, same validator, 304 on it
    const again = await rawRequest(w, 'GET', '/app.js');
    assert.equal(again.body, first.body);
    assert.equal(again.headers.etag, etag);
    assert.equal((await rawRequest(w, 'GET', '/app.js', { 'if-none-match': etag })).status, 304);
    // an upgrade in place (new bytes, new size): the new file within a second
    await fsp.writeFile(file, 'export const v = 22;\n');
    let r;
    const until = Date.now() + 3000;
    do {
      await new Promise((res) => setTimeout(res, 200));
      r = await rawRequest(w, 'GET', '/app.js');
    } while (r.body !== 'export const v = 22;\n' && Date.now() < until);
    assert.equal(r.body, 'export const v = 22;\n');
    assert.notEqual(r.headers.etag, etag, 'a changed file gets a new ETag');
    // a range is still cut from the file
    const part = await rawRequest(w, 'GET', '/app.js', { range: 'bytes=7-11' });
    assert.equal(part.status, 206);
    assert.equal(part.body, 'const');
    // removed: gone within a second, as from the disk
    await fsp.unlink(file);
    const until2 = Date.now() + 3000;
    do {
      await new Promise((res) => setTimeout(res, 200));
      r = await rawRequest(w, 'GET', '/app.js');
    } while (r.status !== 404 && Date.now() < until2);
    assert.equal(r.status, 404);
  } finally {
    await w.stop();
    await fsp.rm(root, { recursive: true, force: true });
  }
});

test('static files stay inside web_dir: traversal and hidden files are 404', async () => {
  // a web dir of our own, with a secret beside it and a hidden file in it
  const root = await tmpDir('sinian-web-');
  const web = path.join(root, 'web');
  await fsp.mkdir(path.join(web, 'css'), { recursive: true });
  await fsp.writeFile(path.join(web, 'index.html'), '<!doctype html><title>t</title>\n');
  await fsp.writeFile(path.join(web, 'css', 'a.css'), 'body{}\n');
  await fsp.writeFile(path.join(web, 'app.js'), 'export {};\n');
  await fsp.writeFile(path.join(web, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  await fsp.writeFile(path.join(web, 'blob.bin'), 'x');
  await fsp.writeFile(path.join(web, '.hidden'), 'hidden');
  await fsp.mkdir(path.join(web, '.git'));
  await fsp.writeFile(path.join(web, '.git', 'config'), 'hidden');
  await fsp.writeFile(path.join(root, 'secret.txt'), 'SECRET');
  const w = await startDaemon({ config: { web_dir: web } });
  try {
    const types = {
      '/': 'text/html; charset=utf-8',
      '/css/a.css': 'text/css; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/blob.bin': 'application/octet-stream',
    };
    for (const [p, type] of Object.entries(types)) {
      const r = await rawRequest(w, 'GET', p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], type, p);
    }
    // a page revalidates; an asset may be cached
    assert.equal((await rawRequest(w, 'GET', '/')).headers['cache-control'], 'no-cache');
    assert.match((await rawRequest(w, 'GET', '/css/a.css')).headers['cache-control'], /max-age=\d+/);

    const refused = [
      '/../secret.txt',
      '/css/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/css/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/.hidden',
      '/%2ehidden',
      '/.git/config',
      '/css/../.hidden',
      '/nope.html',
      '/css',
      '/css/',
      '//secret.txt',
    ];
    for (const p of refused) {
      const r = await rawRequest(w, 'GET', p);
      assert.ok(!r.body.includes('SECRET') && r.body !== 'hidden',
        `${p} leaked a file: ${r.body.slice(0, 80)}`);
      assert.equal(r.status, 404, `${p}: status ${r.status}`);
      assert.equal(JSON.parse(r.body).error.code, 'not_found', p);
      assertSecurityHeaders(r.headers, p);
    }
  } finally {
    await w.stop();
    await fsp.rm(root, { recursive: true, force: true });
  }
});

test('security headers are on every kind of response', async () => {
  const cases = [
    ['GET', '/healthz'], ['GET', '/metrics'], ['GET', '/'], ['GET', '/api/nope'],
    ['PUT', '/healthz'], ['GET', '/missing.css'], ['HEAD', '/'],
  ];
  for (const [method, p] of cases) {
    const r = await api(d, method, p);
    assertSecurityHeaders(r.headers, `${method} ${p}`);
  }
});

// ---------- WebSocket ----------

test('WebSocket: subscribe, receive events, unsubscribe, ping and errors', async () => {
  const [A, B] = [`ceremony:${cer[0]}`, `ceremony:${cer[1]}`];
  const subs0 = sampleValue(await scrape(d), 'sinian_bus_subscriptions');
  const ws = await wsConnect(d);
  const other = await wsConnect(d);
  try {
    ws.send({ subscribe: A });
    assert.deepEqual(await ws.next((m) => 'subscribed' in m), { subscribed: A });
    // subscribing twice is harmless
    ws.send({ subscribe: A });
    assert.deepEqual(await ws.next((m) => 'subscribed' in m), { subscribed: A });
    other.send({ subscribe: B });
    assert.deepEqual(await other.next((m) => 'subscribed' in m), { subscribed: B });
    let m = await scrape(d);
    assert.equal(sampleValue(m, 'sinian_bus_subscriptions'), subs0 + 2);

    // an event published on A reaches A's subscriber only
    const published0 = sampleValue(m, 'sinian_bus_published_total');
    await condolence(d, cer[0], '一路走好');
    const ev = await ws.next((x) => 'topic' in x);
    assert.deepEqual(Object.keys(ev).sort(), ['event', 'topic']);
    assert.equal(ev.topic, A);
    assert.equal(ev.event.type, 'condolence');
    assert.equal(JSON.stringify(ev).includes('一路走好'), true);
    await roundTrip(other);
    assert.equal(other.messages.filter((x) => 'topic' in x).length, 0, 'B saw A\'s event');
    m = await scrape(d);
    assert.equal(sampleValue(m, 'sinian_bus_published_total'), published0 + 1);

    ws.send({ ping: 1 });
    assert.deepEqual(await ws.next((x) => 'pong' in x), { pong: 1 });

    const expectError = async (payload, codes, re) => {
      ws.send(payload);
      const e = await ws.next((x) => 'error' in x);
      assert.ok([].concat(codes).includes(e.error.code), JSON.stringify(e));
      assert.equal(typeof e.error.message, 'string');
      if (re) assert.match(e.error.message, re);
    };
    await expectError('this is not json', 'invalid', /JSON/);
    await expectError('{"subscribe": ', 'invalid', /JSON/);
    await expectError('[1,2]', 'invalid');
    await expectError({ subscribe: 'Ceremony 1' }, 'invalid', /topic/);
    await expectError({ subscribe: 'ceremony:' }, 'invalid', /topic/);
    await expectError({ subscribe: 'ceremony:../1' }, 'invalid', /topic/);
    await expectError({ subscribe: `ceremony:${'1'.repeat(200)}` }, 'invalid', /topic/);
    await expectError({ subscribe: 42 }, 'invalid');
    await expectError({ hello: 'there' }, 'invalid');
    // well-formed but refused: a kind nobody serves, a ceremony that is not
    await expectError({ subscribe: 'no_such_kind:1' }, 'forbidden');
    await expectError({ subscribe: 'ceremony:987654' }, ['not_found', 'forbidden']);

    // unsubscribed, the events stop; the connection is still fine
    ws.send({ unsubscribe: A });
    assert.deepEqual(await ws.next((x) => 'unsubscribed' in x), { unsubscribed: A });
    m = await scrape(d);
    assert.equal(sampleValue(m, 'sinian_bus_subscriptions'), subs0 + 1);
    await condolence(d, cer[0], '再见');
    await roundTrip(ws);
    // unsubscribing what it does not follow is silently ignored
    ws.send({ unsubscribe: B });
    await roundTrip(ws);
    // exactly what was asked for arrived: 2 subscribed, 1 event, 3 pongs,
    // 11 errors, 1 unsubscribed
    assert.equal(ws.messages.filter((x) => 'topic' in x).length, 1);
    assert.equal(ws.messages.length, 18);
  } finally {
    await ws.close();
    await other.close();
  }
});

/** One HTTP/1.0 request on a connection of its own, which the server
 *  closes: resolves with the status line, or '' when none came in 5 s. */
function http10(dm, p) {
  return new Promise((resolve) => {
    const s = net.connect(dm.port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => s.destroy(), 5000);
    s.on('connect', () => s.write(`GET ${p} HTTP/1.0\r\nHost: x\r\n\r\n`));
    s.on('data', (c) => (buf += c));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(buf.split('\r\n')[0]);
    });
  });
}

test('HTTP/1.0 clients, a connection each, reuse socket numbers at once: every one is answered, and WebSockets keep their events in order', async () => {
  // an event loop that mishandled a socket number reused right after a
  // close would leave some of these unanswered, or the WebSocket deaf
  const ws = await wsConnect(d);
  try {
    ws.send({ subscribe: `ceremony:${cer[2]}` });
    await ws.next((m) => 'subscribed' in m);
    let answered = 0;
    const failed = [];
    const until = Date.now() + 3000;
    await Promise.all(Array.from({ length: 32 }, async (_, i) => {
      while (Date.now() < until) {
        const line = await http10(d, i % 2 ? '/healthz' : '/js/api.js');
        if (/^HTTP\/1\.[01] 200 /.test(line)) answered++;
        else failed.push(line || '(no answer)');
      }
    }));
    assert.deepEqual(failed, []);
    assert.ok(answered >= 100, `only ${answered} answered in 3 s`);
    // a burst of events reaches the WebSocket whole and in order
    const texts = Array.from({ length: 12 }, (_, i) => `顺序 ${i} ${'念'.repeat(i * 20)}`);
    for (const t of texts) await condolence(d, cer[2], t);
    const got = [];
    while (got.length < texts.length) got.push((await ws.next((m) => 'topic' in m)).event.message.text);
    assert.deepEqual(got, texts);
    const r = await fetch(`${d.url}/healthz`);
    assert.equal(r.status, 200);
  } finally {
    ws.close();
  }
});

test('WebSocket: a connection may hold at most 32 subscriptions', async () => {
  const ws = await wsConnect(d);
  try {
    for (let i = 0; i < 32; i++) ws.send({ subscribe: `ceremony:${cer[i]}` });
    for (let i = 0; i < 32; i++) {
      await ws.next((m) => m.subscribed === `ceremony:${cer[i]}`);
    }
    ws.send({ subscribe: `ceremony:${cer[32]}` });
    const e = await ws.next((m) => 'error' in m);
    assert.equal(e.error.code, 'full');
    // an existing one still answers subscribed
    ws.send({ subscribe: `ceremony:${cer[5]}` });
    await ws.next((m) => m.subscribed === `ceremony:${cer[5]}`);
    // one event, one delivery, even with 32 topics followed
    await condolence(d, cer[7], '怀念');
    const ev = await ws.next((m) => 'topic' in m);
    assert.equal(ev.topic, `ceremony:${cer[7]}`);
    await roundTrip(ws);
    assert.equal(ws.messages.filter((m) => 'topic' in m).length, 1);
  } finally {
    await ws.close();
  }
});

test('WebSocket: only /ws upgrades; oversized messages close with 1009', async () => {
  await assert.rejects(wsConnect(d, '/nope'));
  await assert.rejects(wsConnect(d, '/healthz'));

  const ws = await wsConnect(d);
  ws.send(JSON.stringify({ ping: 'x'.repeat(70000) }));
  const info = await ws.closed;
  assert.equal(info.code, 1009);
  assert.equal((await api(d, 'GET', '/healthz')).status, 200);
});

// ---------- shutdown ----------

test('SIGTERM: open WebSockets get 1001, the daemon exits 0', async () => {
  const s = await startDaemon();
  const [id] = await publicCeremonies(s, 1);
  const ws = await wsConnect(s);
  ws.send({ subscribe: `ceremony:${id}` });
  await ws.next((m) => m.subscribed === `ceremony:${id}`);
  const ws2 = await wsConnect(s);
  ws2.send({ ping: 1 });
  await ws2.next((m) => m.pong === 1);

  const t0 = Date.now();
  const stopped = s.stop({ signal: 'SIGTERM', expectCode: 0 });
  const [c1, c2] = await Promise.all([ws.closed, ws2.closed]);
  assert.equal(c1.code, 1001);
  assert.equal(c2.code, 1001);
  const e = await stopped;
  assert.equal(e.code, 0);
  assert.equal(e.signal, null);
  // closing the sockets let it stop well before the 5 s grace period
  assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
  assert.match(s.log(), /shutting down/);
});

test('SIGINT stops an idle daemon with exit 0', async () => {
  const s = await startDaemon();
  const e = await s.stop({ signal: 'SIGINT', expectCode: 0 });
  assert.equal(e.code, 0);
});

// ---------- command line and config file ----------

test('--version and --help exit 0', () => {
  const v = runBin(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^sinian \d+\.\d+\.\d+\n$/);
  const h = runBin(['--help']);
  assert.equal(h.status, 0);
  for (const opt of ['--config', '--listen', '--data-dir', '--help', '--version']) {
    assert.ok(h.stdout.includes(opt), `--help mentions ${opt}`);
  }
});

test('config errors exit 2 naming file, line and key', async () => {
  const dir = await tmpDir('sinian-conf-');
  try {
    const write = async (name, text) => {
      const p = path.join(dir, name);
      await fsp.writeFile(p, text);
      return p;
    };
    const dataDir = path.join(dir, 'data');
    const cases = [
      ['unknown.conf', '# comment\nlisten = 127.0.0.1:1\n\nno_such_key = 1\n', 4, 'no_such_key'],
      ['badint.conf', 'max_body_bytes = lots\n', 1, 'max_body_bytes'],
      ['range.conf', '\nmax_body_bytes = 10\n', 2, 'max_body_bytes'],
      ['bool.conf', 'demo = perhaps\n', 1, 'demo'],
      ['enum.conf', 'log_level = chatty\n', 1, 'log_level'],
      ['listen.conf', 'listen = nowhere\n', 1, 'listen'],
    ];
    for (const [name, text, line, key] of cases) {
      const file = await write(name, text);
      const r = runBin(['--config', file, '--data-dir', dataDir]);
      assert.equal(r.status, 2, `${name}: exit ${r.status}\n${r.stderr}`);
      assert.ok(r.stderr.includes(`${file}:${line}: ${key}`),
        `${name}: stderr names ${file}:${line}: ${key}\n${r.stderr}`);
    }
    // a line without '=' names its line too
    const noeq = await write('noeq.conf', 'demo = true\njust words\n');
    const r = runBin(['--config', noeq, '--data-dir', dataDir]);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(`${noeq}:2:`), r.stderr);
    // a missing config file
    const missing = runBin(['--config', path.join(dir, 'absent.conf')]);
    assert.equal(missing.status, 2);
    assert.ok(missing.stderr.includes('absent.conf'), missing.stderr);
    // none of these started anything
    assert.ok(!fs.existsSync(dataDir), 'no data dir was created');
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('bad command lines exit 2', () => {
  const unknown = runBin(['--no-such-option']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--no-such-option/);
  const noValue = runBin(['--listen']);
  assert.equal(noValue.status, 2);
  assert.match(noValue.stderr, /--listen/);
  const badListen = runBin(['--listen', 'not-an-address']);
  assert.equal(badListen.status, 2);
  assert.match(badListen.stderr, /listen/);
});

// ---------- durability ----------

test('kill -9 and restart on the same data dir keeps the schema', async () => {
  const want = schemaMaxVersion();
  const a = await startDaemon();
  const db = path.join(a.dataDir, 'sinian.db');
  assert.equal((await api(a, 'GET', '/healthz')).status, 200);
  assert.equal(sqlite(db, 'PRAGMA user_version'), String(want));
  assert.equal(sqlite(db, 'PRAGMA journal_mode'), 'wal');
  const created = sqlite(db, "SELECT value FROM meta WHERE key = 'created_at'");
  assert.ok(created.length > 0);

  const e = await a.kill9();
  assert.equal(e.signal, 'SIGKILL');

  const b = await startDaemon({ dataDir: a.dataDir });
  try {
    const r = await api(b, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual({ ...r.json, disk: undefined }, { status: 'ok', media: { status: 'ok' }, disk: undefined });
    assert.equal(r.json.disk.status, 'ok');
    // migrations were not run again
    assert.equal(sqlite(db, 'PRAGMA user_version'), String(want));
    assert.equal(sqlite(db, "SELECT value FROM meta WHERE key = 'created_at'"), created);
    assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok');
    assert.match(b.log(), /sinian .* listening/);
    assert.doesNotMatch(b.log(), /applied migration/);
  } finally {
    await b.stop();
  }
});
