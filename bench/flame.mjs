#!/usr/bin/env node
// flame.mjs — a flame graph (SVG) from `perf script` output.
//
//   perf record -F 999 -g -p PID -o perf.data -- sleep 10
//   perf script -i perf.data | node bench/flame.mjs --title "GET ..." > out.svg
//   ... | node bench/flame.mjs --folded     (one "a;b;c count" line a stack)
//
// Folds every sample's call stack (outermost first), then draws one box a
// frame, as wide as its share of the samples; frames under 0.1 % of the
// width are left out. Hovering a box shows its name, samples and share.
// Boxes are coloured by where the code lives: the kernel, libc, lws,
// SQLite, GLib/jansson, or sinian itself.
import readline from 'node:readline';

const args = process.argv.slice(2);
const title = args.includes('--title') ? args[args.indexOf('--title') + 1] : 'flame graph';
const FOLDED = args.includes('--folded');

const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function frameName(line) {
  // "    7f12 func+0x1c (/usr/lib/x86_64-linux-gnu/libc.so.6)"
  const m = /^\s*[0-9a-f]+\s+(.+?)\s+\(([^)]*)\)\s*$/.exec(line);
  if (!m) return null;
  let fn = m[1].replace(/\+0x[0-9a-f]+$/, '');
  const dso = m[2].split('/').pop();
  if (fn === '[unknown]') fn = `[${dso}]`;
  return { fn, dso };
}

function colour(dso, fn) {
  if (dso.startsWith('[kernel') || /^\[k/.test(fn)) return '#e8a87c';
  if (/libc\.so/.test(dso)) return '#f2d388';
  if (/libwebsockets/.test(dso)) return '#9bd4a3';
  if (/sqlite/.test(dso)) return '#8fb8de';
  if (/glib|gobject|jansson|gio/.test(dso)) return '#c7b8e8';
  if (/sinian/.test(dso)) return '#f08f8f';
  return '#d0d0d0';
}

async function main() {
  const stacks = new Map();
  const dsoOf = new Map();
  let cur = [];
  let comm = '';
  const flush = () => {
    if (!cur.length) return;
    const key = [comm, ...cur.reverse()].join(';');
    stacks.set(key, (stacks.get(key) ?? 0) + 1);
    cur = [];
  };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) {
      flush();
      continue;
    }
    if (!/^\s/.test(line)) {
      flush();
      comm = line.trim().split(/\s+/)[0];
      continue;
    }
    const f = frameName(line);
    if (f) {
      cur.push(f.fn);
      dsoOf.set(f.fn, f.dso);
    }
  }
  flush();
  if (FOLDED) {
    for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1])) console.log(`${k} ${v}`);
    return;
  }
  // the tree
  const root = { name: 'all', n: 0, kids: new Map() };
  for (const [k, v] of stacks) {
    root.n += v;
    let node = root;
    for (const name of k.split(';')) {
      let kid = node.kids.get(name);
      if (!kid) node.kids.set(name, (kid = { name, n: 0, kids: new Map() }));
      kid.n += v;
      node = kid;
    }
  }
  const W = 1200;
  const H = 16;
  const boxes = [];
  let depth = 0;
  const walk = (node, x, d) => {
    const w = (node.n / root.n) * W;
    if (w < W * 0.001) return;
    boxes.push({ node, x, w, d });
    depth = Math.max(depth, d);
    let cx = x;
    for (const kid of [...node.kids.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      walk(kid, cx, d + 1);
      cx += (kid.n / root.n) * W;
    }
  };
  walk(root, 0, 0);
  const height = (depth + 1) * H + 40;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" ` +
    `font-family="monospace" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="14">${esc(title)} ` +
    `(${root.n} samples)</text>`);
  for (const b of boxes) {
    const y = height - (b.d + 1) * H - 4;
    const share = ((100 * b.node.n) / root.n).toFixed(2);
    const label = b.w > 40 ? esc(b.node.name.slice(0, Math.floor(b.w / 7))) : '';
    out.push(`<g><title>${esc(b.node.name)} (${b.node.n} samples, ${share} %)</title>` +
      `<rect x="${b.x.toFixed(1)}" y="${y}" width="${Math.max(0.5, b.w - 0.5).toFixed(1)}" ` +
      `height="${H - 1}" fill="${colour(dsoOf.get(b.node.name) ?? '', b.node.name)}"/>` +
      (label ? `<text x="${(b.x + 3).toFixed(1)}" y="${y + 11}">${label}</text>` : '') + '</g>');
  }
  out.push('</svg>');
  console.log(out.join('\n'));
}

main();
