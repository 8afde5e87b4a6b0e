//! DigitalOcean's `ratelimit-*` response headers.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// The rate-limit state one response reported, read from its
/// `ratelimit-*` headers (the server's count; the rates this client keeps
/// under are its [`RequestLimits`](crate::RequestLimits)). DigitalOcean
/// sends it on every response, errors and `204` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Requests allowed per hour (`ratelimit-limit`).
    pub limit: u64,
    /// Requests left in the current window (`ratelimit-remaining`).
    pub remaining: u64,
    /// Unix time, in seconds, at which the oldest counted request expires
    /// (`ratelimit-reset`).
    pub reset: u64,
}

impl RateLimitStatus {
    /// Reads the three headers (names are case-insensitive); `None` unless
    /// all three are present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        Some(Self {
            limit: header_u64(headers, "ratelimit-limit")?,
            remaining: header_u64(headers, "ratelimit-remaining")?,
            reset: header_u64(headers, "ratelimit-reset")?,
        })
    }

    /// `reset` as a point in time. A `reset` later than the end of the year
    /// 9999 (only a broken or hostile server sends one) is taken as that
    /// moment, so that no time arithmetic on it can overflow.
    pub fn reset_at(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.reset.min(LATEST_RESET))
    }

    /// How long from `now` until `reset` (zero when it has passed).
    pub fn until_reset(&self, now: SystemTime) -> Duration {
        self.reset_at()
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    }
}

/// 9999-12-31T23:59:59Z in Unix seconds: the latest `ratelimit-reset` taken
/// as it is (every platform's `SystemTime` can hold it).
const LATEST_RESET: u64 = 253_402_300_799;

/// A header parsed as a non-negative integer. `HeaderMap` lookups are
/// case-insensitive.
pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absurd_reset_is_taken_as_the_end_of_the_year_9999() {
        let limit = RateLimitStatus {
            limit: 5000,
            remaining: 0,
            reset: u64::MAX,
        };
        let latest = SystemTime::UNIX_EPOCH + Duration::from_secs(LATEST_RESET);
        assert_eq!(limit.reset_at(), latest);
    }
}
