#!/usr/bin/env node
// join_burst.mjs — a hundred relatives joining within one second: does
// every one get a picture, and how many key frames does that cost the
// encoder?
//
//   node bench/join_burst.mjs [--viewers 100] [--engine lite|webrtcbin]
//        [--server-cpu 0] [--client-cpu 1] [--json]
//
// Starts the daemon ($SINIAN_BIN, else build/sinian; loopback, a temporary
// data dir) with one live ceremony on its test source (720p30, a key frame
// every 60 frames), pinned to --server-cpu, and lets it run 4 s. Then
// bench/lviewers ($LVIEWERS_BIN), pinned to --client-cpu, joins --viewers
// viewers at --viewers a second (all within one second), waits for each
// one's first complete key frame, holds 3 s and leaves. The daemon's
// /metrics counters of the encoder's key frames
// (sinian_encoder_keyframes_total, sinian_encoder_keyframes_forced_total)
// are read before and after: the key frames the burst forced are the
// difference of the forced counter; the total's difference, against the
// GOP's natural ones over the same span, is shown beside it. Prints the
// figures; it does not pass or fail.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, REPO } from '../tests/lib/daemon.mjs';
import { adminWithAgency, liveTestCeremony } from '../tests/lib/live.mjs';

const LVIEWERS = process.env.LVIEWERS_BIN || path.join(REPO, 'build', 'bench', 'lviewers');
const ADMIN = { login: 'bench@example.org', password: 'bench password 1234' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function options(argv) {
  const o = { viewers: 100, engine: null, serverCpu: '0', clientCpu: '1', json: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--viewers') o.viewers = Number(argv[++i]);
    else if (a === '--engine') o.engine = argv[++i];
    else if (a === '--server-cpu') o.serverCpu = argv[++i];
    else if (a === '--client-cpu') o.clientCpu = argv[++i];
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** The sum over ceremonies of a /metrics counter, or null if absent. */
async function counter(d, name) {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  let sum = null;
  for (const line of text.split('\n')) {
    const m = line.match(new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+]+)$`));
    if (m) sum = (sum ?? 0) + Number(m[2]);
  }
  return sum;
}

async function keyframes(d) {
  return {
    at: Date.now(),
    total: await counter(d, 'sinian_encoder_keyframes_total'),
    forced: await counter(d, 'sinian_encoder_keyframes_forced_total'),
  };
}

function lviewers(o, args) {
  return new Promise((resolve, reject) => {
    const p = spawn('taskset', ['-c', o.clientCpu, LVIEWERS, ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (s) => { out += s; });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`lviewers exited with ${code}\n${out}`));
      else resolve({ summary: JSON.parse(line), out });
    });
  });
}

async function main() {
  const o = options(process.argv);
  // every viewer comes from 127.0.0.1: lift the per-address cap
  const config = { media_loopback_only: true, rate_limit_writes: 1000000, max_viewers_per_address: 100000, max_connections_per_address: 0, log_level: 'warn' };
  if (o.engine) config.media_engine = o.engine;
  const d = await startDaemon({ config });
  try {
    spawnSync('taskset', ['-a', '-cp', o.serverCpu, String(d.proc.pid)]);
    const { admin, agencyId } = await adminWithAgency(d, ADMIN, 'Bench funeral home');
    const id = await liveTestCeremony(d, admin, agencyId, 20000);
    await sleep(4000); // the encoder settles; its first key frames are behind us
    const load = os.loadavg()[0].toFixed(2);
    const before = await keyframes(d);
    const { summary, out } = await lviewers(o, ['--whep', `${d.url}/whep/${id}`,
      '--server-pid', String(d.proc.pid), '--steps', String(o.viewers),
      '--join-rate', String(o.viewers), '--settle', '0', '--hold', '3', '--json']);
    const after = await keyframes(d);
    const step = summary.steps.find((s) => s.viewers === o.viewers) ?? {};
    const spanS = (after.at - before.at) / 1000;
    const commit = spawnSync('git', ['-C', REPO, 'describe', '--always', '--dirty'],
      { encoding: 'utf8' }).stdout.trim();
    const r = {
      date: new Date().toISOString(),
      commit,
      engine: o.engine ?? 'default',
      machine: `${os.cpus()[0].model}, ${os.cpus().length} CPUs, Linux ${os.release()}`,
      load_at_start: load,
      viewers: o.viewers,
      with_picture: step.joins ?? 0,
      receiving: step.up ?? 0,
      join_errors: summary.join_errors,
      join_med_ms: Math.round(step.join_med_ms),
      join_p95_ms: Math.round(step.join_p95_ms),
      join_max_ms: Math.round(step.join_max_ms),
      span_s: Number(spanS.toFixed(1)),
      keyframes_forced: after.forced === null ? null : after.forced - before.forced,
      keyframes_total: after.total === null ? null : after.total - before.total,
      keyframes_natural: Number((spanS / 2).toFixed(1)), // GOP: 60 frames at 30 fps
    };
    if (o.json) {
      console.log(JSON.stringify(r));
      return;
    }
    process.stdout.write(out.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
    console.log(`\njoin burst — ${r.date}, sinian ${r.commit}, media_engine ${r.engine}`);
    console.log(`machine: ${r.machine}; load average ${r.load_at_start} at the start`);
    console.log(`${r.viewers} viewers joined within one second: ${r.with_picture} got a ` +
      `complete key frame (${r.receiving} receiving at the end, ${r.join_errors} join errors)`);
    console.log(`POST → first key frame: median ${r.join_med_ms} ms, p95 ${r.join_p95_ms} ms, ` +
      `max ${r.join_max_ms} ms`);
    if (r.keyframes_forced === null) {
      console.log('key frames: this daemon does not count them in /metrics');
    } else {
      console.log(`key frames over the ${r.span_s} s of the burst: ${r.keyframes_forced} forced; ` +
        `${r.keyframes_total ?? '?'} in all, against ~${r.keyframes_natural} from the GOP alone`);
    }
  } finally {
    await d.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
