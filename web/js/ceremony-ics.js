// ceremony-ics.js — "Add to calendar" on the player page /c/{id}: while a
// ceremony is still to come, a link to its iCalendar file
// (/api/ceremonies/{id}/calendar.ics, with the page's invitation), which
// phones offer to add with its two reminders.
import { api } from './api.js';
import { lang, onLangChange } from './i18n.js';
import { param } from './dom.js';

const row = document.getElementById('cer-ics-row');
const link = document.getElementById('cer-ics');
const m = /^\/c\/(\d+)\/?$/.exec(location.pathname);
const id = m ? m[1] : param('id');
const invite = param('invite');

function href() {
  const q = new URLSearchParams({ lang: lang() });
  if (invite) q.set('invite', invite);
  return `/api/ceremonies/${id}/calendar.ics?${q}`;
}

if (id && /^\d+$/.test(id)) {
  const q = invite ? `?invite=${encodeURIComponent(invite)}` : '';
  api('GET', `/api/ceremonies/${id}${q}`).then((c) => {
    link.href = href();
    row.hidden = c.state !== 'scheduled';
  }, () => { /* the player reports its own errors */ });
  onLangChange(() => { link.href = href(); });
}
