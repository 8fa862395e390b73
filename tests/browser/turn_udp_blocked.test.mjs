// A relative whose network drops every UDP packet (a hospital, an office)
// still watches, over TURN/TCP. Chromium runs in a network namespace of its
// own whose only link is a veth pair to this machine, with nftables
// dropping all UDP in and out; the page and coturn are reached over that
// link by TCP (a small forwarder brings the page from the daemon on
// loopback), and coturn relays to the daemon's loopback host candidates.
// The player is not told anything: it gets the ICE servers as any viewer
// does, its UDP candidates fail, and the TURN/TCP relay carries the media.
//
// Needs root (ip netns, nft); skipped, saying why, where that cannot be set
// up. The addresses are from 198.18.0.0/15 (RFC 2544, benchmarking): they
// exist only on the veth pair this test makes and removes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDaemon, freePort } from '../lib/daemon.mjs';
import { CHROMIUM, CHROMIUM_ARGS, collectConsoleErrors } from '../lib/browser.mjs';
import { until, adminWithAgency, liveTestCeremony, rtcStats } from '../lib/live.mjs';
import { startCoturn } from '../lib/coturn.mjs';

const ADMIN = { login: 'admin@example.org', password: 'correct horse battery staple' };
const SECRET = 'udp-blocked-secret';
const NS = `sinian-noudp-${process.pid}`;
const VETH = `snu${process.pid % 100000}`; // + a / b, at most 15 characters
const SUBNET = 18 + ((process.pid >> 8) % 2); // 198.18 or 198.19
const THIRD = process.pid % 250;
const HOST_IP = `198.${SUBNET}.${THIRD}.1`;
const NS_IP = `198.${SUBNET}.${THIRD}.2`;

let why = null; // why the namespace could not be made
let tmp;
let forwarder;
let pageUrl;
let d;
let turn;
let browser;
let id;

function sh(args, input) {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

function makeNamespace() {
  sh(['ip', 'netns', 'add', NS]);
  sh(['ip', 'link', 'add', `${VETH}a`, 'type', 'veth', 'peer', 'name', `${VETH}b`]);
  sh(['ip', 'link', 'set', `${VETH}b`, 'netns', NS]);
  sh(['ip', 'addr', 'add', `${HOST_IP}/30`, 'dev', `${VETH}a`]);
  sh(['ip', 'link', 'set', `${VETH}a`, 'up']);
  sh(['ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/30`, 'dev', `${VETH}b`]);
  sh(['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', `${VETH}b`, 'up']);
  sh(['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
  // no UDP at all, either way, on any interface of the namespace
  sh(['ip', 'netns', 'exec', NS, 'nft', '-f', '-'], `
table inet noudp {
  chain out { type filter hook output priority 0; policy accept; meta l4proto udp counter drop; }
  chain in { type filter hook input priority 0; policy accept; meta l4proto udp counter drop; }
}
`);
}

function removeNamespace() {
  spawnSync('ip', ['link', 'del', `${VETH}a`]);
  spawnSync('ip', ['netns', 'del', NS]);
}

/** Packets nftables dropped in the namespace (out + in). */
function udpDropped() {
  const out = spawnSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'noudp'], { encoding: 'utf8' }).stdout;
  return [...out.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** Forward TCP from HOST_IP:port to the daemon on loopback. */
async function forward(toPort) {
  const port = await freePort();
  const srv = net.createServer((c) => {
    const up = net.connect(toPort, '127.0.0.1');
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, HOST_IP, resolve);
  });
  return { srv, port };
}

before(async () => {
  try {
    if (process.getuid?.() !== 0) throw new Error('not root');
    process.once('exit', removeNamespace); // also when the test dies
    makeNamespace();
  } catch (err) {
    why = `no network namespace for the viewer (${err.message.split('\n')[0]})`;
    removeNamespace();
    return;
  }
  turn = await startCoturn({ secret: SECRET, listen: HOST_IP, relay: '127.0.0.1' });
  d = await startDaemon({
    config: {
      media_loopback_only: true,
      turn_urls: turn.urls.join(' '),
      turn_secret: SECRET,
    },
  });
  const { admin, agencyId } = await adminWithAgency(d, ADMIN);
  id = await liveTestCeremony(d, admin, agencyId);
  forwarder = await forward(d.port);
  pageUrl = `http://${HOST_IP}:${forwarder.port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sinian-noudp-'));
  const wrapper = path.join(tmp, 'chromium-in-namespace');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  browser = await chromium.launch({
    executablePath: wrapper,
    headless: true,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${pageUrl}`],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (forwarder) forwarder.srv.close();
  if (d) await d.stop();
  if (turn) await turn.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (!why) removeNamespace();
});

test('UDP blocked: the viewer watches over TURN/TCP', { timeout: 90000 }, async (t) => {
  if (why) {
    t.skip(why);
    return;
  }
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const errors = collectConsoleErrors(page);
  const dropped0 = udpDropped();
  await page.goto(`${pageUrl}/c/${id}`);
  await page.waitForSelector('#player[data-view="playing"]', { timeout: 45000 });
  const stats = await until(async () => {
    const s = await rtcStats(page);
    return s && s.framesDecoded >= 10 && s.audioPackets > 0 ? s : { ok: false, s };
  }, 20000, 'frames with UDP blocked');
  const local = await page.evaluate(async () => {
    const st = await window.sinianPlayer.pc.getStats();
    let out = null;
    st.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = st.get(s.selectedCandidatePairId);
        const l = st.get(pair.localCandidateId);
        out = { type: l.candidateType, relayProtocol: l.relayProtocol ?? null };
      }
    });
    return out;
  });
  const dropped = udpDropped() - dropped0;
  t.diagnostic(`UDP blocked: ${stats.framesDecoded} frames, ${stats.audioPackets} audio packets, local ${JSON.stringify(local)}, ${dropped} UDP packets dropped`);
  assert.deepEqual(local, { type: 'relay', relayProtocol: 'tcp' });
  assert.ok(dropped > 0, 'the browser tried UDP and it was dropped');
  assert.deepEqual(errors, []);
  await ctx.close();
});
