// Completed 「受付が完了しました。カードをお取りください」 and RemoveCard. A 10割 (full charge) basis is
// explained by staff, so the reader stays neutral.

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, picture } from './reader-parts.js';
import { noticeBanners } from './common.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id] = screenOf(snap);
  if (id === 'Completed') {
    mount(root, screen(id,
      title(t('reader.done.title')),
      picture('take'),
      lead(t('reader.done.take_card'), 'emphasis'),
      noticeBanners(ctx, snap, 'reader'),
      lead(t('reader.done.wait'), 'small')));
    return;
  }
  mount(root, screen('RemoveCard',
    title(t('reader.remove.title')),
    picture('take'),
    lead(t('reader.remove.lead'), 'emphasis')));
}
