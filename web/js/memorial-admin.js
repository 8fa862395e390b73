// memorial-admin.js — /memorial-admin.html?id=N: the family admin's page
// for one memorial. Moderating messages (pending / shown / hidden, approve
// or hide), the memorial's details (title, address, biography, who may see
// it, whether messages wait for review), the portrait and the photo
// gallery (raw image uploads), family members and invited guests (by an
// invitation the person accepts, which can be revoked while it waits), and the
// QR code for the plot plaque.
//
// What shows follows GET /api/memorials/{id} viewer rights: can_moderate,
// can_edit, can_grant. Signed out, or none of these rights: a finished
// state saying so. Uploads send the file as the request body with its own
// Content-Type; 413 and 415 answers become plain sentences.
//
// <main data-state> is loading | ready | error (with #madm-error[data-error]).
import { mountLayout, toast } from './layout.js';
import { api, ApiError, errorText } from './api.js';
import { bindText, formatDateTime, formatNumber, onLangChange, t } from './i18n.js';
import { subscribe } from './live.js';
import { h, param, replace } from './dom.js';
import { ShrinkError, shrinkImage } from './shrink.js';
import {
  charLength, clearErrors, clearFieldError, clearOnInput, focusFirstInvalid, setBusy,
  setFieldError, setFormApiError, setFormError,
} from './forms.js';

const TITLE_MAX = 100;
const BIO_MAX = 5000;
const CAPTION_MAX = 100;
const PAGE = 20;
const TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const SLUG_RE = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;

const $id = (x) => document.getElementById(x);
const mainEl = $id('main');
const id = param('id');

let page = null;     // GET /api/memorials/{id}

/** The page as the editor needs it: the editor-only fields the server puts
 * in "viewer" (the shared page is the same for everyone) on the memorial. */
function editorPage(p) {
  const { search_alias: alias, max_upload_bytes: maxBytes } = p.viewer ?? {};
  return { ...p, memorial: { ...p.memorial, search_alias: alias, max_upload_bytes: maxBytes } };
}
let user = null;     // me(), when known
let modState = 'pending';
let modItems = [];
let modMore = false;
let family = [];
let invites = []; // invitations this memorial sent
let unfollow = null;

const path = (suffix = '') => `/api/memorials/${encodeURIComponent(id)}${suffix}`;
const can = (right) => !!page?.viewer?.[right];

// ---------- shared ----------

/** Send a file as the body (PUT portrait, POST photo); ApiError on failure. */
async function upload(method, url, file) {
  let res;
  try {
    res = await fetch(url, {
      method,
      body: file,
      credentials: 'same-origin',
      headers: { 'content-type': file.type, accept: 'application/json' },
    });
  } catch (err) {
    throw new ApiError(0, 'network', err?.message || 'network error');
  }
  const text = await res.text().catch(() => '');
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch { json = null; }
  if (res.ok) return json;
  const e = json?.error ?? {};
  const codes = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'too_large', 415: 'unsupported_media_type', 429: 'rate_limited' };
  throw new ApiError(res.status, e.code || codes[res.status] || 'server', e.message || res.statusText);
}

/** A sentence for an upload refusal. */
function uploadProblem(err) {
  if (err instanceof ApiError) {
    if (err.status === 413) return { key: 'madm.err_too_large', vars: {} };
    if (err.status === 415) return { key: 'madm.err_type', vars: {} };
    if (err.code === 'full') return { key: 'madm.err_gallery_full', vars: {} };
    return err.friendlyKey();
  }
  return { key: 'error.unknown', vars: {} };
}

const dialog = $id('confirm');
let dialogDone = null;

/** Ask before something that cannot be undone; resolves true on OK. */
function confirmDialog(titleKey, bodyKey, okKey, vars = {}) {
  bindText($id('confirm-title'), titleKey, vars);
  bindText($id('confirm-body'), bodyKey, vars);
  bindText($id('confirm-ok'), okKey, vars);
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(t(bodyKey, vars)));
  dialog.showModal();
  return new Promise((resolve) => { dialogDone = resolve; });
}

function closeDialog(result) {
  if (dialog.open) dialog.close();
  const done = dialogDone;
  dialogDone = null;
  done?.(result);
}

$id('confirm-ok').addEventListener('click', () => closeDialog(true));
$id('confirm-cancel').addEventListener('click', () => closeDialog(false));
dialog.addEventListener('close', () => closeDialog(false));

function memorialUrl() {
  return page?.memorial?.url || `/m/${page?.memorial?.slug ?? ''}`;
}

// ---------- states ----------

function fail(kind, err = null) {
  mainEl.dataset.state = 'error';
  $id('madm-loading').hidden = true;
  $id('madm').hidden = true;
  const box = $id('madm-error');
  box.hidden = false;
  box.dataset.error = kind;
  bindText($id('madm-error-title'), `madm.${kind}_title`);
  if (kind === 'load_error') {
    const { key, vars } = err instanceof ApiError ? err.friendlyKey() : { key: 'error.unknown', vars: {} };
    bindText($id('madm-error-body'), key, vars);
  } else {
    bindText($id('madm-error-body'), `madm.${kind}_body`);
  }
  const signin = $id('madm-error-signin');
  signin.hidden = kind !== 'signin';
  signin.href = `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`;
  $id('madm-retry').hidden = kind !== 'load_error';
  const view = $id('madm-error-view');
  view.hidden = !(kind === 'forbidden' && page);
  if (page) view.href = memorialUrl();
}

$id('madm-retry').addEventListener('click', () => {
  $id('madm-error').hidden = true;
  $id('madm-loading').hidden = false;
  mainEl.dataset.state = 'loading';
  start();
});

// ---------- header ----------

function renderHead() {
  const m = page.memorial;
  const d = page.deceased;
  document.querySelector('title').removeAttribute('data-i18n');
  document.title = t('madm.page_title', { title: m.title });
  $id('madm-title').textContent = m.title;
  const years = d ? [d.birth_date?.slice(0, 4), d.death_date?.slice(0, 4)].filter(Boolean).join('–') : '';
  $id('madm-sub').textContent = [d?.name, years, t(`mem.visibility.${m.visibility}`)].filter(Boolean).join(' · ');
  $id('madm-back').href = memorialUrl();
  $id('toc-moderation').hidden = !can('can_moderate');
  $id('toc-details').hidden = !can('can_edit');
  $id('toc-pictures').hidden = !can('can_edit');
  $id('toc-family').hidden = !can('can_grant');
}

// ---------- moderation ----------

function renderPending() {
  const n = Number(page?.viewer?.pending_messages) || 0;
  const el = $id('pending-count');
  el.hidden = n === 0;
  el.textContent = formatNumber(n);
  bindText($id('mod-mode'), page.memorial.moderation === 'hold' ? 'madm.mode_hold' : 'madm.mode_publish');
}

function modItem(tr) {
  const actions = [];
  const act = (state, key, cls) => h('button', {
    type: 'button',
    class: `btn btn-sm ${cls}`,
    'data-action': state,
    onclick: (ev) => moderate(tr, state, ev.currentTarget),
  }, t(key));
  if (tr.state === 'pending') {
    actions.push(act('published', 'madm.approve', 'btn-primary'), act('hidden', 'madm.hide', 'btn-quiet'));
  } else if (tr.state === 'published') {
    actions.push(act('hidden', 'madm.hide', 'btn-quiet'));
  } else {
    actions.push(act('published', 'madm.restore', 'btn-secondary'));
  }
  return h('li', { class: 'madm-message', 'data-id': tr.id, 'data-state': tr.state },
    h('div', { class: 'madm-message-head' },
      h('strong', {}, tr.from_name),
      h('time', { class: 'meta', datetime: tr.created_at }, formatDateTime(tr.created_at))),
    h('p', { class: 'madm-message-text' }, tr.text),
    h('div', { class: 'btn-row' }, actions));
}

function renderMod() {
  replace($id('mod-list'), modItems.map(modItem));
  const empty = $id('mod-empty');
  empty.hidden = modItems.length > 0;
  bindText(empty, `madm.empty_${modState}`);
  $id('mod-more').hidden = !modMore;
  for (const tab of document.querySelectorAll('.madm-tabs [role="tab"]')) {
    const on = tab.dataset.state === modState;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    if (on) $id('mod-panel').setAttribute('aria-labelledby', tab.id);
  }
}

let modToken = 0;

async function loadMod(more = false) {
  const token = ++modToken;
  const q = new URLSearchParams({ state: modState, kind: 'message', limit: String(PAGE) });
  if (more && modItems.length) q.set('cursor', String(modItems[modItems.length - 1].id));
  const btn = $id('mod-more');
  if (more) btn.setAttribute('aria-busy', 'true');
  try {
    const r = await api('GET', path(`/tributes?${q}`));
    if (token !== modToken) return;
    const list = Array.isArray(r?.tributes) ? r.tributes : [];
    modItems = more ? [...modItems, ...list] : list;
    modMore = r?.next_cursor != null && list.length > 0;
    renderMod();
  } catch (err) {
    if (token === modToken) toast(errorText(err), 'error');
  } finally {
    btn.removeAttribute('aria-busy');
  }
}

async function refreshPending() {
  try {
    const p = editorPage(await api('GET', path()));
    page = { ...page, viewer: p.viewer, counts: p.counts, memorial: p.memorial };
    renderPending();
  } catch { /* the count stays as it was */ }
}

async function moderate(tr, state, btn) {
  const row = btn.closest('li');
  for (const b of row.querySelectorAll('button')) b.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    await api('PATCH', path(`/messages/${encodeURIComponent(tr.id)}`), { state });
    modItems = modItems.filter((x) => x.id !== tr.id);
    renderMod();
    toast(t(state === 'published' ? (tr.state === 'pending' ? 'madm.approved' : 'madm.restored') : 'madm.hidden'), 'ok');
    refreshPending();
  } catch (err) {
    for (const b of row.querySelectorAll('button')) b.disabled = false;
    btn.removeAttribute('aria-busy');
    toast(errorText(err), 'error');
  }
}

function selectTab(state) {
  if (state === modState) return;
  modState = state;
  modItems = [];
  modMore = false;
  renderMod();
  loadMod();
}

for (const tab of document.querySelectorAll('.madm-tabs [role="tab"]')) {
  tab.addEventListener('click', () => selectTab(tab.dataset.state));
  tab.addEventListener('keydown', (ev) => {
    const tabs = [...document.querySelectorAll('.madm-tabs [role="tab"]')];
    const i = tabs.indexOf(tab);
    let j = null;
    if (ev.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (ev.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = tabs.length - 1;
    if (j === null) return;
    ev.preventDefault();
    tabs[j].focus();
    selectTab(tabs[j].dataset.state);
  });
}

$id('mod-more').addEventListener('click', () => loadMod(true));
$id('mod-refresh').addEventListener('click', () => {
  loadMod();
  refreshPending();
});

let liveTimer = null;
function onEvent(ev) {
  if (!ev || typeof ev !== 'object') return;
  const message = ev.type === 'message_approved' || ev.type === 'message_hidden' ||
    (ev.type === 'tribute' && ev.tribute?.kind === 'message');
  if (!message) return;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    loadMod();
    refreshPending();
  }, 300);
}

// ---------- details ----------

const dForm = $id('details-form');
const dTitle = $id('d-title');
const dSlug = $id('d-slug');
const dBio = $id('d-bio');
const dAlias = $id('d-alias');
const ALIAS_MAX = 100;

function fillDetails() {
  const m = page.memorial;
  dTitle.value = m.title ?? '';
  dSlug.value = m.slug ?? '';
  dBio.value = m.biography ?? '';
  dAlias.value = m.search_alias ?? '';
  for (const r of dForm.querySelectorAll('input[name="visibility"]')) r.checked = r.value === m.visibility;
  for (const r of dForm.querySelectorAll('input[name="moderation"]')) r.checked = r.value === m.moderation;
  renderBioCount();
}

function renderBioCount() {
  $id('d-bio-hint').textContent = t('madm.bio_count', { n: formatNumber(charLength(dBio.value)), max: formatNumber(BIO_MAX) });
}

dBio.addEventListener('input', renderBioCount);
clearOnInput(dForm);

const FIELD_INPUTS = { title: dTitle, slug: dSlug, biography: dBio, search_alias: dAlias };

dForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(dForm);
  const m = page.memorial;
  const title = dTitle.value.trim();
  const slug = dSlug.value.trim().toLowerCase();
  const biography = dBio.value.replace(/\r\n?/g, '\n').trim();
  const alias = dAlias.value.trim();
  const visibility = dForm.querySelector('input[name="visibility"]:checked')?.value ?? m.visibility;
  const moderation = dForm.querySelector('input[name="moderation"]:checked')?.value ?? m.moderation;
  if (!title) setFieldError(dTitle, 'madm.title_required');
  else if (charLength(title) > TITLE_MAX) setFieldError(dTitle, 'madm.too_long', { max: TITLE_MAX });
  if (!SLUG_RE.test(slug)) setFieldError(dSlug, 'madm.slug_invalid');
  if (charLength(biography) > BIO_MAX) setFieldError(dBio, 'madm.too_long', { max: BIO_MAX });
  if (charLength(alias) > ALIAS_MAX) setFieldError(dAlias, 'madm.too_long', { max: ALIAS_MAX });
  if (focusFirstInvalid(dForm)) return;

  const patch = {};
  if (title !== m.title) patch.title = title;
  if (slug !== m.slug) patch.slug = slug;
  if (biography !== (m.biography ?? '').trim()) patch.biography = biography;
  if (visibility !== m.visibility) patch.visibility = visibility;
  if (moderation !== m.moderation) patch.moderation = moderation;
  if (alias !== (m.search_alias ?? '')) patch.search_alias = alias;
  if (!Object.keys(patch).length) {
    toast(t('madm.nothing_changed'), 'info');
    return;
  }
  if (patch.slug && !(await confirmDialog('madm.slug_confirm_title', 'madm.slug_confirm_body', 'madm.slug_confirm_ok'))) {
    return;
  }
  setBusy(dForm, true);
  try {
    const r = await api('PATCH', path(), patch);
    // the answer has no editor-only fields (search_alias, the upload limit)
    page = { ...page, memorial: { ...page.memorial, ...r.memorial, search_alias: alias, max_upload_bytes: page.memorial.max_upload_bytes } };
    fillDetails();
    renderHead();
    renderPending();
    renderQr();
    toast(t('madm.saved'), 'ok');
  } catch (err) {
    const input = err instanceof ApiError ? FIELD_INPUTS[err.field] : null;
    if (err instanceof ApiError && err.status === 409 && err.field === 'slug') {
      setFieldError(dSlug, 'madm.slug_taken');
      dSlug.focus();
    } else if (input && err.code === 'invalid') {
      setFieldError(input, null, {}, err.message);
      input.focus();
    } else {
      setFormApiError(dForm, err);
    }
  } finally {
    setBusy(dForm, false);
  }
});

// ---------- portrait ----------

const pFile = $id('p-file');
const pError = $id('p-error');

function renderPortrait() {
  const url = page.memorial.portrait_url;
  const img = $id('p-img');
  if (url) {
    if (img.getAttribute('src') !== url) img.src = url;
    img.alt = t('mem.portrait_alt', { name: page.deceased?.name ?? '' });
  } else {
    img.removeAttribute('src');
  }
  img.hidden = !url;
  $id('p-empty').hidden = !!url;
  $id('p-empty').textContent = [...(page.deceased?.name ?? '').trim()][0] ?? '';
  $id('p-remove').hidden = !url;
  bindText($id('p-file-label'), url ? 'madm.portrait_change' : 'madm.portrait_choose');
}

function showPortraitError(key, vars = {}) {
  bindText(pError, key, vars);
  pError.hidden = false;
}

pFile.addEventListener('change', async () => {
  const file = pFile.files?.[0];
  pError.hidden = true;
  if (!file) return;
  if (!TYPES.includes(file.type)) {
    showPortraitError('madm.err_type');
    pFile.value = '';
    return;
  }
  const label = pFile.closest('label');
  label.setAttribute('aria-busy', 'true');
  pFile.disabled = true;
  try {
    const small = await shrinkImage(file, { maxBytes: page.memorial.max_upload_bytes ?? Infinity })
      .catch((e) => { throw e instanceof ShrinkError ? new ApiError(413, 'too_large', e.message) : e; });
    const r = await upload('PUT', path('/portrait'), small);
    page.memorial = { ...page.memorial, portrait_url: r?.portrait_url ?? null };
    renderPortrait();
    toast(t('madm.portrait_done'), 'ok');
  } catch (err) {
    const { key, vars } = uploadProblem(err);
    showPortraitError(key, vars);
  } finally {
    pFile.disabled = false;
    pFile.value = '';
    label.removeAttribute('aria-busy');
  }
});

$id('p-remove').addEventListener('click', async () => {
  if (!(await confirmDialog('madm.portrait_remove_title', 'madm.portrait_remove_body', 'madm.portrait_remove'))) return;
  try {
    await api('DELETE', path('/portrait'));
    page.memorial = { ...page.memorial, portrait_url: null };
    renderPortrait();
    toast(t('madm.portrait_removed'), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  }
});

// ---------- photos ----------
//
// Each photo has its own caption: given for each chosen file before the
// upload, and edited in place in the gallery (PATCH .../photos/{pid}).
// Files are made smaller in the browser first (shrink.js), so a phone's
// large picture is neither refused after a long upload nor slow to send.

const phForm = $id('ph-form');
const phFile = $id('ph-file');
const phItems = $id('ph-items');
let chosenUrls = [];

async function saveCaption(p, input, btn) {
  const caption = input.value.trim();
  if (charLength(caption) > CAPTION_MAX) {
    toast(t('madm.too_long', { max: CAPTION_MAX }), 'error');
    input.focus();
    return;
  }
  btn.disabled = true;
  try {
    await api('PATCH', path(`/photos/${encodeURIComponent(p.id)}`), { caption });
    p.caption = caption;
    input.defaultValue = caption;
    btn.hidden = true;
    toast(t('madm.caption_saved'), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  } finally {
    btn.disabled = false;
  }
}

function photoItem(p, i) {
  const input = h('input', {
    class: 'input madm-photo-caption',
    type: 'text',
    maxlength: String(CAPTION_MAX),
    value: p.caption || '',
    'aria-label': t('madm.caption_of', { n: i + 1 }),
    placeholder: t('madm.photo_caption_placeholder'),
  });
  const save = h('button', {
    type: 'button', class: 'btn btn-secondary btn-sm', 'data-action': 'save-caption', hidden: true,
  }, t('madm.caption_save'));
  input.addEventListener('input', () => { save.hidden = input.value === input.defaultValue; });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      if (!save.hidden) saveCaption(p, input, save);
    }
  });
  save.addEventListener('click', () => saveCaption(p, input, save));
  return h('li', { class: 'madm-photo', 'data-id': p.id },
    h('img', { src: p.url, alt: p.caption || t('madm.photo_n', { n: i + 1 }), loading: 'lazy', decoding: 'async' }),
    h('div', { class: 'madm-photo-foot' },
      input,
      h('div', { class: 'btn-row' },
        save,
        h('button', {
          type: 'button',
          class: 'btn btn-quiet btn-sm',
          'data-action': 'delete-photo',
          'aria-label': t('madm.photo_delete_label', { caption: p.caption || `#${i + 1}` }),
          onclick: () => deletePhoto(p),
        }, t('madm.photo_delete')))));
}

function renderPhotos() {
  const photos = Array.isArray(page.photos) ? page.photos : [];
  replace($id('ph-list'), photos.map(photoItem));
  $id('ph-count').textContent = photos.length
    ? t('madm.photo_count', { n: photos.length, count: formatNumber(photos.length) })
    : t('madm.photo_none');
}

async function deletePhoto(p) {
  if (!(await confirmDialog('madm.photo_delete_title', 'madm.photo_delete_body', 'madm.photo_delete'))) return;
  try {
    await api('DELETE', path(`/photos/${encodeURIComponent(p.id)}`));
    page.photos = page.photos.filter((x) => x.id !== p.id);
    renderPhotos();
    toast(t('madm.photo_deleted'), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

clearOnInput(phForm);

/** The chosen files, each with a preview and its own caption field. */
function renderChosen() {
  const files = [...(phFile.files ?? [])];
  const el = $id('ph-file-chosen');
  if (!files.length) bindText(el, 'madm.photo_chosen_none');
  else bindText(el, 'madm.photo_chosen', { n: files.length });
  for (const u of chosenUrls) URL.revokeObjectURL(u);
  chosenUrls = files.map((f) => URL.createObjectURL(f));
  replace(phItems, files.map((f, i) => h('li', { class: 'madm-chosen-item' },
    h('img', { src: chosenUrls[i], alt: '', width: 64, height: 64 }),
    h('div', { class: 'field' },
      h('label', { for: `ph-cap-${i}` }, t('madm.caption_for', { name: f.name })),
      h('input', {
        class: 'input', id: `ph-cap-${i}`, type: 'text', maxlength: String(CAPTION_MAX),
        'data-caption': i, placeholder: t('madm.photo_caption_placeholder'),
      })))));
}

phFile.addEventListener('change', () => {
  clearFieldError(phFile);
  renderChosen();
});

/** Send one file, made smaller first when it is large. */
async function sendPhoto(file, caption) {
  let body;
  try {
    body = await shrinkImage(file, { maxBytes: page.memorial.max_upload_bytes ?? Infinity });
  } catch (err) {
    if (err instanceof ShrinkError) throw new ApiError(413, 'too_large', err.message);
    throw err;
  }
  const q = caption ? `?caption=${encodeURIComponent(caption)}` : '';
  return upload('POST', path(`/photos${q}`), body);
}

phForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(phForm);
  const files = [...(phFile.files ?? [])];
  const captions = files.map((f, i) => phItems.querySelector(`[data-caption="${i}"]`)?.value.trim() ?? '');
  if (!files.length) setFieldError(phFile, 'madm.photo_pick');
  else if (files.some((f) => !TYPES.includes(f.type))) setFieldError(phFile, 'madm.err_type');
  const long = captions.findIndex((c) => charLength(c) > CAPTION_MAX);
  if (long >= 0) setFieldError($id(`ph-cap-${long}`), 'madm.too_long', { max: CAPTION_MAX });
  if (focusFirstInvalid(phForm)) return;

  const progress = $id('ph-progress');
  setBusy(phForm, true);
  phFile.disabled = true;
  let done = 0;
  try {
    for (const [i, file] of files.entries()) {
      bindText(progress, 'madm.photo_progress', { i: done + 1, n: files.length });
      const r = await sendPhoto(file, captions[i]);
      if (r?.photo) page.photos = [...(page.photos ?? []), r.photo];
      done += 1;
      renderPhotos();
    }
    phForm.reset();
    renderChosen();
    toast(t('madm.photo_done', { n: done }), 'ok');
  } catch (err) {
    const { key, vars } = uploadProblem(err);
    const name = files[done]?.name ?? '';
    setFormError(phForm, 'madm.photo_failed', { name, reason: t(key, vars), n: done });
  } finally {
    bindText(progress, null, {}, '');
    phFile.disabled = false;
    setBusy(phForm, false);
  }
});

// ---------- family ----------

const famForm = $id('fam-form');
const famUser = $id('fam-user');

function famItem(f) {
  const self = user && Number(user.id) === Number(f.user_id);
  return h('li', { class: 'madm-family-item', 'data-user': f.user_id, 'data-role': f.role },
    h('span', { class: 'avatar madm-avatar', 'aria-hidden': 'true' }, [...(f.display_name || '·').trim()][0] ?? '·'),
    h('span', { class: 'madm-family-who' },
      h('span', { class: 'list-title' }, f.display_name || `#${f.user_id}`,
        self ? h('span', { class: 'meta' }, ` ${t('madm.family_you')}`) : null),
      h('span', { class: 'meta' }, `${t(`role.${f.role}`)} · ${t('madm.family_id', { id: f.user_id })}`)),
    h('button', {
      type: 'button',
      class: 'btn btn-quiet btn-sm',
      'data-action': 'remove-member',
      'aria-label': t('madm.family_remove_label', { name: f.display_name || `#${f.user_id}` }),
      onclick: () => removeMember(f, self),
    }, t('madm.family_remove')));
}

function renderFamily() {
  replace($id('fam-list'), family.length
    ? family.map(famItem)
    : [h('li', { class: 'meta' }, t('madm.family_none'))]);
}

async function loadFamily() {
  try {
    const r = await api('GET', path('/family'));
    family = Array.isArray(r?.family) ? r.family : [];
    renderFamily();
  } catch (err) {
    replace($id('fam-list'), h('li', { class: 'meta' }, errorText(err)));
  }
}

async function removeMember(f, self) {
  const vars = { name: f.display_name || `#${f.user_id}`, role: t(`role.${f.role}`) };
  const body = self && f.role === 'family_admin' ? 'madm.family_remove_self' : 'madm.family_remove_body';
  if (!(await confirmDialog('madm.family_remove_title', body, 'madm.family_remove', vars))) return;
  try {
    const r = await api('DELETE', path(`/family/${encodeURIComponent(f.user_id)}?role=${encodeURIComponent(f.role)}`));
    family = Array.isArray(r?.family) ? r.family : family.filter((x) => x !== f);
    renderFamily();
    toast(t('madm.family_removed', vars), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

clearOnInput(famForm);

function inviteItem(inv) {
  const state = inv.state;
  return h('li', { class: 'madm-family-item', 'data-invitation': inv.id, 'data-state': state },
    h('span', { class: 'madm-family-who' },
      h('span', { class: 'list-title mono' }, inv.login),
      h('span', { class: 'meta' },
        `${t(`role.${inv.role}`)} · ${t(`madm.invite_state_${state}`)} · ${formatDateTime(inv.created_at)}`)),
    state === 'pending'
      ? h('button', {
        type: 'button',
        class: 'btn btn-quiet btn-sm',
        'data-action': 'revoke-invitation',
        'aria-label': t('madm.invite_revoke_label', { login: inv.login }),
        onclick: () => revokeInvite(inv),
      }, t('madm.invite_revoke'))
      : null);
}

async function loadInvites() {
  try {
    const r = await api('GET', path('/invitations'));
    invites = Array.isArray(r?.invitations) ? r.invitations : [];
  } catch (err) {
    replace($id('inv-list'), h('li', { class: 'meta' }, errorText(err)));
    return;
  }
  renderInvites();
}

function renderInvites() {
  $id('inv-block').hidden = invites.length === 0;
  replace($id('inv-list'), invites.map(inviteItem));
}

async function revokeInvite(inv) {
  try {
    await api('DELETE', path(`/invitations/${encodeURIComponent(inv.id)}`));
    toast(t('madm.invite_revoked', { login: inv.login }), 'ok');
    await loadInvites();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

famForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(famForm);
  const raw = famUser.value.trim();
  const role = $id('fam-role').value;
  // a mobile number or an e-mail address: the person accepts the invitation
  const ok = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw) || /^(\+86)?[\s-]*1\d{2}[\s-]*\d{4}[\s-]*\d{4}$/.test(raw);
  if (!ok) setFieldError(famUser, 'madm.family_user_invalid');
  if (focusFirstInvalid(famForm)) return;
  setBusy(famForm, true);
  try {
    const r = await api('POST', path('/family'), { login: raw, role });
    famForm.reset();
    toast(t('madm.invite_sent', { login: r?.invitation?.login ?? raw, role: t(`role.${role}`) }), 'ok');
    await loadInvites();
  } catch (err) {
    setFormApiError(famForm, err);
  } finally {
    setBusy(famForm, false);
  }
});

// ---------- QR ----------

function renderQr() {
  const src = path('/qr.svg');
  const img = $id('qr-img');
  if (img.getAttribute('src') !== src) img.src = src;
  img.alt = t('mem.qr_alt');
  const dl = $id('qr-download');
  dl.href = src;
  dl.setAttribute('download', `memorial-${page.memorial.slug}-qr.svg`);
  $id('qr-url').textContent = new URL(memorialUrl(), location.origin).href;
}

// ---------- start ----------

function renderAll() {
  renderHead();
  renderPending();
  renderMod();
  renderBioCount();
  renderPortrait();
  renderPhotos();
  renderFamily();
  renderQr();
}

async function start() {
  if (!id || !/^\d+$/.test(id)) {
    fail('not_found');
    return;
  }
  try {
    page = editorPage(await api('GET', path()));
  } catch (err) {
    const s = err instanceof ApiError ? err.status : 0;
    page = null;
    fail(s === 401 ? 'signin' : s === 403 ? 'forbidden' : s === 404 ? 'not_found' : 'load_error', err);
    return;
  }
  const v = page.viewer ?? {};
  if (!v.signed_in) {
    fail('signin');
    return;
  }
  if (!(v.can_edit || v.can_moderate || v.can_grant)) {
    fail('forbidden');
    return;
  }
  $id('moderation').hidden = !v.can_moderate;
  $id('details').hidden = !v.can_edit;
  $id('pictures').hidden = !v.can_edit;
  $id('family').hidden = !v.can_grant;
  fillDetails();
  renderAll();
  mainEl.dataset.state = 'ready';
  $id('madm-loading').hidden = true;
  $id('madm-error').hidden = true;
  $id('madm').hidden = false;
  if (v.can_moderate) {
    loadMod();
    if (!unfollow) unfollow = subscribe(`memorial:${page.memorial.id}`, onEvent, { onError: () => { unfollow = null; } });
  }
  if (v.can_grant) {
    loadFamily();
    loadInvites();
  }
  // the page's other cards (ceremonies-admin.js) ask only once the rights are known
  document.dispatchEvent(new CustomEvent('madm:ready', { detail: v }));
}

onLangChange(() => {
  if (mainEl.dataset.state !== 'ready') return;
  renderAll();
});

// Coming back to the tab: messages may have arrived meanwhile.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && mainEl.dataset.state === 'ready' && can('can_moderate')) {
    loadMod();
    refreshPending();
  }
});

mountLayout().then((u) => {
  user = u && !u.pending ? u : null;
  if (mainEl.dataset.state === 'ready') {
    renderFamily();
    renderInvites();
  }
});
start().catch((err) => fail('load_error', err));

