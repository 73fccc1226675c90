// 本日の受付: today_list with filters (all / pending / fallback / refund). Rows are rendered
// defensively — field names follow the store crate and any missing field shows "—".

import { h } from '../dom.js';
import { dash, tag } from '../view.js';
import { hasKey } from '../i18n/index.js';
import { formatDate } from '../format.js';
import { button } from './staff-forms.js';
import { nameWithHint, consentBadges, copayText } from './staff-eligibility.js';

export const FILTERS = ['all', 'pending', 'fallback', 'refund'];

/** Load rows for the current filter into ctx.local.today. */
export async function load(ctx) {
  const filter = ctx.local.todayFilter || 'all';
  const rows = await ctx.call('today_list', { filter });
  ctx.local.today = Array.isArray(rows) ? rows : [];
  ctx.local.todayVersion = (ctx.local.todayVersion || 0) + 1;
  ctx.rerender();
}

/** A code-ish value (string or serde enum) as text, via i18n when we have copy for it. */
function codeText(ctx, prefix, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return ctx.t(v ? 'common.yes' : 'common.no');
  const [k, d] = tag(v);
  const key = `${prefix}.${k}`;
  const base = hasKey(key) ? ctx.t(key) : String(k);
  if (d && typeof d === 'object') {
    const extra = Object.values(d).filter((x) => typeof x === 'string').map((x) => (/^\d{4}-\d{2}-\d{2}$/.test(x) ? formatDate(x, ctx.lang) : x));
    return extra.length ? `${base}（${extra.join(', ')}）` : base;
  }
  if (typeof d === 'string') return `${base}（${hasKey(`doc.${d}`) ? ctx.t(`doc.${d}`) : d}）`;
  return base;
}

export function render(root, snap, ctx) {
  const { t } = ctx;
  const rows = ctx.local.today || [];
  const filter = ctx.local.todayFilter || 'all';
  root.appendChild(h('section', { class: 'card today', testid: 'today-list' },
    h('header', { class: 'card-head' },
      h('h3', {}, t('today.title', { date: ctx.info.today ? formatDate(ctx.info.today, ctx.lang) : '' })),
      button('today-refresh', t('today.refresh'), () => load(ctx), 'ghost')),
    h('div', { class: 'chips' },
      FILTERS.map((f) => h('button', {
        type: 'button', class: ['chip', f === filter ? 'on' : ''], testid: `today-filter-${f}`, 'aria-pressed': String(f === filter),
        on: { click: () => { ctx.local.todayFilter = f; load(ctx); } },
      }, t(`today.filter.${f}`)))),
    rows.length === 0
      ? h('p', { class: 'muted', testid: 'today-empty' }, t('today.empty'))
      : h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['time', 'patient', 'basis', 'copay', 'identity', 'consent', 'fallback', 'task'].map((c) => h('th', {}, t(`today.col.${c}`))))),
        h('tbody', {}, rows.map((r, i) => {
          const id = r.visit_id ?? i;
          return h('tr', { testid: `today-row-${id}`, class: r.open_task ? 'has-task' : '' },
            h('td', { class: 'nowrap' }, dash(r.time && String(r.time).replace(/^.*T/, '').slice(0, 5))),
            h('td', {}, nameWithHint(ctx, r.patient_name, `today-name-${id}`), h('div', { class: 'kana small' }, dash(r.patient_kana))),
            h('td', {}, codeText(ctx, 'basis', r.basis), r.billing === 'FullCharge' ? h('div', { class: 'badge no' }, t('billing.FullCharge')) : null,
              r.outcome ? h('div', { class: 'small muted' }, codeText(ctx, 'outcome', r.outcome)) : null),
            h('td', { class: 'nowrap' }, copayText(ctx, r.copay_percent), h('div', { class: 'small muted' }, dash(r.insurer_number))),
            h('td', {}, codeText(ctx, 'method', r.identity_method), h('div', { class: 'small muted' }, codeText(ctx, 'operator', r.operator))),
            h('td', {}, r.consent ? consentBadges(ctx, r.consent, r.consent_valid, `today-consent-${id}`) : '—'),
            h('td', {}, r.fallback ? codeText(ctx, 'problem', r.fallback) : '—'),
            h('td', { testid: `today-task-${id}` }, r.open_task ? h('span', { class: 'badge warn' }, codeText(ctx, 'task', r.open_task)) : '—'));
        }))))));
}

