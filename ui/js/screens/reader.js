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
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const [id] = screenOf(snap);
  const module = BY_SCREEN[id] || staffLed;
  const body = h('div', { class: 'reader-screen' });
  module.render(body, snap, ctx);
  mount(root,
    h('div', { class: 'reader-device', testid: 'reader-root', dataset: { current: id || '' } },
      h('div', { class: 'reader-bezel' },
        h('div', { class: 'reader-display' },
          paneHeader(ctx, 'reader', ctx.t('reader.header')),
          body,
          watermark(ctx, snap, 'reader'))),
      h('div', { class: 'reader-caption' }, ctx.t('reader.caption'))));
}
