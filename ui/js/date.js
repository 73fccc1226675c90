// Dates as the desk types and reads them: 西暦 (19780512, 1978-05-12, 1978/5/12, 1978年5月12日) or 和暦
// (S53.5.12, S530512, 昭和53年5月12日, 平成元年1月8日, 3530512 with the era digit of レセプト), always read
// into an ISO day 'YYYY-MM-DD'. Pure functions, no DOM.

/**
 * @typedef {{ name: string, letter: string, digit: string, start: string, en: string }} Era
 * @typedef {{ era: string, year: number, month: number, day: number }} Wareki
 */

/**
 * The eras, newest first: the day each began (the day after the previous one ended). 明治 is counted from
 * the day of its proclamation, 1868-10-23 (明治元年9月8日).
 * @type {readonly Era[]}
 */
export const ERAS = Object.freeze([
  { name: '令和', letter: 'R', digit: '5', start: '2019-05-01', en: 'Reiwa' },
  { name: '平成', letter: 'H', digit: '4', start: '1989-01-08', en: 'Heisei' },
  { name: '昭和', letter: 'S', digit: '3', start: '1926-12-25', en: 'Showa' },
  { name: '大正', letter: 'T', digit: '2', start: '1912-07-30', en: 'Taisho' },
  { name: '明治', letter: 'M', digit: '1', start: '1868-10-23', en: 'Meiji' },
]);

/** @param {number} n @param {number} width */
const pad = (n, width) => String(n).padStart(width, '0');

/** 'YYYY-MM-DD' of a year, month and day (no check). */
export function iso(year, month, day) {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Whether year/month/day is a day of the Gregorian calendar. */
export function isRealDay(year, month, day) {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/**
 * The era `key` names: a kanji name (昭和), its first kanji (昭), its letter (S/s) or its レセプト digit (3).
 * @param {string} key
 * @returns {Era | null}
 */
export function eraOf(key) {
  const k = key.toUpperCase();
  return ERAS.find((e) => e.name === k || e.name[0] === k || e.letter === k || e.digit === k) || null;
}

/**
 * The ISO day of 和暦 year/month/day, or null when that day is not in the era (昭和64年2月1日, 平成31年5月1日,
 * 令和元年4月30日 do not exist).
 * @param {Era} era
 */
export function fromWareki(era, year, month, day) {
  const westernYear = Number(era.start.slice(0, 4)) + year - 1;
  if (year < 1 || !isRealDay(westernYear, month, day)) return null;
  const result = iso(westernYear, month, day);
  const next = ERAS[ERAS.indexOf(era) - 1];
  if (result < era.start || (next && result >= next.start)) return null;
  return result;
}

/**
 * The 和暦 of an ISO day (null before 明治 or for text that is not a date).
 * @param {string} day 'YYYY-MM-DD'
 * @returns {Wareki | null}
 */
export function toWareki(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return null;
  const era = ERAS.find((e) => day >= e.start);
  if (!era) return null;
  return { era: era.name, year: Number(m[1]) - Number(era.start.slice(0, 4)) + 1, month: Number(m[2]), day: Number(m[3]) };
}

/**
 * Full-width digits, letters and separators to ASCII (NFKC), dashes of every width to '-', spaces removed.
 * @param {string} text
 */
function normalize(text) {
  return String(text || '').normalize('NFKC').replace(/\s+/g, '').replace(/[ー－―‐]/g, '-');
}

const SEP = '[-/.・]';

/**
 * The ISO day `text` names, or null when it names none (or a day that does not exist).
 * Western: 19780512, 1978-05-12, 1978/5/12, 1978.5.12, 1978年5月12日.
 * Japanese era: S53.5.12, S53/5/12, S530512, s53-5-12, 昭和53年5月12日, 昭53.5.12, 平成元年1月8日, H1.1.8,
 * and the 7 digits of レセプト systems (era digit 1 明治 … 5 令和, then YYMMDD): 3530512.
 * @param {string} text
 * @returns {string | null}
 */
export function parseDate(text) {
  const s = normalize(text);
  if (!s) return null;
  const western = (y, mo, d) => {
    const [year, month, day] = [Number(y), Number(mo), Number(d)];
    return isRealDay(year, month, day) ? iso(year, month, day) : null;
  };
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return western(m[1], m[2], m[3]);
  m = new RegExp(`^(\\d{4})(?:${SEP}|年)(\\d{1,2})(?:${SEP}|月)(\\d{1,2})日?$`).exec(s);
  if (m) return western(m[1], m[2], m[3]);

  const eraKey = '(明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHRmtshr])';
  const wareki = (key, y, mo, d) => {
    const era = eraOf(key);
    if (!era) return null;
    const year = y === '元' ? 1 : Number(y);
    return fromWareki(era, year, Number(mo), Number(d));
  };
  m = new RegExp(`^${eraKey}(\\d{1,2}|元)(?:${SEP}|年)(\\d{1,2})(?:${SEP}|月)(\\d{1,2})日?$`).exec(s);
  if (m) return wareki(m[1], m[2], m[3], m[4]);
  m = new RegExp(`^${eraKey}(\\d{2})(\\d{2})(\\d{2})$`).exec(s);
  if (m) return wareki(m[1], m[2], m[3], m[4]);
  m = /^([1-5])(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (m) return wareki(m[1], m[2], m[3], m[4]);
  return null;
}

/** '1978-05-12' → '1978年5月12日' ('' for text that is not an ISO day). */
export function formatWestern(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return '';
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}

/** '1978-05-12' → '昭和53年5月12日' (元年 for the first year; '' before 明治 or for non-dates). */
export function formatWareki(day) {
  const w = toWareki(day);
  if (!w) return '';
  return `${w.era}${w.year === 1 ? '元' : w.year}年${w.month}月${w.day}日`;
}

/**
 * How the desk reads a day: '昭和53年5月12日（1978年5月12日）' in Japanese, '12 May 1978 (Showa 53)' in
 * English; the 西暦 alone before 明治; '' for text that is not an ISO day.
 * @param {string} day 'YYYY-MM-DD'
 * @param {'ja' | 'en' | string} [lang]
 */
export function readingOf(day, lang = 'ja') {
  const western = formatWestern(day);
  if (!western) return '';
  const w = toWareki(day);
  if (lang === 'en') {
    const [y, mo, d] = day.split('-').map(Number);
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][mo - 1];
    const era = w && ERAS.find((e) => e.name === w.era);
    return era && w ? `${d} ${month} ${y} (${era.en} ${w.year})` : `${d} ${month} ${y}`;
  }
  return w ? `${formatWareki(day)}（${western}）` : western;
}
