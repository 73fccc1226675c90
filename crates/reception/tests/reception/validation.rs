//! Input validation: 保険者番号 check digit, 枝番, dates, kana, messages.

use reception::validate::*;

use crate::fakes::day;

#[test]
fn seed_insurer_number_06133946_passes_its_check_digit_s001() {
    assert_eq!(insurer_number("06133946"), Ok("06133946".into()));
}

#[test]
fn insurer_number_with_wrong_check_digit_is_rejected_with_a_check_digit_message() {
    let e = insurer_number("06133947").unwrap_err();
    assert_eq!(e.problem, Problem::CheckDigit);
    assert_eq!(e.code(), "insurer_number.check_digit");
    assert!(e.message_ja().contains("保険者番号"));
    assert!(e.message_en().contains("check digit"));
}

#[test]
fn six_digit_kokuho_numbers_carry_a_check_digit_and_other_lengths_are_rejected() {
    assert!(insurer_number("138057").is_ok());
    assert!(insurer_number("139998").is_ok());
    // A 6-digit 国保 number is checked like an 8-digit one (#12 §5): any 6 digits no longer pass.
    assert_eq!(insurer_number("138058").unwrap_err().problem, Problem::CheckDigit);
    assert_eq!(insurer_number("123456").unwrap_err().problem, Problem::CheckDigit);
    assert_eq!(insurer_number("1234567").unwrap_err().problem, Problem::Format);
    assert_eq!(insurer_number("0613394a").unwrap_err().problem, Problem::Format);
    assert_eq!(insurer_number("").unwrap_err().problem, Problem::Required);
}

#[test]
fn check_digit_doubles_from_the_right_and_sums_digits() {
    // 0,1,2,3,4,5,6 → from right: 6*2=12→3, 5, 4*2=8, 3, 2*2=4, 1, 0 → 24 → check 6.
    assert_eq!(insurer_check_digit(&[0, 1, 2, 3, 4, 5, 6]), 6);
}

#[test]
fn branch_number_is_two_digits_or_empty() {
    assert_eq!(branch("01"), Ok(Some("01".into())));
    assert_eq!(branch(""), Ok(None));
    assert_eq!(branch("1").unwrap_err().problem, Problem::Format);
    assert_eq!(branch("001").unwrap_err().problem, Problem::Format);
}

#[test]
fn dates_must_be_real_and_birthdates_not_in_the_future() {
    assert_eq!(
        date("2025-02-30", Field::Date).unwrap_err().problem,
        Problem::NotADate
    );
    assert_eq!(date("20240229", Field::Date), Ok(day(2024, 2, 29)));
    assert_eq!(
        birthdate("2030-01-01", day(2025, 6, 10)).unwrap_err().problem,
        Problem::InFuture
    );
}

#[test]
fn kana_accepts_katakana_and_rejects_kanji_and_latin() {
    assert!(kana("モギ タロウ").is_ok());
    assert!(kana("ﾓｷﾞ ﾀﾛｳ").is_ok());
    assert_eq!(kana("模擬").unwrap_err().problem, Problem::NotKana);
    assert_eq!(kana("Taro").unwrap_err().problem, Problem::NotKana);
}

#[test]
fn number_entry_reports_every_problem_at_once() {
    let e = NumberEntry {
        insurer_number: "06133947".into(),
        symbol: "".into(),
        number: "".into(),
        branch: "1".into(),
        birthdate: "1980-13-01".into(),
        limit_consent: false,
    };
    let errs = e.validate(day(2025, 6, 10)).unwrap_err();
    let codes: Vec<String> = errs.iter().map(ValidationError::code).collect();
    assert_eq!(
        codes,
        [
            "insurer_number.check_digit",
            "number.required",
            "branch.format",
            "birthdate.not_a_date"
        ]
    );
}
