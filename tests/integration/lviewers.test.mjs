// The load client against the real daemon: LVIEWERS_COUNT viewers
// (bench/lviewers: its own ICE, DTLS-SRTP and RTP counting, no webrtcbin)
// join one live ceremony on the test source over WHEP, are held 10 s, and
// every one of them must receive every packet (sequence numbers without a
// gap, SRTP authenticated where sampled), see a complete key frame, and
// leave with a DELETE that the daemon honours.
//
// The count is a parameter (LVIEWERS_COUNT). The engine is the daemon's
// default (lite: one UDP port, fixed send threads), which takes 200 here,
// 50 under the sanitizers; LVIEWERS_ENGINE=webrtcbin runs the old engine
// (a webrtcbin per viewer) with 5, 2 under the sanitizers. On a machine so
// overloaded that the daemon falls behind, loss is what a viewer sees, and
// this test reports it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, REPO } from '../lib/daemon.mjs';
import { until, adminWithAgency, liveTestCeremony } from '../lib/live.mjs';

const SANITIZE = process.env.SINIAN_SANITIZE === '1';
const ENGINE = process.env.LVIEWERS_ENGINE || 'lite';
const LITE = ENGINE === 'lite';
const COUNT = Number(process.env.LVIEWERS_COUNT ||
  (LITE ? (SANITIZE ? 50 : 200) : (SANITIZE ? 2 : 5)));
const HOLD_S = 10;
const BIN = process.env.LVIEWERS_BIN || path.join(REPO, 'build', 'bench', 'lviewers');
const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };

let d;
let cid;

before(async () => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing (scripts/build.sh builds it)`);
  d = await startDaemon({ config: {
    media_loopback_only: true, rate_limit_writes: 100000, media_engine: ENGINE,
    max_viewers_per_address: 100000, // every viewer comes from 127.0.0.1
    max_connections_per_address: 0,
  } });
  const { admin, agencyId } = await adminWithAgency(d, ADMIN);
  cid = await liveTestCeremony(d, admin, agencyId, SANITIZE ? 40000 : 15000);
});

after(async () => {
  if (d) await d.stop();
});

/** Run lviewers to the end; resolves with its JSON summary and its output. */
function lviewers(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (s) => { out += s; });
    p.stderr.on('data', (s) => { out += s; });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`lviewers exited with ${code}\n${out}`));
      else resolve({ summary: JSON.parse(line), out });
    });
  });
}

test(`${COUNT} lviewers for ${HOLD_S} s: every packet delivered, every viewer leaves`, async () => {
  const { summary, out } = await lviewers([
    '--whep', `${d.url}/whep/${cid}`, '--server-pid', String(d.proc.pid),
    '--steps', String(COUNT), '--hold', String(HOLD_S), '--settle', '2',
    '--up-limit', SANITIZE ? '40' : '20', '--json',
  ]);
  const step = summary.steps.find((s) => s.viewers === COUNT);
  assert.ok(step, `no step with ${COUNT} viewers\n${out}`);
  assert.equal(summary.join_errors, 0, `joins failed: ${summary.first_error}\n${out}`);
  assert.equal(step.up, COUNT, `viewers receiving\n${out}`);
  assert.equal(step.failed, 0, `a viewer failed: ${step.why}\n${out}`);
  assert.equal(step.joins, COUNT, `viewers with a complete key frame\n${out}`);
  assert.equal(step.lost, 0, `packets lost\n${out}`);
  assert.equal(step.auth_failed, 0, `SRTP authentication failures\n${out}`);
  assert.ok(step.verified > 0, 'no packet was decrypted');
  // video at the encoder's frame rate (marker bits) plus Opus every 20 ms
  assert.ok(step.pkt_s > 80, `packets per second per viewer: ${step.pkt_s}`);
  if (!SANITIZE) assert.ok(step.fps >= 20, `frames per second: ${step.fps}`);
  if (LITE) {
    // the lite engine's threads do not grow with its viewers
    const idle = summary.steps.find((s) => s.viewers === 0);
    assert.ok(idle, `no step without viewers\n${out}`);
    // A few threads come and go on their own: when HLS cuts a segment,
    // splitmuxsink restarts its muxer, whose streaming thread may come
    // from GStreamer's task pool afresh while GLib keeps up to two idle
    // ones. A thread per viewer would add COUNT.
    assert.ok(step.srv_threads <= idle.srv_threads + 4, `daemon threads\n${out}`);
  }
  assert.equal(summary.left, COUNT, `WHEP DELETEs honoured\n${out}`);
  await until(async () => (await api(d, 'GET', `/api/ceremonies/${cid}`)).json.viewers === 0,
    10000, 'the daemon counting no viewers');
});
