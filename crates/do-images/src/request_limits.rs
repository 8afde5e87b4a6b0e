//! [`RequestLimits`] and the limiter built from them.

use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::{Either, select};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::sync::lock;

/// The request rates a [`Client`](crate::Client) keeps under, as windows of
/// "at most `n` requests in any `length`". The default is the API's own:
/// 250 a minute and 5,000 an hour. [`RequestLimits::none`] turns the
/// limiter off (for a server without limits, such as a sandbox started with
/// `RateLimits::unlimited()`).
///
/// Every request of a client and its clones (fetched-ahead pages, retries
/// and waiter polls included) takes a slot first, so that a busy program
/// waits a little instead of meeting `429`s.
///
/// ```
/// use std::time::Duration;
/// use do_images::{Client, RequestLimits};
///
/// // Half the API's burst limit, leaving the rest to another program that
/// // uses the same token.
/// let limits = RequestLimits::none()
///     .allow(125, Duration::from_secs(60))
///     .allow(2_500, Duration::from_secs(3_600));
/// let client = Client::builder().token("dop_v1_...").request_limits(limits).build()?;
/// # Ok::<(), do_images::Error>(())
/// ```
///
/// # How it counts
///
/// DigitalOcean counts a token's requests in sliding windows, and so does
/// the limiter, window by window. A request counts from the moment its
/// answer arrived (or its attempt was given up), the latest moment at which
/// the server can have counted it: so the client's window never ends before
/// the server's, whatever the latency. When a window is full, the next
/// request waits, first come first served, until the oldest request in it
/// leaves it.
///
/// A listing of 600 pages thus sends 250 requests as fast as fetch-ahead
/// allows, waits for the first of them to be a minute old, and so on: about
/// two minutes in all, which is the least the API's limits permit. Measured
/// against a sandbox with the API's limits (`cargo run -p do-images-bench --
/// rate-limited`): 600 pages in 120.6 s, no `429`, where the limits allow no
/// less than 120 s. A token bucket (such as the `governor` crate's) cannot
/// do both: with a burst of 250 it lets a 251st request through within the
/// minute, which the server refuses; with a burst of 1 the listing takes 144 s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    windows: Vec<Window>,
}

/// At most `requests` requests in any `length`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    requests: usize,
    length: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self::none()
            .allow(250, Duration::from_secs(60)) // the burst limit
            .allow(5_000, Duration::from_secs(3_600))
    }
}

impl RequestLimits {
    /// No limit: requests are sent as soon as they are made.
    pub fn none() -> Self {
        Self {
            windows: Vec::new(),
        }
    }

    /// Adds a window: at most `requests` (0 is taken as 1) in any `length`.
    /// A zero `length` limits nothing and is left out.
    pub fn allow(mut self, requests: u32, length: Duration) -> Self {
        if !length.is_zero() {
            self.windows.push(Window {
                requests: usize::try_from(requests.max(1)).unwrap_or(usize::MAX),
                length,
            });
        }
        self
    }

    /// Whether no window limits anything.
    pub fn is_none(&self) -> bool {
        self.windows.is_empty()
    }
}

/// The limiter a client and its clones share.
#[derive(Debug)]
pub(crate) struct Limiter {
    windows: Vec<Window>,
    longest: Duration,
    clock: Arc<dyn Clock>,
    counted: std::sync::Mutex<Counted>,
    /// Waiters queue here, first come first served; only the first waits
    /// for a slot.
    turn: tokio::sync::Mutex<()>,
    released: Notify,
}

/// The requests that count: those in flight and when the others finished.
#[derive(Debug, Default)]
struct Counted {
    in_flight: usize,
    finished: Vec<Instant>,
}

/// What the first waiter waits for; the larger of two waits covers both.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Wait {
    /// A finished request leaves a full window after this long.
    For(Duration),
    /// Every request in a full window is in flight: wait for one to finish.
    Release,
}

impl Limiter {
    /// A limiter for `limits` on `clock`, or `None` when there is no limit.
    pub(crate) fn new(limits: &RequestLimits, clock: Arc<dyn Clock>) -> Option<Arc<Self>> {
        let longest = limits.windows.iter().map(|w| w.length).max()?;
        Some(Arc::new(Self {
            windows: limits.windows.clone(),
            longest,
            clock,
            counted: std::sync::Mutex::default(),
            turn: tokio::sync::Mutex::new(()),
            released: Notify::new(),
        }))
    }

    /// Waits for a slot in every window and takes it; the request counts
    /// until the returned [`Permit`] is dropped, and a window's length after
    /// that. Dropping this future before it completes takes nothing.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Permit {
        let _turn = self.turn.lock().await;
        loop {
            let mut released = pin!(self.released.notified());
            released.as_mut().enable();
            match self.take_or_wait() {
                None => return Permit(self.clone()),
                Some(Wait::For(duration)) => {
                    let sleep = self.clock.sleep(duration);
                    if let Either::Left(((), _)) = select(sleep, released).await {
                        tracing::debug!(?duration, "waited for the request rate limit");
                    }
                }
                Some(Wait::Release) => released.await,
            }
        }
    }

    /// Takes a slot and answers `None` when every window has room, else
    /// answers what to wait for.
    fn take_or_wait(&self) -> Option<Wait> {
        let now = self.clock.now();
        let mut counted = lock(&self.counted);
        // How long a request finished at `done` still counts in `length`.
        let left = |done: &Instant, length: Duration| {
            Some(length.saturating_sub(now.saturating_duration_since(*done)))
                .filter(|d| !d.is_zero())
        };
        // Forgets the requests older than every window.
        counted
            .finished
            .retain(|done| left(done, self.longest).is_some());
        let wait = self
            .windows
            .iter()
            .filter_map(|window| {
                let lefts = counted
                    .finished
                    .iter()
                    .filter_map(|done| left(done, window.length));
                let first_out = lefts.clone().min();
                let full = counted.in_flight + lefts.count() >= window.requests;
                full.then(|| first_out.map_or(Wait::Release, Wait::For))
            })
            .max();
        if wait.is_none() {
            counted.in_flight += 1;
        }
        wait
    }
}

/// A request's slot: it counts as in flight until dropped.
#[derive(Debug)]
pub(crate) struct Permit(Arc<Limiter>);

impl Drop for Permit {
    fn drop(&mut self) {
        let now = self.0.clock.now();
        let mut counted = lock(&self.0.counted);
        counted.in_flight -= 1;
        counted.finished.push(now);
        self.0.released.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use tokio::time::{advance, timeout};

    use super::*;
    use crate::clock::TokioClock;

    /// Runs `test` on a runtime of its own with tokio's time paused (sleeps
    /// take no real time: the clock jumps to the next timer whenever the
    /// runtime is idle), in a thread of its own, and fails if it has not
    /// finished after 5 s. A broken limiter may spin instead of sleeping,
    /// which no timeout in the same thread could interrupt.
    fn within_seconds<F>(test: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(true)
                .build()
                .unwrap();
            runtime.block_on(test);
            let _ = done.send(());
        });
        finished
            .recv_timeout(Duration::from_secs(5))
            .expect("the limiter test finished (or panicked) within 5 s");
    }

    /// A limiter on tokio's (paused) time, and a function answering how
    /// much of that time has passed since.
    fn limiter(limits: RequestLimits) -> (Arc<Limiter>, impl Fn() -> Duration) {
        let start = tokio::time::Instant::now();
        let limiter = Limiter::new(&limits, Arc::new(TokioClock)).unwrap();
        (limiter, move || start.elapsed())
    }

    const SECS: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_window_of_the_longest_duration_waits_without_overflowing() {
        within_seconds(async {
            let (limiter, _) = limiter(RequestLimits::none().allow(1, Duration::MAX));
            drop(limiter.acquire().await);
            advance(SECS(5)).await;
            match limiter.take_or_wait() {
                Some(Wait::For(wait)) => assert_eq!(wait, Duration::MAX - SECS(5)),
                _ => panic!("a full window waits for its oldest request"),
            }
            let counted = lock(&limiter.counted);
            assert_eq!(counted.finished.len(), 1, "the request still counts");
        });
    }

    #[test]
    fn a_full_window_waits_until_its_oldest_request_is_a_window_old() {
        within_seconds(async {
            let (limiter, elapsed) = limiter(RequestLimits::none().allow(3, SECS(60)));
            for _ in 0..3 {
                drop(limiter.acquire().await);
                advance(SECS(1)).await;
            }
            assert_eq!(elapsed(), SECS(3), "no wait");
            // The first request finished at 0 s and it is now 3 s: 57 s to go.
            drop(limiter.acquire().await);
            assert_eq!(elapsed(), SECS(60));
            // The second finished at 1 s.
            drop(limiter.acquire().await);
            assert_eq!(elapsed(), SECS(61));
        });
    }

    #[test]
    fn a_request_counts_from_when_it_finished() {
        within_seconds(async {
            let (limiter, elapsed) = limiter(RequestLimits::none().allow(1, SECS(10)));
            let permit = limiter.acquire().await;
            advance(SECS(4)).await;
            drop(permit);
            drop(limiter.acquire().await);
            assert_eq!(elapsed(), SECS(14), "10 s after the first finished");
        });
    }

    #[test]
    fn every_window_is_kept() {
        within_seconds(async {
            let limits = RequestLimits::none().allow(2, SECS(1)).allow(3, SECS(100));
            let (limiter, elapsed) = limiter(limits);
            let mut sent_at = Vec::new();
            for _ in 0..4 {
                drop(limiter.acquire().await);
                sent_at.push(elapsed());
            }
            // 2 at 0 s, the third at 1 s (the short window), the fourth at
            // 100 s (the long window, from the first request).
            assert_eq!(sent_at, [0, 0, 1, 100].map(SECS));
        });
    }

    #[test]
    fn a_request_in_flight_holds_its_slot_until_it_finishes() {
        within_seconds(async {
            let (limiter, elapsed) = limiter(RequestLimits::none().allow(1, SECS(5)));
            let permit = limiter.acquire().await;
            let second = tokio::spawn({
                let limiter = limiter.clone();
                async move { drop(limiter.acquire().await) }
            });
            tokio::task::yield_now().await;
            assert!(!second.is_finished());
            advance(SECS(30)).await;
            assert!(!second.is_finished(), "the slot is still held");
            drop(permit);
            timeout(SECS(60), second).await.expect("released").unwrap();
            assert_eq!(elapsed(), SECS(35), "a window after the release");
        });
    }

    #[test]
    fn limits_are_the_apis_by_default_and_can_be_turned_off() {
        let default = RequestLimits::default();
        let apis = RequestLimits::none()
            .allow(250, SECS(60))
            .allow(5_000, SECS(3_600));
        assert_eq!(default, apis);
        assert!(RequestLimits::none().is_none());
        assert!(!default.is_none());
        assert!(Limiter::new(&RequestLimits::none(), Arc::new(TokioClock)).is_none());
        let odd = RequestLimits::none()
            .allow(0, SECS(1))
            .allow(5, Duration::ZERO);
        assert_eq!(odd.windows.len(), 1);
        assert_eq!(odd.windows[0].requests, 1);
    }
}
