//! Hosting `step`: [`Host`] keeps the state, the armed timers with their due times, the port calls in
//! flight and a bounded trace, and never blocks — it hands out [`Job`]s and takes their answers back as
//! events, whenever they come (the sans-IO engine pattern: the caller owns threads and waiting).
//!
//! Two callers: the app runs each job on the worker of its port (`src-tauri/src/session.rs`) and keeps
//! feeding timer fires, card removal, staff cancel and user inputs while calls are in flight; [`Driver`]
//! runs jobs inline against [`Ports`] for tests and the headless training runner, so a journey reads as a
//! deterministic trace. [`perform`] is the one mapping from a call to port operations, used by both.
//!
//! The trace (`from --event--> to [effects]`) shows PINs only as `Pin(<redacted>)`; it keeps the last
//! [`TRACE_LIMIT`] lines. The card photo lives only inside [`perform`] between the card and the matcher.
//! Deliberately not here: threads, real waiting, reading a clock (`now` is always an argument).

use std::collections::VecDeque;

use chrono::{NaiveDateTime, TimeDelta};

use crate::flow::{step, Answer, AuditEvent, Call, Effect, Event, Lane, SiteSettings, State, TimerId};
use crate::model::{CardError, CardKind, CardSummary, FaceError, PossessionProof};
use crate::ports::{Adapters, Ports};
use crate::snapshot::Snapshot;

/// How many trace lines a host keeps (a day at a busy desk stays bounded).
pub const TRACE_LIMIT: usize = 5_000;

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// Phase before (Debug).
    pub from: String,
    /// Event (Debug; PINs redacted).
    pub event: String,
    /// Phase after (Debug).
    pub to: String,
    /// Effects (Debug; PINs redacted).
    pub effects: Vec<String>,
    /// Effect names.
    pub effect_names: Vec<&'static str>,
}

impl std::fmt::Display for TraceLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} --{}--> {} [{}]",
            self.from,
            self.event,
            self.to,
            self.effects.join(", ")
        )
    }
}

/// A timer waiting to fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingTimer {
    /// Which.
    pub id: TimerId,
    /// Sequence number.
    pub seq: u32,
    /// When it is due.
    pub due: NaiveDateTime,
}

/// Work the caller must do: a port call (answer it with `Event::Answer { seq, .. }`) or an audit line.
#[derive(Debug)]
pub enum Job {
    /// Call a port and feed the answer back.
    Call {
        /// Echo this in `Event::Answer`.
        seq: u32,
        /// The call.
        call: Call,
    },
    /// Append an audit line; nothing comes back.
    Audit(AuditEvent),
}

impl Job {
    /// The port it needs (the app runs the jobs of one lane in order, on that lane's worker).
    pub fn lane(&self) -> Lane {
        match self {
            Job::Call { call, .. } => call.lane(),
            Job::Audit(_) => Lane::Store,
        }
    }
}

/// A call handed out and not answered yet (it may have been abandoned by the flow: its answer will be
/// dropped, but the worker is still busy with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// Sequence number.
    pub seq: u32,
    /// Call name.
    pub name: &'static str,
    /// The port it runs on.
    pub lane: Lane,
    /// When it was handed out.
    pub since: NaiveDateTime,
}

/// What handling one event did.
#[derive(Debug)]
pub struct Handled {
    /// Jobs to run, in order.
    pub jobs: Vec<Job>,
    /// `step` accepted the event (see [`crate::flow::Step::accepted`]).
    pub accepted: bool,
}

/// How much a trace line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceDetail {
    /// Names only — phase, event and effect variants (`Fallback --Staff(SubmitDeclaration..)--> Completed`),
    /// never a field: no name, number, birthdate, address or declaration of a patient. What the app keeps.
    #[default]
    Names,
    /// Every field (`Debug`, PINs redacted): for tests that read a journey as its trace, on fictional data.
    Full,
}

/// The non-blocking host of the reception state machine.
#[derive(Debug)]
pub struct Host {
    state: State,
    timers: Vec<PendingTimer>,
    in_flight: Vec<InFlight>,
    trace: VecDeque<TraceLine>,
    detail: TraceDetail,
}

/// `Debug` text cut to its variant names: the leading identifier and, inside a tuple variant, the next one
/// (`Staff(SubmitDeclaration(DeclarationEntry { name: … }))` → `Staff(SubmitDeclaration..)`). A field's value
/// never survives: struct fields, strings, numbers and dates all come after a `{`, a quote or a digit.
fn names_only(debug: &str) -> String {
    let ident = |s: &str| -> usize {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let first = ident(debug);
    let head = &debug[..first];
    match debug[first..].strip_prefix('(') {
        Some(rest) => {
            let n = ident(rest);
            if n > 0 && rest.starts_with(|c: char| c.is_ascii_uppercase()) {
                format!("{head}({}..)", &rest[..n])
            } else {
                format!("{head}(..)")
            }
        }
        None => head.to_owned(),
    }
}

fn phase_name(s: &State) -> String {
    let mut p = s.phase.trace_name();
    if s.hotline_open {
        p.push_str("+Hotline");
    }
    p
}

impl Host {
    /// A host waiting for a card.
    pub fn new(settings: SiteSettings) -> Self {
        Host {
            state: State::new(settings),
            timers: Vec::new(),
            in_flight: Vec::new(),
            trace: VecDeque::new(),
            detail: TraceDetail::Names,
        }
    }

    /// Trace every field from now on (tests on fictional data; see [`TraceDetail`]).
    pub fn with_trace_detail(mut self, detail: TraceDetail) -> Self {
        self.detail = detail;
        self
    }

    /// Current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Trace so far (the last [`TRACE_LIMIT`] lines).
    pub fn trace(&self) -> impl Iterator<Item = &TraceLine> {
        self.trace.iter()
    }

    /// Armed timers with their due times.
    pub fn timers(&self) -> &[PendingTimer] {
        &self.timers
    }

    /// The timer due first, if any.
    pub fn next_timer(&self) -> Option<PendingTimer> {
        self.timers.iter().min_by_key(|t| t.due).copied()
    }

    /// Calls handed out and not answered yet.
    pub fn in_flight(&self) -> &[InFlight] {
        &self.in_flight
    }

    /// The view at `now`.
    pub fn snapshot(&self, now: NaiveDateTime) -> Snapshot {
        Snapshot::of(&self.state, now)
    }

    /// Feed one event at `now`; returns the jobs it causes.
    pub fn handle(&mut self, event: Event, now: NaiveDateTime) -> Handled {
        if let Event::Answer { seq, .. } = &event {
            self.in_flight.retain(|c| c.seq != *seq);
        }
        let from = phase_name(&self.state);
        let event_text = match &event {
            Event::Answer { seq, answer } => format!("{answer:?}#{seq}"),
            other => format!("{other:?}"),
        };
        let out = step(&self.state, event, now);
        self.state = out.next;
        let full = self.detail == TraceDetail::Full;
        let line = TraceLine {
            from: if full { from } else { names_only(&from) },
            event: if full { event_text } else { names_only(&event_text) },
            to: if full {
                phase_name(&self.state)
            } else {
                names_only(&phase_name(&self.state))
            },
            effects: out
                .effects
                .iter()
                .map(|e| match (e, full) {
                    (Effect::Call { seq, call }, true) => format!("{call:?}#{seq}"),
                    (other, true) => format!("{other:?}"),
                    (e, false) => e.name().to_owned(),
                })
                .collect(),
            effect_names: out.effects.iter().map(Effect::name).collect(),
        };
        if self.trace.len() >= TRACE_LIMIT {
            self.trace.pop_front();
        }
        self.trace.push_back(line);
        let mut jobs = Vec::new();
        for effect in out.effects {
            match effect {
                Effect::Call { seq, call } => {
                    self.in_flight.push(InFlight {
                        seq,
                        name: call.name(),
                        lane: call.lane(),
                        since: now,
                    });
                    jobs.push(Job::Call { seq, call });
                }
                Effect::Audit(a) => jobs.push(Job::Audit(a)),
                Effect::StartTimer { id, seq, after_secs } => {
                    self.timers.retain(|t| t.id != id);
                    self.timers.push(PendingTimer {
                        id,
                        seq,
                        due: now + TimeDelta::seconds(i64::from(after_secs)),
                    });
                }
                Effect::CancelTimer { id } => self.timers.retain(|t| t.id != id),
            }
        }
        Handled {
            jobs,
            accepted: out.accepted,
        }
    }

    /// Fire every timer due at `now`, earliest first; returns the jobs they cause.
    pub fn fire_due(&mut self, now: NaiveDateTime) -> Vec<Job> {
        let mut jobs = Vec::new();
        while let Some(t) = self.next_timer().filter(|t| t.due <= now) {
            self.timers.retain(|x| *x != t);
            jobs.extend(self.handle(Event::TimerFired { id: t.id, seq: t.seq }, now).jobs);
        }
        jobs
    }

    /// Fire the timer due first regardless of its due time (tests, a clock that jumped).
    pub fn fire_next(&mut self, now: NaiveDateTime) -> Option<Vec<Job>> {
        let t = self.next_timer()?;
        self.timers.retain(|x| *x != t);
        Some(self.handle(Event::TimerFired { id: t.id, seq: t.seq }, now).jobs)
    }

    /// Start over from "waiting for a card" with new site settings (training: a scenario switches the
    /// temporary rule). Timers go; calls in flight stay counted, and sequence numbers keep rising so a
    /// late answer from before the reset can never pass for a new call's.
    pub fn reset(&mut self, settings: SiteSettings) {
        let mut fresh = State::new(settings);
        fresh.call_seq = self.state.call_seq;
        fresh.timer_seq = self.state.timer_seq;
        self.state = fresh;
        self.timers.clear();
    }
}

/// Run one call against the ports: the only place that maps a [`Call`] to port operations.
pub fn perform(call: Call, ports: &mut dyn Adapters) -> Answer {
    match call {
        Call::ReadCard => {
            let card = ports.card();
            let r = card.read_auth_cert().and_then(|cert| {
                let tries = match cert.kind {
                    CardKind::Normal => Some(card.pin_tries_left()?),
                    CardKind::FaceOnly => None,
                };
                Ok(CardSummary {
                    cert,
                    pin_tries_left: tries,
                })
            });
            Answer::CardRead(r)
        }
        Call::VerifyPin { pin } => Answer::PinVerified(ports.card().verify_pin(&pin)),
        Call::SignChallenge { challenge } => {
            let r = ports.card().sign_challenge(&challenge);
            Answer::Signed(r.map(|signature| PossessionProof { challenge, signature }))
        }
        Call::MatchFace => {
            let photo = ports.card().read_card_photo();
            let r = match photo {
                Ok(photo) => ports.face().verify(&photo),
                Err(CardError::Removed) => Err(FaceError::CardRemoved),
                Err(CardError::Unreadable | CardError::NotMyNumberCard | CardError::Reader(_)) => {
                    Err(FaceError::PhotoUnavailable)
                }
            };
            Answer::FaceMatched(r)
        }
        Call::ReadSmartphone { platform, pin } => {
            Answer::SmartphoneRead(ports.card().read_smartphone(platform, pin.as_ref()))
        }
        Call::CheckRegistration(c) => {
            Answer::RegistrationChecked(ports.eligibility().registration_status(&c))
        }
        Call::Register(c) => Answer::RegistrationDone(ports.eligibility().register(&c)),
        Call::QueryByCertificate(q) => {
            Answer::EligibilityAnswered(ports.eligibility().query_by_certificate(&q))
        }
        Call::QueryByNumbers(q) => Answer::EligibilityAnswered(ports.eligibility().query_by_numbers(&q)),
        Call::LookupPrevious(l) => Answer::PreviousFound(ports.store().last_eligibility(&l)),
        Call::SaveReception(rec) => Answer::Saved(ports.store().save_reception(&rec)),
        Call::VoidLastReception { reason, at } => {
            Answer::Voided(ports.store().void_last_reception(reason, at))
        }
    }
}

/// Run one job; a call's answer comes back as the event to feed in.
pub fn perform_job(job: Job, ports: &mut dyn Adapters) -> Option<Event> {
    match job {
        Job::Call { seq, call } => Some(Event::Answer {
            seq,
            answer: perform(call, ports),
        }),
        Job::Audit(a) => {
            // An audit failure must not block a patient's reception; the store adapter logs it.
            let _ = ports.store().audit(&a);
            None
        }
    }
}

/// [`Host`] with its jobs run inline against [`Ports`], answers fed back until none are left, then one
/// snapshot published: deterministic journeys for tests and the headless training runner.
pub struct Driver<P: Ports> {
    host: Host,
    ports: P,
    last: Option<Snapshot>,
}

impl<P: Ports> Driver<P> {
    /// New driver waiting for a card.
    pub fn new(settings: SiteSettings, ports: P) -> Self {
        Driver {
            host: Host::new(settings),
            ports,
            last: None,
        }
    }

    /// See [`Host::with_trace_detail`].
    pub fn with_trace_detail(mut self, detail: TraceDetail) -> Self {
        self.host = self.host.with_trace_detail(detail);
        self
    }

    /// Current state.
    pub fn state(&self) -> &State {
        self.host.state()
    }

    /// The host (timers, calls in flight).
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The ports (tests inspect their fakes).
    pub fn ports(&self) -> &P {
        &self.ports
    }

    /// Mutable ports (tests script their fakes).
    pub fn ports_mut(&mut self) -> &mut P {
        &mut self.ports
    }

    /// Trace so far.
    pub fn trace(&self) -> Vec<TraceLine> {
        self.host.trace().cloned().collect()
    }

    /// Last published snapshot.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.last.as_ref()
    }

    /// The timer due first, if any.
    pub fn pending_timer(&self) -> Option<PendingTimer> {
        self.host.next_timer()
    }

    /// Feed one event, run everything it causes, publish a snapshot. Returns whether the flow accepted
    /// the event itself.
    pub fn send(&mut self, event: Event) -> bool {
        let now = self.ports.clock().now();
        let first = self.host.handle(event, now);
        let accepted = first.accepted;
        self.run(first.jobs);
        self.publish();
        accepted
    }

    fn run(&mut self, jobs: Vec<Job>) {
        let mut queue = VecDeque::from(jobs);
        while let Some(job) = queue.pop_front() {
            if let Some(answer) = perform_job(job, &mut self.ports) {
                let now = self.ports.clock().now();
                queue.extend(self.host.handle(answer, now).jobs);
            }
        }
    }

    fn publish(&mut self) {
        let snap = self.host.snapshot(self.ports.clock().now());
        self.ports.sink().publish(&snap);
        self.last = Some(snap);
    }

    /// Start over from "waiting for a card" with new site settings; the fresh state is published.
    pub fn reset(&mut self, settings: SiteSettings) {
        self.host.reset(settings);
        self.publish();
    }

    /// Fire every timer due at the clock's `now`. Returns whether one fired.
    pub fn fire_due_timer(&mut self) -> bool {
        let now = self.ports.clock().now();
        let due = self.host.next_timer().is_some_and(|t| t.due <= now);
        if due {
            let jobs = self.host.fire_due(now);
            self.run(jobs);
            self.publish();
        }
        due
    }

    /// Fire the timer due first regardless of its due time (tests, or a clock that was advanced).
    pub fn fire_timer_now(&mut self) -> bool {
        let now = self.ports.clock().now();
        match self.host.fire_next(now) {
            Some(jobs) => {
                self.run(jobs);
                self.publish();
                true
            }
            None => false,
        }
    }
}
