// 本日の受付: today_list with filters (all / pending / fallback / refund). Rows are store::ReceptionSummary
// as the contract declares them (ui/js/contract/store/ReceptionSummary.ts); empty optional values show "—".

import { h } from '../dom.js';
import { dash } from '../view.js';
import { formatDate, formatDateTime, formatMoment } from '../format.js';
import { button } from './staff-forms.js';
import { nameWithHint, copayText } from './staff-eligibility.js';

/** @type {import('../contract/commands').TodayFilter[]} */
export const FILTERS = ['all', 'pending', 'fallback', 'refund'];

/**
 * Load rows for the current filter into ctx.local.today.
 * @param {import('../app.js').Ctx} ctx
 */
export async function load(ctx) {
  const filter = ctx.local.todayFilter || 'all';
  const rows = await ctx.call('today_list', { filter });
  ctx.local.today = Array.isArray(rows) ? rows : [];
  ctx.local.todayVersion = (ctx.local.todayVersion || 0) + 1;
  ctx.rerender();
}

/** @typedef {import('../contract/commands').ReceptionSummary} StaffRow */

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  /** @type {StaffRow[]} */
  const rows = ctx.local.today || [];
  const filter = ctx.local.todayFilter || 'all';
  // Several desks sharing one record (#15): each row names its desk once more than one appears.
  const manyDesks = new Set(rows.map((r) => r.desk).filter(Boolean)).size > 1;
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
        h('thead', {}, h('tr', {}, ['time', 'patient', 'task', 'basis', 'copay', 'identity', 'consent', 'fallback'].map((c) => h('th', {}, t(`today.col.${c}`))))),
        h('tbody', {}, rows.map((r) => {
          const id = r.visit_id;
          const tasks = [
            r.refund_open ? h('span', { class: 'badge warn', testid: `today-task-refund-${id}` }, t('task.Refund')) : null,
            r.recheck_open ? h('span', { class: 'badge warn', testid: `today-task-recheck-${id}`, title: t('task.Recheck_hint') }, t('task.Recheck')) : null,
          ].filter(Boolean);
          return h('tr', { testid: `today-row-${id}`, class: [tasks.length ? 'has-task' : '', r.voided ? 'voided' : ''] },
            h('td', { class: 'nowrap', testid: `today-time-${id}` }, formatDateTime(r.at).slice(11),
              manyDesks && r.desk ? h('div', { class: 'small muted', testid: `today-desk-${id}` }, r.desk) : null),
            h('td', {}, r.voided ? h('span', { class: 'badge warn', testid: `today-voided-${id}` }, t('today.voided')) : null,
              nameWithHint(ctx, r.name, `today-name-${id}`), h('div', { class: 'kana small' }, dash(r.name_kana))),
            // Open tasks (返金, 要再照会) next to the name: the wide table scrolls, and a task out of view is missed.
            h('td', { testid: `today-task-${id}` }, tasks.length ? tasks : '—'),
            h('td', { testid: `today-outcome-${id}` }, t(`store.outcome.${r.outcome}`), h('div', { class: 'small muted' }, t(`store.kind.${r.kind}`))),
            h('td', { class: 'nowrap', testid: `today-copay-${id}` }, copayText(ctx, r.copay_percent), h('div', { class: 'small muted' }, dash(r.insurer_number)),
              r.limit_class_name ? h('div', { class: 'small', testid: `today-limit-${id}` }, t('today.limit', { name: r.limit_class_name })) : null,
              r.specific_diseases ? h('div', { class: 'small', testid: `today-disease-${id}` }, t('today.disease', { names: r.specific_diseases })) : null),
            h('td', { testid: `today-identity-${id}` }, r.certified_reader_file
              ? h('span', { testid: `today-certified-${id}`, title: r.certified_reader_file }, t('today.certified_reader'))
              : [t(`store.identity.${r.identity}`), h('div', { class: 'small muted' }, t(`operator.${r.presenter}`))]),
            h('td', { class: 'nowrap', testid: `today-consent-${id}` }, r.consent_expires_at
              ? h('span', { class: 'badge expiry' }, t('staff.consent.until', { at: formatMoment(r.consent_expires_at, ctx.lang) }))
              : t('staff.consent.none')),
            h('td', { testid: `today-fallback-${id}` }, r.fallback ? t(`store.fallback.${r.fallback}`) : '—'));
        }))))));
}
