//! The HTTP service in front of the S3 implementation: it logs every
//! request and cuts off (or holds) the ones, or cuts the answers, the
//! injected faults pick.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use s3s::service::S3Service;
use s3s::{HttpError, HttpResponse};

use super::faults::{FaultCounter, SpacesFaults};
use super::log::{self, StoreOperation, StoreOutcome, StoreRequest};
use crate::bounded_log::BoundedLog;
use crate::loopback;

/// The log and the faults, shared by every connection.
#[derive(Debug)]
pub(crate) struct StoreState {
    faults: Mutex<FaultCounter>,
    log: Mutex<BoundedLog<StoreRequest>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl StoreState {
    /// A state whose log keeps the `log_capacity` most recent requests.
    pub fn new(log_capacity: usize) -> Self {
        Self {
            faults: Mutex::default(),
            log: Mutex::new(BoundedLog::new(log_capacity)),
        }
    }

    pub fn set_faults(&self, faults: SpacesFaults) {
        lock(&self.faults).set(faults);
    }

    pub fn log(&self) -> Vec<StoreRequest> {
        lock(&self.log).kept()
    }

    pub fn dropped_from_log(&self) -> u64 {
        lock(&self.log).dropped()
    }

    fn record(&self, request: StoreRequest) {
        lock(&self.log).push(request);
    }
}

/// Why a connection was closed without an answer.
#[derive(Debug, thiserror::Error)]
#[error("the sandbox's Spaces store cut this request off (an injected fault)")]
struct InjectedCut;

/// The S3 service, logged and with faults.
#[derive(Clone)]
pub(crate) struct StoreService {
    pub s3: S3Service,
    pub state: Arc<StoreState>,
}

type Answer = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>;

impl hyper::service::Service<http::Request<Incoming>> for StoreService {
    type Response = HttpResponse;
    type Error = HttpError;
    type Future = Answer;

    fn call(&self, request: http::Request<Incoming>) -> Answer {
        let (operation, key, part_number) = log::classify(request.method(), request.uri());
        let cut = operation == StoreOperation::UploadPart
            && lock(&self.state.faults).cut_upload_part(part_number);
        let cut_answer = operation == StoreOperation::CompleteMultipartUpload
            && lock(&self.state.faults).cut_completion_answer();
        let hold = operation == StoreOperation::AbortMultipartUpload
            && lock(&self.state.faults).hold_abort();
        let entry = StoreRequest {
            method: request.method().to_string(),
            operation,
            key,
            part_number,
            outcome: StoreOutcome::Cut,
        };
        let half_of_body = (declared_length(request.headers()) / 2).max(1);
        let state = self.state.clone();
        let s3 = self.s3.clone();
        let escapes = log::has_dot_segment(&entry.key)
            || request
                .headers()
                .get("x-amz-copy-source")
                .is_some_and(|source| {
                    source
                        .to_str()
                        .map_or(true, log::copy_source_has_dot_segment)
                });
        let local = addressed_to_loopback(&request);
        Box::pin(async move {
            if !local {
                state.record(StoreRequest {
                    outcome: StoreOutcome::Answered(403),
                    ..entry
                });
                return Ok(s3_error(
                    http::StatusCode::FORBIDDEN,
                    "AccessDenied",
                    "This store answers only requests addressed to this machine: the Host must \
                     be 127.0.0.1, [::1] or localhost (with any port).",
                ));
            }
            if escapes {
                state.record(StoreRequest {
                    outcome: StoreOutcome::Answered(400),
                    ..entry
                });
                return Ok(s3_error(
                    http::StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "The key has a . or .. segment, which this store does not allow.",
                ));
            }
            if hold {
                state.record(StoreRequest {
                    outcome: StoreOutcome::Held,
                    ..entry
                });
                return std::future::pending().await;
            }
            if cut {
                read_body(request.into_body(), half_of_body).await;
                state.record(entry);
                return Err(HttpError::new(Box::new(InjectedCut)));
            }
            let answer = s3.call(request.map(s3s::Body::from)).await;
            if let (true, Ok(response)) = (cut_answer, &answer) {
                state.record(StoreRequest {
                    outcome: StoreOutcome::AnswerCut(response.status().as_u16()),
                    ..entry
                });
                return Err(HttpError::new(Box::new(InjectedCut)));
            }
            if let Ok(response) = &answer {
                state.record(StoreRequest {
                    outcome: StoreOutcome::Answered(response.status().as_u16()),
                    ..entry
                });
            }
            answer
        })
    }
}

/// An S3 error answer with a fixed `code` and `message`.
fn s3_error(status: http::StatusCode, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message></Error>"
    );
    let mut response = HttpResponse::new(s3s::Body::from(body));
    *response.status_mut() = status;
    response
}

/// Whether the request names this machine in its `Host` header (or its
/// URI's authority), as the API's request layer requires.
fn addressed_to_loopback(request: &http::Request<Incoming>) -> bool {
    if let Some(authority) = request.uri().authority() {
        return loopback::is_loopback_authority(authority.as_str());
    }
    request
        .headers()
        .get(http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(loopback::is_loopback_authority)
}

/// The length of the payload the client says it sends: the decoded length
/// of an `aws-chunked` body, else `Content-Length`; 0 when neither is given.
fn declared_length(headers: &http::HeaderMap) -> u64 {
    ["x-amz-decoded-content-length", "content-length"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok()?.parse().ok())
        .unwrap_or(0)
}

/// Reads at least `at_least` bytes of `body` (or all of it if shorter), so
/// that the cut comes after the client has sent part of the part.
async fn read_body(mut body: Incoming, at_least: u64) {
    let mut read = 0;
    while read < at_least {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |data| data.len() as u64),
            _ => return,
        }
    }
}
