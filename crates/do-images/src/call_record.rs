//! What the executor learns about one call (status, request id, attempts,
//! body size), handed back to the code that made
//! the call through a task-local [`CallRecord`].
//!
//! The generated client decodes the answer *after* the executor returns it,
//! and some of its errors lose facts the executor knew (a non-JSON `503`
//! becomes `InvalidResponsePayload`, without a status). So each call is run
//! inside [`record_call`]: the executor writes into the record, and the
//! calling code reads it back to build a complete [`Error`](crate::Error).

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::redact::Redactor;
use crate::sync::lock;

/// Facts about one call that the executor hands back to the caller.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallRecord {
    /// The status of the last answer.
    pub(crate) status: Option<u16>,
    /// The `x-request-id` of the last answer.
    pub(crate) request_id: Option<String>,
    /// How many times the request was sent.
    pub(crate) attempts: u32,
    /// Set when the last answer's body exceeded this many bytes.
    pub(crate) body_too_large: Option<u64>,
    /// The calling client's secrets, removed from every error built from
    /// the answer.
    pub(crate) redactor: Redactor,
}

tokio::task_local! {
    static CALL: Arc<Mutex<CallRecord>>;
}

/// Runs `future` (one `.send()` of the generated client) and returns its
/// output with what the executor recorded about it, and `redactor`.
pub(crate) async fn record_call<F: Future>(
    future: F,
    redactor: &Redactor,
) -> (F::Output, CallRecord) {
    let record = Arc::new(Mutex::new(CallRecord {
        redactor: redactor.clone(),
        ..CallRecord::default()
    }));
    let output = CALL.scope(record.clone(), future).await;
    let record = std::mem::take(&mut *lock(&record));
    (output, record)
}

pub(crate) fn update_record(f: impl FnOnce(&mut CallRecord)) {
    // Outside `record_call` (never the case for this crate's calls) there is
    // nothing to update.
    let _ = CALL.try_with(|record| f(&mut lock(record)));
}
