#!/usr/bin/env node
// front.mjs — what the front of one node does per second with wrk, each
// comparison in one run:
//   memorial  GET /api/memorials/{id} (a public memorial's page, kept
//             ready) against nginx serving the very same bytes as a static
//             file (nginx with one worker per CPU, access log off)
//   tribute   POST /api/memorials/{id}/tributes, each answered 201 only
//             once committed to disk (group commit); the stored count is
//             checked against the answers
//   healthz   GET /healthz (15 bytes)
//   static    GET /js/memorial.js (a file of web/)
//
//   node bench/front.mjs [--connections 64] [--seconds 10] [--threads 2] [--json]
//   SINIAN_BIN=build/sinian node bench/front.mjs
//
// wrk (Debian's wrk, closed loop: each connection sends its next request
// when the last is answered) runs on the same machine as the daemon and
// nginx, so each figure is what the server does with what wrk leaves of
// the CPUs. Prints requests/s, latency p50 / p99 and errors per run, the
// ratios, the daemon's CPU over each run and, with perf (deps.sh --bench),
// what one request cost the daemon: CPU µs, system calls and context
// switches (these hardly move with the machine's load, requests/s does),
// and the facts to record with the figures. Passes nothing.
import { spawn, spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startNginx } from '../tests/lib/nginx.mjs';
import { benchDaemon, call, facts, memorials, usage } from './lib.mjs';

const args = process.argv.slice(2);
const num = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CONNS = num('connections', 64);
const SECONDS = num('seconds', 10);
const THREADS = num('threads', 2);
const AS_JSON = args.includes('--json');

function ms(s) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** Run wrk; resolves { rps, p50_ms, p99_ms, requests, errors }. */
function wrk(url, script) {
  const a = ['-t', String(THREADS), '-c', String(CONNS), '-d', `${SECONDS}s`, '--latency'];
  if (script) a.push('-s', script);
  a.push(url);
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', a, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk: ${out}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const errors = non2xx + (sock ? sock.slice(1).reduce((x, y) => x + Number(y), 0) : 0);
      resolve({
        rps, requests, errors,
        p50_ms: ms(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
        p99_ms: ms(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
      });
    });
  });
}

/** perf stat on the daemon while fn runs: CPU time, system calls and
 * context switches it took (null without perf). Unlike requests/s, what a
 * request costs hardly depends on what else the machine runs. */
function perfStat(pid) {
  const p = spawn('perf', ['stat', '-x', ',', '-e',
    'task-clock,raw_syscalls:sys_enter,context-switches', '-p', String(pid)],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve) => {
    p.on('error', () => resolve(null));
    p.on('exit', () => {
      const v = {};
      for (const line of err.split('\n')) {
        const f = line.split(',');
        if (f.length > 2 && f[0] !== '' && !Number.isNaN(Number(f[0]))) v[f[2]] = Number(f[0]);
      }
      resolve(v['task-clock'] === undefined ? null : v);
    });
  });
  return { stop: () => { p.kill('SIGINT'); return done; } };
}

async function measured(d, fn) {
  const u0 = usage(d.pid);
  const t0 = Date.now();
  const ps = perfStat(d.pid);
  const r = await fn();
  const v = await ps.stop();
  const u1 = usage(d.pid);
  r.daemon_cpu_pct = (100 * (u1.cpu - u0.cpu)) / ((Date.now() - t0) / 1000);
  if (v && r.requests) {
    r.cpu_us_per_req = (v['task-clock'] * 1000) / r.requests; // task-clock is in ms
    r.syscalls_per_req = v['raw_syscalls:sys_enter'] / r.requests;
    r.switches_per_req = v['context-switches'] / r.requests;
  }
  return r;
}

async function main() {
  const check = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (check.error) throw new Error('wrk is missing: scripts/deps.sh --bench');
  const d = await benchDaemon({ rate_limit_writes: 1000000 });
  let n = null;
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-front-'));
  try {
    const [m] = await memorials(d, 1);
    const page = `${d.url}/api/memorials/${m.id}`;
    const body = Buffer.from(await (await fetch(page)).arrayBuffer());
    await fsp.writeFile(path.join(tmp, 'page.json'), body);
    n = await startNginx({ root: tmp, workers: os.cpus().length });
    const same = Buffer.from(await (await fetch(`${n.url}/page.json`)).arrayBuffer());
    if (!same.equals(body)) throw new Error('nginx does not serve the same bytes');
    const script = path.join(tmp, 'tribute.lua');
    await fsp.writeFile(script, [
      'wrk.method = "POST"',
      `wrk.body = '{"kind":"flower","from_name":"wrk"}'`,
      'wrk.headers["Content-Type"] = "application/json"',
    ].join('\n'));

    const f0 = facts();
    const runs = {};
    runs.nginx = await wrk(`${n.url}/page.json`);
    runs.memorial = await measured(d, () => wrk(page));
    const before = (await call(d, 'GET', `/api/memorials/${m.id}`)).counts.total;
    runs.tribute = await measured(d, () => wrk(`${page}/tributes`, script));
    const after = (await call(d, 'GET', `/api/memorials/${m.id}`)).counts.total;
    runs.tribute.stored = after - before;
    runs.healthz = await measured(d, () => wrk(`${d.url}/healthz`));
    runs.static = await measured(d, () => wrk(`${d.url}/js/memorial.js`));
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    const metric = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1]);
    const result = {
      ...f0,
      load_end: os.loadavg()[0].toFixed(2),
      connections: CONNS, seconds: SECONDS, threads: THREADS, page_bytes: body.length,
      runs,
      memorial_vs_nginx: runs.memorial.rps / runs.nginx.rps,
      writes_per_commit: metric('sinian_store_writes_total') / metric('sinian_store_write_commits_total'),
    };
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(`front: wrk -t${THREADS} -c${CONNS} -d${SECONDS}s, a ${body.length}-byte memorial page`);
    console.log(`machine: ${result.machine}`);
    console.log(`date ${result.date}, load average ${result.load} at start, ${result.load_end} at the end, ` +
      `commit ${result.commit}`);
    console.log('run          req/s   p50 ms   p99 ms   errors  daemon CPU   CPU µs/req  syscalls/req  switches/req');
    const f = (x, w) => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 2) : '–').padStart(w);
    for (const [k, r] of Object.entries(runs)) {
      console.log(`${k.padEnd(10)} ${f(r.rps, 8)} ${f(r.p50_ms, 8)} ${f(r.p99_ms, 8)} ` +
        `${String(r.errors).padStart(8)} ${r.daemon_cpu_pct === undefined ? '' : `${f(r.daemon_cpu_pct, 6)} %`}` +
        `${r.cpu_us_per_req === undefined ? '' : ` ${f(r.cpu_us_per_req, 12)} ${f(r.syscalls_per_req, 13)} ${f(r.switches_per_req, 13)}`}`);
    }
    console.log(`memorial GET / nginx static, same bytes: ${result.memorial_vs_nginx.toFixed(2)}`);
    console.log(`tributes: ${runs.tribute.requests - runs.tribute.errors} acknowledged, ` +
      `${runs.tribute.stored} more in the counts, ${result.writes_per_commit.toFixed(1)} writes per commit`);
  } finally {
    await n?.stop();
    await d.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
