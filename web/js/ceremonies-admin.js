// ceremonies-admin.js — on /memorial-admin.html?id=N, the farewell
// ceremonies linked to the memorial, for its family (GET
// /api/memorials/{id}/ceremonies, the memorial's moderators): each with its
// state and time, the page to watch or replay it, and once ended the
// recording to download and the condolences to print. The card shows only
// when the family has ceremonies to see.
import { api } from './api.js';
import { formatDateTime, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';

const section = document.getElementById('ceremonies');
const id = param('id');
let ceremonies = [];

function item(c) {
  const ended = c.state === 'ended';
  const page = `/c/${encodeURIComponent(c.id)}`;
  return h('li', { class: 'list-row', 'data-ceremony': c.id, 'data-state': c.state },
    h('span', {},
      h('span', { class: 'list-title' }, c.title),
      h('span', { class: 'meta text-sm' },
        ` ${t(`op.state_${c.state}`)} · ${formatDateTime(c.started_at || c.scheduled_start)}`)),
    h('span', { class: 'btn-row' },
      h('a', { class: 'btn btn-quiet btn-sm', href: page },
        t(ended ? 'madm.cer_replay' : 'madm.cer_watch')),
      ended && c.has_recording
        ? h('a', { class: 'btn btn-secondary btn-sm', 'data-download': c.id, download: true,
          href: `/api/ceremonies/${encodeURIComponent(c.id)}/recording?download=1` }, t('cer.keep_download'))
        : null,
      ended ? h('a', { class: 'btn btn-quiet btn-sm', href: `${page}/condolences` }, t('cer.keep_print')) : null));
}

function render() {
  replace(document.getElementById('cer-list'), ceremonies.map(item));
  section.hidden = ceremonies.length === 0;
  document.getElementById('toc-ceremonies').hidden = ceremonies.length === 0;
}

if (id && /^\d+$/.test(id)) {
  api('GET', `/api/memorials/${id}/ceremonies`).then((r) => {
    ceremonies = r?.ceremonies ?? [];
    render();
  }, () => { /* not the family's: the card stays hidden */ });
  onLangChange(render);
}
