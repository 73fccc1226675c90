//! The desk's queries: a reception read back whole, the day list, patient search, the 再診 eligibility,
//! open refund tasks and consent status. All read-only; "now" is always a parameter.

use chrono::{NaiveDate, NaiveDateTime};

use crate::codec::{
    date_text, parse_code, parse_date, parse_opt_code, parse_opt_date, parse_opt_time, parse_time,
    parse_validity, time_text, validity_text, TextCode,
};
use crate::db::Store;
use crate::error::StoreError;
use crate::kana::search_key;
use crate::model::{
    AcceptedDocument, AuditEntry, Consent, ConsentFlag, ConsentFlags, ConsentStatus, Declaration,
    EligibilitySnapshot, FullPayment, GroupSetting, LastEligibility, Numbers, Patient, PatientId,
    QualificationValidity, ReceptionFilter, ReceptionSummary, RefundTask, RefundTaskId, SpecificDisease,
    StoredReception, TaskStatus, Visit, VisitId,
};
use crate::sql::{get, p, DbRow, Exec};

/// Most rows a patient search returns; the desk narrows by typing more.
const SEARCH_LIMIT: i64 = 200;

const PATIENT_COLS: &str = "id, name, name_kana, name_other, birthdate, sex";
const VISIT_COLS: &str = "session_id, at, kind, identity, presenter, outcome, fallback, staff, note";
const ELIGIBILITY_COLUMNS: [&str; 31] = [
    "confirmation_date",
    "processed_at",
    "reference",
    "validity",
    "insurer_number",
    "insurer_name",
    "card_symbol",
    "card_number",
    "branch_number",
    "relationship",
    "insured_name",
    "name",
    "name_kana",
    "sex",
    "birthdate",
    "card_classification",
    "valid_from",
    "valid_until",
    "copay_percent",
    "elderly_valid_from",
    "elderly_valid_until",
    "limit_class",
    "limit_valid_from",
    "limit_valid_until",
    "preschool",
    "reason_of_loss",
    "result_code",
    "result_message",
    "elderly_copay_percent",
    "limit_class_name",
    "visit_id",
];

/// The 再診 lookup, built once (it runs for every return visit during an outage).
/// The 再診 look-up in one statement: the patient's latest valid eligibility not voided, with its 特定疾病 rows
/// (one row per disease, or one row of NULLs for none). Columns: visit id, visit time, the eligibility columns,
/// then the disease columns.
pub(crate) static LAST_VALID_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH last AS (
             SELECT e.visit_id AS last_visit, v.at AS last_at, {} FROM eligibility_snapshots e
             JOIN visits v ON v.id = e.visit_id
             WHERE e.patient_id = ?1 AND e.validity = ?2
               AND NOT EXISTS (SELECT 1 FROM voided_receptions x WHERE x.visit_id = e.visit_id)
             ORDER BY e.confirmation_date DESC, v.at DESC, e.id DESC LIMIT 1)
         SELECT last.*, {DISEASE_COLS_D} FROM last
         LEFT JOIN specific_diseases d ON d.visit_id = last.last_visit ORDER BY d.position",
        eligibility_cols("e")
    )
});

/// A 特定疾病 row's columns in `read_disease` order, on alias `d`.
const DISEASE_COLS_D: &str = "d.category_code, d.category_name, d.self_pay_yen, d.valid_from, d.valid_until";

/// The eligibility columns in `read_eligibility` order, qualified with a table alias.
fn eligibility_cols(alias: &str) -> String {
    ELIGIBILITY_COLUMNS
        .iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
const CONSENT_COLS: &str =
    "given_at, expires_at, scope, item_medical, item_surgery, item_checkups, flag_pharmacists,
    flag_diagnosis, flag_operation, flag_checkups, flag_limit, prescription_format";
const TASK_SELECT: &str =
    "SELECT t.id, p.visit_id, v.patient_id, pa.name, v.at, p.amount_yen, p.normal_share_yen,
    p.reason, t.route, t.recheck_on, t.status, t.done_at, t.done_by, t.done_note
    FROM refund_tasks t JOIN full_payments p ON p.id = t.payment_id JOIN visits v ON v.id = p.visit_id
    JOIN patients pa ON pa.id = v.patient_id";

impl Store {
    /// A patient by id.
    pub fn patient(&self, id: PatientId) -> Result<Option<Patient>, StoreError> {
        let sql = format!("SELECT {PATIENT_COLS} FROM patients WHERE id = ?1");
        self.db.row(&sql, &p![id.0], read_patient)
    }

    /// Patients whose kana starts with `kana_prefix` (any width, hiragana or katakana, spaces ignored) and/or
    /// born on `birthdate`. With neither, returns nothing rather than the whole file.
    pub fn find_patients(
        &self,
        kana_prefix: Option<&str>,
        birthdate: Option<NaiveDate>,
    ) -> Result<Vec<Patient>, StoreError> {
        let key = kana_prefix.map(search_key).filter(|k| !k.is_empty());
        if key.is_none() && birthdate.is_none() {
            return Ok(Vec::new());
        }
        // Prefix as a range on the binary-collated key, so the index is used.
        let upper = key.as_ref().map(|k| format!("{k}\u{10FFFF}"));
        let sql = format!(
            "SELECT {PATIENT_COLS} FROM patients
             WHERE (CAST(?1 AS TEXT) IS NULL OR (kana_key >= ?1 AND kana_key < ?2))
               AND (CAST(?3 AS TEXT) IS NULL OR birthdate = ?3)
             ORDER BY kana_key, birthdate, id LIMIT ?4"
        );
        self.db.rows(
            &sql,
            &p![key, upper, birthdate.map(date_text), SEARCH_LIMIT],
            read_patient,
        )
    }

    /// The most recent *valid* eligibility recorded for a patient — what a 再診 during an outage is billed on.
    /// Ordered by confirmation date, then visit time.
    pub fn last_valid_eligibility(&self, patient: PatientId) -> Result<Option<LastEligibility>, StoreError> {
        let sql: &str = &LAST_VALID_SQL;
        let disease_at = 2 + ELIGIBILITY_COLUMNS.len();
        let mut last: Option<LastEligibility> = None;
        self.db.each_row(
            sql,
            &p![patient.0, validity_text(Some(QualificationValidity::Valid))],
            &mut |row| {
                if last.is_none() {
                    last = Some(LastEligibility {
                        visit_id: VisitId(get(row, 0)?),
                        visit_at: parse_time("visits.at", &text(row, 1)?)?,
                        snapshot: read_eligibility(row, 2)?,
                    });
                }
                if let (Some(found), Some(_)) = (last.as_mut(), opt_text(row, disease_at)?) {
                    found
                        .snapshot
                        .specific_diseases
                        .push(read_disease(row, disease_at)?);
                }
                Ok(())
            },
        )?;
        Ok(last)
    }

    /// The latest consent of a patient and whether it is still valid at `now` (24 h window recorded with it).
    pub fn consent_status(
        &self,
        patient: PatientId,
        now: NaiveDateTime,
    ) -> Result<Option<ConsentStatus>, StoreError> {
        let sql = format!(
            "SELECT visit_id, {CONSENT_COLS} FROM consents c WHERE patient_id = ?1
               AND NOT EXISTS (SELECT 1 FROM voided_receptions x WHERE x.visit_id = c.visit_id)
             ORDER BY given_at DESC, id DESC LIMIT 1"
        );
        self.db.row(&sql, &p![patient.0], |row| {
            let consent = read_consent(row, 1)?;
            Ok(ConsentStatus {
                visit_id: VisitId(get(row, 0)?),
                valid: now < consent.expires_at,
                consent,
            })
        })
    }

    /// Refund tasks still open, oldest first.
    pub fn open_refund_tasks(&self) -> Result<Vec<RefundTask>, StoreError> {
        let sql = format!("{TASK_SELECT} WHERE t.status = 'open' ORDER BY v.at, t.id");
        self.db.rows(&sql, &[], read_task)
    }

    /// The receptions of one day (00:00–24:00 JST wall time), in time order, filtered by outcome and/or open
    /// refund task.
    pub fn receptions_on(
        &self,
        day: NaiveDate,
        filter: &ReceptionFilter,
    ) -> Result<Vec<ReceptionSummary>, StoreError> {
        let sql = day_list_sql(filter);
        let start = day.and_hms_opt(0, 0, 0).map(time_text);
        let end = day.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map(time_text);
        self.db.rows(&sql, &p![start, end], read_summary)
    }

    /// One reception read back whole.
    pub fn reception(&self, visit: VisitId) -> Result<Option<StoredReception>, StoreError> {
        let sql = format!("SELECT patient_id, mode, {VISIT_COLS} FROM visits WHERE id = ?1");
        let head = self.db.row(&sql, &p![visit.0], |row| {
            Ok((
                PatientId(get(row, 0)?),
                parse_code("visits.mode", &text(row, 1)?)?,
                read_visit(row, 2)?,
            ))
        })?;
        let Some(head) = head else { return Ok(None) };
        let (patient_id, mode, visit_row) = head;
        let patient = self
            .patient(patient_id)?
            .ok_or(StoreError::UnknownPatient(patient_id.0))?;

        let eligibility = {
            let sql = format!(
                "SELECT {} FROM eligibility_snapshots e WHERE visit_id = ?1",
                eligibility_cols("e")
            );
            self.db.row(&sql, &p![visit.0], |r| self.with_diseases(r, 0))?
        };
        let consent = {
            let sql = format!("SELECT {CONSENT_COLS} FROM consents WHERE visit_id = ?1");
            self.db.row(&sql, &p![visit.0], |r| read_consent(r, 0))?
        };
        let documents = {
            self.db
                .rows(
                    "SELECT kind, insurer_number, insurer_name, card_symbol, card_number, branch_number, relationship,
                    name, birthdate, issued_on, expires_on, with_card, group_setting, chaperone,
                    sex, holder_name, recognized_on, copay_percent, limit_class
                 FROM paper_documents WHERE visit_id = ?1 ORDER BY position",
                    &p![visit.0],
                    read_document,
                )?
        };
        let declaration = {
            self.db
                .row(
                    "SELECT visit_date, written_on, name, name_kana, birthdate, sex, address, phone, insurance_type,
                    insurer_name, insurer_number, card_symbol, card_number, branch_number, employer_name,
                    relationship, staff_note, copay_percent
                 FROM declarations WHERE visit_id = ?1",
                    &p![visit.0],
                    read_declaration,
                )?
        };
        let refund_task = {
            let sql = format!("{TASK_SELECT} WHERE p.visit_id = ?1");
            self.db.row(&sql, &p![visit.0], read_task)?
        };
        let audit = {
            self.db.rows(
                "SELECT at, actor, action, detail FROM audit_log WHERE visit_id = ?1 ORDER BY id",
                &p![visit.0],
                |row| {
                    Ok(AuditEntry {
                        at: parse_time("audit_log.at", &text(row, 0)?)?,
                        actor: get(row, 1)?,
                        action: get(row, 2)?,
                        detail: get(row, 3)?,
                    })
                },
            )?
        };
        Ok(Some(StoredReception {
            visit_id: visit,
            mode,
            patient,
            visit: visit_row,
            eligibility,
            consent,
            documents,
            declaration,
            full_payment: refund_task.as_ref().map(|t| t.payment.clone()),
            refund_task,
            audit,
        }))
    }

    /// The session ids present in the file (used by the crash-safety check and by imports to skip duplicates).
    pub fn session_ids(&self) -> Result<Vec<String>, StoreError> {
        self.db
            .rows("SELECT session_id FROM visits ORDER BY id", &[], |r| get(r, 0))
    }

    /// The visit id of a session, if saved.
    pub fn visit_of_session(&self, session_id: &str) -> Result<Option<VisitId>, StoreError> {
        Ok(self
            .db
            .value("SELECT id FROM visits WHERE session_id = ?1", &p![session_id])?
            .map(VisitId))
    }
}

pub(crate) fn text(row: &dyn DbRow, i: usize) -> Result<String, StoreError> {
    get(row, i)
}

pub(crate) fn opt_text(row: &dyn DbRow, i: usize) -> Result<Option<String>, StoreError> {
    get(row, i)
}

fn flag(row: &dyn DbRow, i: usize) -> Result<ConsentFlag, StoreError> {
    let v: i64 = get(row, i)?;
    ConsentFlag::from_code(v).ok_or(StoreError::BadValue {
        column: "consents.flag_*",
        value: v.to_string(),
    })
}

fn read_patient(row: &dyn DbRow) -> Result<Patient, StoreError> {
    Ok(Patient {
        id: PatientId(get(row, 0)?),
        name: text(row, 1)?,
        name_kana: text(row, 2)?,
        name_other: opt_text(row, 3)?,
        birthdate: parse_date("patients.birthdate", &text(row, 4)?)?,
        sex: parse_code("patients.sex", &text(row, 5)?)?,
    })
}

fn read_visit(row: &dyn DbRow, o: usize) -> Result<Visit, StoreError> {
    Ok(Visit {
        session_id: text(row, o)?,
        at: parse_time("visits.at", &text(row, o + 1)?)?,
        kind: parse_code("visits.kind", &text(row, o + 2)?)?,
        identity: parse_code("visits.identity", &text(row, o + 3)?)?,
        presenter: parse_code("visits.presenter", &text(row, o + 4)?)?,
        outcome: parse_code("visits.outcome", &text(row, o + 5)?)?,
        fallback: parse_opt_code("visits.fallback", opt_text(row, o + 6)?)?,
        staff: opt_text(row, o + 7)?,
        note: opt_text(row, o + 8)?,
    })
}

fn read_eligibility(row: &dyn DbRow, o: usize) -> Result<EligibilitySnapshot, StoreError> {
    let date = |i: usize| -> Result<Option<NaiveDate>, StoreError> {
        parse_opt_date("eligibility_snapshots.*date*", opt_text(row, o + i)?)
    };
    Ok(EligibilitySnapshot {
        confirmation_date: parse_date("eligibility_snapshots.confirmation_date", &text(row, o)?)?,
        processed_at: parse_opt_time("eligibility_snapshots.processed_at", opt_text(row, o + 1)?)?,
        reference: parse_code("eligibility_snapshots.reference", &text(row, o + 2)?)?,
        validity: parse_validity("eligibility_snapshots.validity", &text(row, o + 3)?)?,
        insurer_number: text(row, o + 4)?,
        insurer_name: opt_text(row, o + 5)?,
        card_symbol: opt_text(row, o + 6)?,
        card_number: text(row, o + 7)?,
        branch_number: opt_text(row, o + 8)?,
        relationship: parse_opt_code("eligibility_snapshots.relationship", opt_text(row, o + 9)?)?,
        insured_name: opt_text(row, o + 10)?,
        name: text(row, o + 11)?,
        name_kana: text(row, o + 12)?,
        sex: parse_code("eligibility_snapshots.sex", &text(row, o + 13)?)?,
        birthdate: parse_date("eligibility_snapshots.birthdate", &text(row, o + 14)?)?,
        card_classification: opt_text(row, o + 15)?,
        valid_from: date(16)?,
        valid_until: date(17)?,
        copay_percent: get(row, o + 18)?,
        elderly_valid_from: date(19)?,
        elderly_valid_until: date(20)?,
        limit_class: opt_text(row, o + 21)?,
        limit_valid_from: date(22)?,
        limit_valid_until: date(23)?,
        preschool: get(row, o + 24)?,
        reason_of_loss: opt_text(row, o + 25)?,
        result_code: opt_text(row, o + 26)?,
        result_message: opt_text(row, o + 27)?,
        elderly_copay_percent: get(row, o + 28)?,
        limit_class_name: opt_text(row, o + 29)?,
        specific_diseases: Vec::new(),
    })
}

impl Store {
    /// The 特定疾病 entries saved with a visit's eligibility, in answer order.
    fn specific_diseases(&self, visit: i64) -> Result<Vec<SpecificDisease>, StoreError> {
        let sql =
            format!("SELECT {DISEASE_COLS_D} FROM specific_diseases d WHERE visit_id = ?1 ORDER BY position");
        self.db.rows(&sql, &p![visit], |row| read_disease(row, 0))
    }

    fn with_diseases(&self, row: &dyn DbRow, o: usize) -> Result<EligibilitySnapshot, StoreError> {
        let mut e = read_eligibility(row, o)?;
        let visit: i64 = get(row, o + 30)?;
        e.specific_diseases = self.specific_diseases(visit)?;
        Ok(e)
    }
}

/// Today's list for `filter` (`?1`, `?2`: the day's start and the next day's, as stored times).
pub(crate) fn day_list_sql(filter: &ReceptionFilter) -> String {
    let mut sql = String::from(
        "SELECT v.id, v.session_id, v.at, v.patient_id, p.name, p.name_kana, p.birthdate, p.sex, v.kind,
                v.identity, v.presenter, v.outcome, v.fallback,
                COALESCE(e.insurer_number,
                         (SELECT d.insurer_number FROM paper_documents d WHERE d.visit_id = v.id
                          ORDER BY d.position LIMIT 1),
                         (SELECT NULLIF(dc.insurer_number, '') FROM declarations dc WHERE dc.visit_id = v.id)),
                COALESCE(e.copay_percent,
                         (SELECT d.copay_percent FROM paper_documents d WHERE d.visit_id = v.id
                          ORDER BY d.position LIMIT 1),
                         (SELECT dc.copay_percent FROM declarations dc WHERE dc.visit_id = v.id)),
                CASE WHEN c.item_medical = 1 OR c.item_surgery = 1 OR c.item_checkups = 1 THEN c.expires_at END,
                COALESCE(e.limit_class_name, e.limit_class,
                         (SELECT d.limit_class FROM paper_documents d WHERE d.visit_id = v.id
                          ORDER BY d.position LIMIT 1)),
                (SELECT group_concat(sd.category_name, '・') FROM
                    (SELECT category_name FROM specific_diseases WHERE visit_id = v.id ORDER BY position) sd),
                t.status,
                rc.status,
                vx.reason,
                tr.file_name,
                v.desk
         FROM visits v JOIN patients p ON p.id = v.patient_id
         LEFT JOIN eligibility_snapshots e ON e.visit_id = v.id
         LEFT JOIN consents c ON c.visit_id = v.id
         LEFT JOIN full_payments fp ON fp.visit_id = v.id
         LEFT JOIN refund_tasks t ON t.payment_id = fp.id
         LEFT JOIN recheck_tasks rc ON rc.visit_id = v.id
         LEFT JOIN voided_receptions vx ON vx.visit_id = v.id
         LEFT JOIN terminal_results tr ON tr.visit_id = v.id
         WHERE v.at >= ?1 AND v.at < ?2",
    );
    if !filter.outcomes.is_empty() {
        // Codes come from the closed enum, never from user text.
        let list: Vec<String> = filter
            .outcomes
            .iter()
            .map(|o| format!("'{}'", o.code()))
            .collect();
        sql.push_str(&format!(" AND v.outcome IN ({})", list.join(", ")));
    }
    if filter.pending_task_only {
        sql.push_str(" AND (t.status = 'open' OR rc.status = 'open')");
    }
    sql.push_str(" ORDER BY v.at, v.id");
    sql
}

fn read_disease(row: &dyn DbRow, o: usize) -> Result<SpecificDisease, StoreError> {
    Ok(SpecificDisease {
        category_code: text(row, o)?,
        category_name: text(row, o + 1)?,
        self_pay_yen: get(row, o + 2)?,
        valid_from: parse_opt_date("specific_diseases.valid_from", opt_text(row, o + 3)?)?,
        valid_until: parse_opt_date("specific_diseases.valid_until", opt_text(row, o + 4)?)?,
    })
}

fn read_consent(row: &dyn DbRow, o: usize) -> Result<Consent, StoreError> {
    Ok(Consent {
        given_at: parse_time("consents.given_at", &text(row, o)?)?,
        expires_at: parse_time("consents.expires_at", &text(row, o + 1)?)?,
        scope: parse_code("consents.scope", &text(row, o + 2)?)?,
        medical_and_drugs: get(row, o + 3)?,
        surgery: get(row, o + 4)?,
        checkups: get(row, o + 5)?,
        flags: ConsentFlags {
            pharmacists: flag(row, o + 6)?,
            diagnosis: flag(row, o + 7)?,
            operation: flag(row, o + 8)?,
            checkups: flag(row, o + 9)?,
            limit: flag(row, o + 10)?,
        },
        prescription_format: parse_opt_code("consents.prescription_format", opt_text(row, o + 11)?)?,
    })
}

/// A stored document as reception accepted it. Rows the store cannot turn back into an `AcceptedDocument`
/// without inventing a fact (no birthdate, a card-less row without its setting or chaperone) are a
/// [`StoreError::BadValue`], never a guess.
fn read_document(row: &dyn DbRow) -> Result<AcceptedDocument, StoreError> {
    let date = |i: usize| -> Result<Option<NaiveDate>, StoreError> {
        parse_opt_date("paper_documents.*date*", opt_text(row, i)?)
    };
    let with_card: bool = get(row, 11)?;
    let setting: Option<GroupSetting> = parse_opt_code("paper_documents.group_setting", opt_text(row, 12)?)?;
    let chaperone = opt_text(row, 13)?;
    let group = match (with_card, setting, chaperone) {
        (_, None, None) => None,
        (false, Some(setting), Some(chaperone)) => Some((setting, chaperone)),
        (with_card, setting, chaperone) => {
            return Err(StoreError::BadValue {
                column: "paper_documents.with_card/group_setting/chaperone",
                value: format!("{with_card}/{setting:?}/{chaperone:?}"),
            })
        }
    };
    let birthdate = required("paper_documents.birthdate", date(8)?)?;
    Ok(AcceptedDocument {
        kind: parse_code("paper_documents.kind", &text(row, 0)?)?,
        numbers: Numbers {
            insurer_number: text(row, 1)?,
            symbol: opt_text(row, 3)?,
            number: text(row, 4)?,
            branch: opt_text(row, 5)?,
            birthdate,
        },
        insurer_name: opt_text(row, 2)?,
        relationship: parse_opt_code("paper_documents.relationship", opt_text(row, 6)?)?,
        name: opt_text(row, 7)?,
        issued_on: date(9)?,
        valid_until: date(10)?,
        group,
        with_card,
        sex: parse_opt_code("paper_documents.sex", opt_text(row, 14)?)?,
        insured_person_name: opt_text(row, 15)?,
        recognized_on: date(16)?,
        copay_percent: get(row, 17)?,
        limit_class: opt_text(row, 18)?,
        // Sent with the number query, not kept with the document.
        limit_consent: false,
    })
}

/// A stored 申立書 as reception validated it; `address` and `relationship` are required there, so a row
/// without them is a [`StoreError::BadValue`].
fn read_declaration(row: &dyn DbRow) -> Result<Declaration, StoreError> {
    Ok(Declaration {
        visit_date: parse_date("declarations.visit_date", &text(row, 0)?)?,
        filled_on: parse_date("declarations.written_on", &text(row, 1)?)?,
        name: text(row, 2)?,
        name_kana: text(row, 3)?,
        birthdate: parse_date("declarations.birthdate", &text(row, 4)?)?,
        sex: parse_code("declarations.sex", &text(row, 5)?)?,
        address: required("declarations.address", opt_text(row, 6)?)?,
        phone: opt_text(row, 7)?,
        insurance_type: parse_code("declarations.insurance_type", &text(row, 8)?)?,
        insurer_name: opt_text(row, 9)?,
        insurer_number: opt_text(row, 10)?,
        symbol: opt_text(row, 11)?,
        number: opt_text(row, 12)?,
        branch: opt_text(row, 13)?,
        employer: opt_text(row, 14)?,
        relationship: required(
            "declarations.relationship",
            parse_opt_code("declarations.relationship", opt_text(row, 15)?)?,
        )?,
        staff_note: opt_text(row, 16)?,
        copay_percent: get(row, 17)?,
    })
}

/// A value reception's type requires but the column left NULL.
fn required<T>(column: &'static str, value: Option<T>) -> Result<T, StoreError> {
    value.ok_or(StoreError::BadValue {
        column,
        value: "NULL".into(),
    })
}

fn read_task(row: &dyn DbRow) -> Result<RefundTask, StoreError> {
    Ok(RefundTask {
        id: RefundTaskId(get(row, 0)?),
        visit_id: VisitId(get(row, 1)?),
        patient_id: PatientId(get(row, 2)?),
        patient_name: text(row, 3)?,
        visit_at: parse_time("visits.at", &text(row, 4)?)?,
        payment: FullPayment {
            amount_yen: get(row, 5)?,
            normal_share_yen: get(row, 6)?,
            reason: text(row, 7)?,
            route: parse_code("refund_tasks.route", &text(row, 8)?)?,
            recheck_on: parse_opt_date("refund_tasks.recheck_on", opt_text(row, 9)?)?,
        },
        status: parse_code::<TaskStatus>("refund_tasks.status", &text(row, 10)?)?,
        done_at: parse_opt_time("refund_tasks.done_at", opt_text(row, 11)?)?,
        done_by: opt_text(row, 12)?,
        done_note: opt_text(row, 13)?,
    })
}

fn read_summary(row: &dyn DbRow) -> Result<ReceptionSummary, StoreError> {
    Ok(ReceptionSummary {
        visit_id: VisitId(get(row, 0)?),
        session_id: text(row, 1)?,
        at: parse_time("visits.at", &text(row, 2)?)?,
        patient_id: PatientId(get(row, 3)?),
        name: text(row, 4)?,
        name_kana: text(row, 5)?,
        birthdate: parse_date("patients.birthdate", &text(row, 6)?)?,
        sex: parse_code("patients.sex", &text(row, 7)?)?,
        kind: parse_code("visits.kind", &text(row, 8)?)?,
        identity: parse_code("visits.identity", &text(row, 9)?)?,
        presenter: parse_code("visits.presenter", &text(row, 10)?)?,
        outcome: parse_code("visits.outcome", &text(row, 11)?)?,
        fallback: parse_opt_code("visits.fallback", opt_text(row, 12)?)?,
        insurer_number: opt_text(row, 13)?,
        copay_percent: get(row, 14)?,
        consent_expires_at: parse_opt_time("consents.expires_at", opt_text(row, 15)?)?,
        limit_class_name: opt_text(row, 16)?,
        specific_diseases: opt_text(row, 17)?,
        refund_open: opt_text(row, 18)?.as_deref() == Some("open"),
        recheck_open: opt_text(row, 19)?.as_deref() == Some("open"),
        voided: parse_opt_code("voided_receptions.reason", opt_text(row, 20)?)?,
        certified_reader_file: opt_text(row, 21)?,
        desk: opt_text(row, 22)?,
    })
}

impl Store {
    /// Rows that belong to no reception: patients without a visit, and child rows whose visit is gone.
    /// Zero in a sound file (a partial reception would leave some).
    pub fn orphan_rows(&self) -> Result<u64, StoreError> {
        let n: Option<i64> = self.db.value(
            "SELECT (SELECT count(*) FROM patients p WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.patient_id = p.id))
                  + (SELECT count(*) FROM refund_tasks t WHERE NOT EXISTS (SELECT 1 FROM full_payments p WHERE p.id = t.payment_id))
                  + (SELECT count(*) FROM full_payments p WHERE NOT EXISTS (SELECT 1 FROM refund_tasks t WHERE t.payment_id = p.id))",
            &[],
        )?;
        Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
    }
}
