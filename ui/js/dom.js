// Tiny DOM builder. Text always goes through text nodes (never innerHTML), so names and messages
// from the backend cannot inject markup. No framework, no virtual DOM: panes rebuild what changed.
// Japanese text children get a <wbr> between phrases (phrases.js) so lines break between words; the
// text nodes and so textContent stay exactly the text given.

import { phrases } from './phrases.js';

/**
 * h('button', { class: 'big', testid: 'pin-submit', on: { click } }, 'text', child, [more])
 * Attributes: `class`, `testid` (→ data-testid), `screen` (→ data-screen), `on` (event map),
 * `dataset` (object), booleans (`disabled`, `checked`, `hidden`), `value`, anything else as attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'screen') el.dataset.screen = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = true;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Elements whose text is kept as one text node: no markup inside (option, textarea) or code. */
const PLAIN_TEXT = new Set(['OPTION', 'TEXTAREA', 'TITLE', 'SCRIPT', 'STYLE', 'CODE', 'PRE']);

/**
 * Append `text` to `el`, with a <wbr> between its phrases.
 * @param {Element} el
 * @param {string} text
 */
function appendText(el, text) {
  const parts = PLAIN_TEXT.has(el.tagName) ? [text] : phrases(text);
  parts.forEach((part, i) => {
    if (i > 0) el.appendChild(document.createElement('wbr'));
    el.appendChild(document.createTextNode(part));
  });
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else appendText(el, String(c));
  }
}

/** Replace all children of `root`. */
export function mount(root, ...children) {
  root.replaceChildren();
  append(root, children);
  return root;
}

/**
 * Re-render `root` only when `key` changed. Staff forms keep focus and typed text while snapshots
 * stream in (e.g. the elapsed seconds of a query), because unrelated pushes do not rebuild them.
 */
export function keyed(root, key, render) {
  if (root.dataset.key === key) return;
  root.dataset.key = key;
  root.replaceChildren();
  render(root);
}
