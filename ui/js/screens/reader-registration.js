// RegistrationOffer: the card is not registered for insurance use; offer to register now (identity is
// already confirmed). Official wording was not found (domain.md §1), so ours is neutral.

import { mount } from '../dom.js';
import { screen, title, lead, big, choices } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  mount(root, screen('RegistrationOffer',
    title(t('reader.registration.title')),
    lead(t('reader.registration.lead')),
    choices(
      big('reader-register-yes', t('reader.registration.yes'), () => ctx.send({ kind: 'RegistrationAnswer', value: true }), 'positive'),
      big('reader-register-no', t('reader.registration.no'), () => ctx.send({ kind: 'RegistrationAnswer', value: false }), 'secondary')),
    lead(t('reader.registration.once'), 'small muted')));
}
