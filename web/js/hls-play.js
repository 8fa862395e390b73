// hls-play.js — a live ceremony over HLS, for browsers where WebRTC cannot
// play (no RTCPeerConnection, a network that lets no media through, a
// ceremony full of WebRTC viewers). A few seconds behind the hall.
//
//   import { HlsPlayer, hlsPlayable } from '/js/hls-play.js';
//   if (hlsPlayable(videoEl)) {
//     const p = new HlsPlayer({ url: cer.hls_url, video: videoEl,
//                               onState: (state, info) => { ... } });
//     p.start();   // 'connecting' → 'playing' (a frame shown), 'retrying', 'failed'
//     p.stop();
//   }
//
// Where the browser has MediaSource, hls.js (from npm, served by the daemon
// at /vendor/hls.mjs, loaded only when needed) plays it, tuned to stay
// about three segments behind live and to catch up after a stall. Where it
// has none but plays HLS itself (Safari on iPhone), the <video> gets the
// playlist directly. A fatal error is retried after a pause; url may be a
// function (retry) => URL, asked again on every retry (an invite-only
// ceremony's token may have expired).

const HLS_JS = '/vendor/hls.mjs';
const HLS_TYPE = 'application/vnd.apple.mpegurl';
const RETRY_MS = 2000;

function hasMse() {
  return typeof MediaSource === 'function' || typeof ManagedMediaSource === 'function';
}

/** Does this browser play HLS itself (and has no MediaSource for hls.js)? */
export function hlsNative(video) {
  return typeof MediaSource !== 'function' && !!video.canPlayType(HLS_TYPE);
}

/** Can this page play HLS at all, natively or with hls.js? */
export function hlsPlayable(video) {
  return hlsNative(video) || hasMse();
}

export class HlsPlayer {
  constructor({ url, video, onState = () => {} }) {
    this.url = url;
    this.video = video;
    this.onState = onState;
    this.mode = hlsNative(video) ? 'native' : 'hls.js';
    this.state = 'idle';
    this.hls = null;
    this.retries = 0;
    this._gen = 0;
    this._timer = null;
  }

  _set(state, info = {}) {
    this.state = state;
    try {
      this.onState(state, info);
    } catch (err) {
      reportError(err);
    }
  }

  async _url() {
    return typeof this.url === 'function' ? this.url(this.retries > 0) : this.url;
  }

  /** Start (again). */
  async start() {
    this._teardown();
    const gen = this._gen;
    this._set('connecting', { mode: this.mode });
    let url;
    try {
      url = await this._url();
      if (gen !== this._gen) return;
      if (!url) throw new Error('no HLS for this ceremony');
      if (this.mode === 'native') this._startNative(url);
      else await this._startHlsJs(url, gen);
    } catch (err) {
      if (gen === this._gen) this._retry(err.message);
      return;
    }
    this._watchFirstFrame(gen);
  }

  _startNative(url) {
    this.video.src = url;
    this.video.onerror = () => this._retry('media error');
    this.video.play().catch(() => { /* autoplay refused: the page offers a button */ });
  }

  async _startHlsJs(url, gen) {
    const { default: Hls } = await import(HLS_JS);
    if (gen !== this._gen) return;
    if (!Hls.isSupported()) throw new Error('hls.js is not supported here');
    const hls = new Hls({
      enableWorker: false, // the page's CSP allows no blob: workers
      lowLatencyMode: false,
      liveSyncDurationCount: 3,
      liveMaxLatencyDurationCount: 8,
      maxLiveSyncPlaybackRate: 1.1,
      backBufferLength: 30,
    });
    this.hls = hls;
    hls.on(Hls.Events.ERROR, (_ev, data) => {
      if (!data.fatal || gen !== this._gen) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        this._retry(data.details);
      }
    });
    hls.loadSource(url);
    hls.attachMedia(this.video);
    this.video.play().catch(() => { /* autoplay refused: the page offers a button */ });
  }

  _watchFirstFrame(gen) {
    const v = this.video;
    const t0 = performance.now();
    let done = false;
    const onFrame = () => {
      if (done || gen !== this._gen) return;
      done = true;
      v.removeEventListener('timeupdate', onTime);
      this.retries = 0;
      this._set('playing', { mode: this.mode, firstFrameMs: performance.now() - t0 });
    };
    const onTime = () => {
      if (v.currentTime > 0 && v.readyState >= 2) onFrame();
    };
    if (typeof v.requestVideoFrameCallback === 'function') v.requestVideoFrameCallback(onFrame);
    v.addEventListener('timeupdate', onTime);
  }

  _retry(reason) {
    this._teardown();
    const gen = this._gen;
    this.retries++;
    this._set('retrying', { reason, delay: RETRY_MS });
    this._timer = setTimeout(() => {
      if (gen === this._gen) this.start();
    }, RETRY_MS);
  }

  _teardown() {
    this._gen++;
    clearTimeout(this._timer);
    this._timer = null;
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.video.onerror = null;
    if (this.video.getAttribute('src')) {
      this.video.removeAttribute('src');
      this.video.load();
    }
  }

  /** Stop playing. */
  stop() {
    this._teardown();
    this._set('stopped', {});
  }

  /** Seconds behind the newest media the playlist lists (null if unknown). */
  latency() {
    if (this.hls) return this.hls.latency ?? null;
    const v = this.video;
    if (!v.seekable || v.seekable.length === 0) return null;
    return v.seekable.end(v.seekable.length - 1) - v.currentTime;
  }
}
