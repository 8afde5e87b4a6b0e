//! What happens around every handler: rate limits, authentication, injected
//! faults and latency, error bodies with request ids, the `ratelimit-*`
//! headers, and the request log.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::{StreamExt, stream};

use super::rate_limit::Verdict;
use super::shared::Shared;
use crate::faults::FaultKind;
use crate::loopback;
use crate::stats::{RequestRecord, operation_id};
use crate::wire::error::ApiError;

/// The body of an injected 503, as a proxy in front of the API sends it.
const PROXY_503: &str = "<html><head><title>503 Service Temporarily Unavailable</title></head>\
<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n";

/// The status logged for a request whose client went away before it was
/// answered (the code nginx logs for the same event).
const CLIENT_CLOSED_REQUEST: u16 = 499;

/// Logs a request that is dropped before its answer is ready: when a client
/// gives up (its timeout, a cancelled call) hyper drops the handler's
/// future, typically during added latency or a slow fault, and without this
/// guard the request would vanish from the log and from the fault counts.
struct Abandoned<'a> {
    shared: &'a Shared,
    record: Option<RequestRecord>,
}

impl Abandoned<'_> {
    /// The request was answered: it is logged with its real status instead.
    fn answered(mut self) {
        self.record = None;
    }
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            self.shared.record(record);
        }
    }
}

/// Runs `next` (the handler) under the sandbox's rules.
pub(crate) async fn apply(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = shared.next_request_id();
    let method = request.method().to_string();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), ToString::to_string);
    let operation = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|route| operation_id(&method, route.as_str()));
    if !addressed_to_loopback(&request) {
        let mut response = ApiError::forbidden(
            "This sandbox answers only requests addressed to this machine: the Host must be \
             127.0.0.1, [::1] or localhost (with any port).",
        )
        .into_response();
        write_error_body(&mut response, &request_id);
        shared.record(RequestRecord {
            method,
            target,
            operation,
            status: response.status().as_u16(),
            fault: None,
            request_id,
        });
        return response;
    }
    let (faults, fault) = shared.draw_fault();
    let mut abandoned = Abandoned {
        shared: &shared,
        record: Some(RequestRecord {
            method: method.clone(),
            target: target.clone(),
            operation,
            status: CLIENT_CLOSED_REQUEST,
            fault: None,
            request_id: request_id.clone(),
        }),
    };
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let token = bearer_token(request.headers())
        .unwrap_or_default()
        .to_string();
    let account = shared.accounts.caller(&token);
    let verdict = shared
        .limiter()
        .admit(account.map(|(index, _)| index), Instant::now());
    let caller = account.map(|(_, caller)| caller.clone());
    let (mut response, fault) = if verdict.retry_after.is_some() {
        (ApiError::too_many_requests().into_response(), None)
    } else if let Some(caller) = caller {
        request.extensions_mut().insert(caller);
        if method == "DELETE" && shared.take_lost_delete_answer() {
            // Logged with the status of what was carried out, which the client
            // never sees.
            let carried_out = next.run(request).await;
            abandoned.answered();
            shared.record(RequestRecord {
                method,
                target,
                operation,
                status: carried_out.status().as_u16(),
                fault: Some(FaultKind::LostAnswer),
                request_id,
            });
            return lost_answer();
        }
        match fault {
            Some(FaultKind::TooManyRequests) => {
                let mut response = ApiError::too_many_requests().into_response();
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(faults.retry_after_secs));
                (response, fault)
            }
            Some(FaultKind::ServerError) => (ApiError::server_error().into_response(), fault),
            Some(FaultKind::Unavailable) => (proxy_unavailable(), fault),
            Some(FaultKind::Slow) => {
                if let Some(record) = &mut abandoned.record {
                    record.fault = fault;
                }
                tokio::time::sleep(faults.slow_delay).await;
                (next.run(request).await, fault)
            }
            Some(FaultKind::DroppedConnection) => {
                let mut response = next.run(request).await;
                write_error_body(&mut response, &request_id);
                (cut_short(response).await, fault)
            }
            // Lost answers are counted out above, never drawn.
            None | Some(FaultKind::LostAnswer) => (next.run(request).await, None),
        }
    } else {
        (ApiError::unauthorized().into_response(), None)
    };
    if fault != Some(FaultKind::Unavailable) {
        finish(&mut response, &verdict, &request_id);
    }
    abandoned.answered();
    shared.record(RequestRecord {
        method,
        target,
        operation,
        status: response.status().as_u16(),
        fault,
        request_id,
    });
    response
}

/// Whether the request names this machine as its host (the URI's
/// authority when it has one, else the `Host` header): a page that rebinds
/// its own name to 127.0.0.1 still sends its name, and is refused.
fn addressed_to_loopback(request: &Request) -> bool {
    if let Some(authority) = request.uri().authority() {
        return loopback::is_loopback_authority(authority.as_str());
    }
    request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(loopback::is_loopback_authority)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Writes the JSON body of an error answer, with the request id.
fn write_error_body(response: &mut Response, request_id: &str) {
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        *response.body_mut() = Body::from(error.body(request_id));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
}

/// Writes the error body (if the handler gave an error) and the headers
/// every API response carries.
fn finish(response: &mut Response, verdict: &Verdict, request_id: &str) {
    write_error_body(response, request_id);
    let headers = response.headers_mut();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    headers.insert("ratelimit-limit", HeaderValue::from(verdict.limit));
    headers.insert("ratelimit-remaining", HeaderValue::from(verdict.remaining));
    headers.insert(
        "ratelimit-reset",
        HeaderValue::from(now + verdict.reset_in.as_secs()),
    );
    if let Some(seconds) = verdict.retry_after {
        headers.insert("retry-after", HeaderValue::from(seconds));
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
}

fn proxy_unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html")],
        PROXY_503,
    )
        .into_response()
}

/// An answer that is never sent: its body fails before the first byte, and
/// the server closes the connection without writing the status line (the
/// client sees an incomplete message). The status must allow a body, or the
/// server would send the head of an empty answer instead.
fn lost_answer() -> Response {
    let failure = stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the sandbox lost this answer on purpose",
        ))
    });
    Response::new(Body::from_stream(failure))
}

/// Sends the first half of `response`'s body, then fails the body so that
/// the connection is closed mid-response.
async fn cut_short(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    // The pause lets the server send the headers and the first half before
    // the failure closes the connection.
    let failure = stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the sandbox dropped this connection on purpose",
        ))
    });
    let chunks = stream::iter([Ok(half)]).chain(failure);
    Response::from_parts(parts, Body::from_stream(chunks))
}
