// 設定: the mode the app starts in (練習 / 本番: changed only when confirmed, from the next start), OQS endpoint, face-result folder (OQSsiquc01res_face_*.xml), file encoding, the temporary rule
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
    // The mode settings.json starts in: a different choice needs the staff's confirmation (next start).
    ctx.local.settingsMode = s.mode;
    ctx.local.modeConfirmed = false;
    ctx.local.settingsVersion = (ctx.local.settingsVersion || 0) + 1;
    ctx.rerender();
  }
}

/** Re-render the panel (the console keys it on `settingsVersion`). @param {import('../app.js').Ctx} ctx */
function bump(ctx) {
  ctx.local.settingsVersion = (ctx.local.settingsVersion || 0) + 1;
  ctx.rerender();
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
  const modeChanges = s.mode !== ctx.local.settingsMode;
  root.appendChild(h('section', { class: 'card settings', testid: 'settings-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('settings.title'))),
    h('div', { class: 'form-grid one' },
      segmented(s, 'mode', [['training', t('settings.mode.training'), 'settings-mode-training'], ['live', t('settings.mode.live'), 'settings-mode-live']],
        () => { ctx.local.modeConfirmed = false; bump(ctx); }, t('settings.mode')),
      modeChanges
        ? h('label', { class: ['field', 'check', 'wide', 'warn'] },
          h('input', { type: 'checkbox', testid: 'settings-mode-confirm', checked: !!ctx.local.modeConfirmed, on: { change: (e) => { ctx.local.modeConfirmed = e.target.checked; } } }),
          h('span', {}, t('settings.mode_confirm', { mode: t(`settings.mode.${s.mode}`) })))
        : h('p', { class: ['small', 'wide', 'muted'], testid: 'settings-mode-hint' }, t('settings.mode_hint')),
      input(ctx, snap, s, 'oqs_endpoint', { testid: 'settings-oqs-endpoint', label: t('settings.oqs_endpoint'), wide: true, hint: ctx.info.mode === 'live' ? null : t('settings.training_endpoint') }),
      input(ctx, snap, s, 'face_result_dir', { testid: 'settings-face-result-dir', label: t('settings.face_result_dir'), wide: true, hint: t('settings.face_result_hint') }),
      input(ctx, snap, s, 'terminal_request_dir', { testid: 'settings-terminal-request-dir', label: t('settings.terminal_request_dir'), wide: true, hint: t('settings.terminal_hint') }),
      input(ctx, snap, s, 'terminal_result_dir', { testid: 'settings-terminal-result-dir', label: t('settings.terminal_result_dir'), wide: true }),
      input(ctx, snap, s, 'terminal_face_dir', { testid: 'settings-terminal-face-dir', label: t('settings.terminal_face_dir'), wide: true, hint: t('settings.terminal_face_hint') }),
      input(ctx, snap, s, 'desk_name', { testid: 'settings-desk-name', label: t('settings.desk_name'), hint: t('settings.desk_name_hint') }),
      input(ctx, snap, s, 'live_database', { testid: 'settings-live-database', label: t('settings.live_database'), wide: true, hint: t('settings.database_hint') }),
      input(ctx, snap, s, 'training_database', { testid: 'settings-training-database', label: t('settings.training_database'), wide: true }),
      segmented(s, 'encoding', [['utf8', 'UTF-8', 'settings-encoding-utf8'], ['sjis', 'Shift_JIS', 'settings-encoding-sjis']], null, t('settings.encoding')),
      checkbox(ctx, snap, s, 'temporary_rule_suspended', { testid: 'settings-temporary-rule-suspended', label: t('settings.temporary_rule_suspended'), wide: true }),
      h('p', { class: ['small', 'wide', s.temporary_rule_suspended ? 'warn' : 'muted'], testid: 'settings-temporary-rule-warning' }, t('settings.temporary_rule_warning')),
      checkbox(ctx, snap, s, 'prescription_question', { testid: 'settings-prescription-question', label: t('settings.prescription_question'), wide: true }),
      checkbox(ctx, snap, s, 'legacy_limit_screen', { testid: 'settings-legacy-limit-screen', label: t('settings.legacy_limit_screen'), wide: true })),
    h('div', { class: 'button-row' },
      button('settings-save', t('settings.save'), async () => {
        const res = await ctx.call('settings_set', { settings: s, confirm_mode_change: modeChanges && !!ctx.local.modeConfirmed });
        if (res !== undefined) {
          ctx.flash(t(modeChanges ? 'settings.saved_mode' : 'settings.saved', { mode: t(`settings.mode.${res.mode}`) }), 'info');
          ctx.local.settingsMode = res.mode;
          ctx.local.modeConfirmed = false;
          bump(ctx);
        }
      }))));
}
