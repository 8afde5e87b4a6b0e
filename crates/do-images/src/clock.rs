//! Time and randomness, injectable: [`Clock`] and the real one,
//! [`TokioClock`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

/// The future a [`Clock::sleep`] returns.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time: a monotonic `now`, the wall clock (to read the
/// `ratelimit-reset` epoch seconds), sleeping, and the random part of each
/// delay. Injectable, with [`ClientBuilder::clock`](crate::ClientBuilder::clock),
/// so that tests neither sleep nor depend on chance.
///
/// The client sleeps between retries (see [`RetryPolicy`](crate::RetryPolicy))
/// and between polls of a waiter. The default is [`TokioClock`]; tests use
/// `ManualClock`, from the `do-images-test-util` crate.
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
    /// The random part of a delay, in `0..=max`, so that clients that
    /// failed together do not retry together. The default is uniformly
    /// random, to the millisecond.
    fn jitter(&self, max: Duration) -> Duration {
        let most = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=most))
    }
}

/// The real clock: `tokio::time`, `SystemTime::now` and random jitter.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_jitter_is_random_up_to_its_max_to_the_millisecond() {
        let max = Duration::from_millis(3);
        let drawn: Vec<_> = (0..200).map(|_| TokioClock.jitter(max)).collect();
        assert!(drawn.iter().all(|jitter| *jitter <= max), "{drawn:?}");
        assert!(
            drawn
                .iter()
                .all(|jitter| jitter.subsec_nanos() % 1_000_000 == 0)
        );
        // 200 draws of 4 values all alike: about 1 in 10^120.
        assert!(drawn.iter().any(|jitter| *jitter != drawn[0]), "{drawn:?}");
        assert_eq!(TokioClock.jitter(Duration::ZERO), Duration::ZERO);
        assert!(TokioClock.jitter(Duration::MAX) <= Duration::MAX);
    }
}
