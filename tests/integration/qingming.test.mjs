// Qingming morning on one node: tributes grouped into shared commits keep
// the durability promise under kill -9 at full speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Writes are limited per client; these tests post as one loopback client.
const BUSY = { rate_limit_writes: 1000000 };

async function demoMemorial(d) {
  const r = await api(d, 'GET', '/api/memorials/by-slug/demo');
  assert.equal(r.status, 200, r.text);
  return r.json.memorial.id;
}

test('kill -9 under full-speed tributes: every acknowledged one is kept', async () => {
  const a = await startDaemon({ config: BUSY });
  const m = await demoMemorial(a);
  const acked = [];
  const errors = [];
  let stop = false;
  let sent = 0;
  // 64 clients, each posting its next tribute as soon as the last is answered
  async function client(n) {
    for (let i = 0; !stop; i++) {
      sent++;
      try {
        const r = await api(a, 'POST', `/api/memorials/${m}/tributes`,
          { json: { kind: 'incense', from_name: `c${n}-${i}` }, timeoutMs: 10000 });
        if (r.status === 201) acked.push(r.json.tribute.id);
        else errors.push(`${r.status} ${r.text}`);
      } catch {
        return; // the daemon died under this request: never acknowledged
      }
    }
  }
  const clients = Array.from({ length: 64 }, (_, n) => client(n));
  while (acked.length < 2000) await sleep(20);
  const e = await a.kill9();
  stop = true;
  await Promise.all(clients);
  assert.equal(e.signal, 'SIGKILL');
  assert.deepEqual(errors, []);

  const b = await startDaemon({ dataDir: a.dataDir, config: BUSY });
  try {
    const db = path.join(a.dataDir, 'sinian.db');
    const stored = new Set(sqlite(db, `SELECT id FROM tributes WHERE memorial_id = ${m}`)
      .split('\n').filter(Boolean).map(Number));
    const missing = acked.filter((id) => !stored.has(id));
    console.log(`kill -9 under load: ${sent} sent, ${acked.length} acknowledged, ` +
                `${stored.size} stored, ${missing.length} acknowledged but missing`);
    assert.deepEqual(missing, []);
    // the counts were committed with the tributes: they agree
    const page = await api(b, 'GET', `/api/memorials/${m}`);
    assert.equal(page.status, 200);
    assert.equal(page.json.counts.total, Number(sqlite(db,
      `SELECT count(*) FROM tributes WHERE memorial_id = ${m} AND state = 'published'`)));
    assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok');
    // and the daemon takes tributes again
    const r = await api(b, 'POST', `/api/memorials/${m}/tributes`,
      { json: { kind: 'flower', from_name: '清明' } });
    assert.equal(r.status, 201, r.text);
  } finally {
    await b.stop();
  }
});
