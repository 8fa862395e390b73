// A real nginx for tests and benches: in front of a daemon as a shared
// cache (proxy_cache, which follows the daemon's Cache-Control), or
// serving a directory of static files. A free loopback port, a temporary
// prefix of its own, no root needed (one process: master_process off);
// stopped by stop() and killed if the test process exits without it.
//
//   const n = await startNginx({ upstream: d.port });   // cache in front
//   const r = await fetch(`${n.url}/api/memorials/1`);
//   r.headers.get('x-cache')                            // MISS, HIT, ...
//   const s = await startNginx({ root: dir, workers: 2 }); // static files
//   await n.stop();
//
// nginx comes from scripts/deps.sh (Debian's nginx package).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './daemon.mjs';

export const NGINX = process.env.SINIAN_NGINX || '/usr/sbin/nginx';

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function config({ port, prefix, upstream, root, workers }) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${prefix}/${t};`).join('\n');
  const site = upstream ? `
  proxy_cache_path ${prefix}/cache keys_zone=pages:1m;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache pages;
      add_header X-Cache $upstream_cache_status always;
    }
  }` : `
  server {
    listen 127.0.0.1:${port};
    root ${root};
    default_type application/json;
    keepalive_requests 1000000;
  }`;
  // as root, workers would switch to "nobody" and not read our temp dirs
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `# written by tests/lib/nginx.mjs
${user}daemon off;
master_process ${workers > 1 ? 'on' : 'off'};
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
${temp}
${site}
}
`;
}

/**
 * Start nginx; resolves once it answers on its port.
 * opts.upstream  a daemon's port: proxy to it through a shared cache
 * opts.root      a directory: serve its files
 * opts.workers   worker processes (static serving; default 1)
 */
export async function startNginx(opts = {}) {
  const prefix = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-nginx-'));
  const port = await freePort();
  const workers = opts.workers ?? 1;
  const conf = path.join(prefix, 'nginx.conf');
  await fsp.writeFile(conf, config({ port, prefix, workers, ...opts }));
  const proc = spawn(NGINX, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(proc);
  let err = '';
  proc.stderr.on('data', (s) => { err += s; });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(`nginx exited: ${err}${fs.readFileSync(path.join(prefix, 'error.log'), 'utf8')}`);
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url}: ${err}`);
    }
    await sleep(50);
  }
  return {
    url,
    port,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGQUIT');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      live.delete(proc);
      await fsp.rm(prefix, { recursive: true, force: true });
    },
  };
}
