// Error screens: every ErrorCode (incl. Paper refusals) gets a polite explanation and what happens
// next. Staff see the technical reason on the console; the reader keeps it simple.

import { mount } from '../dom.js';
import { screenOf, errorKey } from '../view.js';
import { hasKey } from '../i18n/index.js';
import { screen, title, lead, picture } from './reader-parts.js';
import { noticeBanners } from './common.js';

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const [, data] = screenOf(snap);
  const key = `error.reader.${errorKey(data && data.code)}`;
  mount(root, screen('Error',
    title(t('reader.error.title')),
    lead(hasKey(key) ? t(key) : t('error.reader.Unknown'), 'warn-box'),
    noticeBanners(ctx, snap, 'reader'),
    picture('staff'),
    lead(t('reader.error.staff'), 'small')));
}
