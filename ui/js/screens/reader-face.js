// FaceCapture / FaceFailed. The capture screen says the image is discarded right after matching
// (face frames never touch disk). On failure: retry, or go back to choose 暗証番号.

import { h, mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, big, choices, picture, spinner } from './reader-parts.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  if (id === 'FaceCapture') {
    mount(root, screen('FaceCapture',
      title(t('reader.face.title')),
      h('div', { class: 'r-camera' }, picture('face'), spinner(null)),
      lead(t('reader.face.lead')),
      h('p', { class: 'r-privacy', testid: 'reader-face-discard' }, t('reader.face.discard'))));
    return;
  }
  const reason = (data && data.reason) || 'NoMatch';
  const pinOffered = (snap.methods || []).includes('Pin');
  mount(root, screen('FaceFailed',
    title(t('reader.face.failed_title')),
    lead(t(`reader.face.failed.${reason}`), 'warn-box'),
    choices(
      big('reader-face-retry', t('reader.face.retry'), () => ctx.send({ kind: 'RetryFace' }), 'primary'),
      pinOffered
        ? big('reader-face-use-pin', t('reader.face.use_pin'), () => ctx.send({ kind: 'ChooseMethod', value: 'Pin' }), 'secondary')
        : big('reader-face-back', t('reader.face.switch'), () => ctx.send({ kind: 'Cancel' }), 'secondary')),
    h('p', { class: 'r-hint' }, t('reader.face.ask_staff'))));
}
