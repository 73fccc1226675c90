// Phrase-aware line breaking (ui/js/phrases.js): where dom.js puts a <wbr>.
// Run: node --test tests/ui-preview/ (part of make test and make ui-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phrases } from '../../ui/js/phrases.js';

test('Japanese breaks between phrases, not inside a word', () => {
  assert.deepEqual(phrases('カードをお取りください'), ['カードを', 'お取りください']);
  assert.deepEqual(phrases('マイナンバーカードを置いてください'), ['マイナンバーカードを', '置いてください']);
});

test('dates, times and numbers stay whole', () => {
  for (const text of ['昭和53年5月12日（1978年5月12日）生まれの方', '本日の受付 令和8年12月2日（2026年12月2日）', '受付時刻 09:30 に完了しました', '保険者番号 06133946 を確認しました']) {
    const pieces = phrases(text);
    assert.equal(pieces.join(''), text, 'the pieces give the text back');
    for (const whole of ['昭和53年5月12日', '1978年5月12日', '令和8年12月2日', '2026年12月2日', '09:30', '06133946']) {
      if (text.includes(whole)) assert.ok(pieces.some((p) => p.includes(whole)), `${whole} in one piece: ${pieces.join('|')}`);
    }
  }
});

test('a character outside the BMP is never cut in half', () => {
  const text = '𠮷田太郎さん𠮷野さん𠮷川さんの受付を完了しました';
  const pieces = phrases(text);
  assert.equal(pieces.join(''), text);
  for (const p of pieces) assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(p), `no lone surrogate: ${pieces.join('|')}`);
});

test('text without Japanese is left as it is', () => {
  assert.deepEqual(phrases('Please take your card'), ['Please take your card']);
  assert.deepEqual(phrases(''), ['']);
});
