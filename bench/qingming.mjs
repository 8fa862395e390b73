#!/usr/bin/env node
// qingming.mjs — a Qingming morning against one node: a scripted mix of
// requests at a set rate, with many WebSockets watching their memorials.
//
//   node bench/qingming.mjs [--rate 5000] [--duration 60] [--warmup 5]
//        [--memorials 200] [--watchers 2000] [--json]
//   SINIAN_BIN=build/sinian node bench/qingming.mjs
//
// Starts its own daemon (no media, its log in a file, writes not rate
// limited: every request comes from one loopback address) and makes
// --memorials public memorials with a few tributes each. --watchers
// WebSockets follow a memorial each; memorials are picked by popularity
// (Zipf, s = 1: the first is visited most). Then, open-loop at --rate
// requests per second for --duration seconds (after --warmup seconds not
// counted), each request is one of:
//   page     15 %  GET /m/{slug} (the HTML shell; half revalidate with
//                 If-None-Match, as a browser's second visit does)
//   json     25 %  GET /api/memorials/by-slug/{slug} (a quarter revalidate)
//   static   55 %  GET of one of the page's CSS/JS/SVG files (half
//                 revalidate)
//   tribute   5 %  POST /api/memorials/{id}/tributes (anonymous flower)
// A request's latency is from the moment it was due (not when a free
// connection took it), so a slow server cannot hide its queue; requests
// go over up to 512 keep-alive connections, and GETs accept gzip and br as
// a browser's do. An error is a network error
// or a status other than 2xx/304. Each tribute's live event is timed from
// its POST to every watcher of that memorial; "lost" counts watchers
// that never got one. Prints p50 / p99 / max / errors per kind, the
// achieved rate, the daemon's and the bench's CPU, and the facts to
// record with the figures. Passes nothing.
import net from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { benchDaemon, memorials, facts, pct, sleep, usage } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, '..', 'tests', 'package.json'));
const WebSocket = require('ws');

const args = process.argv.slice(2);
const num = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name}: a number`);
    process.exit(2);
  }
  return v;
};
const RATE = num('rate', 5000);
const DURATION = num('duration', 60);
const WARMUP = num('warmup', 5);
const N_MEMORIALS = Math.max(1, num('memorials', 200));
const N_WATCHERS = num('watchers', 2000);
const AS_JSON = args.includes('--json');
const MAX_CONNS = 512;

const KINDS = [['page', 0.15], ['json', 0.25], ['static', 0.55], ['tribute', 0.05]];
const ASSETS = ['/css/sinian.css', '/css/memorial.css', '/js/memorial.js', '/js/api.js',
  '/js/i18n.js', '/js/live.js', '/js/dom.js', '/js/layout.js', '/js/forms.js',
  '/favicon.svg'];

const now = () => performance.now();

// ---------- popularity ----------

function zipf(n, s = 1) {
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cdf = w.map((x) => (acc += x / total));
  return () => {
    const r = Math.random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
}

// ---------- a lean HTTP/1.1 keep-alive client ----------

class Conn {
  constructor(pool) {
    this.pool = pool;
    this.busy = false;
    this.dead = false;
    this.buf = null;
    this.req = null;
    this.sock = net.connect(pool.port, '127.0.0.1');
    this.sock.setNoDelay(true);
    this.sock.on('data', (d) => this.data(d));
    this.sock.on('error', () => this.fail());
    this.sock.on('close', () => this.fail());
  }

  send(req) {
    this.busy = true;
    this.req = req;
    req.sent = now();
    this.sock.write(req.wire);
  }

  data(chunk) {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const len = cl ? Number(cl[1]) : 0;
      if (this.buf.length < end + 4 + len) return;
      const status = Number(head.slice(9, 12));
      const etag = /\r\netag:\s*([^\r]+)/i.exec(head)?.[1];
      const body = this.buf.subarray(end + 4, end + 4 + len);
      this.buf = this.buf.length > end + 4 + len ? this.buf.subarray(end + 4 + len) : null;
      const req = this.req;
      this.req = null;
      this.busy = false;
      if (/\r\nconnection:\s*close/i.test(head)) this.dead = true;
      if (req) this.pool.done(req, status, etag, body);
      if (this.dead) this.sock.destroy();
      this.pool.idle(this);
      if (!this.buf) return;
    }
  }

  fail() {
    if (this.dead && !this.req) {
      this.pool.gone(this);
      return;
    }
    this.dead = true;
    const req = this.req;
    this.req = null;
    if (req) this.pool.done(req, 0);
    this.pool.gone(this);
  }
}

class Pool {
  constructor(port, onDone) {
    this.port = port;
    this.onDone = onDone;
    this.conns = new Set();
    this.free = [];
    this.queue = [];
  }

  submit(req) {
    let c;
    while ((c = this.free.pop())) {
      if (!c.dead) {
        c.send(req);
        return;
      }
    }
    if (this.conns.size < MAX_CONNS) {
      c = new Conn(this);
      this.conns.add(c);
      c.send(req);
      return;
    }
    this.queue.push(req);
  }

  done(req, status, etag, body) {
    this.onDone(req, status, etag, body);
  }

  idle(c) {
    if (c.dead) return;
    const next = this.queue.shift();
    if (next) c.send(next);
    else this.free.push(c);
  }

  gone(c) {
    this.conns.delete(c);
    const next = this.queue.shift();
    if (next) this.submit(next);
  }

  close() {
    for (const c of this.conns) c.sock.destroy();
  }
}

function wire(method, p, { etag, body } = {}) {
  let h = `${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  // as a browser asks: the compressed copy kept in memory, not the file
  if (method === 'GET') h += 'Accept-Encoding: gzip, deflate, br\r\n';
  if (etag) h += `If-None-Match: ${etag}\r\n`;
  if (body) {
    const b = Buffer.from(body);
    h += `Content-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(h), b]);
  }
  return Buffer.from(`${h}\r\n`);
}

// ---------- watchers ----------

async function openWatchers(d, mems, pick) {
  const url = d.url.replace(/^http/, 'ws') + '/ws';
  const per = new Map(); // memorial id -> watchers
  const socks = [];
  const live = { onEvent: null };
  for (let i = 0; i < N_WATCHERS; i += 200) {
    const batch = [];
    for (let k = i; k < Math.min(N_WATCHERS, i + 200); k++) {
      const m = mems[pick()];
      per.set(m.id, (per.get(m.id) ?? 0) + 1);
      batch.push(new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        const topic = `memorial:${m.id}`;
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ subscribe: topic })));
        ws.on('message', (data) => {
          const s = data.toString();
          if (s.includes('"subscribed"')) return resolve(ws);
          if (live.onEvent) live.onEvent(s);
        });
      }));
    }
    socks.push(...await Promise.all(batch));
  }
  return { socks, per, live };
}

// ---------- the run ----------

function summarise(lat, errors) {
  const s = Float64Array.from(lat).sort();
  return {
    requests: lat.length + errors,
    errors,
    p50_ms: pct(s, 0.5),
    p99_ms: pct(s, 0.99),
    max_ms: s.length ? s[s.length - 1] : NaN,
  };
}

async function main() {
  const d = await benchDaemon({ rate_limit_writes: 1000000 });
  let pool = null;
  let watchers = null;
  try {
    const mems = await memorials(d, N_MEMORIALS);
    const pick = zipf(mems.length);
    watchers = await openWatchers(d, mems, pick);
    const etags = new Map();
    const stats = new Map(KINDS.map(([k]) => [k, { lat: [], errors: 0, codes: new Map() }]));
    const posts = new Map(); // marker -> { sent, want, got }
    const wsLat = [];
    let wsMalformed = 0; // the watchers know a tribute by its sender's name
    watchers.live.onEvent = (s) => {
      const at = now();
      let ev;
      try { ev = JSON.parse(s); } catch { wsMalformed++; return; }
      const p = posts.get(ev.event?.tribute?.from_name);
      if (!p) return;
      p.got++;
      if (p.counted) wsLat.push(at - p.sent);
    };
    pool = new Pool(d.port, (req, status, etag, body) => {
      const at = now();
      if (etag && req.key) etags.set(req.key, etag);
      if (!req.counted) return;
      const st = stats.get(req.kind);
      if (status === 0 || (status >= 300 && status !== 304)) {
        st.errors++;
        st.codes.set(status, (st.codes.get(status) ?? 0) + 1);
        if (body && st.errors <= 3) st.sample = `${status} ${body.toString().slice(0, 200)}`;
      } else {
        st.lat.push(at - req.due);
      }
    });
    const cdf = [];
    let acc = 0;
    for (const [k, w] of KINDS) cdf.push([k, (acc += w)]);
    let seq = 0;
    const makeReq = (due, counted) => {
      const r = Math.random();
      const kind = cdf.find(([, c]) => r <= c)?.[0] ?? 'static';
      const m = mems[pick()];
      const req = { kind, due, counted };
      if (kind === 'page') {
        req.key = `/m/${m.slug}`;
        req.wire = wire('GET', req.key, { etag: Math.random() < 0.5 ? etags.get(req.key) : null });
      } else if (kind === 'json') {
        req.key = `/api/memorials/by-slug/${m.slug}`;
        req.wire = wire('GET', req.key, { etag: Math.random() < 0.25 ? etags.get(req.key) : null });
      } else if (kind === 'static') {
        req.key = ASSETS[Math.floor(Math.random() * ASSETS.length)];
        req.wire = wire('GET', req.key, { etag: Math.random() < 0.5 ? etags.get(req.key) : null });
      } else {
        const marker = `qm${++seq}`;
        posts.set(marker, { sent: now(), want: watchers.per.get(m.id) ?? 0, got: 0, counted });
        req.wire = wire('POST', `/api/memorials/${m.id}/tributes`,
          { body: JSON.stringify({ kind: 'flower', from_name: marker }) });
      }
      return req;
    };

    // open loop: every millisecond, issue what is due
    const u0 = usage(d.pid);
    const c0 = process.cpuUsage();
    const t0 = now();
    const tCount = t0 + WARMUP * 1000;
    const tEnd = tCount + DURATION * 1000;
    let issued = 0;
    let u1;
    let c1;
    // where a slow answer's time went: the daemon's own histogram (request
    // read → answer queued) and this process's event-loop delay, both over
    // the counted period
    const lag = monitorEventLoopDelay({ resolution: 1 });
    let hist0 = null;
    await new Promise((resolve) => {
      const tick = () => {
        const t = now();
        if (t >= tCount && !hist0) {
          hist0 = daemonHist(d);
          lag.enable();
        }
        const due = Math.min(Math.floor(((Math.min(t, tEnd) - t0) / 1000) * RATE),
          Math.floor(((tEnd - t0) / 1000) * RATE));
        while (issued < due) {
          const at = t0 + (issued / RATE) * 1000;
          pool.submit(makeReq(at, at >= tCount));
          issued++;
        }
        if (t >= tEnd) return resolve();
        setTimeout(tick, 1);
      };
      tick();
    });
    u1 = usage(d.pid);
    c1 = process.cpuUsage(c0);
    lag.disable();
    const daemonSlow = slowShare(await hist0, await daemonHist(d));
    const ran = (now() - t0) / 1000;
    // let the last answers and events arrive
    const drainUntil = now() + 5000;
    while (now() < drainUntil && (pool.queue.length || [...pool.conns].some((c) => c.busy))) await sleep(20);
    await sleep(500);

    const kinds = {};
    let total = 0;
    for (const [k] of KINDS) {
      const st = stats.get(k);
      kinds[k] = summarise(st.lat, st.errors);
      if (st.errors) kinds[k].error_codes = Object.fromEntries(st.codes);
      if (st.sample) kinds[k].error_sample = st.sample;
      total += kinds[k].requests;
    }
    const all = summarise([...stats.values()].flatMap((s) => s.lat),
      [...stats.values()].reduce((a, s) => a + s.errors, 0));
    let want = 0;
    let got = 0;
    for (const p of posts.values()) {
      if (!p.counted) continue;
      want += p.want;
      got += Math.min(p.got, p.want);
    }
    const wsSorted = Float64Array.from(wsLat).sort();
    const result = {
      ...facts(),
      rate: RATE, duration_s: DURATION, memorials: mems.length, watchers: N_WATCHERS,
      achieved_rps: total / DURATION,
      all, kinds,
      ws: { deliveries: want, p50_ms: pct(wsSorted, 0.5), p99_ms: pct(wsSorted, 0.99),
        max_ms: wsSorted.length ? wsSorted[wsSorted.length - 1] : NaN, lost: want - got,
        malformed: wsMalformed },
      daemon_cpu_pct: (100 * (u1.cpu - u0.cpu)) / ran,
      daemon_rss_mib: u1.rssMiB,
      bench_cpu_pct: (100 * (c1.user + c1.system) / 1e6) / ran,
      connections: pool.conns.size,
      daemon_slow: daemonSlow,
      bench_loop_delay_ms: { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6,
        max: lag.max / 1e6 },
    };
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–').padStart(8);
    console.log(`qingming: ${RATE} req/s for ${DURATION} s (+${WARMUP} s warm-up), ` +
      `${mems.length} memorials, ${N_WATCHERS} watchers`);
    console.log(`machine: ${result.machine}`);
    console.log(`date ${result.date}, load average at start ${result.load}, commit ${result.commit}`);
    console.log('kind        requests  errors   p50 ms   p99 ms   max ms');
    for (const [k, v] of [...Object.entries(kinds), ['all', all]]) {
      console.log(`${k.padEnd(10)} ${String(v.requests).padStart(9)} ${String(v.errors).padStart(7)} ` +
        `${f(v.p50_ms)} ${f(v.p99_ms)} ${f(v.max_ms)}`);
      if (v.error_sample) console.log(`  e.g. ${v.error_sample}`);
    }
    console.log(`achieved ${result.achieved_rps.toFixed(0)} req/s over ${result.connections} connections`);
    console.log(`tribute → watchers: ${want} deliveries, p50 ${f(result.ws.p50_ms).trim()} ms, ` +
      `p99 ${f(result.ws.p99_ms).trim()} ms, max ${f(result.ws.max_ms).trim()} ms, lost ${result.ws.lost}`);
    console.log(`daemon CPU ${result.daemon_cpu_pct.toFixed(0)} % of one core, RSS ` +
      `${result.daemon_rss_mib.toFixed(0)} MiB; this bench ${result.bench_cpu_pct.toFixed(0)} %`);
    console.log(`requests the daemon took longer than 10 / 25 / 50 ms over (request read → ` +
      `answer queued): ${['10', '25', '50'].map((k) => `${(100 * daemonSlow[k]).toFixed(2)} %`).join(' / ')}`);
    const L = result.bench_loop_delay_ms;
    console.log(`this bench's event-loop delay: p50 ${L.p50.toFixed(1)} ms, p99 ${L.p99.toFixed(1)} ms, ` +
      `max ${L.max.toFixed(1)} ms (a request due meanwhile waits that long to be sent)`);
  } finally {
    pool?.close();
    for (const ws of watchers?.socks ?? []) ws.terminate();
    await d.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** The daemon's request-time histogram, all routes summed: le → count. */
async function daemonHist(d) {
  const r = await fetch(`${d.url}/metrics`);
  const out = new Map();
  for (const m of (await r.text()).matchAll(
    /^sinian_http_request_duration_seconds_bucket\{[^}]*le="([^"]+)"\} (\S+)$/gm)) {
    out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The share of requests between two snapshots that took over 10, 25 and
 *  50 ms. */
function slowShare(a, b) {
  const n = (le) => (b.get(le) ?? 0) - (a.get(le) ?? 0);
  const all = n('+Inf');
  const over = (le) => (all ? (all - n(le)) / all : NaN);
  return { 10: over('0.01'), 25: over('0.025'), 50: over('0.05') };
}
