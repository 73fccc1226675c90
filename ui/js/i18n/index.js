// Copy lookup: t('reader.pin.title', { n: 3 }) → the string with {n} filled in. Missing keys show the
// key itself (visible in screenshots, caught by tests/ui-preview/check-i18n.mjs for the static ones).

import ja from './ja.js';
import en from './en.js';

const TABLES = { ja, en };

export function makeT(lang) {
  const table = TABLES[lang] || ja;
  return (key, params = {}) => {
    const s = table[key] ?? ja[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_, p) => (params[p] === undefined ? `{${p}}` : String(params[p])));
  };
}

/** Has the key? (used for optional copy such as per-code explanations) */
export function hasKey(key) {
  return Object.prototype.hasOwnProperty.call(ja, key);
}

export const LANGS = ['ja', 'en'];
