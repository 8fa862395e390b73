// ceremony.js — the player page /c/{id}[?invite=TOKEN]: a farewell ceremony
// live over WHEP, or its replay once it has ended, with the viewer count and
// the condolence messages of everyone watching.
//
// State (also on <main data-state>): loading → scheduled | live | ended, or
// error. Scheduled: a waiting card; the page follows ceremony:{id} on /ws and
// joins by itself when the state event says live. Live: WHEP join (whep.js),
// muted autoplay with a clear unmute button, rejoin on failure; the "source"
// event shows that the picture is paused. Ended (at load, or while watching):
// the live connection closes and the replay <video controls> takes its place.
// The topic is followed with the invite token of an invite link. If the
// server refuses it (or the socket drops), the page asks GET
// /api/ceremonies/{id} again instead, so a state change is never missed.
//
// HLS fallback (hls-play.js): when the browser has no RTCPeerConnection,
// when WebRTC has not connected HLS_FALLBACK_MS after the join, or when the
// ceremony has as many WebRTC viewers as it can take (503 full), the page
// plays the ceremony's hls_url instead, saying that the picture is a few
// seconds behind (#hls-note); #player[data-transport] is webrtc | hls.
//
// For tests: window.sinianPlayer.pc is the current RTCPeerConnection
// (.hls the HlsPlayer while on HLS);
// #player[data-view] is loading | waiting | unavailable | connecting |
// playing | retrying | replay | ended | blocked. A scheduled ceremony whose
// start has passed says it waits for the hall; one this server cannot show
// live (cer.media.status "unavailable") says so instead of "not started".
//
// Times are said in the ceremony's time zone and, when it differs, in the
// viewer's (ceremony-time.js), with a countdown before the start. On a
// phone (ceremony-phone.js) the picture fills the screen in landscape,
// fullscreen turns to landscape, the picture stays pinned while a
// condolence is written, and a browser that can play nothing live says how
// to open the link in the phone's own browser. Condolences and their
// moderation are ceremony-cond.js.
import { mountLayout, toast } from './layout.js';
import { api, ApiError, errorText, hasSession } from './api.js';
import { bindText, formatNumber, formatTime, onLangChange, t } from './i18n.js';
import { onStatus, subscribe } from './live.js';
import { param } from './dom.js';
import { WhepPlayer, fetchIceServers, prepareOffer } from './whep.js';
import { HlsPlayer, hlsPlayable } from './hls-play.js';
import { warm as early, iceServers as earlyIce } from './ceremony-warm.js';
import { mountCondolences } from './ceremony-cond.js';
import { bothTimes, countdownText, whenText } from './ceremony-time.js';
import {
  canPlayLive, enterFullscreen, exitFullscreen, inAppBrowser, pinWhileWriting,
} from './ceremony-phone.js';

const POLL_MS = 15000;
const SLOW_POLL_MS = 60000;
const HLS_FALLBACK_MS = 8000;

const id = (/^\/c\/(\d+)\/?$/.exec(location.pathname) ?? [])[1] ?? param('id');
const invite = param('invite');
const inviteQuery = invite ? `?invite=${encodeURIComponent(invite)}` : '';

const mainEl = document.getElementById('main');
const layoutEl = document.getElementById('cer');
const errorEl = document.getElementById('cer-error');
const playerEl = document.getElementById('player');
const liveVideo = document.getElementById('live-video');
const replayVideo = document.getElementById('replay-video');
const cardTitle = document.getElementById('player-card-title');
const cardBody = document.getElementById('player-card-body');
const spinner = document.getElementById('player-spinner');
const unmuteBtn = document.getElementById('unmute');
const unmuteLabel = document.getElementById('unmute-label');
const fullscreenBtn = document.getElementById('fullscreen');
const liveBadge = document.getElementById('live-badge');
const stateBadge = document.getElementById('state-badge');
const viewersEl = document.getElementById('viewers');
const viewersText = document.getElementById('viewers-text');
const sourceNote = document.getElementById('source-note');
const countdownEl = document.getElementById('player-countdown');
const copyBtn = document.getElementById('copy-link');
const hlsNote = document.getElementById('hls-note');

let cer = null;          // the ceremony as last read
let player = null;       // WhepPlayer while live over WebRTC
let hls = null;          // HlsPlayer while live over HLS
let fallbackTimer = 0;
let viewers = 0;
let viewerEvents = 0;    // viewer counts heard on the live topic so far
let sourceLive = true;
let phaseSeq = 0;        // the newest phase change the page has seen
let neverLive = false;   // live, but no picture yet: about to begin
let unfollow = null;
let pollTimer = null;
let socketUp = false;
let fatal = false;

// The offer is made while the ceremony is asked for (ceremony-warm.js, the
// page's first script): if it is live, the join only has to post it.
const webrtc = typeof RTCPeerConnection === 'function';
const iceServers = earlyIce
  ?? (id && webrtc ? fetchIceServers(`/api/ceremonies/${encodeURIComponent(id)}/ice-servers`, invite) : null);
let warm = early ?? (iceServers && webrtc ? prepareOffer(iceServers) : null);

function dropWarm() {
  if (!warm) return;
  warm.close();
  warm = null;
}

window.sinianPlayer = {
  get pc() { return player?.pc ?? null; },
  get state() { return mainEl.dataset.state; },
  get view() { return playerEl.dataset.view; },
  get player() { return player; },
  get hls() { return hls; },
};

// ---------- the stage ----------

/** Show the card on the picture: key/vars or null (hidden), body likewise. */
function card(view, titleKey, titleVars = {}, bodyKey = null, bodyVars = {}, { busy = false } = {}) {
  playerEl.dataset.view = view;
  spinner.hidden = !busy;
  if (titleKey) bindText(cardTitle, titleKey, titleVars);
  if (bodyKey) {
    bindText(cardBody, bodyKey, bodyVars);
    cardBody.hidden = false;
  } else {
    cardBody.hidden = true;
  }
}

function renderUnmute() {
  const muted = liveVideo.muted;
  unmuteBtn.setAttribute('aria-pressed', muted ? 'false' : 'true');
  bindText(unmuteLabel, muted ? 'cer.unmute' : 'cer.mute');
}

unmuteBtn.addEventListener('click', () => {
  liveVideo.muted = !liveVideo.muted;
  if (!liveVideo.muted) {
    liveVideo.volume = 1;
    liveVideo.play().catch(() => {});
  }
  renderUnmute();
});

fullscreenBtn.addEventListener('click', () => {
  if (document.fullscreenElement) exitFullscreen();
  else enterFullscreen(playerEl, liveVideo);
});

function onPlayerState(state, info) {
  if (!cer || cer.state !== 'live') return;
  switch (state) {
    case 'connecting':
      card('connecting', 'cer.connecting', {}, null, {}, { busy: true });
      break;
    case 'playing':
      clearTimeout(fallbackTimer);
      playerEl.dataset.view = 'playing';
      unmuteBtn.hidden = false;
      fullscreenBtn.hidden = false;
      renderUnmute();
      // A browser that refuses even muted autoplay: offer a play button.
      if (liveVideo.paused) {
        liveVideo.play().catch(() => card('blocked', 'cer.tap_to_play'));
      }
      break;
    case 'retrying':
      // a full ceremony: the crowd watches over HLS
      if (info.status === 503 && startHls('full')) break;
      card('retrying', 'cer.retrying', {}, null, {}, { busy: true });
      // a connection the server closed may mean the ceremony ended: ask
      // now, before the rejoin, rather than wait for the event
      refresh();
      break;
    case 'stopped':
      if (info.reason !== 'refused') break;
      if (info.status === 401 || info.status === 403 || info.status === 404) {
        stopPlayer(false);
        showError(new ApiError(info.status, info.code || '', info.message || ''));
      } else {
        // 409 not live (ended, or not open yet): ask what the state is now,
        // and join again if it still says live.
        player = null;
        setTimeout(refresh, 2000);
      }
      break;
    default:
      break;
  }
}

// A tap on the "tap to play" card.
document.getElementById('player-card').addEventListener('click', () => {
  if (playerEl.dataset.view !== 'blocked') return;
  liveVideo.play().then(() => { playerEl.dataset.view = 'playing'; }, () => {});
});

// Nothing can play live here (WebRTC or HLS): say how to open the link in
// the phone's own browser, where it plays.
const inApp = inAppBrowser();
const liveImpossible = !canPlayLive(liveVideo);

function openBrowserKey() {
  return inApp === 'wechat' ? 'cer.open_wechat' : inApp ? 'cer.open_app' : 'cer.open_other';
}

function renderOpenHint() {
  const show = liveImpossible && !!cer && cer.state !== 'ended';
  document.getElementById('open-browser').hidden = !show;
  if (show) bindText(document.getElementById('open-browser-text'), openBrowserKey());
}

copyBtn.addEventListener('click', async (ev) => {
  ev.stopPropagation(); // not the card's "tap to play"
  try {
    await navigator.clipboard.writeText(location.href);
    toast(t('cer.link_copied'), 'ok');
  } catch {
    toast(t('cer.copy_failed'), 'warn');
  }
});

function startPlayer() {
  if (player || hls) return;
  if (liveImpossible) {
    card('blocked', 'cer.open_title', {}, openBrowserKey());
    copyBtn.hidden = false;
    return;
  }
  if (!webrtc) {
    if (!startHls('no_webrtc')) card('blocked', 'cer.no_webrtc');
    return;
  }
  replayVideo.hidden = true;
  replayVideo.removeAttribute('src');
  liveVideo.hidden = false;
  playerEl.dataset.transport = 'webrtc';
  player = new WhepPlayer({
    url: `/whep/${encodeURIComponent(id)}`,
    token: invite,
    video: liveVideo,
    onState: onPlayerState,
    warm,
    iceServers: iceServers ?? [],
  });
  warm = null;
  player.start();
  // WebRTC that has not connected (a network that lets no media through)
  // gives way to HLS; a connection that is up but slow to show its first
  // frame is given the WhepPlayer's own limit.
  clearTimeout(fallbackTimer);
  fallbackTimer = setTimeout(() => {
    if (player && player.state !== 'playing' && player.pc?.connectionState !== 'connected') {
      startHls('no_frame');
    }
  }, HLS_FALLBACK_MS);
}

function onHlsState(state) {
  if (!cer || cer.state !== 'live' || !hls) return;
  if (state === 'connecting') {
    card('connecting', 'cer.connecting', {}, null, {}, { busy: true });
  } else if (state === 'playing') {
    playerEl.dataset.view = 'playing';
    unmuteBtn.hidden = false;
    fullscreenBtn.hidden = false;
    renderUnmute();
    if (liveVideo.paused) liveVideo.play().catch(() => card('blocked', 'cer.tap_to_play'));
  } else if (state === 'retrying') {
    card('retrying', 'cer.retrying', {}, null, {}, { busy: true });
  }
}

/** The live ceremony over HLS instead of WebRTC; false if it cannot be. */
function startHls(why) {
  if (hls) return true;
  if (!cer?.hls_url || !hlsPlayable(liveVideo)) return false;
  stopPlayer(true);
  replayVideo.hidden = true;
  liveVideo.hidden = false;
  playerEl.dataset.transport = 'hls';
  playerEl.dataset.fallback = why;
  hls = new HlsPlayer({
    // the URL as last read: an invite-only ceremony's token is renewed by
    // each read, and a retry reads again
    url: async (retry) => {
      if (retry) await refresh();
      return cer?.state === 'live' ? cer.hls_url : null;
    },
    video: liveVideo,
    onState: onHlsState,
  });
  hls.start();
  renderStatus();
  return true;
}

/** Close the live connection; leave=false when the server has ended it. */
function stopPlayer(leave = true) {
  clearTimeout(fallbackTimer);
  if (hls) {
    const h = hls;
    hls = null;
    h.stop();
    renderStatus();
  }
  if (!player) return;
  const p = player;
  player = null;
  p.stop({ leave });
  liveVideo.srcObject = null;
  unmuteBtn.hidden = true;
  fullscreenBtn.hidden = true;
}

function showReplay() {
  stopPlayer(false);
  liveVideo.hidden = true;
  unmuteBtn.hidden = true;
  fullscreenBtn.hidden = true;
  if (!cer.has_recording) {
    replayVideo.hidden = true;
    card('ended', 'cer.ended_title', {}, 'cer.no_recording');
    return;
  }
  const src = `/api/ceremonies/${encodeURIComponent(id)}/recording${inviteQuery}`;
  if (replayVideo.getAttribute('src') !== src) replayVideo.setAttribute('src', src);
  replayVideo.hidden = false;
  playerEl.dataset.view = 'replay';
}

replayVideo.addEventListener('error', () => {
  if (replayVideo.hidden || !replayVideo.getAttribute('src')) return;
  replayVideo.hidden = true;
  card('ended', 'cer.ended_title', {}, 'cer.replay_error');
});

// ---------- the ceremony ----------

function renderInfo() {
  if (!cer) return;
  document.title = t('cer.page_title', { title: cer.title });
  document.getElementById('cer-title').textContent = cer.title;
  const deceased = document.getElementById('cer-deceased');
  deceased.textContent = t('cer.deceased', { name: cer.deceased_name });
  deceased.hidden = !cer.deceased_name;
  const agency = document.getElementById('cer-agency');
  agency.textContent = cer.agency_name ?? '';
  agency.hidden = !cer.agency_name;
  document.getElementById('cer-when').textContent = whenText(cer);
  const both = bothTimes(cer);
  const local = document.getElementById('cer-when-local');
  local.textContent = both ?? '';
  local.hidden = !both;
  renderOpenHint();
  renderStatus();
}

function renderStatus() {
  if (!cer) return;
  const live = cer.state === 'live';
  liveBadge.hidden = !live;
  stateBadge.hidden = live;
  if (!live) {
    bindText(stateBadge, cer.state === 'ended' ? (cer.has_recording ? 'cer.badge_replay' : 'cer.badge_ended')
      : `cer.badge_${waitKind()}`);
  }
  viewersEl.hidden = !live;
  viewersEl.dataset.count = String(viewers);
  if (live) viewersText.textContent = t('cer.viewers', { n: viewers, count: formatNumber(viewers) });
  sourceNote.hidden = !live || sourceLive;
  hlsNote.hidden = !live || !hls;
  bindText(sourceNote, neverLive ? 'cer.source_waiting' : 'cer.source_paused');
}

/** The server's phase (GET answer or event), unless an older one. */
function takePhase(p, seq, live) {
  const n = Number(seq) || 0;
  if (n && n < phaseSeq) return;
  phaseSeq = n || phaseSeq;
  sourceLive = live;
  neverLive = p === 'waiting';
}

/** Why a scheduled ceremony is not playing: the server cannot show live
 *  video at all (unavailable), its start has passed (late), or it is still
 *  to come (scheduled). */
function waitKind() {
  if (cer.media?.status === 'unavailable') return 'unavailable';
  return Date.now() >= Date.parse(cer.scheduled_start) ? 'late' : 'scheduled';
}

let lateTimer = 0;
let tickTimer = 0;

/** The countdown under the waiting card, each second until the start. */
function tick() {
  clearTimeout(tickTimer);
  const left = cer && cer.state === 'scheduled' ? Date.parse(cer.scheduled_start) - Date.now() : 0;
  countdownEl.hidden = !(left > 0);
  if (left <= 0) return;
  bindText(countdownEl, 'cer.countdown', { left: countdownText(left) });
  tickTimer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

function showWaiting() {
  clearTimeout(lateTimer);
  const kind = waitKind();
  if (kind === 'unavailable') {
    card('unavailable', 'cer.unavailable_title', {}, 'cer.unavailable_body');
  } else if (kind === 'late') {
    card('waiting', 'cer.late_title', { time: formatTime(cer.scheduled_start) }, 'cer.late_body');
  } else {
    card('waiting', 'cer.waiting_title', {}, 'cer.waiting_body',
      { start: bothTimes(cer) ?? whenText(cer) });
    // Say so honestly the moment the start passes without the hall.
    const ms = Date.parse(cer.scheduled_start) - Date.now() + 1000;
    if (ms < 2 ** 31) {
      lateTimer = setTimeout(() => {
        if (cer?.state !== 'scheduled') return;
        showWaiting();
        renderStatus();
      }, ms);
    }
  }
  tick();
  if (liveImpossible) copyBtn.hidden = false;
}

/** Bring the page to the ceremony's state (idempotent). */
function applyState() {
  clearTimeout(lateTimer);
  if (cer.state !== 'scheduled') {
    clearTimeout(tickTimer);
    countdownEl.hidden = true;
  }
  cond.setCeremony(cer);
  mainEl.dataset.state = cer.state;
  renderInfo();
  if (cer.state !== 'live') dropWarm();
  if (cer.state === 'scheduled') {
    stopPlayer(true);
    replayVideo.hidden = true;
    liveVideo.hidden = false;
    showWaiting();
  } else if (cer.state === 'live') {
    if (!player && !hls) {
      card('connecting', 'cer.connecting', {}, null, {}, { busy: true });
      startPlayer();
    }
  } else if (cer.state === 'ended') {
    showReplay();
  }
  schedulePoll();
}

function showError(err) {
  fatal = true;
  dropWarm();
  stopPlayer(false);
  mainEl.dataset.state = 'error';
  layoutEl.hidden = true;
  errorEl.hidden = false;
  const titleEl = document.getElementById('cer-error-title');
  const bodyEl = document.getElementById('cer-error-body');
  const retry = document.getElementById('cer-retry');
  const status = err instanceof ApiError ? err.status : 0;
  retry.hidden = true;
  let kind;
  // an invite-only ceremony answers 404 to whoever may not watch it, so a
  // 404 with an invitation in the link means the invitation is wrong
  if (status === 404 && invite) kind = 'invite_invalid';
  else if (status === 404) kind = 'not_found';
  else if (status === 401 && invite) kind = 'invite_invalid';
  else if (status === 403 && invite) kind = 'invite_revoked';
  else if (status === 401 || status === 403) kind = 'invite_only';
  else kind = 'load_error';
  errorEl.dataset.error = kind;
  bindText(titleEl, `cer.${kind}_title`);
  if (kind === 'load_error') {
    const { key, vars } = err instanceof ApiError ? err.friendlyKey() : { key: 'error.unknown', vars: {} };
    bindText(bodyEl, key, vars);
    retry.hidden = false;
  } else {
    bindText(bodyEl, `cer.${kind}_body`);
  }
  // family and staff see an invite-only ceremony once signed in
  const signin = document.getElementById('cer-error-signin');
  signin.hidden = !(kind === 'not_found' || kind === 'invite_only') || !!invite || hasSession();
  signin.href = `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`;
  if (unfollow) {
    unfollow();
    unfollow = null;
  }
  clearTimeout(pollTimer);
}

document.getElementById('cer-retry').addEventListener('click', () => {
  fatal = false;
  errorEl.hidden = true;
  layoutEl.hidden = false;
  mainEl.dataset.state = 'loading';
  start();
});

async function fetchCeremony() {
  return api('GET', `/api/ceremonies/${encodeURIComponent(id)}${inviteQuery}`);
}

let refreshing = null;

/** Read the ceremony again and follow its state. */
function refresh() {
  if (fatal || refreshing) return refreshing;
  refreshing = (async () => {
    const heard = viewerEvents;
    try {
      const c = await fetchCeremony();
      const was = cer?.state;
      cer = c;
      cond.setCeremony(c);
      // a count heard while the answer was on its way is the newer one
      if (viewerEvents === heard) viewers = c.viewers ?? viewers;
      takePhase(c.phase, c.phase_seq, c.state !== 'live' || c.source_live !== false);
      if (was !== c.state || c.state !== 'live' || (!player && !hls)) applyState();
      else renderStatus();
    } catch (err) {
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) showError(err);
    } finally {
      refreshing = null;
      schedulePoll();
    }
  })();
  return refreshing;
}

// Without live events (topic refused, socket down) the page asks again
// every POLL_MS; with them it only asks on reconnect.
function schedulePoll() {
  clearTimeout(pollTimer);
  if (fatal || !cer || cer.state === 'ended') return;
  const followed = socketUp && unfollow;
  // A scheduled page is asked now and then even with live events on: it
  // must never miss the start.
  if (followed && cer.state !== 'scheduled') return;
  pollTimer = setTimeout(() => {
    refresh();
    if (!followed) cond.load();
  }, followed ? SLOW_POLL_MS : POLL_MS);
}

async function onEvent(ev) {
  if (!ev || typeof ev !== 'object' || !cer) return;
  switch (ev.type) {
    case 'viewers':
      viewers = Number(ev.count) || 0;
      viewerEvents++;
      renderStatus();
      break;
    case 'source':
      takePhase(ev.phase, ev.seq, !!ev.live);
      renderStatus();
      break;
    case 'state':
      if (ev.state === cer.state) break;
      if (ev.state === 'live') {
        cer = { ...cer, state: 'live' };
        sourceLive = true;
        applyState();
      } else if (ev.state === 'ended') {
        // The server has closed every viewer; no DELETE, then the replay.
        stopPlayer(false);
        cer = { ...cer, state: 'ended' };
        mainEl.dataset.state = 'ended';
        renderStatus();
        card('ended', 'cer.ended_title', {}, 'cer.replay_preparing', {}, { busy: true });
        await refresh();
      } else {
        refresh();
      }
      break;
    case 'condolence':
    case 'condolence_hidden':
      cond.onEvent(ev);
      break;
    default:
      break;
  }
}

function follow() {
  if (unfollow) return;
  unfollow = subscribe(`ceremony:${id}`, onEvent, {
    invite, // invite-only ceremonies: the topic needs the same right as watching
    onError: () => {
      // Not allowed to follow (an invite-only ceremony): ask instead.
      unfollow = null;
      schedulePoll();
    },
  });
}

let wasConnected = false;
let connectTimer = null;
onStatus((s) => {
  socketUp = s === 'connected';
  if (socketUp && cer) {
    // Events sent before the subscription took hold (or while the socket
    // was down) are not replayed: ask once the topic is followed.
    clearTimeout(connectTimer);
    const again = wasConnected;
    connectTimer = setTimeout(() => {
      refresh();
      if (again) cond.load();
    }, 500);
  }
  if (socketUp) wasConnected = true;
  if (cer) schedulePoll();
});

// ---------- condolences ----------

const cond = mountCondolences({ id, invite });
pinWhileWriting(mainEl, document.getElementById('cond-form'));

// ---------- start ----------

async function start() {
  if (!id) {
    showError(new ApiError(404, 'not_found', ''));
    return;
  }
  card('loading', 'common.loading', {}, null, {}, { busy: true });
  try {
    cer = await fetchCeremony();
  } catch (err) {
    showError(err);
    return;
  }
  viewers = cer.viewers ?? 0;
  takePhase(cer.phase, cer.phase_seq, cer.state !== 'live' || cer.source_live !== false);
  follow();
  applyState();
  cond.load();
  linkMemorial();
}

// The memorial of the deceased, when the ceremony is linked to one that this
// visitor may see (public ceremonies only: an invite link is not a memorial
// invitation).
async function linkMemorial() {
  if (!cer.memorial_id || cer.visibility !== 'public') return;
  try {
    const m = await api('GET', `/api/memorials/${encodeURIComponent(cer.memorial_id)}`);
    const url = m?.url ?? m?.memorial?.url ?? (m?.slug ? `/m/${m.slug}` : null);
    if (!url || !url.startsWith('/')) return;
    document.getElementById('cer-memorial-link').href = url;
    document.getElementById('cer-memorial').hidden = false;
  } catch { /* not visible to this visitor: no link */ }
}

onLangChange(() => {
  renderInfo();
  renderUnmute();
  if (cer?.state === 'scheduled') showWaiting();
});

renderUnmute();
mountLayout();
start().catch((err) => {
  showError(err);
  toast(errorText(err), 'error');
});
