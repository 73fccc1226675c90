// SmartphonePlatform (iPhone / Android) and SmartphoneHold (hold the phone over the separate
// smartphone reader; iPhone authenticates with Face ID / Touch ID on the phone). SMAPHO-NEWS.

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, big, choices, footer, picture, spinner } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  if (id === 'SmartphonePlatform') {
    mount(root, screen(id,
      title(t('reader.phone.platform_title')),
      choices(
        big('reader-platform-iphone', 'iPhone', () => ctx.send({ kind: 'ChoosePlatform', value: 'IPhone' }), 'primary', t('reader.phone.iphone_sub')),
        big('reader-platform-android', 'Android', () => ctx.send({ kind: 'ChoosePlatform', value: 'Android' }), 'primary', t('reader.phone.android_sub'))),
      lead(t('reader.phone.first_visit'), 'small'),
      footer(big('reader-cancel', t('reader.common.back'), () => ctx.send({ kind: 'Cancel' }), 'secondary small'))));
    return;
  }
  const iphone = data && data.platform === 'IPhone';
  mount(root, screen(id,
    title(t('reader.phone.hold_title')),
    picture('phone'),
    lead(t(iphone ? 'reader.phone.hold_iphone' : 'reader.phone.hold_android')),
    spinner(null)));
}
