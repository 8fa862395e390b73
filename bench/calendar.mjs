#!/usr/bin/env node
// calendar.mjs — what the mourning calendar costs: a memorial page's
// calendar answer, its ICS feed, and the daily run of day-before reminders
// over many followed memorials (which runs on the daemon's main loop).
//
//   node bench/calendar.mjs [--memorials 2000] [--requests 300] [--days 7] [--json]
//   SINIAN_BIN=build/sinian node bench/calendar.mjs
//
// Starts its own daemon (loopback, a temporary data dir, notify off so
// only the daemon's own work is timed), creates --memorials memorials with
// death dates spread over the last three years, half of them with lunar
// anniversaries, all followed by two people, then:
//   - GET /api/memorials/{id}/calendar and .../calendar.ics, --requests each
//     on random memorials, one at a time: p50 / p99 / max;
//   - POST /api/reminders/run for each of the next --days days, polling GET
//     until it has run (in 20 ms slices on the main loop): its time, the
//     reminders it made, and the time per followed memorial;
//   - the same for the coming 清明, when every followed memorial has a
//     date, while GET /healthz is asked every 10 ms: how long the main loop
//     kept a request waiting (max and p99 of those requests).
// Prints figures and the machine; passes nothing.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const { startDaemon, api } = await import(pathToFileURL(path.join(REPO, 'tests/lib/daemon.mjs')).href);
const { makeWorld, cstDate } = await import(pathToFileURL(path.join(REPO, 'tests/lib/visit_world.mjs')).href);

const args = process.argv.slice(2);
const opt = (name, dflt, max) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    console.error(`--${name} must be 1..${max}`);
    process.exit(2);
  }
  return v;
};
const N = opt('memorials', 2000, 200000);
const REQUESTS = opt('requests', 300, 100000);
const DAYS = opt('days', 7, 60);
const JSON_OUT = args.includes('--json');

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] };
}

const fmt = (x) => `${x.toFixed(2)} ms`;

const load = os.loadavg()[0];
const d = await startDaemon({ config: { demo: false, notify_email: 'off', notify_sms: 'off',
  rate_limit_writes: 1000000, rate_limit_logins: 100000, max_connections_per_address: 0 } });
try {
  const w = await makeWorld(d, { families: ['keeper', 'f1', 'f2'] });
  const ids = [];
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const death = cstDate(-(1 + (i * 7919) % 1095)); // spread over three years
    const r = await w.as('keeper', 'POST', '/api/memorials', {
      json: { title: `纪念 ${i}`, deceased: { name: `逝者${i}`, death_date: death,
        birth_date: `19${30 + (i % 60)}-0${1 + (i % 9)}-1${i % 9}` } } });
    if (r.status !== 201) throw new Error(r.text);
    const id = r.json.memorial.id;
    ids.push(id);
    if (i % 2) await w.as('keeper', 'PUT', `/api/memorials/${id}/calendar`, { json: { anniversaries: 'lunar' } });
    for (const who of ['f1', 'f2']) await w.as(who, 'PUT', `/api/memorials/${id}/follow`, { json: {} });
  }
  const setupS = (Date.now() - t0) / 1000;

  const timed = async (p) => {
    const s = performance.now();
    const r = await api(d, 'GET', p);
    if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
    return performance.now() - s;
  };
  const cal = [];
  const ics = [];
  for (let i = 0; i < REQUESTS; i++) {
    const id = ids[(i * 104729) % ids.length];
    cal.push(await timed(`/api/memorials/${id}/calendar`));
    ics.push(await timed(`/api/memorials/${id}/calendar.ics`));
  }
  const runOnce = async (day) => {
    const s = performance.now();
    const r = await w.as('admin', 'POST', '/api/reminders/run', { json: { day } });
    if (r.status !== 202) throw new Error(r.text);
    let st;
    do {
      await new Promise((res) => setTimeout(res, 5));
      st = (await w.as('admin', 'GET', '/api/reminders/run')).json;
    } while (st.running);
    const ms = performance.now() - s;
    return { day, ms, reminders: st.mourning, per_memorial_us: (ms * 1000) / N };
  };
  const runs = [];
  for (let k = 1; k <= DAYS; k++) runs.push(await runOnce(cstDate(k)));
  // the coming 清明: every followed memorial has a date
  const first = (await api(d, "GET", `/api/memorials/${ids[0]}/calendar`)).json;
  const qingming = first.upcoming.find((x) => x.kind === 'qingming').date;
  const pings = [];
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const s = performance.now();
      await api(d, 'GET', '/healthz');
      pings.push(performance.now() - s);
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  const busy = await runOnce(qingming);
  pinging = false;
  await pinger;
  const out = {
    machine: `${os.cpus()[0].model}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `Linux ${os.release()}, node ${process.version}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    load_average_at_start: load,
    memorials: N,
    followers_each: 2,
    setup_s: setupS,
    calendar: stats(cal),
    ics: stats(ics),
    reminder_runs: runs,
    qingming_run: { ...busy, healthz_during: stats(pings) },
  };
  if (JSON_OUT) {
    console.log(JSON.stringify(out, null, 2));
  } else {
    console.log(`machine: ${out.machine}`);
    console.log(`date: ${out.date}, load average at start: ${load.toFixed(1)}`);
    console.log(`${N} memorials, each followed by 2 (setup ${setupS.toFixed(0)} s)`);
    for (const [name, s] of [['GET calendar (JSON)', out.calendar], ['GET calendar.ics', out.ics]]) {
      console.log(`${name}: n ${s.n}, p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}`);
    }
    for (const r of runs) {
      console.log(`reminders for ${r.day}: ${fmt(r.ms)} (${r.reminders} reminders, ` +
        `${r.per_memorial_us.toFixed(1)} µs per followed memorial)`);
    }
    const h = out.qingming_run.healthz_during;
    console.log(`reminders for ${busy.day} (清明): ${fmt(busy.ms)} (${busy.reminders} reminders); ` +
      `GET /healthz meanwhile: n ${h.n}, p50 ${fmt(h.p50)}, p99 ${fmt(h.p99)}, max ${fmt(h.max)}`);
  }
} finally {
  await d.stop();
}
