// A real redis-server for integration tests and benches: a free loopback
// port, no persistence, stopped by stop() and killed if the test process
// exits without stopping it. kill() is a crash (SIGKILL); start() again
// brings it back on the same port, empty.
//
//   const r = await startRedis();
//   const d = await startDaemon({ config: { redis_url: r.url } });
//   await r.kill();   // the outage
//   await r.start();  // back, empty
//   await r.stop();
//
// redis-server comes from scripts/deps.sh (Debian's redis-server package).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from './daemon.mjs';

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Send one inline command, resolve with the first reply line. */
export function redisCommand(port, line, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('redis: timeout')); }, timeoutMs);
    sock.on('connect', () => sock.write(`${line}\r\n`));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const reply = parseReply(buf);
      if (reply === undefined) return;
      clearTimeout(timer);
      sock.end();
      resolve(reply);
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

// Enough RESP for tests: status, error, integer, bulk string, nil.
function parseReply(buf) {
  const nl = buf.indexOf('\r\n');
  if (nl < 0) return undefined;
  const head = buf.slice(0, nl);
  const kind = head[0];
  const rest = head.slice(1);
  if (kind === '+' || kind === '-') return rest;
  if (kind === ':') return Number(rest);
  if (kind === '$') {
    const n = Number(rest);
    if (n < 0) return null;
    if (buf.length < nl + 2 + n + 2) return undefined;
    return buf.slice(nl + 2, nl + 2 + n);
  }
  return head;
}

export async function startRedis(opts = {}) {
  const port = opts.port ?? await freePort();
  let proc = null;
  let log = '';

  async function start() {
    log = '';
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', '/tmp'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc);
    proc.unref();
    for (const s of [proc.stdout, proc.stderr]) {
      s.unref?.();
      s.on('data', (d) => { log += d; });
    }
    const spawnError = new Promise((resolve) => proc.once('error', resolve));
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
      const err = await Promise.race([spawnError, sleep(25).then(() => null)]);
      if (err) throw new Error(`cannot run redis-server (scripts/deps.sh): ${err.message}`);
      if (proc.exitCode !== null) throw new Error(`redis-server exited:\n${log}`);
      try {
        if ((await redisCommand(port, 'PING', 300)) === 'PONG') return;
      } catch { /* not yet */ }
    }
    throw new Error(`redis-server did not answer on ${port}:\n${log}`);
  }

  async function halt(signal) {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.ref();
    const gone = new Promise((resolve) => p.once('exit', resolve));
    p.kill(signal);
    await gone;
    live.delete(p);
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    /** A crash: SIGKILL, nothing saved. */
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGKILL'),
    command: (line) => redisCommand(port, line),
    alive: () => !!proc && proc.exitCode === null && proc.signalCode === null,
  };
}
