// hls_cache.mjs — a crowd of HLS viewers behind nginx's cache, and how far
// behind live HLS plays.
//
//   SINIAN_BIN=build/sinian node bench/hls_cache.mjs [--clients 1000]
//       [--seconds 30] [--latency-seconds 20] [--json]
//
// Starts a daemon (loopback, a temporary data dir) with one public ceremony
// on the test source, and nginx in front of it with the cache configuration
// of docs/scaling.md (its own prefix, a free port). Then:
//
// 1. latency: headless Chromium without RTCPeerConnection opens the player
//    page through nginx and plays over hls.js; every 500 ms it reads how far
//    the frame on screen is behind the clock (the playlist's
//    EXT-X-PROGRAM-DATE-TIME, stamped when the frame entered the encoder:
//    the test source has no camera delay to add);
// 2. idle: the daemon's CPU with nobody watching, for --seconds;
// 3. crowd: wrk with --clients connections, each behaving as an HLS client
//    with 1 s segments (the playlist, then the newest segment, one request
//    every 500 ms), for --seconds; meanwhile the daemon's HLS requests
//    (/metrics), its CPU and nginx's, and nginx's cache statuses.
//
// Prints the figures, the machine and the load average; passes or fails
// nothing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api, freePort } from '../tests/lib/daemon.mjs';
import { launchBrowser } from '../tests/lib/browser.mjs';
import { adminWithAgency, summary, until } from '../tests/lib/live.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CLIENTS = opt('clients', 1000);
const SECONDS = opt('seconds', 30);
const LATENCY_SECONDS = opt('latency-seconds', 20);
const JSON_OUT = args.includes('--json');
const NGINX = process.env.SINIAN_NGINX || '/usr/sbin/nginx';
const WRK = process.env.SINIAN_WRK || '/usr/bin/wrk';
const TICK = 100; // /proc/PID/stat counts clock ticks: getconf CLK_TCK

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => { if (!JSON_OUT) console.log(...a); };

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

/** CPU of a set of processes over a span: percent of one core. */
function cpuMeter(pids) {
  const t0 = performance.now();
  const c0 = pids.map(cpuSeconds);
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const used = pids.map(cpuSeconds).reduce((a, c, i) => a + c - c0[i], 0);
    return Math.round((used / secs) * 1000) / 10;
  };
}

async function hlsRequests(d) {
  const r = await api(d, 'GET', '/metrics');
  let n = 0;
  for (const m of r.text.matchAll(/^sinian_http_requests_total\{method="GET",route="\/hls\/\{id\}\/\{file\}",status="\d+"\} (\d+)$/gm)) {
    n += Number(m[1]);
  }
  return n;
}

function nginxConf(dir, port, upstream) {
  return `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  log_format cache '$upstream_cache_status';
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=hls:10m max_size=1g inactive=2m use_temp_path=off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream sinian_media { server 127.0.0.1:${upstream}; keepalive 16; }
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location / {
      proxy_pass http://sinian_media;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
    # docs/scaling.md: HLS from the cache
    location /hls/ {
      proxy_pass http://sinian_media;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_cache hls;
      proxy_cache_key $uri$is_args$args;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 3s;
      proxy_cache_use_stale updating error timeout http_502 http_503;
      proxy_cache_background_update on;
      proxy_ignore_headers Set-Cookie;
      proxy_hide_header Set-Cookie;
      add_header X-Cache-Status $upstream_cache_status always;
      access_log ${dir}/cache.log cache;
    }
  }
}
`;
}

const WRK_LUA = (id) => `
-- each connection: the playlist, then the newest segment, every 500 ms
local segs = {}
local n = 0
request = function()
  n = n + 1
  if n % 2 == 1 or #segs == 0 then
    return wrk.format("GET", "/hls/${id}/index.m3u8")
  end
  return wrk.format("GET", "/hls/${id}/" .. segs[#segs])
end
response = function(status, headers, body)
  if status == 200 and body:sub(1, 7) == "#EXTM3U" then
    local s = {}
    for line in body:gmatch("[^\\n]+") do
      if line:sub(1, 1) ~= "#" then s[#s + 1] = line end
    end
    if #s > 0 then segs = s end
  end
end
delay = function() return 500 end
`;

/** How old the newest listed segment's end is when the playlist is read. */
async function edgeAge(base, id) {
  const text = await (await fetch(`${base}/hls/${id}/index.m3u8`)).text();
  const all = [...text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(\S+)\n#EXTINF:([\d.]+),/g)];
  const last = all[all.length - 1];
  return last ? Date.now() - (Date.parse(last[1]) + Number(last[2]) * 1000) : null;
}

async function latency(url, base, id) {
  const browser = await launchBrowser();
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await ctx.addInitScript(() => { delete window.RTCPeerConnection; });
    const page = await ctx.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#player[data-transport="hls"][data-view="playing"]', { timeout: 60000 })
      .catch((err) => { throw new Error(`${err.message}\npage: ${problems.join('\n')}`); });
    await sleep(5000); // past the start, where hls.js settles on its position
    const behind = [];
    const edge = [];
    const frames = () => page.evaluate(() => document.getElementById('live-video').getVideoPlaybackQuality().totalVideoFrames);
    const f0 = await frames();
    const t0 = Date.now();
    const end = t0 + LATENCY_SECONDS * 1000;
    while (Date.now() < end) {
      const ms = await page.evaluate(() => {
        const d = window.sinianPlayer.hls?.hls?.playingDate;
        return d ? Date.now() - d.getTime() : null;
      });
      if (ms !== null) behind.push(ms);
      const e = await edgeAge(base, id);
      if (e !== null) edge.push(e);
      await sleep(500);
    }
    const fps = Math.round(((await frames()) - f0) / ((Date.now() - t0) / 1000) * 10) / 10;
    return { behind: summary(behind), edge: summary(edge), fps };
  } finally {
    await browser.close();
  }
}

async function main() {
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const d = await startDaemon({ config: { media_loopback_only: true, demo: false } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinian-bench-nginx-'));
  fs.chmodSync(dir, 0o755); // nginx's workers drop root: they must reach it
  let nginx = null;
  try {
    const { admin, agencyId } = await adminWithAgency(d, { login: 'bench@example.org', password: 'bench password 1949' });
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const c = await api(d, 'POST', '/api/ceremonies', {
      token: admin,
      json: { agency_id: agencyId, title: '清明追思会', deceased_name: '众位先人', scheduled_start: iso(Date.now()),
        scheduled_end: iso(Date.now() + 7200e3), visibility: 'public', source: { kind: 'test' } },
    });
    const id = c.json.id;
    await api(d, 'POST', `/api/ceremonies/${id}/start`, { token: admin });
    await until(async () => (await api(d, 'GET', `/hls/${id}/index.m3u8`)).status === 200, 30000, 'the playlist');

    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, port, d.port));
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'inherit' });
    await until(async () => {
      try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; }
    }, 10000, 'nginx');
    // the master and its workers (the cache loader comes and goes)
    const nginxPids = () => [nginx.pid, ...spawnSync('pgrep', ['-P', String(nginx.pid), '-f', 'worker process'],
      { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number)];

    log(`latency: hls.js through nginx for ${LATENCY_SECONDS} s ...`);
    const { behind: lat, edge, fps } = await latency(`http://127.0.0.1:${port}/c/${id}`, d.url, id);

    log(`idle: ${SECONDS} s ...`);
    const idleCpu = cpuMeter([d.proc.pid]);
    await sleep(SECONDS * 1000);
    const idle = idleCpu();

    log(`crowd: ${CLIENTS} HLS clients for ${SECONDS} s ...`);
    const lua = path.join(dir, 'hls.lua');
    fs.writeFileSync(lua, WRK_LUA(id));
    fs.writeFileSync(path.join(dir, 'cache.log'), '');
    const r0 = await hlsRequests(d);
    const daemonCpu = cpuMeter([d.proc.pid]);
    const nginxCpu = cpuMeter(nginxPids());
    const t0 = performance.now();
    const w = spawnSync(WRK, ['-t', '2', '-c', String(CLIENTS), '-d', `${SECONDS}s`, '--timeout', '5s',
      '-s', lua, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
    const secs = (performance.now() - t0) / 1000;
    const crowd = { daemonCpu: daemonCpu(), nginxCpu: nginxCpu() };
    const r1 = await hlsRequests(d);
    const statuses = {};
    for (const s of fs.readFileSync(path.join(dir, 'cache.log'), 'utf8').split('\n').filter(Boolean)) {
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
    const reqs = /Requests\/sec:\s+([\d.]+)/.exec(w.stdout)?.[1];
    const xfer = /Transfer\/sec:\s+([\d.]+\w+)/.exec(w.stdout)?.[1];
    const errs = /Non-2xx or 3xx responses: (\d+)/.exec(w.stdout)?.[1] ?? '0';
    const sockErr = /Socket errors: (.*)/.exec(w.stdout)?.[1] ?? 'none';
    const out = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      date: new Date().toISOString().slice(0, 10),
      load_at_start: loadBefore,
      latency_behind_clock_ms: lat,
      newest_segment_age_ms: edge,
      player_fps: fps,
      idle_daemon_cpu_percent: idle,
      clients: CLIENTS,
      seconds: Math.round(secs),
      client_requests_per_s: Number(reqs),
      client_transfer_per_s: xfer,
      client_errors: { non_2xx: Number(errs), socket: sockErr },
      daemon_hls_requests_per_s: Math.round(((r1 - r0) / secs) * 100) / 100,
      daemon_cpu_percent: crowd.daemonCpu,
      nginx_cpu_percent: crowd.nginxCpu,
      nginx_cache_status: statuses,
    };
    if (JSON_OUT) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`\nmachine ${out.machine}; ${out.date}; load at start ${loadBefore}`);
      console.log(`HLS behind the clock (hls.js, 1 s segments): median ${lat.median} ms, p95 ${lat.p95} ms, min ${lat.min}, max ${lat.max} (n ${lat.n}); the player showed ${fps} frames/s of 30`);
      console.log(`the newest listed segment's end, when the playlist is read: median ${edge.median} ms old, p95 ${edge.p95} ms`);
      console.log(`daemon CPU with nobody watching: ${idle} % of a core`);
      console.log(`${CLIENTS} clients through nginx: ${reqs} requests/s, ${xfer}/s, non-2xx ${errs}, socket errors ${sockErr}`);
      console.log(`requests reaching the daemon: ${out.daemon_hls_requests_per_s}/s; daemon CPU ${crowd.daemonCpu} %, nginx CPU ${crowd.nginxCpu} %`);
      console.log(`nginx cache: ${JSON.stringify(statuses)}`);
    }
  } finally {
    if (nginx) {
      nginx.kill('SIGQUIT');
      await new Promise((r) => nginx.once('exit', r));
    }
    await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
