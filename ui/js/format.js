// Display formatting the desk expects: 和暦 with 西暦 (令和7年12月2日 / 2025-12-02), half-width kana as received.
// Pure functions, no DOM.

const ERAS = [
  // [first day (ISO), name]: the day each era began.
  ['2019-05-01', '令和'],
  ['1989-01-08', '平成'],
  ['1926-12-25', '昭和'],
  ['1912-07-30', '大正'],
];

/** '2025-12-02' → { era: '令和', year: 7, month: 12, day: 2 } (null for dates before 大正). */
export function wareki(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (const [start, name] of ERAS) {
    if (iso.slice(0, 10) >= start) return { era: name, year: y - Number(start.slice(0, 4)) + 1, month: mo, day: d };
  }
  return null;
}

/** Japanese desk form: '令和7年12月2日 / 2025-12-02' (元年 for the first year). English: '2025-12-02 (Reiwa 7)'. */
export function formatDate(iso, lang = 'ja') {
  if (!iso) return '';
  const day = iso.slice(0, 10);
  const w = wareki(day);
  if (!w) return day;
  if (lang === 'en') {
    const roman = { 令和: 'Reiwa', 平成: 'Heisei', 昭和: 'Showa', 大正: 'Taisho' }[w.era];
    return `${day} (${roman} ${w.year})`;
  }
  const year = w.year === 1 ? '元' : String(w.year);
  return `${w.era}${year}年${w.month}月${w.day}日 / ${day}`;
}

/** '2025-12-02T09:30:00' → '2025-12-02 09:30'. */
export function formatDateTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').slice(0, 16);
}
