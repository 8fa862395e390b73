// qr-worker.js — decodes the QR code in one camera frame at a time, off the
// page's thread, for qrscan.js where the browser has no BarcodeDetector.
//
// Uses jsQR (npm `jsqr`, installed into web/node_modules by scripts/deps.sh
// and served by the daemon at /vendor/jsqr.js, never from a CDN).
// Message in: { width, height, data } (RGBA bytes, an ArrayBuffer);
// message out: { text } (the code's text, or null when none was found).
/* global jsQR */
importScripts('/vendor/jsqr.js');

self.onmessage = (ev) => {
  const { width, height, data } = ev.data;
  const found = jsQR(new Uint8ClampedArray(data), width, height, { inversionAttempts: 'dontInvert' });
  self.postMessage({ text: found ? found.data : null });
};
