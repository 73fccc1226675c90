// PrescriptionForm: 処方箋の発行形態 (電子処方箋 / 紙の処方箋), asked only where the site enables it
// (OQSCD039 = 2).

import { mount } from '../dom.js';
import { screen, title, lead, big, choices } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  mount(root, screen('PrescriptionForm',
    title(t('reader.prescription.title')),
    lead(t('reader.prescription.lead')),
    choices(
      big('prescription-electronic', t('reader.prescription.electronic'), () => ctx.send({ kind: 'ChoosePrescription', value: 'Electronic' }), 'primary'),
      big('prescription-paper', t('reader.prescription.paper'), () => ctx.send({ kind: 'ChoosePrescription', value: 'Paper' }), 'primary'))));
}
