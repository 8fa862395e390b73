// HLS over real HTTP: a live ceremony's playlist and segments, their
// caching headers (segments immutable, the playlist max-age=1, so nginx or
// a CDN can serve a crowd), what gst-discoverer-1.0 reads in a segment
// (MPEG-TS with H.264 and AAC), and the access of an invite-only ceremony:
// a signed, expiring token in the playlist URL that its segment URLs carry,
// 403 without it, for another ceremony, or once the invite is revoked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';
import { until, adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const DISCOVERER = process.env.SINIAN_GST_DISCOVERER || '/usr/bin/gst-discoverer-1.0';

let d;
let admin;
let agencyId;
let tmp;

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function liveCeremony(visibility) {
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId, title: '刘玉兰女士告别仪式', deceased_name: '刘玉兰',
      scheduled_start: iso(Date.now()), scheduled_end: iso(Date.now() + 3600e3),
      visibility, source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  const st = await api(d, 'POST', `/api/ceremonies/${c.json.id}/start`, { token: admin });
  assert.equal(st.status, 200, st.text);
  return c.json.id;
}

/** The playlist once it lists at least n segments. */
async function playlist(url, n = 3) {
  return until(async () => {
    const r = await api(d, 'GET', url);
    const segs = r.status === 200 ? r.text.split('\n').filter((l) => l && !l.startsWith('#')) : [];
    return segs.length >= n ? { r, segs } : { ok: false, status: r.status };
  }, 30000, `${n} segments in ${url}`, 250);
}

async function fetchBytes(url) {
  const res = await fetch(`${d.url}${url}`);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sinian-hls-test-'));
});

after(async () => {
  if (d) await d.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a public ceremony: playlist, segments, caching headers, H.264 and AAC in MPEG-TS', { timeout: 90000 }, async (t) => {
  const id = await liveCeremony('public');
  const cer = await api(d, 'GET', `/api/ceremonies/${id}`);
  assert.equal(cer.json.hls_url, `/hls/${id}/index.m3u8`);

  const { r, segs } = await playlist(cer.json.hls_url);
  assert.equal(r.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.equal(r.headers.get('cache-control'), 'public, max-age=1');
  assert.match(r.text, /^#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:\d+\n/);
  assert.match(r.text, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n#EXTINF:[01]\.\d{3},\n/);
  const durations = [...r.text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  t.diagnostic(`segments ${segs.join(' ')}; durations ${durations.join(' ')}`);
  for (const s of durations.slice(1)) assert.ok(s > 0.5 && s < 1.6, `segment of ${s} s`);

  // a segment: immutable, and what a player needs inside
  const seg = segs[segs.length - 1];
  const { res, bytes } = await fetchBytes(`/hls/${id}/${seg}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp2t');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(bytes[0], 0x47, 'an MPEG-TS sync byte');
  const file = path.join(tmp, seg);
  fs.writeFileSync(file, bytes);
  const disc = spawnSync(DISCOVERER, [`file://${file}`], { encoding: 'utf8' });
  assert.equal(disc.status, 0, disc.stderr);
  t.diagnostic(disc.stdout.split('\n').filter((l) => /container|video|audio|Width|Height|Channels/.test(l)).join(' | '));
  assert.match(disc.stdout, /container #0: MPEG-2 Transport Stream/);
  assert.match(disc.stdout, /video #\d+: H\.264 \(Constrained Baseline Profile\)/);
  assert.match(disc.stdout, /audio #\d+: MPEG-4 AAC/);
  assert.match(disc.stdout, /Width: 1280\s+Height: 720/);

  // conditional requests: a cache revalidates cheaply
  const again = await fetch(`${d.url}/hls/${id}/${seg}`, { headers: { 'if-none-match': res.headers.get('etag') } });
  assert.equal(again.status, 304);

  // nothing but its own names
  for (const bad of ['x.ts', 's1-00001.ts', '..%2Fsinian.db', 'index.m3u8.tmp']) {
    assert.equal((await api(d, 'GET', `/hls/${id}/${bad}`)).status, 404, bad);
  }
  assert.equal((await api(d, 'GET', '/hls/999999/index.m3u8')).status, 404);

  // ended: no more HLS, the replay takes over
  assert.equal((await api(d, 'POST', `/api/ceremonies/${id}/stop`, { token: admin })).status, 200);
  const gone = await api(d, 'GET', `/hls/${id}/index.m3u8`);
  assert.equal(gone.status, 404);
  assert.equal(gone.json.error.code, 'not_live');
  assert.equal((await api(d, 'GET', `/api/ceremonies/${id}`)).json.hls_url, undefined);
});

test('an invite-only ceremony: a signed token in the playlist URL, carried by every segment URL', { timeout: 90000 }, async () => {
  const id = await liveCeremony('invite');
  const other = await liveCeremony('invite');
  const inv = await api(d, 'POST', `/api/ceremonies/${id}/invites`, { token: admin, json: { guest_name: '在悉尼的外孙' } });
  assert.equal(inv.status, 201, inv.text);
  const cer = await api(d, 'GET', `/api/ceremonies/${id}?invite=${encodeURIComponent(inv.json.token)}`);
  assert.equal(cer.status, 200);
  const m = /^\/hls\/(\d+)\/index\.m3u8\?t=(\d+\.i\d+\.[0-9a-f]{32})$/.exec(cer.json.hls_url);
  assert.ok(m, cer.json.hls_url);
  const token = m[2];
  const expiry = Number(token.split('.')[0]);
  assert.ok(expiry > Date.now() / 1000 + 3600, 'valid for hours');

  // the playlist: only with the token, never in a shared cache
  const { r, segs } = await playlist(cer.json.hls_url);
  assert.equal(r.headers.get('cache-control'), 'private, max-age=1');
  for (const s of segs) assert.ok(s.endsWith(`?t=${token}`), s);
  for (const url of [`/hls/${id}/index.m3u8`, `/hls/${id}/index.m3u8?t=`,
    `/hls/${id}/index.m3u8?t=${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`, `/hls/${id}/index.m3u8?t=1.i1.${'0'.repeat(32)}`,
    `/hls/${other}/index.m3u8?t=${token}`]) {
    const x = await api(d, 'GET', url);
    assert.equal(x.status, 403, `${url}: ${x.text}`);
    assert.equal(x.json.error.code, 'forbidden');
  }

  // a segment: with the token, private; without it, 403
  const seg = segs[segs.length - 1];
  const ok = await fetchBytes(`/hls/${id}/${seg}`);
  assert.equal(ok.res.status, 200);
  assert.equal(ok.res.headers.get('cache-control'), 'private, max-age=31536000, immutable');
  const name = seg.split('?')[0];
  assert.equal((await api(d, 'GET', `/hls/${id}/${name}`)).status, 403);
  assert.equal((await api(d, 'GET', `/hls/${other}/${name}?t=${token}`)).status, 403);

  // the operator's own account gets a token of its own
  const mgr = await api(d, 'GET', `/api/ceremonies/${id}`, { token: admin });
  assert.match(mgr.json.hls_url, /\?t=\d+\.u\d+\.[0-9a-f]{32}$/);
  assert.equal((await api(d, 'GET', mgr.json.hls_url)).status, 200);
  // without a right, no URL at all
  assert.equal((await api(d, 'GET', `/api/ceremonies/${id}`)).status, 404); // an invite-only ceremony does not exist without a right

  // the invite revoked: the next playlist is refused
  const del = await api(d, 'DELETE', `/api/ceremonies/${id}/invites/${inv.json.id}`, { token: admin });
  assert.equal(del.status, 204, del.text);
  assert.equal((await api(d, 'GET', cer.json.hls_url)).status, 403);
  assert.equal((await api(d, 'GET', mgr.json.hls_url)).status, 200);
  for (const c of [id, other]) {
    assert.equal((await api(d, 'POST', `/api/ceremonies/${c}/stop`, { token: admin })).status, 200);
  }
});
