// PinEntry (card 利用者証明用 PIN) and SmartphonePin (Android スマホ用 PIN): a 4-digit pad with masked
// dots and the tries left (lock at 3). The digits live only in this module until 確定, then go
// straight to send() and are cleared; they are never rendered, logged or stored.

import { h, mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, footer } from './reader-parts.js';
import { noticeBanners } from './common.js';

const PIN_LENGTH = 4;
let digits = '';
let boundTo = '';

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
  if (sig !== boundTo) {
    boundTo = sig;
    digits = '';
  }
  const phone = id === 'SmartphonePin';
  const proxy = !phone && data && data.proxy;
  const tries = data ? data.tries_left : null;

  const dots = h('div', { class: 'pin-dots', testid: 'pin-display', 'aria-label': t('reader.pin.entered', { n: digits.length }) },
    Array.from({ length: PIN_LENGTH }, (_, i) => h('span', { class: ['pin-dot', i < digits.length ? 'filled' : ''] })));
  const redraw = () => render(root, snap, ctx);
  const press = (d) => {
    if (digits.length < PIN_LENGTH) digits += d;
    redraw();
  };
  const submit = () => {
    if (digits.length !== PIN_LENGTH) return;
    const value = digits;
    digits = '';
    ctx.send({ kind: 'PinEntered', value });
  };
  const pad = h('div', { class: 'pin-pad' },
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(`pin-key-${d}`, d, () => press(d))),
    key('pin-clear', t('reader.pin.clear'), () => { digits = ''; redraw(); }, 'fn'),
    key('pin-key-0', '0', () => press('0')),
    h('button', {
      type: 'button', class: ['pin-key', 'ok'], testid: 'pin-submit', disabled: digits.length !== PIN_LENGTH,
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
    footer(h('button', { type: 'button', class: 'r-btn secondary small', testid: 'pin-cancel', on: { click: () => { digits = ''; ctx.send({ kind: 'Cancel' }); } } },
      t('reader.common.back')))));
}
