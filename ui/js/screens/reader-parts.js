// Building blocks of the patient-facing reader screens (large text, large targets, calm colours).

import { h } from '../dom.js';

/** Screen root with data-screen="<ScreenId>". */
export function screen(id, ...children) {
  return h('section', { class: 'rscreen', screen: id }, children);
}

export function title(text) {
  return h('h2', { class: 'r-title' }, text);
}

export function lead(text, cls = '') {
  return h('p', { class: ['r-lead', cls] }, text);
}

/**
 * A large touch button (≥ 64px high). `variant`: primary | secondary | positive | negative.
 * @param {string} testid
 * @param {string} label
 * @param {() => unknown} onClick
 * @param {string} [variant]
 * @param {string | null} [sub]
 * @param {Node | string | null} [icon]
 */
export function big(testid, label, onClick, variant = 'primary', sub = null, icon = null) {
  return h('button', { type: 'button', class: ['r-btn', variant], testid, on: { click: onClick } },
    icon ? h('span', { class: 'r-btn-icon', 'aria-hidden': 'true' }, icon) : null,
    h('span', { class: 'r-btn-label' }, label),
    sub ? h('span', { class: 'r-btn-sub' }, sub) : null);
}

/** Row / grid of choices. */
export function choices(...buttons) {
  return h('div', { class: ['r-choices', `n${buttons.filter(Boolean).length}`] }, buttons);
}

/** Footer with small secondary actions (back etc.). */
export function footer(...buttons) {
  return h('div', { class: 'r-footer' }, buttons);
}

/** Spinner with an optional caption. */
export function spinner(caption) {
  return h('div', { class: 'r-spinner-wrap' },
    h('div', { class: 'r-spinner', 'aria-hidden': 'true' }),
    caption ? h('p', { class: 'r-spinner-caption', testid: 'reader-progress-caption' }, caption) : null);
}

/** Simple line drawings (inline SVG built with DOM APIs: no markup strings, CSP-safe). */
export function picture(kind) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 200 120');
  svg.setAttribute('class', `r-pic r-pic-${kind}`);
  svg.setAttribute('aria-hidden', 'true');
  const add = (tagName, attrs) => {
    const e = document.createElementNS(NS, tagName);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    svg.appendChild(e);
    return e;
  };
  if (kind === 'card') {
    add('rect', { x: 30, y: 70, width: 140, height: 40, rx: 6, class: 'pic-slot' });
    add('rect', { x: 55, y: 14, width: 90, height: 66, rx: 6, class: 'pic-card' });
    add('rect', { x: 66, y: 26, width: 24, height: 30, rx: 3, class: 'pic-photo' });
    add('line', { x1: 98, y1: 32, x2: 134, y2: 32, class: 'pic-line' });
    add('line', { x1: 98, y1: 44, x2: 128, y2: 44, class: 'pic-line' });
    add('path', { d: 'M100 2 L100 10 M94 6 L100 12 L106 6', class: 'pic-arrow' });
  } else if (kind === 'face') {
    add('rect', { x: 50, y: 6, width: 100, height: 108, rx: 12, class: 'pic-frame' });
    add('circle', { cx: 100, cy: 50, r: 22, class: 'pic-head' });
    add('path', { d: 'M64 108 C70 82 130 82 136 108', class: 'pic-head' });
  } else if (kind === 'phone') {
    add('rect', { x: 30, y: 84, width: 140, height: 28, rx: 6, class: 'pic-slot' });
    add('rect', { x: 78, y: 6, width: 44, height: 82, rx: 8, class: 'pic-card' });
    add('path', { d: 'M140 30 q10 10 0 20 M150 24 q16 16 0 32', class: 'pic-arrow' });
  } else if (kind === 'take') {
    add('rect', { x: 30, y: 70, width: 140, height: 40, rx: 6, class: 'pic-slot' });
    add('rect', { x: 55, y: 10, width: 90, height: 60, rx: 6, class: 'pic-card' });
    add('path', { d: 'M100 60 L100 2 M92 10 L100 2 L108 10', class: 'pic-arrow' });
  } else if (kind === 'staff') {
    add('circle', { cx: 100, cy: 40, r: 20, class: 'pic-head' });
    add('path', { d: 'M64 110 C70 70 130 70 136 110', class: 'pic-head' });
  }
  return svg;
}
