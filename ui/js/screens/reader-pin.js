// PinEntry (card 利用者証明用 PIN) and SmartphonePin (Android スマホ用 PIN): a 4-digit pad with masked
// dots and the tries left (lock at 3). The digits live only in the pane's per-patient memory
// (ctx.patient.pin) while a PIN screen is shown, then go straight to send() and are cleared; they are never
// rendered, logged or stored, and reader.js drops them whenever another screen is shown.

import { h, mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, footer } from './reader-parts.js';
import { noticeBanners } from './common.js';

const PIN_LENGTH = 4;

/**
 * A key press tells the flow the patient is still there (the idle timer starts again), at most every 3 s.
 * @param {import('../app.js').Ctx} ctx
 * @param {{ touchedAt?: number }} entry
 */
function touched(ctx, entry) {
  const now = Date.now();
  if (entry.touchedAt && now - entry.touchedAt < 3000) return;
  entry.touchedAt = now;
  ctx.send({ kind: 'Activity' });
}

function key(testid, label, onClick, cls = '') {
  return h('button', { type: 'button', class: ['pin-key', cls], testid, on: { click: onClick } }, label);
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  // A new screen state (another try, a format notice) starts with an empty pad.
  const sig = JSON.stringify([snap.screen, snap.notices]);
  /** @type {{ digits: string, sig: string, touchedAt?: number }} */
  const entry = (ctx.patient.pin ||= { digits: '', sig });
  if (sig !== entry.sig) {
    entry.sig = sig;
    entry.digits = '';
  }
  const phone = id === 'SmartphonePin';
  const proxy = !phone && data && data.proxy;
  const tries = data ? data.tries_left : null;

  const dots = h('div', { class: 'pin-dots', testid: 'pin-display', 'aria-label': t('reader.pin.entered', { n: entry.digits.length }) },
    Array.from({ length: PIN_LENGTH }, (_, i) => h('span', { class: ['pin-dot', i < entry.digits.length ? 'filled' : ''] })));
  const redraw = () => render(root, snap, ctx);
  const press = (d) => {
    if (entry.digits.length < PIN_LENGTH) entry.digits += d;
    redraw();
    touched(ctx, entry);
  };
  const submit = () => {
    if (entry.digits.length !== PIN_LENGTH) return;
    const value = entry.digits;
    entry.digits = '';
    ctx.send({ kind: 'PinEntered', value });
  };
  const pad = h('div', { class: 'pin-pad' },
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(`pin-key-${d}`, d, () => press(d))),
    key('pin-clear', t('reader.pin.clear'), () => { entry.digits = ''; redraw(); }, 'fn'),
    key('pin-key-0', '0', () => press('0')),
    h('button', {
      type: 'button', class: ['pin-key', 'ok'], testid: 'pin-submit', disabled: entry.digits.length !== PIN_LENGTH,
      on: { click: submit },
    }, t('reader.pin.submit')));

  const titleKey = phone ? 'reader.pin.title_phone' : proxy ? 'reader.pin.title_proxy' : 'reader.pin.title';
  mount(root, screen(id,
    title(t(titleKey)),
    noticeBanners(ctx, snap, 'reader'),
    h('div', { class: 'pin-layout' },
      h('div', { class: 'pin-side' },
        dots,
        tries === null || tries === undefined
          ? null
          : h('p', { class: ['pin-tries', tries <= 1 ? 'last' : ''], testid: 'pin-tries-left' }, t('reader.pin.tries_left', { n: tries })),
        lead(t(phone ? 'reader.pin.lead_phone' : 'reader.pin.lead'), 'small'),
        lead(t('reader.pin.staff_never'), 'small muted')),
      pad),
    footer(h('button', { type: 'button', class: 'r-btn secondary small', testid: 'pin-cancel', on: { click: () => { entry.digits = ''; ctx.send({ kind: 'Cancel' }); } } },
      t('reader.common.back')))));
}
