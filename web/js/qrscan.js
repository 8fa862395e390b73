// qrscan.js — reads QR codes from the device's camera, for the check-in at
// the cemetery gate (staff-checkin.js). Knows nothing of tickets.
//
//   const scan = new QrScanner(video, { onText, onError });
//   await scan.start();  // throws ScanError, .reason: 'insecure' | 'no_camera'
//                        //   | 'denied' | 'busy' | 'failed'
//   scan.engine          // 'barcode-detector' or 'jsqr'
//   scan.stop();
//
// The browser's BarcodeDetector reads the frames where it exists and knows
// QR codes; elsewhere (Firefox, Chromium on Linux, older Safari) a worker
// runs jsQR (qr-worker.js). Five frames a second at most, one at a time,
// scaled to at most 640 pixels wide. onText(text) is awaited before the next
// frame is read, and gets each text once while it stays in view: the same
// text again only after it was out of view for SAME_TEXT_MS. onError(reason)
// is told when the decoder or the camera fails after start().

const FRAME_MS = 200;
const MAX_WIDTH = 640;
const SAME_TEXT_MS = 3000;

export class ScanError extends Error {
  constructor(reason, cause) {
    super(`camera: ${reason}`);
    this.reason = reason;
    this.cause = cause;
  }
}

/** The reason a getUserMedia() refusal means for the person. */
function reasonOf(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no_camera';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/** A BarcodeDetector for QR codes, or null where there is none. */
async function nativeDetector() {
  if (!('BarcodeDetector' in self)) return null;
  try {
    const formats = await self.BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code') ? new self.BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

export class QrScanner {
  constructor(video, { onText, onError }) {
    this.video = video;
    this.onText = onText;
    this.onError = onError;
    this.stream = null;
    this.engine = null;
    this.run = 0;       // bumped by stop(): a frame of an older run is dropped
    this.last = { text: null, seen: 0 };
  }

  get running() {
    return this.stream !== null;
  }

  async start() {
    if (this.stream) return;
    if (!self.isSecureContext) throw new ScanError('insecure');
    if (!navigator.mediaDevices?.getUserMedia) throw new ScanError('no_camera');
    const run = ++this.run;
    this.last = { text: null, seen: 0 };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (err) {
      throw new ScanError(reasonOf(err), err);
    }
    if (run !== this.run) { // stopped while the browser asked
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch (err) {
      this.stop();
      throw new ScanError('failed', err);
    }
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => this.fail(run, 'busy'));
    }
    this.detector = await nativeDetector();
    this.engine = this.detector ? 'barcode-detector' : 'jsqr';
    if (!this.detector) this.startWorker(run);
    this.next(run);
  }

  stop() {
    this.run++;
    clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.worker?.terminate();
    this.worker = null;
    this.detector = null;
  }

  fail(run, reason) {
    if (run !== this.run) return;
    this.stop();
    this.onError?.(reason);
  }

  startWorker(run) {
    this.worker = new Worker('/js/qr-worker.js');
    this.worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.fail(run, 'failed');
    });
    this.worker.addEventListener('message', (ev) => this.found(run, ev.data.text));
  }

  next(run) {
    if (run === this.run) this.timer = setTimeout(() => this.read(run), FRAME_MS);
  }

  /** Read one frame: the detector answers here, the worker by message. */
  async read(run) {
    const v = this.video;
    if (run !== this.run) return;
    if (v.readyState < 2 || !v.videoWidth) {
      this.next(run);
      return;
    }
    if (this.detector) {
      let codes = [];
      try {
        codes = await this.detector.detect(v);
      } catch {
        codes = []; // a frame it could not read: try the next
      }
      await this.found(run, codes[0]?.rawValue ?? null);
      return;
    }
    const w = Math.min(v.videoWidth, MAX_WIDTH);
    const hgt = Math.round((v.videoHeight * w) / v.videoWidth);
    this.canvas ??= document.createElement('canvas');
    this.canvas.width = w;
    this.canvas.height = hgt;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(v, 0, 0, w, hgt);
    const img = ctx.getImageData(0, 0, w, hgt);
    this.worker.postMessage({ width: w, height: hgt, data: img.data.buffer }, [img.data.buffer]);
  }

  async found(run, text) {
    if (run !== this.run) return;
    const now = Date.now();
    if (text && (text !== this.last.text || now - this.last.seen > SAME_TEXT_MS)) {
      this.last = { text, seen: now };
      try {
        await this.onText(text);
      } catch {
        // the caller shows its own errors; scanning goes on
      }
    } else if (text) {
      this.last.seen = now;
    }
    this.next(run);
  }
}
