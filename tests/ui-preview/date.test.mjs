// The date reader of the staff forms (ui/js/date.js) and the desk's date display (ui/js/format.js).
// Run: node --test tests/ui-preview/ (part of make test and make ui-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, readingOf, toWareki, formatWareki } from '../../ui/js/date.js';
import { formatDate } from '../../ui/js/format.js';

test('western dates in every way the desk types them', () => {
  for (const typed of ['19780512', '1978-05-12', '1978/5/12', '1978.5.12', '1978年5月12日', '１９７８／５／１２', ' 1978-5-12 ']) {
    assert.equal(parseDate(typed), '1978-05-12', typed);
  }
});

test('和暦 by letter, kanji, compact digits and the レセプト era digit', () => {
  for (const typed of ['S53.5.12', 's53.5.12', 'S53/5/12', 'S53-05-12', 'S530512', '昭和53年5月12日', '昭53.5.12', 'Ｓ５３．５．１２', '3530512']) {
    assert.equal(parseDate(typed), '1978-05-12', typed);
  }
  assert.equal(parseDate('R8.12.2'), '2026-12-02');
  assert.equal(parseDate('令和8年12月2日'), '2026-12-02');
  assert.equal(parseDate('R081202'), '2026-12-02');
  assert.equal(parseDate('T1.7.30'), '1912-07-30');
  assert.equal(parseDate('M45.7.29'), '1912-07-29');
  assert.equal(parseDate('明治1年10月23日'), '1868-10-23');
});

test('元年 and year 1 are the same year', () => {
  assert.equal(parseDate('平成元年1月8日'), '1989-01-08');
  assert.equal(parseDate('H1.1.8'), '1989-01-08');
  assert.equal(parseDate('H元.1.8'), '1989-01-08');
  assert.equal(parseDate('令和元年5月1日'), '2019-05-01');
});

test('a day outside its era does not exist', () => {
  assert.equal(parseDate('昭和64年1月7日'), '1989-01-07');
  assert.equal(parseDate('昭和64年1月8日'), null, 'that day is 平成元年');
  assert.equal(parseDate('昭和64年2月1日'), null);
  assert.equal(parseDate('平成元年1月7日'), null, 'still 昭和');
  assert.equal(parseDate('H31.4.30'), '2019-04-30');
  assert.equal(parseDate('H31.5.1'), null);
  assert.equal(parseDate('R1.4.30'), null);
  assert.equal(parseDate('T15.12.25'), null);
  assert.equal(parseDate('S1.12.25'), '1926-12-25');
  assert.equal(parseDate('M1.10.22'), null, 'before the proclamation of 明治');
  assert.equal(parseDate('R0.1.1'), null);
});

test('days that do not exist and text that is no date', () => {
  for (const typed of ['', '   ', '1978-02-30', '19780231', '2023-02-29', '1978-13-01', 'S53.2.30', 'X53.5.12', '1978-5', 'H1', '昭和', '0612345', 'abc', '06133946']) {
    assert.equal(parseDate(typed), null, typed);
  }
  assert.equal(parseDate('2024-02-29'), '2024-02-29', 'leap year');
  assert.equal(parseDate('2000-02-29'), '2000-02-29', '400-year leap year');
  assert.equal(parseDate('1900-02-29'), null, 'not a leap year');
});

test('the reading shown next to the field', () => {
  assert.equal(readingOf('1978-05-12'), '昭和53年5月12日（1978年5月12日）');
  assert.equal(readingOf('1989-01-08'), '平成元年1月8日（1989年1月8日）');
  assert.equal(readingOf('2026-12-02'), '令和8年12月2日（2026年12月2日）');
  assert.equal(readingOf('1850-01-01'), '1850年1月1日', 'before 明治: 西暦 only');
  assert.equal(readingOf('1978-05-12', 'en'), '12 May 1978 (Showa 53)');
  assert.equal(readingOf('not a date'), '');
  assert.deepEqual(toWareki('1989-01-07'), { era: '昭和', year: 64, month: 1, day: 7 });
  assert.equal(formatWareki('2019-05-01'), '令和元年5月1日');
});

test('dates elsewhere on the page read 年月日, not ISO', () => {
  assert.equal(formatDate('2026-12-02'), '令和8年12月2日（2026年12月2日）');
  assert.equal(formatDate('2026-12-02T09:30:00'), '令和8年12月2日（2026年12月2日）');
  assert.equal(formatDate('2025-12-02', 'en'), '2025-12-02 (Reiwa 7)');
  assert.equal(formatDate(''), '');
});

test('a consent expiry reads as the desk says it', async () => {
  const { formatMoment } = await import('../../ui/js/format.js');
  assert.equal(formatMoment('2026-12-03T09:05:00', 'ja'), '12月3日 9:05');
  assert.equal(formatMoment('2026-12-03T11:11:00', 'en'), '2026-12-03 11:11');
  assert.equal(formatMoment(null, 'ja'), '');
});
