#!/usr/bin/env node
// cost_plot.mjs — the cost curve: a server's CPU (% of one core) against
// its viewers, drawn as an SVG from the CSV files bench/lviewers writes
// (--csv; bench/lcompare.mjs --csv DIR writes DIR/sinian.csv and
// DIR/janus.csv).
//
//   node bench/cost_plot.mjs --out docs/cost-curve.svg \
//        [--title TEXT] [--note TEXT] FILE.csv [FILE.csv ...]
//
// One line per file (its label column names it). A step where every viewer
// received and delivery was >= 99.9 % is a filled dot; a step that failed
// is a hollow one, so the curve shows where each server stopped. The
// y axis is the server process's CPU over the step's window; 100 % is one
// core, which is all the bench gives a server (taskset). Nothing is drawn
// by hand: rerun the bench and this script to redraw.
import fs from 'node:fs';

const COLORS = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad'];
const W = 720;
const H = 420;
const M = { left: 64, right: 24, top: 48, bottom: 56 };

function options(argv) {
  const o = { out: null, title: 'Server CPU against viewers', note: '', files: [] };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i];
    else if (a === '--title') o.title = argv[++i];
    else if (a === '--note') o.note = argv[++i];
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (!o.out || o.files.length === 0) {
    throw new Error('usage: cost_plot.mjs --out FILE.svg [--title T] [--note T] CSV...');
  }
  return o;
}

/** The rows of an lviewers CSV as objects with numbers. */
function readCsv(file) {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => {
    const v = l.split(',');
    return Object.fromEntries(keys.map((k, i) => [k, k === 'label' ? v[i] : Number(v[i])]));
  });
}

/** A round step for an axis that reaches max with about n ticks. */
function tickStep(max, n) {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function plot(o, series) {
  const all = series.flatMap((s) => s.rows);
  const xMax = Math.max(...all.map((r) => r.viewers)) * 1.05 || 1;
  const yMax = Math.max(100, ...all.map((r) => r.srv_cpu)) * 1.05;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v) => M.left + (v / xMax) * pw;
  const y = (v) => M.top + ph - (v / yMax) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ` +
    `viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  if (o.note) out.push(`<text x="${W / 2}" y="37" text-anchor="middle" fill="#555">${esc(o.note)}</text>`);
  const xs = tickStep(xMax, 8);
  for (let v = 0; v <= xMax; v += xs) {
    out.push(`<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${M.top + ph + 16}" text-anchor="middle">${v}</text>`);
  }
  const ys = tickStep(yMax, 6);
  for (let v = 0; v <= yMax; v += ys) {
    out.push(`<line x1="${M.left}" y1="${y(v)}" x2="${M.left + pw}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${v} %</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${y(100)}" x2="${M.left + pw}" y2="${y(100)}" ` +
    'stroke="#999" stroke-dasharray="4 3"/>');
  out.push(`<text x="${M.left + pw}" y="${y(100) - 4}" text-anchor="end" fill="#777">one core</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">viewers</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">` +
    'server CPU (% of one core)</text>');
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.rows.map((r) => `${x(r.viewers).toFixed(1)},${y(r.srv_cpu).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const r of s.rows) {
      const ok = r.viewers === 0 || (r.up === r.viewers && r.failed === 0 && r.delivery >= 99.9);
      out.push(`<circle cx="${x(r.viewers).toFixed(1)}" cy="${y(r.srv_cpu).toFixed(1)}" r="4" ` +
        `stroke="${c}" stroke-width="2" fill="${ok ? c : '#fff'}"><title>${esc(s.label)}: ` +
        `${r.viewers} viewers, ${r.srv_cpu} % CPU, ${r.up} receiving, ` +
        `${r.delivery} % delivered</title></circle>`);
    }
    const ly = M.top + 14 + i * 18;
    out.push(`<line x1="${M.left + 12}" y1="${ly}" x2="${M.left + 36}" y2="${ly}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${M.left + 42}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  const ly = M.top + 14 + series.length * 18;
  out.push(`<text x="${M.left + 12}" y="${ly + 4}" fill="#555">filled: every viewer ≥ 99.9 % delivered; ` +
    'hollow: the step failed</text>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const o = options(process.argv);
const series = o.files.map((f) => {
  const rows = readCsv(f);
  return { label: rows[0]?.label ?? f, rows };
});
fs.writeFileSync(o.out, plot(o, series));
console.log(`${o.out}: ${series.map((s) => `${s.label} ${s.rows.length} steps`).join(', ')}`);
