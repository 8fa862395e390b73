// shrink.js — photos made smaller in the browser before they are sent: a
// phone's 12 MB picture becomes a JPEG of about 1 MB, its long side at most
// MAX_SIDE pixels, turned upright by its EXIF orientation. The server's
// limit is never met after a long upload on a weak link.
//
//   import { shrinkImage } from '/js/shrink.js';
//   const out = await shrinkImage(file, { maxBytes: 10485760 });
//   // out: a File (JPEG, or the original when it is small enough already);
//   // throws ShrinkError when the picture is too large and cannot be read.

export const MAX_SIDE = 2560;
const KEEP_BYTES = 1.5 * 1024 * 1024; // smaller than this and not too wide: sent as it is
const QUALITIES = [0.85, 0.72, 0.6];

export class ShrinkError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ShrinkError';
  }
}

function toBlob(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

function canvasOf(w, h) {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null; // a type this browser cannot draw (HEIC on some phones)
  }
}

/** The photo as a JPEG small enough to send; the original if it is small
 *  and narrow enough already, or cannot be made smaller but fits. */
export async function shrinkImage(file, { maxBytes = Infinity, maxSide = MAX_SIDE } = {}) {
  const bmp = await decode(file);
  if (!bmp) {
    if (file.size <= maxBytes) return file;
    throw new ShrinkError('cannot read the picture to make it smaller');
  }
  const scale = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
  if (scale === 1 && file.size <= Math.min(KEEP_BYTES, maxBytes)) {
    bmp.close?.();
    return file;
  }
  const w = Math.max(1, Math.round(bmp.width * scale));
  const h = Math.max(1, Math.round(bmp.height * scale));
  const canvas = canvasOf(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; // a transparent PNG on white, as JPEG has no alpha
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(bmp, 0, 0, w, h);
  bmp.close?.();
  for (const q of QUALITIES) {
    const blob = await toBlob(canvas, q);
    if (blob && blob.size <= maxBytes) {
      if (blob.size >= file.size && file.size <= maxBytes && scale === 1) return file;
      const name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
      return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified });
    }
  }
  throw new ShrinkError('still too large after making it smaller');
}
