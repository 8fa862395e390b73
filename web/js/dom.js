// dom.js — small DOM helpers shared by the page scripts.
//
//   h('a', { href: '/', class: 'btn' }, 'text', otherNode)
//   h('p', { 'data-i18n': 'home.title' })
//
// Props: class, dataset (object), on<event> (function), true -> empty
// attribute, false/null/undefined -> left out, anything else -> attribute.
// Children: nodes, strings (as text, never as HTML), arrays, null (skipped).

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** Replace all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The query parameter name of the current page, or null. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
