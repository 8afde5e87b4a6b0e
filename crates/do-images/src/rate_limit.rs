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
    use reqwest::header::{HeaderName, HeaderValue};

    #[test]
    fn parses_headers_whatever_their_case() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("RateLimit-Limit", "5000"),
            ("RATELIMIT-REMAINING", "4321"),
            ("ratelimit-reset", "1700000060"),
        ] {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_static(value),
            );
        }
        let limit = RateLimitStatus::from_headers(&headers).unwrap();
        assert_eq!(
            limit,
            RateLimitStatus {
                limit: 5000,
                remaining: 4321,
                reset: 1_700_000_060
            }
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(limit.until_reset(now), Duration::from_secs(60));
        headers.remove("ratelimit-limit");
        assert_eq!(RateLimitStatus::from_headers(&headers), None);
    }

    #[test]
    fn an_absurd_reset_does_not_overflow() {
        let limit = RateLimitStatus {
            limit: 5000,
            remaining: 0,
            reset: u64::MAX,
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            limit.reset_at(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(LATEST_RESET)
        );
        assert!(limit.until_reset(now) > Duration::from_secs(200 * 365 * 86_400));
    }
}
