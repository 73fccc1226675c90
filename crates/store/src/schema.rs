//! Embedded, versioned migrations (`PRAGMA user_version`). The list is history: a released step is never
//! edited, only followed by a new one, so every file ever written can be brought forward.
//!
//! Privacy is part of the schema: there is no column for a My Number, PIN, 照合番号B, photo or face data,
//! every table is STRICT (a TEXT column cannot smuggle a BLOB), and no column has BLOB type. The audit log is
//! append-only by trigger, and a visit's mode must equal the file's mode, also by trigger.

use rusqlite::Transaction;

use crate::error::StoreError;

/// One migration step.
pub(crate) enum Step {
    Sql(&'static str),
    /// Data changes that need Rust (e.g. the kana search key backfill).
    Rust(fn(&Transaction<'_>) -> Result<(), StoreError>),
}

/// `MIGRATIONS[i]` takes a file from version `i` to version `i + 1`.
pub(crate) const MIGRATIONS: &[&[Step]] = &[
    &[Step::Sql(V1)],
    &[Step::Sql(V2), Step::Rust(backfill_kana_key)],
    &[Step::Sql(V3)],
    &[Step::Sql(V4)],
    &[Step::Sql(V5)],
    &[Step::Sql(V6)],
    &[Step::Sql(V7)],
    &[Step::Sql(V8)],
];

/// The version this program writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// v1: the reception record.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE patients (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT patient_name_present CHECK (length(name) BETWEEN 1 AND 100),
    name_kana  TEXT NOT NULL CONSTRAINT patient_kana_length CHECK (length(name_kana) <= 100),
    name_other TEXT CONSTRAINT patient_other_name_length CHECK (length(name_other) <= 100),
    birthdate  TEXT NOT NULL CONSTRAINT patient_birthdate_is_date
               CHECK (birthdate GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    sex        TEXT NOT NULL CONSTRAINT patient_sex_code CHECK (sex IN ('male', 'female', 'unset'))
) STRICT;

CREATE TABLE visits (
    id         INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE CONSTRAINT visit_session_length CHECK (length(session_id) BETWEEN 1 AND 100),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    mode       TEXT NOT NULL CONSTRAINT visit_mode_code CHECK (mode IN ('live', 'training')),
    at         TEXT NOT NULL CONSTRAINT visit_time_is_time CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    kind       TEXT NOT NULL CONSTRAINT visit_kind_code CHECK (kind IN ('first', 'return')),
    identity   TEXT NOT NULL CONSTRAINT visit_identity_code CHECK (identity IN ('face', 'pin', 'staff_visual', 'no_card')),
    presenter  TEXT NOT NULL CONSTRAINT visit_presenter_code CHECK (presenter IN ('patient', 'proxy', 'staff_assisted')),
    outcome    TEXT NOT NULL CONSTRAINT visit_outcome_code CHECK (outcome IN
               ('confirmed', 'history_used', 'paper_document', 'declaration', 'full_payment', 'abandoned')),
    fallback   TEXT CONSTRAINT visit_fallback_code CHECK (fallback IN ('card_with_notice', 'card_with_portal_pdf',
               'revisit_history', 'declaration', 'full_payment', 'qualification_certificate', 'legacy_card', 'school_trip')),
    staff      TEXT CONSTRAINT visit_staff_length CHECK (length(staff) <= 100),
    note       TEXT CONSTRAINT visit_note_length CHECK (length(note) <= 2000)
) STRICT;
CREATE INDEX visits_by_patient ON visits(patient_id);

-- Training and live rows never share a file: a visit must carry the file's own mode.
CREATE TRIGGER visits_mode_matches_file BEFORE INSERT ON visits
WHEN NEW.mode IS NOT (SELECT value FROM meta WHERE key = 'mode')
BEGIN
    SELECT RAISE(ABORT, 'visit mode does not match the mode of this database file');
END;

CREATE TABLE eligibility_snapshots (
    id                  INTEGER PRIMARY KEY,
    visit_id            INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    patient_id          INTEGER NOT NULL REFERENCES patients(id),
    confirmation_date   TEXT NOT NULL,
    processed_at        TEXT,
    reference           TEXT NOT NULL CONSTRAINT eligibility_reference_code CHECK (reference IN ('card', 'insurance_numbers')),
    validity            TEXT NOT NULL CONSTRAINT eligibility_validity_length CHECK (length(validity) BETWEEN 1 AND 4),
    insurer_number      TEXT NOT NULL CONSTRAINT eligibility_insurer_number_length CHECK (length(insurer_number) <= 8),
    insurer_name        TEXT,
    card_symbol         TEXT,
    card_number         TEXT NOT NULL,
    branch_number       TEXT,
    relationship        TEXT CONSTRAINT eligibility_relationship_code CHECK (relationship IN ('insured', 'dependant')),
    insured_name        TEXT,
    name                TEXT NOT NULL,
    name_kana           TEXT NOT NULL,
    sex                 TEXT NOT NULL CONSTRAINT eligibility_sex_code CHECK (sex IN ('male', 'female', 'unset')),
    birthdate           TEXT NOT NULL,
    card_classification TEXT,
    valid_from          TEXT,
    valid_until         TEXT,
    copay_percent       INTEGER CONSTRAINT eligibility_copay_percent CHECK (copay_percent BETWEEN 0 AND 100),
    elderly_valid_from  TEXT,
    elderly_valid_until TEXT,
    limit_class         TEXT,
    limit_valid_from    TEXT,
    limit_valid_until   TEXT,
    preschool           INTEGER NOT NULL CHECK (preschool IN (0, 1)),
    reason_of_loss      TEXT,
    result_code         TEXT,
    result_message      TEXT CONSTRAINT eligibility_message_length CHECK (length(result_message) <= 1000)
) STRICT;
CREATE INDEX eligibility_by_patient ON eligibility_snapshots(patient_id);

CREATE TABLE consents (
    id                INTEGER PRIMARY KEY,
    visit_id          INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    patient_id        INTEGER NOT NULL REFERENCES patients(id),
    given_at          TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    scope             TEXT NOT NULL CONSTRAINT consent_scope_code CHECK (scope IN ('comprehensive', 'individual')),
    item_medical      INTEGER NOT NULL CHECK (item_medical IN (0, 1)),
    item_surgery      INTEGER NOT NULL CHECK (item_surgery IN (0, 1)),
    item_checkups     INTEGER NOT NULL CHECK (item_checkups IN (0, 1)),
    flag_pharmacists  INTEGER NOT NULL CONSTRAINT consent_flag_code CHECK (flag_pharmacists BETWEEN 0 AND 3),
    flag_diagnosis    INTEGER NOT NULL CONSTRAINT consent_flag_code CHECK (flag_diagnosis BETWEEN 0 AND 3),
    flag_operation    INTEGER NOT NULL CONSTRAINT consent_flag_code CHECK (flag_operation BETWEEN 0 AND 3),
    flag_checkups     INTEGER NOT NULL CONSTRAINT consent_flag_code CHECK (flag_checkups BETWEEN 0 AND 3),
    flag_limit        INTEGER NOT NULL CONSTRAINT consent_flag_code CHECK (flag_limit BETWEEN 0 AND 3),
    CONSTRAINT consent_expiry_after_consent CHECK (expires_at > given_at)
) STRICT;
CREATE INDEX consents_by_patient ON consents(patient_id);

CREATE TABLE paper_documents (
    id             INTEGER PRIMARY KEY,
    visit_id       INTEGER NOT NULL REFERENCES visits(id),
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL CONSTRAINT document_kind_code CHECK (kind IN
                   ('qualification_certificate', 'eligibility_notice', 'portal_pdf', 'legacy_insurance_card')),
    insurer_number TEXT NOT NULL CONSTRAINT document_insurer_number_length CHECK (length(insurer_number) <= 8),
    insurer_name   TEXT,
    card_symbol    TEXT,
    card_number    TEXT NOT NULL,
    branch_number  TEXT,
    relationship   TEXT CONSTRAINT document_relationship_code CHECK (relationship IN ('insured', 'dependant')),
    holder_name    TEXT,
    name           TEXT,
    sex            TEXT CONSTRAINT document_sex_code CHECK (sex IN ('male', 'female', 'unset')),
    birthdate      TEXT,
    issued_on      TEXT,
    recognized_on  TEXT,
    effective_from TEXT,
    expires_on     TEXT,
    copay_percent  INTEGER CONSTRAINT document_copay_percent CHECK (copay_percent BETWEEN 0 AND 100),
    limit_class    TEXT,
    with_card      INTEGER NOT NULL CHECK (with_card IN (0, 1)),
    chaperone      TEXT,
    -- Without the card (school trip / nursery) a chaperone must be named (domain.md §4(b) 4).
    CONSTRAINT document_without_card_needs_chaperone CHECK (with_card = 1 OR chaperone IS NOT NULL),
    UNIQUE (visit_id, position)
) STRICT;

CREATE TABLE declarations (
    id                 INTEGER PRIMARY KEY,
    visit_id           INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    visit_date         TEXT NOT NULL,
    written_on         TEXT NOT NULL,
    name               TEXT NOT NULL CONSTRAINT declaration_name_present CHECK (length(name) >= 1),
    name_kana          TEXT NOT NULL,
    birthdate          TEXT NOT NULL,
    sex                TEXT NOT NULL CONSTRAINT declaration_sex_code CHECK (sex IN ('male', 'female', 'unset')),
    address            TEXT,
    phone              TEXT,
    insurance_type     TEXT NOT NULL CONSTRAINT declaration_insurance_type_code CHECK (insurance_type IN
                       ('employee', 'national', 'late_elderly', 'other')),
    insurer_name       TEXT,
    insurer_number     TEXT,
    card_symbol        TEXT,
    card_number        TEXT,
    branch_number      TEXT,
    employer_name      TEXT,
    relationship       TEXT CONSTRAINT declaration_relationship_code CHECK (relationship IN ('insured', 'dependant')),
    attested           INTEGER NOT NULL CONSTRAINT declaration_must_be_attested CHECK (attested = 1),
    card_front_checked INTEGER NOT NULL CHECK (card_front_checked IN (0, 1)),
    staff_name         TEXT,
    staff_note         TEXT CONSTRAINT declaration_note_length CHECK (length(staff_note) <= 2000)
) STRICT;

CREATE TABLE full_payments (
    id               INTEGER PRIMARY KEY,
    visit_id         INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    amount_yen       INTEGER NOT NULL CONSTRAINT payment_amount_positive CHECK (amount_yen > 0),
    normal_share_yen INTEGER CONSTRAINT payment_share_within_amount CHECK (normal_share_yen BETWEEN 0 AND amount_yen),
    reason           TEXT NOT NULL CONSTRAINT payment_reason_length CHECK (length(reason) BETWEEN 1 AND 500)
) STRICT;

CREATE TABLE refund_tasks (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL UNIQUE REFERENCES full_payments(id),
    route      TEXT NOT NULL CONSTRAINT refund_route_code CHECK (route IN ('clinic_refund', 'insurer_claim')),
    recheck_on TEXT,
    status     TEXT NOT NULL CONSTRAINT refund_status_code CHECK (status IN ('open', 'done')),
    done_at    TEXT,
    done_by    TEXT,
    done_note  TEXT CONSTRAINT refund_note_length CHECK (length(done_note) <= 2000),
    CONSTRAINT refund_done_has_time CHECK ((status = 'open') = (done_at IS NULL))
) STRICT;
CREATE INDEX refund_tasks_by_status ON refund_tasks(status);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    visit_id INTEGER REFERENCES visits(id),
    actor    TEXT NOT NULL CONSTRAINT audit_actor_length CHECK (length(actor) BETWEEN 1 AND 100),
    action   TEXT NOT NULL CONSTRAINT audit_action_length CHECK (length(action) BETWEEN 1 AND 100),
    detail   TEXT CONSTRAINT audit_detail_length CHECK (length(detail) <= 2000)
) STRICT;
CREATE INDEX audit_by_visit ON audit_log(visit_id);

-- The audit log is append-only: who did what stays as written, for years.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
"#;

/// v2: kana search key (half-/full-width katakana and hiragana match each other), the desk's query indexes,
/// and the 処方箋 format choice on consents.
const V2: &str = r#"
ALTER TABLE patients ADD COLUMN kana_key TEXT NOT NULL DEFAULT '';
CREATE INDEX patients_by_kana_key ON patients(kana_key, birthdate);
CREATE INDEX patients_by_birthdate ON patients(birthdate);
CREATE INDEX visits_by_time ON visits(at);
DROP INDEX visits_by_patient;
CREATE INDEX visits_by_patient_time ON visits(patient_id, at);
DROP INDEX eligibility_by_patient;
CREATE INDEX eligibility_by_patient_date ON eligibility_snapshots(patient_id, validity, confirmation_date);
DROP INDEX consents_by_patient;
CREATE INDEX consents_by_patient_time ON consents(patient_id, given_at);
ALTER TABLE consents ADD COLUMN prescription_format TEXT
    CONSTRAINT consent_prescription_format_code CHECK (prescription_format IN ('electronic', 'paper'));
"#;

/// v3: trainee history (issue #8) — one row per finished training scenario run. Training files only, by
/// trigger: a live file never holds a trainee's name or score. The decisions and the debrief are JSON text
/// generated from closed vocabularies (no free text a person typed except the trainee's name).
const V3: &str = r#"
CREATE TABLE training_runs (
    id             INTEGER PRIMARY KEY,
    trainee        TEXT NOT NULL CONSTRAINT training_trainee_length CHECK (length(trim(trainee)) BETWEEN 1 AND 100),
    scenario_id    TEXT NOT NULL CONSTRAINT training_scenario_length CHECK (length(scenario_id) BETWEEN 1 AND 100),
    score_percent  INTEGER NOT NULL CONSTRAINT training_score_percent CHECK (score_percent BETWEEN 0 AND 100),
    points         INTEGER NOT NULL CONSTRAINT training_points_positive CHECK (points >= 0),
    max_points     INTEGER NOT NULL CONSTRAINT training_points_within_max CHECK (max_points >= points),
    elapsed_secs   INTEGER NOT NULL CONSTRAINT training_elapsed_positive CHECK (elapsed_secs >= 0),
    decisions_json TEXT NOT NULL CONSTRAINT training_decisions_json CHECK (json_valid(decisions_json)),
    debrief_json   TEXT NOT NULL CONSTRAINT training_debrief_json CHECK (json_valid(debrief_json)),
    finished_at    TEXT NOT NULL CONSTRAINT training_finished_is_time CHECK (finished_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
) STRICT;
CREATE INDEX training_runs_by_trainee ON training_runs(trainee, finished_at);

-- Trainee history belongs to training files: even raw SQL cannot put it into a live file.
CREATE TRIGGER training_runs_training_files_only BEFORE INSERT ON training_runs
WHEN (SELECT value FROM meta WHERE key = 'mode') IS NOT 'training'
BEGIN
    SELECT RAISE(ABORT, 'trainee history is kept in training database files only');
END;
"#;

/// v4: the school-trip / nursery setting of a document accepted without the card, so a stored document is
/// reception's `AcceptedDocument` whole. Before v4 the setting was kept only in the visit note the reception
/// adapter wrote (「修学旅行等（カードなし・付き添いあり）」 / 「保育所等（カードなし・付き添いあり）」); it is
/// backfilled from there. A card-less row whose note names neither keeps NULL and is reported as a bad value
/// when read, rather than given a setting nobody recorded.
const V4: &str = r#"
ALTER TABLE paper_documents ADD COLUMN group_setting TEXT
    CONSTRAINT document_group_setting_code CHECK (group_setting IN ('school_trip', 'nursery'));

UPDATE paper_documents SET group_setting = (
    SELECT CASE
        WHEN v.note LIKE '%保育所等（カードなし%' THEN 'nursery'
        WHEN v.note LIKE '%修学旅行等（カードなし%' THEN 'school_trip'
    END
    FROM visits v WHERE v.id = paper_documents.visit_id)
WHERE with_card = 0;

-- A document without the card is a school-trip / nursery one and names its setting; one with the card never does.
CREATE TRIGGER paper_documents_setting_iff_without_card BEFORE INSERT ON paper_documents
WHEN (NEW.with_card = 0) IS NOT (NEW.group_setting IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'document_group_setting_iff_without_card: a document without the card must name its school-trip or nursery setting, and only then');
END;
"#;

/// v5 (#12 §1, §5): `with_card` says only whether the card was really shown, so a 資格確認書 or a notice alone
/// (temporary rule) is stored without it; the school-trip / nursery setting still needs a chaperone and no card.
/// A document accepted offline, because the eligibility service could not answer, opens a re-check task.
const V5: &str = r#"
CREATE TABLE paper_documents_v5 (
    id             INTEGER PRIMARY KEY,
    visit_id       INTEGER NOT NULL REFERENCES visits(id),
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL CONSTRAINT document_kind_code CHECK (kind IN
                   ('qualification_certificate', 'eligibility_notice', 'portal_pdf', 'legacy_insurance_card')),
    insurer_number TEXT NOT NULL CONSTRAINT document_insurer_number_length CHECK (length(insurer_number) <= 8),
    insurer_name   TEXT,
    card_symbol    TEXT,
    card_number    TEXT NOT NULL,
    branch_number  TEXT,
    relationship   TEXT CONSTRAINT document_relationship_code CHECK (relationship IN ('insured', 'dependant')),
    holder_name    TEXT,
    name           TEXT,
    sex            TEXT CONSTRAINT document_sex_code CHECK (sex IN ('male', 'female', 'unset')),
    birthdate      TEXT,
    issued_on      TEXT,
    recognized_on  TEXT,
    effective_from TEXT,
    expires_on     TEXT,
    copay_percent  INTEGER CONSTRAINT document_copay_percent CHECK (copay_percent BETWEEN 0 AND 100),
    limit_class    TEXT,
    with_card      INTEGER NOT NULL CHECK (with_card IN (0, 1)),
    chaperone      TEXT,
    group_setting  TEXT CONSTRAINT document_group_setting_code CHECK (group_setting IN ('school_trip', 'nursery')),
    -- School trip / nursery: no card, and a chaperone named (domain.md §4(b) 4); only then a chaperone.
    CONSTRAINT document_group_without_card CHECK (group_setting IS NULL OR with_card = 0),
    CONSTRAINT document_group_has_chaperone CHECK ((group_setting IS NULL) = (chaperone IS NULL)),
    UNIQUE (visit_id, position)
) STRICT;
INSERT INTO paper_documents_v5 (id, visit_id, position, kind, insurer_number, insurer_name, card_symbol, card_number,
    branch_number, relationship, holder_name, name, sex, birthdate, issued_on, recognized_on, effective_from,
    expires_on, copay_percent, limit_class, with_card, chaperone, group_setting)
SELECT id, visit_id, position, kind, insurer_number, insurer_name, card_symbol, card_number,
    branch_number, relationship, holder_name, name, sex, birthdate, issued_on, recognized_on, effective_from,
    expires_on, copay_percent, limit_class, with_card, chaperone, group_setting
FROM paper_documents;
DROP TABLE paper_documents;
ALTER TABLE paper_documents_v5 RENAME TO paper_documents;

CREATE TABLE recheck_tasks (
    id         INTEGER PRIMARY KEY,
    visit_id   INTEGER NOT NULL UNIQUE REFERENCES visits(id),
    reason     TEXT NOT NULL CONSTRAINT recheck_reason_length CHECK (length(reason) BETWEEN 1 AND 500),
    status     TEXT NOT NULL CONSTRAINT recheck_status_code CHECK (status IN ('open', 'done')),
    done_at    TEXT,
    done_by    TEXT,
    done_note  TEXT CONSTRAINT recheck_note_length CHECK (length(done_note) <= 2000),
    CONSTRAINT recheck_done_has_time CHECK ((status = 'open') = (done_at IS NULL))
) STRICT;
CREATE INDEX recheck_tasks_by_status ON recheck_tasks(status);

-- 限度額・特定疾病・高齢受給者 reach the desk (#12 §2): the 高齢受給者証's own share, the 適用区分 as printed, and
-- each 特定疾病療養受療証 of the answer.
ALTER TABLE eligibility_snapshots ADD COLUMN elderly_copay_percent INTEGER
    CONSTRAINT eligibility_elderly_copay_percent CHECK (elderly_copay_percent BETWEEN 0 AND 100);
ALTER TABLE eligibility_snapshots ADD COLUMN limit_class_name TEXT
    CONSTRAINT eligibility_limit_class_name_length CHECK (length(limit_class_name) <= 40);
CREATE TABLE specific_diseases (
    id            INTEGER PRIMARY KEY,
    visit_id      INTEGER NOT NULL REFERENCES visits(id),
    position      INTEGER NOT NULL,
    category_code TEXT NOT NULL CONSTRAINT disease_category_length CHECK (length(category_code) BETWEEN 1 AND 4),
    category_name TEXT NOT NULL CONSTRAINT disease_name_length CHECK (length(category_name) BETWEEN 1 AND 100),
    self_pay_yen  INTEGER CONSTRAINT disease_self_pay CHECK (self_pay_yen >= 0),
    valid_from    TEXT,
    valid_until   TEXT,
    UNIQUE (visit_id, position)
) STRICT;

-- A reception staff voided (another person's data was shown, #12 §4): kept, with when and why; never deleted.
CREATE TABLE voided_receptions (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id),
    at       TEXT NOT NULL,
    reason   TEXT NOT NULL CONSTRAINT void_reason_code CHECK (reason IN ('other_persons_data'))
) STRICT;
CREATE TRIGGER voided_receptions_no_delete BEFORE DELETE ON voided_receptions
BEGIN
    SELECT RAISE(ABORT, 'voided_receptions is append-only: a void cannot be undone by deleting it');
END;
"#;

/// v6: the share a 申立書 declares (#14): the visit is billed at the patient's own share (S000 2-38; S002 Q11), so
/// the declaration carries it. Declarations stored before v6 have none (NULL).
const V6: &str = r#"
ALTER TABLE declarations ADD COLUMN copay_percent INTEGER
    CONSTRAINT declaration_copay_percent CHECK (copay_percent BETWEEN 0 AND 100);
"#;

/// v7: the certified reader's result files taken in beside a 資格確認端末 (#16 §1). A file is taken once, ever —
/// with the reception it became (`visit_id`), or with none when it was an error or 資格なし that the desk
/// handled in the fallback wizard — so a restart never lists a patient twice.
const V7: &str = r#"
CREATE TABLE terminal_results (
    file_name TEXT PRIMARY KEY
        CONSTRAINT terminal_file_name CHECK (file_name GLOB 'OQSsiquc01res_face_*.xml' AND length(file_name) <= 100),
    taken_at  TEXT NOT NULL,
    visit_id  INTEGER REFERENCES visits(id)
) STRICT;
"#;

/// v8: the desk (#15 §2). Several desks can share one record on a PostgreSQL server; each visit and audit line
/// names the desk that wrote it (NULL for rows written before v8, and for a desk without a name).
const V8: &str = r#"
ALTER TABLE visits ADD COLUMN desk TEXT CONSTRAINT visit_desk_length CHECK (length(desk) BETWEEN 1 AND 40);
ALTER TABLE audit_log ADD COLUMN desk TEXT CONSTRAINT audit_desk_length CHECK (length(desk) BETWEEN 1 AND 40);
"#;

fn backfill_kana_key(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, name_kana FROM patients")?;
        let mapped = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        mapped.collect::<Result<_, _>>()?
    };
    let mut update = tx.prepare("UPDATE patients SET kana_key = ?1 WHERE id = ?2")?;
    for (id, kana) in rows {
        update.execute(rusqlite::params![crate::kana::search_key(&kana), id])?;
    }
    Ok(())
}
