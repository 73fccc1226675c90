// Waiting states: ReadingCard, Verifying, Registering, LookingUpPrevious and Querying (spinner with the
// elapsed seconds; the cancel → fallback is on the staff console).
//
// The driver publishes a snapshot every time the elapsed seconds of the call in flight tick (`snap.busy`,
// from the driver's clock), so this screen only shows what it is given. Display only: no flow logic here.

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, spinner } from './reader-parts.js';
import { noticeBanners } from './common.js';

/** Seconds the awaited call has taken, as the driver counts them (Querying: since the first request). */
export function elapsedOf(snap) {
  const [id, data] = screenOf(snap);
  if (id === 'Querying' && data && typeof data.elapsed_secs === 'number') return data.elapsed_secs;
  return snap.busy ? snap.busy.elapsed_secs : null;
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id] = screenOf(snap);
  const n = elapsedOf(snap);
  const caption = n !== null ? t('reader.progress.elapsed', { n }) : null;
  mount(root, screen(id,
    title(t(`reader.progress.${id}`)),
    noticeBanners(ctx, snap, 'reader'),
    spinner(caption),
    lead(t('reader.progress.keep_card'), 'small')));
}
