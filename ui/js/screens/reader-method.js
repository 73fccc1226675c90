// MethodChoice: 顔認証 / 暗証番号 (snapshot.methods decides which; a face-only card or a locked PIN hides
// 暗証番号). 目視 is a staff switch, shown here only as a hint. The 代理人 toggle changes the prompts
// (domain.md §1(b) 5); it sends the patient input SetProxy (the reader window may send no staff input).
// 顔認証: camera.js follows the published FaceCapture screen and feeds webcam frames while it is shown.

import { h, mount } from '../dom.js';
import { screen, title, big, choices, footer } from './reader-parts.js';
import { noticeBanners } from './common.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const methods = snap.methods || [];
  const proxy = snap.operator === 'Proxy';
  const face = methods.includes('Face')
    ? big('reader-method-face', t('reader.method.face'), () => ctx.send({ kind: 'ChooseMethod', value: 'Face' }),
      'primary', t('reader.method.face_sub'))
    : null;
  const pin = methods.includes('Pin')
    ? big('reader-method-pin', t('reader.method.pin'), () => ctx.send({ kind: 'ChooseMethod', value: 'Pin' }),
      'primary', t(proxy ? 'reader.method.pin_sub_proxy' : 'reader.method.pin_sub'))
    : null;
  mount(root, screen('MethodChoice',
    title(t(proxy ? 'reader.method.title_proxy' : 'reader.method.title')),
    noticeBanners(ctx, snap, 'reader'),
    choices(face, pin),
    // 「どちらも」 only when two methods are offered.
    h('p', { class: 'r-hint', testid: 'reader-method-visual-info' }, t(face && pin ? 'reader.method.visual_hint' : 'reader.method.visual_hint_one')),
    footer(
      h('button', {
        type: 'button', class: ['r-toggle', proxy ? 'on' : ''], testid: 'reader-proxy-toggle', 'aria-pressed': String(proxy),
        on: { click: () => ctx.send({ kind: 'SetProxy', value: !proxy }) },
      }, t(proxy ? 'reader.method.proxy_on' : 'reader.method.proxy_off')))));
}
