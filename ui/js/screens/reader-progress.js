// Waiting states: ReadingCard, Verifying, Registering, LookingUpPrevious and Querying (spinner with
// the elapsed seconds the snapshot carries; the cancel → fallback is on the staff console).

import { mount } from '../dom.js';
import { screenOf } from '../view.js';
import { screen, title, lead, spinner } from './reader-parts.js';
import { noticeBanners } from './common.js';

export function render(root, snap, ctx) {
  const { t } = ctx;
  const [id, data] = screenOf(snap);
  const caption = id === 'Querying' ? t('reader.progress.elapsed', { n: (data && data.elapsed_secs) || 0 }) : null;
  mount(root, screen(id,
    title(t(`reader.progress.${id}`)),
    noticeBanners(ctx, snap, 'reader'),
    spinner(caption),
    lead(t('reader.progress.keep_card'), 'small')));
}
