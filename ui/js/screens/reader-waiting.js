// WaitingForCard: 「マイナンバーカードを置いてください」 plus the smartphone path on the first screen,
// as on current readers (SMAPHO-NEWS).

import { h, mount } from '../dom.js';
import { screen, title, lead, big, picture, footer } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  if (!ctx.readerReady) {
    // No card can be read (no reader, pcscd stopped): the patient is sent to the desk, not asked for a card.
    mount(root, h('section', { class: 'rscreen', screen: 'WaitingForCard', testid: 'reader-not-ready' },
      title(t('reader.waiting.not_ready')),
      picture('staff'),
      lead(t('reader.waiting.not_ready_lead'))));
    return;
  }
  mount(root, screen('WaitingForCard',
    title(t('reader.waiting.title')),
    picture('card'),
    lead(t('reader.waiting.lead')),
    lead(t('reader.waiting.cover'), 'small'),
    // Only where a smartphone reader is installed, from the national start (snapshot.smartphone).
    snap.smartphone ? footer(
      big('reader-smartphone', t('reader.waiting.smartphone'), () => ctx.send({ kind: 'ChooseSmartphone' }),
        'secondary', t('reader.waiting.smartphone_sub'))) : null));
}
