// The patient-facing reader pane (患者用), styled after the certified 顔認証付きカードリーダー: a device
// bezel around a touch screen. It picks the screen module for snapshot.screen and adds the header,
// the training watermark and the EN/日本語 toggle. One module per screen under ./reader-*.js.

import { h, mount } from '../dom.js';
import { screenOf } from '../view.js';
import { paneHeader, watermark } from './common.js';
import * as waiting from './reader-waiting.js';
import * as cert from './reader-cert.js';
import * as method from './reader-method.js';
import * as face from './reader-face.js';
import * as pin from './reader-pin.js';
import * as smartphone from './reader-smartphone.js';
import * as registration from './reader-registration.js';
import * as consent from './reader-consent.js';
import * as prescription from './reader-prescription.js';
import * as progress from './reader-progress.js';
import * as done from './reader-done.js';
import * as error from './reader-error.js';
import * as staffLed from './reader-staff.js';

const BY_SCREEN = {
  WaitingForCard: waiting,
  ReadingCard: progress,
  CertWarning: cert,
  MethodChoice: method,
  FaceCapture: face,
  FaceFailed: face,
  PinEntry: pin,
  Verifying: progress,
  VisualCheck: staffLed,
  SmartphonePlatform: smartphone,
  SmartphonePin: pin,
  SmartphoneHold: smartphone,
  RegistrationOffer: registration,
  Registering: progress,
  ConsentMode: consent,
  ConsentItem: consent,
  LimitConsent: consent,
  PrescriptionForm: prescription,
  Querying: progress,
  LookingUpPrevious: progress,
  Completed: done,
  RemoveCard: done,
  Error: error,
  Fallback: staffLed,
  Hotline: staffLed,
};

/**
 * 「操作を続けますか」 over an idle patient screen: 続ける restarts its timer; without an answer the screen gives
 * up as before (the flow decides, after 20 s).
 * @param {import('../app.js').Ctx} ctx
 */
function stillThere(ctx) {
  const { t } = ctx;
  return h('div', { class: 'still-there', role: 'alertdialog', 'aria-modal': 'true', testid: 'reader-still-there' },
    h('div', { class: 'still-there-box' },
      h('p', { class: 'still-there-title' }, t('reader.still_there.title')),
      h('p', {}, t('reader.still_there.lead')),
      h('button', { type: 'button', class: 'r-btn primary', testid: 'reader-still-there-continue', on: { click: () => ctx.send({ kind: 'Activity' }) } },
        t('reader.still_there.continue'))));
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const [id] = screenOf(snap);
  // The PIN pad's digits live only while a PIN screen is shown: leaving it (戻る, idle, a pulled card, the
  // next patient) empties the pad, so no digit typed for one try is ever sent with the next.
  if (id !== 'PinEntry' && id !== 'SmartphonePin') delete ctx.patient.pin;
  const module = BY_SCREEN[id] || staffLed;
  const body = h('div', { class: 'reader-screen' });
  module.render(body, snap, ctx);
  mount(root,
    h('div', { class: 'reader-device', testid: 'reader-root', dataset: { current: id || '' } },
      h('div', { class: 'reader-bezel' },
        h('div', { class: 'reader-display' },
          paneHeader(ctx, 'reader', ctx.t('reader.header')),
          body,
          snap.still_there ? stillThere(ctx) : null,
          watermark(ctx, snap, 'reader'))),
      h('div', { class: 'reader-caption' }, ctx.t('reader.caption'))));
}
