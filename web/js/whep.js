// whep.js — watching a live ceremony over WHEP (WebRTC-HTTP egress), in
// plain browser JavaScript. Used by the player page and the operator preview.
//
//   import { WhepPlayer } from '/js/whep.js';
//   const player = new WhepPlayer({
//     url: '/whep/42', token: inviteOrNull, video: videoEl,
//     iceServers: fetchIceServers('/api/ceremonies/42/ice-servers'),
//     onState: (state, info) => { ... },   // see STATES below
//   });
//   player.start();
//   player.pc;                 // the current RTCPeerConnection (or null)
//   player.stop();             // leave: DELETE the session, close
//   player.stop({ leave: false }); // close only (the server already ended it)
//
// One join: a recvonly video and a recvonly audio transceiver, createOffer,
// setLocalDescription, wait for ICE gathering to complete (at most 1 s; with
// no STUN/TURN servers known, 40 ms after the first host candidate), POST
// the offer as application/sdp (an invite token as Bearer), set the answer.
// The answer is complete (no trickle). The Location of the 201 is DELETEd on
// stop() and when the page is hidden for good (pagehide, with keepalive).
//
// A connection that fails, or stays disconnected for DISCONNECT_GRACE_MS,
// is replaced by a new join after a backoff of 1 s doubling to 15 s. HTTP
// answers that retrying cannot fix (401/403 invite, 404, 409 not live) stop
// the player and are reported through onState('stopped', { status, code }).
// ICE servers (STUN, TURN with credentials minted for this viewer) are
// needed before the offer: fetchIceServers() asks the server for them, and
// opts.iceServers (an array or a promise of one) serves the first join;
// those of each answer's Link headers serve later joins.
// prepareOffer() makes the connection and its offer ahead of time (while the
// page still asks whether the ceremony is live), so the first join only
// posts it.

const GATHER_LIMIT_MS = 1000;
const HOST_GRACE_MS = 40;
const DISCONNECT_GRACE_MS = 3000;
const FIRST_FRAME_LIMIT_MS = 15000;
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 15000;

// STATES: 'connecting' (joining), 'playing' (first frame decoded),
// 'retrying' (lost; a new join is scheduled), 'stopped' (given up or stopped).

/** Parse `<turn:host>; rel="ice-server"; username="u"; credential="c"` headers. */
export function iceServersFromLinks(headerValue) {
  if (!headerValue) return [];
  const out = [];
  // Several Link values arrive joined by ", "; split on "," before a "<".
  for (const part of headerValue.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]+)>(.*)$/.exec(part);
    if (!m || !/rel="?ice-server"?/i.test(m[2])) continue;
    const server = { urls: m[1] };
    const user = /username="([^"]*)"/i.exec(m[2]);
    const cred = /credential="([^"]*)"/i.exec(m[2]);
    if (user) server.username = user[1];
    if (cred) server.credential = cred[1];
    out.push(server);
  }
  return out;
}

/** An HTTP answer of the WHEP endpoint that was not 201. */
export class WhepError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.name = 'WhepError';
    this.status = status;
    this.code = code;
  }
}

// Wait for ICE gathering to complete, at most limitMs. Without STUN/TURN
// servers only host candidates can come, and the first one comes with the
// rest: then HOST_GRACE_MS after it is enough (the server also learns the
// viewer's address from its connectivity checks).
function waitGathering(pc, limitMs, hostOnly) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let grace = null;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(grace);
      pc.removeEventListener('icegatheringstatechange', check);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const onCandidate = (ev) => {
      if (hostOnly && ev.candidate && !grace) grace = setTimeout(done, HOST_GRACE_MS);
    };
    const timer = setTimeout(done, limitMs);
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/**
 * The ICE servers the server hands this viewer ({ ice_servers: [...] } at
 * url, an invite token as ?invite=), or [] when it cannot say: host
 * candidates still work wherever UDP does.
 */
export async function fetchIceServers(url, token = null) {
  const u = token ? `${url}?invite=${encodeURIComponent(token)}` : url;
  try {
    const res = await fetch(u, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) return [];
    const j = await res.json();
    return Array.isArray(j?.ice_servers) ? j.ice_servers : [];
  } catch {
    return [];
  }
}

/**
 * A recvonly peer connection with its offer made and ICE gathered (at most
 * GATHER_LIMIT_MS). iceServers is an array or a promise of one; the
 * connection is made once they are known. Returns { ready, close } at once:
 * ready resolves with the RTCPeerConnection when the offer can be sent.
 * Hand it to new WhepPlayer({ warm }) to join faster, or close() it.
 */
export function prepareOffer(iceServers = []) {
  let pc = null;
  let closed = false;
  const ready = (async () => {
    const servers = await iceServers;
    if (closed) throw new Error('closed');
    pc = new RTCPeerConnection({ iceServers: servers, bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitGathering(pc, GATHER_LIMIT_MS, servers.length === 0);
    return pc;
  })();
  ready.catch(() => { /* reported by the join that awaits it */ });
  return {
    ready,
    close() {
      closed = true;
      if (pc) pc.close();
    },
  };
}

export class WhepPlayer {
  /**
   * opts.url      the WHEP endpoint, e.g. "/whep/42"
   * opts.token    invite token sent as Bearer (or null)
   * opts.video    the <video> element to play into
   * opts.onState  (state, info) callback
   * opts.warm     a prepareOffer() result to use for the first join
   * opts.iceServers ICE servers (or a promise of them) until an answer
   *               brings others
   */
  constructor({ url, token = null, video, onState = () => {}, warm = null, iceServers = [] }) {
    this.url = url;
    this.token = token;
    this.video = video;
    this.onState = onState;
    this.pc = null;
    this.location = null;
    this.state = 'idle';
    this.iceServers = iceServers;
    this.attempt = 0;
    this.joins = 0; // offers sent so far (1 while the first connection holds)
    this.joinedAt = 0;
    this.firstFrameMs = null;
    this._gen = 0;
    this._retryTimer = null;
    this._graceTimer = null;
    this._frameTimer = null;
    this._abort = null;
    this._stopped = true;
    this._warm = warm;
    this._onPageHide = () => this._leave(true);
    // Back from the back-forward cache: the old session was left; join again.
    this._onPageShow = (ev) => {
      if (ev.persisted && !this._stopped) this._join();
    };
  }

  _set(state, info = {}) {
    this.state = state;
    try {
      this.onState(state, info);
    } catch (err) {
      reportError(err);
    }
  }

  /** Join (again). Safe to call while running: it rejoins. */
  start() {
    this._stopped = false;
    window.addEventListener('pagehide', this._onPageHide);
    window.addEventListener('pageshow', this._onPageShow);
    this._join();
  }

  /** Leave. opts.leave false: close only, without DELETE (server gone). */
  stop({ leave = true } = {}) {
    this._stopped = true;
    window.removeEventListener('pagehide', this._onPageHide);
    window.removeEventListener('pageshow', this._onPageShow);
    this._teardown(leave);
    if (this._warm) {
      this._warm.close();
      this._warm = null;
    }
    this._set('stopped', { reason: 'stopped' });
  }

  _clearTimers() {
    clearTimeout(this._retryTimer);
    clearTimeout(this._graceTimer);
    clearTimeout(this._frameTimer);
    this._retryTimer = this._graceTimer = this._frameTimer = null;
  }

  _leave(keepalive) {
    const loc = this.location;
    this.location = null;
    if (!loc) return;
    fetch(loc, { method: 'DELETE', keepalive, credentials: 'same-origin' })
      .catch(() => { /* gone already, or the page is going away */ });
  }

  _teardown(leave) {
    this._gen++;
    this._clearTimers();
    if (this._abort) this._abort.abort();
    this._abort = null;
    if (leave) this._leave(false);
    else this.location = null;
    if (this.pc) {
      const pc = this.pc;
      this.pc = null;
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      try {
        pc.close();
      } catch { /* already closed */ }
    }
  }

  _scheduleRetry(info) {
    if (this._stopped) return;
    // A failed or lost connection is not DELETEd: the server has usually
    // dropped it already (a DELETE would only earn a 404), and its RTCP
    // watchdog frees the seat otherwise.
    this._teardown(info.reason === 'no_frames' || info.reason === 'error');
    const base = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this._set('retrying', { ...info, delay });
    this._retryTimer = setTimeout(() => this._join(), delay);
  }

  async _join() {
    this._teardown(true);
    if (this._stopped) return;
    const gen = this._gen;
    const stale = () => gen !== this._gen || this._stopped;
    this._set('connecting', { attempt: this.attempt });

    // A connection prepared while the page was still asking about the
    // ceremony saves the offer and ICE gathering (~150 ms) on the first join.
    const offer = this._warm ?? prepareOffer(this.iceServers);
    this._warm = null;
    let pc;
    try {
      pc = await offer.ready;
    } catch (err) {
      offer.close();
      if (!stale()) this._scheduleRetry({ reason: 'error', status: 0, message: err.message });
      return;
    }
    if (stale()) {
      offer.close();
      return;
    }
    this.pc = pc;
    const stream = new MediaStream();
    pc.ontrack = (ev) => {
      if (stale()) return;
      stream.addTrack(ev.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
      this.video.play().catch(() => { /* autoplay refused: the page offers a button */ });
    };
    pc.onconnectionstatechange = () => {
      if (stale()) return;
      const s = pc.connectionState;
      if (s === 'failed') {
        this._scheduleRetry({ reason: 'failed' });
      } else if (s === 'disconnected') {
        clearTimeout(this._graceTimer);
        this._graceTimer = setTimeout(() => {
          if (!stale() && pc.connectionState !== 'connected') this._scheduleRetry({ reason: 'disconnected' });
        }, DISCONNECT_GRACE_MS);
      } else if (s === 'connected') {
        clearTimeout(this._graceTimer);
      }
    };

    let answer;
    try {
      const headers = { 'content-type': 'application/sdp', accept: 'application/sdp' };
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      this._abort = new AbortController();
      this.joins++;
      this.joinedAt = performance.now();
      const res = await fetch(this.url, {
        method: 'POST',
        headers,
        body: pc.localDescription.sdp,
        credentials: 'same-origin',
        signal: this._abort.signal,
      });
      if (stale()) return;
      if (res.status !== 201) {
        let code = '';
        let message = '';
        try {
          const j = await res.json();
          code = j?.error?.code ?? '';
          message = j?.error?.message ?? '';
        } catch { /* not JSON */ }
        throw new WhepError(res.status, code, message);
      }
      const loc = res.headers.get('location');
      this.location = loc ? new URL(loc, location.href).pathname : null;
      const links = iceServersFromLinks(res.headers.get('link'));
      if (links.length) this.iceServers = links;
      answer = await res.text();
      if (stale()) {
        this._leave(false);
        return;
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (err) {
      if (stale()) return;
      if (err instanceof WhepError && [400, 401, 403, 404, 409, 415].includes(err.status)) {
        this._teardown(false);
        this._stopped = true;
        this._set('stopped', { reason: 'refused', status: err.status, code: err.code, message: err.message });
        return;
      }
      this._scheduleRetry({ reason: 'error', status: err.status ?? 0, message: err.message });
      return;
    }
    this._watchFirstFrame(gen);
  }

  // 'playing' once a frame is decoded (a presented frame, or getStats()
  // framesDecoded when the page is in the background and paints nothing);
  // a join that decodes nothing within FIRST_FRAME_LIMIT_MS is retried.
  _watchFirstFrame(gen) {
    const v = this.video;
    const t0 = this.joinedAt;
    let done = false;
    const onFrame = () => {
      if (done || gen !== this._gen) return;
      done = true;
      clearTimeout(this._frameTimer);
      this.firstFrameMs = performance.now() - t0;
      this.attempt = 0;
      this._set('playing', { firstFrameMs: this.firstFrameMs });
    };
    if (typeof v.requestVideoFrameCallback === 'function') v.requestVideoFrameCallback(onFrame);
    const poll = async () => {
      if (done || gen !== this._gen) return;
      const s = await this.stats().catch(() => null);
      if (done || gen !== this._gen) return;
      if (s && s.framesDecoded > 0) {
        onFrame();
        return;
      }
      if (performance.now() - t0 > FIRST_FRAME_LIMIT_MS) {
        this._scheduleRetry({ reason: 'no_frames' });
        return;
      }
      this._frameTimer = setTimeout(poll, 100);
    };
    this._frameTimer = setTimeout(poll, 100);
  }

  /** Inbound video/audio counters from getStats(), or null. */
  async stats() {
    if (!this.pc) return null;
    const out = { framesDecoded: 0, videoPackets: 0, audioPackets: 0, width: 0, height: 0 };
    const report = await this.pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const kind = s.kind ?? s.mediaType;
      if (kind === 'video') {
        out.framesDecoded = s.framesDecoded ?? 0;
        out.videoPackets = s.packetsReceived ?? 0;
        out.width = s.frameWidth ?? 0;
        out.height = s.frameHeight ?? 0;
      } else if (kind === 'audio') {
        out.audioPackets = s.packetsReceived ?? 0;
      }
    });
    return out;
  }
}
