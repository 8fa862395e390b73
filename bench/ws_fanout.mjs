#!/usr/bin/env node
// ws_fanout.mjs — how long one live event takes to reach 10 000 WebSocket
// watchers spread over two sinian nodes that share a redis-server.
//
//   node bench/ws_fanout.mjs [--watchers 10000] [--events 20] [--workers 2] [--nodes 2]
//                            [--anchor] [--node-watchers] [--json]
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
// the daemons and the watchers used over the events.
//
// --anchor (with --nodes 1) measures the floor in the same run:
// bench/wsfloor.c ($WSFLOOR_BIN, else build/bench/wsfloor), a WebSocket
// server that only writes, one send() a watcher from as many threads as
// the daemon has lws threads, gets as many watchers of its own (idle while
// the daemon's events go out, and the other way round). After each of the
// daemon's events it sends the same bytes (the daemon's event, its marker
// changed) to its watchers, timed from just before it is told to. The
// floor is what the kernel and the watchers cost on this machine; the
// daemon's figures read against it.
//
// Raises its own open-file limit up to the hard limit when it has to.
// Loopback only; everything it starts is stopped. Prints figures, passes
// nothing.
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
const WSFLOOR = process.env.WSFLOOR_BIN || path.join(REPO, 'build', 'bench', 'wsfloor');

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

/** bench/wsfloor, started: its url, send(text) resolving to its "sent"
 * line's { n, short }, and stop(). */
async function startFloor(topic, threads) {
  const child = spawn(WSFLOOR, ['--topic', topic, '--threads', String(threads)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let ended = false;
  const next = () => new Promise((resolve, reject) => {
    if (lines.length) return resolve(lines.shift());
    if (ended) return reject(new Error('wsfloor exited'));
    waiters.push({ resolve, reject });
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('open ')) return; // progress
    const w = waiters.shift();
    if (w) w.resolve(line); else lines.push(line);
  });
  child.on('exit', () => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error('wsfloor exited'));
  });
  child.on('error', () => {}); // as an exit
  child.stdin.on('error', () => {});
  const [word, port] = (await next()).split(' ');
  if (word !== 'listening') throw new Error(`wsfloor: ${word} ${port}`);
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    pid: child.pid,
    async send(text) {
      child.stdin.write(`send ${text}\n`);
      const [w, n, short] = (await next()).split(' ');
      if (w !== 'sent') throw new Error(`wsfloor: ${w}`);
      return { n: Number(n), short: Number(short) };
    },
    stop() { child.stdin.end(); },
  };
}

/** The figures of one server's events. */
function summarise(rounds, all, used, deliveries) {
  all.sort((x, y) => x - y);
  const span = used.ms / 1000;
  const spread = rounds.map((r) => r.last_ms - r.first_ms).sort((x, y) => x - y);
  return {
    p50_ms: pct(all, 0.5), p99_ms: pct(all, 0.99), max_ms: all[all.length - 1],
    lost: deliveries - all.length,
    spread_median_ms: pct(spread, 0.5), spread_worst_ms: spread[spread.length - 1],
    // utime + stime over the events (warm-up excluded), % of one core
    server_cpu_pct: (100 * used.server) / span,
    watchers_cpu_pct: (100 * used.watchers) / span,
    // and per delivery, which the machine's load moves less
    server_us_per_delivery: (1e6 * used.server) / all.length,
    watchers_us_per_delivery: (1e6 * used.watchers) / all.length,
    rounds,
  };
}

function printFigures(what, r) {
  const f = (x, w) => x.toFixed(1).padStart(w);
  console.log(`${what}:`);
  console.log('event via    got  POST ms  first ms  p50 ms  p99 ms  last ms');
  for (const e of r.rounds) {
    console.log(`${String(e.event).padStart(5)} ${e.via.padStart(3)} ${String(e.got).padStart(6)} ` +
      `${e.post_ms === null ? '       -' : f(e.post_ms, 8)} ${f(e.first_ms, 9)} ${f(e.p50_ms, 7)} ` +
      `${f(e.p99_ms, 7)} ${f(e.last_ms, 8)}`);
  }
  console.log(`all deliveries: p50 ${r.p50_ms.toFixed(1)} ms, p99 ${r.p99_ms.toFixed(1)} ms, ` +
    `max ${r.max_ms.toFixed(1)} ms, lost ${r.lost}`);
  console.log(`first to last watcher of one event (the fan-out itself): median ` +
    `${r.spread_median_ms.toFixed(1)} ms, worst ${r.spread_worst_ms.toFixed(1)} ms`);
  console.log(`CPU over the events: server ${r.server_cpu_pct.toFixed(0)} % of one core ` +
    `(${r.server_us_per_delivery.toFixed(1)} µs per delivery), watchers ` +
    `${r.watchers_cpu_pct.toFixed(0)} % (${r.watchers_us_per_delivery.toFixed(1)} µs)`);
}

/** Every watcher process's times of one event, as latencies from start. */
async function collect(set, start) {
  const times = [];
  for (const b of set) {
    const m = await Promise.race([b.next(30000), deadline(30000).then(() => null)]);
    if (m?.error) throw new Error(`worker: ${m.error}`);
    if (m) times.push(...m.times);
    else {
      b.send({ cmd: 'report' });
      times.push(...(await b.next()).times);
    }
  }
  return times.map((t) => t - start).sort((x, y) => x - y);
}

function round(event, via, lat, postMs) {
  return { event, via, got: lat.length, post_ms: postMs, first_ms: lat[0],
    p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99), last_ms: lat[lat.length - 1] };
}

/** The first message on url's topic after subscribing, via one more watcher. */
function oneEvent(url, topic, marker) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ subscribe: topic })));
    ws.on('message', (data) => {
      const s = data.toString();
      if (s.includes(marker)) {
        ws.terminate();
        resolve(s);
      }
    });
  });
}

async function main() {
  const WATCHERS = opt('watchers', 10000, 20000);
  const EVENTS = opt('events', 20, 200);
  const WORKERS = opt('workers', 2, 8);
  const NODES = opt('nodes', 2, 2);
  const AS_JSON = args.includes('--json');
  const ANCHOR = args.includes('--anchor');
  let KIND = args.includes('--node-watchers') ? 'node' : 'wswatch';
  if (KIND === 'wswatch' && !fs.existsSync(WSWATCH)) {
    console.error(`${WSWATCH} is not built (scripts/build.sh): the watchers are node processes`);
    KIND = 'node';
  }
  if (ANCHOR && (NODES !== 1 || !fs.existsSync(WSFLOOR))) {
    console.error(`--anchor needs --nodes 1 and ${WSFLOOR} (scripts/build.sh)`);
    process.exit(2);
  }
  // the floor holds every one of its watchers' sockets in one process
  ensureFds((ANCHOR ? WATCHERS : Math.ceil(WATCHERS / WORKERS)) + 512);

  const { startDaemon, api, BIN } = await import('../tests/lib/daemon.mjs');
  const { startRedis } = await import('../tests/lib/redis.mjs');
  const { usage, envConfig } = await import('./lib.mjs');
  const redis = NODES > 1 ? await startRedis() : null;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-fanout-'));
  const base = { redis_url: redis?.url ?? '', rate_limit_writes: 1000000, max_connections_per_address: 0, log_level: 'warn', ...envConfig() };
  const nodes = [];
  const workers = [];
  const floorWorkers = [];
  let floor = null;
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
    if (ANCHOR) {
      const cores = os.cpus().length;
      floor = await startFloor(topic, Number(base.http_threads) || Math.min(4, cores));
      for (let w = 0; w < WORKERS; w++) {
        floorWorkers.push(watcherProcess(KIND, [floor.url], topic, share(w)));
      }
      for (const b of floorWorkers) {
        const m = await b.next();
        if (m.error) throw new Error(`floor's worker: ${m.error}`);
      }
    }
    await sleep(500); // both nodes' SUBSCRIBE are long confirmed by now
    const wsA = (await api(A, 'GET', '/metrics')).text.match(/^sinian_ws_connections (\d+)/m)?.[1];
    const wsB = NODES > 1
      ? (await api(B, 'GET', '/metrics')).text.match(/^sinian_ws_connections (\d+)/m)?.[1] : 0;

    // the events, each with its share of the CPU: from just before the
    // watchers are told what to expect to the end of the pause after it
    const rounds = [];
    const all = [];
    const floorRounds = [];
    const floorAll = [];
    const cpu = (pids, set) => ({
      server: pids.reduce((sum, pid) => sum + usage(pid).cpu, 0),
      watchers: set.reduce((sum, b) => sum + usage(b.child.pid).cpu, 0),
      ms: now(),
    });
    const daemonPids = nodes.map((d) => d.proc.pid);
    const used = { server: 0, watchers: 0, ms: 0 };
    const floorUsed = { server: 0, watchers: 0, ms: 0 };
    const addUsed = (acc, a, b) => { for (const k in acc) acc[k] += b[k] - a[k]; };
    let eventText = null; // the daemon's event, for the floor to send
    let markerOfText = null;
    for (let e = 0; e <= EVENTS; e++) { // event 0 is a warm-up
      const marker = `fanout-${String(e).padStart(3, '0')}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
      const c0 = cpu(daemonPids, workers);
      workers.forEach((b) => b.send({ cmd: 'expect', marker }));
      const seen = floor && e === 0 ? oneEvent(urls[0], topic, marker) : null;
      await sleep(50);
      const on = e % 2 ? B : A;
      const start = now();
      const r = await api(on, 'POST', `/api/memorials/${demo}/tributes`,
        { token, json: { kind: 'flower', from_name: marker } });
      if (r.status !== 201) throw new Error(`POST: ${r.status} ${r.text}`);
      const posted = now() - start;
      const lat = await collect(workers, start);
      if (seen) {
        eventText = await seen;
        markerOfText = marker;
      }
      await sleep(200);
      if (e > 0) {
        all.push(...lat);
        rounds.push(round(e, on === A ? 'A' : 'B', lat, posted));
        addUsed(used, c0, cpu(daemonPids, workers));
      }
      if (!floor) continue;
      // the same bytes from the floor, its watchers timing them alike
      const f0 = cpu([floor.pid], floorWorkers);
      floorWorkers.forEach((b) => b.send({ cmd: 'expect', marker }));
      await sleep(50);
      const fstart = now();
      const sent = await floor.send(eventText.replaceAll(markerOfText, marker));
      const flat = await collect(floorWorkers, fstart);
      if (sent.short) console.error(`floor: ${sent.short} short sends at event ${e}`);
      await sleep(200);
      if (e > 0) {
        floorAll.push(...flat);
        floorRounds.push(round(e, 'F', flat, null));
        addUsed(floorUsed, f0, cpu([floor.pid], floorWorkers));
      }
    }
    const result = {
      watchers: WATCHERS, nodes: NODES, on_a: Number(wsA), on_b: Number(wsB), events: EVENTS,
      workers: WORKERS, watcher_kind: KIND, open_s: openMs / 1000,
      ...summarise(rounds, all, used, EVENTS * WATCHERS),
      load: os.loadavg()[0],
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    };
    if (floor) result.anchor = summarise(floorRounds, floorAll, floorUsed, EVENTS * WATCHERS);
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`ws_fanout: ${WATCHERS} watchers (${NODES > 1 ? `${wsA} on node A, ${wsB} on node B` : `one node, no Redis`}), ` +
        `${WORKERS} ${KIND} watcher processes, opened in ${result.open_s.toFixed(1)} s`);
      console.log(`machine: ${result.machine}, load ${result.load.toFixed(2)}`);
      printFigures('sinian', result);
      if (result.anchor) {
        printFigures('the floor (bench/wsfloor: one send() a watcher, the same bytes)', result.anchor);
        console.log(`sinian against the floor: p99 ${(result.p99_ms / result.anchor.p99_ms).toFixed(2)}×, ` +
          `fan-out median ${(result.spread_median_ms / result.anchor.spread_median_ms).toFixed(2)}×, ` +
          `server CPU a delivery ${(result.server_us_per_delivery / result.anchor.server_us_per_delivery).toFixed(2)}×`);
      }
    }
  } finally {
    for (const b of [...workers, ...floorWorkers]) {
      b.send({ cmd: 'close' });
    }
    floor?.stop();
    await sleep(200);
    for (const d of nodes) await d.stop({ keep: true }).catch((e) => console.error(String(e)));
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.conf`, { force: true });
  }
}

if (args.includes('--worker')) worker();
else main().catch((e) => { console.error(e); process.exit(1); });
