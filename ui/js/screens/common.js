// Pieces every pane shares: the header with the mode (練習 / 本番) and the EN/日本語 toggle, the
// training watermark, notice banners. Rendering only; no flow decisions.

import { h } from '../dom.js';
import { tag } from '../view.js';
import { hasKey } from '../i18n/index.js';
import { formatDate } from '../format.js';

/**
 * 練習 / 本番 badge from app_info.mode.
 * @param {import('../app.js').Ctx} ctx
 */
export function modeBadge(ctx, pane) {
  const training = ctx.info.mode !== 'live';
  return h('span', { class: ['mode-badge', training ? 'training' : 'live'], testid: `${pane}-mode-badge` },
    ctx.t(training ? 'mode.training' : 'mode.live'));
}

/**
 * Switches the pane between Japanese and English.
 * @param {import('../app.js').Ctx} ctx
 */
export function langToggle(ctx, pane) {
  const next = ctx.lang === 'ja' ? 'en' : 'ja';
  return h('button', {
    class: 'lang-toggle', type: 'button', testid: `${pane}-lang-toggle`, lang: next,
    'aria-label': ctx.t('common.lang_toggle_label'),
    on: { click: () => ctx.setLang(next) },
  }, next === 'en' ? 'English' : '日本語');
}

/**
 * Pane header: title, mode badge, extra controls, language toggle.
 * @param {import('../app.js').Ctx} ctx
 */
export function paneHeader(ctx, pane, title, ...extra) {
  return h('header', { class: 'pane-header' },
    h('h1', { class: 'pane-title' }, title),
    modeBadge(ctx, pane),
    h('div', { class: 'pane-header-extra' }, extra),
    langToggle(ctx, pane));
}

/**
 * 「練習モード（模擬）」 watermark over patient-facing screens in training.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function watermark(ctx, snap, pane) {
  if (!snap.training) return null;
  return h('div', { class: 'watermark', testid: `${pane}-watermark`, 'aria-hidden': 'true' },
    h('span', {}, ctx.t('mode.watermark')));
}

/**
 * Notice params with ISO dates rendered the desk way (和暦 / 西暦).
 * @param {import('../app.js').Ctx} ctx
 */
function noticeParams(ctx, data) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(data || {})) {
    out[k] = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDate(v, ctx.lang) : v;
  }
  return out;
}

/**
 * Text of a Notice for the given audience ('reader' | 'staff'); null when that audience has none.
 * @param {import('../app.js').Ctx} ctx
 */
export function noticeText(ctx, notice, audience) {
  const [name, data] = tag(notice);
  const key = `notice.${audience}.${name}`;
  if (!hasKey(key)) return null;
  return ctx.t(key, noticeParams(ctx, data));
}

/**
 * Banner list for the snapshot's notices (only those with copy for this audience).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function noticeBanners(ctx, snap, audience) {
  const items = (snap.notices || []).map((n) => [tag(n)[0], noticeText(ctx, n, audience)]).filter(([, s]) => s);
  if (!items.length) return null;
  return h('ul', { class: ['notices', audience] },
    items.map(([name, text]) => h('li', { class: `notice notice-${name}`, testid: `${audience}-notice-${name}` }, text)));
}
