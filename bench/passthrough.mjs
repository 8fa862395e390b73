#!/usr/bin/env node
// passthrough.mjs — what passing a publisher's H.264 through saves: the
// daemon's CPU with one WHIP publisher and one viewer, pass-through on
// (media_passthrough = true, the default) and off (decoded and encoded
// once more).
//
//   node bench/passthrough.mjs [--window 20] [--width 1280] [--joins 10] [--json]
//   SINIAN_BIN=build/sinian node bench/passthrough.mjs
//
// For each mode: starts its own daemon (loopback ICE, a temporary data
// dir), creates a whip ceremony, publishes from headless Chromium with a
// fake camera (--width x 9/16 at 30 fps, Chromium's own H.264 encoder:
// constrained baseline) and joins with the player page /c/{id}; after 5 s
// of settling it measures, over --window seconds, the daemon's CPU (utime +
// stime from /proc/PID/stat, in % of one core), its RSS, the frames the
// viewer decoded and their width, and what the publisher sent. Then
// --joins more viewers open the player page one after the other: the time
// from their WHEP POST to their first decoded frame (a pass-through
// viewer waits for the publisher's key frame, asked by PLI; the encoder
// fills in if it is late by a second) and how often the encoder filled
// in. Chromium's own CPU is not counted. Prints the figures and the
// machine; it does not pass or fail.
import os from 'node:os';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startDaemon, api } from '../tests/lib/daemon.mjs';
import { launchBrowser } from '../tests/lib/browser.mjs';
import { adminWithAgency, summary, whipPublish } from '../tests/lib/live.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || def : def;
};
const WINDOW_S = arg('--window', 20);
const WIDTH = arg('--width', 1280);
const JOINS = arg('--joins', 10);
const AS_JSON = args.includes('--json');
const ADMIN = { login: 'bench@example.org', password: 'bench password 1234' };
const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Fresh player pages, one at a time: WHEP POST → first decoded frame.
async function joins(browser, url, id) {
  const ms = [];
  for (let i = 0; i < JOINS; i++) {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${url}/c/${id}`);
    await p.waitForFunction(() => window.sinianPlayer?.player?.firstFrameMs != null, null, { timeout: 20000 });
    ms.push(await p.evaluate(() => window.sinianPlayer.player.firstFrameMs));
    await p.close({ runBeforeUnload: true });
    await ctx.close();
    await sleep(1500); // let a fill-in end before the next join
  }
  return summary(ms);
}

const fillIns = (d) => (d.log().match(/the encoder fills in/g) ?? []).length;

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime, stime
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function sent(page) {
  return page.evaluate(async () => {
    const out = { frames: 0, width: 0 };
    (await window.publisher.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.frames = s.framesEncoded ?? 0;
        out.width = s.frameWidth ?? 0;
      }
    });
    return out;
  });
}

async function received(page) {
  return page.evaluate(async () => {
    const pc = window.sinianPlayer?.pc;
    const out = { frames: 0, width: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.frames = s.framesDecoded ?? 0;
        out.width = s.frameWidth ?? 0;
      }
    });
    return out;
  });
}

async function runMode(passthrough, browser) {
  const d = await startDaemon({ config: { media_loopback_only: true, media_passthrough: passthrough } });
  const ctx = [];
  try {
    const { admin: token, agencyId } = await adminWithAgency(d, ADMIN, 'Bench funeral home');
    const c = await api(d, 'POST', '/api/ceremonies', {
      token,
      json: {
        agency_id: agencyId, title: 'Pass-through bench', deceased_name: 'Bench',
        scheduled_start: '2026-04-04T09:00:00Z', scheduled_end: '2026-04-04T10:00:00Z',
        visibility: 'public', source: { kind: 'whip' },
      },
    });
    if (c.status !== 201) throw new Error(`ceremony: ${c.status} ${c.text}`);
    const { id, stream_key: key } = c.json;
    const pubCtx = await browser.newContext();
    ctx.push(pubCtx);
    const pub = await pubCtx.newPage();
    await pub.goto(`${d.url}/healthz`);
    const p = await whipPublish(pub, { id, key, width: WIDTH });
    if (p.status !== 201) throw new Error(`WHIP ${p.status}: ${p.text}`);
    for (let i = 0; i < 150 && !(await api(d, 'GET', `/api/ceremonies/${id}`)).json.source_live; i++) await sleep(100);
    const viewCtx = await browser.newContext();
    ctx.push(viewCtx);
    const viewer = await viewCtx.newPage();
    await viewer.goto(`${d.url}/c/${id}`);
    await viewer.waitForSelector('#player[data-view="playing"]', { timeout: 20000 });
    await sleep(5000); // publisher's bandwidth estimate and encoder settle

    const t0 = Date.now();
    const c0 = cpuTicks(d.proc.pid);
    const r0 = await received(viewer);
    const s0 = await sent(pub);
    await sleep(WINDOW_S * 1000);
    const secs = (Date.now() - t0) / 1000;
    const cpu = ((cpuTicks(d.proc.pid) - c0) / TICK / secs) * 100;
    const r1 = await received(viewer);
    const s1 = await sent(pub);
    const state = (await api(d, 'GET', `/api/ceremonies/${id}`, { token })).json;
    const filled = fillIns(d);
    const join = JOINS > 0 ? await joins(browser, d.url, id) : null;
    return {
      join_post_to_first_frame_ms: join,
      encoder_fill_ins_during_joins: fillIns(d) - filled,
      media_passthrough: passthrough,
      video_passthrough: state.video_passthrough,
      daemon_cpu_pct: Number(cpu.toFixed(1)),
      daemon_rss_mib: Number(rssMiB(d.proc.pid).toFixed(1)),
      publisher_fps: Number(((s1.frames - s0.frames) / secs).toFixed(1)),
      publisher_width: s1.width,
      viewer_fps: Number(((r1.frames - r0.frames) / secs).toFixed(1)),
      viewer_width: r1.width,
      window_s: Number(secs.toFixed(1)),
    };
  } finally {
    for (const c of ctx) await c.close().catch(() => {});
    await d.stop();
  }
}

async function main() {
  const loadBefore = os.loadavg()[0].toFixed(2);
  const browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  const rows = [];
  try {
    rows.push(await runMode(true, browser));
    rows.push(await runMode(false, browser));
  } finally {
    await browser.close();
  }
  const machine = {
    cpu: os.cpus()[0]?.model, cpus: os.cpus().length,
    memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)), kernel: os.release(),
    load_average_at_start: Number(loadBefore), date: new Date().toISOString(),
  };
  if (AS_JSON) {
    console.log(JSON.stringify({ machine, rows }, null, 2));
    return;
  }
  console.log(`machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.memory_gib} GiB, Linux ${machine.kernel}`);
  console.log(`load average at start: ${machine.load_average_at_start}; window ${WINDOW_S} s; camera ${WIDTH} wide`);
  console.log('media_passthrough | passed through | daemon CPU | daemon RSS | publisher fps, width | viewer fps, width | ' +
    'join: POST → first frame median, p95, max | encoder fill-ins');
  for (const r of rows) {
    const j = r.join_post_to_first_frame_ms;
    console.log(`${String(r.media_passthrough).padEnd(17)} | ${String(r.video_passthrough).padEnd(14)} | ` +
      `${r.daemon_cpu_pct} % | ${r.daemon_rss_mib} MiB | ${r.publisher_fps}, ${r.publisher_width} | ` +
      `${r.viewer_fps}, ${r.viewer_width} | ` +
      `${j ? `${Math.round(j.median)}, ${Math.round(j.p95)}, ${Math.round(j.max)} ms (n=${j.n})` : '-'} | ${r.encoder_fill_ins_during_joins}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
