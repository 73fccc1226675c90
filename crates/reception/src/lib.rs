//! reception — the マイナ保険証 reception flow of Uketsuke, sans-IO.
//!
//! - [`rules`]: the one dated rules table (every date and count, with its seed source).
//! - [`flow`]: `step(&State, Event, now) -> Step { next, effects }`, pure and exhaustive.
//! - [`ports`]: traits the driver needs (`CardReader`, `FaceMatcher`, `OnlineEligibility`, `Clock`,
//!   `Store`, `SnapshotSink`); adapters live in the leaf crates / the app.
//! - [`driver`]: `Host`, the non-blocking host of `step` (timers, calls in flight by sequence number), and
//!   `Driver`, which runs its jobs inline for tests and the headless runner.
//! - [`paper`], [`validate`]: documents presented at the desk, the 申立書, input validation.
//! - [`input`]: `UserInput`, the only events a page may send (never a port result).
//! - [`snapshot`]: the UI view model (codes, never texts; never a PIN, My Number or face frame).
//! - [`training`]: scenario curriculum, staff decisions, scoring + debrief, headless runner (issue #8).
//!
//! Deliberately not here: any I/O crate (pcsc, rusqlite, tokio, axum, tract, tauri, reqwest).

pub mod driver;
pub mod flow;
pub mod input;
pub mod model;
pub mod paper;
pub mod pin;
pub mod ports;
pub mod privacy;
pub mod rules;
pub mod snapshot;
pub mod training;
pub mod validate;

pub use driver::{
    perform, perform_job, Driver, Handled, Host, InFlight, Job, PendingTimer, TraceDetail, TraceLine,
};
pub use flow::{
    step, Answer, Call, Effect, ErrorCode, Event, FallbackStep, Lane, Notice, Phase, SiteSettings,
    StaffAction, StaffActionKind, State, Step,
};
pub use input::UserInput;
pub use pin::Pin;
pub use ports::{
    Adapters, CardPhoto, CardReader, Clock, FaceMatcher, OnlineEligibility, Ports, SnapshotSink, Store,
};
pub use snapshot::{Screen, Snapshot};
