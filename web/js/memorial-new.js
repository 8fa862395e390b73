// memorial-new.js — /memorial-new.html: a signed-in person creates a
// memorial for someone who has died. POST /api/memorials with the deceased
// inline ({name, death_date, gender?, birth_date?, native_place?}), the
// title, biography, visibility and moderation; the creator becomes its
// family admin; the page then goes to /m/{slug}.
//
// A memorial may not be created for a living person: the death date is
// required, not in the future, and not before the birth date. Signed out
// (no session mark, see api.js me()): a finished "please sign in" state.
import { mountLayout, toastNextPage } from './layout.js';
import { api, ApiError } from './api.js';
import { t, onLangChange } from './i18n.js';
import {
  charLength, clearErrors, clearOnInput, focusFirstInvalid, setBusy, setFieldError,
  setFormApiError, setFormError,
} from './forms.js';

const NAME_MAX = 64;
const PLACE_MAX = 100;
const TITLE_MAX = 100;
const BIO_MAX = 5000;

const $id = (x) => document.getElementById(x);
const mainEl = $id('main');
const form = $id('mnew-form');
const nameEl = $id('n-name');
const birthEl = $id('n-birth');
const deathEl = $id('n-death');
const placeEl = $id('n-place');
const titleEl = $id('n-title');
const bioEl = $id('n-bio');

/** Today in the visitor's calendar, YYYY-MM-DD. */
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function suggestedTitle() {
  const name = nameEl.value.trim();
  return name ? t('mnew.title_default', { name }) : '';
}

function renderTitlePlaceholder() {
  titleEl.placeholder = suggestedTitle() || t('mnew.title_placeholder');
}

function renderBioCount() {
  $id('n-bio-hint').textContent = t('madm.bio_count', { n: charLength(bioEl.value), max: BIO_MAX });
}

nameEl.addEventListener('input', renderTitlePlaceholder);
bioEl.addEventListener('input', renderBioCount);
clearOnInput(form);

const FIELDS = {
  'deceased.name': nameEl,
  'deceased.birth_date': birthEl,
  'deceased.death_date': deathEl,
  'deceased.native_place': placeEl,
  title: titleEl,
  biography: bioEl,
};

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const name = nameEl.value.trim();
  const birth = birthEl.value;
  const death = deathEl.value;
  const place = placeEl.value.trim();
  const title = titleEl.value.trim() || suggestedTitle();
  const biography = bioEl.value.replace(/\r\n?/g, '\n').trim();
  const now = today();

  if (!name) setFieldError(nameEl, 'mnew.name_required');
  else if (charLength(name) > NAME_MAX) setFieldError(nameEl, 'madm.too_long', { max: NAME_MAX });
  if (birth && !/^\d{4}-\d{2}-\d{2}$/.test(birth)) setFieldError(birthEl, 'mnew.date_invalid');
  else if (birth && birth > now) setFieldError(birthEl, 'mnew.birth_future');
  if (!death) setFieldError(deathEl, 'mnew.death_required');
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(death)) setFieldError(deathEl, 'mnew.date_invalid');
  else if (death > now) setFieldError(deathEl, 'mnew.death_future');
  else if (birth && birth > death) setFieldError(deathEl, 'mnew.death_before_birth');
  if (charLength(place) > PLACE_MAX) setFieldError(placeEl, 'madm.too_long', { max: PLACE_MAX });
  if (charLength(title) > TITLE_MAX) setFieldError(titleEl, 'madm.too_long', { max: TITLE_MAX });
  if (charLength(biography) > BIO_MAX) setFieldError(bioEl, 'madm.too_long', { max: BIO_MAX });
  if (focusFirstInvalid(form)) return;

  const deceased = { name, death_date: death };
  const gender = $id('n-gender').value;
  if (gender) deceased.gender = gender;
  if (birth) deceased.birth_date = birth;
  if (place) deceased.native_place = place;
  const body = {
    title,
    deceased,
    visibility: form.querySelector('input[name="visibility"]:checked')?.value ?? 'public',
    moderation: form.querySelector('input[name="moderation"]:checked')?.value ?? 'hold',
  };
  if (biography) body.biography = biography;

  setBusy(form, true);
  try {
    const r = await api('POST', '/api/memorials', body);
    const m = r?.memorial;
    toastNextPage('mnew.done', 'ok');
    location.assign(m?.url || `/m/${encodeURIComponent(m?.slug ?? '')}`);
  } catch (err) {
    setBusy(form, false);
    const input = err instanceof ApiError ? FIELDS[err.field] : null;
    if (err instanceof ApiError && err.status === 401) {
      showSignin();
    } else if (input && err.code === 'invalid') {
      // the server's own sentence, after the field name it starts with
      setFieldError(input, null, {}, err.message.replace(/^[a-z_.]+: /, ''));
      input.focus();
    } else if (err instanceof ApiError && err.status === 403) {
      setFormError(form, 'mnew.not_allowed');
    } else {
      setFormApiError(form, err);
    }
  }
});

function showSignin() {
  mainEl.dataset.state = 'signin';
  $id('mnew-loading').hidden = true;
  form.hidden = true;
  $id('mnew-signin').hidden = false;
}

function showForm() {
  mainEl.dataset.state = 'ready';
  $id('mnew-loading').hidden = true;
  $id('mnew-signin').hidden = true;
  form.hidden = false;
}

onLangChange(() => {
  renderTitlePlaceholder();
  renderBioCount();
});

deathEl.max = today();
birthEl.max = today();
renderTitlePlaceholder();
renderBioCount();
mountLayout().then((user) => {
  if (user) showForm();
  else showSignin();
}, showSignin);

