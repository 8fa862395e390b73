// An RTSP camera against the real binary (media on, loopback ICE): the
// camera is tests/tools/rtsp_serve ($SINIAN_RTSP_SERVE, built with the
// tests), serving H.264 + Opus at rtsp://127.0.0.1:PORT/cam. A ceremony
// whose source is that URL goes live with it (source_live), a viewer's
// headless Chromium decodes its pictures over WHEP (passed through: the
// camera sends H.264 browsers play), the slate shows when the camera is
// killed, and the camera comes back by itself once one
// listens on the same port again (the source retries with a back-off of
// 1 s doubling to 30 s), while the viewer's connection keeps decoding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startDaemon, api, REPO } from '../lib/daemon.mjs';
import { launchBrowser } from '../lib/browser.mjs';
import { until, adminWithAgency, rtcStats } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const RTSP_SERVE = process.env.SINIAN_RTSP_SERVE || path.join(REPO, 'build', 'tests', 'rtsp_serve');
// Sanitizer builds start and encode several times slower.
const SLOW = process.env.SINIAN_SANITIZE === '1' ? 3 : 1;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let d;
let admin;
let agencyId;
let browser;
const cameras = new Set();

/**
 * Start rtsp_serve on port (0: a free one); resolves with { port, url,
 * stop(signal) } once it prints "PORT n". stop() resolves with the exit.
 */
function startCamera(port = 0) {
  const env = { ...process.env };
  if (!/fast_unwind_on_malloc/.test(env.LSAN_OPTIONS ?? '')) {
    env.LSAN_OPTIONS = [env.LSAN_OPTIONS, 'fast_unwind_on_malloc=0'].filter(Boolean).join(':');
  }
  const proc = spawn(RTSP_SERVE, [String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => {
    proc.once('error', (e) => resolve({ error: e }));
    proc.once('close', (code, signal) => resolve({ code, signal }));
  });
  const cam = {
    proc,
    log: () => err,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      let e = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (!e) {
        proc.kill('SIGKILL');
        e = { ...(await exited), late: true };
      }
      cameras.delete(cam);
      return e;
    },
  };
  cameras.add(cam);
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s) => { err += s; });
  proc.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cam.stop('SIGKILL');
      reject(new Error(`rtsp_serve printed no port within ${10 * SLOW} s\n${err}`));
    }, 10000 * SLOW);
    proc.stdout.on('data', (s) => {
      out += s;
      const m = /^PORT (\d+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      cam.port = Number(m[1]);
      cam.url = `rtsp://127.0.0.1:${cam.port}/cam`;
      resolve(cam);
    });
    exited.then((e) => {
      clearTimeout(timer);
      if (e.error) {
        reject(new Error(`cannot run ${RTSP_SERVE}: ${e.error.message} ` +
                         '(built with the tests; or set SINIAN_RTSP_SERVE)'));
      } else if (!cam.port) {
        reject(new Error(`rtsp_serve exited (${JSON.stringify(e)}) before listening\n${err}`));
      }
    });
  });
}

const ceremony = async (id) => (await api(d, 'GET', `/api/ceremonies/${id}`, { token: admin })).json;


const sourceLive = (id, live, limitMs, what) => until(async () => {
  const c = await ceremony(id);
  return c.source_live === live ? c : { ok: false, source_live: c.source_live, state: c.state };
}, limitMs, what);

const framesOver = (page, n, limitMs, what) => until(async () => {
  const s = await rtcStats(page);
  return s && s.framesDecoded > n ? s : { ok: false, ...s };
}, limitMs, what);

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
});

after(async () => {
  for (const cam of [...cameras]) await cam.stop('SIGKILL');
  if (browser) await browser.close();
  if (d) await d.stop();
});

test('an RTSP camera goes live, is lost to the slate, and comes back on its own', { timeout: 240000 }, async (t) => {
  let cam = await startCamera();
  const port = cam.port;
  const r = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: '陈淑芬女士告别仪式',
      deceased_name: '陈淑芬',
      scheduled_start: '2026-11-23T09:00:00Z',
      scheduled_end: '2026-11-23T10:00:00Z',
      source: { kind: 'rtsp', url: cam.url },
    },
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.deepEqual((await ceremony(id)).source, { kind: 'rtsp', url: cam.url });
  const st = await api(d, 'POST', `/api/ceremonies/${id}/start`, { token: admin });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.json.state, 'live');
  await sourceLive(id, true, 20000 * SLOW, 'the camera to go live');

  // A viewer decodes the camera's pictures.
  browser = await launchBrowser();
  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto(`${d.url}/c/${id}`);
  await viewer.waitForSelector('#player[data-view="playing"]', { timeout: 20000 * SLOW });
  const s1 = await framesOver(viewer, 30, 20000 * SLOW, 'viewer framesDecoded > 30 from the camera');
  assert.equal(s1.state, 'connected');
  assert.equal((await ceremony(id)).source_live, true);
  // The camera sends constrained baseline (x264's ultrafast preset): it is
  // passed through, at its own 640 wide rather than the encoder's 1280.
  await until(async () => (await ceremony(id)).video_passthrough || { ok: false }, 10000 * SLOW,
    'the camera passed through');
  const own = await until(async () => {
    const s = await rtcStats(viewer);
    return s && s.width === 640 ? s : { ok: false, ...s };
  }, 10000 * SLOW, "the camera's own picture size at the viewer");
  assert.equal(own.width, 640);

  // The camera dies: the slate, and the ceremony stays live.
  const killed = await cam.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const lost = Date.now();
  await sourceLive(id, false, 15000 * SLOW, 'the slate once the camera is gone');
  t.diagnostic(`slate after ${Date.now() - lost} ms`);
  assert.equal((await ceremony(id)).state, 'live');
  await sleep(2000); // a try or two is refused meanwhile

  // A camera on the same port again: nobody restarts the source.
  cam = await startCamera(port);
  assert.equal(cam.port, port);
  const back = Date.now();
  await sourceLive(id, true, 40000 * SLOW, 'the camera to come back');
  t.diagnostic(`camera back after ${Date.now() - back} ms`);
  const s2 = await rtcStats(viewer);
  const s3 = await framesOver(viewer, s2.framesDecoded + 30, 20000 * SLOW, 'frames once the camera is back');
  assert.equal(s3.state, 'connected');

  const stop = await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin });
  assert.equal(stop.status, 200, stop.text);
  // SIGTERM: the camera closes its clients and exits cleanly.
  const e = await cam.stop('SIGTERM');
  assert.ok(!e.late && e.signal === null && e.code === 0, `rtsp_serve: ${JSON.stringify(e)}\n${cam.log()}`);
});
