// Display formatting the desk expects: 和暦 with 西暦 (令和7年12月2日（2025年12月2日）), half-width kana as received.
// Pure functions, no DOM.

import { readingOf, toWareki } from './date.js';

/** '2025-12-02' → { era: '令和', year: 7, month: 12, day: 2 } (null for dates before 明治). */
export function wareki(iso) {
  return toWareki((iso || '').slice(0, 10));
}

/**
 * Japanese desk form: '令和7年12月2日（2025年12月2日）' (元年 for the first year; the 西暦 alone before 明治).
 * English: '2025-12-02 (Reiwa 7)'. The page keeps a date on one line (dom.js).
 */
export function formatDate(iso, lang = 'ja') {
  if (!iso) return '';
  const day = iso.slice(0, 10);
  if (lang === 'en') {
    const w = wareki(day);
    if (!w) return day;
    const roman = { 令和: 'Reiwa', 平成: 'Heisei', 昭和: 'Showa', 大正: 'Taisho', 明治: 'Meiji' }[w.era];
    return `${day} (${roman} ${w.year})`;
  }
  return readingOf(day, 'ja') || day;
}

/** '2025-12-02T09:30:00' → '2025-12-02 09:30'. */
export function formatDateTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').slice(0, 16);
}

/**
 * A moment the desk reads at a glance (a consent's expiry): '2025-12-03T09:05:00' → ja '12月3日 9:05',
 * en '2025-12-03 09:05'. The day is the clinic's wall time as stored.
 * @param {string | null | undefined} iso
 * @param {'ja' | 'en'} [lang]
 */
export function formatMoment(iso, lang = 'ja') {
  if (!iso) return '';
  if (lang === 'en') return formatDateTime(iso);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return formatDateTime(iso);
  return `${Number(m[2])}月${Number(m[3])}日 ${Number(m[4])}:${m[5]}`;
}
