// account-complaints.js — on /account.html, the complaints the signed-in
// person sent (GET /api/me/complaints), each with its state and a link to
// read it and its answer (complaint.html). Hidden when there are none.
import { api, me } from './api.js';
import { formatDateTime, onLangChange, t } from './i18n.js';
import { h, replace } from './dom.js';

const section = document.getElementById('my-complaints');
let list = [];

function render() {
  section.hidden = list.length === 0;
  replace(section.querySelector('ul'), list.map((c) => h('li', { 'data-complaint': c.id },
    h('a', { href: `/complaint.html?id=${c.id}` },
      h('span', {}, c.org.name),
      h('span', { class: 'meta' }, ` · ${t(c.state === 'answered' ? 'cp.state_answered' : 'cp.state_open')}`
        + ` · ${formatDateTime(c.created_at)}`)))));
}

async function load() {
  if (!(await me().catch(() => null))) return;
  list = (await api('GET', '/api/me/complaints')).complaints ?? [];
  render();
}

onLangChange(render);
load().catch(() => { /* the page reports its own errors */ });
