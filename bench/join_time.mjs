#!/usr/bin/env node
// join_time.mjs — how long a viewer waits for the first picture of a live
// ceremony: WHEP POST → first decoded video frame, in headless Chromium.
//
//   node bench/join_time.mjs [--joins 20] [--engine lite|webrtcbin] [--json]
//   SINIAN_BIN=build/sinian node bench/join_time.mjs
//
// Starts its own daemon (loopback ICE, a temporary data dir) with one live
// ceremony on the test source, then repeats on a fresh browser page:
//   raw    the page itself: recvonly video + audio transceivers, createOffer,
//          wait for ICE gathering (≤ 1 s), POST /whep/{id}, set the answer;
//          time from the POST to the first decoded frame, seen by polling
//          getStats() every 20 ms for framesDecoded ≥ 1 and by
//          requestVideoFrameCallback (whichever comes first); also POST →
//          answer (the server's negotiation) and ICE gathering.
//   page   the real player page /c/{id}: navigation start → first frame
//          (what a relative opening the link experiences), and the page's
//          own WHEP POST → first frame.
// One warm-up join of each kind is not counted. Prints the figures and the
// machine; it does not pass or fail.
import os from 'node:os';
import { startDaemon, api } from '../tests/lib/daemon.mjs';
import { launchBrowser } from '../tests/lib/browser.mjs';
import { adminWithAgency, summary } from '../tests/lib/live.mjs';

const args = process.argv.slice(2);
const JOINS = Number(args[args.indexOf('--joins') + 1]) || 20;
const AS_JSON = args.includes('--json');
// the viewer engine (media_engine): the daemon's default unless given
const ENGINE = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : null;
const ADMIN = { login: 'bench@example.org', password: 'bench password 1234' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs in the page: one WHEP join, timed.
async function rawJoin(id) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  document.body.append(video);
  const stream = new MediaStream();
  pc.ontrack = (ev) => {
    stream.addTrack(ev.track);
    video.srcObject = stream;
    video.play().catch(() => {});
  };
  const t0 = performance.now();
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 1000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const tPost = performance.now();
  const res = await fetch(`/whep/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  const tAnswer = performance.now();
  if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${answer}`);
  const location = res.headers.get('location');
  const first = new Promise((resolve) => {
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      resolve({ at: performance.now(), how });
    };
    video.requestVideoFrameCallback?.(() => finish('rvfc'));
    const poll = async () => {
      if (done) return;
      let frames = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
      });
      if (frames >= 1) finish('getStats');
      else setTimeout(poll, 20);
    };
    poll();
    setTimeout(() => finish('timeout'), 15000);
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  const f = await first;
  await fetch(location, { method: 'DELETE' });
  pc.close();
  video.remove();
  return {
    gatherMs: tPost - t0,
    answerMs: tAnswer - tPost,
    firstFrameMs: f.at - tPost,
    how: f.how,
  };
}

async function main() {
  const config = { media_loopback_only: true, max_viewers_per_address: 100000 };
  if (ENGINE) config.media_engine = ENGINE;
  const d = await startDaemon({ config });
  let browser = null;
  try {
    const { admin: token, agencyId } = await adminWithAgency(d, ADMIN, 'Bench funeral home');
    const c = await api(d, 'POST', '/api/ceremonies', {
      token,
      json: {
        agency_id: agencyId, title: 'Join-time bench', deceased_name: 'Bench',
        scheduled_start: '2026-04-04T09:00:00Z', scheduled_end: '2026-04-04T10:00:00Z',
        visibility: 'public', source: { kind: 'test' },
      },
    });
    const id = c.json.id;
    const st = await api(d, 'POST', `/api/ceremonies/${id}/start`, { token });
    if (st.status !== 200) throw new Error(`start: ${st.status} ${st.text}`);
    for (let i = 0; i < 100 && !(await api(d, 'GET', `/api/ceremonies/${id}`)).json.source_live; i++) await sleep(100);
    await sleep(1000); // the encoder settles

    const loadBefore = os.loadavg()[0].toFixed(2); // other work on the machine skews the figures
    browser = await launchBrowser(['--use-fake-ui-for-media-stream']);
    const raw = [];
    const page = [];
    const ctx = await browser.newContext();

    for (let i = 0; i <= JOINS; i++) {
      const p = await ctx.newPage();
      await p.goto(`${d.url}/404.html`);
      const r = await p.evaluate(rawJoin, id);
      await p.close();
      if (i > 0) raw.push(r); // the first is a warm-up
      if (!AS_JSON) process.stderr.write(`raw ${i || 'warm-up'}: POST → first frame ${r.firstFrameMs.toFixed(0)} ms (${r.how})\n`);
      await sleep(200);
    }
    for (let i = 0; i <= JOINS; i++) {
      const p = await ctx.newPage();
      await p.goto(`${d.url}/c/${id}`);
      await p.waitForFunction(() => window.sinianPlayer?.player?.firstFrameMs != null, null, { timeout: 20000 });
      const r = await p.evaluate(() => {
        const pl = window.sinianPlayer.player;
        return { openMs: pl.joinedAt + pl.firstFrameMs, firstFrameMs: pl.firstFrameMs };
      });
      await p.close({ runBeforeUnload: true });
      if (i > 0) page.push(r);
      if (!AS_JSON) process.stderr.write(`page ${i || 'warm-up'}: open → first frame ${r.openMs.toFixed(0)} ms\n`);
      await sleep(200);
    }
    await sleep(500);
    const left = (await api(d, 'GET', `/api/ceremonies/${id}`)).json.viewers;

    const result = {
      date: new Date().toISOString(),
      engine: ENGINE ?? 'default',
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        nproc: os.availableParallelism?.() ?? os.cpus().length,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        chromium: browser.version(),
        node: process.version,
        loadAvgBefore: loadBefore,
      },
      joins: JOINS,
      postToFirstFrameMs: summary(raw.map((r) => r.firstFrameMs)),
      postToAnswerMs: summary(raw.map((r) => r.answerMs)),
      iceGatheringMs: summary(raw.map((r) => r.gatherMs)),
      firstFrameSeenBy: raw.reduce((m, r) => ({ ...m, [r.how]: (m[r.how] ?? 0) + 1 }), {}),
      playerPage: {
        openToFirstFrameMs: summary(page.map((r) => r.openMs)),
        postToFirstFrameMs: summary(page.map((r) => r.firstFrameMs)),
      },
      viewersLeftAfter: left,
    };
    if (AS_JSON) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      const f = (s) => `median ${s.median.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, n=${s.n})`;
      const m = result.machine;
      console.log(`sinian join time — ${result.date}, media_engine ${result.engine}`);
      console.log(`machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memGiB} GiB, ${m.os}; Chromium ${m.chromium}; node ${m.node}; load average ${m.loadAvgBefore} at the start`);
      console.log(`WHEP POST → first decoded frame   ${f(result.postToFirstFrameMs)}`);
      console.log(`WHEP POST → SDP answer            ${f(result.postToAnswerMs)}`);
      console.log(`ICE gathering before the POST     ${f(result.iceGatheringMs)}`);
      console.log(`player page: open → first frame   ${f(result.playerPage.openToFirstFrameMs)}`);
      console.log(`player page: POST → first frame   ${f(result.playerPage.postToFirstFrameMs)}`);
      console.log(`first frame seen by: ${JSON.stringify(result.firstFrameSeenBy)}; viewers left after: ${left}`);
    }
  } finally {
    if (browser) await browser.close();
    await d.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
