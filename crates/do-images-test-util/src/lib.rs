//! Test utilities for [`do_images`]: [`ManualClock`], a clock whose sleeps
//! take no real time, so that a test of retries and waits is fast and can
//! assert the delays the client chose.
//!
//! A test of retries against a server that keeps failing (here httpmock):
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use do_images::{Client, RetryPolicy};
//! use do_images_test_util::ManualClock;
//! use httpmock::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start_async().await;
//! server
//!     .mock_async(|when, then| {
//!         when.method(GET).path("/v2/images/7");
//!         then.status(503);
//!     })
//!     .await;
//! let clock = ManualClock::default();
//! let client = Client::builder()
//!     .base_url(server.base_url())
//!     .token("test-token")
//!     .clock(Arc::new(clock.clone()))
//!     .retry_policy(RetryPolicy::default().with_max_attempts(3))
//!     .build()
//!     .unwrap();
//!
//! let error = client.images().get(7).send().await.unwrap_err();
//!
//! assert_eq!(error.status(), Some(503));
//! // Two backoffs between three attempts, recorded instead of slept, each
//! // its cap (500 ms, then 1 s): the jitter is always the most.
//! assert_eq!(
//!     clock.sleeps(),
//!     [Duration::from_millis(500), Duration::from_secs(1)]
//! );
//! assert_eq!(clock.elapsed(), Duration::from_millis(1500));
//! # }
//! ```
#![deny(missing_docs)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use do_images::{Clock, Sleep};
use tokio::sync::watch;

/// A clock for tests: `sleep` returns at once, advances the virtual time by
/// the requested duration and records it; the random part of every delay
/// ([`Clock::jitter`]) is the most allowed, so each delay is its cap. A test
/// can then assert the delays the client chose without waiting for them.
#[derive(Clone, Debug)]
pub struct ManualClock {
    start: Instant,
    system_start: SystemTime,
    /// The virtual time passed, watched by the deadlines.
    elapsed: Arc<watch::Sender<Duration>>,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl ManualClock {
    /// A clock whose wall time starts at `system_start` (so a test can pick
    /// `ratelimit-reset` values relative to it).
    pub fn new(system_start: SystemTime) -> Self {
        Self {
            start: Instant::now(),
            system_start,
            elapsed: Arc::new(watch::Sender::new(Duration::ZERO)),
            sleeps: Arc::default(),
        }
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.recorded().clone()
    }

    /// The virtual time that has passed.
    pub fn elapsed(&self) -> Duration {
        *self.elapsed.borrow()
    }

    /// Moves the virtual time forward without recording a sleep.
    pub fn advance(&self, duration: Duration) {
        // Saturates at about 30 years: far beyond any test, where `Instant`
        // still adds.
        const LIMIT: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);
        self.elapsed
            .send_modify(|elapsed| *elapsed = elapsed.saturating_add(duration).min(LIMIT));
    }

    /// The sleeps, locked (a test that panicked while holding them leaves
    /// them as they were).
    fn recorded(&self) -> MutexGuard<'_, Vec<Duration>> {
        self.sleeps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Wall time 2023-11-14T22:13:20Z.
impl Default for ManualClock {
    fn default() -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }
    fn system_now(&self) -> SystemTime {
        self.system_start + self.elapsed()
    }
    fn sleep(&self, duration: Duration) -> Sleep {
        let mut sleeps = self.recorded();
        self.advance(duration);
        sleeps.push(duration);
        Box::pin(std::future::ready(()))
    }
    /// Ready once the virtual time, moved by sleeps and
    /// [`advance`](ManualClock::advance), reaches `duration` from now; not
    /// recorded as a sleep.
    fn deadline(&self, duration: Duration) -> Sleep {
        let at = self.elapsed().saturating_add(duration);
        // The future holds the sender, so the wait ends only at `at`.
        let elapsed = self.elapsed.clone();
        Box::pin(async move {
            let _ = elapsed.subscribe().wait_for(|now| *now >= at).await;
        })
    }
    /// Always `max`: each delay is its cap.
    fn jitter(&self, max: Duration) -> Duration {
        max
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    #[tokio::test]
    async fn sleeps_are_recorded_and_advance_the_time() {
        let clock = ManualClock::default();
        let before = clock.now();
        let wall = clock.system_now();
        clock.sleep(Duration::from_secs(3)).await;
        clock.sleep(Duration::from_millis(500)).await;
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(3), Duration::from_millis(500)]
        );
        assert_eq!(clock.now() - before, Duration::from_millis(3500));
        assert_eq!(
            clock.system_now().duration_since(wall).unwrap(),
            Duration::from_millis(3500)
        );
        assert_eq!(clock.elapsed(), Duration::from_millis(3500));
        assert_eq!(
            clock.jitter(Duration::from_millis(7)),
            Duration::from_millis(7)
        );
    }

    #[tokio::test]
    async fn a_deadline_is_reached_by_sleeps_and_advances_only() {
        let clock = ManualClock::default();
        let mut deadline = clock.deadline(Duration::from_secs(10));
        assert!((&mut deadline).now_or_never().is_none());
        clock.sleep(Duration::from_secs(6)).await;
        assert!((&mut deadline).now_or_never().is_none());
        clock.advance(Duration::from_secs(4));
        assert!(deadline.now_or_never().is_some());
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(6)]);
    }

    #[test]
    fn the_virtual_time_saturates_at_about_30_years() {
        let clock = ManualClock::default();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        let most = clock.elapsed();
        assert!(
            most > Duration::from_secs(29 * 365 * 24 * 60 * 60),
            "{most:?}"
        );
        assert_eq!(clock.now() - clock.start, most);
        assert!(clock.system_now() > clock.system_start);
    }
}
