// staff-checkin.js — the check-in tab of the cemetery console (/staff.html):
// a visit ticket checked in at the gate, scanned with the phone's camera
// (qrscan.js) or its 12-character code typed. Both go through POST
// /api/checkins and show the result in one place: who and when on success,
// else why not (already used, not today, cancelled, another cemetery, not a
// ticket). The camera runs only while the tab is open and the page is
// seen; the reason it cannot run (no camera, permission refused, not https,
// in use) is said, and typing stays. staff.js calls initCheckin() once,
// openCheckin() on the tab and closeCheckin() when another tab opens.
import { ApiError, api } from './api.js';
import { t, bindText } from './i18n.js';
import { h } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFieldError, setFormError } from './forms.js';
import { errKey, plotLabel } from './visitlib.js';
import { QrScanner, ScanError } from './qrscan.js';

const $ = (id) => document.getElementById(id);
// a ticket's code: 12 of these, as the daemon makes them (visit.c)
const TICKET_RE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/;

let cemetery = () => null;
let scanner = null;

/** The code in what was typed or scanned (any case, spaces, dashes). */
function ticketCode(text) {
  const code = String(text).replace(/[\s-]/g, '').toUpperCase();
  return TICKET_RE.test(code) ? code : null;
}

function showOk(b) {
  const ok = $('checkin-ok');
  ok.replaceChildren(h('p', {}, h('strong', {}, t('staff.checkin_ok', {
    persons: t('vs.persons', { n: b.persons }),
    time: t('vs.time_range', { start: b.slot.start, end: b.slot.end }),
  })), ' ', `${b.user_name} · ${plotLabel(b.plot)}`));
  ok.dataset.booking = b.id;
  ok.hidden = false;
}

/** Bring a scan's result into view under the camera, focus left alone. */
function reveal(scanned) {
  if (!scanned) return;
  const ok = $('checkin-ok');
  const el = ok.hidden ? $('checkin-form').querySelector('[data-form-error]') : ok;
  el.scrollIntoView({ block: 'nearest' });
}

/** Check a code in; the result shown for the form. */
async function checkIn(code, { scanned }) {
  const form = $('checkin-form');
  clearErrors(form);
  $('checkin-ok').hidden = true;
  setBusy(form, true);
  try {
    const r = await api('POST', '/api/checkins', { code, cemetery_id: cemetery().id });
    showOk(r.booking);
    $('checkin-code').value = '';
  } catch (err) {
    const key = err instanceof ApiError ? `staff.checkin.${err.code}` : null;
    const { key: k2, vars } = errKey(err);
    // a scan leaves the focus alone: no keyboard pops up on the phone
    setFormError(form, key && t(key) !== key ? key : k2, vars, '', { focus: !scanned });
  } finally {
    setBusy(form, false);
    reveal(scanned);
  }
}

async function submitTyped(ev) {
  ev.preventDefault();
  const input = $('checkin-code');
  clearErrors(ev.currentTarget);
  $('checkin-ok').hidden = true;
  const code = ticketCode(input.value);
  if (!code) {
    setFieldError(input, 'staff.checkin_invalid');
    input.focus();
    return;
  }
  await checkIn(code, { scanned: false });
  input.focus();
}

async function onScanned(text) {
  const code = ticketCode(text);
  if (!code) {
    clearErrors($('checkin-form'));
    $('checkin-ok').hidden = true;
    setFormError($('checkin-form'), 'scan.not_ticket', {}, '', { focus: false });
    reveal(true);
    return;
  }
  $('checkin-code').value = code;
  await checkIn(code, { scanned: true });
}

function scanState(key, running) {
  bindText($('scan-status'), key);
  $('scan-view').hidden = !running;
  $('scan-start').hidden = running;
  $('scan-stop').hidden = !running;
  $('scan-card').dataset.camera = running ? 'on' : 'off';
}

function scanFailed(reason) {
  scanState(`scan.${reason}`, false);
  $('scan-status').classList.add('text-danger');
}

async function startScan() {
  const btn = $('scan-start');
  scanner ??= new QrScanner($('scan-video'), { onText: onScanned, onError: scanFailed });
  btn.disabled = true;
  $('scan-status').classList.remove('text-danger');
  bindText($('scan-status'), 'scan.opening');
  try {
    await scanner.start();
    if (!scanner.running) return; // closed while the browser asked
    $('scan-card').dataset.engine = scanner.engine;
    scanState('scan.looking', true);
  } catch (err) {
    scanFailed(err instanceof ScanError ? err.reason : 'failed');
  } finally {
    btn.disabled = false;
  }
}

/** Turn the camera off (another tab, the page hidden, the button). */
export function closeCheckin() {
  if (!scanner?.running) return;
  scanner.stop();
  scanState('scan.stopped', false);
}

export function openCheckin() {
  if (!scanner?.running) $('checkin-code').focus({ preventScroll: true });
}

export function initCheckin(getCemetery) {
  cemetery = getCemetery;
  $('checkin-form').addEventListener('submit', submitTyped);
  clearOnInput($('checkin-form'));
  $('scan-start').addEventListener('click', startScan);
  $('scan-stop').addEventListener('click', closeCheckin);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) closeCheckin();
  });
}
