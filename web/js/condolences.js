// condolences.js — /c/{id}/condolences[?invite=TOKEN]: every published
// condolence of a ceremony on one printable page (the print dialog also
// saves it as a PDF), with the ceremony's title, the deceased and the time;
// for the family and the funeral home, the recording to download too.
//
// <main data-state> is loading | ready | error.
import { mountLayout } from './layout.js';
import { api, ApiError, errorText } from './api.js';
import { bindText, formatDateTime, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';
import { whenText } from './ceremony-time.js';

const MAX = 1000;
const $ = (x) => document.getElementById(x);
const id = (/^\/c\/(\d+)\/condolences\/?$/.exec(location.pathname) ?? [])[1] ?? param('id');
const invite = param('invite');
const iq = invite ? `invite=${encodeURIComponent(invite)}` : '';

let cer = null;
let data = null;

function render() {
  if (!cer || !data) return;
  document.title = t('cp.page_title', { title: cer.title });
  $('cp-agency').textContent = cer.agency_name ?? '';
  $('cp-title').textContent = cer.title;
  $('cp-deceased').textContent = t('cer.deceased', { name: cer.deceased_name });
  $('cp-when').textContent = whenText(cer);
  const list = data.messages ?? [];
  bindText($('cp-count'), 'cp.count', { n: list.length, count: list.length });
  $('cp-empty').hidden = list.length > 0;
  replace($('cp-list'), list.map((m) => h('li', { class: 'cp-item' },
    h('p', { class: 'cp-text' }, m.text),
    h('p', { class: 'cp-from' },
      h('span', { class: 'cp-name' }, m.from_name), ' · ',
      h('time', { datetime: m.created_at }, formatDateTime(m.created_at))))));
  const dl = $('cp-download');
  dl.hidden = !(data.can_moderate && cer.has_recording);
  dl.href = `/api/ceremonies/${encodeURIComponent(id)}/recording?download=1`;
  $('cp-back').href = `/c/${encodeURIComponent(id)}${iq ? `?${iq}` : ''}`;
}

async function load() {
  try {
    if (!id) throw new ApiError(404, 'not_found', '');
    const enc = encodeURIComponent(id);
    [cer, data] = await Promise.all([
      api('GET', `/api/ceremonies/${enc}${iq ? `?${iq}` : ''}`),
      api('GET', `/api/ceremonies/${enc}/condolences?limit=${MAX}${iq ? `&${iq}` : ''}`),
    ]);
    render();
    $('cp-doc').hidden = false;
    $('main').dataset.state = 'ready';
  } catch (err) {
    $('main').dataset.state = 'error';
    $('cp-error').hidden = false;
    $('cp-error-text').textContent = errorText(err);
  }
}

$('cp-print').addEventListener('click', () => window.print());
onLangChange(render);
mountLayout();
load();
