//! The kana search key: one spelling for a name whichever way it was typed or received.
//!
//! OQS returns カナ in half-width (「ｼﾝﾘｮｳ ﾀﾛｳ」), staff type full-width katakana or hiragana, with or without
//! the space between family and given name. The key is full-width katakana without spaces or middle dots,
//! with half-width voiced marks folded into their letter. Deliberately not here: romaji, kanji readings or
//! fuzzy matching — the desk searches by prefix of the kana it hears.

/// Half-width katakana U+FF66..=U+FF9D in order, as full-width.
const HALF_WIDTH: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

fn half_to_full(c: char) -> Option<char> {
    let idx = (c as u32).checked_sub(0xFF66)?;
    HALF_WIDTH.chars().nth(usize::try_from(idx).ok()?)
}

fn voiced(c: char) -> Option<char> {
    if c == 'ウ' {
        return Some('ヴ');
    }
    if "カキクケコサシスセソタチツテトハヒフヘホ".contains(c) {
        return char::from_u32(c as u32 + 1);
    }
    None
}

fn semi_voiced(c: char) -> Option<char> {
    if "ハヒフヘホ".contains(c) {
        return char::from_u32(c as u32 + 2);
    }
    None
}

/// The normalised search key of a kana name.
pub fn search_key(kana: &str) -> String {
    let mut out = String::with_capacity(kana.len());
    for c in kana.chars() {
        let c = match c {
            // Hiragana ぁ..ゖ → katakana.
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            '\u{FF66}'..='\u{FF9D}' => half_to_full(c).unwrap_or(c),
            // Voiced / semi-voiced marks (half-width, spacing and combining) fold into the previous letter.
            '\u{FF9E}' | '\u{309B}' | '\u{3099}' | '\u{FF9F}' | '\u{309C}' | '\u{309A}' => {
                let dakuten = matches!(c, '\u{FF9E}' | '\u{309B}' | '\u{3099}');
                let folded = out.pop().and_then(|prev| {
                    let f = if dakuten { voiced(prev) } else { semi_voiced(prev) };
                    f.or_else(|| {
                        out.push(prev);
                        None
                    })
                });
                if let Some(f) = folded {
                    out.push(f);
                }
                continue;
            }
            ' ' | '\u{3000}' | '・' | '･' => continue,
            c => c,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::search_key;

    #[test]
    fn half_width_full_width_and_hiragana_spellings_share_one_key() {
        let key = search_key("シンリョウ タロウ");
        assert_eq!(key, "シンリョウタロウ");
        assert_eq!(search_key("ｼﾝﾘｮｳ ﾀﾛｳ"), key);
        assert_eq!(search_key("しんりょう　たろう"), key);
    }

    #[test]
    fn half_width_voiced_marks_fold_into_their_letter() {
        assert_eq!(search_key("ｶﾞｸﾎﾟﾝ ｳﾞｨ"), "ガクポンヴィ");
        // A stray mark after a letter that cannot carry it is dropped, not glued on.
        assert_eq!(search_key("ｱﾞ"), "ア");
    }
}
