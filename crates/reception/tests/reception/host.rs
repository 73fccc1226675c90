//! The non-blocking host: port calls are held "in flight" (a hung OQS, a hung face match) while time moves
//! through the manual clock, and the flow keeps taking timers, staff cancel and card removal. Late answers
//! are fed in afterwards and must be dropped by their sequence number.

use chrono::{NaiveDateTime, TimeDelta};
use reception::flow::{Lane, StaffActionKind, TimerId};
use reception::model::*;
use reception::paper::ProblemKind;
use reception::*;

use crate::fakes::*;

/// A desk around `Host`: every call is answered inline by the fakes, except the calls named in `hold`,
/// which stay in flight until the test answers them (or never).
struct Desk {
    host: Host,
    ports: FakePorts,
    now: NaiveDateTime,
    hold: Vec<&'static str>,
    held: Vec<(u32, Call)>,
}

impl Desk {
    fn new(hold: &[&'static str]) -> Desk {
        Desk {
            host: Host::new(SiteSettings::default()),
            ports: ports(),
            now: dt(2025, 6, 10, 10, 0),
            hold: hold.to_vec(),
            held: Vec::new(),
        }
    }

    fn send(&mut self, e: Event) -> bool {
        let out = self.host.handle(e, self.now);
        self.run(out.jobs);
        out.accepted
    }

    fn run(&mut self, jobs: Vec<Job>) {
        let mut queue: std::collections::VecDeque<Job> = jobs.into();
        while let Some(job) = queue.pop_front() {
            match job {
                Job::Call { seq, call } if self.hold.contains(&call.name()) => self.held.push((seq, call)),
                other => {
                    if let Some(answer) = perform_job(other, &mut self.ports) {
                        queue.extend(self.host.handle(answer, self.now).jobs);
                    }
                }
            }
        }
    }

    /// Move the clock and fire what is due.
    fn wait(&mut self, secs: i64) {
        self.now += TimeDelta::seconds(secs);
        let jobs = self.host.fire_due(self.now);
        self.run(jobs);
    }

    /// The held call answers now (late, perhaps), through the real fakes.
    fn release(&mut self) -> bool {
        let (seq, call) = self.held.remove(0);
        let answer = perform(call, &mut self.ports);
        self.send(Event::Answer { seq, answer })
    }

    fn screen(&self) -> Screen {
        self.host.snapshot(self.now).screen
    }

    /// Card placed, 顔認証 chosen, 包括同意: the query goes out.
    fn advance_to_query(&mut self) {
        self.send(Event::CardPlaced);
        self.send(Event::ChooseMethod(Method::Face));
        self.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    }
}

#[test]
fn a_hung_query_times_out_at_the_configured_time_and_its_late_answer_is_ignored() {
    let mut d = Desk::new(&["QueryByCertificate"]);
    d.advance_to_query();
    assert!(
        matches!(d.screen(), Screen::Querying { .. }),
        "the reader shows 確認中"
    );
    assert_eq!(d.held.len(), 1, "the query is in flight");
    let timeout = i64::from(SiteSettings::default().query_timeout_secs);
    d.wait(timeout - 1);
    assert!(
        matches!(d.screen(), Screen::Querying { elapsed_secs } if elapsed_secs == timeout - 1),
        "still waiting one second before the deadline, with the elapsed time from the driver's clock"
    );
    d.wait(1);
    assert_eq!(
        d.screen(),
        Screen::Error {
            code: ErrorCode::QueryTimeout
        }
    );
    d.wait(i64::from(SiteSettings::default().error_secs));
    assert!(
        matches!(d.screen(), Screen::Fallback { .. }),
        "the fallbacks are offered"
    );
    let before = d.host.state().clone();
    assert!(!d.release(), "the late answer is not accepted");
    assert_eq!(*d.host.state(), before, "and changes nothing");
    assert!(
        d.ports.store.saved.is_empty(),
        "a timed-out query never completes a reception"
    );
}

#[test]
fn staff_cancel_during_a_hung_query_opens_the_fallbacks_at_once() {
    let mut d = Desk::new(&["QueryByCertificate"]);
    d.advance_to_query();
    d.wait(3);
    assert!(d
        .host
        .snapshot(d.now)
        .staff_actions
        .contains(&StaffActionKind::CancelQuery));
    assert!(d.send(Event::Staff(StaffAction::CancelQuery)));
    let snap = d.host.snapshot(d.now);
    assert!(matches!(snap.screen, Screen::Fallback { .. }));
    assert_eq!(
        snap.fallback.map(|f| f.problem),
        Some(Some(ProblemKind::CommunicationFailure))
    );
    assert!(snap.busy.is_none(), "nothing is awaited any more");
    assert!(
        !d.host.timers().iter().any(|t| t.id == TimerId::QueryTimeout),
        "the query deadline is disarmed"
    );
    assert!(
        !d.release(),
        "the answer that arrives after the cancel is dropped"
    );
    assert!(d.ports.store.saved.is_empty());
}

#[test]
fn pulling_the_card_during_a_hung_query_returns_to_waiting_and_the_answer_is_dropped() {
    let mut d = Desk::new(&["QueryByCertificate"]);
    d.advance_to_query();
    d.send(Event::CardRemoved);
    assert_eq!(d.screen(), Screen::WaitingForCard);
    assert!(!d.release());
    assert_eq!(d.screen(), Screen::WaitingForCard);
    assert!(d.ports.store.saved.is_empty());
}

#[test]
fn a_hung_face_match_ends_with_the_watchdog() {
    let mut d = Desk::new(&["MatchFace"]);
    d.send(Event::CardPlaced);
    d.send(Event::ChooseMethod(Method::Face));
    assert_eq!(
        d.screen(),
        Screen::FaceCapture,
        "the capture screen is drawn while matching"
    );
    let busy = d.host.snapshot(d.now).busy.expect("busy while matching");
    assert_eq!(busy.lane, Lane::Face);
    d.wait(i64::from(SiteSettings::default().watchdog_secs));
    assert_eq!(
        d.screen(),
        Screen::Error {
            code: ErrorCode::ReaderFailure
        }
    );
    assert!(!d.release(), "a verdict after the watchdog is ignored");
}

#[test]
fn the_snapshot_counts_the_seconds_of_the_call_in_flight() {
    let mut d = Desk::new(&["ReadCard"]);
    d.send(Event::CardPlaced);
    for s in 0..5 {
        let busy = d.host.snapshot(d.now).busy.expect("a call is awaited");
        assert_eq!((busy.lane, busy.elapsed_secs), (Lane::Card, s));
        d.wait(1);
    }
    assert!(d.release(), "the answer of the awaited call is taken");
    assert_eq!(d.screen(), Screen::MethodChoice);
    assert!(d.host.snapshot(d.now).busy.is_none());
}

#[test]
fn the_query_deadline_holds_across_processing_polls() {
    let mut d = Desk::new(&[]);
    let settings = SiteSettings {
        poll_secs: 10,
        max_polls: 10,
        ..SiteSettings::default()
    };
    d.host = Host::new(settings.clone());
    for _ in 0..10 {
        d.ports
            .elig
            .answers
            .push_back(Ok(response(Segment::Processing, None, day(2025, 6, 10))));
    }
    d.advance_to_query();
    // 処理中 at 0 s, 10 s, 20 s; the 30 s deadline comes before the poll at 30 s would be answered.
    d.wait(10);
    d.wait(10);
    assert!(matches!(d.screen(), Screen::Querying { .. }));
    d.wait(10);
    assert_eq!(
        d.screen(),
        Screen::Error {
            code: ErrorCode::QueryTimeout
        },
        "the overall deadline is not restarted by each poll"
    );
}

#[test]
fn an_answer_from_before_a_reset_cannot_pass_for_a_new_call() {
    let mut d = Desk::new(&["ReadCard"]);
    d.send(Event::CardPlaced);
    let (old_seq, _) = d.held[0];
    d.host.reset(SiteSettings::default());
    d.held.clear();
    d.send(Event::CardPlaced);
    let (new_seq, _) = d.held[0];
    assert!(new_seq > old_seq, "sequence numbers keep rising across a reset");
    let stale = Event::Answer {
        seq: old_seq,
        answer: Answer::CardRead(Err(CardError::Unreadable)),
    };
    assert!(!d.send(stale));
    assert_eq!(d.screen(), Screen::ReadingCard);
}

#[test]
fn a_failed_save_is_shown_even_after_the_result_screen_moved_on() {
    let mut d = Desk::new(&["SaveReception"]);
    d.advance_to_query();
    assert!(matches!(d.screen(), Screen::Completed { .. }));
    d.wait(i64::from(SiteSettings::default().completed_secs));
    assert_eq!(d.screen(), Screen::RemoveCard);
    d.ports.store.fail_save = true;
    assert!(d.release(), "the save's answer is still awaited");
    assert_eq!(
        d.screen(),
        Screen::Error {
            code: ErrorCode::StoreFailed
        }
    );
}

#[test]
fn a_refused_input_is_not_accepted() {
    let mut d = Desk::new(&[]);
    assert!(
        !d.send(Event::Continue),
        "次へ on the waiting screen does nothing"
    );
    assert!(
        !d.send(Event::Staff(StaffAction::CancelQuery)),
        "nothing to cancel"
    );
    assert!(d.send(Event::CardPlaced));
}
