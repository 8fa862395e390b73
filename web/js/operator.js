// operator.js — /operator.html: the funeral home's ceremony console.
//
// Without ?id: the ceremonies the signed-in operator manages (GET
// /api/ceremonies, can_manage) and a form to create one (POST
// /api/ceremonies). With ?id=N: one ceremony — the stream key (shown once,
// after creating or rotating it), the WHIP URL and OBS settings to copy, a
// muted WHEP preview, start / stop, pause / resume of the source, the
// phase the server reports (waiting for the publisher, live, interrupted,
// paused; the newest by its number wins, whichever of a GET answer and an
// event arrives last), the
// viewer link, invites (create → copy link, list, revoke) and the live
// viewer count (ceremony:{id} on /ws). Needs a session: a 401 goes to the
// sign-in page and comes back.
import { mountLayout, toast } from './layout.js';
import { api, ApiError, errorText, forgetSession, me } from './api.js';
import {
  bindText, formatDateTime, formatNumber, formatTime, onLangChange, t,
} from './i18n.js';
import { subscribe } from './live.js';
import { h, param, replace } from './dom.js';
import {
  charLength, clearErrors, clearOnInput, focusFirstInvalid, setBusy, setFieldError,
  setFormApiError,
} from './forms.js';
import { WhepPlayer } from './whep.js';
import { ZONES, localZone, zoneName, zoneTime } from './ceremony-time.js';

const mainEl = document.getElementById('main');
const loadingEl = document.getElementById('op-loading');
const errorEl = document.getElementById('op-error');
const listEl = document.getElementById('op-list');
const detailEl = document.getElementById('op-detail');

let user = null;
let cer = null;          // detail mode: the ceremony
let freshKey = null;     // a stream key just created or rotated
let viewers = 0;
let viewerEvents = 0;    // viewer counts heard on the live topic so far
let phase = 'scheduled'; // while live: waiting | live | interrupted | paused
let phaseSeq = 0;        // number of that phase's change on the server
let passthrough = false; // viewers get the publisher's own H.264
let preview = null;
let unfollow = null;

function toSignIn() {
  forgetSession();
  location.replace(`/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** Any API error: 401 signs in again, the rest is a toast. */
function report(err) {
  if (err instanceof ApiError && err.status === 401) {
    toSignIn();
    return;
  }
  toast(err instanceof ApiError && err.code === 'conflict' && err.message ? err.message : errorText(err), 'error');
}

function setMode(mode) {
  mainEl.dataset.mode = mode;
  loadingEl.hidden = mode !== 'loading';
  errorEl.hidden = mode !== 'error';
  listEl.hidden = mode !== 'list';
  detailEl.hidden = mode !== 'detail';
}

function showError(err, retry) {
  setMode('error');
  const status = err instanceof ApiError ? err.status : 0;
  const kind = status === 404 ? 'not_found' : status === 403 ? 'forbidden' : 'load_error';
  errorEl.dataset.error = kind;
  bindText(document.getElementById('op-error-title'), `op.${kind}_title`);
  const body = document.getElementById('op-error-body');
  if (kind === 'load_error') {
    const { key, vars } = err instanceof ApiError ? err.friendlyKey() : { key: 'error.unknown', vars: {} };
    bindText(body, key, vars);
  } else {
    bindText(body, `op.${kind}_body`);
  }
  const btn = document.getElementById('op-retry');
  btn.hidden = !retry;
  btn.onclick = retry ?? null;
}

// ---------- copying ----------

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall back below */ }
  const ta = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

document.addEventListener('click', async (ev) => {
  const btn = ev.target.closest?.('[data-copy]');
  if (!btn) return;
  const input = document.getElementById(btn.dataset.copy);
  if (!input || !input.value) return;
  const ok = await copyText(input.value);
  if (ok) {
    bindText(btn, 'op.copied');
    setTimeout(() => bindText(btn, 'op.copy'), 2000);
  } else {
    input.focus();
    input.select();
    toast(t('op.copy_failed'), 'warn');
  }
});

// ---------- confirmation ----------

const dialog = document.getElementById('confirm');

function confirmAction(titleKey, bodyKey, okKey) {
  bindText(document.getElementById('confirm-title'), titleKey);
  bindText(document.getElementById('confirm-body'), bodyKey);
  bindText(document.getElementById('confirm-ok'), okKey);
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(t(bodyKey)));
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

// ---------- shared formatting ----------

function whenText(c) {
  const start = formatDateTime(c.scheduled_start);
  const sameDay = new Date(c.scheduled_start).toDateString() === new Date(c.scheduled_end).toDateString();
  return t('cer.time_range', { start, end: sameDay ? formatTime(c.scheduled_end) : formatDateTime(c.scheduled_end) });
}

function stateBadge(state) {
  const cls = state === 'live' ? 'badge badge-live' : state === 'ended' ? 'badge' : 'badge badge-accent';
  return h('span', { class: cls, 'data-i18n': `op.state_${state}` }, t(`op.state_${state}`));
}

// ====================== list mode ======================

const createForm = document.getElementById('create-form');
const agencySel = document.getElementById('agency_id');
const sourceSel = document.getElementById('source_kind');
const rtspField = document.getElementById('rtsp-field');
let agencies = [];

function pad(n) {
  return String(n).padStart(2, '0');
}

function defaultTimes() {
  const d = new Date();
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  const end = new Date(d.getTime() + 3600 * 1000);
  document.getElementById('date').value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  document.getElementById('start_time').value = `${pad(d.getHours())}:00`;
  document.getElementById('end_time').value = `${pad(end.getHours())}:00`;
}

/** The hall's clock: the zones offered, this browser's chosen when it is
 *  one of them, else Beijing's. */
const tzSel = document.getElementById('time_zone');

function renderZones() {
  const was = tzSel.value || (ZONES.includes(localZone()) ? localZone() : 'Asia/Shanghai');
  replace(tzSel, ZONES.map((z) => h('option', { value: z, selected: z === was }, zoneName(z))));
}

async function loadAgencies() {
  const roles = Array.isArray(user?.roles) ? user.roles : [];
  if (roles.some((r) => r.role === 'admin')) {
    const r = await api('GET', '/api/agencies');
    return (r?.agencies ?? []).map((a) => ({ id: a.id, name: a.name }));
  }
  return roles.filter((r) => r.role === 'agency_operator' && r.scope_id)
    .map((r) => ({ id: r.scope_id, name: r.scope_name || t('scope.agency', { id: r.scope_id }) }));
}

/** The pickers of the create form: the agency's halls, and the memorial
 *  pages of its records. */
let pickers = { halls: [], memorials: [] };

async function loadPickers() {
  const id = Number(agencySel.value);
  if (!id) return;
  try {
    const [ag, recs] = await Promise.all([
      api('GET', `/api/agencies/${id}`),
      api('GET', `/api/deceased?agency_id=${id}&limit=100`),
    ]);
    pickers = {
      halls: ag?.halls ?? [],
      memorials: (recs?.deceased ?? []).filter((r) => r.memorial_id).map((r) => ({ id: r.memorial_id, name: r.name })),
    };
  } catch (err) {
    pickers = { halls: [], memorials: [] };
  }
  renderPickers();
}

function renderPickers() {
  replace(document.getElementById('hall_id'), h('option', { value: '' }, t('op.no_hall')),
    ...pickers.halls.map((x) => h('option', { value: x.id }, x.name)));
  replace(document.getElementById('memorial_id'), h('option', { value: '' }, t('op.no_memorial')),
    ...pickers.memorials.map((m) => h('option', { value: m.id }, m.name)));
}

function renderAgencies() {
  replace(agencySel, agencies.map((a) => h('option', { value: a.id }, a.name)));
  document.getElementById('agency-field').hidden = agencies.length <= 1;
  document.getElementById('no-agency').hidden = agencies.length > 0;
  createForm.hidden = agencies.length === 0;
}

function renderList(items) {
  const ul = document.getElementById('ceremony-list');
  document.getElementById('list-empty').hidden = items.length > 0;
  ul.hidden = items.length === 0;
  replace(ul, items.map((c) => h('li', {},
    h('a', { href: `/operator.html?id=${c.id}`, 'data-id': c.id },
      h('div', { class: 'op-list-item' },
        h('span', { class: 'list-title' }, c.title),
        h('span', { class: 'meta' }, whenText(c)),
        h('span', { class: 'cluster' }, stateBadge(c.state),
          c.visibility === 'invite' ? h('span', { class: 'badge', 'data-i18n': 'op.vis_invite_short' }, t('op.vis_invite_short')) : null))))));
}

let listItems = [];

async function showList() {
  setMode('loading');
  document.title = t('op.title');
  try {
    const [r, ags] = await Promise.all([api('GET', '/api/ceremonies'), loadAgencies()]);
    listItems = (r?.ceremonies ?? []).filter((c) => c.can_manage);
    agencies = ags;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toSignIn();
    showError(err, showList);
    return;
  }
  renderAgencies();
  loadPickers();
  renderList(listItems);
  if (!document.getElementById('date').value) defaultTimes();
  setMode('list');
}

agencySel.addEventListener('change', loadPickers);

sourceSel.addEventListener('change', () => {
  rtspField.hidden = sourceSel.value !== 'rtsp';
});

clearOnInput(createForm);

createForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(createForm);
  const f = (name) => document.getElementById(name);
  const title = f('title').value.trim();
  const deceased = f('deceased_name').value.trim();
  const date = f('date').value;
  const st = f('start_time').value;
  const et = f('end_time').value;
  const kind = sourceSel.value;
  const url = f('source_url').value.trim();
  if (!title) setFieldError(f('title'), 'op.v_title');
  if (!deceased) setFieldError(f('deceased_name'), 'op.v_deceased');
  else if (charLength(deceased) > 50) setFieldError(f('deceased_name'), 'validate.name_too_long', { max: 50 });
  if (!date) setFieldError(f('date'), 'op.v_date');
  if (!st) setFieldError(f('start_time'), 'op.v_time');
  if (!et) setFieldError(f('end_time'), 'op.v_time');
  let start = null;
  let end = null;
  if (date && st && et) {
    start = zoneTime(date, st, tzSel.value);
    // An end earlier than the start means the next day (an evening vigil).
    end = zoneTime(date, et, tzSel.value, et <= st ? 1 : 0);
    if (!start || !end) setFieldError(f('start_time'), 'op.v_time');
  }
  if (kind === 'rtsp' && !/^rtsps?:\/\/\S+$/i.test(url)) setFieldError(f('source_url'), 'op.v_rtsp');
  if (focusFirstInvalid(createForm)) return;

  const body = {
    agency_id: Number(agencySel.value),
    title,
    deceased_name: deceased,
    scheduled_start: start,
    scheduled_end: end,
    time_zone: tzSel.value,
    visibility: createForm.elements.visibility.value,
    source: kind === 'rtsp' ? { kind, url } : { kind },
  };
  const hall = Number(f('hall_id').value);
  const memorial = Number(f('memorial_id').value);
  if (hall) body.hall_id = hall;
  if (memorial) body.memorial_id = memorial;
  setBusy(createForm, true);
  try {
    const c = await api('POST', '/api/ceremonies', body);
    freshKey = c.stream_key ?? null;
    delete c.stream_key;
    createForm.reset();
    defaultTimes();
    history.pushState({ id: c.id }, '', `/operator.html?id=${c.id}`);
    toast(t('op.created'), 'ok');
    showDetail(c.id, c);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toSignIn();
    const fieldOf = { title: 'title', deceased_name: 'deceased_name', agency_id: 'agency_id', 'source.url': 'source_url' };
    const target = err instanceof ApiError && err.code === 'invalid' ? fieldOf[err.field] : null;
    if (target) {
      setFieldError(f(target), null, {}, err.message);
      f(target).focus();
    } else if (err instanceof ApiError && err.code === 'invalid' && /scheduled_/.test(err.message)) {
      setFieldError(f('start_time'), 'op.v_order');
      f('start_time').focus();
    } else {
      setFormApiError(createForm, err);
    }
  } finally {
    setBusy(createForm, false);
  }
});

// ====================== detail mode ======================

const previewEl = document.getElementById('preview');
const previewVideo = document.getElementById('preview-video');
const previewText = document.getElementById('preview-text');
const previewSpinner = document.getElementById('preview-spinner');
const btnStart = document.getElementById('btn-start');
const btnStop = document.getElementById('btn-stop');
const btnPause = document.getElementById('btn-pause');
const btnResume = document.getElementById('btn-resume');

function previewCard(view, key, busy = false) {
  previewEl.dataset.view = view;
  previewSpinner.hidden = !busy;
  if (key) bindText(previewText, key);
}

function startPreview() {
  if (preview) return;
  preview = new WhepPlayer({
    url: `/whep/${cer.id}`,
    video: previewVideo,
    onState: (state, info) => {
      if (!cer || cer.state !== 'live') return;
      if (state === 'connecting') previewCard('connecting', 'cer.connecting', true);
      else if (state === 'playing') previewEl.dataset.view = 'playing';
      else if (state === 'retrying') previewCard('retrying', 'cer.retrying', true);
      else if (state === 'stopped' && info.reason === 'refused') {
        preview = null;
        previewCard('idle', 'op.preview_unavailable');
      }
    },
  });
  preview.start();
}

function stopPreview(leave = true) {
  if (!preview) return;
  const p = preview;
  preview = null;
  p.stop({ leave });
  previewVideo.srcObject = null;
}

/** Live video cannot run on this server: say why, and what fixes it. */
function renderMedia() {
  const media = cer.media ?? { status: 'ok' };
  const down = media.status === 'unavailable';
  document.getElementById('media-alert').hidden = !down;
  document.getElementById('media-alert-reason').textContent = down ? (media.reason ?? '') : '';
  document.getElementById('media-alert-fix').hidden = !down || !media.install;
  document.getElementById('media-alert-install').textContent = media.install ?? '';
  return !down;
}

/** Keep the newest phase: a GET answered before an event may arrive
 *  after it, and must not bring back what the event replaced. */
function takePhase(p, seq) {
  const n = Number(seq) || 0;
  if (!p || (n && n < phaseSeq) || (!n && phaseSeq)) return;
  phase = p;
  phaseSeq = n;
}

const STATE_ORDER = { scheduled: 0, live: 1, ended: 2 };

function takeCeremony(c) {
  // states only move forward: an answer older than an event is dropped
  if (cer && STATE_ORDER[c.state] < STATE_ORDER[cer.state]) return;
  // phase numbers come from one counter on the server, across states: an
  // answer made before the picture went live (Start's own) that arrives
  // after the "live" event keeps the newer phase
  cer = cer ? { ...cer, ...c } : c;
  takePhase(c.phase, c.phase_seq);
  if (c.video_passthrough !== undefined) passthrough = !!c.video_passthrough;
}

/** scheduled | waiting | live | interrupted | paused | ended */
function currentPhase() {
  return cer.state === 'live' ? phase : cer.state;
}

const BADGES = {
  scheduled: 'op.state_scheduled', ended: 'op.state_ended', paused: 'op.badge_paused',
  waiting: 'op.badge_connecting', waiting_whip: 'op.badge_waiting',
  interrupted: 'op.badge_interrupted', interrupted_whip: 'op.badge_interrupted',
};

function renderPhase(p, whip) {
  detailEl.dataset.phase = p;
  document.getElementById('d-live').hidden = p !== 'live';
  const st = document.getElementById('d-state');
  st.hidden = p === 'live';
  if (p !== 'live') bindText(st, BADGES[whip && BADGES[`${p}_whip`] ? `${p}_whip` : p]);
  const line = document.getElementById('phase-line');
  const lineKey = { waiting: 1, live: 1, interrupted: 1, paused: 1 }[p]
    ? `op.phase_${p}${whip && (p === 'waiting' || p === 'interrupted') ? '_whip' : ''}` : null;
  line.hidden = !lineKey;
  if (lineKey) bindText(line, lineKey);
  const video = document.getElementById('video-line');
  video.hidden = p !== 'live';
  bindText(video, whip ? (passthrough ? 'op.video_passed' : 'op.video_encoded')
    : (passthrough ? 'op.video_passed_src' : 'op.video_encoded_src'));
}

function renderControls() {
  const s = cer.state;
  const p = currentPhase();
  const whip = cer.source?.kind === 'whip';
  const canGoLive = renderMedia();
  // only what can act now: a WHIP picture is paused from the publisher
  btnStart.hidden = s !== 'scheduled' || !canGoLive;
  btnStop.hidden = s !== 'live';
  btnPause.hidden = whip || (p !== 'live' && p !== 'interrupted');
  btnResume.hidden = whip || p !== 'paused';
  document.getElementById('pause-hint').hidden = whip || s !== 'live';
  document.getElementById('whip-pause-hint').hidden = !whip || s !== 'live';
  renderPhase(p, whip);
  const vEl = document.getElementById('d-viewers');
  vEl.hidden = s !== 'live';
  vEl.textContent = t('cer.viewers', { n: viewers, count: formatNumber(viewers) });
  vEl.dataset.count = String(viewers);
  document.getElementById('preview-note').hidden = s !== 'live';
  if (s === 'live') {
    if (!preview) startPreview();
  } else {
    stopPreview(false);
    previewCard('idle', s === 'ended' ? 'op.preview_after' : canGoLive ? 'op.preview_before' : 'op.preview_no_media');
  }
}

/** The hall and the memorial page the ceremony is linked to. */
async function renderLinks() {
  const el = document.getElementById('d-links');
  const parts = [];
  try {
    if (cer.hall_id) {
      const ag = await api('GET', `/api/agencies/${cer.agency_id}`);
      const hall = (ag?.halls ?? []).find((x) => x.id === cer.hall_id);
      if (hall) parts.push(h('span', { 'data-hall': hall.id }, t('op.link_hall', { name: hall.name })));
    }
    if (cer.memorial_id) {
      const m = await api('GET', `/api/memorials/${cer.memorial_id}`);
      const page = m?.memorial ?? m;
      if (page?.url || page?.slug) parts.push(h('a', { href: page.url ?? `/m/${page.slug}`, 'data-memorial': cer.memorial_id }, t('op.link_memorial', { title: page.title })));
    }
  } catch (err) { /* the links are extras: the console works without them */ }
  replace(el, ...parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
}

function sourceText() {
  const kind = cer.source?.kind ?? 'whip';
  if (kind === 'rtsp') return t('op.source_rtsp_line', { url: cer.source.url });
  return t(`op.source_${kind}_line`);
}

function renderDetail() {
  if (!cer) return;
  document.title = t('op.detail_title', { title: cer.title });
  const agency = document.getElementById('d-agency');
  agency.textContent = cer.agency_name ?? '';
  document.getElementById('d-title').textContent = cer.title;
  document.getElementById('d-meta').textContent =
    `${t('cer.deceased', { name: cer.deceased_name })} · ${whenText(cer)}`;
  renderLinks();

  const invite = cer.visibility === 'invite';
  document.getElementById('share-public').hidden = invite;
  document.getElementById('share-invite').hidden = !invite;
  document.getElementById('share-row').hidden = invite;
  document.getElementById('share-url').value = `${location.origin}/c/${cer.id}`;
  document.getElementById('open-player').href = `/c/${cer.id}`;
  document.getElementById('invites-card').hidden = !invite;

  document.getElementById('whip-url').value = `${location.origin}${cer.whip_url ?? `/whip/${cer.id}`}`;
  document.getElementById('source-line').textContent = sourceText();
  // the stream key and the OBS steps only while a publisher may still come
  document.getElementById('obs-box').hidden = cer.source?.kind !== 'whip' || cer.state === 'ended';
  document.getElementById('key-box').hidden = !freshKey;
  document.getElementById('key-hidden').hidden = !!freshKey;
  document.getElementById('stream-key').value = freshKey ?? '';
  renderControls();
}

async function showDetail(id, known = null) {
  stopPreview();
  if (unfollow) {
    unfollow();
    unfollow = null;
  }
  if (!known) setMode('loading');
  try {
    const c = known ?? await api('GET', `/api/ceremonies/${encodeURIComponent(id)}`);
    cer = null;
    phaseSeq = 0;
    takeCeremony(c);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toSignIn();
    showError(err, () => showDetail(id));
    return;
  }
  if (!cer.can_manage) {
    showError(new ApiError(403, 'forbidden', ''));
    return;
  }
  viewers = cer.viewers ?? 0;
  document.getElementById('new-invite').hidden = true;
  setMode('detail');
  renderDetail();
  // A key shown once must not go unseen below the fold of a phone.
  if (freshKey && cer.source?.kind === 'whip') {
    document.getElementById('key-box').scrollIntoView({ block: 'center' });
  }
  // re-read once subscribed: a viewer may have joined in between
  unfollow = subscribe(`ceremony:${cer.id}`, onEvent, { onSubscribed: reload });
  if (cer.visibility === 'invite') loadInvites();
}

async function reload() {
  const heard = viewerEvents;
  try {
    const c = await api('GET', `/api/ceremonies/${cer.id}`);
    takeCeremony(c);
    // a count heard while the answer was on its way is the newer one
    if (viewerEvents === heard) viewers = c.viewers ?? viewers;
    renderDetail();
  } catch (err) {
    report(err);
  }
}

function onEvent(ev) {
  if (!ev || !cer) return;
  if (ev.type === 'viewers') {
    viewers = Number(ev.count) || 0;
    viewerEvents++;
    renderControls();
  } else if (ev.type === 'source') {
    takePhase(ev.phase ?? (ev.live ? 'live' : 'interrupted'), ev.seq);
    renderControls();
  } else if (ev.type === 'video') {
    passthrough = !!ev.passthrough;
    renderControls();
  } else if (ev.type === 'state' && ev.state !== cer.state) {
    if (ev.state === 'ended') stopPreview(false);
    reload();
  }
}

async function act(btn, fn) {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    await fn();
  } catch (err) {
    report(err);
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

btnStart.addEventListener('click', () => act(btnStart, async () => {
  takeCeremony(await api('POST', `/api/ceremonies/${cer.id}/start`));
  renderDetail();
  toast(t('op.started'), 'ok');
}));

btnStop.addEventListener('click', async () => {
  if (!await confirmAction('op.stop_confirm_title', 'op.stop_confirm_body', 'op.stop')) return;
  act(btnStop, async () => {
    // Ending closes every viewer: no DELETE (it could race the stop to a 404).
    stopPreview(false);
    takeCeremony(await api('POST', `/api/ceremonies/${cer.id}/stop`));
    renderDetail();
    toast(t('op.stopped'), 'ok');
  });
});

btnPause.addEventListener('click', () => act(btnPause, async () => {
  takeCeremony(await api('PUT', `/api/ceremonies/${cer.id}/source`, { on: false }));
  renderControls();
}));

btnResume.addEventListener('click', () => act(btnResume, async () => {
  takeCeremony(await api('PUT', `/api/ceremonies/${cer.id}/source`, { on: true }));
  renderControls();
}));

document.getElementById('btn-rotate').addEventListener('click', async () => {
  if (!await confirmAction('op.rotate_confirm_title', 'op.rotate_confirm_body', 'op.rotate')) return;
  const btn = document.getElementById('btn-rotate');
  act(btn, async () => {
    const r = await api('POST', `/api/ceremonies/${cer.id}/stream-key`);
    freshKey = r.stream_key;
    if (r.whip_url) cer.whip_url = r.whip_url;
    renderDetail();
    toast(t('op.rotated'), 'ok');
  });
});

// ---------- invites ----------

const inviteForm = document.getElementById('invite-form');
const guestEl = document.getElementById('guest_name');
clearOnInput(inviteForm);

async function loadInvites() {
  let list = [];
  try {
    const r = await api('GET', `/api/ceremonies/${cer.id}/invites`);
    list = r?.invites ?? [];
  } catch (err) {
    report(err);
    return;
  }
  document.getElementById('invites-empty').hidden = list.length > 0;
  replace(document.getElementById('invite-list'), [...list].reverse().map((v) =>
    h('li', { class: `op-invite${v.revoked ? ' is-revoked' : ''}`, 'data-invite': v.id },
      h('div', {},
        h('span', { class: 'list-title' }, v.guest_name),
        h('span', { class: 'meta' }, ` · ${formatDateTime(v.created_at)}`)),
      v.revoked
        ? h('span', { class: 'badge', 'data-i18n': 'op.invite_revoked' }, t('op.invite_revoked'))
        : h('button', {
          type: 'button',
          class: 'btn btn-danger btn-sm',
          'data-revoke': v.id,
          'data-i18n': 'op.invite_revoke',
          onclick: (ev) => revokeInvite(v, ev.currentTarget),
        }, t('op.invite_revoke')))));
}

async function revokeInvite(v, btn) {
  if (!await confirmAction('op.revoke_confirm_title', 'op.revoke_confirm_body', 'op.invite_revoke')) return;
  act(btn, async () => {
    await api('DELETE', `/api/ceremonies/${cer.id}/invites/${v.id}`);
    toast(t('op.invite_revoked_done', { name: v.guest_name }), 'ok');
    await loadInvites();
  });
}

inviteForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(inviteForm);
  const name = guestEl.value.trim();
  if (!name) setFieldError(guestEl, 'op.v_guest');
  else if (charLength(name) > 60) setFieldError(guestEl, 'validate.name_too_long', { max: 60 });
  if (focusFirstInvalid(inviteForm)) return;
  setBusy(inviteForm, true);
  try {
    const r = await api('POST', `/api/ceremonies/${cer.id}/invites`, { guest_name: name });
    guestEl.value = '';
    bindText(document.getElementById('new-invite-text'), 'op.invite_done', { name: r.guest_name });
    document.getElementById('new-invite-url').value = `${location.origin}${r.url}`;
    document.getElementById('new-invite').hidden = false;
    await loadInvites();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return toSignIn();
    setFormApiError(inviteForm, err);
  } finally {
    setBusy(inviteForm, false);
  }
});

// ====================== start ======================

function route() {
  const id = param('id');
  if (id) {
    if (!cer || String(cer.id) !== id) {
      freshKey = null;
      showDetail(id);
    }
  } else {
    stopPreview();
    if (unfollow) {
      unfollow();
      unfollow = null;
    }
    cer = null;
    freshKey = null;
    showList();
  }
}

window.addEventListener('popstate', route);

onLangChange(() => {
  renderZones();
  if (mainEl.dataset.mode === 'detail') renderDetail();
  else if (mainEl.dataset.mode === 'list') {
    document.title = t('op.title');
    const picked = agencySel.value;
    renderAgencies();
    agencySel.value = picked;
    renderList(listItems);
    renderPickers();
  }
});

// Expose the preview for tests, as on the player page.
window.sinianPreview = { get pc() { return preview?.pc ?? null; } };

// Ask the server even without the sign-in mark (a staff page), then draw
// the header from the same answer.
const who = me({ probe: true });
renderZones();
mountLayout();
try {
  user = await who;
  if (user) route();
  else toSignIn();
} catch (err) {
  showError(err, () => location.reload());
}
