#!/usr/bin/env node
// ws_fanout.mjs — how long one live event takes to reach 10 000 WebSocket
// watchers spread over two sinian nodes that share a redis-server.
//
//   node bench/ws_fanout.mjs [--watchers 10000] [--events 20] [--workers 2] [--nodes 2]
//                            [--node-watchers] [--json]
//   SINIAN_BIN=build/sinian node bench/ws_fanout.mjs
//
// Starts its own redis-server (loopback, no persistence) and two daemons on
// one temporary data dir (with --nodes 1: one daemon, no Redis), opens the watchers (half on each node, all
// following the demo memorial's topic), then posts one tribute at a time,
// alternately on node A and node B, and records when each watcher gets it.
// Latency is from just before the POST to the watcher's message, so it
// includes the SQLite commit, the PUBLISH through Redis, each node's
// fan-out over lws, and the watchers' own processes reading (the watchers
// are --workers child processes on the same machine: on a 2-core box they
// compete with the daemons for CPU, and the figures say so). The watcher
// processes are bench/wswatch.c ($WSWATCH_BIN, else build/bench/wswatch: one
// epoll thread each, a minimal WebSocket client, cheaper per message than
// node);
// with --node-watchers, or when that binary is not built, they are node
// processes of this script (the ws package). Per event:
// first / p50 / p99 / last watcher; overall: p50 / p99 over every
// delivery, and first-to-last (the fan-out without the commit); the CPU
// the daemons and the watchers used over the events. Raises
// its own open-file limit up to the hard limit when it has to. Loopback
// only; everything it starts is stopped. Prints figures, passes nothing.
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const require = createRequire(path.join(REPO, 'tests', 'package.json'));
const WebSocket = require('ws');
const WSWATCH = process.env.WSWATCH_BIN || path.join(REPO, 'build', 'bench', 'wswatch');

const args = process.argv.slice(2);
const opt = (name, dflt, max) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    console.error(`--${name} must be 1..${max}`);
    process.exit(2);
  }
  return v;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// a deadline that does not keep the bench alive once its figures are out
const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const now = () => performance.timeOrigin + performance.now(); // comparable across processes

// ---------- worker: holds a share of the watchers ----------

async function worker() {
  const socks = [];
  let marker = null;
  let times = [];
  let got = 0;

  function open(url, topic) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => reject(new Error('connect timeout')), 30000);
      ws.on('error', (e) => { clearTimeout(timer); reject(e); });
      ws.on('open', () => ws.send(JSON.stringify({ subscribe: topic })));
      ws.on('message', (data) => {
        const s = data.toString();
        if (!marker && s.includes('"subscribed"')) {
          clearTimeout(timer);
          resolve(ws);
          return;
        }
        if (marker && s.includes(marker) && ws.lastMarker !== marker) {
          ws.lastMarker = marker;
          times.push(now());
          if (++got === socks.length) process.send({ times });
        }
      });
    });
  }

  process.on('message', async (m) => {
    if (m.cmd === 'open') {
      try {
        for (let i = 0; i < m.count; i += 200) {
          const batch = [];
          for (let k = i; k < Math.min(m.count, i + 200); k++) {
            batch.push(open(m.urls[k % m.urls.length], m.topic));
          }
          socks.push(...await Promise.all(batch));
        }
        process.send({ opened: socks.length });
      } catch (e) {
        process.send({ error: String(e) });
      }
    } else if (m.cmd === 'expect') {
      marker = m.marker;
      times = [];
      got = 0;
    } else if (m.cmd === 'report') {
      process.send({ times }); // whatever arrived (after a timeout)
    } else if (m.cmd === 'close') {
      for (const ws of socks) ws.terminate();
      process.exit(0);
    }
  });
  process.send({ hello: true });
}

// ---------- the watcher processes, as the orchestrator sees them ----------

/**
 * A watcher process holding count watchers: node (this script with
 * --worker) or bench/wswatch (lines on its stdin and stdout). Both answer
 * { opened } or { error } once open, and { times } (ms, comparable with
 * now()) per event; send() takes the node worker's commands.
 */
function watcherProcess(kind, urls, topic, count) {
  const box = { inbox: [], waiters: [], marker: null };
  const post = (m) => {
    const wt = box.waiters.shift();
    if (wt) wt(m); else box.inbox.push(m);
  };
  box.next = (ms = 120000) => new Promise((resolve, reject) => {
    if (box.inbox.length) return resolve(box.inbox.shift());
    const timer = setTimeout(() => reject(new Error('worker timeout')), ms);
    box.waiters.push((m) => { clearTimeout(timer); resolve(m); });
  });
  if (kind === 'node') {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: 'inherit' });
    child.on('message', (m) => {
      if (m.hello) child.send({ cmd: 'open', urls, topic, count });
      else post(m);
    });
    box.child = child;
    box.send = (m) => child.send(m);
    return box;
  }
  const child = spawn(WSWATCH, ['--count', String(count), '--topic', topic, ...urls],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  child.on('error', (e) => post({ error: String(e) }));
  child.on('exit', (code, sig) => {
    if (!box.closing) post({ error: `wswatch exited (${sig ?? code})` });
  });
  child.stdin.on('error', () => {}); // an exit is reported above
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, ...rest] = line.split(' ');
    if (word === 'ready') post({ opened: Number(rest[0]) });
    else if (word === 'error') post({ error: rest.join(' ') });
    else if (word === 'times' && rest[0] === box.marker) {
      post({ times: rest.slice(1).map((us) => Number(us) / 1000) });
    }
  });
  box.child = child;
  box.send = (m) => {
    if (m.cmd === 'expect') {
      box.marker = m.marker;
      box.inbox = box.inbox.filter((x) => !x.times); // a late answer of the event before
    }
    if (m.cmd === 'close') {
      box.closing = true;
      child.stdin.end();
    } else {
      child.stdin.write(m.cmd === 'expect' ? `expect ${m.marker}\n` : `${m.cmd}\n`);
    }
  };
  return box;
}

// ---------- main ----------

function fdLimit() {
  const r = spawnSync('sh', ['-c', 'ulimit -n; ulimit -Hn'], { encoding: 'utf8' });
  const [soft, hard] = r.stdout.trim().split('\n');
  const num = (s) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: num(soft), hard: num(hard) };
}

/** Re-run this script under a raised open-file limit if it needs one. */
function ensureFds(need) {
  const { soft, hard } = fdLimit();
  if (soft >= need) return;
  if (process.env.SINIAN_BENCH_FDS || hard < need) {
    console.error(`open-file limit ${soft} (hard ${hard}) is below the ${need} this bench needs`);
    process.exit(1);
  }
  const r = spawnSync('sh', ['-c', `ulimit -n ${hard === Infinity ? need : hard} && exec "$0" "$@"`,
    process.execPath, fileURLToPath(import.meta.url), ...args],
  { stdio: 'inherit', env: { ...process.env, SINIAN_BENCH_FDS: '1' } });
  process.exit(r.status ?? 1);
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function main() {
  const WATCHERS = opt('watchers', 10000, 20000);
  const EVENTS = opt('events', 20, 200);
  const WORKERS = opt('workers', 2, 8);
  const NODES = opt('nodes', 2, 2);
  const AS_JSON = args.includes('--json');
  let KIND = args.includes('--node-watchers') ? 'node' : 'wswatch';
  if (KIND === 'wswatch' && !fs.existsSync(WSWATCH)) {
    console.error(`${WSWATCH} is not built (scripts/build.sh): the watchers are node processes`);
    KIND = 'node';
  }
  ensureFds(Math.ceil(WATCHERS / WORKERS) + 512);

  const { startDaemon, api, BIN } = await import('../tests/lib/daemon.mjs');
  const { startRedis } = await import('../tests/lib/redis.mjs');
  const { usage, envConfig } = await import('./lib.mjs');
  const redis = NODES > 1 ? await startRedis() : null;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-fanout-'));
  const base = { redis_url: redis?.url ?? '', rate_limit_writes: 1000000, max_connections_per_address: 0, log_level: 'warn', ...envConfig() };
  const nodes = [];
  const workers = [];
  try {
    nodes.push(await startDaemon({ dataDir: dir, config: { ...base, demo: 'true' } }));
    if (NODES > 1) nodes.push(await startDaemon({ dataDir: dir, config: { ...base, demo: 'false' } }));
    const [A, B = A] = nodes;
    const password = 'bench password 1234';
    const add = spawnSync(BIN, ['--data-dir', dir, 'user', 'add', '--login', 'bench@example.org',
      '--role', 'admin', '--password-stdin'], { input: `${password}\n`, encoding: 'utf8' });
    if (add.status !== 0) throw new Error(add.stderr);
    const token = (await api(A, 'POST', '/api/session',
      { json: { login: 'bench@example.org', password } })).json.token;
    const demo = (await api(A, 'GET', '/api/memorials/by-slug/demo')).json.memorial.id;
    const topic = `memorial:${demo}`;
    const urls = nodes.map((d) => d.url.replace(/^http/, 'ws') + '/ws');

    // the watchers, in worker processes
    const t0 = now();
    const share = (w) => Math.floor(WATCHERS / WORKERS) + (w < WATCHERS % WORKERS ? 1 : 0);
    for (let w = 0; w < WORKERS; w++) workers.push(watcherProcess(KIND, urls, topic, share(w)));
    for (const b of workers) {
      const m = await b.next();
      if (m.error) throw new Error(`worker: ${m.error}`);
    }
    const openMs = now() - t0;
    await sleep(500); // both nodes' SUBSCRIBE are long confirmed by now
    const wsA = (await api(A, 'GET', '/metrics')).text.match(/^sinian_ws_connections (\d+)/m)?.[1];
    const wsB = NODES > 1
      ? (await api(B, 'GET', '/metrics')).text.match(/^sinian_ws_connections (\d+)/m)?.[1] : 0;

    // the events
    const rounds = [];
    const all = [];
    const cpu = () => ({
      daemons: nodes.reduce((sum, d) => sum + usage(d.proc.pid).cpu, 0),
      watchers: workers.reduce((sum, b) => sum + usage(b.child.pid).cpu, 0),
      at: now(),
    });
    let cpu0 = null;
    for (let e = 0; e <= EVENTS; e++) { // event 0 is a warm-up
      if (e === 1) cpu0 = cpu();
      const marker = `fanout-${e}-${Math.random().toString(36).slice(2, 8)}`;
      workers.forEach((b) => b.send({ cmd: 'expect', marker }));
      await sleep(50);
      const on = e % 2 ? B : A;
      const start = now();
      const r = await api(on, 'POST', `/api/memorials/${demo}/tributes`,
        { token, json: { kind: 'flower', from_name: marker } });
      if (r.status !== 201) throw new Error(`POST: ${r.status} ${r.text}`);
      const posted = now() - start;
      const times = [];
      for (const b of workers) {
        const m = await Promise.race([b.next(30000), deadline(30000).then(() => null)]);
        if (m?.error) throw new Error(`worker: ${m.error}`);
        if (m) times.push(...m.times);
        else {
          b.send({ cmd: 'report' });
          times.push(...(await b.next()).times);
        }
      }
      const lat = times.map((t) => t - start).sort((x, y) => x - y);
      if (e === 0) continue;
      all.push(...lat);
      rounds.push({ event: e, via: on === A ? 'A' : 'B', got: lat.length, post_ms: posted,
        first_ms: lat[0], p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99),
        last_ms: lat[lat.length - 1] });
      await sleep(200);
    }
    const cpu1 = cpu();
    const span = (cpu1.at - cpu0.at) / 1000;
    all.sort((x, y) => x - y);
    const result = {
      watchers: WATCHERS, nodes: NODES, on_a: Number(wsA), on_b: Number(wsB), events: EVENTS,
      workers: WORKERS, watcher_kind: KIND, open_s: openMs / 1000,
      p50_ms: pct(all, 0.5), p99_ms: pct(all, 0.99), max_ms: all[all.length - 1],
      lost: EVENTS * WATCHERS - all.length,
      // utime + stime over the events (warm-up excluded), % of one core
      daemons_cpu_pct: (100 * (cpu1.daemons - cpu0.daemons)) / span,
      watchers_cpu_pct: (100 * (cpu1.watchers - cpu0.watchers)) / span,
      // and per delivery, which the machine's load moves less
      daemons_us_per_delivery: (1e6 * (cpu1.daemons - cpu0.daemons)) / all.length,
      watchers_us_per_delivery: (1e6 * (cpu1.watchers - cpu0.watchers)) / all.length,
      load: os.loadavg()[0],
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      rounds,
    };
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`ws_fanout: ${WATCHERS} watchers (${NODES > 1 ? `${wsA} on node A, ${wsB} on node B` : `one node, no Redis`}), ` +
        `${WORKERS} ${KIND} watcher processes, opened in ${result.open_s.toFixed(1)} s`);
      console.log(`machine: ${result.machine}, load ${result.load.toFixed(2)}`);
      console.log('event via    got  POST ms  first ms  p50 ms  p99 ms  last ms');
      const f = (x, w) => x.toFixed(1).padStart(w);
      for (const r of rounds) {
        console.log(`${String(r.event).padStart(5)} ${r.via.padStart(3)} ${String(r.got).padStart(6)} ` +
          `${f(r.post_ms, 8)} ${f(r.first_ms, 9)} ${f(r.p50_ms, 7)} ${f(r.p99_ms, 7)} ${f(r.last_ms, 8)}`);
      }
      const spread = rounds.map((r) => r.last_ms - r.first_ms).sort((x, y) => x - y);
      console.log(`all deliveries: p50 ${result.p50_ms.toFixed(1)} ms, p99 ${result.p99_ms.toFixed(1)} ms, ` +
        `max ${result.max_ms.toFixed(1)} ms, lost ${result.lost}`);
      console.log(`first to last watcher of one event (the fan-out itself): median ` +
        `${pct(spread, 0.5).toFixed(1)} ms, worst ${spread[spread.length - 1].toFixed(1)} ms`);
      console.log(`CPU over the events: daemons ${result.daemons_cpu_pct.toFixed(0)} % of one core ` +
        `(${result.daemons_us_per_delivery.toFixed(1)} µs per delivery), watchers ` +
        `${result.watchers_cpu_pct.toFixed(0)} % (${result.watchers_us_per_delivery.toFixed(1)} µs)`);
    }
  } finally {
    for (const b of workers) {
      b.send({ cmd: 'close' });
    }
    await sleep(200);
    for (const d of nodes) await d.stop({ keep: true }).catch((e) => console.error(String(e)));
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.conf`, { force: true });
  }
}

if (args.includes('--worker')) worker();
else main().catch((e) => { console.error(e); process.exit(1); });
