//! The one check of what a transcribed My Number (個人番号) looks like, for every place that keeps or writes text:
//! the store's fields, the settings, the CSV export and the face-result files a レセコン reads (domain.md §5).

/// True if `s` holds a run of exactly 12 digits (ASCII, full-width or kanji 〇一二…九), allowing one separator
/// between digit groups as people type or paste them: space, NBSP, ideographic space, tab, `-` `.` `,` `/` `_`,
/// their full-width forms, the Unicode dashes and minus, and ー. A 12-digit run is what a transcribed My Number
/// (個人番号) looks like; the clinic must never keep one (domain.md §5), so every free or structured text field
/// is refused if it contains one. Runs of 13+ digits are something else (e.g. a 14-digit `YYYYMMDDHHMMSS`) and
/// are not refused.
pub fn contains_twelve_digit_run(s: &str) -> bool {
    let mut digits = 0usize;
    let mut pending_sep = false;
    for c in s.chars() {
        if is_digit(c) {
            digits += 1;
            pending_sep = false;
        } else if digits > 0 && !pending_sep && is_group_separator(c) {
            // One separator between digit groups keeps the run going ("1234 5678 9012").
            pending_sep = true;
        } else {
            if digits == 12 {
                return true;
            }
            digits = 0;
            pending_sep = false;
        }
    }
    digits == 12
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇一二三四五六七八九".contains(c)
}

fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '　'
            | '\t'
            | '-'
            | '.'
            | ','
            | '/'
            | '_'
            | '－'
            | '．'
            | '，'
            | '／'
            | '＿'
            | 'ー'
            | '・'
            | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_digit_runs_are_detected_in_any_common_spelling() {
        assert!(contains_twelve_digit_run("123456789012"));
        assert!(contains_twelve_digit_run("note: 1234 5678 9012."));
        assert!(contains_twelve_digit_run("1234-5678-9012"));
        assert!(contains_twelve_digit_run("１２３４５６７８９０１２"));
        for spelled in [
            "1234.5678.9012",
            "1234,5678,9012",
            "1234/5678/9012",
            "1234_5678_9012",
            "1234\u{a0}5678\u{a0}9012",
            "1234\t5678\t9012",
            "1234\u{2010}5678\u{2013}9012",
            "1234\u{2212}5678\u{2014}9012",
            "１２３４－５６７８－９０１２",
            "１２３４／５６７８．９０１２",
            "一二三四五六七八九〇一二",
            "一二三四 五六七八 九〇一二",
        ] {
            assert!(contains_twelve_digit_run(spelled), "{spelled:?}");
        }
    }

    #[test]
    fn shorter_and_longer_digit_runs_are_not_my_numbers() {
        assert!(!contains_twelve_digit_run("06133946")); // 保険者番号, 8 digits
        assert!(!contains_twelve_digit_run("090-1234-5678")); // phone, 11 digits
        assert!(!contains_twelve_digit_run("20250101093000")); // YYYYMMDDHHMMSS, 14 digits
        assert!(!contains_twelve_digit_run("2025-01-01 09:30:00"));
        assert!(!contains_twelve_digit_run("1234  5678 9012")); // two separators break the run
    }
}
