//! Writing: a completed reception in one transaction, refund task completion, and stand-alone audit entries.
//!
//! Every text value passes the My Number guard before any statement runs, so a refused reception leaves no
//! trace. Statements are prepared once per connection and kept, so batch writes (imports, the benchmark fill) are cheap.
//! Deliberately not here: updating or deleting receptions — a reception, once saved, is a record.

use chrono::NaiveDateTime;

use crate::codec::{date_text, guard, guard_opt, time_text, validity_text, TextCode};
use crate::db::Store;
use crate::error::StoreError;
use crate::kana::search_key;
use crate::model::{
    AcceptedDocument, AuditEntry, CompletedReception, Consent, Declaration, EligibilitySnapshot, FullPayment,
    NewPatient, PatientId, PatientRef, RefundTaskId, TaskStatus, VisitId, VoidReason,
};
use crate::sql::{p, Exec};

/// What [`Store::take_terminal_result`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalTake {
    /// Noted now, with the reception saved from it (if it was one).
    Taken(Option<VisitId>),
    /// Noted before: nothing written.
    AlreadyTaken,
}

impl Store {
    /// Saves one completed reception atomically: patient (if new), visit, eligibility snapshot, consent, paper
    /// documents, 申立書, 10割 payment with its refund task, and audit entries — all of it or none of it.
    pub fn save_completed_reception(
        &mut self,
        reception: &CompletedReception,
    ) -> Result<VisitId, StoreError> {
        validate(reception, self.mode)?;
        let desk = self.desk.as_deref();
        self.db.transaction(|tx| insert_reception(tx, reception, desk))
    }

    /// Takes one of the certified reader's result files (#16 §1): with `reception`, saves it and notes the file in
    /// the same transaction; without, notes the file only (the desk handles it in the wizard). A file already
    /// taken changes nothing: [`TerminalTake::AlreadyTaken`].
    pub fn take_terminal_result(
        &mut self,
        file_name: &str,
        at: NaiveDateTime,
        reception: Option<&CompletedReception>,
    ) -> Result<TerminalTake, StoreError> {
        if let Some(r) = reception {
            validate(r, self.mode)?;
        }
        let desk = self.desk.as_deref();
        self.db.transaction(|tx| {
            let taken: Option<i64> = tx.value(
                "SELECT 1 FROM terminal_results WHERE file_name = ?1",
                &p![file_name],
            )?;
            if taken.is_some() {
                return Ok(TerminalTake::AlreadyTaken);
            }
            let visit = reception.map(|r| insert_reception(tx, r, desk)).transpose()?;
            tx.exec(
                "INSERT INTO terminal_results (file_name, taken_at, visit_id) VALUES (?1, ?2, ?3)",
                &p![file_name, time_text(at), visit.map(|v| v.0)],
            )?;
            Ok(TerminalTake::Taken(visit))
        })
    }

    /// Whether a certified reader's result file was taken already.
    pub fn terminal_result_taken(&self, file_name: &str) -> Result<bool, StoreError> {
        Ok(self
            .db
            .value::<i64>(
                "SELECT 1 FROM terminal_results WHERE file_name = ?1",
                &p![file_name],
            )?
            .is_some())
    }

    /// Marks a saved reception as voided at `at` for `reason`, with its audit line, in one transaction. The
    /// visit and everything saved with it stay; a voided visit's eligibility is never offered for a 再診.
    pub fn void_reception(
        &mut self,
        visit: VisitId,
        reason: VoidReason,
        at: NaiveDateTime,
        actor: &str,
    ) -> Result<(), StoreError> {
        let desk = self.desk.as_deref();
        self.db
            .transaction(|tx| insert_void(tx, visit, reason, at, actor, desk))
    }

    /// Saves a reception that was voided before it reached this record (取消 while it waited in a desk's
    /// outbox), with its void, in one transaction: the record never has the one without the other.
    pub fn save_voided_reception(
        &mut self,
        reception: &CompletedReception,
        reason: VoidReason,
        at: NaiveDateTime,
        actor: &str,
    ) -> Result<VisitId, StoreError> {
        validate(reception, self.mode)?;
        let desk = self.desk.as_deref();
        self.db.transaction(|tx| {
            let visit = insert_reception(tx, reception, desk)?;
            insert_void(tx, visit, reason, at, actor, desk)?;
            Ok(visit)
        })
    }

    /// Saves many receptions in ONE transaction (imports, benchmark fill): all of them or none. Takes an
    /// iterator so a large import never has to sit in memory at once.
    pub fn save_completed_receptions<I>(&mut self, receptions: I) -> Result<Vec<VisitId>, StoreError>
    where
        I: IntoIterator,
        I::Item: std::borrow::Borrow<CompletedReception>,
    {
        let mode = self.mode;
        // A bulk import touches every index page; a larger cache for its duration keeps SQLite from spilling
        // and rewriting half-finished pages in the WAL (measured: most of the import's system time).
        self.db.bulk_cache(true)?;
        let result = self.insert_batch(mode, receptions);
        self.db.bulk_cache(false)?;
        result
    }

    fn insert_batch<I>(&mut self, mode: crate::model::Mode, receptions: I) -> Result<Vec<VisitId>, StoreError>
    where
        I: IntoIterator,
        I::Item: std::borrow::Borrow<CompletedReception>,
    {
        use std::borrow::Borrow;
        let desk = self.desk.as_deref();
        // Once: the receptions are an iterator, read as they are saved. An import that meets another desk's
        // transaction fails whole (nothing kept) and can be run again.
        self.db.transaction_once(|tx| {
            // One lock for the whole import instead of one per patient (a server keeps a transaction's locks in
            // a fixed table: 100,000 of them ran it out of shared memory). Other desks' new patients wait for the
            // import to commit; their visits of known patients do not.
            tx.serialize_patients()?;
            let mut ids = Vec::new();
            for r in receptions {
                let r = r.borrow();
                validate(r, mode)?;
                ids.push(insert_reception_as(tx, r, desk, PatientLock::Held)?);
            }
            Ok(ids)
        })
    }

    /// Marks an open refund task done, with an audit entry, in one transaction.
    pub fn complete_refund_task(
        &mut self,
        task: RefundTaskId,
        at: NaiveDateTime,
        by: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        guard("done_by", by)?;
        guard_opt("done_note", note)?;
        let desk = self.desk.as_deref();
        self.db.transaction(|tx| {
            let visit: Option<i64> = tx.value(
                "SELECT p.visit_id FROM refund_tasks t JOIN full_payments p ON p.id = t.payment_id
                 WHERE t.id = ?1 AND t.status = 'open'",
                &p![task.0],
            )?;
            let Some(visit) = visit else {
                return Err(StoreError::NoOpenRefundTask(task.0));
            };
            tx.exec(
                "UPDATE refund_tasks SET status = ?1, done_at = ?2, done_by = ?3, done_note = ?4 WHERE id = ?5",
                &p![TaskStatus::Done.code(), time_text(at), by, note, task.0],
            )?;
            insert_audit(
                tx,
                Some(visit),
                &AuditEntry {
                    at,
                    actor: by.to_owned(),
                    action: "refund.done".into(),
                    detail: note.map(str::to_owned),
                },
                desk,
            )
        })
    }

    /// Appends an audit entry not tied to a reception (login, export, settings change…).
    pub fn append_audit(&mut self, visit: Option<VisitId>, entry: &AuditEntry) -> Result<(), StoreError> {
        guard_audit(entry)?;
        insert_audit(&self.db, visit.map(|v| v.0), entry, self.desk.as_deref())
    }
}

/// Checks everything that can be checked before touching the database.
fn validate(r: &CompletedReception, mode: crate::model::Mode) -> Result<(), StoreError> {
    if r.mode != mode {
        return Err(StoreError::WrongMode {
            reception: r.mode,
            database: mode,
        });
    }
    match &r.patient {
        PatientRef::Existing(_) => {}
        PatientRef::New(p) | PatientRef::MatchOrCreate(p) => guard_patient(p)?,
    }
    let v = &r.visit;
    guard("visit.session_id", &v.session_id)?;
    guard_opt("visit.staff", v.staff.as_deref())?;
    guard_opt("visit.note", v.note.as_deref())?;
    if let Some(e) = &r.eligibility {
        guard_eligibility(e)?;
    }
    for d in &r.documents {
        guard_document(d)?;
    }
    if let Some(d) = &r.declaration {
        guard_declaration(d)?;
    }
    if let Some(p) = &r.full_payment {
        guard("full_payment.reason", &p.reason)?;
    }
    guard_opt("recheck.reason", r.recheck.as_deref())?;
    for a in &r.audit {
        guard_audit(a)?;
    }
    Ok(())
}

fn guard_patient(p: &NewPatient) -> Result<(), StoreError> {
    guard("patient.name", &p.name)?;
    guard("patient.name_kana", &p.name_kana)?;
    guard_opt("patient.name_other", p.name_other.as_deref())
}

fn guard_eligibility(e: &EligibilitySnapshot) -> Result<(), StoreError> {
    for (field, value) in [
        ("eligibility.insurer_number", Some(e.insurer_number.as_str())),
        ("eligibility.insurer_name", e.insurer_name.as_deref()),
        ("eligibility.card_symbol", e.card_symbol.as_deref()),
        ("eligibility.card_number", Some(e.card_number.as_str())),
        ("eligibility.branch_number", e.branch_number.as_deref()),
        ("eligibility.insured_name", e.insured_name.as_deref()),
        ("eligibility.name", Some(e.name.as_str())),
        ("eligibility.name_kana", Some(e.name_kana.as_str())),
        (
            "eligibility.card_classification",
            e.card_classification.as_deref(),
        ),
        ("eligibility.limit_class", e.limit_class.as_deref()),
        ("eligibility.limit_class_name", e.limit_class_name.as_deref()),
        ("eligibility.reason_of_loss", e.reason_of_loss.as_deref()),
        ("eligibility.result_code", e.result_code.as_deref()),
        ("eligibility.result_message", e.result_message.as_deref()),
    ] {
        guard_opt(field, value)?;
    }
    Ok(())
}

fn guard_document(d: &AcceptedDocument) -> Result<(), StoreError> {
    for (field, value) in [
        ("document.insurer_number", Some(d.numbers.insurer_number.as_str())),
        ("document.insurer_name", d.insurer_name.as_deref()),
        ("document.card_symbol", d.numbers.symbol.as_deref()),
        ("document.card_number", Some(d.numbers.number.as_str())),
        ("document.branch_number", d.numbers.branch.as_deref()),
        ("document.name", d.name.as_deref()),
        ("document.holder_name", d.insured_person_name.as_deref()),
        ("document.limit_class", d.limit_class.as_deref()),
        (
            "document.chaperone",
            d.group.as_ref().map(|(_, name)| name.as_str()),
        ),
    ] {
        guard_opt(field, value)?;
    }
    Ok(())
}

fn guard_declaration(d: &Declaration) -> Result<(), StoreError> {
    for (field, value) in [
        ("declaration.name", Some(d.name.as_str())),
        ("declaration.name_kana", Some(d.name_kana.as_str())),
        ("declaration.address", Some(d.address.as_str())),
        ("declaration.phone", d.phone.as_deref()),
        ("declaration.insurer_name", d.insurer_name.as_deref()),
        ("declaration.insurer_number", d.insurer_number.as_deref()),
        ("declaration.card_symbol", d.symbol.as_deref()),
        ("declaration.card_number", d.number.as_deref()),
        ("declaration.branch_number", d.branch.as_deref()),
        ("declaration.employer_name", d.employer.as_deref()),
        ("declaration.staff_note", d.staff_note.as_deref()),
    ] {
        guard_opt(field, value)?;
    }
    Ok(())
}

fn guard_audit(a: &AuditEntry) -> Result<(), StoreError> {
    guard("audit.actor", &a.actor)?;
    guard("audit.action", &a.action)?;
    guard_opt("audit.detail", a.detail.as_deref())
}

pub(crate) fn insert_reception(
    tx: &impl Exec,
    r: &CompletedReception,
    desk: Option<&str>,
) -> Result<VisitId, StoreError> {
    insert_reception_as(tx, r, desk, PatientLock::PerPatient)
}

/// How a new patient is kept from being created twice by two desks at once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PatientLock {
    /// Lock the patient's identity (one reception).
    PerPatient,
    /// The transaction holds the patients table already (an import).
    Held,
}

fn insert_reception_as(
    tx: &impl Exec,
    r: &CompletedReception,
    desk: Option<&str>,
    lock: PatientLock,
) -> Result<VisitId, StoreError> {
    let patient = resolve_patient(tx, &r.patient, lock)?;
    let v = &r.visit;
    let visit = tx
        .insert(
            "INSERT INTO visits (session_id, patient_id, mode, at, kind, identity, presenter, outcome, fallback, staff, note,
                desk)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            &p![
            v.session_id,
            patient.0,
            r.mode.code(),
            time_text(v.at),
            v.kind.code(),
            v.identity.code(),
            v.presenter.code(),
            v.outcome.code(),
            v.fallback.map(|f| f.code()),
            v.staff,
            v.note,
            desk,
        ],
        )
        .map_err(|e| match e {
            StoreError::Constraint(m) if m.contains("visits.session_id") => {
                StoreError::DuplicateSession(v.session_id.clone())
            }
            other => other,
        })?;
    if let Some(e) = &r.eligibility {
        insert_eligibility(tx, visit, patient, e)?;
    }
    if let Some(c) = &r.consent {
        insert_consent(tx, visit, patient, c)?;
    }
    for (position, d) in r.documents.iter().enumerate() {
        insert_document(tx, visit, position, d)?;
    }
    if let Some(d) = &r.declaration {
        insert_declaration(tx, visit, d)?;
    }
    if let Some(p) = &r.full_payment {
        insert_payment(tx, visit, p)?;
    }
    if let Some(reason) = &r.recheck {
        tx.exec(
            "INSERT INTO recheck_tasks (visit_id, reason, status) VALUES (?1, ?2, 'open')",
            &p![visit, reason],
        )?;
    }
    for a in &r.audit {
        insert_audit(tx, Some(visit), a, desk)?;
    }
    Ok(VisitId(visit))
}

fn resolve_patient(tx: &impl Exec, p: &PatientRef, lock: PatientLock) -> Result<PatientId, StoreError> {
    match p {
        PatientRef::Existing(id) => {
            let found: Option<i64> = tx.value("SELECT id FROM patients WHERE id = ?1", &p![id.0])?;
            found.map(PatientId).ok_or(StoreError::UnknownPatient(id.0))
        }
        PatientRef::New(p) => insert_patient(tx, p),
        PatientRef::MatchOrCreate(p) => {
            // Two desks receiving the same new patient at the same moment: the second waits for the first and
            // then finds the patient it created (#15 §2).
            if lock == PatientLock::PerPatient {
                tx.serialize_on(&format!(
                    "patient:{}:{}:{}:{}",
                    search_key(&p.name_kana),
                    date_text(p.birthdate),
                    p.name,
                    p.sex.code()
                ))?;
            }
            let found: Option<i64> = tx.value(
                "SELECT id FROM patients WHERE kana_key = ?1 AND birthdate = ?2 AND name = ?3 AND sex = ?4
                 ORDER BY id LIMIT 1",
                &p![
                    search_key(&p.name_kana),
                    date_text(p.birthdate),
                    p.name,
                    p.sex.code()
                ],
            )?;
            match found {
                Some(id) => Ok(PatientId(id)),
                None => insert_patient(tx, p),
            }
        }
    }
}

fn insert_patient(tx: &impl Exec, p: &NewPatient) -> Result<PatientId, StoreError> {
    let id = tx.insert(
        "INSERT INTO patients (name, name_kana, name_other, birthdate, sex, kana_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &p![
            p.name,
            p.name_kana,
            p.name_other,
            date_text(p.birthdate),
            p.sex.code(),
            search_key(&p.name_kana)
        ],
    )?;
    Ok(PatientId(id))
}

fn insert_eligibility(
    tx: &impl Exec,
    visit: i64,
    patient: PatientId,
    e: &EligibilitySnapshot,
) -> Result<(), StoreError> {
    let d = |x: Option<chrono::NaiveDate>| x.map(date_text);
    tx.exec(
        "INSERT INTO eligibility_snapshots (visit_id, patient_id, confirmation_date, processed_at, reference, validity,
            insurer_number, insurer_name, card_symbol, card_number, branch_number, relationship, insured_name,
            name, name_kana, sex, birthdate, card_classification, valid_from, valid_until, copay_percent,
            elderly_valid_from, elderly_valid_until, limit_class, limit_valid_from, limit_valid_until, preschool,
            reason_of_loss, result_code, result_message, elderly_copay_percent, limit_class_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
            ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
        &p![
        visit,
        patient.0,
        date_text(e.confirmation_date),
        e.processed_at.map(time_text),
        e.reference.code(),
        validity_text(e.validity),
        e.insurer_number,
        e.insurer_name,
        e.card_symbol,
        e.card_number,
        e.branch_number,
        e.relationship.map(|r| r.code()),
        e.insured_name,
        e.name,
        e.name_kana,
        e.sex.code(),
        date_text(e.birthdate),
        e.card_classification,
        d(e.valid_from),
        d(e.valid_until),
        e.copay_percent,
        d(e.elderly_valid_from),
        d(e.elderly_valid_until),
        e.limit_class,
        d(e.limit_valid_from),
        d(e.limit_valid_until),
        e.preschool,
        e.reason_of_loss,
        e.result_code,
        e.result_message,
        e.elderly_copay_percent,
        e.limit_class_name,
    ])?;
    for (position, s) in e.specific_diseases.iter().enumerate() {
        tx.exec(
            "INSERT INTO specific_diseases (visit_id, position, category_code, category_name, self_pay_yen,
                valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &p![
                visit,
                i64::try_from(position).unwrap_or(i64::MAX),
                s.category_code,
                s.category_name,
                s.self_pay_yen,
                d(s.valid_from),
                d(s.valid_until),
            ],
        )?;
    }
    Ok(())
}

fn insert_consent(tx: &impl Exec, visit: i64, patient: PatientId, c: &Consent) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO consents (visit_id, patient_id, given_at, expires_at, scope, item_medical, item_surgery,
            item_checkups, flag_pharmacists, flag_diagnosis, flag_operation, flag_checkups, flag_limit,
            prescription_format)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        &p![
            visit,
            patient.0,
            time_text(c.given_at),
            time_text(c.expires_at),
            c.scope.code(),
            c.medical_and_drugs,
            c.surgery,
            c.checkups,
            c.flags.pharmacists.code(),
            c.flags.diagnosis.code(),
            c.flags.operation.code(),
            c.flags.checkups.code(),
            c.flags.limit.code(),
            c.prescription_format.map(|p| p.code()),
        ],
    )?;
    Ok(())
}

/// One accepted document. The columns for fields reception's `AcceptedDocument` does not carry (holder name,
/// sex, 認定年月日, 発効期日, 負担割合, 限度区分) stay NULL: the store records what reception accepted, nothing
/// it did not.
fn insert_document(
    tx: &impl Exec,
    visit: i64,
    position: usize,
    d: &AcceptedDocument,
) -> Result<(), StoreError> {
    let date = |x: Option<chrono::NaiveDate>| x.map(date_text);
    let (group_setting, chaperone) = match &d.group {
        // The school-trip / nursery path: no card, a chaperone named (the schema checks both).
        Some((setting, chaperone)) => (Some(setting.code()), Some(chaperone.as_str())),
        None => (None, None),
    };
    tx.exec(
        "INSERT INTO paper_documents (visit_id, position, kind, insurer_number, insurer_name, card_symbol,
            card_number, branch_number, relationship, name, birthdate, issued_on, expires_on, with_card,
            group_setting, chaperone, sex, holder_name, recognized_on, copay_percent, limit_class)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        &p![
        visit,
        i64::try_from(position).unwrap_or(i64::MAX),
        d.kind.code(),
        d.numbers.insurer_number,
        d.insurer_name,
        d.numbers.symbol,
        d.numbers.number,
        d.numbers.branch,
        d.relationship.map(|r| r.code()),
        d.name,
        date_text(d.numbers.birthdate),
        date(d.issued_on),
        date(d.valid_until),
        d.with_card,
        group_setting,
        chaperone,
        d.sex.map(|s| s.code()),
        d.insured_person_name,
        date(d.recognized_on),
        d.copay_percent,
        d.limit_class,
    ])?;
    Ok(())
}

/// One 申立書. `attested` is always 1: reception only produces a `Declaration` from a signed form. The staff
/// columns reception does not record (`card_front_checked`, `staff_name`) are written as "not recorded".
fn insert_declaration(tx: &impl Exec, visit: i64, d: &Declaration) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO declarations (visit_id, visit_date, written_on, name, name_kana, birthdate, sex, address, phone,
            insurance_type, insurer_name, insurer_number, card_symbol, card_number, branch_number, employer_name,
            relationship, attested, card_front_checked, staff_name, staff_note, copay_percent)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 1, 0, NULL, ?18, ?19)",
        &p![
        visit,
        date_text(d.visit_date),
        date_text(d.filled_on),
        d.name,
        d.name_kana,
        date_text(d.birthdate),
        d.sex.code(),
        d.address,
        d.phone,
        d.insurance_type.code(),
        d.insurer_name,
        d.insurer_number,
        d.symbol,
        d.number,
        d.branch,
        d.employer,
        d.relationship.code(),
        d.staff_note,
        d.copay_percent,
    ])?;
    Ok(())
}

fn insert_payment(tx: &impl Exec, visit: i64, p: &FullPayment) -> Result<(), StoreError> {
    let payment = tx.insert(
        "INSERT INTO full_payments (visit_id, amount_yen, normal_share_yen, reason) VALUES (?1, ?2, ?3, ?4)",
        &p![visit, p.amount_yen, p.normal_share_yen, p.reason],
    )?;
    // Every 10割 payment opens its refund task in the same transaction: no payment is ever left without one.
    tx.exec(
        "INSERT INTO refund_tasks (payment_id, route, recheck_on, status) VALUES (?1, ?2, ?3, 'open')",
        &p![payment, p.route.code(), p.recheck_on.map(date_text)],
    )?;
    Ok(())
}

fn insert_audit(
    conn: &impl Exec,
    visit: Option<i64>,
    a: &AuditEntry,
    desk: Option<&str>,
) -> Result<(), StoreError> {
    conn.exec(
        "INSERT INTO audit_log (at, visit_id, actor, action, detail, desk) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &p![time_text(a.at), visit, a.actor, a.action, a.detail, desk],
    )?;
    Ok(())
}

fn insert_void(
    tx: &impl Exec,
    visit: VisitId,
    reason: VoidReason,
    at: NaiveDateTime,
    actor: &str,
    desk: Option<&str>,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO voided_receptions (visit_id, at, reason) VALUES (?1, ?2, ?3)",
        &p![visit.0, time_text(at), reason.code()],
    )?;
    insert_audit(
        tx,
        Some(visit.0),
        &AuditEntry {
            at,
            actor: actor.to_owned(),
            action: "reception.voided".into(),
            detail: Some(reason.code().into()),
        },
        desk,
    )
}
