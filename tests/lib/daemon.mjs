// Start and stop a real sinian daemon for integration and browser tests.
//
// Each daemon gets a free loopback port and a temporary data dir of its own,
// its output is captured (echoed to stderr when SINIAN_TEST_VERBOSE is set),
// and stop() fails the test on a wrong exit code or on any sanitizer report.
//
//   const d = await startDaemon({ config: { redis_url: '' } });
//   const r = await api(d, 'GET', '/healthz');
//   const ws = await wsConnect(d);
//   await d.stop();
//
// The binary is $SINIAN_BIN (set by ctest), else <repo>/build/sinian.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.SINIAN_BIN || path.join(REPO, 'build', 'sinian');

const HEALTH_POLL_MS = 50;
// Sanitizer builds start several times slower, more so on a busy machine.
const START_LIMIT_MS = process.env.SINIAN_SANITIZE === "1" ? 60000 : 20000;
const STOP_LIMIT_MS = 15000;
// gdb reads the symbols of GStreamer and every plugin: slow under ASan on a
// busy machine, but bounded.
const STACKS_LIMIT_MS = 90000;
const STACKS_MAX_BYTES = 512 * 1024;
const BIND_ATTEMPTS = 5;
const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:|LeakSanitizer/;
const BIND_FAIL_RE = /\bbind|binding|address already in use|EADDRINUSE|in use/i;

// Daemons and temp paths still alive; killed and removed if the test process
// exits without stopping them (a failed assertion, an uncaught error).
const live = new Set();
const owned = new Set();
function reapAll() {
  for (const proc of live) {
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const p of owned) {
    try { fs.rmSync(p, { recursive: true, force: true }); } catch { /* ignore */ }
  }
}
process.on('exit', reapAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    reapAll();
    process.kill(process.pid, sig);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function configText(config) {
  const lines = ['# written by tests/lib/daemon.mjs'];
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    lines.push(`${key} = ${value}`);
  }
  return lines.join('\n') + '\n';
}

// Resolves with { code, signal } once the process has exited and its output
// pipes are drained (or 2 s after exit, if a grandchild holds them open).
function exitOf(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      resolve({ code, signal });
    };
    proc.once('close', finish);
    proc.once('exit', (code, signal) => setTimeout(() => finish(code, signal), 2000).unref());
  });
}

/**
 * Every thread's stack of a running process, from gdb (attached, then
 * detached; the process goes on). Never throws: a missing gdb or a failed
 * attach is said in the text returned.
 */
export function threadStacks(pid) {
  const args = ['-nx', '-batch', '-iex', 'set debuginfod enabled off',
    '-p', String(pid), '-ex', 'thread apply all bt'];
  return new Promise((resolve) => {
    execFile('gdb', args, { timeout: STACKS_LIMIT_MS, killSignal: 'SIGKILL', maxBuffer: STACKS_MAX_BYTES },
      (err, stdout, stderr) => {
        const out = `${stdout ?? ''}${stderr ?? ''}`.trim();
        if (err?.code === 'ENOENT') resolve('(no stacks: gdb is not installed; scripts/deps.sh --test installs it)');
        else if (/already traced/.test(out)) {
          resolve(`${out}\n(no stacks: another tracer holds the process; in a sanitizer build ` +
                  'that is LeakSanitizer checking for leaks as the process exits)');
        }
        else if (err && !out) resolve(`(no stacks: gdb failed: ${err.message})`);
        else if (err?.killed) resolve(`${out}\n(gdb stopped after ${STACKS_LIMIT_MS / 1000} s)`);
        else resolve(out);
      });
  });
}

function describeExit({ code, signal }) {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

async function waitHealthy(url, proc, exited) {
  const deadline = Date.now() + START_LIMIT_MS;
  let gone = null;
  exited.then((e) => { gone = e; });
  while (Date.now() < deadline) {
    if (gone) return { exited: gone };
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      return { ok: true };
    } catch { /* not listening yet */ }
    await sleep(HEALTH_POLL_MS);
  }
  proc.ref();
  proc.kill('SIGKILL');
  await exited;
  return { timedOut: true };
}

/**
 * Start a daemon; resolves once GET /healthz answers.
 *
 * opts.config   object key -> value, written as an INI file and passed with --config
 * opts.args     extra command-line arguments
 * opts.env      extra environment (a null/undefined value removes the variable)
 * opts.dataDir  reuse this data dir (restart after kill9() or stop({keep:true}));
 *               it then belongs to the new daemon and is removed by its stop();
 *               dirs not removed by a stop() go when the test process exits
 * opts.port     listen on this port (no retry on a bind failure)
 * opts.bin      binary to run instead of $SINIAN_BIN
 */
export async function startDaemon(opts = {}) {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ??
    await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-test-'));
  owned.add(dataDir);
  // The demo ceremony runs a live encoder; tests that want it ask for it.
  // SINIAN_MEDIA_ENGINE runs the media tests on another viewer engine.
  const engine = process.env.SINIAN_MEDIA_ENGINE
    ? { media_engine: process.env.SINIAN_MEDIA_ENGINE } : {};
  const config = { demo_ceremony: false, ...engine, ...(opts.config ?? {}) };
  const confFile = `${dataDir}.conf`;
  await fsp.writeFile(confFile, configText(config));
  owned.add(confFile);
  const env = { ...process.env };
  // GLib and GStreamer have no frame pointers: without a full unwind a leak
  // report stops at g_malloc and tests/lsan.supp cannot tell whose it is.
  if (!/fast_unwind_on_malloc/.test(env.LSAN_OPTIONS ?? '')) {
    env.LSAN_OPTIONS = [env.LSAN_OPTIONS, 'fast_unwind_on_malloc=0']
      .filter(Boolean).join(':');
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  const bin = opts.bin ?? BIN;
  const attempts = opts.port ? 1 : BIND_ATTEMPTS;
  // A failed start removes the data dir only if this call made it.
  const fail = (message, extra) => {
    cleanup(confFile, ownDir ? dataDir : null);
    throw Object.assign(new Error(message), extra);
  };
  let last = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? await freePort();
    const args = [];
    if (confFile) args.push('--config', confFile);
    args.push('--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...(opts.args ?? []));
    const r = await launch(bin, args, env, port, dataDir, confFile);
    if (r.spawnError) {
      fail(`cannot run ${bin}: ${r.spawnError.message}` +
           ' (build it with scripts/build.sh, or set SINIAN_BIN)');
    }
    if (r.timedOut) {
      fail(`sinian did not answer /healthz within ${START_LIMIT_MS / 1000} s\n` +
           `--- daemon log ---\n${r.log}`, { log: r.log });
    }
    if (r.daemon) return r.daemon;
    last = r;
    if (!BIND_FAIL_RE.test(r.log)) {
      fail(`sinian exited during start-up (${describeExit(r.exited)})\n` +
           `command: ${bin} ${args.join(' ')}\n--- daemon log ---\n${r.log}`,
           { log: r.log, exit: r.exited });
    }
  }
  fail(`sinian could not bind a port in ${attempts} attempts\n` +
       `--- daemon log ---\n${last.log}`, { log: last.log, exit: last.exited });
}

function cleanup(...paths) {
  // null entries are skipped
  for (const p of paths) {
    if (!p) continue;
    fs.rmSync(p, { recursive: true, force: true });
    owned.delete(p);
  }
}

async function launch(bin, args, env, port, dataDir, confFile) {
  const chunks = [];
  const verbose = !!process.env.SINIAN_TEST_VERBOSE;
  const log = () => chunks.join('');
  const proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  // A daemon a failed test never stopped must not keep the test process
  // alive: unref it, and the exit handler above kills it.
  proc.unref();
  const spawnError = new Promise((resolve) => proc.once('error', resolve));
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.unref?.();
    stream.setEncoding('utf8');
    stream.on('data', (s) => {
      chunks.push(s);
      if (verbose) process.stderr.write(s);
    });
  }
  const exited = exitOf(proc).then((e) => { live.delete(proc); return e; });
  // While a caller waits for the exit, the process must hold the loop open.
  const holdOpen = () => {
    proc.ref();
    proc.stdout.ref?.();
    proc.stderr.ref?.();
  };
  const url = `http://127.0.0.1:${port}`;
  const first = await Promise.race([
    waitHealthy(url, proc, exited),
    spawnError.then((err) => ({ spawnError: err })),
  ]);
  if (first.spawnError) return { spawnError: first.spawnError };
  if (first.timedOut) return { timedOut: true, log: log() };
  if (first.exited) return { exited: first.exited, log: log() };

  let stopped = null;
  const daemon = {
    url,
    port,
    dataDir,
    confFile,
    proc,
    log,

    /** Signal the daemon, wait for it, check exit code and sanitizer output. */
    async stop({ signal = 'SIGTERM', expectCode = 0, timeoutMs = STOP_LIMIT_MS, keep = false } = {}) {
      if (stopped) return stopped;
      stopped = (async () => {
        try {
          holdOpen();
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          let timer;
          const late = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, null); });
          const e = await Promise.race([exited, late]);
          clearTimeout(timer);
          if (!e) {
            const stacks = await threadStacks(proc.pid);
            proc.kill('SIGKILL');
            await exited;
            throw new Error(`sinian did not exit within ${timeoutMs / 1000} s of ${signal}\n` +
                            `--- daemon log ---\n${log()}\n` +
                            `--- threads of pid ${proc.pid} before SIGKILL ---\n${stacks}`);
          }
          if (expectCode !== null && e.code !== expectCode) {
            throw new Error(`sinian ${describeExit(e)}, expected exit code ${expectCode}\n` +
                            `--- daemon log ---\n${log()}`);
          }
          checkSanitizers(log());
          return e;
        } finally {
          if (!keep) cleanup(dataDir, confFile);
        }
      })();
      return stopped;
    },

    /** SIGKILL, as a power cut would. The data dir stays for a restart with
     *  startDaemon({ dataDir: d.dataDir }) and goes when the test process ends. */
    async kill9() {
      holdOpen();
      proc.kill('SIGKILL');
      const e = await exited;
      stopped = Promise.resolve(e);
      return e;
    },

    /** True while the process runs. */
    alive() {
      return proc.exitCode === null && proc.signalCode === null;
    },
  };
  return { daemon };
}

function checkSanitizers(text) {
  const bad = text.split('\n').filter((l) => SANITIZER_RE.test(l));
  if (bad.length) {
    throw new Error(`sanitizer report in the daemon's output:\n${bad.join('\n')}\n` +
                    `--- daemon log ---\n${text}`);
  }
}

/**
 * One HTTP request to the daemon. Never follows redirects.
 * opts: json (sent as application/json), body (sent as is), headers,
 * cookie (string, or object name -> value), token (Bearer), timeoutMs.
 * Resolves with { status, headers (a Headers), cookies (Set-Cookie lines),
 * json (parsed body or null), text }.
 */
export async function api(d, method, urlPath, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  if (opts.cookie) {
    headers.cookie = typeof opts.cookie === 'string' ? opts.cookie
      : Object.entries(opts.cookie).map(([k, v]) => `${k}=${v}`).join('; ');
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(d.url + urlPath, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30000),
  });
  const text = await res.text();
  let json = null;
  if (text.length) {
    try { json = JSON.parse(text); } catch { /* not JSON */ }
  }
  return {
    status: res.status,
    headers: res.headers,
    cookies: res.headers.getSetCookie(),
    json,
    text,
  };
}

/** "name=value; name2=value2" from the Set-Cookie lines of an api() result. */
export function cookiesOf(res) {
  return res.cookies.map((c) => c.split(';')[0].trim()).join('; ');
}

/**
 * Open a WebSocket to the daemon; resolves once it is open.
 * opts: headers, cookie, token, protocols.
 * The wrapper keeps every message it has not handed out yet, so next() finds
 * a matching message whether it arrived before or after the call.
 */
export function wsConnect(d, urlPath = '/ws', opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const wsUrl = d.url.replace(/^http/, 'ws') + urlPath;
  const sock = new WebSocket(wsUrl, opts.protocols, { headers });
  const inbox = [];
  const all = [];
  const waiters = new Set();
  let closeInfo = null;

  sock.on('message', (data, isBinary) => {
    let msg;
    if (isBinary) msg = data;
    else {
      const s = data.toString('utf8');
      try { msg = JSON.parse(s); } catch { msg = s; }
    }
    all.push(msg);
    for (const w of waiters) {
      if (w.try(msg)) return;
    }
    inbox.push(msg);
  });
  const closed = new Promise((resolve) => {
    sock.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      for (const w of waiters) w.fail(new Error(`websocket closed (${code} ${closeInfo.reason})`));
      resolve(closeInfo);
    });
  });

  const wrapper = {
    ws: sock,
    messages: all,
    closed,
    send(obj) {
      sock.send(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
    },
    next(want = () => true, timeoutMs = 3000) {
      // A predicate that throws (m.type on null) simply does not match.
      const predicate = (m) => { try { return !!want(m); } catch { return false; } };
      const i = inbox.findIndex(predicate);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      if (closeInfo) {
        return Promise.reject(new Error(`websocket closed (${closeInfo.code} ${closeInfo.reason})`));
      }
      return new Promise((resolve, reject) => {
        const w = {
          try(msg) {
            if (!predicate(msg)) return false;
            done();
            resolve(msg);
            return true;
          },
          fail(err) { done(); reject(err); },
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching websocket message within ${timeoutMs} ms; ` +
                           `unclaimed: ${JSON.stringify(inbox).slice(0, 2000)}`));
        }, timeoutMs);
        const done = () => { clearTimeout(timer); waiters.delete(w); };
        waiters.add(w);
      });
    },
    close(code = 1000) {
      if (!closeInfo) sock.close(code);
      return closed;
    },
  };

  return new Promise((resolve, reject) => {
    sock.once('open', () => {
      sock.off('error', reject);
      sock.on('error', () => { /* reported through close */ });
      resolve(wrapper);
    });
    sock.once('error', reject);
  });
}
