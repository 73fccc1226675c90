//! Nothing that must not be kept is kept: the schema has no place for it, and a filled database and its
//! exports contain no 12-digit number, no PIN-like field and no image.

use crate::common::*;
use store::sample::SampleClinic;
use store::*;

/// Column-name words that would mean a forbidden value has a home.
const FORBIDDEN_NAME_PARTS: [&str; 14] = [
    "mynumber",
    "my_number",
    "kojin",
    "個人番号",
    "マイナンバー",
    "pin",
    "password",
    "passcode",
    "暗証",
    "照合",
    "photo",
    "image",
    "face",
    "embedding",
];

fn forbidden_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    let tokens: Vec<&str> = lower.split(['_', ' ']).collect();
    FORBIDDEN_NAME_PARTS.iter().any(|part| {
        // ASCII parts must be a whole token (so `pin` does not match `shipping`); Japanese parts are substrings.
        if part.is_ascii() {
            tokens.contains(part) || lower == *part || lower.contains("mynumber")
        } else {
            lower.contains(part)
        }
    })
}

/// Every problem found in a SQLite file: forbidden column names, BLOB-typed columns, non-STRICT tables,
/// blob cells, 12-digit runs, and text long enough to hide an encoded image.
fn scan_database(c: &rusqlite::Connection) -> Vec<String> {
    let mut problems = Vec::new();
    let tables: Vec<(String, String)> = c
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (table, sql) in &tables {
        if !sql.trim_end().ends_with("STRICT") {
            problems.push(format!("{table} is not STRICT"));
        }
        let cols: Vec<(String, String)> = c
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap()
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (col, ty) in &cols {
            if forbidden_name(col) {
                problems.push(format!("{table}.{col}: forbidden column name"));
            }
            if ty.eq_ignore_ascii_case("BLOB") || ty.eq_ignore_ascii_case("ANY") {
                problems.push(format!("{table}.{col}: column type {ty} can hold an image"));
            }
            let mut stmt = c.prepare(&format!("SELECT \"{col}\" FROM \"{table}\"")).unwrap();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                match row.get_ref(0).unwrap() {
                    rusqlite::types::ValueRef::Blob(_) => problems.push(format!("{table}.{col}: blob value")),
                    rusqlite::types::ValueRef::Text(t) => {
                        let t = String::from_utf8_lossy(t);
                        if contains_twelve_digit_run(&t) {
                            problems.push(format!("{table}.{col}: 12-digit number {t:?}"));
                        }
                        if t.len() > 2048 {
                            problems.push(format!("{table}.{col}: {} bytes of text", t.len()));
                        }
                    }
                    rusqlite::types::ValueRef::Integer(n)
                        if (100_000_000_000..1_000_000_000_000).contains(&n) =>
                    {
                        problems.push(format!("{table}.{col}: 12-digit integer {n}"))
                    }
                    _ => {}
                }
            }
        }
    }
    problems
}

fn scan_csv(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let header = text.lines().next().unwrap_or("");
    for col in header.split(',') {
        if forbidden_name(col) {
            problems.push(format!("export column {col}"));
        }
    }
    if contains_twelve_digit_run(text) {
        problems.push("export holds a 12-digit number".into());
    }
    problems
}

fn filled_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("live.sqlite");
    let mut s = Store::create(&path, Mode::Live).unwrap();
    let clinic = SampleClinic {
        mode: Mode::Live,
        patients: 300,
        visits_per_day: 60,
        first_day: date(2026, 1, 5),
    };
    let batch: Vec<_> = (0..600).map(|i| clinic.reception(i)).collect();
    s.save_completed_receptions(&batch).unwrap();
    s.save_completed_reception(&full_reception(Mode::Live, "full", time(2026, 1, 5, 12, 0)))
        .unwrap();
    path
}

#[test]
fn the_scanner_itself_finds_a_planted_my_number_blob_and_pin_column() {
    // The scan must be able to fail, or it proves nothing.
    let c = rusqlite::Connection::open_in_memory().unwrap();
    c.execute_batch(
        "CREATE TABLE t (note TEXT, pin_code TEXT, photo BLOB);
         INSERT INTO t VALUES ('番号 1234-5678-9012', '1234', x'FFD8FFE0');",
    )
    .unwrap();
    let problems = scan_database(&c);
    assert!(problems.iter().any(|p| p.contains("12-digit")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("t.pin_code")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("blob value")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("not STRICT")), "{problems:?}");
    assert!(!scan_csv("受付日時,暗証番号\r\n").is_empty());
}

#[test]
fn a_filled_database_has_no_my_number_pin_field_or_image_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled_file(&dir);
    let c = rusqlite::Connection::open(&path).unwrap();
    let visits: i64 = c
        .query_row("SELECT count(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(visits, 601, "the scan ran over a filled file");
    let problems = scan_database(&c);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn exports_in_both_encodings_have_no_forbidden_column_or_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled_file(&dir);
    let s = Store::open(&path, Mode::Live).unwrap();
    let utf8 = s.export_day_csv(date(2026, 1, 5), CsvEncoding::Utf8Bom).unwrap();
    let text = std::str::from_utf8(&utf8[3..]).unwrap();
    assert!(text.lines().count() > 50, "the export is not empty");
    assert_eq!(scan_csv(text), Vec::<String>::new());
    let sjis = s.export_day_csv(date(2026, 1, 5), CsvEncoding::ShiftJis).unwrap();
    let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert_eq!(scan_csv(&decoded), Vec::<String>::new());
}
