//! The reception flow's `Store` port (`reception::Store`) on top of this crate's SQLite record.
//!
//! [`StorePort`] turns the flow's [`ReceptionRecord`] into one [`CompletedReception`] (saved in one
//! transaction), answers 再診 look-ups from the recorded eligibility snapshots, and writes the flow's audit
//! events into the append-only log. It stores what reception decided — every reception enum variant is
//! mapped explicitly, with no catch-all arm, so a new variant fails to compile here instead of being filed
//! under a guess — and decides only what the record leaves open (初診/再診, see [`StorePort::to_completed`]). It owns the [`Store`] so the app can run staff queries on the same
//! connection ([`StorePort::db`], [`StorePort::db_mut`], [`StorePort::into_inner`]).
//!
//! Mapping decisions worth knowing (the full list is on [`StorePort::to_completed`]):
//! - The patient is found by identity (name + kana + birthdate, sex when known), from the eligibility answer,
//!   else the 申立書, else the document. A reception with no identifiable patient (the typical 10割 after
//!   「資格情報なし」) is still saved — its refund task must not be lost — under a fresh placeholder patient
//!   named [`UNIDENTIFIED_NAME`], never merged with anyone, with a visit note asking staff to identify them.
//! - The flow does not know the 10割 amount at reception time, but the store requires a positive amount: the
//!   payment is saved with [`AMOUNT_NOT_YET_BILLED_YEN`] and a reason text that says so.
//!
//! Deliberately not here: the certificate serial (the store has no column for it, so a `CertSerial` look-up
//! answers `None`), PINs, and any My Number — the record types have no field for them.

use chrono::{NaiveDate, NaiveDateTime};

use ::reception::flow::{AuditEvent, AuditKind};
use ::reception::model::{
    ConsentMode, ConsentRecord, ElderlyRecipient, EligibilityRecord, LimitCertificate, Method, Operator,
    PatientLookup, PrescriptionForm, QualificationValidity, ReaderMode, ReturnedConsent,
    StoreError as PortError, StoredEligibility,
};
use ::reception::paper::{
    AcceptedDocument, Basis, Billing, DocumentKind, GroupSetting, PaperRefusal, ProblemKind, ReceptionRecord,
    VoidReason,
};
use ::reception::rules::CertStatus;

use crate::db::Store;
use crate::error::StoreError;
use crate::kana::search_key;
use crate::model::{
    AuditEntry, CompletedReception, Consent, ConsentFlag, ConsentFlags, ConsentScope, EligibilityReference,
    EligibilitySnapshot, Fallback, FullPayment, IdentityMethod, Mode, NewPatient, Outcome, Patient,
    PatientId, PatientRef, RefundRoute, Sex, Visit, VisitId,
};

/// Name given to the placeholder patient of a reception nobody could identify (氏名未確認).
pub const UNIDENTIFIED_NAME: &str = "（氏名未確認）";

/// Birthdate of a placeholder patient when not even a birthdate is known: a date no patient has, so it
/// can never match a real search and reads as "unknown" on any list.
pub const UNKNOWN_BIRTHDATE: Option<NaiveDate> = NaiveDate::from_ymd_opt(1, 1, 1);

/// The amount saved for a 10割 payment: reception completes before the visit is billed, so the real amount is
/// not known yet, and the store refuses a zero amount. The payment's reason text says the amount is pending.
pub const AMOUNT_NOT_YET_BILLED_YEN: i64 = 1;

/// Actor written on audit entries that come from the reception flow.
pub const FLOW_ACTOR: &str = "reception";

/// How many fresh session ids are tried when a generated one is already in the file (only possible after a
/// restart within the same second, since the counter starts again).
const SESSION_RETRIES: u32 = 64;

/// The reception flow's `Store` port over the SQLite record.
#[derive(Debug)]
pub struct StorePort {
    db: Store,
    /// Counter making session ids unique within one second of `completed_at`.
    session_seq: u64,
    last_visit: Option<VisitId>,
    /// On a shared server: where receptions wait while the server cannot be reached (#15 §2).
    outbox: Option<crate::outbox::Outbox>,
    /// The server answered the last time it was asked.
    online: bool,
    /// Set when a look-up inside [`StorePort::to_completed`] found the server away.
    unreachable: std::cell::Cell<bool>,
    /// The reception this session kept in the outbox last (its place in line), for 取消 while it waits.
    last_queued: Option<i64>,
}

/// Who a reception is for, as far as the record tells.
enum Identity {
    /// Name and birthdate known: match an existing patient or create one.
    Known(NewPatient),
    /// Not identifiable: a fresh placeholder (with the document's birthdate when there was one).
    Unidentified { birthdate: Option<NaiveDate> },
}

impl StorePort {
    /// Wraps an open store; receptions are tagged with the store's own mode (live or training).
    pub fn new(db: Store) -> StorePort {
        StorePort {
            db,
            session_seq: 0,
            last_visit: None,
            outbox: None,
            online: true,
            unreachable: std::cell::Cell::new(false),
            last_queued: None,
        }
    }

    /// Keeps receptions in `outbox` while the server cannot be reached, and replays them in order when it
    /// answers again (see [`crate::outbox`]). Receptions the server refused before are put back in line: the
    /// desk starting is when an administrator's fix of the server is tried.
    pub fn with_outbox(mut self, outbox: crate::outbox::Outbox) -> Result<StorePort, StoreError> {
        outbox.release_held()?;
        self.outbox = Some(outbox);
        Ok(self)
    }

    /// The server answered the last time it was asked (always, for a file).
    pub fn online(&self) -> bool {
        self.online
    }

    /// How many receptions wait in the outbox for the server.
    pub fn waiting(&self) -> u64 {
        self.outbox.as_ref().and_then(|o| o.len().ok()).unwrap_or(0)
    }

    /// The receptions the server refused: kept in the outbox with its answer, offered again when the desk
    /// starts.
    pub fn held(&self) -> Vec<crate::outbox::Held> {
        self.outbox
            .as_ref()
            .and_then(|o| o.held().ok())
            .unwrap_or_default()
    }

    /// Sends what waits in the outbox to the server, oldest first (connecting again if the server was away);
    /// the number sent. Stops at the first failure and leaves the rest for the next time.
    pub fn replay(&mut self) -> Result<u64, StoreError> {
        let Some(outbox) = self.outbox.take() else {
            return Ok(0);
        };
        let sent = self.replay_from(&outbox);
        self.outbox = Some(outbox);
        if let Err(e) = &sent {
            if e.is_unreachable() {
                self.online = false;
            }
        }
        sent
    }

    fn replay_from(&mut self, outbox: &crate::outbox::Outbox) -> Result<u64, StoreError> {
        if outbox.is_empty()? {
            return Ok(0);
        }
        if !self.online {
            self.db.reconnect()?;
            self.online = true;
        }
        let mut sent = 0;
        while let Some(q) = outbox.first()? {
            match self.send_queued(&q) {
                Ok(visit) => {
                    sent += 1;
                    if self.last_queued == Some(q.seq) {
                        // 取消 of the reception just made now applies to the server's copy.
                        self.last_queued = None;
                        self.last_visit = Some(visit);
                    }
                }
                // Committed before the desk stopped, not yet removed here: it is on the server once already.
                Err(StoreError::DuplicateSession(_)) => {}
                Err(e) if e.is_transient() => return Err(e),
                // The server answered and will not take this one: set it aside with the answer, so the
                // ones behind it are not held back (nothing of it is lost; the console counts it).
                Err(e) => {
                    let answer = e.to_string();
                    let answer = if crate::codec::guard("outbox.held_error", &answer).is_ok() {
                        answer
                    } else {
                        "the server refused the reception".to_owned()
                    };
                    outbox.hold(q.seq, &answer)?;
                    continue;
                }
            }
            outbox.remove(q.seq)?;
        }
        Ok(sent)
    }

    /// One queued reception to the server, with its void when it was voided while it waited (one
    /// transaction).
    fn send_queued(&mut self, q: &crate::outbox::Queued) -> Result<VisitId, StoreError> {
        self.unreachable.set(false);
        let completed = match self.to_completed(&q.record, q.session_id.clone()) {
            Ok(c) => c,
            // The look-up of the patient found the server away: wait, as for the save.
            Err(e) if self.unreachable.get() => return Err(StoreError::ServerAway(e.0)),
            Err(e) => return Err(StoreError::Constraint(e.0)),
        };
        match q.void {
            None => self.db.save_completed_reception(&completed),
            Some((reason, at)) => self.db.save_voided_reception(&completed, reason, at, FLOW_ACTOR),
        }
    }

    /// A session id no other desk and no restart of this one can produce: the time, then letters from the
    /// system's random source (letters only, so it never looks like a number to the My Number guard).
    fn queued_session_id(completed_at: NaiveDateTime) -> String {
        use std::io::Read as _;
        let mut bytes = [0u8; 12];
        let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
        let letters: String = if random.is_ok() {
            bytes.iter().map(|b| char::from(b'a' + b % 26)).collect()
        } else {
            format!("p{}", std::process::id()).replace(|c: char| c.is_ascii_digit(), "x")
        };
        format!("{}/q-{letters}", completed_at.format("%Y-%m-%dT%H:%M:%S"))
    }

    /// The store, for staff queries (day list, refund tasks, consent status…) on the same connection.
    pub fn db(&self) -> &Store {
        &self.db
    }

    /// The store, for staff writes (closing a refund task, staff audit entries).
    pub fn db_mut(&mut self) -> &mut Store {
        &mut self.db
    }

    /// Gives the store back.
    pub fn into_inner(self) -> Store {
        self.db
    }

    /// The mode receptions are saved in.
    pub fn mode(&self) -> Mode {
        self.db.mode()
    }

    /// Takes one of the certified reader's result files (#16 §1): `record` (the reception it became) is saved
    /// with the file noted in the same transaction; without one only the file is noted. Once per file, ever.
    /// Not `last_visit`: staff voiding "the reception just completed" means the one at this desk's reader.
    pub fn take_terminal_result(
        &mut self,
        file_name: &str,
        at: NaiveDateTime,
        record: Option<&ReceptionRecord>,
    ) -> Result<crate::TerminalTake, PortError> {
        if self
            .db
            .terminal_result_taken(file_name)
            .map_err(|e| port_error("look up the result file", &e))?
        {
            return Ok(crate::TerminalTake::AlreadyTaken);
        }
        let mut attempt = 0;
        loop {
            let completed = match record {
                Some(r) => {
                    let session = self.next_session_id(r.completed_at);
                    Some(self.to_completed(r, session)?)
                }
                None => None,
            };
            match self.db.take_terminal_result(file_name, at, completed.as_ref()) {
                Ok(taken) => return Ok(taken),
                Err(StoreError::DuplicateSession(_)) if attempt < SESSION_RETRIES => attempt += 1,
                Err(e) => return Err(port_error("save the certified reader's reception", &e)),
            }
        }
    }

    /// The visit written by the last successful `save_reception`.
    pub fn last_visit(&self) -> Option<VisitId> {
        self.last_visit
    }

    /// Builds the store record of a reception, with `session_id` for its visit. Reads the store only to find
    /// the patient (and whether they have been here before).
    ///
    /// Mapping:
    /// - basis → outcome / fallback: online card or phone → `Confirmed`; online by a document's numbers →
    ///   `Confirmed` + the document's fallback; document alone → `PaperDocument` + its fallback; previous
    ///   visit → `HistoryUsed` / `RevisitHistory`; 申立書 → `Declaration` / `Declaration`; unconfirmed →
    ///   `FullPayment` / `FullPayment`. 10割 billing always gives `FullPayment` with a payment and an open
    ///   refund task (route: clinic refund, R6.3.1; re-check day from the flow's task). Document fallbacks:
    ///   お知らせ → `CardWithNotice`, PDF → `CardWithPortalPdf`, 資格確認書 → `QualificationCertificate`,
    ///   legacy card → `LegacyCard`, any school-trip / nursery document → `SchoolTrip`.
    /// - method → identity: face, PIN, 目視 as such; smartphone → `Pin` with a note (the store has no
    ///   smartphone method); none → `NoCard`. Operator → presenter one to one.
    /// - kind: previous visit → 再診, 申立書 → 初診, otherwise 再診 when the patient is already in the file
    ///   (reception's record has no 初診/再診 field).
    /// - consent: given_at / valid_until as recorded; all three items → 包括, else 個別 (the record does not
    ///   say which screen was used); flags 1 / 0 from the answers; prescription format as chosen.
    /// - eligibility (+ validity, confirmed_on): one snapshot; a previous visit's record keeps its original
    ///   confirmation date and counts as valid (only valid ones are offered for 再診); sex `Unstated` (OQS
    ///   identity in the record has none); reference `InsuranceNumbers` for a check by a document's numbers,
    ///   else `Card`.
    /// - document, 申立書: stored as reception accepted / validated them (reception's own types), nothing
    ///   re-decided.
    /// - problem kind, certificate status, medical-info availability → visit note and the
    ///   `reception.completed` audit entry (the store has no columns for them).
    pub fn to_completed(
        &self,
        record: &ReceptionRecord,
        session_id: String,
    ) -> Result<CompletedReception, PortError> {
        let (outcome, fallback) = outcome_of(record)?;
        let mut notes = Vec::new();

        let identity = identity_of(record);
        let (patient, known) = match &identity {
            Identity::Known(p) => match self.find_same_patient(p).map_err(|e| {
                if e.is_unreachable() {
                    self.unreachable.set(true);
                }
                port_error("find the patient", &e)
            })? {
                Some(existing) => (PatientRef::Existing(existing.id), true),
                None => (PatientRef::MatchOrCreate(p.clone()), false),
            },
            Identity::Unidentified { birthdate } => {
                notes.push("患者未特定: 氏名・生年月日を確認して患者情報を登録してください".to_owned());
                let birthdate = birthdate
                    .or(UNKNOWN_BIRTHDATE)
                    .ok_or_else(|| PortError("no birthdate to record for an unidentified patient".into()))?;
                let placeholder = NewPatient {
                    name: UNIDENTIFIED_NAME.into(),
                    name_kana: String::new(),
                    name_other: None,
                    birthdate,
                    sex: Sex::Unstated,
                };
                // Never matched: two unidentified people must not become one patient.
                (PatientRef::New(placeholder), false)
            }
        };
        let kind = record.basis.visit_kind(known);

        if let Some(p) = record.problem {
            notes.push(format!("障害区分: {}", problem_label(p)));
        }
        if let Some(note) = record.method.and_then(method_note) {
            notes.push(note.to_owned());
        }
        if let Basis::PreviousVisit { confirmed_on } = record.basis {
            notes.push(format!("前回資格情報を使用（確認日 {confirmed_on}）"));
        }
        if let Some((setting, _)) = record.document.as_ref().and_then(|d| d.group.as_ref()) {
            notes.push(
                match setting {
                    GroupSetting::SchoolTrip => "修学旅行等（カードなし・付き添いあり）",
                    GroupSetting::Nursery => "保育所等（カードなし・付き添いあり）",
                }
                .to_owned(),
            );
        }
        if record
            .eligibility
            .as_ref()
            .is_some_and(|e| e.medical_viewing_suspended)
        {
            notes.push("医療情報の閲覧停止中".to_owned());
        }
        if let Some(note) = record.cert_status.and_then(cert_note) {
            notes.push(note.to_owned());
        }

        let full_payment = (record.billing == Billing::FullCharge).then(|| full_payment_of(record));
        let audit = vec![AuditEntry {
            at: record.completed_at,
            actor: FLOW_ACTOR.into(),
            action: "reception.completed".into(),
            detail: Some(completion_detail(record)),
        }];

        Ok(CompletedReception {
            mode: self.db.mode(),
            patient,
            visit: Visit {
                session_id,
                at: record.completed_at,
                kind,
                identity: identity_method(record.method),
                presenter: record.operator,
                outcome,
                fallback,
                staff: None,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            },
            eligibility: record.eligibility.as_ref().map(|e| snapshot_of(record, e)),
            consent: record
                .consent
                .as_ref()
                .map(|c| consent_of(c, record.prescription)),
            documents: record.document.iter().cloned().collect(),
            declaration: record.declaration.clone(),
            full_payment,
            recheck: record.recheck_online.then(|| {
                "回線障害のため書類のみで受付。回線復旧後に書類の番号で資格を再照会してください".to_owned()
            }),
            audit,
        })
    }

    /// An existing patient who is the same person: same birthdate and name (spaces ignored), kana equal when
    /// both are known, sex equal when both are known. Looser than the store's own `MatchOrCreate` (which
    /// needs all four equal) because OQS gives no sex and a 資格確認書 no kana; the best match wins, then
    /// the oldest patient.
    fn find_same_patient(&self, p: &NewPatient) -> Result<Option<Patient>, StoreError> {
        let name = squeeze(&p.name);
        let kana = search_key(&p.name_kana);
        let best = self
            .db
            .find_patients(None, Some(p.birthdate))?
            .into_iter()
            .filter(|c| squeeze(&c.name) == name)
            .filter_map(|c| {
                let c_kana = search_key(&c.name_kana);
                let kana_score = match (kana.is_empty() || c_kana.is_empty(), kana == c_kana) {
                    (true, _) => 0,
                    (false, true) => 2,
                    (false, false) => return None,
                };
                let sex_score = match (p.sex, c.sex) {
                    (Sex::Unstated, _) | (_, Sex::Unstated) => 0,
                    (Sex::Male, Sex::Male) | (Sex::Female, Sex::Female) => 1,
                    (Sex::Male, Sex::Female) | (Sex::Female, Sex::Male) => return None,
                };
                Some((kana_score + sex_score, std::cmp::Reverse(c.id), c))
            })
            .max_by_key(|(score, id, _)| (*score, *id));
        Ok(best.map(|(_, _, c)| c))
    }

    fn next_session_id(&mut self, completed_at: NaiveDateTime) -> String {
        self.session_seq += 1;
        // Colons and '/' break digit runs: a session id never looks like a 12-digit number to the guard.
        format!(
            "{}/{}",
            completed_at.format("%Y-%m-%dT%H:%M:%S"),
            self.session_seq
        )
    }

    /// Patients with exactly this kana (any width) and birthdate.
    fn patients_by_kana(&self, kana: &str, birthdate: NaiveDate) -> Result<Vec<Patient>, StoreError> {
        let key = search_key(kana);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = self.db.find_patients(Some(kana), Some(birthdate))?;
        // find_patients matches a prefix; a 再診 must use exactly this person's record.
        found.retain(|p| search_key(&p.name_kana) == key);
        Ok(found)
    }

    fn last_of(&self, patients: &[PatientId]) -> Result<Option<StoredEligibility>, StoreError> {
        let mut best: Option<crate::model::LastEligibility> = None;
        for id in patients {
            if let Some(last) = self.db.last_valid_eligibility(*id)? {
                let newer = best.as_ref().is_none_or(|b| {
                    (last.snapshot.confirmation_date, last.visit_at)
                        > (b.snapshot.confirmation_date, b.visit_at)
                });
                if newer {
                    best = Some(last);
                }
            }
        }
        Ok(best.map(|l| stored_of(&l.snapshot)))
    }
}

impl ::reception::Store for StorePort {
    fn save_reception(&mut self, record: &ReceptionRecord) -> Result<(), PortError> {
        if self.outbox.is_some() {
            // What waits goes first, so the server's record stays in order; if the server is still away this
            // one waits behind it.
            let earlier = self.replay();
            if self.waiting() > 0 || earlier.as_ref().is_err_and(StoreError::is_unreachable) {
                return self.queue(record);
            }
            earlier.map_err(|e| port_error("send the receptions kept while the server was away", &e))?;
        }
        let mut attempt = 0;
        loop {
            let session = self.next_session_id(record.completed_at);
            self.unreachable.set(false);
            let completed = match self.to_completed(record, session) {
                Ok(c) => c,
                Err(_) if self.unreachable.get() && self.outbox.is_some() => {
                    self.online = false;
                    return self.queue(record);
                }
                Err(e) => return Err(e),
            };
            match self.db.save_completed_reception(&completed) {
                Ok(visit) => {
                    self.last_visit = Some(visit);
                    self.last_queued = None;
                    return Ok(());
                }
                Err(StoreError::DuplicateSession(_)) if attempt < SESSION_RETRIES => attempt += 1,
                // The server restarted since the last reception: connect again once and save there.
                Err(e) if e.is_unreachable() && attempt == 0 && self.db.reconnect().is_ok() => attempt += 1,
                Err(e) if e.is_unreachable() && self.outbox.is_some() => {
                    self.online = false;
                    return self.queue(record);
                }
                Err(e) => return Err(port_error("save the reception", &e)),
            }
        }
    }

    fn void_last_reception(&mut self, reason: VoidReason, at: NaiveDateTime) -> Result<(), PortError> {
        if let (Some(seq), Some(outbox)) = (self.last_queued, &self.outbox) {
            // Still waiting for the server: it will be sent with its void, in one transaction.
            let voided = outbox
                .void(seq, reason, at)
                .map_err(|e| port_error("void the reception kept while the server is away", &e))?;
            if voided {
                self.last_queued = None;
                return Ok(());
            }
        }
        let visit = self
            .last_visit
            .ok_or_else(|| PortError("no reception saved in this session to void".into()))?;
        self.db
            .void_reception(visit, reason, at, FLOW_ACTOR)
            .map_err(|e| port_error("void the reception", &e))
    }

    /// 再診 look-up. Kana + birthdate: patients with exactly that kana (half/full width, hiragana all match)
    /// and birthdate; if several, the most recent valid eligibility among them. Clinic patient id: the
    /// store's patient id when it parses (full-width digits accepted). Certificate serial: never stored, so
    /// `None`.
    fn last_eligibility(&mut self, who: &PatientLookup) -> Result<Option<StoredEligibility>, PortError> {
        let first = self.find_last_eligibility(who);
        let found = match first {
            // The server restarted since the last look-up: connect again once and ask again.
            Err(e) if e.is_unreachable() && self.db.reconnect().is_ok() => self.find_last_eligibility(who),
            other => other,
        };
        if let Err(e) = &found {
            if e.is_unreachable() {
                self.online = false;
            }
        }
        found.map_err(|e| port_error("look up the previous eligibility", &e))
    }

    fn audit(&mut self, event: &AuditEvent) -> Result<(), PortError> {
        self.audit_entry(event)
    }
}

impl StorePort {
    fn find_last_eligibility(&self, who: &PatientLookup) -> Result<Option<StoredEligibility>, StoreError> {
        match who {
            PatientLookup::KanaAndBirthdate { kana, birthdate } => self
                .patients_by_kana(kana, *birthdate)
                .and_then(|ps| self.last_of(&ps.iter().map(|p| p.id).collect::<Vec<_>>())),
            PatientLookup::ClinicPatientId(text) => match parse_patient_id(text) {
                Some(id) => self.last_of(&[id]),
                None => Ok(None),
            },
            PatientLookup::CertSerial(_) => Ok(None),
        }
    }

    fn audit_entry(&mut self, event: &AuditEvent) -> Result<(), PortError> {
        let (action, detail) = audit_of(&event.kind);
        let entry = AuditEntry {
            at: event.at,
            actor: FLOW_ACTOR.into(),
            action: action.into(),
            detail,
        };
        self.db
            .append_audit(None, &entry)
            .map_err(|e| port_error("write the audit log", &e))
    }
}

impl StorePort {
    /// Keeps `record` in the outbox (the server cannot be reached): the reception is complete and waits there.
    fn queue(&mut self, record: &ReceptionRecord) -> Result<(), PortError> {
        let Some(outbox) = &self.outbox else {
            return Err(PortError(
                "no outbox for receptions while the server is away".into(),
            ));
        };
        let seq = outbox
            .push(&Self::queued_session_id(record.completed_at), record)
            .map_err(|e| port_error("keep the reception while the server is away", &e))?;
        // 取消 of the reception just made now voids it in the outbox (or on the server, once sent).
        self.last_visit = None;
        self.last_queued = Some(seq);
        Ok(())
    }
}

fn port_error(what: &str, e: &StoreError) -> PortError {
    PortError(format!("could not {what}: {e}"))
}

/// 初診 / 再診 of a reception. Reception decides the basis but not the visit kind (its `ReceptionRecord` has
/// no 初診/再診 field), so for the bases that do not imply one, the store's file is the only witness: a patient
/// already in it has been here before.
/// Outcome and fallback of a reception (see [`StorePort::to_completed`]): reception's billing and basis, each
/// variant mapped onto the store's vocabulary.
fn outcome_of(r: &ReceptionRecord) -> Result<(Outcome, Option<Fallback>), PortError> {
    let doc_fallback = |kind: DocumentKind| match r.document.as_ref().and_then(|d| d.group.as_ref()) {
        // The store has one fallback for both settings; the setting itself is kept with the document.
        Some((GroupSetting::SchoolTrip | GroupSetting::Nursery, _)) => Fallback::SchoolTrip,
        None => match kind {
            DocumentKind::QualificationCertificate => Fallback::QualificationCertificate,
            DocumentKind::LegacyCard => Fallback::LegacyCard,
            DocumentKind::Notice => Fallback::CardWithNotice,
            DocumentKind::PortalPdf => Fallback::CardWithPortalPdf,
        },
    };
    match r.billing {
        // 10割 is billed on no confirmed eligibility, whatever the basis says was tried.
        Billing::FullCharge => Ok((Outcome::FullPayment, Some(Fallback::FullPayment))),
        Billing::NormalShare => match r.basis {
            Basis::OnlineCard | Basis::OnlineSmartphone => Ok((Outcome::Confirmed, None)),
            Basis::OnlineNumbers(kind) => Ok((Outcome::Confirmed, Some(doc_fallback(kind)))),
            Basis::Document(kind) => Ok((Outcome::PaperDocument, Some(doc_fallback(kind)))),
            Basis::PreviousVisit { .. } => Ok((Outcome::HistoryUsed, Some(Fallback::RevisitHistory))),
            Basis::Declaration => Ok((Outcome::Declaration, Some(Fallback::Declaration))),
            // The flow never bills an unconfirmed reception at the normal share; saving it as such would
            // record a claim nobody can back.
            Basis::Unconfirmed => Err(PortError(
                "refused to save: eligibility unconfirmed but billed at the normal share (expected 10割)"
                    .into(),
            )),
        },
    }
}

/// Visit-note text for an identity method the store's vocabulary has no code for.
fn method_note(m: Method) -> Option<&'static str> {
    match m {
        Method::Smartphone => Some("スマホ保険証"),
        Method::Face | Method::Pin | Method::Visual => None,
    }
}

/// Visit-note text for a certificate status staff must see on the day list.
fn cert_note(s: CertStatus) -> Option<&'static str> {
    match s {
        CertStatus::Grace { .. } => Some("電子証明書の有効期限切れ（猶予期間中・資格確認のみ）"),
        CertStatus::Valid
        | CertStatus::ExpiresSoon { .. }
        | CertStatus::Expired
        | CertStatus::NotYetValid => None,
    }
}

/// Who the reception is for: the eligibility answer, else the 申立書, else the document.
fn identity_of(r: &ReceptionRecord) -> Identity {
    if let Some(e) = &r.eligibility {
        return Identity::Known(NewPatient {
            name: e.name.clone(),
            name_kana: e.name_kana.clone(),
            name_other: None,
            birthdate: e.birthdate,
            sex: e.sex,
        });
    }
    if let Some(d) = &r.declaration {
        return Identity::Known(NewPatient {
            name: d.name.clone(),
            name_kana: d.name_kana.clone(),
            name_other: None,
            birthdate: d.birthdate,
            sex: d.sex,
        });
    }
    match &r.document {
        Some(AcceptedDocument {
            name: Some(name),
            numbers,
            ..
        }) if !name.trim().is_empty() => Identity::Known(NewPatient {
            name: name.clone(),
            name_kana: String::new(),
            name_other: None,
            birthdate: numbers.birthdate,
            sex: Sex::Unstated,
        }),
        Some(d) => Identity::Unidentified {
            birthdate: Some(d.numbers.birthdate),
        },
        None => Identity::Unidentified { birthdate: None },
    }
}

/// Name without ASCII or ideographic spaces, so 「見本 花子」 and 「見本　花子」 are the same person.
fn squeeze(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

fn identity_method(m: Option<Method>) -> IdentityMethod {
    match m {
        Some(Method::Face) => IdentityMethod::Face,
        // Android unlocks the phone certificate with a PIN, iPhone with the phone's own biometrics; the
        // record does not say which, and the store has no smartphone method (noted on the visit).
        Some(Method::Pin | Method::Smartphone) => IdentityMethod::Pin,
        Some(Method::Visual) => IdentityMethod::StaffVisual,
        None => IdentityMethod::NoCard,
    }
}

fn snapshot_of(r: &ReceptionRecord, e: &EligibilityRecord) -> EligibilitySnapshot {
    let (confirmation_date, validity) = match r.basis {
        // Reused from a previous visit: keep that visit's date; only valid snapshots are ever offered.
        Basis::PreviousVisit { confirmed_on } => (
            r.confirmed_on.unwrap_or(confirmed_on),
            Some(r.validity.unwrap_or(QualificationValidity::Valid)),
        ),
        // Without a validity code the snapshot must never count as valid for a later 再診.
        Basis::OnlineCard
        | Basis::OnlineSmartphone
        | Basis::OnlineNumbers(_)
        | Basis::Document(_)
        | Basis::Declaration
        | Basis::Unconfirmed => (r.confirmed_on.unwrap_or(r.completed_at.date()), r.validity),
    };
    EligibilitySnapshot {
        confirmation_date,
        processed_at: None,
        reference: match r.basis {
            Basis::OnlineNumbers(_) => EligibilityReference::InsuranceNumbers,
            // The card's (or the phone's card-linked) certificate keyed the check.
            Basis::OnlineCard | Basis::OnlineSmartphone => EligibilityReference::Card,
            // The record does not say how the check behind this answer was keyed (a previous visit's answer
            // comes back from the store without it); `Card` as before.
            Basis::PreviousVisit { .. } | Basis::Document(_) | Basis::Declaration | Basis::Unconfirmed => {
                EligibilityReference::Card
            }
        },
        validity,
        insurer_number: e.insurer_number.clone(),
        insurer_name: non_empty(&e.insurer_name),
        card_symbol: e.symbol.clone(),
        card_number: e.number.clone(),
        branch_number: e.branch.clone(),
        relationship: e.relationship,
        insured_name: None,
        name: e.name.clone(),
        name_kana: e.name_kana.clone(),
        sex: e.sex,
        birthdate: e.birthdate,
        card_classification: None,
        valid_from: e.valid_from,
        valid_until: e.valid_until,
        copay_percent: e.copay_percent,
        elderly_copay_percent: e.elderly.as_ref().and_then(|x| x.copay_percent),
        elderly_valid_from: e.elderly.as_ref().and_then(|x| x.valid_from),
        elderly_valid_until: e.elderly.as_ref().and_then(|x| x.valid_until),
        limit_class: e.limit.as_ref().map(|l| l.class_code.clone()),
        limit_class_name: e.limit.as_ref().map(|l| l.class_name.clone()),
        limit_valid_from: e.limit.as_ref().and_then(|l| l.valid_from),
        limit_valid_until: e.limit.as_ref().and_then(|l| l.valid_until),
        preschool: false,
        reason_of_loss: None,
        result_code: None,
        result_message: None,
        specific_diseases: e.specific_diseases.clone(),
    }
}

/// The flow's view of a stored snapshot (for 再診). Consent is per visit and is not carried over.
fn stored_of(s: &EligibilitySnapshot) -> StoredEligibility {
    StoredEligibility {
        record: EligibilityRecord {
            insurer_number: s.insurer_number.clone(),
            insurer_name: s.insurer_name.clone().unwrap_or_default(),
            symbol: s.card_symbol.clone(),
            number: s.card_number.clone(),
            branch: s.branch_number.clone(),
            name: s.name.clone(),
            name_kana: s.name_kana.clone(),
            birthdate: s.birthdate,
            sex: s.sex,
            relationship: s.relationship,
            copay_percent: s.copay_percent,
            valid_from: s.valid_from,
            valid_until: s.valid_until,
            consent: ReturnedConsent::default(),
            medical_viewing_suspended: false,
            elderly: (s.elderly_copay_percent.is_some() || s.elderly_valid_from.is_some()).then_some(
                ElderlyRecipient {
                    copay_percent: s.elderly_copay_percent,
                    valid_from: s.elderly_valid_from,
                    valid_until: s.elderly_valid_until,
                },
            ),
            limit: s.limit_class.as_ref().map(|code| LimitCertificate {
                class_code: code.clone(),
                class_name: s.limit_class_name.clone().unwrap_or_else(|| code.clone()),
                valid_from: s.limit_valid_from,
                valid_until: s.limit_valid_until,
            }),
            specific_diseases: s.specific_diseases.clone(),
        },
        confirmed_on: s.confirmation_date,
    }
}

fn consent_of(c: &ConsentRecord, prescription: Option<PrescriptionForm>) -> Consent {
    let flag = |yes: bool| if yes { ConsentFlag::Yes } else { ConsentFlag::No };
    Consent {
        given_at: c.given_at,
        expires_at: c.valid_until,
        scope: match c.mode {
            ConsentMode::Comprehensive => ConsentScope::Comprehensive,
            // 同意しない for all at once is stored as item-by-item answers that are all no.
            ConsentMode::Individual | ConsentMode::DeclineAll => ConsentScope::Individual,
        },
        medical_and_drugs: c.treatment_and_medicine,
        surgery: c.surgery,
        checkups: c.health_checkup,
        flags: ConsentFlags {
            // 診療・お薬 answers both PharmacistsInfoConsFlg and DiagnosisInfoConsFlg (domain.md §2).
            pharmacists: flag(c.treatment_and_medicine),
            diagnosis: flag(c.treatment_and_medicine),
            operation: flag(c.surgery),
            checkups: flag(c.health_checkup),
            limit: flag(c.limit_info),
        },
        prescription_format: prescription,
    }
}

fn full_payment_of(r: &ReceptionRecord) -> FullPayment {
    let why = r
        .refund_task
        .as_ref()
        .and_then(|t| t.problem)
        .or(r.problem)
        .map_or("資格確認不可".to_owned(), |p| {
            format!("資格確認不可（{}）", problem_label(p))
        });
    FullPayment {
        amount_yen: AMOUNT_NOT_YET_BILLED_YEN,
        normal_share_yen: None,
        reason: format!("{why}; 金額は受付時未確定（会計で確定）"),
        // 事務連絡 R6.3.1: the clinic refunds the excess once eligibility is confirmed.
        route: RefundRoute::ClinicRefund,
        recheck_on: r.refund_task.as_ref().map(|t| t.recheck_on),
    }
}

/// Machine-readable summary of what the store has no column for.
fn completion_detail(r: &ReceptionRecord) -> String {
    let basis = match r.basis {
        Basis::OnlineCard => "online_card",
        Basis::OnlineSmartphone => "online_smartphone",
        Basis::OnlineNumbers(_) => "online_numbers",
        Basis::Document(_) => "document",
        Basis::PreviousVisit { .. } => "previous_visit",
        Basis::Declaration => "declaration",
        Basis::Unconfirmed => "unconfirmed",
    };
    let mut parts = vec![format!("basis={basis}")];
    if let Some(m) = r.method {
        parts.push(format!(
            "method={}",
            match m {
                Method::Face => "face",
                Method::Pin => "pin",
                Method::Visual => "visual",
                Method::Smartphone => "smartphone",
            }
        ));
    }
    if let Some(s) = r.cert_status {
        parts.push(format!(
            "cert={}",
            match s {
                CertStatus::Valid => "valid",
                CertStatus::ExpiresSoon { .. } => "expires_soon",
                CertStatus::Grace { .. } => "grace",
                CertStatus::Expired => "expired",
                CertStatus::NotYetValid => "not_yet_valid",
            }
        ));
    }
    if let Some(p) = r.problem {
        parts.push(format!("problem={}", problem_code(p)));
    }
    parts.push(format!(
        "medical_info={}",
        if r.medical_info_available { "yes" } else { "no" }
    ));
    parts.join(" ")
}

fn problem_code(p: ProblemKind) -> &'static str {
    match p {
        ProblemKind::CommunicationFailure => "communication_failure",
        ProblemKind::PowerOutage => "power_outage",
        ProblemKind::DeviceFailure => "device_failure",
        ProblemKind::NoEligibilityData => "no_eligibility_data",
        ProblemKind::EligibilityInvalid => "eligibility_invalid",
        ProblemKind::IdentityNotConfirmed => "identity_not_confirmed",
        ProblemKind::CardNotUsable => "card_not_usable",
        ProblemKind::IdentityRejected => "identity_rejected",
    }
}

fn problem_label(p: ProblemKind) -> &'static str {
    match p {
        ProblemKind::CommunicationFailure => "通信障害",
        ProblemKind::PowerOutage => "停電",
        ProblemKind::DeviceFailure => "機器故障",
        ProblemKind::NoEligibilityData => "資格情報なし",
        ProblemKind::EligibilityInvalid => "資格無効",
        ProblemKind::IdentityNotConfirmed => "本人確認不可",
        ProblemKind::CardNotUsable => "マイナ保険証として利用不可",
        ProblemKind::IdentityRejected => "目視で本人と確認できず",
    }
}

/// Audit action and detail of a flow event.
fn audit_of(kind: &AuditKind) -> (&'static str, Option<String>) {
    match kind {
        AuditKind::ModeChanged(m) => (
            "reader.mode_changed",
            Some(
                match m {
                    ReaderMode::Unattended => "unattended",
                    ReaderMode::VisualCheck => "visual_check",
                }
                .into(),
            ),
        ),
        AuditKind::VisualCheck(ok) => (
            "identity.visual_check",
            Some(if *ok { "confirmed" } else { "not_confirmed" }.into()),
        ),
        AuditKind::FallbackOpened(p) => ("fallback.opened", p.map(|p| problem_code(p).into())),
        AuditKind::ProblemClassified(p) => ("fallback.problem_classified", Some(problem_code(*p).into())),
        AuditKind::DocumentRefused(r) => ("document.refused", Some(refusal_code(*r).into())),
        AuditKind::HotlineShown => ("hotline.shown", None),
        AuditKind::ReceptionVoided(r) => (
            "reception.void_requested",
            Some(crate::codec::TextCode::code(r).into()),
        ),
        AuditKind::QueryCancelled => ("query.cancelled", None),
        AuditKind::OperatorSet(o) => (
            "operator.set",
            Some(
                match o {
                    Operator::Patient => "patient",
                    Operator::Proxy => "proxy",
                    Operator::StaffAssisted => "staff_assisted",
                }
                .into(),
            ),
        ),
    }
}

fn refusal_code(r: PaperRefusal) -> &'static str {
    match r {
        PaperRefusal::QualificationCertificateExpired => "qualification_certificate_expired",
        PaperRefusal::QualificationCertificateNotYetValid => "qualification_certificate_not_yet_valid",
        PaperRefusal::QualificationCertificateValidityTooLong => {
            "qualification_certificate_validity_too_long"
        }
        PaperRefusal::LegacyCardAbolished => "legacy_card_abolished",
        PaperRefusal::LegacyCardExpired => "legacy_card_expired",
        PaperRefusal::NoticeRequiresCard => "notice_requires_card",
        PaperRefusal::NotConfirmedOnline => "not_confirmed_online",
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The store's patient id from a 診察券番号 as typed (ASCII or full-width digits, surrounding spaces).
fn parse_patient_id(text: &str) -> Option<PatientId> {
    let digits: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(PatientId)
}

#[cfg(test)]
mod tests {
    use super::parse_patient_id;
    use crate::model::PatientId;

    #[test]
    fn clinic_patient_ids_parse_from_ascii_or_full_width_digits_only() {
        assert_eq!(parse_patient_id(" 42 "), Some(PatientId(42)));
        assert_eq!(parse_patient_id("４２"), Some(PatientId(42)));
        assert_eq!(parse_patient_id("A-42"), None);
        assert_eq!(parse_patient_id("-1"), None);
        assert_eq!(parse_patient_id(""), None);
    }
}
