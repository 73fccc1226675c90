// CertWarning: 電子証明書 renewal alert (expires within 3 months) or the grace notice (expired ≤ 3
// months: eligibility only, no medical information) before continuing (S000 2-24, 2-25).

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, big, choices } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [, data] = screenOf(snap);
  const status = data && data.status;
  const soon = status && typeof status === 'object' && 'ExpiresSoon' in status;
  const days = soon ? status.ExpiresSoon.days_left : status && status.Grace ? status.Grace.days_expired : 0;
  mount(root, screen('CertWarning',
    title(t(soon ? 'reader.cert.soon_title' : 'reader.cert.grace_title')),
    lead(t(soon ? 'reader.cert.soon_lead' : 'reader.cert.grace_lead', { days }), 'warn-box'),
    lead(t('reader.cert.where')),
    choices(big('reader-continue', t('reader.common.next'), () => ctx.send({ kind: 'Continue' })))));
}
