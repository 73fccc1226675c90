// 設定: OQS endpoint, face-result folder (OQSsiquc01res_face_*.xml), file encoding, the temporary rule
// switch (until 2026-03-31), the 処方箋 question and the legacy 限度額 screen.

import { h } from '../dom.js';
import { input, checkbox, segmented, button } from './staff-forms.js';

/**
 * @param {import('../app.js').Ctx} ctx
 */
export async function load(ctx) {
  const s = await ctx.call('settings_get');
  if (s) {
    ctx.local.settings = { ...s };
    ctx.local.settingsVersion = (ctx.local.settingsVersion || 0) + 1;
    ctx.rerender();
  }
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  /** @type {import('../contract/commands').Settings | undefined} */
  const s = ctx.local.settings;
  if (!s) {
    root.appendChild(h('section', { class: 'card settings', testid: 'settings-panel' }, h('p', { class: 'muted' }, t('common.loading'))));
    return;
  }
  root.appendChild(h('section', { class: 'card settings', testid: 'settings-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('settings.title'))),
    h('div', { class: 'form-grid one' },
      input(ctx, snap, s, 'oqs_endpoint', { testid: 'settings-oqs-endpoint', label: t('settings.oqs_endpoint'), wide: true, hint: ctx.info.mode === 'live' ? null : t('settings.training_endpoint') }),
      input(ctx, snap, s, 'face_result_dir', { testid: 'settings-face-result-dir', label: t('settings.face_result_dir'), wide: true, hint: t('settings.face_result_hint') }),
      segmented(s, 'encoding', [['utf8', 'UTF-8', 'settings-encoding-utf8'], ['sjis', 'Shift_JIS', 'settings-encoding-sjis']], null, t('settings.encoding')),
      checkbox(ctx, snap, s, 'temporary_rule_suspended', { testid: 'settings-temporary-rule-suspended', label: t('settings.temporary_rule_suspended'), wide: true }),
      h('p', { class: ['small', 'wide', s.temporary_rule_suspended ? 'warn' : 'muted'], testid: 'settings-temporary-rule-warning' }, t('settings.temporary_rule_warning')),
      checkbox(ctx, snap, s, 'prescription_question', { testid: 'settings-prescription-question', label: t('settings.prescription_question'), wide: true }),
      checkbox(ctx, snap, s, 'legacy_limit_screen', { testid: 'settings-legacy-limit-screen', label: t('settings.legacy_limit_screen'), wide: true })),
    h('div', { class: 'button-row' },
      button('settings-save', t('settings.save'), async () => {
        const res = await ctx.call('settings_set', { settings: s });
        if (res !== undefined) ctx.flash(t('settings.saved'), 'info');
      }))));
}
