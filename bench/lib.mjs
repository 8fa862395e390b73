// lib.mjs — what the HTTP benches (qingming.mjs, front.mjs) share: a
// daemon started the way an operator runs one (its log written to a file,
// not kept in the bench's memory), an admin signed in, public memorials
// made through the API, the daemon's CPU and memory, and the facts every
// figure is recorded with (machine, date, load average, commit).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, freePort } from '../tests/lib/daemon.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const PASSWORD = 'bench password 1234';
const ADMIN = 'bench@example.org';

/** The machine, the moment and the code a figure belongs to. */
export function facts() {
  const rev = spawnSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no'],
    { encoding: 'utf8' });
  return {
    machine: `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} CPUs, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    date: new Date().toISOString().replace('T', ' ').slice(0, 16),
    load: os.loadavg()[0].toFixed(2),
    commit: (rev.stdout.trim() || '?') + (dirty.stdout.trim() ? ' + changes' : ''),
  };
}

/** utime + stime (s) and VmRSS (MiB) of a process. */
export function usage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hz = 100;
  const rss = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return { cpu: (Number(f[11]) + Number(f[12])) / hz, rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
}

/**
 * Start the daemon with config (an object) on a fresh data dir; its log
 * goes to DIR/daemon.log. Resolves { url, port, pid, dir, token, stop() }
 * with an admin signed in.
 */
/** Settings from $SINIAN_BENCH_CONFIG ("key=value key=value"), given to
 * every daemon a bench starts: the same bench, two settings, one run
 * each. */
export function envConfig() {
  const out = {};
  for (const kv of (process.env.SINIAN_BENCH_CONFIG || '').split(/\s+/).filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`SINIAN_BENCH_CONFIG: ${kv}: not key=value`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export async function benchDaemon(config = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-bench-'));
  const conf = path.join(dir, 'sinian.conf');
  const data = path.join(dir, 'data');
  const port = await freePort();
  // every client of a bench is 127.0.0.1: no cap on its connections
  const lines = Object.entries({ demo: false, media: false,
    max_connections_per_address: 0, ...config, ...envConfig() })
    .map(([k, v]) => `${k} = ${v}`);
  await fsp.writeFile(conf, lines.join('\n') + '\n');
  await fsp.mkdir(data);
  const add = spawnSync(BIN, ['--config', conf, '--data-dir', data, 'user', 'add', '--login', ADMIN,
    '--role', 'admin', '--password-stdin'], { input: `${PASSWORD}\n`, encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`user add: ${add.stderr}`);
  const log = fs.openSync(path.join(dir, 'daemon.log'), 'a');
  const proc = spawn(BIN, ['--config', conf, '--data-dir', data, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const kill = () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', kill);
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`sinian exited: ${fs.readFileSync(path.join(dir, 'daemon.log'), 'utf8')}`);
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('sinian did not start');
    await sleep(50);
  }
  const s = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: ADMIN, password: PASSWORD }),
  });
  const token = (await s.json()).token;
  return {
    url, port, pid: proc.pid, dir, data, token,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((resolve) => {
        if (proc.exitCode !== null) resolve();
        else proc.once('exit', resolve);
      });
      process.off('exit', kill);
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON request with the bench's admin token. */
export async function call(d, method, p, json) {
  const r = await fetch(`${d.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** n public memorials with published tributes, each with a few messages. */
export async function memorials(d, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const m = (await call(d, 'POST', '/api/memorials', {
      title: `清明纪念 ${i}`,
      slug: `qm-${i}`,
      biography: '一生勤勉，爱种花，爱唱京剧。'.repeat(8),
      visibility: 'public',
      moderation: 'publish',
      deceased: { name: `先人${i}`, death_date: '2024-04-04', native_place: '山东济南' },
    })).memorial;
    for (let k = 0; k < 5; k++) {
      await call(d, 'POST', `/api/memorials/${m.id}/tributes`,
        k % 2 ? { kind: 'flower', from_name: `家人${k}` }
          : { kind: 'message', from_name: `家人${k}`, text: '清明时节，想念您。' });
    }
    out.push({ id: m.id, slug: m.slug });
  }
  return out;
}
