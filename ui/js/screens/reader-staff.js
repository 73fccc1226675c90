// Staff-led moments seen from the patient's side: VisualCheck (staff compare the card photo with
// the patient), Fallback (staff continue at the desk) and Hotline (sheet open on the console).

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
  const which = id === 'VisualCheck' ? 'visual' : id === 'Hotline' ? 'hotline' : 'fallback';
  mount(root, screen(id || 'Unknown',
    title(t(`reader.staff.${which}_title`)),
    picture('staff'),
    lead(t(`reader.staff.${which}_lead`)),
    noticeBanners(ctx, snap, 'reader')));
}
