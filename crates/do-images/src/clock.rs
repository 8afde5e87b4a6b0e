//! Time and randomness, injectable: [`Clock`] and [`Jitter`], their real
//! implementations and, with the `test-util` feature, those for tests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
#[cfg(any(test, feature = "test-util"))]
use std::sync::{Arc, Mutex};
#[cfg(any(test, feature = "test-util"))]
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

/// The future a [`Clock::sleep`] returns.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time: a monotonic `now`, the wall clock (to read the
/// `ratelimit-reset` epoch seconds) and sleeping. Injectable, with
/// [`ClientBuilder::clock`](crate::ClientBuilder::clock), so that tests
/// neither sleep nor depend on chance.
///
/// The client sleeps in two places: between retries (see
/// [`RetryPolicy`](crate::RetryPolicy)) and between polls of a waiter. Both
/// go through its `Clock`, and every random delay is drawn from its
/// [`Jitter`] ([`ClientBuilder::jitter`](crate::ClientBuilder::jitter)). The
/// defaults are [`TokioClock`] and [`RandomJitter`]; tests use
/// `ManualClock`, whose sleeps return at once and advance a virtual time,
/// and `MaxJitter`, which makes every delay its cap. Those two are for
/// tests only: they exist with the `test-util` feature (add
/// `do-images = { ..., features = ["test-util"] }` to your
/// dev-dependencies).
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
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
/// A jitter that always answers the largest value allowed, which makes
/// backoff deterministic: each delay is its cap. Meant for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct MaxJitter;

#[cfg(any(test, feature = "test-util"))]
impl Jitter for MaxJitter {
    fn up_to(&self, max: u64) -> u64 {
        max
    }
}

#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
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
#[derive(Clone, Debug)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

/// The most virtual time a [`ManualClock`] counts: about 30 years.
#[cfg(any(test, feature = "test-util"))]
const MANUAL_TIME_LIMIT: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

#[cfg(any(test, feature = "test-util"))]
#[derive(Debug)]
struct ManualState {
    start: Instant,
    system_start: SystemTime,
    elapsed: Duration,
    sleeps: Vec<Duration>,
    /// The deadlines not yet reached, woken whenever the time moves.
    deadlines: Vec<Waker>,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualState {
    fn advance(&mut self, duration: Duration) {
        // Saturates far beyond any test, where `Instant` still adds.
        self.elapsed = self.elapsed.saturating_add(duration).min(MANUAL_TIME_LIMIT);
        for deadline in self.deadlines.drain(..) {
            deadline.wake();
        }
    }
}

#[cfg(any(test, feature = "test-util"))]
/// A [`ManualClock`] deadline: ready once the virtual time reaches `at`.
struct ManualDeadline {
    state: Arc<Mutex<ManualState>>,
    at: Duration,
}

#[cfg(any(test, feature = "test-util"))]
impl Future for ManualDeadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.state);
        if state.elapsed >= self.at {
            return Poll::Ready(());
        }
        state.deadlines.push(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(any(test, feature = "test-util"))]
fn lock(state: &Mutex<ManualState>) -> std::sync::MutexGuard<'_, ManualState> {
    // A poisoned lock only means another test thread panicked; the recorded
    // data is still usable.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    /// A clock whose wall time starts at `system_start` (so a test can pick
    /// `ratelimit-reset` values relative to it).
    pub fn new(system_start: SystemTime) -> Self {
        Self {
            state: Arc::new(Mutex::new(ManualState {
                start: Instant::now(),
                system_start,
                elapsed: Duration::ZERO,
                sleeps: Vec::new(),
                deadlines: Vec::new(),
            })),
        }
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// The virtual time that has passed.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    /// Moves the virtual time forward without recording a sleep.
    pub fn advance(&self, duration: Duration) {
        self.lock().advance(duration);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        lock(&self.state)
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Default for ManualClock {
    fn default() -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let state = self.lock();
        state.start + state.elapsed
    }
    fn system_now(&self) -> SystemTime {
        let state = self.lock();
        state.system_start + state.elapsed
    }
    fn sleep(&self, duration: Duration) -> Sleep {
        let mut state = self.lock();
        state.advance(duration);
        state.sleeps.push(duration);
        Box::pin(std::future::ready(()))
    }
    /// Ready once the virtual time, moved by sleeps and
    /// [`advance`](ManualClock::advance), reaches `duration` from now;
    /// not recorded as a sleep.
    fn deadline(&self, duration: Duration) -> Sleep {
        let at = self.lock().elapsed.saturating_add(duration);
        Box::pin(ManualDeadline {
            state: self.state.clone(),
            at,
        })
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
