// staff-plots.js — the plots tab of the cemetery console (/staff.html).
//
// One plot at a time (POST /api/cemeteries/{id}/plots), or many from a CSV
// file (section,row,number,kind,capacity,lat,lng): every line is checked
// here first and the rejected ones are listed by line number; only a file
// without a rejected line can be imported, in one request, all or nothing
// ({"plots":[…]}; the server's refusal names the line too). The plots are
// shown as a list filtered by section, kind, status and text, or as a grid
// of one section, a row a line, free and occupied told apart by colour and
// by word. staff.js calls initPlots() once and loadPlots() on the tab.
import { toast } from './layout.js';
import { ApiError, api } from './api.js';
import { t } from './i18n.js';
import { h, replace } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFormError } from './forms.js';
import { errText, plotLabel } from './visitlib.js';

const $ = (id) => document.getElementById(id);
export const KINDS = ['grave', 'niche', 'columbarium', 'tree', 'sea', 'family'];
const COLUMNS = ['section', 'row', 'number', 'kind', 'capacity', 'lat', 'lng', 'accessible'];
const YES = ['1', 'yes', 'true', 'y', '是'];
const NO = ['', '0', 'no', 'false', 'n', '否'];
const FAMILY_MAX = 12;

let cemetery = () => null;
let plots = [];
let pending = null; // plots of a checked CSV file, ready to import

/** One CSV line into fields: commas, "quoted" fields with "" inside. */
export function csvFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur.trim()); cur = ''; } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** A plot from its fields, or { error } naming what is wrong. */
function plotOf(f) {
  const [section, row, number, kind, capacity, lat, lng, accessible = ''] = f;
  if (!section || !row || !number) return { error: t('plots.e_label') };
  if (!KINDS.includes(kind)) return { error: t('plots.e_kind', { kinds: KINDS.join(', ') }) };
  const p = { section, row, number, kind };
  if (capacity) {
    const n = Number(capacity);
    const max = kind === 'family' ? FAMILY_MAX : 1;
    if (!Number.isInteger(n) || n < 1 || n > max) return { error: t('plots.e_capacity', { max }) };
    p.capacity = n;
  }
  if (!lat !== !lng) return { error: t('plots.e_geo') };
  if (lat) {
    const a = Number(lat);
    const b = Number(lng);
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) > 90 || Math.abs(b) > 180) {
      return { error: t('plots.e_geo') };
    }
    p.lat = a;
    p.lng = b;
  }
  const acc = accessible.toLowerCase();
  if (!YES.includes(acc) && !NO.includes(acc)) return { error: t('plots.e_accessible') };
  if (YES.includes(acc)) p.accessible = true;
  return { plot: p };
}

/** Check a CSV text: { plots, rejected: [{line, text, error}] }. */
export function checkCsv(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const plotsOut = [];
  const rejected = [];
  const seen = new Map();
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    const f = csvFields(raw);
    if (i === 0 && f[0].toLowerCase() === 'section') return; // the header
    const { plot, error } = plotOf(f);
    const key = plot && `${plot.section}/${plot.row}/${plot.number}`;
    if (error) rejected.push({ line: i + 1, text: raw, error });
    else if (seen.has(key)) rejected.push({ line: i + 1, text: raw, error: t('plots.e_twice', { line: seen.get(key) }) });
    else {
      seen.set(key, i + 1);
      plot.line = i + 1;
      plotsOut.push(plot);
    }
  });
  return { plots: plotsOut, rejected };
}

// ---------- list and grid ----------

function statusBadge(p) {
  return h('span', { class: 'badge plot-status', 'data-status': p.status }, t(`plots.status.${p.status}`));
}

function filtered() {
  const section = $('pf-section').value;
  const kind = $('pf-kind').value;
  const status = $('pf-status').value;
  const q = $('pf-text').value.trim();
  return plots.filter((p) => (!section || p.section === section) && (!kind || p.kind === kind) &&
    (!status || p.status === status) && (!q || `${p.section} ${p.row} ${p.number}`.includes(q)));
}

function renderList(list) {
  replace($('plot-list'), list.map((p) => h('li', { class: 'list-row', 'data-plot': p.id },
    h('span', {},
      h('span', { class: 'list-title' }, plotLabel(p)),
      h('span', { class: 'meta text-sm' }, ` · ${t(`plots.kind.${p.kind}`)}` +
        (p.capacity > 1 ? ` · ${t('plots.occupancy', { n: p.occupied, capacity: p.capacity })}` : ''))),
    statusBadge(p))));
}

/** One section as a grid: a line a row, a cell a plot. */
function renderGrid(list) {
  const rows = new Map();
  for (const p of list) {
    if (!rows.has(p.row)) rows.set(p.row, []);
    rows.get(p.row).push(p);
  }
  const num = (s) => Number(String(s).replace(/\D+/g, '')) || 0;
  const sorted = [...rows.entries()].sort((a, b) => num(a[0]) - num(b[0]) || a[0].localeCompare(b[0]));
  replace($('plot-grid'), sorted.map(([row, ps]) => h('div', { class: 'plot-grid-row' },
    h('span', { class: 'plot-grid-label' }, row),
    h('ul', { class: 'plot-grid-cells' }, ps.sort((a, b) => num(a.number) - num(b.number))
      .map((p) => h('li', {
        class: 'plot-cell',
        'data-status': p.status,
        'data-plot': p.id,
        title: `${plotLabel(p)} · ${t(`plots.status.${p.status}`)}`,
      }, h('span', {}, p.number), h('span', { class: 'visually-hidden' }, ` ${t(`plots.status.${p.status}`)}`)))))));
}

export function renderPlots() {
  const sections = [...new Set(plots.map((p) => p.section))].sort();
  const sel = $('pf-section');
  const was = sel.value;
  replace(sel, h('option', { value: '' }, t('staff.filter_all')),
    ...sections.map((s) => h('option', { value: s }, s)));
  sel.value = sections.includes(was) ? was : '';
  const grid = $('plots-view-grid').checked;
  if (grid && !sel.value && sections.length) sel.value = sections[0];
  const list = filtered();
  const free = plots.filter((p) => p.status === 'free').length;
  $('plots-summary').textContent = t('plots.summary', { n: plots.length, free, shown: list.length });
  $('plot-list').hidden = grid;
  $('plot-grid').hidden = !grid;
  if (grid) renderGrid(list);
  else renderList(list);
  $('plots-empty').hidden = list.length > 0;
}

export async function loadPlots() {
  const c = cemetery();
  if (!c) return;
  try {
    const r = await api('GET', `/api/cemeteries/${c.id}/plots`);
    plots = r.plots ?? [];
    renderPlots();
  } catch (err) {
    toast(errText(err), 'error');
  }
}

// ---------- one plot ----------

async function submitPlot(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  const f = COLUMNS.map((c) => $(`plot-${c}`).value.trim());
  const { plot, error } = plotOf(f);
  if (error) {
    setFormError(form, null, {}, error);
    return;
  }
  setBusy(form, true);
  try {
    const p = await api('POST', `/api/cemeteries/${cemetery().id}/plots`, plot);
    toast(t('plots.created', { plot: plotLabel(p) }), 'ok');
    $('plot-number').value = '';
    $('plot-number').focus();
    await loadPlots();
  } catch (err) {
    if (err instanceof ApiError && err.message) setFormError(form, null, {}, err.message);
    else setFormError(form, 'error.unknown');
  } finally {
    setBusy(form, false);
  }
}

// ---------- CSV import ----------

async function readCsv(ev) {
  const file = ev.target.files?.[0];
  pending = null;
  $('csv-import').hidden = true;
  replace($('csv-report'));
  if (!file) return;
  const { plots: ok, rejected } = checkCsv(await file.text());
  const report = $('csv-report');
  if (rejected.length) {
    replace(report,
      h('p', { class: 'text-danger' }, t('plots.csv_rejected', { n: rejected.length, ok: ok.length })),
      h('ul', { class: 'list csv-rejected' }, rejected.map((r) => h('li', { 'data-line': r.line },
        h('strong', {}, t('plots.csv_line', { line: r.line })), ' ', r.error,
        h('div', { class: 'meta text-sm mono' }, r.text)))));
    return;
  }
  if (!ok.length) {
    replace(report, h('p', { class: 'text-danger' }, t('plots.csv_empty')));
    return;
  }
  pending = ok;
  replace(report, h('p', {}, t('plots.csv_ready', { n: ok.length })));
  $('csv-import').hidden = false;
}

async function importCsv() {
  if (!pending) return;
  const btn = $('csv-import');
  btn.disabled = true;
  try {
    const body = pending.map(({ line, ...p }) => p);
    const r = await api('POST', `/api/cemeteries/${cemetery().id}/plots`, { plots: body });
    toast(t('plots.csv_done', { n: r.plots.length }), 'ok');
    pending = null;
    btn.hidden = true;
    $('csv-file').value = '';
    replace($('csv-report'), h('p', { class: 'text-ok' }, t('plots.csv_done', { n: r.plots.length })));
    await loadPlots();
  } catch (err) {
    // "plots[3].number: …": say which line of the file
    const m = err instanceof ApiError ? /^plots\[(\d+)\]\.(.*)$/.exec(err.message ?? '') : null;
    const line = m ? pending[Number(m[1])]?.line : null;
    replace($('csv-report'), h('p', { class: 'text-danger', role: 'alert' },
      line ? `${t('plots.csv_line', { line })} ${m[2]} ${t('plots.csv_nothing')}` : errText(err)));
  } finally {
    btn.disabled = false;
  }
}

export function initPlots(getCemetery) {
  cemetery = getCemetery;
  replace($('plot-kind'), ...KINDS.map((k) => h('option', { value: k }, t(`plots.kind.${k}`))));
  replace($('pf-kind'), h('option', { value: '' }, t('staff.filter_all')),
    ...KINDS.map((k) => h('option', { value: k }, t(`plots.kind.${k}`))));
  $('plot-form').addEventListener('submit', submitPlot);
  clearOnInput($('plot-form'));
  $('csv-file').addEventListener('change', readCsv);
  $('csv-import').addEventListener('click', importCsv);
  for (const id of ['pf-section', 'pf-kind', 'pf-status', 'plots-view-list', 'plots-view-grid']) {
    $(id).addEventListener('change', renderPlots);
  }
  $('pf-text').addEventListener('input', renderPlots);
}
