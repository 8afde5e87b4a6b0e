//! The executor under every request: authentication, user agent, retries,
//! rate-limit capture, body size cap and request logging.
//!
//! [`Executor::run`] returns what it learnt about a call as a value: the
//! last answer, its body read up to the limit ([`Exchange`]), or the last
//! failure with the number of attempts ([`Failure`]). This crate's calls read those directly (see
//! `call.rs`); the generated client's own `send()` reaches the same code
//! through [`Execute`], which turns them back into the `reqwest` types
//! progenitor decodes: a body over the limit then fails to read with
//! [`BodyTooLarge`] as the cause.

use std::sync::{Arc, Mutex};

use body::read_capped;
pub(crate) use body::{Body, BodyTooLarge};
use bytes::Bytes;
use do_images_api::{Execute, ExecuteFuture};
use http_body::Frame;
use http_body_util::StreamBody;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};

use crate::clock::Clock;
use crate::error::request_id_header;
use crate::rate_limit::RateLimitStatus;
use crate::request_limits::Limiter;
use crate::retry::RetryPolicy;
use crate::sync::lock;
use do_images_redact::Redactor;

/// Sends each request with the token, retrying as the policy allows.
#[derive(Debug)]
pub(crate) struct Executor {
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) policy: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) last_rate_limit: Arc<Mutex<Option<RateLimitStatus>>>,
    pub(crate) max_body_size: u64,
    /// Shared by the client's clones; `None` when limits are off.
    pub(crate) limiter: Option<Arc<Limiter>>,
    /// Removes the client's secrets from what is logged.
    pub(crate) redactor: Redactor,
}

/// The last answer of a call: its status and headers, and its body read up
/// to the limit.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// The answer's status, headers and version.
    pub(crate) head: http::response::Parts,
    /// The body, or the fact that it was over the limit.
    pub(crate) body: Body,
}

/// A call that got no answer: the last error, after `attempts` attempts.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Why the last attempt failed.
    pub(crate) source: reqwest::Error,
    /// How many times the request was sent.
    pub(crate) attempts: u32,
}

impl Exchange {
    /// The answer as the `reqwest::Response` the generated client decodes.
    fn into_response(self) -> reqwest::Response {
        let response: http::Response<reqwest::Body> = match self.body {
            Body::Complete(bytes) => http::Response::from_parts(self.head, bytes.into()),
            Body::TooLarge { limit } => {
                let mut head = self.head;
                head.headers.remove(CONTENT_LENGTH);
                // A body whose one frame is the error.
                let refused = Err::<Frame<Bytes>, _>(BodyTooLarge { limit });
                let body = reqwest::Body::wrap(StreamBody::new(futures::stream::iter([refused])));
                http::Response::from_parts(head, body)
            }
        };
        reqwest::Response::from(response)
    }
}

impl Execute for Executor {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(async move {
            match self.run(client, request, operation_id).await {
                Ok(exchange) => Ok(exchange.into_response()),
                Err(failure) => Err(failure.source),
            }
        })
    }
}

impl Executor {
    /// Sends `request` until an answer settles it (retrying as the policy
    /// allows), and returns that answer, or the last failure with the
    /// number of attempts.
    #[tracing::instrument(
        name = "request",
        skip_all,
        fields(operation = operation_id, method = %request.method(), path = %request.url().path())
    )]
    pub(crate) async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<Exchange, Failure> {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        let method = request.method().clone();
        let mut current = request;
        let mut retry = 0u32;
        // Whether an earlier attempt may have been carried out although its
        // answer was lost (a 5xx, a connection cut after sending, a timeout).
        let mut may_have_acted = false;
        loop {
            // A request whose body cannot be cloned is sent once; the
            // generated client only sends JSON bytes, which clone.
            let (to_send, spare) = match current.try_clone() {
                Some(copy) => (copy, Some(current)),
                None => (current, None),
            };
            let attempt = retry + 1;
            // Every attempt takes a slot; it counts until the answer is read.
            let permit = match &self.limiter {
                Some(limiter) => Some(limiter.acquire().await),
                None => None,
            };
            let outcome = match client.execute(to_send).await {
                Ok(response) => read_capped(response, self.max_body_size).await,
                Err(error) => Err(error),
            };
            drop(permit);
            let (delay, next) = match outcome {
                Ok((response, body)) => {
                    let status = response.status;
                    let request_id = request_id_header(&response.headers)
                        .map(|id| self.redactor.redact(&id).into_owned());
                    let remaining = self.capture_rate_limit(&response);
                    tracing::debug!(
                        status = status.as_u16(),
                        attempt,
                        request_id = request_id.as_deref().unwrap_or("-"),
                        ratelimit_remaining = remaining,
                        "DigitalOcean API answered"
                    );
                    let delay = self.policy.delay_after_status(
                        &method,
                        status,
                        &response.headers,
                        retry,
                        self.clock.system_now(),
                        &|max| self.clock.jitter(max),
                    );
                    let (Some(delay), Some(next)) = (delay, spare) else {
                        if method == Method::DELETE
                            && status == StatusCode::NOT_FOUND
                            && may_have_acted
                        {
                            tracing::debug!(
                                attempt,
                                "already deleted, by an earlier attempt whose answer was lost"
                            );
                            return Ok(Exchange {
                                head: already_deleted(response),
                                body: Body::Complete(Vec::new()),
                            });
                        }
                        return Ok(Exchange {
                            head: response,
                            body,
                        });
                    };
                    tracing::info!(
                        status = status.as_u16(),
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "retrying after a retryable answer"
                    );
                    may_have_acted |= status.is_server_error();
                    (delay, next)
                }
                Err(error) => {
                    let before_sending = error.is_connect();
                    let delay = spare.as_ref().and_then(|_| {
                        self.policy
                            .delay_after_failure(&method, before_sending, retry, &|max| {
                                self.clock.jitter(max)
                            })
                    });
                    tracing::debug!(
                        attempt,
                        error = %self.redactor.redact(&error.to_string()),
                        will_retry = delay.is_some(),
                        "request to the DigitalOcean API failed"
                    );
                    let (Some(delay), Some(next)) = (delay, spare) else {
                        return Err(Failure {
                            source: error,
                            attempts: attempt,
                        });
                    };
                    may_have_acted |= !before_sending;
                    (delay, next)
                }
            };
            self.clock.sleep(delay).await;
            current = next;
            retry += 1;
        }
    }

    fn capture_rate_limit(&self, response: &http::response::Parts) -> Option<u64> {
        let limit = RateLimitStatus::from_headers(&response.headers)?;
        *lock(&self.last_rate_limit) = Some(limit);
        Some(limit.remaining)
    }
}

/// The head of the success a DELETE would have had (`204 No Content`,
/// with the headers of the 404 that said the resource is gone, such as the
/// rate limit): deleting is idempotent, so a resource that an earlier
/// attempt deleted is deleted. Its body is empty.
fn already_deleted(mut head: http::response::Parts) -> http::response::Parts {
    head.status = StatusCode::NO_CONTENT;
    head.headers.remove(CONTENT_LENGTH);
    head.headers.remove(CONTENT_TYPE);
    head
}

/// Reading a body with a size cap.
mod body {
    use http::header::CONTENT_LENGTH;
    use http_body_util::BodyExt;

    /// A body read in full, or the fact that it was over the limit.
    #[derive(Debug)]
    pub(crate) enum Body {
        /// Every byte.
        Complete(Vec<u8>),
        /// Over `limit` bytes: dropped unread.
        TooLarge {
            /// The client's limit, in bytes.
            limit: u64,
        },
    }

    /// Why an answer's body was not read: it is larger than the client's
    /// limit. The cause of the body error that the generated client's own
    /// `send()` meets.
    #[derive(Debug, thiserror::Error)]
    #[error(
        "the answer's body is larger than the client's limit of {limit} bytes; it was not read"
    )]
    pub(crate) struct BodyTooLarge {
        pub(crate) limit: u64,
    }

    /// Splits `response` into its head and its body, reading at most
    /// `limit` bytes: a larger body (by `content-length` or as it streams)
    /// is dropped unread.
    pub(crate) async fn read_capped(
        response: reqwest::Response,
        limit: u64,
    ) -> reqwest::Result<(http::response::Parts, Body)> {
        let (mut head, mut body) = http::Response::from(response).into_parts();
        let declared = head.headers.get(CONTENT_LENGTH);
        let declared = declared.and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        let mut over = declared.is_some_and(|length| length > limit);
        let mut bytes = Vec::new();
        while !over && let Some(frame) = body.frame().await {
            let data = frame?.into_data().unwrap_or_default();
            over = (bytes.len() + data.len()) as u64 > limit;
            if !over {
                bytes.extend_from_slice(&data);
            }
        }
        if over {
            head.headers.remove(CONTENT_LENGTH);
            return Ok((head, Body::TooLarge { limit }));
        }
        Ok((head, Body::Complete(bytes)))
    }
}
