//! [`RetryPolicy`]: when a failed request is sent again.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::rate_limit::{RateLimitStatus, header_u64};

/// When a failed request is sent again, and how long the client waits
/// first.
///
/// # The default policy, and why
///
/// - **Up to 4 attempts** (3 retries). DigitalOcean's 5xx answers and dropped
///   connections are usually momentary; more than three retries mostly
///   multiplies load on an API that is already struggling.
/// - **Full-jitter exponential backoff**: before retry *n* (counting from 0)
///   the client sleeps a uniformly random time in
///   `0..=min(20 s, 500 ms * 2^n)`. Full jitter spreads the retries of many
///   clients apart (the AWS SDKs use the same scheme); the 500 ms base gives a
///   proxy time to recover, and the 20 s cap keeps a single call bounded.
/// - **429** waits for `retry-after` (seconds) when the API sends it (burst
///   limit), or else until `ratelimit-reset`, but never longer than
///   **60 s** (the burst window is one minute). When the API asks for a longer
///   wait (the hourly limit is exhausted) the client does not sleep: it
///   returns the `429` [`Error::Api`](crate::Error::Api) at once, with the
///   rate-limit state, so the caller can decide. The wait is at least
///   **1 s** (a `retry-after: 0`, or a `ratelimit-reset` in the past from a
///   skewed clock, never gives an immediate retry), plus a random extra of
///   up to as much again, so that requests refused together (fetched-ahead
///   pages) do not all retry in the same instant. The client's
///   [`RequestLimits`](crate::RequestLimits) make `429`s rare.
/// - **Which requests**: `GET`, `PUT` and `DELETE` are idempotent, so they are
///   retried on `429`, `500`, `502`, `503`, `504` and on any connection or
///   transport failure. `POST` (import an image, start an action) is retried
///   only on `429` and on a connection that could not be established, the
///   two cases where the server provably did not act on it: the client never
///   creates an image or starts an action twice.
///
/// The price of that rule: when an import's connection breaks after the
/// request was sent (a timeout, a connection cut mid-answer, a 5xx from a
/// proxy), the client cannot know whether the image was created, and returns
/// the error instead of guessing. Look before importing again:
/// [`Images::find_by_name`](crate::Images::find_by_name) lists every image
/// with that name.
///
/// Deleting is idempotent, and the retries treat it so: when an attempt of
/// a `DELETE` may have been carried out although its answer was lost (a
/// 5xx, a connection cut after the request was sent, a timeout) and a retry
/// is answered `404`, the image is gone as asked, so the deletion succeeds
/// (logged at debug level). A `404` on the first attempt, or after only
/// `429`s and connections that could not be established, is still
/// not-found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_rate_limit_wait: Duration,
    min_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_rate_limit_wait: Duration::from_secs(60),
            min_rate_limit_wait: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once and never retries.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How many times a request may be sent in all, retries included (at
    /// least 1; 0 is taken as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff cap before the first retry; it doubles for each further
    /// retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff between two attempts.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest the client waits after a `429` before retrying; when the
    /// API asks for longer, the `429` is returned instead.
    pub fn with_max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }

    /// The shortest wait after a `429`, whatever the answer asked for, before
    /// the random extra of up to as much again.
    pub fn with_min_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.min_rate_limit_wait = wait;
        self
    }

    /// How many times a request may be sent in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff cap before the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff between two attempts.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest wait after a `429`.
    pub fn max_rate_limit_wait(&self) -> Duration {
        self.max_rate_limit_wait
    }

    /// The shortest wait after a `429`.
    pub fn min_rate_limit_wait(&self) -> Duration {
        self.min_rate_limit_wait
    }

    /// The full-jitter delay before retry number `retry` (0 for the first).
    pub(crate) fn backoff(&self, retry: u32, jitter: Jitter) -> Duration {
        jitter(doubled(self.initial_backoff, retry, self.max_backoff))
    }

    /// The delay before retrying after an answer with `status`, or `None`
    /// when it must not be retried.
    pub(crate) fn delay_after_status(
        &self,
        method: &Method,
        status: StatusCode,
        headers: &HeaderMap,
        retry: u32,
        now: SystemTime,
        jitter: Jitter,
    ) -> Option<Duration> {
        if retry + 1 >= self.max_attempts {
            return None;
        }
        match status.as_u16() {
            429 => {
                let asked = header_u64(headers, "retry-after")
                    .map(Duration::from_secs)
                    .or_else(|| {
                        RateLimitStatus::from_headers(headers).map(|limit| limit.until_reset(now))
                    })
                    .unwrap_or_else(|| self.backoff(retry, jitter));
                let floor = self.min_rate_limit_wait;
                (asked <= self.max_rate_limit_wait)
                    .then(|| asked.max(floor).saturating_add(jitter(floor)))
            }
            500 | 502 | 503 | 504 if is_idempotent(method) => Some(self.backoff(retry, jitter)),
            _ => None,
        }
    }

    /// The delay before retrying after a transport failure, or `None`.
    /// `before_sending` is true when the connection could not be
    /// established, so the server cannot have seen the request.
    pub(crate) fn delay_after_failure(
        &self,
        method: &Method,
        before_sending: bool,
        retry: u32,
        jitter: Jitter,
    ) -> Option<Duration> {
        let allowed = before_sending || is_idempotent(method);
        (allowed && retry + 1 < self.max_attempts).then(|| self.backoff(retry, jitter))
    }
}

/// Draws the random part of a delay, in `0..=max` ([`Clock::jitter`](crate::Clock::jitter)
/// outside tests).
pub(crate) type Jitter<'a> = &'a dyn Fn(Duration) -> Duration;

/// `base` doubled `times` times, at most `cap`.
pub(crate) fn doubled(base: Duration, times: u32, cap: Duration) -> Duration {
    base.saturating_mul(1 << times.min(31)).min(cap)
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each jitter the most allowed, or none.
    const MOST: fn(Duration) -> Duration = |max| max;
    const ZERO: fn(Duration) -> Duration = |_| Duration::ZERO;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const SECS: fn(u64) -> Duration = Duration::from_secs;

    /// An answer's headers, by name.
    type Headers<'a> = [(&'static str, &'a str)];

    /// The delay after the first attempt of `method` was answered `status`
    /// with `headers`, on a wall clock at 1,700,000,000 s.
    fn after(
        policy: &RetryPolicy,
        method: Method,
        status: u16,
        headers: &Headers,
        jitter: fn(Duration) -> Duration,
    ) -> Option<Duration> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        let status = StatusCode::from_u16(status).unwrap();
        let now = SystemTime::UNIX_EPOCH + SECS(1_700_000_000);
        policy.delay_after_status(&method, status, &map, 0, now, &jitter)
    }

    /// The headers of an exhausted rate limit that resets at `at`.
    fn reset(at: &str) -> [(&'static str, &str); 3] {
        [
            ("ratelimit-limit", "5000"),
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", at),
        ]
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays = [0, 1, 3, 7, 200].map(|n| policy.backoff(n, &MOST));
        assert_eq!(delays, [500, 1_000, 4_000, 20_000, 20_000].map(MS));
    }

    #[test]
    fn post_is_retried_only_when_the_server_did_not_act() {
        let policy = RetryPolicy::default();
        for status in [500, 502, 503, 504] {
            assert_eq!(after(&policy, Method::POST, status, &[], MOST), None);
            assert_eq!(
                after(&policy, Method::GET, status, &[], MOST),
                Some(MS(500))
            );
        }
        assert_eq!(
            after(&policy, Method::POST, 429, &[("retry-after", "3")], MOST),
            Some(SECS(4)),
            "3 s asked, and up to 1 s of jitter"
        );
        assert_eq!(after(&policy, Method::GET, 404, &[], MOST), None);
        let failure =
            |before_sending| policy.delay_after_failure(&Method::POST, before_sending, 0, &MOST);
        assert_eq!(failure(false), None);
        assert!(failure(true).is_some());
    }

    #[test]
    fn a_429_waits_what_it_asks_at_least_a_second_at_most_a_minute_jittered() {
        let policy = RetryPolicy::default();
        // The answer's headers, the wait without jitter and with the most.
        let cases: [(&Headers, Option<u64>, Option<u64>); 6] = [
            (&[("retry-after", "0")], Some(1), Some(2)),
            // A reset in the past: the server's clock is behind ours.
            (&reset("1699999000"), Some(1), Some(2)),
            (&reset("1700000000"), Some(1), Some(2)),
            (&[("retry-after", "5")], Some(5), Some(6)),
            (&reset("1700000042"), Some(42), Some(43)),
            // Longer than the 60 s maximum: the 429 is returned.
            (&reset("1700003000"), None, None),
        ];
        for (headers, zero, most) in cases {
            let delay = |jitter| after(&policy, Method::GET, 429, headers, jitter);
            assert_eq!(delay(ZERO), zero.map(SECS), "{headers:?}");
            assert_eq!(delay(MOST), most.map(SECS), "{headers:?}");
        }
    }

    #[test]
    fn custom_settings_are_kept_and_used() {
        let policy = RetryPolicy::default()
            .with_max_attempts(3)
            .with_initial_backoff(MS(100))
            .with_max_backoff(MS(150))
            .with_max_rate_limit_wait(SECS(5))
            .with_min_rate_limit_wait(MS(20));
        assert_eq!(policy.max_attempts(), 3);
        assert_eq!(policy.min_rate_limit_wait(), MS(20));
        assert_eq!(policy.initial_backoff(), MS(100));
        assert_eq!(policy.max_backoff(), MS(150));
        assert_eq!(policy.max_rate_limit_wait(), SECS(5));
        let delays = [0, 1, 2].map(|n| policy.backoff(n, &MOST));
        assert_eq!(delays, [100, 150, 150].map(MS));
        let limited = |seconds| after(&policy, Method::GET, 429, &[("retry-after", seconds)], ZERO);
        assert_eq!(limited("5"), Some(SECS(5)));
        assert_eq!(limited("6"), None, "over the custom maximum");
        assert_eq!(limited("0"), Some(MS(20)), "the custom floor");
    }

    #[test]
    fn the_longest_waits_saturate_instead_of_overflowing() {
        let policy = RetryPolicy::default()
            .with_max_rate_limit_wait(Duration::MAX)
            .with_min_rate_limit_wait(Duration::MAX)
            .with_initial_backoff(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        let limited = |headers: &Headers| after(&policy, Method::GET, 429, headers, MOST);
        let most = u64::MAX.to_string();
        assert_eq!(
            limited(&[("retry-after", most.as_str())]),
            Some(Duration::MAX)
        );
        assert!(limited(&reset(&most)).is_some());
        assert_eq!(limited(&[]), Some(Duration::MAX));
        assert!(policy.backoff(u32::MAX, &MOST) > SECS(1 << 40));
        assert!(
            policy
                .delay_after_failure(&Method::GET, true, 2, &MOST)
                .is_some()
        );
    }

    #[test]
    fn attempts_are_bounded_and_disabled_means_once() {
        let failure = |policy: RetryPolicy, retry| {
            policy.delay_after_failure(&Method::GET, true, retry, &MOST)
        };
        let two = RetryPolicy::default().with_max_attempts(2);
        assert!(failure(two.clone(), 0).is_some());
        assert_eq!(failure(two, 1), None);
        let once = RetryPolicy::disabled();
        assert_eq!(after(&once, Method::GET, 503, &[], MOST), None);
        assert_eq!(failure(once, 0), None);
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
    }
}
