//! A cancellable eligibility port: the query runs on a worker thread while the driver thread waits for either
//! its answer or the staff's 「中止して代替手段へ」. A cancelled query answers `Timeout`, which the flow already
//! routes to the fallbacks; the abandoned HTTP request finishes (or times out) on its own thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reception::model::{
    CertQuery, CertRef, EligibilityError, EligibilityResponse, NumberQuery, Registration,
};
use reception::OnlineEligibility;

/// Wraps a port so that a staff cancel ends a pending call.
pub struct Cancellable<E> {
    inner: Arc<Mutex<E>>,
    cancel: Arc<AtomicBool>,
}

impl<E: OnlineEligibility + Send + 'static> Cancellable<E> {
    /// Wrap `inner`; setting `cancel` ends the call in progress.
    pub fn new(inner: E, cancel: Arc<AtomicBool>) -> Self {
        Cancellable {
            inner: Arc::new(Mutex::new(inner)),
            cancel,
        }
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut E) -> Result<T, EligibilityError> + Send + 'static,
    ) -> Result<T, EligibilityError> {
        self.cancel.store(false, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel();
        let inner = Arc::clone(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("oqs-query".into())
            .spawn(move || {
                let mut port = inner.lock().unwrap_or_else(|p| p.into_inner());
                let _ = tx.send(f(&mut port));
            });
        if spawned.is_err() {
            return Err(EligibilityError::Unavailable);
        }
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(answer) => return answer,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(EligibilityError::Unavailable),
                Err(mpsc::RecvTimeoutError::Timeout) if self.cancel.swap(false, Ordering::SeqCst) => {
                    return Err(EligibilityError::Timeout)
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

impl<E: OnlineEligibility + Send + 'static> OnlineEligibility for Cancellable<E> {
    fn registration_status(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        let cert = cert.clone();
        self.run(move |p| p.registration_status(&cert))
    }
    fn register(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        let cert = cert.clone();
        self.run(move |p| p.register(&cert))
    }
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        let q = q.clone();
        self.run(move |p| p.query_by_certificate(&q))
    }
    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        let q = q.clone();
        self.run(move |p| p.query_by_numbers(&q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A port whose answer never comes (a hung OQS); it says when a call has started.
    struct Hung(Option<mpsc::Sender<()>>);
    impl OnlineEligibility for Hung {
        fn registration_status(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
            if let Some(started) = &self.0 {
                let _ = started.send(());
            }
            let (_tx, rx) = mpsc::channel::<()>();
            let _ = rx.recv_timeout(Duration::from_secs(30));
            Err(EligibilityError::Unavailable)
        }
        fn register(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
            Ok(Registration::Registered)
        }
        fn query_by_certificate(&mut self, _: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
            Err(EligibilityError::Unavailable)
        }
        fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
            Ok(EligibilityResponse {
                segment: reception::model::Segment::Normal,
                validity: None,
                record: None,
                confirmed_on: q.date,
            })
        }
    }

    #[test]
    fn a_staff_cancel_ends_a_hung_query_as_a_timeout() {
        let cancel = Arc::new(AtomicBool::new(false));
        let (started_tx, started) = mpsc::channel();
        let mut port = Cancellable::new(Hung(Some(started_tx)), Arc::clone(&cancel));
        let canceller = std::thread::spawn({
            let cancel = Arc::clone(&cancel);
            // Cancel once the call is under way (a call clears the flag when it starts).
            move || {
                started.recv().unwrap();
                cancel.store(true, Ordering::SeqCst);
            }
        });
        let answer = port.registration_status(&CertRef::Card {
            serial: "1001".into(),
        });
        assert_eq!(answer, Err(EligibilityError::Timeout));
        canceller.join().unwrap();
    }

    #[test]
    fn an_answer_passes_through_unchanged() {
        let mut port = Cancellable::new(Hung(None), Arc::new(AtomicBool::new(false)));
        let date = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        let q = NumberQuery {
            insurer_number: "06133946".into(),
            symbol: None,
            number: "1".into(),
            branch: None,
            birthdate: date,
            date,
        };
        assert_eq!(port.query_by_numbers(&q).unwrap().confirmed_on, date);
        assert_eq!(
            port.register(&CertRef::Card { serial: "1".into() }),
            Ok(Registration::Registered)
        );
    }
}
