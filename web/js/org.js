// org.js — /org.html?agency=ID or ?cemetery=ID: the public service page of
// a funeral home or a cemetery, as the national action plan asks. From
// GET /api/{agencies|cemeteries}/{id}/public: the fee list, the service
// commitments and how it is supervised, the eco-burial options (free tree
// and sea plots) and any subsidy, the mean of its ratings. Under them a
// complaint form: POST …/complaints {text, contact?} answers with the link
// where the sender reads the answer (complaint.html); it is shown once.
import { mountLayout } from './layout.js';
import { ApiError, api } from './api.js';
import { bindText, formatNumber, onLangChange, t } from './i18n.js';
import { h, param, replace } from './dom.js';
import { clearErrors, clearOnInput, setBusy, setFieldError, setFormApiError } from './forms.js';
import { money } from './visitlib.js';

const $ = (id) => document.getElementById(id);
const kind = param('cemetery') ? 'cemetery' : 'agency';
const id = param(kind);
const base = `/api/${kind === 'cemetery' ? 'cemeteries' : 'agencies'}/${encodeURIComponent(id ?? '')}`;
let page = null;

function show(which) {
  for (const x of ['o-loading', 'o-error', 'o-page']) $(x).hidden = x !== which;
}

function text(el, value, emptyKey) {
  if (value) {
    el.textContent = value;
    el.classList.remove('meta');
  } else {
    bindText(el, emptyKey);
    el.classList.add('meta');
  }
}

function render() {
  if (!page) return;
  const o = page.org;
  document.title = t('org.title_of', { name: o.name });
  $('o-name').textContent = o.name;
  $('o-contact').textContent = [o.address, o.phone].filter(Boolean).join(' · ');
  const r = page.rating;
  $('o-rating').textContent = r.count
    ? t('org.rating', { avg: formatNumber(r.average), n: r.count })
    : t('org.rating_none');
  replace($('o-fees'), page.services.map((s) => h('li', { class: 'fee' },
    h('span', {}, h('strong', {}, s.name), s.description ? h('span', { class: 'meta' }, ` · ${s.description}`) : null),
    h('span', { class: 'fee-price' }, `${money(s.price_cents)}${s.unit ? ` / ${s.unit}` : ''}`))));
  $('o-fees-empty').hidden = page.services.length > 0;
  text($('o-commitments'), page.public.commitments, 'org.not_published');
  text($('o-supervision'), page.public.supervision, 'org.not_published');
  text($('o-eco'), page.public.eco_burial, 'org.not_published');
  text($('o-subsidy'), page.public.subsidy, 'org.no_subsidy');
  replace($('o-eco-kinds'), page.eco_kinds.map((e) => h('li', {},
    t('org.eco_free', { kind: t(`org.kind_${e.kind}`), n: e.free }))));
  $('o-eco-card').hidden = kind === 'agency' && !page.public.eco_burial && !page.public.subsidy;
}

async function load() {
  show('o-loading');
  try {
    if (!id || !/^\d+$/.test(id)) throw new ApiError(404, 'not_found', '');
    page = await api('GET', `${base}/public`);
    show('o-page');
    render();
  } catch (err) {
    show('o-error');
    bindText($('o-error-text'), err instanceof ApiError && err.status === 404 ? 'org.not_found' : 'error.unknown');
  }
}

function wireComplaint() {
  const form = $('complaint-form');
  clearOnInput(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { text: $('c-text').value.trim() };
    if (!body.text) {
      setFieldError($('c-text'), 'org.v_text');
      $('c-text').focus();
      return;
    }
    if ($('c-contact').value.trim()) body.contact = $('c-contact').value.trim();
    setBusy(form, true);
    try {
      const r = await api('POST', `${base}/complaints`, body);
      const link = $('c-link');
      link.href = r.link;
      link.textContent = new URL(r.link, location.origin).href;
      form.hidden = true;
      $('c-sent').hidden = false;
      $('c-sent').focus();
    } catch (err) {
      setFormApiError(form, err);
    } finally {
      setBusy(form, false);
    }
  });
}

onLangChange(render);
mountLayout();
wireComplaint();
load();
