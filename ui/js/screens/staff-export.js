// CSV出力: today's (or a chosen day's) receptions as CSV, UTF-8 with BOM or Shift_JIS for older
// レセコン. The shell writes the file and returns its path.

import { h } from '../dom.js';
import { form, input, segmented, button } from './staff-forms.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const f = form(ctx, 'export', { date: ctx.info.today || '', encoding: 'utf8bom' });
  if (!f.date && ctx.info.today) f.date = ctx.info.today;
  root.appendChild(h('section', { class: 'card export', testid: 'export-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('export.title'))),
    h('div', { class: 'form-grid' },
      input(ctx, snap, f, 'date', { testid: 'export-date', label: t('export.date'), type: 'date' }),
      segmented(f, 'encoding', [['utf8bom', t('export.utf8bom'), 'export-encoding-utf8bom'], ['sjis', t('export.sjis'), 'export-encoding-sjis']], null, t('export.encoding'))),
    h('div', { class: 'button-row' },
      button('export-submit', t('export.submit'), async () => {
        const res = await ctx.call('export_csv', { date: f.date, encoding: f.encoding });
        if (res && res.path) {
          ctx.local.exportPath = res.path;
          ctx.local.exportVersion = (ctx.local.exportVersion || 0) + 1;
          ctx.rerender();
        }
      })),
    ctx.local.exportPath ? h('p', { class: 'ok' }, t('export.saved'), ' ', h('code', { testid: 'export-result' }, ctx.local.exportPath)) : null,
    h('p', { class: 'muted small' }, t('export.privacy'))));
}
