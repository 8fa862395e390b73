// What a family meets on a phone, against the real binary: shared links
// (the Open Graph and WeChat tags written into /m/{slug} and /c/{id}, in
// Chinese or English, never a private memorial's name), the share card PNG
// (its size, its cache validators, a new card when the name changes), the
// QR code as PNG, /c/1/ like /c/1, compressed text responses (brotli, gzip,
// their ETags and 304s, never a range), a ceremony's time zone, condolences
// following the memorial's moderation live (pending for the family only,
// published and hidden on everyone's topic), the recording downloaded by
// the family only, and search by pinyin and by the family's other names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { startDaemon, api, wsConnect, REPO } from '../lib/daemon.mjs';
import { until, adminWithAgency } from '../lib/live.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const FAMILY = { login: '13900002222', password: 'quiet spring rain', display_name: '王小梅' };
const MOURNER = { login: '13900003333', password: 'a long walk home', display_name: '李明' };

let d;
let admin;
let family;
let mourner;
let agencyId;

/** GET path as sent, not decoded (fetch would): { status, headers, body }. */
function raw(urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(d.url + urlPath, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks),
      }));
    });
    req.on('error', reject);
  });
}

/** Width and height from a PNG's IHDR. */
function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG');
  assert.equal(buf.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** The content of <meta {attr}="{name}" content="..."> in html. */
function metaOf(html, attr, name) {
  const re = new RegExp(`<meta ${attr}="${name.replace(/[:.]/g, '\\$&')}" content="([^"]*)">`);
  const m = re.exec(html);
  return m ? m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&') : null;
}

async function signUp(who) {
  const u = await api(d, 'POST', '/api/users', { json: who });
  assert.equal(u.status, 202, u.text);
  const s = await api(d, 'POST', '/api/session', { json: { login: who.login, password: who.password } });
  assert.equal(s.status, 200, s.text);
  return s.json.token;
}

async function memorial(token, body) {
  const r = await api(d, 'POST', '/api/memorials', { token, json: body });
  assert.equal(r.status, 201, r.text);
  return r.json.memorial;
}

async function ceremony(extra = {}) {
  const r = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId, title: '王建国先生告别仪式', deceased_name: '王建国',
      scheduled_start: '2026-04-04T02:00:00Z', scheduled_end: '2026-04-04T03:00:00Z',
      visibility: 'public', source: { kind: 'test' }, ...extra,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  d = await startDaemon({ config: { media_loopback_only: true, rate_limit_writes: 100000 } });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  family = await signUp(FAMILY);
  mourner = await signUp(MOURNER);
});

after(async () => {
  if (d) await d.stop();
});

// ---------- share tags and cards ----------

test('memorial page: title, description and card in the HTML, Chinese and English', async () => {
  const zh = await api(d, 'GET', '/m/demo', { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
  assert.equal(zh.status, 200);
  assert.match(zh.text, /<title>李秀英老师纪念馆 · 思念<\/title>/);
  assert.equal(metaOf(zh.text, 'property', 'og:title'), '李秀英老师纪念馆');
  assert.match(metaOf(zh.text, 'name', 'description'), /^纪念李秀英（1936\.03\.12 – 2025\.01\.08）。/);
  assert.equal(metaOf(zh.text, 'property', 'og:url'), `${d.url}/m/demo`);
  const image = metaOf(zh.text, 'property', 'og:image');
  assert.match(image, new RegExp(`^${d.url}/api/memorials/\\d+/card\\.png\\?v=[0-9a-f]{16}$`));
  assert.equal(metaOf(zh.text, 'itemprop', 'image'), image, 'WeChat reads itemprop');
  assert.equal(metaOf(zh.text, 'itemprop', 'name'), '李秀英老师纪念馆');
  assert.equal(metaOf(zh.text, 'property', 'og:image:width'), '1200');
  assert.equal(metaOf(zh.text, 'name', 'twitter:card'), 'summary_large_image');
  assert.equal((zh.text.match(/<title>/g) ?? []).length, 1, 'one title');
  assert.ok(!zh.text.includes('<!--share-->'));
  assert.match(zh.headers.get('vary') ?? '', /Accept-Language/);

  const en = await api(d, 'GET', '/m/demo/', { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
  assert.equal(en.status, 200, '/m/demo/ is the same page');
  assert.match(metaOf(en.text, 'property', 'og:description'), /^In memory of 李秀英 \(1936\.03\.12 – 2025\.01\.08\)\. /);
  assert.equal(metaOf(en.text, 'property', 'og:locale'), 'en_US');

  // the page still runs its script: the rest of the file is as it was
  const file = await fsp.readFile(path.join(REPO, 'web', 'memorial.html'), 'utf8');
  assert.ok(zh.text.endsWith(file.slice(file.indexOf('<!--share-->') + '<!--share-->'.length)));
});

test('private and unknown memorials: no name, no portrait, the site card', async () => {
  const m = await memorial(family, {
    title: '外婆周淑芬', visibility: 'private', deceased: { name: '周淑芬', death_date: '2025-02-01' },
  });
  for (const lang of ['zh-CN', 'en']) {
    const r = await api(d, 'GET', `/m/${m.slug}`, { headers: { 'accept-language': lang } });
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes('周淑芬'), 'the name is not in the page');
    assert.match(metaOf(r.text, 'property', 'og:image'), /\/api\/share\/card\.png/);
  }
  // even signed in as the family: tags are what a link preview would see
  const fam = await api(d, 'GET', `/m/${m.slug}`, { token: family });
  assert.ok(!fam.text.includes('周淑芬'));
  // the card itself is for those who may view it; by number a private
  // memorial does not exist for anyone else
  assert.equal((await api(d, 'GET', `/api/memorials/${m.id}/card.png`)).status, 404);
  assert.equal((await api(d, 'GET', `/api/memorials/${m.id}/card.png`, { token: mourner })).status, 404);
  const own = await raw(`/api/memorials/${m.id}/card.png`, { authorization: `Bearer ${family}` });
  assert.equal(own.status, 200);
  assert.match(own.headers.get('cache-control'), /^private/);

  const none = await api(d, 'GET', '/m/no-such-memorial', { headers: { accept: 'text/html' } });
  assert.equal(none.status, 404);
  assert.match(none.text, /<meta property="og:title"/);
  const site = await raw('/api/share/card.png');
  assert.deepEqual(pngSize(site.body), { width: 1200, height: 630 });
});

test('share card: a 1200x630 PNG, validators, immutable by version, new when the name changes', async () => {
  const m = await memorial(family, {
    title: '爷爷赵德明', deceased: { name: '赵德明', birth_date: '1931-05-04', death_date: '2024-12-30' },
  });
  const page = await api(d, 'GET', `/m/${m.slug}`);
  const image = metaOf(page.text, 'property', 'og:image').slice(d.url.length);
  const first = await raw(image);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'image/png');
  assert.deepEqual(pngSize(first.body), { width: 1200, height: 630 });
  assert.match(first.headers.get('cache-control'), /^public, max-age=31536000, immutable$/);
  const etag = first.headers.get('etag');
  const again = await raw(`/api/memorials/${m.id}/card.png`, { 'if-none-match': etag });
  assert.equal(again.status, 304);
  const plain = await raw(`/api/memorials/${m.id}/card.png`);
  assert.match(plain.headers.get('cache-control'), /no-cache/, 'without ?v= it is asked again');
  assert.ok(plain.body.equals(first.body), 'the same card from the cache');

  const p = await api(d, 'PATCH', `/api/memorials/${m.id}`, { token: family, json: { title: '爷爷赵德明（1931—2024）' } });
  assert.equal(p.status, 200, p.text);
  const page2 = await api(d, 'GET', `/m/${m.slug}`);
  const image2 = metaOf(page2.text, 'property', 'og:image').slice(d.url.length);
  assert.notEqual(image2, image, 'a new version in the tags');
  const second = await raw(image2);
  assert.equal(second.status, 200);
  assert.notEqual(second.headers.get('etag'), etag);
  assert.ok(!second.body.equals(first.body), 'a card drawn again');
  assert.equal((await raw(`/api/memorials/${m.id}/card.png`, { 'if-none-match': etag })).status, 200,
    'the old validator no longer matches');
});

test('QR code as PNG: the page address, a picture to save', async () => {
  const r = await raw('/api/memorials/1/qr.png');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.match(r.headers.get('content-disposition'), /filename="sinian-demo\.png"/);
  const { width, height } = pngSize(r.body);
  assert.equal(width, height);
  assert.ok(width >= 300, `big enough to scan from a screen: ${width}`);
});

test('ceremony page: /c/{id}/ works, tags in the ceremony time zone, invite-only keeps its name', async () => {
  const c = await ceremony({ time_zone: 'America/New_York' });
  assert.equal(c.time_zone, 'America/New_York');
  const r = await api(d, 'GET', `/c/${c.id}/`, { headers: { 'accept-language': 'en' } });
  assert.equal(r.status, 200);
  assert.equal(metaOf(r.text, 'property', 'og:title'), '王建国先生告别仪式');
  // 02:00 UTC on 4 April 2026 is 22:00 the day before in New York (EDT)
  assert.match(metaOf(r.text, 'name', 'description'), /3 Apr 2026, 22:00 \(New York time\)/);
  const zh = await api(d, 'GET', `/c/${c.id}`);
  assert.match(metaOf(zh.text, 'name', 'description'), /2026年4月3日 22:00（New York时间）/);
  const card = await raw(metaOf(zh.text, 'property', 'og:image').slice(d.url.length));
  assert.deepEqual(pngSize(card.body), { width: 1200, height: 630 });

  const beijing = await ceremony();
  assert.equal(beijing.time_zone, 'Asia/Shanghai', 'the default');
  const b = await api(d, 'GET', `/c/${beijing.id}`);
  assert.match(metaOf(b.text, 'name', 'description'), /2026年4月4日 10:00（北京时间）/);
  for (const tz of ['Mars/Olympus', '../etc/passwd', '', 'Asia/Shanghai; rm']) {
    const bad = await api(d, 'POST', '/api/ceremonies', {
      token: admin,
      json: { agency_id: agencyId, title: 't', deceased_name: 'n', scheduled_start: '2026-04-04T02:00:00Z',
        scheduled_end: '2026-04-04T03:00:00Z', source: { kind: 'test' }, time_zone: tz },
    });
    assert.equal(bad.status, 400, `time_zone ${tz}`);
  }

  const inv = await ceremony({ visibility: 'invite', deceased_name: '钱秀珍', title: '钱秀珍告别' });
  const closed = await api(d, 'GET', `/c/${inv.id}`);
  assert.ok(!closed.text.includes('钱秀珍'), 'no name without the invite');
  const i = await api(d, 'POST', `/api/ceremonies/${inv.id}/invites`, { token: admin, json: { guest_name: '表妹' } });
  assert.equal(i.status, 201, i.text);
  const open = await api(d, 'GET', `/c/${inv.id}?invite=${encodeURIComponent(i.json.token)}`);
  assert.equal(metaOf(open.text, 'property', 'og:title'), '钱秀珍告别');
  const img = metaOf(open.text, 'property', 'og:image');
  assert.match(img, /&invite=/);
  assert.equal((await raw(img.slice(d.url.length))).status, 200, 'the card link carries the invite');
  // without its invite an invite-only ceremony does not exist
  assert.equal((await raw(`/api/ceremonies/${inv.id}/card.png`)).status, 404);
  assert.equal((await api(d, 'GET', '/c/999999')).status, 404);
});

// ---------- compression ----------

test('text is compressed: brotli when taken, else gzip; ETags per variant; ranges never', async () => {
  const file = await fsp.readFile(path.join(REPO, 'web', 'js', 'i18n', 'zh-CN.js'));
  const br = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.status, 200);
  assert.equal(br.headers.get('content-encoding'), 'br');
  assert.equal(br.headers.get('vary'), 'Accept-Encoding');
  assert.ok(zlib.brotliDecompressSync(br.body).equals(file), 'the file, decoded');
  assert.ok(br.body.length < file.length / 2, `${br.body.length} of ${file.length} bytes`);
  const brTag = br.headers.get('etag');
  assert.match(brTag, /-br"$/);

  const gz = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  assert.ok(zlib.gunzipSync(gz.body).equals(file));
  assert.match(gz.headers.get('etag'), /-gz"$/);
  const noBr = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
  assert.equal(noBr.headers.get('content-encoding'), 'gzip');

  const plain = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'identity' });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.ok(plain.body.equals(file));
  assert.equal(plain.headers.get('vary'), 'Accept-Encoding');

  const nm = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'br', 'if-none-match': brTag });
  assert.equal(nm.status, 304);
  assert.equal(nm.headers.get('etag'), brTag);

  const range = await raw('/js/i18n/zh-CN.js', { 'accept-encoding': 'br', range: 'bytes=0-99' });
  assert.equal(range.status, 206);
  assert.equal(range.headers.get('content-encoding'), null);
  assert.ok(range.body.equals(file.subarray(0, 100)));

  // JSON answers and generated pages too; pictures and small bodies not
  const json = await raw('/api/memorials/by-slug/demo', { 'accept-encoding': 'br' });
  assert.equal(json.headers.get('content-encoding'), 'br');
  assert.equal(JSON.parse(zlib.brotliDecompressSync(json.body)).memorial.slug, 'demo');
  const page = await raw('/m/demo', { 'accept-encoding': 'gzip' });
  assert.equal(page.headers.get('content-encoding'), 'gzip');
  assert.match(zlib.gunzipSync(page.body).toString(), /og:title/);
  const png = await raw('/api/memorials/1/qr.png', { 'accept-encoding': 'br' });
  assert.equal(png.headers.get('content-encoding'), null);
  const small = await raw('/healthz', { 'accept-encoding': 'br' });
  assert.equal(small.headers.get('content-encoding'), null);
});

// ---------- condolences ----------

test('condolences follow the memorial: held for the family, published and hidden live', async () => {
  const m = await memorial(family, {
    title: '孙桂英纪念', moderation: 'hold', deceased: { name: '孙桂英', death_date: '2025-03-01' },
  });
  const c = await ceremony({ memorial_id: m.id, deceased_name: '孙桂英' });
  const everyone = await wsConnect(d);
  const fam = await wsConnect(d, '/ws', { token: family });
  try {
    everyone.send({ subscribe: `ceremony:${c.id}` });
    await everyone.next((x) => x.subscribed === `ceremony:${c.id}`);
    everyone.send({ subscribe: `condolences:${c.id}` });
    const refused = await everyone.next((x) => x.error);
    assert.equal(refused.error.code, 'unauthorized', 'the moderators\' topic is theirs');
    fam.send({ subscribe: `condolences:${c.id}` });
    await fam.next((x) => x.subscribed === `condolences:${c.id}`);

    const post = await api(d, 'POST', `/api/ceremonies/${c.id}/condolences`,
      { json: { from_name: '老同事', text: '一路走好' } });
    assert.equal(post.status, 201, post.text);
    assert.equal(post.json.state, 'pending');
    const pend = await fam.next((x) => x.event?.type === 'condolence_pending', 5000);
    assert.equal(pend.event.message.text, '一路走好');

    const pub = await api(d, 'GET', `/api/ceremonies/${c.id}/condolences`);
    assert.deepEqual(pub.json.messages, [], 'not shown before it is read');
    assert.equal(pub.json.moderation, 'hold');
    assert.equal(pub.json.can_moderate, false);
    assert.equal((await api(d, 'GET', `/api/ceremonies/${c.id}/condolences?state=pending`)).status, 403);
    const mine = await api(d, 'GET', `/api/ceremonies/${c.id}/condolences?state=pending`, { token: family });
    assert.equal(mine.status, 200);
    assert.equal(mine.json.can_moderate, true);
    assert.equal(mine.json.pending, 1);
    assert.equal(mine.json.messages[0].id, post.json.id);

    const path1 = `/api/ceremonies/${c.id}/condolences/${post.json.id}`;
    assert.equal((await api(d, 'PATCH', path1, { token: mourner, json: { state: 'published' } })).status, 403);
    assert.equal((await api(d, 'PATCH', path1, { json: { state: 'published' } })).status, 401);
    assert.equal((await api(d, 'PATCH', path1, { token: family, json: { state: 'pending' } })).status, 400);
    const ok = await api(d, 'PATCH', path1, { token: family, json: { state: 'published' } });
    assert.equal(ok.status, 200, ok.text);
    const shown = await everyone.next((x) => x.event?.type === 'condolence', 5000);
    assert.equal(shown.event.message.id, post.json.id);
    assert.equal((await fam.next((x) => x.event?.type === 'condolence_state')).event.message.state, 'published');

    // the funeral home may hide it too
    const hide = await api(d, 'PATCH', path1, { token: admin, json: { state: 'hidden' } });
    assert.equal(hide.status, 200, hide.text);
    const gone = await everyone.next((x) => x.event?.type === 'condolence_hidden', 5000);
    assert.equal(gone.event.id, post.json.id);
    assert.equal((await api(d, 'GET', `/api/ceremonies/${c.id}/condolences`)).json.messages.length, 0);
    assert.equal((await api(d, 'PATCH', `/api/ceremonies/${c.id}/condolences/999999`,
      { token: family, json: { state: 'hidden' } })).status, 404);
  } finally {
    everyone.close();
    fam.close();
  }

  // "publish": shown at once, hidden afterwards
  const open = await memorial(family, {
    title: '周建华纪念', moderation: 'publish', deceased: { name: '周建华', death_date: '2025-03-02' },
  });
  const c2 = await ceremony({ memorial_id: open.id });
  const now = await api(d, 'POST', `/api/ceremonies/${c2.id}/condolences`,
    { json: { from_name: '学生', text: '老师千古' } });
  assert.equal(now.json.state, 'published');
  assert.equal((await api(d, 'GET', `/api/ceremonies/${c2.id}/condolences`)).json.messages.length, 1);
  // without a memorial: published, the funeral home moderates
  const c3 = await ceremony();
  const alone = await api(d, 'POST', `/api/ceremonies/${c3.id}/condolences`,
    { json: { from_name: '邻居', text: '节哀' } });
  assert.equal(alone.json.state, 'published');
  assert.equal((await api(d, 'PATCH', `/api/ceremonies/${c3.id}/condolences/${alone.json.id}`,
    { token: family, json: { state: 'hidden' } })).status, 403, 'not this family\'s ceremony');
  const all = await api(d, 'GET', `/api/ceremonies/${c3.id}/condolences?limit=1000`);
  assert.equal(all.status, 200);
  assert.equal((await api(d, 'GET', `/api/ceremonies/${c3.id}/condolences?limit=1001`)).status, 400);
});

test('the recording is downloaded by the family and the funeral home only', async () => {
  const m = await memorial(family, {
    title: '吴玉兰纪念', deceased: { name: '吴玉兰', death_date: '2025-04-01' },
  });
  const c = await ceremony({ memorial_id: m.id, title: '吴玉兰告别' });
  assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/start`, { token: admin })).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal((await api(d, 'POST', `/api/ceremonies/${c.id}/stop`, { token: admin })).status, 200);
  const rec = `/api/ceremonies/${c.id}/recording`;
  await until(async () => (await api(d, 'HEAD', rec)).status === 200, 15000, 'the recording');
  assert.equal((await api(d, 'HEAD', `${rec}?download=1`)).status, 403);
  assert.equal((await api(d, 'HEAD', `${rec}?download=1`, { token: mourner })).status, 403);
  for (const token of [family, admin]) {
    const r = await api(d, 'HEAD', `${rec}?download=1`, { token });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition'),
      new RegExp(`^attachment; filename="ceremony-${c.id}\\.mp4"; filename\\*=UTF-8''%E5%90%B4`));
  }
  const watch = await api(d, 'HEAD', rec);
  assert.equal(watch.headers.get('content-disposition'), null, 'watching is not downloading');
});

// ---------- photos ----------

test('each photo has its own caption, edited by the family only', async () => {
  const m = await memorial(family, { title: '郑秀云纪念', deceased: { name: '郑秀云', death_date: '2025-06-01' } });
  const other = await memorial(family, { title: '另一座', deceased: { name: '郑大山', death_date: '2025-06-02' } });
  const jpeg = await fsp.readFile(path.join(REPO, 'tests/data/images/plain.jpg'));
  const up = await api(d, 'POST', `/api/memorials/${m.id}/photos?caption=${encodeURIComponent('全家福')}`,
    { token: family, body: jpeg, headers: { 'content-type': 'image/jpeg' } });
  assert.equal(up.status, 201, up.text);
  const pid = up.json.photo.id;
  const at = `/api/memorials/${m.id}/photos/${pid}`;
  assert.equal((await api(d, 'PATCH', at, { json: { caption: 'x' } })).status, 401);
  assert.equal((await api(d, 'PATCH', at, { token: mourner, json: { caption: 'x' } })).status, 403);
  assert.equal((await api(d, 'PATCH', `/api/memorials/${other.id}/photos/${pid}`,
    { token: family, json: { caption: 'x' } })).status, 404, 'not that memorial\'s photo');
  assert.equal((await api(d, 'PATCH', at, { token: family, json: { caption: '字'.repeat(101) } })).status, 400);
  const ok = await api(d, 'PATCH', at, { token: family, json: { caption: '字'.repeat(100) } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { id: pid, caption: '字'.repeat(100) });
  const page = await api(d, 'GET', `/api/memorials/${m.id}`);
  assert.equal(page.json.photos.find((p) => p.id === pid).caption, '字'.repeat(100));
  assert.equal((await api(d, 'PATCH', at, { token: family, json: { caption: '' } })).status, 200);
  assert.equal((await api(d, 'GET', `/api/memorials/${m.id}`)).json.photos[0].caption, '');
});

// ---------- search ----------

test('search by pinyin, initials and the family\'s English name', async () => {
  const m = await memorial(family, {
    title: '纪念单田华', search_alias: 'Grace Shan',
    deceased: { name: '单田华', death_date: '2025-05-01' },
  });
  const ids = async (q) => (await api(d, 'GET', `/api/memorials?q=${encodeURIComponent(q)}`))
    .json.memorials.map((h) => h.id);
  assert.ok((await ids('shantianhua')).includes(m.id), 'the surname read as a surname');
  assert.ok((await ids('Shan Tianhua')).includes(m.id));
  assert.ok((await ids('sth')).includes(m.id));
  assert.ok((await ids('grace')).includes(m.id));
  const page = await api(d, 'GET', `/api/memorials/${m.id}`, { token: family });
  assert.equal(page.json.viewer.search_alias, 'Grace Shan', 'the family sees what it gave');
  const anon = await api(d, 'GET', `/api/memorials/${m.id}`);
  assert.equal(anon.json.viewer.search_alias, undefined);
  assert.equal(anon.json.memorial.search_alias, undefined);
  const p = await api(d, 'PATCH', `/api/memorials/${m.id}`, { token: family, json: { search_alias: 'Hua Shan' } });
  assert.equal(p.status, 200, p.text);
  assert.ok(!(await ids('grace')).includes(m.id));
  assert.ok((await ids('hua shan')).includes(m.id));
  const long = await api(d, 'PATCH', `/api/memorials/${m.id}`,
    { token: family, json: { search_alias: 'x'.repeat(101) } });
  assert.equal(long.status, 400);
  const bad = await api(d, 'POST', '/api/memorials', {
    token: family,
    json: { title: 't', search_alias: 'y'.repeat(101), deceased: { name: '某', death_date: '2025-01-01' } },
  });
  assert.equal(bad.status, 400, 'nothing is created');
});
