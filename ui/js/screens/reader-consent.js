// Consent (同意): ConsentMode (まとめて同意する / 個別に選択する / 同意しない), one ConsentItem screen per
// item (診療・お薬, 手術, 健診), and the legacy 限度額 screen (historical training only). Declining
// never blocks reception (domain.md §2(b) 2), which the screens say.

import { h, mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, big, choices } from './reader-parts.js';

const ITEMS = ['TreatmentAndMedicine', 'Surgery', 'HealthCheckup'];

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  if (id === 'ConsentMode') {
    mount(root, screen(id,
      title(t('reader.consent.mode_title')),
      lead(t('reader.consent.mode_lead')),
      h('div', { class: 'r-choices stack' },
        big('consent-all', t('reader.consent.all'), () => ctx.send({ kind: 'ChooseConsentMode', value: 'Comprehensive' }), 'positive', t('reader.consent.all_sub')),
        big('consent-individual', t('reader.consent.individual'), () => ctx.send({ kind: 'ChooseConsentMode', value: 'Individual' }), 'primary', t('reader.consent.individual_sub')),
        big('consent-none', t('reader.consent.none'), () => ctx.send({ kind: 'ChooseConsentMode', value: 'DeclineAll' }), 'secondary')),
      lead(t('reader.consent.decline_ok'), 'small muted')));
    return;
  }
  if (id === 'ConsentItem') {
    const item = (data && data.item) || ITEMS[0];
    const pos = ITEMS.indexOf(item) + 1;
    mount(root, screen(id,
      h('p', { class: 'r-step', testid: 'consent-step' }, t('reader.consent.step', { n: pos, total: ITEMS.length })),
      title(t(`reader.consent.item.${item}.title`)),
      lead(t(`reader.consent.item.${item}.lead`)),
      choices(
        big('consent-yes', t('reader.consent.yes'), () => ctx.send({ kind: 'AnswerConsent', value: true }), 'positive'),
        big('consent-no', t('reader.consent.no'), () => ctx.send({ kind: 'AnswerConsent', value: false }), 'secondary')),
      lead(t('reader.consent.decline_ok'), 'small muted')));
    return;
  }
  // LimitConsent (pre-2024-10-07 screen, only when the legacy switch is on).
  mount(root, screen('LimitConsent',
    title(t('reader.limit.title')),
    lead(t('reader.limit.lead')),
    choices(
      big('limit-yes', t('reader.limit.yes'), () => ctx.send({ kind: 'AnswerLimit', value: true }), 'positive'),
      big('limit-no', t('reader.limit.no'), () => ctx.send({ kind: 'AnswerLimit', value: false }), 'secondary')),
    lead(t('reader.limit.legacy'), 'small muted')));
}
