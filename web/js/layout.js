// layout.js — the frame every page shares: header, footer, toasts.
//
//   import { mountLayout, toast } from '/js/layout.js';
//   await mountLayout();             // fills #site-header and #site-footer
//   toast(t('account.password_done'), 'ok');
//
// The page's HTML holds <header id="site-header"></header>, <main id="main">
// and <footer id="site-footer"></footer>. The header shows the wordmark, the
// search link, "我的" or "登录" depending on me(), "消息" with the unread
// count for a signed-in person (setUnread() moves it), and the language
// switch; it re-renders itself on a language change or a sign-in/out.
import { apply, t, lang, otherLang, langLabel, setLang, onLangChange } from './i18n.js';
import { api, me, hasSession } from './api.js';
import { h, replace } from './dom.js';

let user = null;
let mounted = false;
let unread = 0;

function here() {
  return location.pathname;
}

function navLink(href, key, { current = false, icon = null } = {}) {
  return h('a', { href, 'aria-current': current ? 'page' : null },
    icon, h('span', { 'data-i18n': key }, t(key)));
}

function signinHref() {
  const p = here();
  if (p === '/signin.html' || p === '/signup.html' || p === '/' || p === '/index.html' ||
      p === '/404.html') {
    return '/signin.html';
  }
  return `/signin.html?next=${encodeURIComponent(p + location.search)}`;
}

/** "消息" with the unread count; its name holds the visible text. */
function inboxLink(p) {
  const link = navLink('/inbox.html', 'nav.inbox', { current: p === '/inbox.html' });
  link.setAttribute('data-nav', 'inbox');
  if (unread > 0) {
    link.append(h('span', { class: 'nav-badge', 'aria-hidden': 'true' }, String(unread)),
      h('span', { class: 'visually-hidden' }, t('nav.inbox_unread', { n: unread })));
  }
  return link;
}

/** Show n unread items beside "消息" (the inbox page keeps it true). */
export function setUnread(n) {
  unread = Math.max(0, Number(n) || 0);
  renderHeader();
}

function renderHeader() {
  const el = document.getElementById('site-header');
  if (!el) return;
  el.classList.add('site-header');
  const p = here();
  const other = otherLang();
  const account = user
    ? navLink('/account.html', 'nav.account', { current: p === '/account.html' })
    : navLink(signinHref(), 'nav.signin', { current: p === '/signin.html' || p === '/signup.html' });
  account.setAttribute('data-nav', user ? 'account' : 'signin');

  const switcher = h('button', {
    type: 'button',
    class: 'lang-switch',
    lang: other,
    'data-lang-switch': other,
    'aria-label': t('lang.switch_label', { lang: langLabel(other) }),
    onclick: () => setLang(other),
  }, langLabel(other));

  replace(el,
    h('a', { class: 'skip-link', href: '#main', 'data-i18n': 'site.skip' }, t('site.skip')),
    h('div', { class: 'container header-inner' },
      h('a', { class: 'wordmark', href: '/', 'aria-label': t('nav.home') + ' · 思念 sinian' },
        h('span', { class: 'wordmark-zh', lang: 'zh-CN' }, '思念'),
        h('span', { class: 'wordmark-sep', 'aria-hidden': 'true' }, '·'),
        h('span', { class: 'wordmark-latin', lang: 'en' }, 'sinian')),
      h('nav', { class: 'site-nav', 'aria-label': t('nav.main') },
        h('ul', {},
          h('li', {}, navLink('/search.html', 'nav.search', { current: p === '/search.html' })),
          user && !user.pending ? h('li', {}, inboxLink(p)) : null,
          h('li', {}, account),
          h('li', {}, switcher)))));
}

function renderFooter() {
  const el = document.getElementById('site-footer');
  if (!el) return;
  el.classList.add('site-footer');
  const link = (href, key) => h('li', {}, h('a', { href, 'data-i18n': key }, t(key)));
  replace(el,
    h('div', { class: 'container footer-inner' },
      h('p', { class: 'footer-motto', 'data-i18n': 'footer.motto' }, t('footer.motto')),
      h('p', { class: 'footer-note', 'data-i18n': 'footer.note' }, t('footer.note')),
      h('nav', { 'aria-label': t('nav.footer') },
        h('ul', { class: 'footer-links' },
          link('/', 'nav.home'),
          link('/search.html', 'nav.search'),
          link('/m/demo', 'footer.demo_memorial'),
          link('/c/1', 'footer.demo_ceremony'),
          link('/operator.html', 'footer.operator'),
          link('/staff.html', 'footer.staff')))));
}

// ---------- toasts ----------

function region(kind) {
  const id = kind === 'error' ? 'toasts-alert' : 'toasts';
  let el = document.getElementById(id);
  if (!el) {
    el = h('div', {
      id,
      class: 'toasts',
      role: kind === 'error' ? 'alert' : 'status',
      'aria-live': kind === 'error' ? 'assertive' : 'polite',
      'aria-label': t('toast.region'),
    });
    document.body.append(el);
  }
  return el;
}

function dismiss(node) {
  if (!node.isConnected || node.classList.contains('is-leaving')) return;
  node.classList.add('is-leaving');
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  setTimeout(() => node.remove(), reduce ? 0 : 220);
}

const TOASTS_MAX = 3; // shown at once in a region; older ones make room

/**
 * Show a short message at the bottom of the screen.
 * kind: 'info' | 'ok' | 'warn' | 'error'. opts.timeout in ms (0: stays until
 * dismissed); errors stay longer. The same message already showing is not
 * shown twice (its time starts again), and at most TOASTS_MAX stay on the
 * screen, so a burst of status changes never piles up. Returns a function
 * that removes it.
 */
export function toast(message, kind = 'info', opts = {}) {
  const timeout = opts.timeout ?? (kind === 'error' ? 9000 : 5000);
  const where = region(kind);
  const shown = [...where.children].filter((n) => !n.classList.contains('is-leaving'));
  const same = shown.find((n) => n.dataset.message === message);
  if (same) {
    same.restart?.();
    return () => dismiss(same);
  }
  for (const old of shown.slice(0, Math.max(0, shown.length - TOASTS_MAX + 1))) dismiss(old);
  const node = h('div', { class: `toast toast-${kind}`, 'data-message': message },
    h('div', { class: 'toast-body' }, message),
    h('button', {
      type: 'button',
      class: 'toast-close',
      'aria-label': t('toast.close'),
      'data-i18n-aria-label': 'toast.close',
      onclick: () => dismiss(node),
    }, '×'));
  where.append(node);
  if (timeout > 0) {
    let timer = setTimeout(() => dismiss(node), timeout);
    node.restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => dismiss(node), timeout);
    };
    // Hovering or focusing holds the toast so it can be read.
    node.addEventListener('mouseenter', () => clearTimeout(timer));
    node.addEventListener('focusin', () => clearTimeout(timer));
    node.addEventListener('mouseleave', node.restart);
  }
  return () => dismiss(node);
}

// A toast queued for the next page (e.g. "signed out" after a redirect).
const NEXT_TOAST = 'sinian.toast';

/** Show toast(t(key), kind) on the next page this tab loads. */
export function toastNextPage(key, kind = 'info') {
  try {
    sessionStorage.setItem(NEXT_TOAST, JSON.stringify({ key, kind }));
  } catch { /* ignore */ }
}

function showQueuedToast() {
  let raw = null;
  try {
    raw = sessionStorage.getItem(NEXT_TOAST);
    sessionStorage.removeItem(NEXT_TOAST);
  } catch {
    return;
  }
  if (!raw) return;
  try {
    const { key, kind } = JSON.parse(raw);
    if (typeof key === 'string') toast(t(key), kind);
  } catch { /* ignore */ }
}

// ---------- mounting ----------

/**
 * Translate the page, draw header and footer, then find out who is signed
 * in and redraw the account link. Resolves with the user or null.
 */
export async function mountLayout() {
  if (!mounted) {
    mounted = true;
    // Until me() answers, trust the session mark so "我的" does not flicker.
    if (hasSession()) user = { pending: true };
    apply(document);
    renderHeader();
    renderFooter();
    onLangChange(() => {
      renderHeader();
      renderFooter();
      for (const r of document.querySelectorAll('.toasts')) r.setAttribute('aria-label', t('toast.region'));
    });
    document.addEventListener('sinian:session', (ev) => {
      user = ev.detail?.user ?? null;
      renderHeader();
    });
    showQueuedToast();
  }
  try {
    user = await me();
  } catch {
    user = null; // network trouble: show "登录"; the page reports its own errors
  }
  renderHeader();
  if (user && location.pathname !== '/inbox.html') {
    api('GET', '/api/me/inbox?limit=1').then((r) => setUnread(r.unread), () => {});
  }
  return user;
}

export { lang };
