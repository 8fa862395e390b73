// lcompare.mjs — sinian and Janus side by side, with the same load client
// (bench/lviewers) on the same stream, in one run.
//
//   node bench/lcompare.mjs [--steps 100,200,400,...] [--janus-steps 10,20,40,...]
//        [--engine lite|webrtcbin] [--hold 10] [--settle 3] [--server-cpu 0]
//        [--client-cpu 1] [--threads 1] [--only sinian|janus]
//        [--janus-event-loops 0] [--janus-ice-lite] [--csv DIR] [--json]
//
// sinian: the daemon ($SINIAN_BIN, else build/sinian) on a free loopback
// port with a temporary data dir (tests/lib/daemon.mjs), its viewer engine
// --engine (default: the daemon's default, lite), one public
// ceremony on its test source (1280x720 at 30 fps, x264 at 1500 kbit/s,
// key frame every 60 frames, Opus 64 kbit/s), started and live.
// Janus: bench/janus.sh (Debian's janus, the streaming plugin, a gst-launch
// feed with the same settings). Each server, with its feed, is pinned to
// --server-cpu and the client to --client-cpu with taskset; one server runs
// at a time. The client is $LVIEWERS_BIN, else build/bench/lviewers; its
// table is shown as it runs, then the comparison. Nothing passes or fails.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, REPO } from '../tests/lib/daemon.mjs';
import { adminWithAgency, liveTestCeremony, until } from '../tests/lib/live.mjs';

const LVIEWERS = process.env.LVIEWERS_BIN || path.join(REPO, 'build', 'bench', 'lviewers');
const JANUS_SH = path.join(REPO, 'bench', 'janus.sh');
const ADMIN = { login: 'bench@example.org', password: 'bench password 1234' };

function options(argv) {
  const o = {
    steps: '100,200,400,600,800,1000,1200,1500,2000',
    janusSteps: '10,20,40,60,80,100,150,200,300,400', engine: null,
    hold: 10, settle: 3, serverCpu: '0', clientCpu: '1', threads: 1,
    only: null, janusLoops: 0, janusIceLite: false, csv: null, json: false,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--steps') o.steps = v();
    else if (a === '--janus-steps') o.janusSteps = v();
    else if (a === '--engine') o.engine = v();
    else if (a === '--hold') o.hold = Number(v());
    else if (a === '--settle') o.settle = Number(v());
    else if (a === '--server-cpu') o.serverCpu = v();
    else if (a === '--client-cpu') o.clientCpu = v();
    else if (a === '--threads') o.threads = Number(v());
    else if (a === '--only') o.only = v();
    else if (a === '--janus-event-loops') o.janusLoops = Number(v());
    else if (a === '--janus-ice-lite') o.janusIceLite = true;
    else if (a === '--csv') o.csv = v();
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Run lviewers pinned to the client CPU; echo its table, return its JSON. */
function runClient(o, label, args) {
  const csv = o.csv ? ['--csv', path.join(o.csv, `${label}.csv`)] : [];
  const argv = ['-c', o.clientCpu, LVIEWERS, ...args, '--hold', String(o.hold),
    '--settle', String(o.settle), '--threads', String(o.threads),
    '--label', label, '--json', ...csv];
  return new Promise((resolve, reject) => {
    const p = spawn('taskset', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let json = null;
    let rest = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (s) => {
      rest += s;
      const lines = rest.split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (line.startsWith('{')) json = JSON.parse(line);
        else process.stdout.write(`${line}\n`);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0 || !json) reject(new Error(`lviewers (${label}) exited with ${code}`));
      else resolve(json);
    });
  });
}

/** Pin every thread of pid (and those it makes later) to cpus. */
function pin(pid, cpus) {
  const r = spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset: ${r.stderr}`);
}

async function benchSinian(o) {
  // every viewer comes from 127.0.0.1: lift the per-address cap
  const config = { media_loopback_only: true, rate_limit_writes: 1000000, max_viewers_per_address: 100000, max_viewers_per_ceremony: 100000, max_connections_per_address: 0, log_level: 'warn' };
  if (o.engine) config.media_engine = o.engine;
  const d = await startDaemon({ config });
  try {
    pin(d.proc.pid, o.serverCpu);
    const { admin, agencyId } = await adminWithAgency(d, ADMIN, 'Bench funeral home');
    const id = await liveTestCeremony(d, admin, agencyId, 20000);
    console.log(`\n== sinian (pid ${d.proc.pid}, CPU ${o.serverCpu}, ` +
      `media_engine ${o.engine ?? 'default'}) ==`);
    return await runClient(o, 'sinian', ['--whep', `${d.url}/whep/${id}`,
      '--server-pid', String(d.proc.pid), '--steps', o.steps]);
  } finally {
    await d.stop().catch((e) => console.error(`sinian stop: ${e.message}`));
  }
}

async function benchJanus(o) {
  const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lcompare-')), 'ready');
  const args = ['--cpu', o.serverCpu, '--event-loops', String(o.janusLoops), '--ready-file', ready];
  if (o.janusIceLite) args.push('--ice-lite');
  const sh = spawn(JANUS_SH, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => sh.on('close', resolve));
  try {
    const line = await until(() => fs.existsSync(ready) && fs.readFileSync(ready, 'utf8'),
      30000, 'janus.sh ready');
    const kv = Object.fromEntries(line.trim().split(' ').slice(1).map((p) => p.split('=')));
    console.log(`\n== Janus (pid ${kv.pid}, feed pid ${kv.feed_pid}, CPU ${o.serverCpu}, ` +
      `event_loops ${o.janusLoops || 'per handle'}, ${o.janusIceLite ? 'ICE-lite' : 'full ICE'}) ==`);
    return await runClient(o, 'janus', ['--janus', kv.url, '--mountpoint', kv.mountpoint,
      '--server-pid', kv.pid, '--feed-pid', kv.feed_pid, '--local-ip', kv.ip,
      '--steps', o.janusSteps]);
  } finally {
    sh.kill('SIGTERM');
    await exited;
    fs.rmSync(path.dirname(ready), { recursive: true, force: true });
  }
}

const fmt = (v, d = 1) => (v === undefined || v === null || v < 0 ? '–' : Number(v).toFixed(d));

function compare(results) {
  const rows = [
    ['max viewers, every one receiving, >= 99.9 % delivered', (r) => r.max_sustained],
    ['... and >= 27 fps', (r) => r.max_full_fps],
    ['server CPU per viewer (% of a core, slope)', (r) => fmt(r.srv_cpu_per_viewer, 3)],
    ['server RSS per viewer (KiB, slope)', (r) => fmt(r.srv_rss_kib_per_viewer, 0)],
    ['client CPU per viewer (% of a core, slope)', (r) => fmt(r.cli_cpu_per_viewer, 3)],
    ['no viewers: server CPU %, RSS MiB', (r) => `${fmt(r.steps[0]?.srv_cpu)}, ${fmt(r.steps[0]?.srv_rss_mib, 0)}`],
    ['last step: viewers, server threads', (r) => {
      const s = r.steps[r.steps.length - 1];
      return `${s?.viewers}, ${s?.srv_threads}`;
    }],
    ['join, POST/watch → first key frame, median ms (last full step)', (r) => {
      const s = [...r.steps].reverse().find((x) => x.sustained && x.joins);
      return s ? fmt(s.join_med_ms, 0) : '–';
    }],
    ['stopped', (r) => r.stopped],
  ];
  if (results.sinian && results.janus && results.janus.max_sustained > 0) {
    rows.push(['viewers on one core, sinian / Janus', (r) => (r === results.sinian
      ? `${(results.sinian.max_sustained / results.janus.max_sustained).toFixed(2)}×` : '')]);
  }
  const names = Object.keys(results);
  console.log(`\n== comparison (${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(2)}) ==`);
  console.log(`| | ${names.join(' | ')} |`);
  console.log(`|---|${names.map(() => '---').join('|')}|`);
  for (const [what, f] of rows) console.log(`| ${what} | ${names.map((n) => f(results[n])).join(' | ')} |`);
}

const o = options(process.argv);
if (!fs.existsSync(LVIEWERS)) {
  console.error(`lcompare: ${LVIEWERS} is missing (scripts/build.sh builds it)`);
  process.exit(2);
}
if (o.csv) fs.mkdirSync(o.csv, { recursive: true });
const commit = spawnSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
console.log(`lcompare: ${new Date().toISOString()}, sinian ${commit.stdout.trim() || 'unknown'}, ` +
  `${os.cpus()[0].model}, ${os.cpus().length} CPUs, Linux ${os.release()}, ` +
  `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results = {};
if (o.only !== 'janus') results.sinian = await benchSinian(o);
if (o.only !== 'sinian') results.janus = await benchJanus(o);
compare(results);
if (o.json) console.log(JSON.stringify(results));
