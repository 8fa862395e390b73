// coturn (Debian's turnserver) on loopback for the TURN tests, with a
// temporary configuration: the TURN REST scheme (use-auth-secret) with the
// secret the daemon is given, UDP and TCP on one port, no TLS, relaying to
// loopback peers (the daemon's host candidates are on 127.0.0.1).
//
//   const turn = await startCoturn({ secret: 'abc' });
//   turn.port; turn.urls;    // ['turn:127.0.0.1:P?transport=udp', '...tcp']
//   turn.log();              // what it logged so far
//   await turn.stop();
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './daemon.mjs';

export const TURNSERVER = process.env.SINIAN_TURNSERVER || '/usr/bin/turnserver';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A username/credential pair by the TURN REST scheme, as sinian mints it. */
export function restCredential(secret, expiresUnix, tag = 'test') {
  const username = `${expiresUnix}:${tag}`;
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

async function tcpOpen(host, port, limitMs) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, host, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

/**
 * Start turnserver. opts.secret (required), opts.listen (default
 * 127.0.0.1), opts.relay (default 127.0.0.1), opts.extra (more config
 * lines). Resolves once it accepts TCP on its port.
 */
export async function startCoturn({ secret, listen = '127.0.0.1', relay = '127.0.0.1', extra = [] }) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-coturn-'));
  const port = await freePort();
  // a relay port range of its own, away from the ephemeral ports
  const minPort = 40000 + (port % 200) * 100;
  const conf = [
    `listening-ip=${listen}`,
    `listening-port=${port}`,
    `relay-ip=${relay}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 99}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'realm=sinian.test',
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'allow-loopback-peers',
    `userdb=${path.join(dir, 'turndb')}`,
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    'log-file=stdout',
    'simple-log',
    ...extra,
  ];
  const confPath = path.join(dir, 'turnserver.conf');
  await fsp.writeFile(confPath, conf.join('\n') + '\n');
  const proc = spawn(TURNSERVER, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b) => { out += b; });
  proc.stderr.on('data', (b) => { out += b; });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const kill = () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } };
  process.once('exit', kill);
  if (!(await tcpOpen(listen, port, 10000))) {
    kill();
    throw new Error(`turnserver did not start:\n${out}`);
  }
  return {
    port,
    host: listen,
    urls: [`turn:${listen}:${port}?transport=udp`, `turn:${listen}:${port}?transport=tcp`],
    log: () => out,
    async stop() {
      proc.kill('SIGTERM');
      const t = setTimeout(kill, 3000);
      await exited;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
