// Ceremonies stopped moments after they go live, again and again: the stop
// comes while the encode pipeline, its recording and its HLS branch are
// still starting (the HLS muxer opening its first fragment, the first key
// frame on its way). Every stop must answer, end the ceremony, and leave no
// branch of its pipeline running; the daemon must then exit on SIGTERM
// (stop() prints every thread's stack if it does not).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api } from '../lib/daemon.mjs';
import { adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
// ms between the start's answer and the stop: from at once to past the
// first HLS fragment
const DELAYS = [0, 5, 10, 20, 30, 40, 50, 60, 75, 100, 150, 250];
// A sanitizer build opens a ceremony's pipelines several times slower, on
// the main loop, so a stop may wait behind the other worker's start.
const SANITIZE = process.env.SINIAN_SANITIZE === '1';
const CYCLES = SANITIZE ? 6 : 24; // per worker
const WORKERS = 2; // one ceremony starts while another stops
const STOP_LIMIT_MS = SANITIZE ? 60000 : 20000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let d;
let admin;
let agencyId;

before(async () => {
  d = await startDaemon({
    config: { media_loopback_only: true, rate_limit_writes: 100000 },
  });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
});

after(async () => {
  if (d) await d.stop();
});

async function startStop(delayMs) {
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId, title: '王秀英女士告别仪式', deceased_name: '王秀英',
      scheduled_start: '2026-04-04T09:00:00Z', scheduled_end: '2026-04-04T10:00:00Z',
      visibility: 'public', source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  const s = await api(d, 'POST', `/api/ceremonies/${id}/start`, { token: admin });
  assert.equal(s.status, 200, s.text);
  await sleep(delayMs);
  let r;
  try {
    r = await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin, timeoutMs: STOP_LIMIT_MS });
  } catch (err) {
    assert.fail(`ceremony ${id} stopped ${delayMs} ms after it went live: no answer ` +
                `within ${STOP_LIMIT_MS / 1000} s (${err.message})\n--- daemon log ---\n` +
                d.log().split('\n').slice(-40).join('\n'));
  }
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'ended');
}

test('ceremonies stopped 0-250 ms after they go live all end, two at a time', async () => {
  const worker = async (w) => {
    for (let i = 0; i < CYCLES; i++) await startStop(DELAYS[(i * WORKERS + w) % DELAYS.length]);
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  // An element freed while it still ran: a branch of some pipeline was
  // left going when its ceremony closed.
  const left = d.log().split('\n').filter((l) => /Trying to dispose element/.test(l));
  assert.deepEqual(left, [], 'every pipeline branch reached NULL before it was freed');
});
