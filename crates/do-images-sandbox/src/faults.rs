//! Faults injected on demand: added latency and a seeded fraction of bad
//! answers. The same seed and the same order of requests give the same
//! faults.

use std::time::Duration;

use serde::Serialize;

/// Which faults to inject, as fractions of requests (0.0 to 1.0, summed over
/// the kinds at most 1.0).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Added to every response.
    pub latency: Duration,
    /// Fraction answered `429 too_many_requests` with `retry-after`.
    pub too_many_requests: f64,
    /// The `retry-after` seconds of those 429s.
    pub retry_after_secs: u64,
    /// Fraction answered `500 server_error` (JSON body).
    pub server_errors: f64,
    /// Fraction answered `503` with an HTML body, as a proxy would.
    pub unavailable: f64,
    /// Fraction whose connection is closed halfway through the body.
    pub dropped_connections: f64,
    /// Fraction delayed by [`Faults::slow_delay`] before answering.
    pub slow_responses: f64,
    /// The delay of slow responses.
    pub slow_delay: Duration,
    /// How many of the next `DELETE` requests are carried out and then lose
    /// their answer: the connection closes before a status line is sent,
    /// as when a proxy or the network drops it.
    pub lost_delete_answers: u32,
    /// A failed import's `error_message` quotes the import URL whole
    /// (query included), as a server that echoes what it was given would:
    /// a client must not print the presigned URL back.
    pub echo_import_urls: bool,
}

impl Faults {
    /// No faults, no latency.
    pub fn none() -> Self {
        Self {
            latency: Duration::ZERO,
            too_many_requests: 0.0,
            retry_after_secs: 1,
            server_errors: 0.0,
            unavailable: 0.0,
            dropped_connections: 0.0,
            slow_responses: 0.0,
            slow_delay: Duration::from_secs(5),
            lost_delete_answers: 0,
            echo_import_urls: false,
        }
    }

    /// Adds `latency` to every response.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers `fraction` of requests with 429 and `retry-after: seconds`.
    pub fn with_too_many_requests(mut self, fraction: f64, retry_after_secs: u64) -> Self {
        self.too_many_requests = fraction;
        self.retry_after_secs = retry_after_secs;
        self
    }

    /// Answers `fraction` of requests with a JSON 500.
    pub fn with_server_errors(mut self, fraction: f64) -> Self {
        self.server_errors = fraction;
        self
    }

    /// Answers `fraction` of requests with an HTML 503.
    pub fn with_unavailable(mut self, fraction: f64) -> Self {
        self.unavailable = fraction;
        self
    }

    /// Closes the connection halfway through `fraction` of responses.
    pub fn with_dropped_connections(mut self, fraction: f64) -> Self {
        self.dropped_connections = fraction;
        self
    }

    /// Delays `fraction` of responses by `delay`.
    pub fn with_slow_responses(mut self, fraction: f64, delay: Duration) -> Self {
        self.slow_responses = fraction;
        self.slow_delay = delay;
        self
    }

    /// Carries out the next `count` `DELETE` requests, then closes each
    /// connection before its answer is sent.
    pub fn with_lost_delete_answers(mut self, count: u32) -> Self {
        self.lost_delete_answers = count;
        self
    }

    /// Makes each failed import's `error_message` end with the import URL
    /// whole, query included.
    pub fn with_echoed_import_urls(mut self) -> Self {
        self.echo_import_urls = true;
        self
    }

    /// Checks that every fraction is within 0..=1 and that they sum to at
    /// most 1; the error names the first one that is not.
    pub fn validate(&self) -> Result<(), String> {
        let mut sum = 0.0;
        for (name, value) in self.fractions() {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!(
                    "the fault fraction `{name}` is {value}; it must be between 0 and 1"
                ));
            }
            sum += value;
        }
        if sum > 1.0 + f64::EPSILON {
            return Err(format!(
                "the fault fractions add up to {sum}; at most 1 is allowed"
            ));
        }
        Ok(())
    }

    fn fractions(&self) -> [(&'static str, f64); 5] {
        [
            ("too_many_requests", self.too_many_requests),
            ("server_errors", self.server_errors),
            ("unavailable", self.unavailable),
            ("dropped_connections", self.dropped_connections),
            ("slow_responses", self.slow_responses),
        ]
    }

    /// Picks the fault for one request from a uniform draw in `0..1`.
    pub(crate) fn pick(&self, draw: f64) -> Option<FaultKind> {
        let kinds = [
            FaultKind::TooManyRequests,
            FaultKind::ServerError,
            FaultKind::Unavailable,
            FaultKind::DroppedConnection,
            FaultKind::Slow,
        ];
        let mut upper = 0.0;
        for ((_, fraction), kind) in self.fractions().into_iter().zip(kinds) {
            upper += fraction;
            if draw < upper {
                return Some(kind);
            }
        }
        None
    }
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

/// A fault that was injected into one response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A 429 that the rate limit did not call for.
    TooManyRequests,
    /// A JSON 500.
    ServerError,
    /// An HTML 503.
    Unavailable,
    /// A connection closed halfway through the body.
    DroppedConnection,
    /// A response held back by the slow delay.
    Slow,
    /// A `DELETE` carried out whose answer was never sent.
    LostAnswer,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_cumulative_fraction() {
        let faults = Faults::none()
            .with_too_many_requests(0.1, 1)
            .with_server_errors(0.2);
        assert_eq!(faults.pick(0.05), Some(FaultKind::TooManyRequests));
        assert_eq!(faults.pick(0.25), Some(FaultKind::ServerError));
        assert_eq!(faults.pick(0.31), None);
        assert_eq!(Faults::none().pick(0.0), None);
    }

    #[test]
    fn validate_names_the_bad_fraction() {
        let error = Faults::none().with_unavailable(1.5).validate().unwrap_err();
        assert!(error.contains("unavailable"), "{error}");
        let error = Faults::none()
            .with_unavailable(0.6)
            .with_server_errors(0.6)
            .validate()
            .unwrap_err();
        assert!(error.contains("add up"), "{error}");
    }
}
