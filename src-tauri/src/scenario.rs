//! Training scenarios in the app (issue #8): start a scenario (its day, site switch, card and faults), record
//! the trainee's staff decisions while it runs, score it, keep the run in the training database, and issue
//! the certificate of completion once every curriculum scenario has been passed.
//!
//! Recording hooks the driver thread ([`Session::set_recorder`](crate::session::Session::set_recorder)): each
//! `UserInput` is turned into a `StaffDecision` with `decision_of(&input, state_before)` *before* the flow
//! applies it, so the decision is judged on the screen the trainee saw, and kept only when the flow accepted
//! the input (a refused click is never scored; the headless runner records the same way).
//! Deliberately not here: what is right or wrong (`reception::training` grades), any reception rule, and
//! the headless runner (`uketsuke-train`).
//!
//! The scenario's world is described once, by `reception::training::World::of` (the headless runner plays the
//! same description on its fakes); starting a scenario applies it here: the clock pinned to its start, the
//! persona's virtual card on vpcd (pulled after one command for a worn chip), pcscd stopped for a dead reader,
//! the trainer camera ([`camera_of`]), the mock OQS fault ([`oqs_fault_of`]), 紐付け誤り as the mock OQS
//! showing the other persona's record, and for a 再診 patient one earlier completed reception in the training
//! database ([`seed_previous_visit`]). Faults the app cannot play would be listed in
//! [`ScenarioStarted::unplayed`]; today every fault of the curriculum is played.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{NaiveDate, NaiveDateTime};
use reception::model::{Method, Operator, PatientLookup, QualificationValidity};
use reception::paper::{Basis, Billing, ReceptionRecord};
use reception::training::world::{Camera, Service};
use reception::training::{self, Debrief, Fault, Lang, Scenario, StaffDecision, Text, World};
use reception::{Clock as _, Snapshot};
use serde::Serialize;

use crate::app::App;
use crate::cmd;
use crate::commands::OqsFault;
use crate::contract::{Args, Reply, SavedFile};
use crate::error::{Code, Key, UiError, UiResult};
use crate::training::CameraInput;

/// Longest trainee name kept (the store's limit).
const MAX_TRAINEE_CHARS: usize = 100;

/// A scenario as the trainer panel lists it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ScenarioRow {
    /// Id, e.g. `s05-pin-locked-visual`.
    pub id: String,
    /// Title (ja / en).
    pub title: Text,
    /// The patient's story, in Japanese.
    pub story_ja: String,
    /// Topic tags.
    pub tags: Vec<String>,
    /// Persona id, or "none" for a paper-only patient.
    pub persona: String,
    /// The scenario's "today".
    pub today: NaiveDate,
    /// Whether the MHLW temporary rule is switched on.
    pub temporary_rule: bool,
    /// Faults in play.
    pub faults: Vec<Fault>,
}

impl ScenarioRow {
    fn of(s: &Scenario) -> ScenarioRow {
        ScenarioRow {
            id: s.id.clone(),
            title: s.title.clone(),
            story_ja: s.story_ja.clone(),
            tags: s.tags.clone(),
            persona: s.persona.clone(),
            today: s.today,
            temporary_rule: s.temporary_rule,
            faults: s.faults.clone(),
        }
    }
}

/// The curriculum, in teaching order.
pub fn curriculum() -> UiResult<Vec<Scenario>> {
    training::load_all().map_err(|e| UiError::new(Code::Internal, e))
}

/// The curriculum as the panel lists it.
pub fn list() -> UiResult<Vec<ScenarioRow>> {
    Ok(curriculum()?.iter().map(ScenarioRow::of).collect())
}

/// A trainee name as kept: trimmed, 1–100 characters.
pub fn trainee_name(raw: &str) -> UiResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(UiError::keyed(Code::InvalidInput, Key::TraineeNameMissing));
    }
    if name.chars().count() > MAX_TRAINEE_CHARS {
        return Err(
            UiError::keyed(Code::InvalidInput, Key::TraineeNameTooLong).with("max", MAX_TRAINEE_CHARS)
        );
    }
    Ok(name.to_owned())
}

/// One scenario being played: what was recorded so far.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The scenario.
    pub scenario: Scenario,
    /// Who plays it.
    pub trainee: String,
    /// Clinic clock at the start (the scenario's day).
    pub started_at: NaiveDateTime,
    /// Staff decisions in the order made.
    pub decisions: Vec<StaffDecision>,
}

impl Recording {
    /// Start recording `scenario` for `trainee` at `started_at`.
    pub fn new(scenario: Scenario, trainee: &str, started_at: NaiveDateTime) -> UiResult<Recording> {
        Ok(Recording {
            scenario,
            trainee: trainee_name(trainee)?,
            started_at,
            decisions: Vec::new(),
        })
    }

    /// Record a decision the flow accepted.
    pub fn record(&mut self, d: StaffDecision) {
        self.decisions.push(d);
    }

    /// Record the decision behind `input`, judged on the state before it, as if the flow accepted it.
    pub fn observe(
        &mut self,
        input: &reception::UserInput,
        before: &reception::State,
    ) -> Option<StaffDecision> {
        let d = training::decision_of(input, before)?;
        self.record(d);
        Some(d)
    }

    /// Score at `now` (the scenario's clock, which the time taken is measured on) and build the run to keep,
    /// finished at `finished_at`: the real time, since a trainee's history and certificate say when the trainee
    /// played, not the day the scenario pretends (every run of a scenario pins the same day).
    pub fn finish(
        &self,
        now: NaiveDateTime,
        finished_at: NaiveDateTime,
    ) -> UiResult<(DebriefView, store::TrainingRun)> {
        let elapsed = u64::try_from((now - self.started_at).num_seconds()).unwrap_or(0);
        let view = DebriefView::of(training::score(&self.scenario, &self.decisions, elapsed));
        let run = store::TrainingRun {
            trainee: self.trainee.clone(),
            scenario_id: self.scenario.id.clone(),
            score_percent: view.debrief.score_percent,
            points: view.debrief.points,
            max_points: view.debrief.max_points,
            elapsed_secs: elapsed,
            decisions_json: to_json(&self.decisions)?,
            debrief_json: to_json(&view)?,
            finished_at,
        };
        Ok((view, run))
    }
}

fn to_json<T: Serialize>(v: &T) -> UiResult<String> {
    serde_json::to_string(v).map_err(|e| UiError::new(Code::Internal, e))
}

/// Labels of one debrief line, in both languages (the UI shows the pane's language).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ItemLabels {
    /// What was expected ("" for an extra decision).
    pub expected: Text,
    /// What was done ("" when missing).
    pub done: Text,
}

/// The debrief plus the labels the UI shows (the same JSON is kept in the history).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct DebriefView {
    /// The graded debrief.
    #[serde(flatten)]
    pub debrief: Debrief,
    /// `labels[n]` labels `debrief.items[n]`.
    pub labels: Vec<ItemLabels>,
}

impl DebriefView {
    /// Add the labels.
    pub fn of(debrief: Debrief) -> DebriefView {
        let text = |d: Option<StaffDecision>| Text {
            ja: d.map(|d| d.label(Lang::Ja)).unwrap_or_default(),
            en: d.map(|d| d.label(Lang::En)).unwrap_or_default(),
        };
        let labels = debrief
            .items
            .iter()
            .map(|i| ItemLabels {
                expected: text(i.expected),
                done: text(i.done),
            })
            .collect();
        DebriefView { debrief, labels }
    }
}

/// What `scenario_start` answers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ScenarioStarted {
    /// The scenario.
    pub scenario: ScenarioRow,
    /// The trainee (as kept).
    pub trainee: String,
    /// Faults of the scenario this app cannot play (the trainee is told).
    pub unplayed: Vec<Fault>,
    /// The reception after the reset.
    pub snapshot: Snapshot,
}

/// The mock OQS fault that plays the world's eligibility service, if any.
pub fn oqs_fault_of(service: Service) -> Option<OqsFault> {
    match service {
        Service::Up => None,
        Service::Timeout => Some(OqsFault::Timeout),
        Service::Unreachable => Some(OqsFault::Refused),
        Service::Processing => Some(OqsFault::Processing),
        Service::Error => Some(OqsFault::Error),
    }
}

/// What the training camera shows for the world's camera (a stranger, or no face for a broken camera). A
/// stranger "once" is the holder again after the trainee's 顔認証をやり直す ([`camera_after_retry`]).
pub fn camera_of(camera: Camera) -> CameraInput {
    match camera {
        Camera::Holder => CameraInput::Same,
        Camera::Stranger | Camera::StrangerOnce => CameraInput::Other,
        Camera::Broken => CameraInput::Noface,
    }
}

/// What the training camera shows after the trainee let the patient retry the face check, if it changes.
pub fn camera_after_retry(camera: Camera) -> Option<CameraInput> {
    match camera {
        Camera::StrangerOnce => Some(CameraInput::Same),
        Camera::Holder | Camera::Stranger | Camera::Broken => None,
    }
}

/// Faults this app cannot reproduce (none left: see the module docs).
const UNPLAYABLE: &[Fault] = &[];

/// Faults this app cannot reproduce (see the module docs).
pub fn unplayed(s: &Scenario) -> Vec<Fault> {
    s.faults
        .iter()
        .copied()
        .filter(|f| UNPLAYABLE.contains(f))
        .collect()
}

/// 再診 history for a scenario's world: one completed reception of the persona on [`World::previous_visit`],
/// with the eligibility the mock OQS gives for the persona's 記号番号 on that day, saved through the store port like any
/// reception (online check, face authentication, normal share). Returns the day when a record was written.
///
/// Idempotent: nothing is written when the 再診 look-up (kana + birthdate) already finds a record confirmed on
/// or after that day — a previous start of the scenario, or a later run of the persona — so starting the
/// scenario again never changes what the look-up answers. Call it before any OQS fault is injected.
pub fn seed_previous_visit(app: &App, world: &World) -> UiResult<Option<NaiveDate>> {
    let (Some(day), Some(persona)) = (world.previous_visit, world.persona) else {
        return Ok(None);
    };
    let internal = |what: &str| UiError::new(Code::Internal, format!("{}: {what}", persona.id));
    let data = oqs::data::Eligibility::load_dir(&crate::training::assets_dir().join("eligibility"))
        .map_err(|e| UiError::new(Code::Internal, e))?;
    let q = data
        .people
        .get(persona.id)
        .and_then(|p| p.qualifications.first())
        .ok_or_else(|| internal("the persona has no eligibility record"))?;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let optional = |v: &Option<String>| Some(text(v)).filter(|t| !t.is_empty());
    let query = oqs::NumberQuery {
        insurer_number: text(&q.insurer_number),
        symbol: optional(&q.insured_card_symbol),
        number: text(&q.insured_identification_number),
        branch: optional(&q.insured_branch_number),
        birthdate: q
            .birthdate
            .as_deref()
            .and_then(oqs::derived::parse_yyyymmdd)
            .ok_or_else(|| internal("the persona's record has no birthdate"))?,
        date: day,
        limit_consent: false,
    };
    // Ask the embedded mock, so the history holds exactly what the service answers for that day.
    let client = oqs::OqsClient::new(oqs::ClientConfig::new(app.info().oqs_endpoint));
    let msg = client
        .query_by_numbers(&query, false)
        .map_err(|e| UiError::new(Code::Eligibility, e))?;
    let answer =
        oqs::reception_port::response_from_msg(&msg, day).map_err(|e| UiError::new(Code::Eligibility, e))?;
    let record = match (answer.validity, answer.record) {
        (Some(QualificationValidity::Valid), Some(r)) => r,
        _ => return Err(internal("the mock OQS has no valid eligibility for the persona")),
    };
    let lookup = PatientLookup::KanaAndBirthdate {
        kana: record.name_kana.clone(),
        birthdate: record.birthdate,
    };
    let completed_at = day
        .and_hms_opt(10, 0, 0)
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN));
    let visit = ReceptionRecord {
        completed_at,
        basis: Basis::OnlineCard,
        billing: Billing::NormalShare,
        operator: Operator::Patient,
        method: Some(Method::Face),
        cert_serial: None,
        cert_status: None,
        consent: None,
        prescription: None,
        medical_info_available: false,
        validity: Some(QualificationValidity::Valid),
        eligibility: Some(record),
        confirmed_on: Some(answer.confirmed_on),
        document: None,
        declaration: None,
        problem: None,
        refund_task: None,
        recheck_online: false,
    };
    let seed = || {
        let mut guard = app.db();
        let store: &mut dyn reception::Store = &mut *guard;
        if let Some(known) = store.last_eligibility(&lookup)? {
            if known.confirmed_on >= day {
                return Ok(None);
            }
        }
        store.save_reception(&visit)?;
        Ok::<_, reception::model::StoreError>(Some(day))
    };
    seed().map_err(|e| UiError::new(Code::Store, e))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The scenario controller (Tauri-managed state next to [`App`]).
#[derive(Default)]
pub struct ScenarioControl {
    current: Arc<Mutex<Option<Recording>>>,
    /// This controller stopped pcscd for a "reader stopped" scenario and must bring it back.
    stopped_pcscd: Mutex<bool>,
}

impl ScenarioControl {
    /// The scenario being played, if any (id, trainee).
    pub fn running(&self) -> Option<(String, String)> {
        lock(&self.current)
            .as_ref()
            .map(|r| (r.scenario.id.clone(), r.trainee.clone()))
    }

    /// Start `id` for `trainee`: pin the clock to the scenario's day (10:00), apply its site switch, reset
    /// the reception, place the persona's card (nothing for a paper-only patient), set the camera and the
    /// OQS / reader faults, and start recording. A scenario already running is dropped unscored.
    pub fn start(&self, app: &App, trainee: &str, id: &str) -> UiResult<ScenarioStarted> {
        let trainee = trainee_name(trainee)?;
        let scenario = training::load(id).map_err(|e| {
            UiError::keyed(Code::InvalidInput, Key::UnknownScenario)
                .with("id", id)
                .with("detail", e)
        })?;
        drop(app.trainer()?); // training mode only
        *lock(&self.current) = None;
        app.session.set_recorder(None)?;

        self.clean_world(app)?;

        let world = World::of(&scenario);
        app.clock().pin_to(world.start);
        let snapshot = app.session.reset(world.site(app.settings().site()))?;

        // The scenario's world. 再診 history first: it asks the mock OQS, which a fault may then break.
        seed_previous_visit(app, &world)?;
        if let Some(fault) = oqs_fault_of(world.service) {
            app.oqs_fault(fault)?;
        }
        if let (Some(other), Some(persona)) = (world.other_person, world.persona) {
            app.oqs_fault_rule(oqs::FaultRule {
                fault: oqs::Fault::OtherPerson {
                    shown: other.id.to_owned(),
                },
                person: Some(persona.id.to_owned()),
                count: None,
            })?;
        }
        {
            let mut t = app.trainer()?;
            t.set_camera(camera_of(world.camera));
            // The virtual card is the card itself, or stands in for the phone.
            if let Some(persona) = world.persona {
                if (world.card || world.phone.is_some()) && !world.reader_stopped {
                    t.place(persona.id, world.today())?;
                    if world.card_unreadable {
                        // The chip answers the first command and then goes silent, as a worn card does.
                        t.pull_after(1)?;
                    }
                }
            }
            if world.reader_stopped {
                t.stop_pcscd()?;
                *lock(&self.stopped_pcscd) = true;
            }
        }

        let recording = Recording::new(scenario.clone(), &trainee, app.clock().now())?;
        *lock(&self.current) = Some(recording);
        let current = Arc::clone(&self.current);
        let camera = app.trainer()?.camera.clone();
        let after_retry = camera_after_retry(world.camera);
        app.session.set_recorder(Some(Box::new(move |made| {
            let mut guard = lock(&current);
            let Some(rec) = guard.as_mut() else { return };
            rec.record(made);
            // "Face fails once": the retry the trainee chose sees the holder again.
            if let (StaffDecision::RetryFace, Some(input)) = (made, after_retry) {
                *lock(&camera) = input;
            }
        })))?;
        Ok(ScenarioStarted {
            scenario: ScenarioRow::of(&scenario),
            trainee,
            unplayed: unplayed(&scenario),
            snapshot,
        })
    }

    /// Stop recording, score, keep the run in the training database and return the debrief; then undo the
    /// scenario's world ([`ScenarioControl::clean_world`] and the real clock), so manual practice after it
    /// sees no fault, no pinned day and the clinic's own site settings.
    pub fn finish(&self, app: &App) -> UiResult<DebriefView> {
        app.session.set_recorder(None)?;
        let rec = lock(&self.current)
            .take()
            .ok_or_else(|| UiError::keyed(Code::NotAvailable, Key::NoScenarioRunning))?;
        let (view, run) = rec.finish(app.clock().now(), crate::clock::SystemClock::real_now())?;
        app.db()
            .db_mut()
            .save_training_run(&run)
            .map_err(|e| UiError::new(Code::Store, e))?;
        self.clean_world(app)?;
        app.clock().unpin();
        app.session.reset(app.settings().site())?;
        Ok(view)
    }

    /// Back to a clean world: no card, camera on the holder, no OQS fault (nor a per-person rule), pcscd
    /// running.
    fn clean_world(&self, app: &App) -> UiResult<()> {
        {
            let mut t = app.trainer()?;
            t.remove();
            t.set_camera(CameraInput::Same);
            let mut stopped = lock(&self.stopped_pcscd);
            if *stopped {
                t.restart_pcscd()?;
                *stopped = false;
            }
        }
        app.oqs_fault(OqsFault::None)
    }
}

/// One run in a trainee's history.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct HistoryRow {
    /// Row id.
    pub id: i64,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title (empty when the scenario left the curriculum).
    pub title: Text,
    /// Score.
    pub score_percent: u32,
    /// 100 %.
    pub passed: bool,
    /// Time taken, seconds.
    pub elapsed_secs: u64,
    /// When.
    pub finished_at: NaiveDateTime,
}

/// A trainee's history, and who else has one.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct History {
    /// Every trainee with a run.
    pub trainees: Vec<String>,
    /// This trainee's runs, oldest first.
    pub runs: Vec<HistoryRow>,
    /// Curriculum scenarios not passed yet.
    pub remaining: Vec<String>,
}

fn runs_of(app: &App, trainee: &str) -> UiResult<(Vec<String>, Vec<store::StoredTrainingRun>)> {
    drop(app.trainer()?); // the history lives in the training file
    let who = trainee.trim().to_owned();
    let db = app.reader();
    (|| Ok::<_, store::StoreError>((db.trainees()?, db.training_runs(&who)?)))()
        .map_err(|e| UiError::new(Code::Store, e))
}

/// `trainee`'s history (an empty name lists the trainees only).
pub fn history(app: &App, trainee: &str) -> UiResult<History> {
    let curriculum = curriculum()?;
    let (trainees, runs) = runs_of(app, trainee)?;
    let title = |id: &str| {
        curriculum
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let remaining = match certificate_lines(&curriculum, &runs) {
        Ok(_) => Vec::new(),
        Err(missing) => missing,
    };
    Ok(History {
        trainees,
        runs: runs
            .iter()
            .map(|r| HistoryRow {
                id: r.id,
                title: title(&r.run.scenario_id),
                scenario_id: r.run.scenario_id.clone(),
                score_percent: r.run.score_percent,
                passed: r.run.passed(),
                elapsed_secs: r.run.elapsed_secs,
                finished_at: r.run.finished_at,
            })
            .collect(),
        remaining,
    })
}

/// One line of the certificate: a curriculum scenario and the trainee's first passing run of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateLine {
    /// Scenario id.
    pub scenario_id: String,
    /// Japanese title.
    pub title_ja: String,
    /// Score of the passing run (100).
    pub score_percent: u32,
    /// Day it was passed (the real day, not the scenario's).
    pub passed_on: NaiveDate,
}

/// Certificate lines when every curriculum scenario has a passing run, else the ids still missing. Pure.
pub fn certificate_lines(
    curriculum: &[Scenario],
    runs: &[store::StoredTrainingRun],
) -> Result<Vec<CertificateLine>, Vec<String>> {
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    for s in curriculum {
        match runs.iter().find(|r| r.run.scenario_id == s.id && r.run.passed()) {
            Some(r) => lines.push(CertificateLine {
                scenario_id: s.id.clone(),
                title_ja: s.title.ja.clone(),
                score_percent: r.run.score_percent,
                passed_on: r.run.finished_at.date(),
            }),
            None => missing.push(s.id.clone()),
        }
    }
    if missing.is_empty() {
        Ok(lines)
    } else {
        Err(missing)
    }
}

/// Write the certificate of completion for `trainee` into `<data>/training/documents/`.
pub fn certificate_pdf(app: &App, trainee: &str) -> UiResult<PathBuf> {
    let name = trainee_name(trainee)?;
    let curriculum = curriculum()?;
    let (_, runs) = runs_of(app, &name)?;
    let lines = certificate_lines(&curriculum, &runs).map_err(|missing| {
        UiError::keyed(Code::NotAvailable, Key::CertificateIncomplete)
            .with("count", missing.len())
            .with("missing", missing.join(", "))
    })?;
    // Dated by the real day, not a scenario's pinned one.
    let today = crate::clock::SystemClock::real_now().date();
    let dir = app.documents_dir()?;
    let path = dir.join(format!(
        "training-certificate-{}.pdf",
        crate::clock::SystemClock::real_now().format("%Y%m%d-%H%M%S")
    ));
    let cert = crate::certificate::Certificate {
        trainee: name,
        issued_on: today,
        lines,
    };
    crate::certificate::write_certificate(&cert, std::path::Path::new(crate::pdf::DEFAULT_FONT), &path)
        .map_err(|e| UiError::new(Code::Io, e))?;
    Ok(path)
}

// ---- Tauri commands (thin: decode, forward, map the error) ----

/// `scenario_start`.
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ScenarioStartArgs {
    /// 研修者の名前 (1–100 characters).
    pub trainee: String,
    /// Scenario id.
    pub id: String,
}

/// `training_history`.
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
#[ts(export_to = "app/", optional_fields)]
pub struct TrainingHistoryArgs {
    /// 研修者の名前 (none: only the list of trainees).
    pub trainee: Option<String>,
}

/// `training_certificate_pdf`.
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct CertificateArgs {
    /// 研修者の名前.
    pub trainee: String,
}

/// The curriculum.
#[tauri::command]
pub fn scenario_list() -> Reply<cmd::scenario_list> {
    list()
}

/// Start a scenario for a trainee.
#[tauri::command]
pub fn scenario_start(
    app: tauri::State<'_, App>,
    control: tauri::State<'_, ScenarioControl>,
    args: Args<cmd::scenario_start>,
) -> Reply<cmd::scenario_start> {
    let ScenarioStartArgs { trainee, id } = args.get()?;
    control.start(&app, &trainee, &id)
}

/// 終了して採点: score the running scenario and keep the run.
#[tauri::command]
pub fn scenario_finish(
    app: tauri::State<'_, App>,
    control: tauri::State<'_, ScenarioControl>,
) -> Reply<cmd::scenario_finish> {
    control.finish(&app)
}

/// A trainee's history.
#[tauri::command]
pub fn training_history(
    app: tauri::State<'_, App>,
    args: Args<cmd::training_history>,
) -> Reply<cmd::training_history> {
    history(&app, args.get()?.trainee.as_deref().unwrap_or(""))
}

/// The certificate of completion as a PDF (only when every scenario is passed).
#[tauri::command]
pub fn training_certificate_pdf(
    app: tauri::State<'_, App>,
    args: Args<cmd::training_certificate_pdf>,
) -> Reply<cmd::training_certificate_pdf> {
    certificate_pdf(&app, &args.get()?.trainee).map(|path| SavedFile { path })
}

// ---- A training centre's class (#15 §3) ----

/// One rule a trainee got wrong or missed, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct WeakRule {
    /// The rule's source (seed line or domain.md section), as the debrief cites it.
    pub source: String,
    /// Items graded 誤り or 未実施 against it, over all the trainee's runs.
    pub misses: u32,
}

/// One trainee of the class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct TraineeSummary {
    /// 研修者の名前.
    pub trainee: String,
    /// Runs played.
    pub runs: u32,
    /// Curriculum scenarios passed (100 %) at least once, of `curriculum`.
    pub passed: u32,
    /// Scenarios in the curriculum.
    pub curriculum: u32,
    /// Mean score over the runs, percent.
    pub mean_percent: u32,
    /// Time spent in scenarios, seconds.
    #[ts(type = "number")]
    pub total_secs: u64,
    /// The last run (real time).
    pub last_at: Option<NaiveDateTime>,
    /// The rules missed most, most first (at most three).
    pub weakest: Vec<WeakRule>,
    /// Every curriculum scenario passed: the certificate can be printed.
    pub complete: bool,
}

/// The class: every trainee with a run in this training record, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ClassView {
    /// Trainees.
    pub trainees: Vec<TraineeSummary>,
}

/// The class from every run (`runs` ordered by trainee). Pure.
pub fn class_view(curriculum: &[Scenario], runs: &[store::StoredTrainingRun]) -> ClassView {
    let mut trainees: Vec<TraineeSummary> = Vec::new();
    for group in runs.chunk_by(|a, b| a.run.trainee == b.run.trainee) {
        let Some(first) = group.first() else { continue };
        let mut misses: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
        for r in group {
            let debrief: serde_json::Value = serde_json::from_str(&r.run.debrief_json).unwrap_or_default();
            for item in debrief["items"].as_array().into_iter().flatten() {
                if matches!(item["grade"].as_str(), Some("Wrong" | "Missing")) {
                    if let Some(source) = item["source"].as_str().filter(|s| !s.is_empty()) {
                        *misses.entry(source.to_owned()).or_default() += 1;
                    }
                }
            }
        }
        let mut weakest: Vec<WeakRule> = misses
            .into_iter()
            .map(|(source, misses)| WeakRule { source, misses })
            .collect();
        weakest.sort_by(|a, b| b.misses.cmp(&a.misses).then_with(|| a.source.cmp(&b.source)));
        weakest.truncate(3);
        let passed = curriculum
            .iter()
            .filter(|s| group.iter().any(|r| r.run.scenario_id == s.id && r.run.passed()))
            .count();
        let n = u32::try_from(group.len()).unwrap_or(u32::MAX);
        let score_sum: u64 = group.iter().map(|r| u64::from(r.run.score_percent)).sum();
        trainees.push(TraineeSummary {
            trainee: first.run.trainee.clone(),
            runs: n,
            passed: u32::try_from(passed).unwrap_or(u32::MAX),
            curriculum: u32::try_from(curriculum.len()).unwrap_or(u32::MAX),
            mean_percent: u32::try_from(score_sum / u64::from(n.max(1))).unwrap_or(0),
            total_secs: group.iter().map(|r| r.run.elapsed_secs).sum(),
            last_at: group.iter().map(|r| r.run.finished_at).max(),
            weakest,
            complete: passed == curriculum.len(),
        });
    }
    ClassView { trainees }
}

/// The class as CSV for the trainer's spreadsheet (UTF-8 with BOM, CRLF; a cell starting like a formula gets a
/// leading `'`, as the reception export does).
pub fn class_csv(view: &ClassView) -> Vec<u8> {
    let cell = store::csv_cell;
    let mut out = String::from(
        "\u{feff}研修者,実施回数,合格シナリオ,シナリオ数,平均点,所要時間(分),最終実施,苦手な規則,修了\r\n",
    );
    for t in &view.trainees {
        let weakest = t
            .weakest
            .iter()
            .map(|w| format!("{}（{}回）", w.source, w.misses))
            .collect::<Vec<_>>()
            .join(" / ");
        let row = [
            cell(&t.trainee),
            t.runs.to_string(),
            t.passed.to_string(),
            t.curriculum.to_string(),
            t.mean_percent.to_string(),
            (t.total_secs.div_ceil(60)).to_string(),
            t.last_at
                .map(|a| a.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            cell(&weakest),
            if t.complete { "修了" } else { "" }.to_owned(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The class of this training record (on a shared server: every desk's trainees).
pub fn class(app: &App) -> UiResult<ClassView> {
    drop(app.trainer()?);
    let runs = app
        .reader()
        .all_training_runs()
        .map_err(|e| UiError::new(Code::Store, e))?;
    Ok(class_view(&curriculum()?, &runs))
}

/// The class view: each trainee's runs, scores, time and weakest rules.
#[tauri::command]
pub fn training_class(app: tauri::State<'_, App>) -> Reply<cmd::training_class> {
    class(&app)
}

/// The class view as a CSV file in `<data>/training/documents/`.
#[tauri::command]
pub fn training_class_csv(app: tauri::State<'_, App>) -> Reply<cmd::training_class_csv> {
    let view = class(&app)?;
    let path = app.documents_dir()?.join(format!(
        "training-class-{}.csv",
        crate::clock::SystemClock::real_now().format("%Y%m%d-%H%M%S")
    ));
    crate::files::write_private(&path, &class_csv(&view)).map_err(|e| UiError::new(Code::Io, e))?;
    Ok(SavedFile { path })
}
