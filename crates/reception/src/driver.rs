//! The driver: runs `Effect`s through the `Ports`, feeds results back as `Event`s until none are
//! left, then publishes a `Snapshot`. Synchronous; ports may block.
//!
//! It also owns the one pending timer (as a due time) and keeps a human-readable trace
//! (`from --event--> to [effects]`) for tests and training review. PINs appear in the trace only as
//! `Pin(<redacted>)`. The card photo lives here only between `read_card_photo` and `verify`.
//! Deliberately not here: threads, async, real waiting (the app calls `fire_due_timer` on a tick).

use std::collections::VecDeque;

use chrono::{NaiveDateTime, TimeDelta};

use crate::flow::{step, Effect, Event, SiteSettings, State, TimerId};
use crate::model::{CardError, CardKind, CardSummary, FaceError};
use crate::ports::Ports;
use crate::snapshot::Snapshot;

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

/// Timer waiting to fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingTimer {
    /// Which.
    pub id: TimerId,
    /// Sequence number.
    pub seq: u32,
    /// When it is due.
    pub due: NaiveDateTime,
}

/// Runs the state machine against real or fake ports.
pub struct Driver<P: Ports> {
    state: State,
    ports: P,
    timer: Option<PendingTimer>,
    trace: Vec<TraceLine>,
    last: Option<Snapshot>,
}

fn phase_name(s: &State) -> String {
    let mut p = format!("{:?}", s.phase);
    if s.hotline_open {
        p.push_str("+Hotline");
    }
    p
}

impl<P: Ports> Driver<P> {
    /// New driver waiting for a card.
    pub fn new(settings: SiteSettings, ports: P) -> Self {
        Driver {
            state: State::new(settings),
            ports,
            timer: None,
            trace: Vec::new(),
            last: None,
        }
    }

    /// Current state.
    pub fn state(&self) -> &State {
        &self.state
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
    pub fn trace(&self) -> &[TraceLine] {
        &self.trace
    }

    /// Last published snapshot.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.last.as_ref()
    }

    /// The pending timer, if any.
    pub fn pending_timer(&self) -> Option<PendingTimer> {
        self.timer
    }

    /// Feed one event, run everything it causes, publish a snapshot.
    pub fn send(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(ev) = queue.pop_front() {
            let now = self.ports.clock().now();
            let from = phase_name(&self.state);
            let event_text = format!("{ev:?}");
            let out = step(&self.state, ev, now);
            self.state = out.next;
            let effects_text: Vec<String> = out.effects.iter().map(|e| format!("{e:?}")).collect();
            let names = out.effects.iter().map(Effect::name).collect();
            self.trace.push(TraceLine {
                from,
                event: event_text,
                to: phase_name(&self.state),
                effects: effects_text,
                effect_names: names,
            });
            for effect in out.effects {
                if let Some(next) = self.run(effect, now) {
                    queue.push_back(next);
                }
            }
        }
        let snap = Snapshot::of(&self.state, self.ports.clock().now());
        self.ports.sink().publish(&snap);
        self.last = Some(snap);
    }

    /// Start over from "waiting for a card" with new site settings (training: a scenario switches the
    /// temporary rule). The pending timer is dropped, the trace is kept, and the fresh state is published.
    pub fn reset(&mut self, settings: SiteSettings) {
        self.state = State::new(settings);
        self.timer = None;
        let snap = Snapshot::of(&self.state, self.ports.clock().now());
        self.ports.sink().publish(&snap);
        self.last = Some(snap);
    }

    /// Fire the pending timer if it is due at the clock's `now`. Returns whether it fired.
    pub fn fire_due_timer(&mut self) -> bool {
        let now = self.ports.clock().now();
        match self.timer {
            Some(t) if t.due <= now => {
                self.timer = None;
                self.send(Event::TimerFired { id: t.id, seq: t.seq });
                true
            }
            Some(_) | None => false,
        }
    }

    /// Fire the pending timer now regardless of its due time (tests, or a clock that was advanced).
    pub fn fire_timer_now(&mut self) -> bool {
        match self.timer.take() {
            Some(t) => {
                self.send(Event::TimerFired { id: t.id, seq: t.seq });
                true
            }
            None => false,
        }
    }

    /// Execute one effect; return the event it produced, if any.
    fn run(&mut self, effect: Effect, now: NaiveDateTime) -> Option<Event> {
        match effect {
            Effect::ReadCard => {
                let card = self.ports.card();
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
                Some(Event::CardRead(r))
            }
            Effect::VerifyPin { pin } => Some(Event::PinVerified(self.ports.card().verify_pin(&pin))),
            Effect::SignChallenge { challenge } => {
                let r = self.ports.card().sign_challenge(&challenge);
                Some(Event::Signed(r.map(|signature| crate::model::PossessionProof {
                    challenge,
                    signature,
                })))
            }
            Effect::MatchFace => {
                let photo = self.ports.card().read_card_photo();
                let r = match photo {
                    Ok(photo) => self.ports.face().verify(&photo),
                    Err(CardError::Removed) => Err(FaceError::CardRemoved),
                    Err(CardError::Unreadable | CardError::NotMyNumberCard | CardError::Reader(_)) => {
                        Err(FaceError::PhotoUnavailable)
                    }
                };
                Some(Event::FaceMatched(r))
            }
            Effect::ReadSmartphone { platform, pin } => Some(Event::SmartphoneRead(
                self.ports.card().read_smartphone(platform, pin.as_ref()),
            )),
            Effect::CheckRegistration(c) => Some(Event::RegistrationChecked(
                self.ports.eligibility().registration_status(&c),
            )),
            Effect::Register(c) => Some(Event::RegistrationDone(self.ports.eligibility().register(&c))),
            Effect::QueryByCertificate(q) => Some(Event::EligibilityAnswered(
                self.ports.eligibility().query_by_certificate(&q),
            )),
            Effect::QueryByNumbers(q) => Some(Event::EligibilityAnswered(
                self.ports.eligibility().query_by_numbers(&q),
            )),
            Effect::LookupPrevious(l) => Some(Event::PreviousFound(self.ports.store().last_eligibility(&l))),
            Effect::SaveReception(rec) => Some(Event::Saved(self.ports.store().save_reception(&rec))),
            Effect::Audit(a) => {
                // An audit failure must not block a patient's reception; the store adapter logs it.
                let _ = self.ports.store().audit(&a);
                None
            }
            Effect::StartTimer { id, seq, after_secs } => {
                self.timer = Some(PendingTimer {
                    id,
                    seq,
                    due: now + TimeDelta::seconds(i64::from(after_secs)),
                });
                None
            }
            Effect::CancelTimer => {
                self.timer = None;
                None
            }
        }
    }
}
