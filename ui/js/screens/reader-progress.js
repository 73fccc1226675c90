// Waiting states: ReadingCard, Verifying, Registering, LookingUpPrevious and Querying (spinner with the
// elapsed seconds; the cancel → fallback is on the staff console).
//
// While the eligibility query is in flight the driver is busy and sends no snapshots, so the elapsed-seconds
// caption counts up locally from the last snapshot's value. Display only: no flow logic here.

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, spinner } from './reader-parts.js';
import { noticeBanners } from './common.js';

let ticker = null;

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  if (ticker) { clearInterval(ticker); ticker = null; }
  const base = (id === 'Querying' && data && data.elapsed_secs) || 0;
  const caption = id === 'Querying' ? t('reader.progress.elapsed', { n: base }) : null;
  mount(root, screen(id,
    title(t(`reader.progress.${id}`)),
    noticeBanners(ctx, snap, 'reader'),
    spinner(caption),
    lead(t('reader.progress.keep_card'), 'small')));
  if (id === 'Querying') {
    const started = Date.now();
    ticker = setInterval(() => {
      const el = root.querySelector('[data-testid="reader-progress-caption"]');
      if (!el || !el.isConnected) { clearInterval(ticker); ticker = null; return; }
      el.textContent = t('reader.progress.elapsed', { n: base + Math.floor((Date.now() - started) / 1000) });
    }, 1000);
  }
}
