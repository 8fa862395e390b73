#!/usr/bin/env node
// qingming.mjs — a Qingming morning against one node: a scripted mix of
// requests at a set rate, with many WebSockets watching their memorials.
//
//   node bench/qingming.mjs [--rate 5000] [--duration 60] [--warmup 5]
//        [--memorials 200] [--watchers 2000] [--json]
//   SINIAN_BIN=build/sinian QMLOAD_BIN=build/bench/qmload node bench/qingming.mjs
//
// Starts its own daemon (no media, its log in a file, writes not rate
// limited: every request comes from one loopback address) and makes
// --memorials public memorials with a few tributes each. The load itself
// is bench/qmload.c ($QMLOAD_BIN, else build/bench/qmload), in C on one
// epoll loop, so that it takes little of the two cores it shares with the
// daemon and sends each request when it is due: --watchers WebSockets
// follow a memorial each, memorials picked by popularity (Zipf, s = 1: the
// first is visited most); then, open-loop at --rate requests a second for
// --duration seconds (after --warmup seconds not counted), each request is
// one of:
//   page     15 %  GET /m/{slug} (the HTML shell; half revalidate with
//                 If-None-Match, as a browser's second visit does)
//   json     25 %  GET /api/memorials/by-slug/{slug} (a quarter revalidate)
//   static   55 %  GET of one of the page's CSS/JS/SVG files (half
//                 revalidate)
//   tribute   5 %  POST /api/memorials/{id}/tributes (anonymous flower)
// A request's latency is from the moment it was due (not when a free
// connection took it), so a slow server cannot hide its queue; requests
// go over up to 512 keep-alive connections, and GETs accept gzip and br as
// a browser's do. An error is a network error or a status other than
// 2xx/304. Each tribute's live event is timed from its POST's due moment
// to every watcher of that memorial; "lost" counts watchers that never got
// one. Prints p50 / p99 / max / errors per kind, the achieved rate, the
// daemon's and the bench's CPU, how late the bench sent its requests, the
// share of requests the daemon itself took long over, and the facts to
// record with the figures. Passes nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchDaemon, memorials, facts, usage } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const QMLOAD = process.env.QMLOAD_BIN || path.join(HERE, '..', 'build', 'bench', 'qmload');

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

const KINDS = ['page', 'json', 'static', 'tribute'];
const ASSETS = ['/css/sinian.css', '/css/memorial.css', '/js/memorial.js', '/js/api.js',
  '/js/i18n.js', '/js/live.js', '/js/dom.js', '/js/layout.js', '/js/forms.js',
  '/favicon.svg'];

/** Runs qmload against d; calls onLine(word) for its "counting" and
 *  "done" lines; resolves its figures. */
function qmload(d, mems, onLine) {
  if (!fs.existsSync(QMLOAD)) {
    throw new Error(`${QMLOAD} is missing: cmake --build build --target qmload`);
  }
  const p = spawn(QMLOAD, ['--port', String(d.port), '--rate', String(RATE),
    '--duration', String(DURATION), '--warmup', String(WARMUP),
    '--watchers', String(N_WATCHERS), '--conns', '512'],
  { stdio: ['pipe', 'pipe', 'inherit'] });
  p.stdin.end(mems.map((m) => `m ${m.id} ${m.slug}\n`).join('') +
    ASSETS.map((a) => `a ${a}\n`).join(''));
  return new Promise((resolve, reject) => {
    let result = null;
    let error = null;
    const pending = [];
    readline.createInterface({ input: p.stdout }).on('line', (line) => {
      if (line.startsWith('{')) result = JSON.parse(line);
      else if (line.startsWith('error')) error = line;
      else pending.push(onLine(line));
    });
    p.on('error', reject);
    p.on('close', async (code) => {
      await Promise.all(pending);
      if (code !== 0 || !result) reject(new Error(`qmload exited with ${code}: ${error ?? ''}`));
      else resolve(result);
    });
  });
}

async function main() {
  const d = await benchDaemon({ rate_limit_writes: 1000000 });
  try {
    const mems = await memorials(d, N_MEMORIALS);
    // the daemon's CPU and its own request-time histogram (request read →
    // answer queued) over the counted period
    let u0;
    let u1;
    let hist0;
    let hist1;
    const r = await qmload(d, mems, async (line) => {
      if (line === 'counting') {
        u0 = usage(d.pid);
        hist0 = await daemonHist(d);
      } else if (line === 'done') {
        u1 = usage(d.pid);
        hist1 = await daemonHist(d);
      }
    });
    const daemonSlow = slowShare(hist0, hist1);
    const result = {
      ...facts(),
      rate: RATE, duration_s: DURATION, memorials: mems.length, watchers: N_WATCHERS,
      achieved_rps: r.all.requests / DURATION,
      ...r,
      daemon_cpu_pct: (100 * (u1.cpu - u0.cpu)) / DURATION,
      daemon_rss_mib: u1.rssMiB,
      daemon_slow: daemonSlow,
    };
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const f = (x) => (Number.isFinite(x) && x >= 0 ? x.toFixed(1) : '–').padStart(8);
    console.log(`qingming: ${RATE} req/s for ${DURATION} s (+${WARMUP} s warm-up), ` +
      `${mems.length} memorials, ${N_WATCHERS} watchers`);
    console.log(`machine: ${result.machine}`);
    console.log(`date ${result.date}, load average at start ${result.load}, commit ${result.commit}`);
    console.log('kind        requests  errors   p50 ms   p99 ms   max ms');
    for (const [k, v] of [...KINDS.map((k) => [k, r.kinds[k]]), ['all', r.all]]) {
      console.log(`${k.padEnd(10)} ${String(v.requests).padStart(9)} ${String(v.errors).padStart(7)} ` +
        `${f(v.p50_ms)} ${f(v.p99_ms)} ${f(v.max_ms)}`);
      if (v.error_sample) console.log(`  e.g. ${v.error_sample}`);
    }
    console.log(`achieved ${result.achieved_rps.toFixed(0)} req/s over ${r.connections} connections`);
    const w = r.ws;
    console.log(`tribute → watchers: ${w.deliveries} deliveries, p50 ${f(w.p50_ms).trim()} ms, ` +
      `p99 ${f(w.p99_ms).trim()} ms, max ${f(w.max_ms).trim()} ms, lost ${w.lost}` +
      (w.closed ? `, ${w.closed} watchers closed` : ''));
    console.log(`daemon CPU ${result.daemon_cpu_pct.toFixed(0)} % of one core, RSS ` +
      `${result.daemon_rss_mib.toFixed(0)} MiB; the load (qmload) ${r.bench_cpu_pct.toFixed(0)} %`);
    console.log(`requests the daemon took longer than 10 / 25 / 50 ms over (request read → ` +
      `answer queued): ${['10', '25', '50'].map((k) => `${(100 * daemonSlow[k]).toFixed(2)} %`).join(' / ')}`);
    const L = r.sent_late;
    console.log(`requests sent after they were due by: p50 ${f(L.p50_ms).trim()} ms, ` +
      `p99 ${f(L.p99_ms).trim()} ms, max ${f(L.max_ms).trim()} ms (the load's own delay)`);
  } finally {
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
