// The mourning calendar, its feeds, followers, the inbox and the day-before
// reminders over real HTTP, with the notifier's real transports: SMTP to a
// python3-aiosmtpd server and text messages to a webhook, both on loopback.
//
// Known dates: a death on 中秋 2024 (17 September) gives 七七 on 4 November
// 2024 and, by the lunar date, 周年 on 中秋 2025 (6 October) and 三周年 on
// 中秋 2027 (15 September) — Hong Kong Observatory's conversion tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, api, wsConnect } from '../lib/daemon.mjs';
import { makeWorld, cstDate, signIn, signUp, exifJpeg } from '../lib/visit_world.mjs';
import { startSmtpSink, startSmsWebhook, parseIcs, decodeHeader } from '../lib/mail.mjs';

let d, w, sink, sms;
const ids = {};

async function ok(who, method, p, json, want) {
  const r = await w.as(who, method, p, json === undefined ? {} : { json });
  assert.equal(r.status, want ?? (method === 'POST' ? 201 : 200), `${method} ${p} as ${who}: ${r.text}`);
  return r.json;
}

async function fails(status, who, method, p, json) {
  const r = await w.as(who, method, p, json === undefined ? {} : { json });
  assert.equal(r.status, status, `${method} ${p} as ${who}: ${r.text}`);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  return r.json.error;
}

/** Run the reminders for day as an admin of world ww; the finished run. */
async function remind(ww, day) {
  const r = await ww.as('admin', 'POST', '/api/reminders/run', { json: { day } });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.running, true);
  for (;;) {
    const s = await ww.as('admin', 'GET', '/api/reminders/run');
    assert.equal(s.status, 200, s.text);
    if (!s.json.running) return s.json;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** who (a family admin) invites guest to memorial mid as a guest; guest accepts. */
async function inviteGuest(who, mid, guest) {
  await ok(who, 'POST', `/api/memorials/${mid}/family`,
    { login: w.logins[guest], role: 'memorial_guest' }, 202);
  const inv = (await ok(guest, 'GET', '/api/me/invitations')).invitations
    .find((i) => i.memorial?.id === mid && i.state === 'pending');
  assert.ok(inv, `${guest} has no invitation to memorial ${mid}`);
  await ok(guest, 'POST', `/api/invitations/${inv.id}/accept`, undefined, 200);
}

async function memorial(who, title, deceased, extra = {}) {
  return (await ok(who, 'POST', '/api/memorials', { title, deceased, ...extra })).memorial;
}

before(async () => {
  sink = await startSmtpSink();
  sms = await startSmsWebhook();
  d = await startDaemon({
    config: {
      rate_limit_writes: 100000, rate_limit_logins: 100000, demo: false,
      media_loopback_only: true, site_url: 'https://memorial.example.org',
      notify_email: 'smtp', smtp_host: '127.0.0.1', smtp_port: sink.port,
      smtp_tls: 'none', smtp_from: '思念 <noreply@memorial.example.org>',
      notify_sms: 'webhook', sms_webhook_url: sms.url, sms_webhook_token: 'provider-secret',
    },
  });
  w = await makeWorld(d, { families: ['family', 'follower', 'guest', 'stranger'] });
  // a follower who signed up with an e-mail address
  ids.mailer = await signUp(d, 'Grandson@Example.org', '孙子');
  w.tokens.mailer = await signIn(d, 'grandson@example.org');
  w.logins.mailer = 'grandson@example.org';
  ids.mid = (await memorial('family', '纪念李秀英', {
    name: '李秀英', birth_date: '1936-03-15', death_date: '2024-09-17' })).id;
});

after(async () => {
  if (d) await d.stop();
  await sink?.stop();
  await sms?.stop();
});

test('calendar: the rites of a known death date, Gregorian then lunar', async () => {
  let c = await ok('family', 'GET', `/api/memorials/${ids.mid}/calendar`);
  assert.equal(c.anniversaries, 'gregorian');
  assert.equal(c.today, cstDate(0));
  assert.equal(c.death_date, '2024-09-17');
  assert.deepEqual(c.rites.map((r) => r.title),
    ['头七', '二七', '三七', '四七', '五七', '六七', '七七', '百日', '周年', '三周年']);
  assert.equal(c.rites[0].date, '2024-09-23'); // the day of death is day 1
  assert.equal(c.rites[6].date, '2024-11-04');
  assert.equal(c.rites[7].date, '2024-12-25');
  assert.equal(c.rites[8].date, '2025-09-17');
  assert.equal(c.rites[6].status, 'past');
  assert.equal(c.can_edit, true);
  assert.equal(c.following, false);
  assert.ok(c.next && c.next.days >= 0, JSON.stringify(c.next));
  assert.ok(c.upcoming.length > 4, 'a year holds the festivals at least');
  for (const kind of ['qingming', 'zhongyuan', 'hanyi', 'dongzhi']) {
    assert.ok(c.upcoming.some((x) => x.kind === kind), kind);
  }
  assert.ok(c.upcoming.some((x) => x.kind === 'birthday'));
  assert.match(c.feed.ics, new RegExp(`/api/memorials/${ids.mid}/calendar\\.ics$`));
  assert.match(c.feed.webcal, /^webcal:\/\/127\.0\.0\.1:\d+\/api\/memorials\/\d+\/calendar\.ics$/);

  await fails(403, 'stranger', 'PUT', `/api/memorials/${ids.mid}/calendar`, { anniversaries: 'lunar' });
  await fails(401, null, 'PUT', `/api/memorials/${ids.mid}/calendar`, { anniversaries: 'lunar' });
  await fails(400, 'family', 'PUT', `/api/memorials/${ids.mid}/calendar`, { anniversaries: 'julian' });
  await fails(400, 'family', 'PUT', `/api/memorials/${ids.mid}/calendar`, { anniversaries: 'lunar', x: 1 });
  c = await ok('family', 'PUT', `/api/memorials/${ids.mid}/calendar`, { anniversaries: 'lunar' });
  assert.equal(c.anniversaries, 'lunar');
  assert.equal(c.rites[6].date, '2024-11-04'); // the sevens count days
  assert.equal(c.rites[8].date, '2025-10-06'); // 中秋 2025
  assert.equal(c.rites[8].lunar.label, '农历八月十五');
  assert.equal(c.rites[9].date, '2027-09-15'); // 中秋 2027
  const en = await ok('stranger', 'GET', `/api/memorials/${ids.mid}/calendar?lang=en`);
  assert.equal(en.rites[6].title, 'Seventh seventh day, the 49th (七七)');
  assert.equal(en.rites[8].lunar.label, 'lunar 8/15');
  assert.equal(en.can_edit, false);
  const anon = await api(d, 'GET', `/api/memorials/${ids.mid}/calendar`);
  assert.equal(anon.status, 200);
  assert.equal(anon.json.following, null);
  await fails(404, 'family', 'GET', '/api/memorials/999999/calendar');
});

test('the ICS feed parses with python3-icalendar; private feeds need a link', async () => {
  const r = await api(d, 'GET', `/api/memorials/${ids.mid}/calendar.ics`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/calendar; charset=utf-8/);
  assert.match(r.headers.get('cache-control'), /public/);
  const cal = parseIcs(r.text);
  assert.equal(cal.name, '李秀英 · 思念日历');
  const qiqi = cal.events.find((e) => e.summary === '七七 · 李秀英');
  assert.ok(qiqi, JSON.stringify(cal.events.map((e) => e.summary)));
  assert.equal(qiqi.start, '2024-11-04');
  assert.equal(qiqi.all_day, true);
  assert.deepEqual(qiqi.alarms, ['-PT15H', 'PT8H']);
  const first = cal.events.find((e) => e.summary === '周年 · 李秀英');
  assert.equal(first.start, '2025-10-06');
  assert.match(first.description, /农历八月十五/);
  assert.equal(new Set(cal.events.map((e) => e.uid)).size, cal.events.length);
  assert.ok(cal.events.some((e) => e.summary.startsWith('清明节')));
  const en = parseIcs((await api(d, 'GET', `/api/memorials/${ids.mid}/calendar.ics?lang=en`)).text);
  assert.ok(en.events.some((e) => e.summary === 'Hundredth day (百日) · 李秀英'));

  // a private memorial: no feed for strangers, a secret link per person
  const priv = await memorial('family', '私人纪念', { name: '王伯', death_date: '2025-01-10' },
    { visibility: 'private' });
  await inviteGuest('family', priv.id, 'guest');
  assert.equal((await ok('guest', 'GET', `/api/memorials/${priv.id}/calendar`)).feed, null);
  // a private memorial does not exist for whoever may not view it
  assert.equal((await api(d, 'GET', `/api/memorials/${priv.id}/calendar.ics`)).status, 404);
  await fails(404, 'stranger', 'POST', `/api/memorials/${priv.id}/calendar/feed`);
  await fails(404, null, 'POST', `/api/memorials/${priv.id}/calendar/feed`);
  const link = await ok('guest', 'POST', `/api/memorials/${priv.id}/calendar/feed`);
  assert.match(link.webcal, /^webcal:\/\/.+\/calendar\.ics\?token=[A-Za-z0-9_-]{40,}$/);
  const url = new URL(link.ics);
  const feed = await api(d, 'GET', url.pathname + url.search);
  assert.equal(feed.status, 200, feed.text);
  assert.match(feed.headers.get('cache-control'), /private/);
  assert.ok(parseIcs(feed.text).events.some((e) => e.summary === '头七 · 王伯'));
  // a link is for its memorial only, and a wrong one is no link
  assert.equal((await api(d, 'GET', `/api/memorials/${ids.mid}/calendar.ics${url.search}`)).status, 404);
  assert.equal((await api(d, 'GET', `/api/memorials/${priv.id}/calendar.ics?token=nope`)).status, 404);
  // a new link replaces the old one
  const link2 = await ok('guest', 'POST', `/api/memorials/${priv.id}/calendar/feed`);
  assert.equal((await api(d, 'GET', url.pathname + url.search)).status, 404);
  const url2 = new URL(link2.ics);
  assert.equal((await api(d, 'GET', url2.pathname + url2.search)).status, 200);
  // the link is worth its owner's right, checked at every fetch
  await ok('family', 'DELETE', `/api/memorials/${priv.id}/family/${w.ids.guest}?role=memorial_guest`, undefined, 200);
  // (a private memorial does not exist for whoever may not view it)
  assert.equal((await api(d, 'GET', url2.pathname + url2.search)).status, 404);
});

test('following: only with the right to view, re-checked when listed', async () => {
  await fails(401, null, 'PUT', `/api/memorials/${ids.mid}/follow`);
  await fails(400, 'follower', 'PUT', `/api/memorials/${ids.mid}/follow`, { lang: 'fr' });
  let f = await ok('follower', 'PUT', `/api/memorials/${ids.mid}/follow`, { lang: 'zh-CN' });
  assert.deepEqual(f, { followers: 1, following: true });
  f = await ok('follower', 'PUT', `/api/memorials/${ids.mid}/follow`);
  assert.equal(f.followers, 1, 'following twice is following once');
  const mine = await ok('follower', 'GET', '/api/me/following');
  assert.deepEqual(mine.memorials.map((m) => m.id), [ids.mid]);
  assert.equal(mine.memorials[0].title, '纪念李秀英');
  assert.ok(mine.memorials[0].next?.date);
  // the memorial turns private: the follow stays but shows nothing
  await ok('family', 'PATCH', `/api/memorials/${ids.mid}`, { visibility: 'private' }, 200);
  assert.deepEqual((await ok('follower', 'GET', '/api/me/following')).memorials, []);
  // a private memorial does not exist for whoever may not view it
  await fails(404, 'follower', 'PUT', `/api/memorials/${ids.mid}/follow`);
  await ok('family', 'PATCH', `/api/memorials/${ids.mid}`, { visibility: 'public' }, 200);
  f = await ok('follower', 'DELETE', `/api/memorials/${ids.mid}/follow`);
  assert.deepEqual(f, { followers: 0, following: false });
  assert.deepEqual((await ok('follower', 'GET', '/api/me/following')).memorials, []);
});

test('reminders: the day before 头七, by text message and e-mail, once', async () => {
  // died five days ago: tomorrow is 头七 (the day of death is day 1)
  const m = await memorial('family', '纪念张明', { name: '张明', death_date: cstDate(-5) });
  const tomorrow = cstDate(1);
  await ok('follower', 'PUT', `/api/memorials/${m.id}/follow`, { lang: 'zh-CN' });
  await ok('mailer', 'PUT', `/api/memorials/${m.id}/follow`, { lang: 'en' });
  await ok('stranger', 'PUT', `/api/memorials/${m.id}/follow`);
  const ws = await wsConnect(d, '/ws', { token: w.tokens.follower });
  ws.send({ subscribe: `user:${w.ids.follower}` });
  await ws.next((x) => x.subscribed);
  // the stranger may no longer view it when the day comes: not reminded
  const turned = await ok('family', 'PATCH', `/api/memorials/${m.id}`, { visibility: 'private' }, 200);
  m.slug = turned.memorial?.slug ?? turned.slug; // a private memorial gets a new, unguessable slug
  assert.ok(m.slug);
  await inviteGuest('family', m.id, 'follower');
  await inviteGuest('family', m.id, 'mailer');

  await fails(403, 'follower', 'POST', '/api/reminders/run', { day: tomorrow });
  await fails(403, 'follower', 'GET', '/api/reminders/run');
  await fails(400, 'admin', 'POST', '/api/reminders/run', { day: 'tomorrow' });
  const run = await remind(w, tomorrow);
  assert.deepEqual(run, { day: tomorrow, running: false, mourning: 2, sent: 2, visits: 0, complete: true });

  const text = await sms.next();
  assert.equal(text.body.to, `+86${w.logins.follower}`);
  assert.equal(text.body.purpose, 'reminder');
  assert.match(text.body.text, /^明天（\d+月\d+日）是张明的头七。/);
  assert.match(text.body.text, /https:\/\/memorial\.example\.org\/m\//);
  assert.equal(text.headers.authorization, 'Bearer provider-secret');
  const mail = await sink.next();
  assert.equal(mail.mail_from, 'noreply@memorial.example.org');
  assert.deepEqual(mail.rcpt_tos, ['grandson@example.org']);
  assert.equal(decodeHeader(mail.headers.subject), 'Tomorrow: First seventh day (头七) — 张明');
  assert.match(mail.text, /^Tomorrow, \d+ [A-Z][a-z]+, is the First seventh day \(头七\) for 张明\./);
  assert.match(decodeHeader(mail.headers.from), /^思念 <noreply@memorial\.example\.org>$/);

  // the inbox, live and kept
  const ev = await ws.next((x) => x.event?.type === 'inbox');
  assert.equal(ev.topic, `user:${w.ids.follower}`);
  assert.equal(ev.event.item.kind, 'mourning_tomorrow');
  assert.equal(ev.event.item.data.date, tomorrow);
  assert.equal(ev.event.item.data.dates[0].titles['zh-CN'], '头七');
  assert.equal(ev.event.item.data.dates[0].titles.en, 'First seventh day (头七)');
  assert.equal(ev.event.item.link, `/m/${m.slug}`);
  const box = await ok('follower', 'GET', '/api/me/inbox');
  assert.equal(box.items[0].id, ev.event.item.id);
  assert.equal(box.unread, ev.event.unread);
  assert.equal((await ok('stranger', 'GET', '/api/me/inbox')).items
    .filter((i) => i.kind === 'mourning_tomorrow').length, 0);

  // a second run (a restart, another node) sends nothing twice
  const again = await remind(w, tomorrow);
  assert.equal(again.mourning, 0);
  assert.equal(again.sent, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(sms.got.length, 1);
  assert.equal(sink.count(), 1);
  const metrics = (await api(d, 'GET', '/metrics')).text;
  assert.match(metrics, /^sinian_notify_sent_total 2$/m);
  assert.match(metrics, /^sinian_notify_failed_total 0$/m);
  await ws.close();
});

test('inbox: messages waiting for review, one item, gone once approved', async () => {
  const ws = await wsConnect(d, '/ws', { token: w.tokens.family });
  ws.send({ subscribe: `user:${w.ids.family}` });
  await ws.next((x) => x.subscribed);
  const post = (name) => api(d, 'POST', `/api/memorials/${ids.mid}/tributes`,
    { json: { kind: 'message', from_name: name, text: '外婆，想您。' } });
  const t1 = await post('小明');
  assert.equal(t1.status, 201, t1.text);
  let ev = await ws.next((x) => x.event?.type === 'inbox');
  assert.equal(ev.event.item.kind, 'message_pending');
  assert.equal(ev.event.item.data.pending, 1);
  assert.equal(ev.event.item.data.title, '纪念李秀英');
  assert.equal(ev.event.item.link, `/memorial-admin.html?id=${ids.mid}`);
  const itemId = ev.event.item.id;
  const t2 = await post('小红');
  ev = await ws.next((x) => x.event?.type === 'inbox');
  assert.equal(ev.event.item.id, itemId, 'the same item, updated');
  assert.equal(ev.event.item.data.pending, 2);
  for (const t of [t1, t2]) {
    await ok('family', 'PATCH', `/api/memorials/${ids.mid}/messages/${t.json.tribute.id}`,
      { state: 'published' }, 200);
  }
  ev = await ws.next((x) => x.event?.type === 'inbox_read');
  assert.equal(ev.event.ids, 'all');
  const box = await ok('family', 'GET', '/api/me/inbox');
  assert.equal(box.items.find((i) => i.id === itemId).read, true);

  // reading: one's own items only
  const other = (await ok('follower', 'GET', '/api/me/inbox')).items[0];
  await fails(404, 'family', 'POST', `/api/me/inbox/${other.id}/read`);
  await fails(401, null, 'GET', '/api/me/inbox');
  await fails(400, 'follower', 'GET', '/api/me/inbox?limit=1000');
  const read = await ok('follower', 'POST', `/api/me/inbox/${other.id}/read`, undefined, 200);
  assert.equal(read.item.read, true);
  assert.deepEqual(await ok('follower', 'POST', '/api/me/inbox/read-all', undefined, 200), { unread: 0 });
  await ws.close();
});

test('inbox: the visit tomorrow, and an order with its proof photo', async () => {
  const tomorrow = cstDate(1);
  const slot = (await ok('staffA', 'POST', `/api/cemeteries/${w.ids.cemA}/slots`,
    { date: tomorrow, start: '09:00', end: '10:00', capacity: 10 })).slots[0];
  const b = await ok('family', 'POST', '/api/bookings',
    { slot_id: slot.id, plot_id: w.ids.plotA, persons: 2, contact_phone: '13900001234' });
  const run = await remind(w, tomorrow);
  assert.equal(run.visits, 1);
  const item = (await ok('family', 'GET', '/api/me/inbox')).items
    .find((i) => i.kind === 'visit_tomorrow');
  assert.equal(item.data.booking_id, b.id);
  assert.equal(item.data.start, '09:00');
  assert.equal(item.data.cemetery, 'A 区公墓');
  assert.equal(item.link, `/visit.html?booking=${b.id}`);

  const o = await ok('family', 'POST', '/api/sweeping-orders',
    { plot_id: w.ids.plotA, date: tomorrow, items: [{ service_id: w.ids.cleanA }] });
  await ok('staffA', 'POST', `/api/sweeping-orders/${o.id}/transitions`, { to: 'accepted' }, 200);
  const orderItem = async () =>
    (await ok('family', 'GET', '/api/me/inbox')).items.find((i) => i.kind === 'order');
  let it = await orderItem();
  assert.equal(it.data.state, 'accepted');
  assert.equal(it.data.photo, null);
  assert.equal(it.link, `/order.html?id=${o.id}`);
  await ok('staffA', 'POST', `/api/sweeping-orders/${o.id}/payment`,
    { state: 'paid', reference: 'R-1' }, 200);
  await ok('staffA', 'POST', `/api/sweeping-orders/${o.id}/transitions`, { to: 'in_progress' }, 200);
  const up = await w.as('staffA', 'POST', `/api/sweeping-orders/${o.id}/proof`,
    { body: exifJpeg(), headers: { 'content-type': 'image/jpeg' } });
  assert.equal(up.status, 201, up.text);
  const again = await orderItem();
  assert.equal(again.id, it.id, 'one item per order, updated');
  assert.equal(again.data.state, 'in_progress');
  assert.equal(again.data.proofs, 1);
  assert.equal(again.data.photo, up.json.url);
  // the family sees the photo it links to
  assert.equal((await w.as('family', 'GET', again.data.photo)).status, 200);
});

test('ceremonies: "Add to calendar", and told when it goes live', async () => {
  const agency = await ok('admin', 'POST', '/api/agencies', { name: '思念殡仪馆', region_code: '110105' });
  const m = await memorial('family', '纪念周兰', { name: '周兰', death_date: cstDate(-2) });
  await ok('follower', 'PUT', `/api/memorials/${m.id}/follow`);
  const start = new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(Date.now() + 90000e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const c = await ok('admin', 'POST', '/api/ceremonies', {
    agency_id: agency.id, memorial_id: m.id, title: '周兰女士告别仪式', deceased_name: '周兰',
    scheduled_start: start, scheduled_end: end, visibility: 'invite', source: { kind: 'test' } });
  const inv = await ok('admin', 'POST', `/api/ceremonies/${c.id}/invites`, { guest_name: '外孙' });

  // an invite-only ceremony does not exist without its invitation
  assert.equal((await api(d, 'GET', `/api/ceremonies/${c.id}/calendar.ics`)).status, 404);
  const r = await api(d, 'GET', `/api/ceremonies/${c.id}/calendar.ics?invite=${inv.token}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('cache-control'), /private/);
  const cal = parseIcs(r.text);
  assert.equal(cal.events.length, 1);
  assert.equal(cal.events[0].summary, '周兰女士告别仪式');
  assert.equal(cal.events[0].start, start.replace('Z', '+00:00'));
  assert.equal(cal.events[0].all_day, false);
  assert.ok(cal.events[0].url.endsWith(`/c/${c.id}?invite=${inv.token}`));
  assert.deepEqual(cal.events[0].alarms, ['-P1D', '-PT30M']);

  // the guest opens the invitation while signed in; then it goes live
  assert.equal((await w.as('guest', 'GET', `/api/ceremonies/${c.id}?invite=${inv.token}`)).status, 200);
  const ws = await wsConnect(d, '/ws', { token: w.tokens.guest });
  ws.send({ subscribe: `user:${w.ids.guest}` });
  await ws.next((x) => x.subscribed);
  await ok('admin', 'POST', `/api/ceremonies/${c.id}/start`, undefined, 200);
  const ev = await ws.next((x) => x.event?.item?.kind === 'ceremony_live', 15000);
  assert.equal(ev.event.item.data.title, '周兰女士告别仪式');
  assert.equal(ev.event.item.link, `/c/${c.id}?invite=${inv.token}`);
  // the memorial's family is told; a follower who may not watch is not
  const fam = (await ok('family', 'GET', '/api/me/inbox')).items.find((i) => i.kind === 'ceremony_live');
  assert.equal(fam?.link, `/c/${c.id}`);
  assert.equal((await ok('follower', 'GET', '/api/me/inbox')).items
    .filter((i) => i.kind === 'ceremony_live').length, 0);
  await ok('admin', 'POST', `/api/ceremonies/${c.id}/stop`, undefined, 200);
  await ws.close();
});

test('reminders leave the notifier room: a run stops and the next goes on', async () => {
  // a slow SMS provider and a queue of 2: half of it is the reminders' share
  const slow = await startSmsWebhook({ delayMs: 700 });
  const d2 = await startDaemon({ config: { demo: false, rate_limit_writes: 100000,
    notify_sms: 'webhook', sms_webhook_url: slow.url, notify_queue_max: 2 } });
  try {
    const w2 = await makeWorld(d2, { families: ['f1', 'f2', 'f3'] });
    const m = (await w2.as('f1', 'POST', '/api/memorials',
      { json: { title: '纪念刘芳', deceased: { name: '刘芳', death_date: cstDate(-5) } } })).json.memorial;
    for (const who of ['f1', 'f2', 'f3']) {
      assert.equal((await w2.as(who, 'PUT', `/api/memorials/${m.id}/follow`)).status, 200);
    }
    const run = () => remind(w2, cstDate(1));
    const first = await run();
    assert.equal(first.complete, false);
    assert.ok(first.mourning < 3, JSON.stringify(first));
    let total = first.mourning;
    for (let i = 0; i < 20 && total < 3; i++) {
      await new Promise((r) => setTimeout(r, 400));
      total += (await run()).mourning;
    }
    assert.equal(total, 3);
    assert.equal((await run()).complete, true);
    for (let i = 0; i < 3; i++) await slow.next();
    const to = slow.got.map((g) => g.body.to).sort();
    assert.deepEqual(to, [...new Set(to)], 'nobody twice');
    assert.equal(to.length, 3);
  } finally {
    await d2.stop();
    await slow.stop();
  }
});
