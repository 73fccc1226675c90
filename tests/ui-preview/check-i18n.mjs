// Checks the UI copy: ui/js/i18n/ja.js and en.js have identical key sets, no empty strings, the same
// {placeholders} per key, every literal t('key') used in ui/js exists, and every value of the contract
// enums the page shows as copy (error keys, store values) has a key. Run: node tests/ui-preview/check-i18n.mjs
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = async (lang) => (await import(pathToFileURL(join(root, 'ui/js/i18n', `${lang}.js`)).href)).default;
const ja = await load('ja');
const en = await load('en');
const problems = [];

const jaKeys = new Set(Object.keys(ja));
const enKeys = new Set(Object.keys(en));
for (const k of jaKeys) if (!enKeys.has(k)) problems.push(`en.js lacks key ${k}`);
for (const k of enKeys) if (!jaKeys.has(k)) problems.push(`ja.js lacks key ${k}`);
const holes = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
for (const [name, table] of [['ja', ja], ['en', en]]) {
  for (const [k, v] of Object.entries(table)) {
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${name}.js: empty or non-string value for ${k}`);
  }
}
for (const k of jaKeys) if (enKeys.has(k) && holes(ja[k]) !== holes(en[k])) problems.push(`placeholders differ for ${k}: ja {${holes(ja[k])}} en {${holes(en[k])}}`);

// Literal keys used by the screens: t('a.b.c') / ctx.t("a.b").
const walk = (dir) => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith('.js') && !p.includes('/i18n/') ? [p] : [];
});
let used = 0;
for (const file of walk(join(root, 'ui/js'))) {
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/\bt\(\s*'([a-z][\w.]*)'/g)) {
    used += 1;
    if (!jaKeys.has(m[1])) problems.push(`${file.slice(root.length + 1)} uses missing key ${m[1]}`);
  }
}

// Copy for every value of the enums the page turns into keys, read from the contract generated from Rust
// (ui/js/contract/): a new error key or store value without ja/en copy fails here.
const ENUM_COPY = {
  'app/Key.ts': 'uierror.',
  'store/Outcome.ts': 'store.outcome.',
  'store/IdentityMethod.ts': 'store.identity.',
  'store/Fallback.ts': 'store.fallback.',
  'reception/VisitKind.ts': 'store.kind.',
  'reception/Operator.ts': 'operator.',
  'reception/ProblemKind.ts': ['problem.', 'fallback.rule.'],
  'reception/Sex.ts': 'sex.',
};
let enumValues = 0;
for (const [file, prefix] of Object.entries(ENUM_COPY)) {
  let src;
  try {
    src = readFileSync(join(root, 'ui/js/contract', file), 'utf8');
  } catch {
    problems.push(`ui/js/contract/${file} is missing (run make contract)`);
    continue;
  }
  const decl = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').split('export type ')[1] || '';
  const values = [...decl.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  if (!values.length) problems.push(`ui/js/contract/${file}: no string values found`);
  for (const v of values) {
    for (const p of [prefix].flat()) {
      enumValues += 1;
      if (!jaKeys.has(p + v)) problems.push(`no copy ${p}${v} for ${file}`);
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-i18n: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-i18n: ok (${jaKeys.size} keys in ja and en, ${used} literal uses and ${enumValues} contract enum values checked)`);
