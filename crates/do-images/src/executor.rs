//! The [`Execute`] under every request: authentication, user agent, retries,
//! rate-limit capture, body size cap and request logging. What it learns
//! about a call goes into the call's record (see [`crate::call_record`]).

use std::sync::{Arc, Mutex};

use body::{Body, read_capped};
use do_images_api::{Execute, ExecuteFuture};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};

use crate::call_record::update_record;
use crate::clock::{Clock, Jitter};
use crate::error::request_id_header;
use crate::rate_limit::RateLimit;
use crate::redact::Redactor;
use crate::request_limits::Limiter;
use crate::retry::RetryPolicy;
use crate::sync::lock;

/// Sends each request with the token, retrying as the policy allows.
#[derive(Debug)]
pub(crate) struct Executor {
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) policy: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Arc<dyn Jitter>,
    pub(crate) last_rate_limit: Arc<Mutex<Option<RateLimit>>>,
    pub(crate) max_body_size: u64,
    /// Shared by the client's clones; `None` when limits are off.
    pub(crate) limiter: Option<Arc<Limiter>>,
    /// Removes the client's secrets from what is logged.
    pub(crate) redactor: Redactor,
}

impl Execute for Executor {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        Box::pin(self.run(client, request, operation_id))
    }
}

impl Executor {
    async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        let method = request.method().clone();
        let path = request.url().path().to_string();
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
            update_record(|record| record.attempts = attempt);
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
            match outcome {
                Ok((response, body)) => {
                    let status = response.status();
                    let request_id = request_id_header(response.headers())
                        .map(|id| self.redactor.redact(&id).into_owned());
                    let remaining = self.capture_rate_limit(&response);
                    tracing::debug!(
                        operation = operation_id,
                        %method,
                        path = %path,
                        status = status.as_u16(),
                        attempt,
                        request_id = request_id.as_deref().unwrap_or("-"),
                        ratelimit_remaining = remaining,
                        "DigitalOcean API answered"
                    );
                    update_record(|record| {
                        record.status = Some(status.as_u16());
                        record.request_id = request_id.clone();
                    });
                    let delay = self.policy.delay_after_status(
                        &method,
                        status,
                        response.headers(),
                        retry,
                        self.clock.system_now(),
                        self.jitter.as_ref(),
                    );
                    if let (Some(delay), Some(next)) = (delay, spare) {
                        tracing::info!(
                            operation = operation_id,
                            %method,
                            path = %path,
                            status = status.as_u16(),
                            attempt,
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "retrying after a retryable answer"
                        );
                        self.clock.sleep(delay).await;
                        current = next;
                        retry += 1;
                        may_have_acted |= status.is_server_error();
                        continue;
                    }
                    if method == Method::DELETE && status == StatusCode::NOT_FOUND && may_have_acted
                    {
                        tracing::debug!(
                            operation = operation_id,
                            %method,
                            path = %path,
                            attempt,
                            "already deleted, by an earlier attempt whose answer was lost"
                        );
                        update_record(|record| record.status = Some(204));
                        let head = already_deleted(response);
                        return Ok(rebuild(
                            head,
                            Body::Complete(Vec::new()),
                            self.max_body_size,
                        ));
                    }
                    return Ok(rebuild(response, body, self.max_body_size));
                }
                Err(error) => {
                    let before_sending = error.is_connect();
                    let delay = spare.as_ref().and_then(|_| {
                        self.policy.delay_after_failure(
                            &method,
                            before_sending,
                            retry,
                            self.jitter.as_ref(),
                        )
                    });
                    tracing::debug!(
                        operation = operation_id,
                        %method,
                        path = %path,
                        attempt,
                        error = %self.redactor.redact(&error.to_string()),
                        will_retry = delay.is_some(),
                        "request to the DigitalOcean API failed"
                    );
                    match (delay, spare) {
                        (Some(delay), Some(next)) => {
                            self.clock.sleep(delay).await;
                            current = next;
                            retry += 1;
                            may_have_acted |= !before_sending;
                        }
                        _ => return Err(error),
                    }
                }
            }
        }
    }

    fn capture_rate_limit(&self, response: &http::Response<()>) -> Option<u64> {
        let limit = RateLimit::from_headers(response.headers())?;
        *lock(&self.last_rate_limit) = Some(limit);
        Some(limit.remaining)
    }
}

/// The head of the success a DELETE would have had (`204 No Content`,
/// with the headers of the 404 that said the resource is gone, such as the
/// rate limit): deleting is idempotent, so a resource that an earlier
/// attempt deleted is deleted. Its body is empty.
fn already_deleted(mut head: http::Response<()>) -> http::Response<()> {
    *head.status_mut() = StatusCode::NO_CONTENT;
    let headers = head.headers_mut();
    headers.remove(CONTENT_LENGTH);
    headers.remove(CONTENT_TYPE);
    head
}

/// Turns a buffered answer back into the `reqwest::Response` the generated
/// code decodes. An oversize body is replaced by an empty one and noted in
/// the call record, so that the caller reports [`Error::BodyTooLarge`].
///
/// [`Error::BodyTooLarge`]: crate::Error::BodyTooLarge
fn rebuild(head: http::Response<()>, body: Body, limit: u64) -> reqwest::Response {
    let bytes = match body {
        Body::Complete(bytes) => bytes,
        Body::TooLarge => {
            update_record(|record| record.body_too_large = Some(limit));
            Vec::new()
        }
    };
    let (parts, ()) = head.into_parts();
    reqwest::Response::from(http::Response::from_parts(parts, bytes))
}

/// Reading a body with a size cap.
mod body {
    use http::header::CONTENT_LENGTH;

    /// A body read in full, or the fact that it was too large.
    pub(crate) enum Body {
        Complete(Vec<u8>),
        TooLarge,
    }

    /// Splits `response` into its head and its body, reading at most
    /// `limit` bytes: a larger body (by `content-length` or as it streams)
    /// is dropped unread.
    pub(crate) async fn read_capped(
        mut response: reqwest::Response,
        limit: u64,
    ) -> reqwest::Result<(http::Response<()>, Body)> {
        let mut head = http::Response::new(());
        *head.status_mut() = response.status();
        *head.version_mut() = response.version();
        *head.headers_mut() = response.headers().clone();
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit) {
            head.headers_mut().remove(CONTENT_LENGTH);
            return Ok((head, Body::TooLarge));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                head.headers_mut().remove(CONTENT_LENGTH);
                return Ok((head, Body::TooLarge));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((head, Body::Complete(bytes)))
    }
}
