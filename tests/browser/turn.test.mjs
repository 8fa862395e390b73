// TURN with a real coturn: the daemon mints each viewer a time-limited
// username/credential by the TURN REST scheme (turn_secret), hands them out
// before the offer (GET /api/ceremonies/{id}/ice-servers) and in the WHEP
// answer's Link headers; the player page uses them. Chromium with
// iceTransportPolicy "relay" (forced by an init script that wraps
// RTCPeerConnection) plays the ceremony through coturn over TURN/UDP and
// over TURN/TCP, and the selected candidate pair is a relay one; coturn
// refuses a credential whose time has passed. Where network namespaces and
// nftables can be used (root), a Chromium whose namespace drops every UDP
// packet still watches, over TURN/TCP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, api } from '../lib/daemon.mjs';
import { launchBrowser, collectConsoleErrors, CHROMIUM, CHROMIUM_ARGS } from '../lib/browser.mjs';
import { until, adminWithAgency, rtcStats } from '../lib/live.mjs';
import { startCoturn, restCredential } from '../lib/coturn.mjs';
import { chromium } from 'playwright-core';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const SECRET = 'sinian-test-secret-须弥山';

let d;
let turn;
let browser;
let admin;
let agencyId;
let id;

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function ceremony(visibility) {
  const c = await api(d, 'POST', '/api/ceremonies', {
    token: admin,
    json: {
      agency_id: agencyId,
      title: '王德明先生告别仪式',
      deceased_name: '王德明',
      scheduled_start: iso(Date.now()),
      scheduled_end: iso(Date.now() + 7200e3),
      visibility,
      source: { kind: 'test' },
    },
  });
  assert.equal(c.status, 201, c.text);
  const st = await api(d, 'POST', `/api/ceremonies/${c.json.id}/start`, { token: admin });
  assert.equal(st.status, 200, st.text);
  return c.json.id;
}

before(async () => {
  turn = await startCoturn({ secret: SECRET });
  d = await startDaemon({
    config: {
      media_loopback_only: true,
      turn_urls: turn.urls.join(' '),
      turn_secret: SECRET,
      turn_credential_hours: 2,
    },
  });
  ({ admin, agencyId } = await adminWithAgency(d, ADMIN));
  id = await ceremony('public');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
  if (turn) await turn.stop();
});

// Every RTCPeerConnection the page makes uses relay candidates only, and
// only the TURN URLs of one transport; the configurations are kept in
// window.__rtcConfigs.
function forceRelay(transport) {
  const Native = window.RTCPeerConnection;
  window.__rtcConfigs = [];
  function Relay(cfg = {}, ...rest) {
    window.__rtcConfigs.push(JSON.parse(JSON.stringify(cfg)));
    const iceServers = (cfg.iceServers || [])
      .map((s) => ({ ...s, urls: [].concat(s.urls).filter((u) => u.endsWith(`transport=${transport}`)) }))
      .filter((s) => s.urls.length);
    return new Native({ ...cfg, iceServers, iceTransportPolicy: 'relay' }, ...rest);
  }
  Relay.prototype = Native.prototype;
  Object.setPrototypeOf(Relay, Native);
  window.RTCPeerConnection = Relay;
}

/** The selected candidate pair's local candidate of a page's player. */
function selectedLocal(page) {
  return page.evaluate(async () => {
    const pc = window.sinianPlayer?.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pairId = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId && stats.get(pairId);
    const local = pair && stats.get(pair.localCandidateId);
    return local ? { type: local.candidateType, relayProtocol: local.relayProtocol ?? null } : null;
  });
}

test('the ICE servers: TURN credentials minted per viewer, before the offer and in the answer', async () => {
  const r = await api(d, 'GET', `/api/ceremonies/${id}/ice-servers`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('cache-control'), /no-store/);
  assert.equal(r.json.ice_servers.length, 1);
  const s = r.json.ice_servers[0];
  assert.deepEqual(s.urls, turn.urls);
  const [expiry, tag] = s.username.split(':');
  const now = Date.now() / 1000;
  assert.ok(Math.abs(Number(expiry) - (now + 7200)) < 60, s.username);
  assert.equal(tag, `c${id}`);
  assert.equal(s.credential, restCredential(SECRET, Number(expiry), tag).credential);
  assert.equal(Date.parse(r.json.expires_at) / 1000, Number(expiry));

  // an invite-only ceremony hands them only to whoever may watch
  const priv = await ceremony('invite');
  const anon = await api(d, 'GET', `/api/ceremonies/${priv}/ice-servers`);
  assert.equal(anon.status, 404, anon.text); // it does not exist without a right
  const inv = await api(d, 'POST', `/api/ceremonies/${priv}/invites`, { token: admin, json: { guest_name: '表妹' } });
  const guest = await api(d, 'GET', `/api/ceremonies/${priv}/ice-servers?invite=${encodeURIComponent(inv.json.token)}`);
  assert.equal(guest.status, 200, guest.text);
  assert.equal(guest.json.ice_servers[0].username.split(':')[1], `c${priv}`);
  const stop = await api(d, 'POST', `/api/ceremonies/${priv}/stop`, { token: admin });
  assert.equal(stop.status, 200, stop.text);
});

for (const transport of ['udp', 'tcp']) {
  test(`relay only, over TURN/${transport.toUpperCase()}: the player plays through coturn`, { timeout: 60000 }, async (t) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await ctx.addInitScript(forceRelay, transport);
    const page = await ctx.newPage();
    const errors = collectConsoleErrors(page);
    const links = [];
    page.on('response', (res) => {
      if (res.url().includes(`/whep/${id}`) && res.request().method() === 'POST') {
        links.push(res.headers().link ?? '');
      }
    });
    await page.goto(`${d.url}/c/${id}`);
    await page.waitForSelector('#player[data-view="playing"]', { timeout: 30000 });
    const stats = await until(async () => {
      const s = await rtcStats(page);
      return s && s.framesDecoded >= 10 ? s : { ok: false, s };
    }, 20000, 'frames over TURN');
    const local = await until(() => selectedLocal(page), 10000, 'a selected candidate pair');
    t.diagnostic(`TURN/${transport}: ${stats.framesDecoded} frames decoded, local candidate ${JSON.stringify(local)}`);
    assert.equal(local.type, 'relay');
    assert.equal(local.relayProtocol, transport);

    // the player made its connection with the TURN servers it was handed
    const cfgs = await page.evaluate(() => window.__rtcConfigs);
    const first = cfgs[0].iceServers.find((s) => [].concat(s.urls).some((u) => u.startsWith('turn:')));
    assert.ok(first && first.username && first.credential, JSON.stringify(cfgs));
    // and the answer carried fresh ones in its Link headers
    assert.ok(links.length >= 1);
    for (const url of turn.urls) {
      assert.ok(links[0].includes(`<${url}>; rel="ice-server"; username="`), links[0]);
    }
    assert.match(links[0], /credential-type="password"/);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('coturn refuses a credential whose time has passed', { timeout: 30000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${d.url}/healthz`);
  const now = Math.floor(Date.now() / 1000);
  const gather = (cred) => page.evaluate(async ({ urls, cred: c }) => {
    const pc = new RTCPeerConnection({
      iceServers: [{ urls, username: c.username, credential: c.credential }],
      iceTransportPolicy: 'relay',
    });
    const out = { relay: 0, errors: [] };
    pc.onicecandidate = (ev) => {
      if (ev.candidate && ev.candidate.type === 'relay') out.relay++;
    };
    pc.onicecandidateerror = (ev) => out.errors.push(ev.errorCode);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      setTimeout(resolve, 8000);
    });
    pc.close();
    return out;
  }, { urls: turn.urls, cred });
  const fresh = await gather(restCredential(SECRET, now + 600));
  assert.ok(fresh.relay >= 1, JSON.stringify(fresh));
  const expired = await gather(restCredential(SECRET, now - 60));
  assert.equal(expired.relay, 0, JSON.stringify(expired));
  assert.ok(expired.errors.includes(401), JSON.stringify(expired));
  const forged = await gather(restCredential('not the secret', now + 600));
  assert.equal(forged.relay, 0, JSON.stringify(forged));
  await ctx.close();
});
