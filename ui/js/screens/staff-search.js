// 患者検索: patient_search by カナ + 生年月日, and a patient's last valid eligibility (再診 history) through
// last_eligibility, shown in the eligibility card the reception tab uses.

import { h } from '../dom.js';
import { dash } from '../view.js';
import { formatDate } from '../format.js';
import { form, input, button } from './staff-forms.js';
import { nameWithHint, eligibilityCard } from './staff-eligibility.js';

/** @typedef {import('../contract/store/Patient').Patient} Patient */
/** @typedef {import('../contract/commands').StoredEligibility} StoredEligibility */

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t, lang } = ctx;
  const f = form(ctx, 'search', { kana: '', birthdate: '' });
  /** @type {Patient[] | undefined} */
  const rows = ctx.local.searchRows;
  const search = async () => {
    const res = await ctx.call('patient_search', { kana: f.kana.trim() || null, birthdate: f.birthdate || null });
    ctx.local.searchRows = Array.isArray(res) ? res : [];
    ctx.local.history = null;
    ctx.local.searchVersion = (ctx.local.searchVersion || 0) + 1;
    ctx.rerender();
  };
  /** @param {number} id */
  const history = async (id) => {
    const res = await ctx.call('last_eligibility', { patient_id: id });
    if (res === undefined) return;
    ctx.local.history = { id, last: res };
    ctx.local.searchVersion = (ctx.local.searchVersion || 0) + 1;
    ctx.rerender();
  };
  /** @type {{ id: number, last: StoredEligibility | null } | null} */
  const hist = ctx.local.history;
  root.appendChild(h('section', { class: 'card search', testid: 'search-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('search.title'))),
    h('div', { class: 'form-grid' },
      input(ctx, snap, f, 'kana', { testid: 'search-kana', label: t('field.name_kana'), hint: t('search.kana_hint') }),
      input(ctx, snap, f, 'birthdate', { testid: 'search-birthdate', label: t('field.birthdate'), type: 'date' }),
      h('div', { class: 'button-cell' }, button('search-submit', t('search.submit'), search))),
    rows === undefined ? null : rows.length === 0 ? h('p', { class: 'muted', testid: 'search-empty' }, t('search.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['name', 'birthdate', 'sex', ''].map((c) => h('th', {}, c ? t(`search.col.${c}`) : '')))),
        h('tbody', {}, rows.map((r) => h('tr', { testid: `search-row-${r.id}` },
          h('td', {}, nameWithHint(ctx, r.name, `search-name-${r.id}`), h('div', { class: 'kana small' }, dash(r.name_kana))),
          h('td', { class: 'nowrap' }, formatDate(r.birthdate, lang)),
          h('td', {}, t(`sex.${r.sex}`)),
          h('td', {}, button(`search-history-${r.id}`, t('search.history'), () => history(r.id), 'ghost')))))),
    hist ? (hist.last
      ? eligibilityCard(ctx, { validity: null, record: hist.last.record, confirmed_on: hist.last.confirmed_on }, null, undefined, 'search-history')
      : h('p', { class: 'muted', testid: 'search-history-none' }, t('search.no_history'))) : null));
}
