//! Time and randomness, injectable: [`Clock`] and [`Jitter`], their real
//! implementations and, with the `test-util` feature, those for tests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

/// The future a [`Clock::sleep`] returns.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time: a monotonic `now`, the wall clock (to read the
/// `ratelimit-reset` epoch seconds) and sleeping. Injectable, with
/// [`ClientBuilder::clock`](crate::ClientBuilder::clock), so that tests
/// neither sleep nor depend on chance.
///
/// The client sleeps between retries (see [`RetryPolicy`](crate::RetryPolicy))
/// and between polls of a waiter, and draws every random delay from its
/// [`Jitter`] ([`ClientBuilder::jitter`](crate::ClientBuilder::jitter)). The
/// defaults are [`TokioClock`] and [`RandomJitter`]; tests use `ManualClock`
/// and `MaxJitter`, which exist with the `test-util` feature.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// A monotonic instant, used to measure how long a wait has taken.
    fn now(&self) -> Instant;
    /// The wall-clock time, compared with `ratelimit-reset`.
    fn system_now(&self) -> SystemTime;
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;
    /// A future that completes once `duration` has passed on this clock,
    /// without being a sleep of its own: the deadline of a waiter, raced
    /// against its polls. The default is [`sleep`](Self::sleep).
    fn deadline(&self, duration: Duration) -> Sleep {
        self.sleep(duration)
    }
}

/// Draws random numbers for jittered delays (see [`Clock`] for where the
/// client uses them).
pub trait Jitter: Send + Sync + fmt::Debug + 'static {
    /// A number in `0..=max`.
    fn up_to(&self, max: u64) -> u64;
}

/// A random duration in `0..=max`, to the millisecond.
pub(crate) fn jittered(jitter: &dyn Jitter, max: Duration) -> Duration {
    Duration::from_millis(jitter.up_to(u64::try_from(max.as_millis()).unwrap_or(u64::MAX)))
}

/// The real clock: `tokio::time` and `SystemTime::now`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Uniform random jitter from `fastrand`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn up_to(&self, max: u64) -> u64 {
        fastrand::u64(0..=max)
    }
}

#[cfg(any(test, feature = "test-util"))]
pub use manual::{ManualClock, MaxJitter};

#[cfg(any(test, feature = "test-util"))]
mod manual {
    use std::sync::{Arc, Mutex};

    use tokio::sync::watch;

    use super::*;
    use crate::sync::lock;

    /// A jitter that always answers the largest value allowed, which makes
    /// backoff deterministic: each delay is its cap. Meant for tests.
    #[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
    #[derive(Clone, Copy, Debug, Default)]
    pub struct MaxJitter;

    impl Jitter for MaxJitter {
        fn up_to(&self, max: u64) -> u64 {
            max
        }
    }

    /// A clock for tests: `sleep` returns at once, advances the virtual time by
    /// the requested duration and records it, so a test can assert on the delays
    /// the client chose without waiting for them.
    ///
    /// With `do-images = { version = "0.1", features = ["test-util"] }` in
    /// `[dev-dependencies]`, a test of retries against a server that keeps
    /// failing (here httpmock) takes no real time:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// use do_images::{Client, ManualClock, MaxJitter, RetryPolicy};
    /// use httpmock::prelude::*;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = MockServer::start_async().await;
    /// server
    ///     .mock_async(|when, then| {
    ///         when.method(GET).path("/v2/images/7");
    ///         then.status(503);
    ///     })
    ///     .await;
    /// let clock = ManualClock::default();
    /// let client = Client::builder()
    ///     .base_url(server.base_url())
    ///     .token("test-token")
    ///     .clock(Arc::new(clock.clone()))
    ///     .jitter(Arc::new(MaxJitter)) // each backoff is its cap
    ///     .retry_policy(RetryPolicy::default().with_max_attempts(3))
    ///     .build()
    ///     .unwrap();
    ///
    /// let error = client.images().get(7).send().await.unwrap_err();
    ///
    /// assert_eq!(error.status(), Some(503));
    /// // Two backoffs between three attempts, recorded instead of slept.
    /// assert_eq!(clock.sleeps().len(), 2);
    /// assert!(clock.elapsed() > Duration::ZERO);
    /// # }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
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
            lock(&self.sleeps).clone()
        }

        /// The virtual time that has passed.
        pub fn elapsed(&self) -> Duration {
            *self.elapsed.borrow()
        }

        /// Moves the virtual time forward without recording a sleep.
        pub fn advance(&self, duration: Duration) {
            // Saturates at about 30 years: far beyond any test, where
            // `Instant` still adds.
            const LIMIT: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);
            self.elapsed
                .send_modify(|elapsed| *elapsed = elapsed.saturating_add(duration).min(LIMIT));
        }
    }

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
            let mut sleeps = lock(&self.sleeps);
            self.advance(duration);
            sleeps.push(duration);
            Box::pin(std::future::ready(()))
        }
        /// Ready once the virtual time, moved by sleeps and
        /// [`advance`](ManualClock::advance), reaches `duration` from now;
        /// not recorded as a sleep.
        fn deadline(&self, duration: Duration) -> Sleep {
            let at = self.elapsed().saturating_add(duration);
            // The future holds the sender, so the wait ends only at `at`.
            let elapsed = self.elapsed.clone();
            Box::pin(async move {
                let _ = elapsed.subscribe().wait_for(|now| *now >= at).await;
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_records_sleeps_and_advances() {
        let clock = ManualClock::default();
        let before = clock.now();
        clock.sleep(Duration::from_secs(3)).await;
        clock.sleep(Duration::from_millis(500)).await;
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(3), Duration::from_millis(500)]
        );
        assert_eq!(clock.now() - before, Duration::from_millis(3500));
        assert_eq!(MaxJitter.up_to(7), 7);
        assert!(RandomJitter.up_to(3) <= 3);
    }

    #[tokio::test]
    async fn a_manual_deadline_is_reached_by_sleeps_and_advances_only() {
        use futures::FutureExt;
        let clock = ManualClock::default();
        let mut deadline = clock.deadline(Duration::from_secs(10));
        assert!((&mut deadline).now_or_never().is_none());
        clock.sleep(Duration::from_secs(6)).await;
        assert!((&mut deadline).now_or_never().is_none());
        clock.advance(Duration::from_secs(4));
        assert!(deadline.now_or_never().is_some());
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(6)]);
    }
}
