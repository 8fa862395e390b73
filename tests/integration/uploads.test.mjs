// Uploads keep no trace of where or when they were made: every place the
// audit found a photographer's position on a public page — PNG eXIf and
// iTXt XMP, WebP EXIF, JPEG COM and APP4, data after the JPEG's end (a
// second MPF image, a motion photo's video), XMP inside an MP4 proof video
// — is emptied before the file is stored, the picture still shows, and
// images declaring absurd sizes are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, api, BIN, REPO } from '../lib/daemon.mjs';

const PASSWORD = 'plum blossom in snow';
const IMAGES = path.join(REPO, 'tests/data/images');
const SECRETS = ['GPS', 'secret', '39.95', 'Exif', 'ftyp'];

let d;
let admin;
const ids = {};

// ---------- building files with metadata ----------

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The sample PNG with eXIf, iTXt XMP and tEXt chunks after its header. */
function pngWithMetadata() {
  const png = fs.readFileSync(path.join(IMAGES, 'gray_4x3.png'));
  return Buffer.concat([png.subarray(0, 33),
    pngChunk('eXIf', Buffer.from('MM\0*GPS 39.95N 116.17E', 'latin1')),
    pngChunk('iTXt', Buffer.from('XML:com.adobe.xmp\0\0\0\0\0<x>secret location</x>', 'latin1')),
    pngChunk('tEXt', Buffer.from('Comment\0secret', 'latin1')),
    png.subarray(33)]);
}

function pngSized(w, h) {
  const png = Buffer.from(fs.readFileSync(path.join(IMAGES, 'gray_4x3.png')));
  png.writeUInt32BE(w >>> 0, 16);
  png.writeUInt32BE(h >>> 0, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

function jpegSegment(marker, payload) {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** The sample JPEG with COM, APP4, MPF and XMP segments, a second image
 *  and a motion photo's video after its end. */
function jpegWithMetadata() {
  const jpg = fs.readFileSync(path.join(IMAGES, 'plain.jpg'));
  return Buffer.concat([jpg.subarray(0, 20),
    jpegSegment(0xfe, Buffer.from('secret location')),
    jpegSegment(0xe4, Buffer.from('GPS 39.95N 116.17E')),
    jpegSegment(0xe2, Buffer.from('MPF\0MM\0*GPS', 'latin1')),
    jpegSegment(0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x>secret</x>', 'latin1')),
    jpg.subarray(20),
    Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from('Exif GPS 39.95N second image'),
    Buffer.from([0xff, 0xd9]),
    Buffer.from('\0\0\0\x18ftypmp42 motion photo GPS 39.95N', 'latin1')]);
}

function riff(fourcc, data) {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** An extended WebP (200×100 lossless) with EXIF and XMP chunks. */
function webpWithMetadata(w = 200, h = 100, meta = true) {
  const x = Buffer.alloc(10);
  x[0] = 0x0c; // EXIF and XMP flags
  x.writeUIntLE(w - 1, 4, 3);
  x.writeUIntLE(h - 1, 7, 3);
  const l = Buffer.alloc(5);
  l[0] = 0x2f;
  l.writeUInt32LE(((w - 1) | ((h - 1) << 14)) >>> 0, 1);
  const chunks = [riff('VP8X', x), riff('VP8L', l)];
  if (meta) {
    chunks.push(riff('EXIF', Buffer.from('MM\0*GPS 39.95N', 'latin1')),
      riff('XMP ', Buffer.from('<x>secret location</x>')));
  }
  const body = Buffer.concat([Buffer.from('WEBP'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function box(type, ...parts) {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** An MP4 with XMP in a track's uuid box and a position in udta. */
function mp4WithMetadata() {
  return Buffer.concat([
    box('ftyp', 'isom\0\0\x02\0isom'),
    box('moov',
      box('mvhd', Buffer.alloc(100)),
      box('udta', box('\xa9xyz', '\0\x12\0\0+39.9567+116.1745/')),
      box('trak', box('tkhd', Buffer.alloc(84)),
        box('uuid', Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex'),
          '<x:xmpmeta>secret GPS 39.95N</x:xmpmeta>'),
        box('mdia', box('mdhd', Buffer.alloc(24)), box('minf', box('stbl', box('stsd', Buffer.alloc(8))))))),
    box('mdat', 'frames..'),
  ]);
}

// ---------- the daemon ----------

async function ok(method, p, json, want) {
  const r = await api(d, method, p, { token: admin, json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p}: ${r.text}`);
  return r.json;
}

before(async () => {
  d = await startDaemon({ config: { rate_limit_writes: 100000 } });
  const add = spawnSync(BIN, ['--data-dir', d.dataDir, '--config', d.confFile, 'user', 'add',
    '--login', '13800138000', '--role', 'admin', '--password-stdin'],
  { input: `${PASSWORD}\n`, encoding: 'utf8', env: process.env });
  assert.equal(add.status, 0, add.stderr);
  admin = (await api(d, 'POST', '/api/session',
    { json: { login: '13800138000', password: PASSWORD } })).json.token;
  ids.memorial = (await ok('POST', '/api/memorials', { title: '上传', visibility: 'public',
    deceased: { name: '孙八', death_date: '2026-01-01' } })).memorial.id;
});

after(async () => { await d?.stop(); });

async function uploadPhoto(bytes, type) {
  return api(d, 'POST', `/api/memorials/${ids.memorial}/photos`,
    { token: admin, body: bytes, headers: { 'content-type': type } });
}

async function publicBytes(url) {
  // as anyone reads it on the public page
  const r = await fetch(d.url + url);
  assert.equal(r.status, 200);
  return Buffer.from(await r.arrayBuffer());
}

function clean(bytes, what) {
  for (const s of SECRETS) {
    assert.ok(!bytes.includes(Buffer.from(s, 'latin1')), `${what} still holds "${s}"`);
  }
}

test('a PNG loses eXIf, iTXt and tEXt; the picture is the sample\'s', async () => {
  const r = await uploadPhoto(pngWithMetadata(), 'image/png');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.photo.width, 4);
  const stored = await publicBytes(r.json.photo.url);
  clean(stored, 'the PNG');
  assert.deepEqual(stored, fs.readFileSync(path.join(IMAGES, 'gray_4x3.png')));
});

test('a JPEG loses COM, APP4, MPF, XMP and everything after its end', async () => {
  const r = await uploadPhoto(jpegWithMetadata(), 'image/jpeg');
  assert.equal(r.status, 201, r.text);
  const stored = await publicBytes(r.json.photo.url);
  clean(stored, 'the JPEG');
  assert.deepEqual(stored, fs.readFileSync(path.join(IMAGES, 'plain.jpg')));
});

test('a WebP loses EXIF and XMP, and its flags say so', async () => {
  const r = await uploadPhoto(webpWithMetadata(), 'image/webp');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.photo.width, 200);
  const stored = await publicBytes(r.json.photo.url);
  clean(stored, 'the WebP');
  assert.equal(stored[20] & 0x0c, 0, 'VP8X flags without EXIF and XMP');
  assert.equal(stored.readUInt32LE(4), stored.length - 8);
});

test('the portrait goes through the same cleaning', async () => {
  const r = await api(d, 'PUT', `/api/memorials/${ids.memorial}/portrait`,
    { token: admin, body: jpegWithMetadata(), headers: { 'content-type': 'image/jpeg' } });
  assert.equal(r.status, 200, r.text);
  clean(await publicBytes(r.json.portrait_url), 'the portrait');
});

test('absurd sizes and empty containers are refused with a 400', async () => {
  for (const [what, bytes, type] of [
    ['a 65535² PNG', pngSized(65535, 65535), 'image/png'],
    ['a 2^31-wide PNG', pngSized(2 ** 31, 1), 'image/png'],
    ['a 12-byte WebP', Buffer.from('RIFF\x04\0\0\0WEBP', 'latin1'), 'image/webp'],
    ['a 65535² WebP', webpWithMetadata(65535, 65535, false), 'image/webp'],
    ['a JPEG cut short', jpegWithMetadata().subarray(0, 300), 'image/jpeg'],
  ]) {
    const r = await uploadPhoto(bytes, type);
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid');
  }
  const page = await ok('GET', `/api/memorials/${ids.memorial}`);
  assert.equal(page.photos.length, 3, 'nothing refused was added');
});

test('an MP4 proof video loses XMP in a track and its position', async () => {
  const cem = await ok('POST', '/api/cemeteries', { name: '上传陵园', region_code: '110105' });
  const plot = await ok('POST', `/api/cemeteries/${cem.id}/plots`,
    { section: 'U', row: '1', number: '1', kind: 'grave' });
  const svc = await ok('POST', `/api/cemeteries/${cem.id}/services`,
    { code: 's', name: '代扫', price_cents: 100 });
  const day = new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);
  const order = await ok('POST', '/api/sweeping-orders',
    { plot_id: plot.id, date: day, items: [{ service_id: svc.id }] });
  await ok('POST', `/api/sweeping-orders/${order.id}/transitions`, { to: 'accepted' }, 200);
  const video = mp4WithMetadata();
  const r = await api(d, 'POST', `/api/sweeping-orders/${order.id}/proof`,
    { token: admin, body: video, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 201, r.text);
  const got = await fetch(d.url + r.json.url, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(got.status, 200);
  const stored = Buffer.from(await got.arrayBuffer());
  assert.equal(r.json.bytes, video.length, 'blanked in place, same size');
  for (const s of ['secret', '39.95', '+39.9567', 'xmpmeta']) {
    assert.ok(!stored.includes(Buffer.from(s, 'latin1')), `the video still holds "${s}"`);
  }
});
