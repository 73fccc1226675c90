// 患者検索: patient_search by カナ + 生年月日, and each patient's last stored eligibility (再診 history)
// through last_eligibility.

import { h } from '../dom.js';
import { dash } from '../view.js';
import { formatDate } from '../format.js';
import { form, input, button } from './staff-forms.js';
import { nameWithHint, eligibilityCard } from './staff-eligibility.js';

export function render(root, snap, ctx) {
  const { t, lang } = ctx;
  const f = form(ctx, 'search', { kana: '', birthdate: '' });
  const rows = ctx.local.searchRows;
  const search = async () => {
    const res = await ctx.call('patient_search', { kana: f.kana.trim(), birthdate: f.birthdate });
    ctx.local.searchRows = Array.isArray(res) ? res : [];
    ctx.local.history = null;
    ctx.local.searchVersion = (ctx.local.searchVersion || 0) + 1;
    ctx.rerender();
  };
  const history = async (id) => {
    const res = await ctx.call('last_eligibility', { patient_id: id });
    ctx.local.history = { id, record: res };
    ctx.local.searchVersion = (ctx.local.searchVersion || 0) + 1;
    ctx.rerender();
  };
  const hist = ctx.local.history;
  root.appendChild(h('section', { class: 'card search', testid: 'search-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('search.title'))),
    h('div', { class: 'form-grid' },
      input(ctx, snap, f, 'kana', { testid: 'search-kana', label: t('field.name_kana'), hint: t('search.kana_hint') }),
      input(ctx, snap, f, 'birthdate', { testid: 'search-birthdate', label: t('field.birthdate'), type: 'date' }),
      h('div', { class: 'button-cell' }, button('search-submit', t('search.submit'), search))),
    rows === undefined ? null : rows.length === 0 ? h('p', { class: 'muted', testid: 'search-empty' }, t('search.empty')) :
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['name', 'birthdate', 'sex', 'last_visit', ''].map((c) => h('th', {}, c ? t(`search.col.${c}`) : '')))),
        h('tbody', {}, rows.map((r) => h('tr', { testid: `search-row-${r.patient_id}` },
          h('td', {}, nameWithHint(ctx, r.name, `search-name-${r.patient_id}`), h('div', { class: 'kana small' }, dash(r.kana))),
          h('td', { class: 'nowrap' }, r.birthdate ? formatDate(r.birthdate, lang) : '—'),
          h('td', {}, r.sex ? t(`sex.${r.sex}`) : '—'),
          h('td', { class: 'nowrap' }, r.last_visit ? formatDate(r.last_visit, lang) : '—'),
          h('td', {}, button(`search-history-${r.patient_id}`, t('search.history'), () => history(r.patient_id), 'ghost')))))),
    hist ? (hist.record
      ? eligibilityCard(ctx, hist.record.record ? { validity: hist.record.validity ?? null, record: hist.record.record, confirmed_on: hist.record.confirmed_on } : { validity: null, record: hist.record, confirmed_on: hist.record.confirmed_on }, hist.record.record?.consent || null, undefined, 'search-history')
      : h('p', { class: 'muted', testid: 'search-history-none' }, t('search.no_history'))) : null));
}
