// A camera's view of a QR code, for Chromium's fake video capture:
//
//   const svg = (await w.as('staffA', 'GET', `/api/bookings/${id}/ticket.svg`)).text;
//   const file = qrY4m(svg, path.join(dir, 'ticket.y4m'));
//   launchBrowser(['--use-fake-device-for-media-stream',
//                  `--use-file-for-fake-video-capture=${file}`]);
//
// Reads a QR code as the daemon draws it (qr.c: a viewBox of N modules, a
// path of one "Mx yh1v1h-1z" square per dark module) and writes a short
// Y4M video (4:2:0, full range) of it: the code, quiet zone included, in
// the middle of a grey desk, as a phone held in front of the camera shows
// it. Chromium plays the file in a loop.
import assert from 'node:assert/strict';
import fs from 'node:fs';

const DESK = 150;   // luma around the code
const LIGHT = 245;  // light modules and the quiet zone
const DARK = 20;

/** The dark modules of the code and its size in modules. */
function modules(svg) {
  const box = svg.match(/viewBox="0 0 (\d+) (\d+)"/);
  assert.ok(box && box[1] === box[2], 'a square viewBox');
  const dark = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(dark.length > 0, 'dark modules');
  return { n: Number(box[1]), dark };
}

/** Write FILE: FRAMES frames of WIDTH x HEIGHT showing the code; returns FILE. */
export function qrY4m(svg, file, { width = 640, height = 480, frames = 10 } = {}) {
  const { n, dark } = modules(svg);
  const px = Math.floor((Math.min(width, height) * 0.7) / n);
  assert.ok(px >= 2, `the code fits the picture (${n} modules)`);
  const x0 = Math.floor((width - n * px) / 2);
  const y0 = Math.floor((height - n * px) / 2);
  const luma = Buffer.alloc(width * height, DESK);
  for (let y = 0; y < n * px; y++) luma.fill(LIGHT, (y0 + y) * width + x0, (y0 + y) * width + x0 + n * px);
  for (const [mx, my] of dark) {
    for (let y = 0; y < px; y++) {
      const row = (y0 + my * px + y) * width + x0 + mx * px;
      luma.fill(DARK, row, row + px);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  fs.writeFileSync(file, Buffer.concat([header, ...Array(frames).fill(frame)]));
  return file;
}
