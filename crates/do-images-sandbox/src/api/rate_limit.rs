//! Per-token sliding-window rate limits, as the API applies them.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

use crate::config::RateLimits;

/// The rate-limit state sent with one response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// `ratelimit-limit`: requests allowed an hour.
    pub limit: u32,
    /// `ratelimit-remaining`.
    pub remaining: u32,
    /// `ratelimit-reset`: seconds from now until the oldest counted request
    /// leaves the window.
    pub reset_in: Duration,
    /// Set when the request is refused: seconds to wait (`retry-after`).
    pub retry_after: Option<u64>,
}

/// Requests counted per key (a token, or what stands for one) over the
/// last hour.
pub(crate) struct RateLimiter<K> {
    limits: RateLimits,
    /// The burst window (a minute) and the hourly window (an hour).
    windows: (Duration, Duration),
    seen: HashMap<K, VecDeque<Instant>>,
}

impl<K: Eq + Hash> RateLimiter<K> {
    pub fn new(limits: RateLimits, windows: (Duration, Duration)) -> Self {
        Self {
            limits,
            windows,
            seen: HashMap::new(),
        }
    }

    /// Counts a request by `key` at `now`, or refuses it when a limit is
    /// reached (a refused request is not counted).
    pub fn admit(&mut self, key: K, now: Instant) -> Verdict {
        let limits = self.limits;
        if limits == RateLimits::unlimited() {
            return Verdict {
                limit: limits.per_hour,
                remaining: limits.per_hour,
                reset_in: Duration::ZERO,
                retry_after: None,
            };
        }
        let (minute, hour) = self.windows;
        let times = self.seen.entry(key).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= hour)
        {
            times.pop_front();
        }
        let in_last_minute =
            times.len() - times.partition_point(|t| now.saturating_duration_since(*t) >= minute);
        let refused_until = if times.len() >= limits.per_hour as usize {
            times.front().map(|t| *t + hour)
        } else if in_last_minute >= limits.per_minute as usize {
            times.get(times.len() - in_last_minute).map(|t| *t + minute)
        } else {
            times.push_back(now);
            None
        };
        let reset_in = times.front().map_or(Duration::ZERO, |t| {
            (*t + hour).saturating_duration_since(now)
        });
        Verdict {
            limit: limits.per_hour,
            remaining: limits.per_hour.saturating_sub(times.len() as u32),
            reset_in,
            retry_after: refused_until.map(|until| {
                until
                    .saturating_duration_since(now)
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3_600);
    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn windows_can_be_shortened() {
        let mut limiter = RateLimiter::new(
            RateLimits {
                per_minute: 2,
                per_hour: 3,
            },
            (Duration::from_millis(100), Duration::from_secs(6)),
        );
        let start = Instant::now();
        limiter.admit('a', start);
        limiter.admit('a', start);
        let refused = limiter.admit('a', start + Duration::from_millis(50));
        assert_eq!(refused.retry_after, Some(1), "at least a second");
        let admitted = limiter.admit('a', start + Duration::from_millis(100));
        assert_eq!((admitted.retry_after, admitted.remaining), (None, 0));
        assert_eq!(admitted.reset_in, Duration::from_millis(5_900));
        let hourly = limiter.admit('a', start + Duration::from_millis(300));
        assert_eq!(hourly.retry_after, Some(6));
    }

    #[test]
    fn burst_limit_refuses_with_retry_after() {
        let mut limiter = RateLimiter::new(
            RateLimits {
                per_minute: 2,
                per_hour: 10,
            },
            (MINUTE, HOUR),
        );
        let start = Instant::now();
        assert_eq!(limiter.admit('a', start).remaining, 9);
        assert_eq!(limiter.admit('a', start).remaining, 8);
        let refused = limiter.admit('a', start + Duration::from_secs(15));
        assert_eq!(refused.retry_after, Some(45));
        assert_eq!(refused.remaining, 8, "a refused request is not counted");
        assert_eq!(
            limiter.admit('b', start).retry_after,
            None,
            "limits are per token"
        );
        let later = limiter.admit('a', start + Duration::from_secs(61));
        assert_eq!(later.retry_after, None);
    }

    #[test]
    fn hourly_limit() {
        let mut limiter = RateLimiter::new(
            RateLimits {
                per_minute: 100,
                per_hour: 3,
            },
            (MINUTE, HOUR),
        );
        let start = Instant::now();
        for _ in 0..3 {
            limiter.admit('a', start);
        }
        let refused = limiter.admit('a', start + Duration::from_secs(600));
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.retry_after, Some(3_000));
        assert_eq!(refused.reset_in, Duration::from_secs(3_000));
    }
}
