//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use do_images_api::types;

use crate::rate_limit::RateLimitStatus;
use do_images_redact::Redactor;

/// What this crate's operations return.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong. Match on the variant to tell an API error
/// from a transport failure, a timeout, a body that could not be decoded,
/// bad input, or a waiter that failed or ran out of time.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status and a JSON error body.
    #[error("{id}: {message} (HTTP {status}{}){}", suffix(", request ", request_id), suffix("; ", &self.hint()))]
    Api {
        /// The HTTP status, such as 404.
        status: u16,
        /// DigitalOcean's error id, such as `not_found`.
        id: String,
        /// DigitalOcean's message.
        message: String,
        /// The request id, from the body or the `x-request-id` header.
        request_id: Option<String>,
        /// The rate-limit state this response reported.
        rate_limit: Option<RateLimitStatus>,
    },
    /// The request could not be sent or its answer not received (DNS,
    /// connection refused or reset, TLS) after all retries. The message
    /// leaves the cause to [`std::error::Error::source`], so that a reporter
    /// walking the chain shows each cause once.
    #[error("could not reach the DigitalOcean API after {attempts} attempt(s)")]
    Transport {
        /// How many times the request was sent.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The connect or request timeout of the client elapsed, after all
    /// retries. The cause is the [`std::error::Error::source`].
    #[error("the DigitalOcean API did not answer in time after {attempts} attempt(s)")]
    Timeout {
        /// How many times the request was sent.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The answer's body was not what the API documents (for example an HTML
    /// page from a proxy in front of the API).
    #[error(
        "HTTP {status} with a body that is not the expected JSON ({reason}){}: {excerpt:?}",
        suffix(", request ", request_id)
    )]
    Decode {
        /// The HTTP status of the answer, when known.
        status: u16,
        /// Up to 200 characters of the body.
        excerpt: String,
        /// Why it could not be decoded.
        reason: String,
        /// The `x-request-id` header, when present.
        request_id: Option<String>,
    },
    /// The API answered with a status the operation does not document.
    #[error(
        "unexpected HTTP {status} from the DigitalOcean API{}",
        suffix(", request ", request_id)
    )]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The `x-request-id` header, when present.
        request_id: Option<String>,
    },
    /// The API answered with a redirect (3xx), which the client never
    /// follows: the API does not redirect, and following one would send the
    /// token or a request body (an import URL) elsewhere.
    #[error(
        "the API answered HTTP {status}, a redirect to {}, which is not followed; check the base URL",
        location.as_deref().map_or_else(|| "nowhere (no Location)".to_string(), |l| format!("{l:?}"))
    )]
    Redirect {
        /// The HTTP status, such as 307.
        status: u16,
        /// Where it pointed: the `Location` header without its query and
        /// fragment (which may carry a signature), at most 200 characters.
        location: Option<String>,
    },
    /// The answer's body was larger than the client's limit (see
    /// [`ClientBuilder::max_body_size`](crate::ClientBuilder::max_body_size)).
    #[error(
        "the API's answer (HTTP {status}{}) is larger than the limit of {limit} bytes; it was not read",
        suffix(", request ", request_id)
    )]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The HTTP status of the answer.
        status: u16,
        /// The `x-request-id` header, when present.
        request_id: Option<String>,
    },
    /// An argument was refused before anything was sent.
    #[error("invalid {what}: {problem}; allowed: {allowed}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        problem: String,
        /// What would be accepted.
        allowed: &'static str,
    },
    /// A prune's filters selected every one of the account's images it
    /// considers (its own snapshots and custom images, or the types asked
    /// for), and select-all was not asked for: nothing was deleted, only
    /// the listing was sent.
    #[error(
        "the prune's filters select all {considered} of the images it considers (the account's own, of the types given), which is refused without the explicit select-all option; narrow the filters"
    )]
    SelectsEverything {
        /// How many images the prune considered, all of them selected.
        considered: usize,
    },
    /// The client could not be built: no token, a plain `http://` URL to a
    /// remote host, a bad base URL.
    #[error("{0}")]
    Config(String),
    /// A pagination link could not be followed safely (for example its page
    /// number does not advance).
    #[error("cannot follow the pagination link {link:?}: {reason}")]
    BadPageLink {
        /// The link as the API sent it.
        link: String,
        /// Why it was refused.
        reason: String,
    },
    /// A listing ended with a different number of items than the first
    /// page's `meta.total` announced: the set changed while it was being
    /// listed, or the server is inconsistent. The items already yielded are
    /// real, but the listing may have missed or repeated some.
    #[error(
        "the listing announced {expected} item(s) but yielded {seen}; the set changed while it was listed, list again"
    )]
    TotalMismatch {
        /// `meta.total` of the first page.
        expected: u64,
        /// How many items were yielded.
        seen: u64,
    },
    /// A waiter saw a failure state: an image `deleted` or `retired`, an
    /// action `errored`, or a 404 after a successful poll (the status then
    /// starts with `gone`: the resource was deleted while waited for).
    #[error("{resource} {id} ended as {status}{}", suffix(": ", error_message))]
    WaitFailed {
        /// `image` or `action`.
        resource: &'static str,
        /// The image or action id.
        id: u64,
        /// The status seen, such as `deleted`.
        status: String,
        /// The image's `error_message`, when the API gave one.
        error_message: Option<String>,
    },
    /// A waiter's maximum wait elapsed.
    #[error(
        "gave up waiting for {resource} {id} after {waited:?}; last status seen: {}",
        last_status.as_deref().unwrap_or("none (no successful poll)")
    )]
    WaitTimedOut {
        /// `image` or `action`.
        resource: &'static str,
        /// The image or action id.
        id: u64,
        /// The last status a poll returned.
        last_status: Option<String>,
        /// How long the waiter waited.
        waited: Duration,
    },
}

/// `text` after `before`, or nothing when there is no text.
fn suffix(before: &str, text: &Option<String>) -> String {
    match text {
        Some(text) if !text.is_empty() => format!("{before}{text}"),
        _ => String::new(),
    }
}

impl Error {
    /// What the caller can do about an API error, as its message ends: for
    /// a 401, `check that the token is valid and not expired`; for a 403,
    /// the token's scopes; for a 429, the rate limit and when it resets.
    /// `None` for other errors.
    pub fn hint(&self) -> Option<String> {
        let Self::Api {
            status, rate_limit, ..
        } = self
        else {
            return None;
        };
        match status {
            401 => Some("check that the token is valid and not expired".into()),
            403 => Some("check that the token has the image scopes this call needs".into()),
            429 => Some(match rate_limit {
                Some(limit) => format!(
                    "rate limit of {} requests/hour reached, {} left, resets at Unix time {}",
                    limit.limit, limit.remaining, limit.reset
                ),
                None => "rate limit reached, retry later".into(),
            }),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed: rate
    /// limits (429), server errors (500, 502, 503, 504, also with a body that
    /// is not JSON), transport failures and timeouts. Client errors, bad
    /// input and waiter outcomes are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => {
                matches!(status, 429 | 500 | 502 | 503 | 504)
            }
            Self::UnexpectedStatus { status, .. } => matches!(status, 502..=504),
            Self::Transport { .. } | Self::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. }
            | Self::Decode { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::BodyTooLarge { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id DigitalOcean gave the failed request, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::UnexpectedStatus { request_id, .. }
            | Self::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The rate-limit state the failed answer reported, if any.
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        match self {
            Self::Api { rate_limit, .. } => *rate_limit,
            _ => None,
        }
    }

    pub(crate) fn invalid(
        what: &'static str,
        problem: impl fmt::Display,
        allowed: &'static str,
    ) -> Self {
        Self::InvalidInput {
            what,
            problem: problem.to_string(),
            allowed,
        }
    }

    /// This error with every text in it that came from outside (the API's
    /// message, a body excerpt, a `Location`, a URL, a status) passed
    /// through `redactor`, so that neither `Display` nor `Debug` can show a
    /// secret a server echoed.
    pub fn redacted(mut self, redactor: &Redactor) -> Self {
        let texts: Vec<&mut String> = match &mut self {
            Self::Api {
                id,
                message,
                request_id,
                ..
            } => [id, message].into_iter().chain(request_id).collect(),
            Self::Transport { source, .. } | Self::Timeout { source, .. } => {
                strip_userinfo(source);
                Vec::new()
            }
            Self::Decode {
                excerpt,
                reason,
                request_id,
                ..
            } => [excerpt, reason].into_iter().chain(request_id).collect(),
            Self::UnexpectedStatus { request_id, .. } | Self::BodyTooLarge { request_id, .. } => {
                request_id.iter_mut().collect()
            }
            Self::Redirect { location, .. } => location.iter_mut().collect(),
            Self::InvalidInput { problem, .. } | Self::Config(problem) => vec![problem],
            Self::BadPageLink { link, reason } => vec![link, reason],
            Self::WaitFailed {
                status,
                error_message,
                ..
            } => [status].into_iter().chain(error_message).collect(),
            Self::WaitTimedOut { last_status, .. } => last_status.iter_mut().collect(),
            Self::TotalMismatch { .. } | Self::SelectsEverything { .. } => Vec::new(),
        };
        for text in texts {
            *text = redactor.redact(text).into_owned();
        }
        self
    }

    /// The error of a generated builder whose values could not make a
    /// request (nothing was sent).
    pub(crate) fn from_build(error: do_images_api::Error<types::Error>) -> Self {
        use do_images_api::Error as E;
        match error {
            E::InvalidRequest(problem) => {
                Self::invalid("request", problem, "the values the operation documents")
            }
            other => Self::Config(format!("cannot build the request: {other}")),
        }
    }

    /// A [`Error::Redirect`] from the answer's status and headers; its
    /// `Location` without query and fragment, at most 200 characters.
    pub(crate) fn redirect(status: u16, headers: &reqwest::header::HeaderMap) -> Self {
        let location = headers.get(reqwest::header::LOCATION).map(|location| {
            let text = String::from_utf8_lossy(location.as_bytes());
            let end = text.find(['?', '#']).unwrap_or(text.len());
            text[..end].chars().take(200).collect()
        });
        Self::Redirect { status, location }
    }

    /// A failure to reach the API after `attempts` attempts.
    pub(crate) fn unreached(mut source: reqwest::Error, attempts: u32) -> Self {
        strip_userinfo(&mut source);
        if source.is_timeout() {
            Self::Timeout { attempts, source }
        } else {
            Self::Transport { attempts, source }
        }
    }
}

/// Removes the user and password of `error`'s URL.
fn strip_userinfo(error: &mut reqwest::Error) {
    if let Some(url) = error.url_mut() {
        let _ = url.set_password(None);
        let _ = url.set_username("");
    }
}

pub(crate) fn request_id_header(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// Up to 200 characters of `bytes`, decoded leniently.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(800)]);
    let trimmed = text.trim();
    match trimmed.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &trimmed[..end]),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_trimmed_and_cut_at_200_characters() {
        assert_eq!(excerpt("x".repeat(5000).as_bytes()), "x".repeat(200) + "…");
        assert_eq!(excerpt(b"  <html>bad</html>\n"), "<html>bad</html>");
    }

    #[test]
    fn a_403_hints_at_the_scopes_and_errors_without_a_status_have_no_hint() {
        let forbidden = Error::Api {
            status: 403,
            id: "forbidden".into(),
            message: "m".into(),
            request_id: None,
            rate_limit: None,
        };
        let scopes = "; check that the token has the image scopes this call needs";
        assert!(forbidden.to_string().ends_with(scopes), "{forbidden}");
        assert_eq!(Error::Config("c".into()).hint(), None);
    }
}
