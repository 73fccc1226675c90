// Phrase-aware line breaking for Japanese: where a line may break without cutting a word
// (「カードを／お取りください」, never 「カードをお取りくだ／さい」). Phrases come from BudouX's Japanese
// model (vendor/budoux, Apache-2.0); dates, times and Latin words or numbers stay whole. dom.js puts a
// <wbr> between phrases and the CSS (word-break: keep-all) breaks only there. Pure functions, no DOM.

import { Parser } from './vendor/budoux/parser.js';
import { model } from './vendor/budoux/ja.js';

const parser = new Parser(model);

/** Kana, kanji (also outside the BMP, e.g. 𠮷) and the Japanese iteration marks. */
const JAPANESE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆〇]|[\u{20000}-\u{3ffff}]/u;

/** Spans that must not break: dates (和暦 and 西暦, ISO), times, and runs of Latin letters and digits. */
const WHOLE = [
  /(?:明治|大正|昭和|平成|令和)(?:\d{1,2}|元)年(?:\d{1,2}月(?:\d{1,2}日)?)?/g,
  /\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?/g,
  /\d{1,2}月\d{1,2}日/g,
  /\d{4}-\d{2}-\d{2}/g,
  /\d{1,2}:\d{2}(?::\d{2})?/g,
  /[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+/g,
];

/**
 * [start, end) offsets of the spans of `text` that stay whole.
 * @param {string} text
 * @returns {[number, number][]}
 */
export function wholeSpans(text) {
  return WHOLE.flatMap((re) => [...text.matchAll(re)].map((m) => /** @type {[number, number]} */ ([m.index ?? 0, (m.index ?? 0) + m[0].length])));
}

/**
 * Where `text` may break (offsets between UTF-16 code units): BudouX's phrase boundaries less those
 * inside a whole span or a surrogate pair.
 * @param {string} text
 * @returns {number[]}
 */
export function breakOffsets(text) {
  if (!JAPANESE.test(text)) return [];
  const spans = wholeSpans(text);
  return parser.parseBoundaries(text).filter((i) => {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) return false;
    return !spans.some(([start, end]) => start < i && i < end);
  });
}

const cache = new Map();
const CACHE_LIMIT = 4000;

/**
 * `text` cut into the pieces between which a line may break; joined they give `text` back. Text without
 * Japanese is one piece.
 * @param {string} text
 * @returns {string[]}
 */
export function phrases(text) {
  const hit = cache.get(text);
  if (hit) return hit;
  const out = [];
  let start = 0;
  for (const i of breakOffsets(text)) {
    out.push(text.slice(start, i));
    start = i;
  }
  out.push(text.slice(start));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, out);
  return out;
}
