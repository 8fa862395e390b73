// ceremony-cond.js — the condolences of the player page /c/{id}: the form,
// the list everyone watching sees live, and, for the keepers (the funeral
// home and the family of the ceremony's memorial), the messages waiting
// for them, a "hide" on each shown message, and after the end the
// recording to download and the condolences to print.
//
//   const cond = mountCondolences({ id, invite });
//   cond.onEvent(ev)       // events of ceremony:{id}: condolence, condolence_hidden
//   cond.load()            // read the list again (after a reconnect)
//   cond.setCeremony(cer)  // the ceremony as last read (state, recording)
//
// Messages follow the memorial's moderation: with "hold" a message waits
// (pending) until a keeper publishes it; its writer sees a note until then.
// Keepers follow condolences:{id} for the pending ones, live.
import { toast } from './layout.js';
import { api, ApiError, errorText } from './api.js';
import { bindText, formatDateTime, formatTime, onLangChange, t } from './i18n.js';
import { subscribe } from './live.js';
import { h, replace } from './dom.js';
import {
  charLength, clearErrors, clearOnInput, focusFirstInvalid, setBusy, setFieldError,
  setFormApiError, setFormError,
} from './forms.js';

const FROM_MAX = 40;
const TEXT_MAX = 300;
const NAME_KEY = 'sinian.cond_name';

const $ = (x) => document.getElementById(x);

function messageTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toDateString() === new Date().toDateString() ? formatTime(d) : formatDateTime(d);
}

export function mountCondolences({ id, invite }) {
  const base = `/api/ceremonies/${encodeURIComponent(id)}/condolences`;
  const inviteQuery = invite ? `invite=${encodeURIComponent(invite)}` : '';
  const q = (extra = '') => {
    const parts = [extra, inviteQuery].filter(Boolean).join('&');
    return parts ? `?${parts}` : '';
  };
  const form = $('cond-form');
  const fromEl = $('from_name');
  const textEl = $('text');
  const list = $('cond-list');
  const modList = $('cond-mod-list');
  const messages = new Map(); // shown: id -> message
  const pending = new Map();  // keepers: waiting ones
  const mine = new Set();     // this visitor's messages still waiting
  let keeper = false;
  let held = false;
  let cer = null;
  let unfollowMod = null;

  // ---------- the shown list ----------

  function hideButton(m) {
    return h('button', {
      type: 'button', class: 'btn btn-quiet btn-sm cond-act', 'data-action': 'hide',
      onclick: () => moderate(m, 'hidden'),
    }, t('cer.mod_hide'));
  }

  function item(m, fresh, actions = null) {
    return h('li', { class: `cond-item${fresh ? ' is-new' : ''}`, 'data-id': m.id },
      h('div', { class: 'cond-item-head' },
        h('span', { class: 'cond-item-name' }, m.from_name),
        h('time', { class: 'cond-item-time', datetime: m.created_at }, messageTime(m.created_at))),
      h('p', { class: 'cond-item-text' }, m.text),
      actions ? h('div', { class: 'btn-row cond-actions' }, ...actions) : null);
  }

  function renderList() {
    const shown = [...messages.values()].sort((a, b) => b.id - a.id);
    replace(list, shown.map((m) => item(m, false, keeper ? [hideButton(m)] : null)));
    $('cond-empty').hidden = shown.length > 0;
  }

  function add(m, fresh) {
    if (!m || (m.state && m.state !== 'published') || messages.has(m.id)) return;
    messages.set(m.id, m);
    list.prepend(item(m, fresh, keeper ? [hideButton(m)] : null));
    $('cond-empty').hidden = true;
    pending.delete(m.id);
    renderPending();
    if (mine.delete(m.id) && !mine.size) $('cond-waiting').hidden = true;
  }

  function remove(mid) {
    messages.delete(mid);
    list.querySelector(`[data-id="${mid}"]`)?.remove();
    $('cond-empty').hidden = messages.size > 0;
  }

  // ---------- keepers ----------

  function renderPending() {
    const waiting = [...pending.values()].sort((a, b) => a.id - b.id);
    $('cond-mod').hidden = !keeper;
    $('cond-mod-empty').hidden = waiting.length > 0;
    bindText($('cond-mod-count'), 'cer.mod_count', { n: waiting.length, count: waiting.length });
    replace(modList, waiting.map((m) => item(m, false, [
      h('button', {
        type: 'button', class: 'btn btn-primary btn-sm cond-act', 'data-action': 'publish',
        onclick: () => moderate(m, 'published'),
      }, t('cer.mod_publish')),
      hideButton(m),
    ])));
  }

  async function moderate(m, state) {
    try {
      const r = await api('PATCH', `${base}/${encodeURIComponent(m.id)}`, { state });
      pending.delete(m.id);
      if (r.state === 'published') add(r, true);
      else remove(r.id);
      renderPending();
      toast(t(state === 'published' ? 'cer.mod_published' : 'cer.mod_hidden'), 'ok');
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  function onModEvent(ev) {
    const m = ev?.message;
    if (!m) return;
    if (ev.type === 'condolence_pending') pending.set(m.id, m);
    else if (ev.type === 'condolence_state') pending.delete(m.id);
    renderPending();
  }

  async function loadPending() {
    const r = await api('GET', `${base}${q('state=pending')}`);
    pending.clear();
    for (const m of r?.messages ?? []) pending.set(m.id, m);
    renderPending();
  }

  function becomeKeeper() {
    if (keeper) return;
    keeper = true;
    renderList();
    unfollowMod = subscribe(`condolences:${id}`, onModEvent, {
      onError: () => { unfollowMod = null; },
    });
    loadPending().catch(() => {});
  }

  function renderKeep() {
    const ended = cer?.state === 'ended';
    $('cer-keep').hidden = !keeper || !ended;
    const rec = $('keep-recording');
    rec.hidden = !cer?.has_recording;
    rec.href = `/api/ceremonies/${encodeURIComponent(id)}/recording?download=1`;
    $('keep-print').href = `/c/${encodeURIComponent(id)}/condolences${q()}`;
  }

  function renderLead() {
    bindText($('cond-lead'), held ? 'cer.cond_lead_hold' : 'cer.cond_lead');
  }

  // ---------- reading ----------

  async function load() {
    try {
      const r = await api('GET', `${base}${q()}`);
      held = r?.moderation === 'hold';
      renderLead();
      for (const m of Array.isArray(r?.messages) ? r.messages : []) {
        if (!messages.has(m.id)) messages.set(m.id, m);
        if (mine.delete(m.id) && !mine.size) $('cond-waiting').hidden = true;
      }
      if (r?.can_moderate) becomeKeeper();
      else renderList();
      if (keeper) await loadPending();
      renderKeep();
    } catch {
      /* the list stays as it is; live events still add to it */
    }
  }

  // ---------- writing ----------

  function renderCount() {
    $('text-hint').textContent = t('cer.cond_count', { n: charLength(textEl.value), max: TEXT_MAX });
  }

  async function submit(ev) {
    ev.preventDefault();
    clearErrors(form);
    const from = fromEl.value.trim();
    const text = textEl.value.trim();
    if (!from) setFieldError(fromEl, 'validate.name_required');
    else if (charLength(from) > FROM_MAX) setFieldError(fromEl, 'validate.name_too_long', { max: FROM_MAX });
    if (!text) setFieldError(textEl, 'cer.cond_text_required');
    else if (charLength(text) > TEXT_MAX) setFieldError(textEl, 'cer.cond_text_too_long', { max: TEXT_MAX });
    if (focusFirstInvalid(form)) return;

    setBusy(form, true);
    try {
      const m = await api('POST', `${base}${q()}`, { from_name: from, text });
      textEl.value = '';
      renderCount();
      try {
        localStorage.setItem(NAME_KEY, from);
      } catch { /* not remembered */ }
      if (m.state === 'pending') {
        mine.add(m.id);
        $('cond-waiting').hidden = false;
      } else {
        add(m, true);
        toast(t('cer.cond_sent'), 'ok');
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid' && (err.field === 'from_name' || err.field === 'text')) {
        const el = err.field === 'text' ? textEl : fromEl;
        setFieldError(el, null, {}, err.message);
        el.focus();
      } else if (err instanceof ApiError && err.status === 429) {
        setFormError(form, 'cer.cond_too_fast');
      } else {
        setFormApiError(form, err);
      }
    } finally {
      setBusy(form, false);
    }
  }

  clearOnInput(form);
  textEl.addEventListener('input', () => {
    renderCount();
    $('cond-waiting').hidden = !mine.size;
  });
  try {
    fromEl.value = localStorage.getItem(NAME_KEY) ?? '';
  } catch { /* storage blocked */ }
  form.addEventListener('submit', submit);
  onLangChange(() => {
    renderCount();
    renderList();
    renderPending();
  });
  renderCount();
  renderLead();

  return {
    load,
    onEvent(ev) {
      if (ev.type === 'condolence' && ev.message) add(ev.message, true);
      else if (ev.type === 'condolence_hidden') remove(Number(ev.id));
    },
    setCeremony(c) {
      cer = c;
      renderKeep();
    },
    stop() {
      unfollowMod?.();
      unfollowMod = null;
    },
  };
}
