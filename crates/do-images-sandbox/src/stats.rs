//! What the sandbox has answered: a log of requests and counters derived
//! from it, for tests to assert on.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::faults::FaultKind;

/// One request the sandbox received: answered, or abandoned by its client
/// (status 499).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path and query as received.
    pub target: String,
    /// The spec's operation id (`images_list`, ...), when the path is one of
    /// the API's.
    pub operation: Option<&'static str>,
    /// The status sent, or 499 when the client went away before the answer
    /// was ready (for example its timeout expired during a slow fault).
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<FaultKind>,
    /// The `request_id` of the answer.
    pub request_id: String,
}

impl crate::bounded_log::LogEntry for RequestRecord {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.method.len() + self.target.len() + self.request_id.len()
    }
}

/// Counters over all requests so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received, including those abandoned by their client.
    pub requests: u64,
    /// Requests by operation id.
    pub by_operation: BTreeMap<String, u64>,
    /// Requests by status sent.
    pub by_status: BTreeMap<u16, u64>,
    /// Faults injected, by kind.
    pub faults: BTreeMap<FaultKind, u64>,
    /// 429s sent because a token reached its rate limit (not injected).
    pub rate_limited: u64,
    /// Requests counted here but no longer in the request log, which keeps
    /// only the most recent ones (see
    /// [`SandboxConfig::with_request_log_capacity`](crate::SandboxConfig::with_request_log_capacity)).
    pub dropped_from_log: u64,
}

impl Stats {
    /// Counts over `log`.
    pub fn from_log(log: &[RequestRecord]) -> Self {
        let mut stats = Self::default();
        for record in log {
            stats.count(record);
        }
        stats
    }

    /// Counts one more request.
    pub(crate) fn count(&mut self, record: &RequestRecord) {
        self.requests += 1;
        if let Some(operation) = record.operation {
            *self.by_operation.entry(operation.to_string()).or_default() += 1;
        }
        *self.by_status.entry(record.status).or_default() += 1;
        match record.fault {
            Some(fault) => *self.faults.entry(fault).or_default() += 1,
            None if record.status == 429 => self.rate_limited += 1,
            None => {}
        }
    }

    /// Requests made to operation `operation_id`.
    pub fn operation(&self, operation_id: &str) -> u64 {
        self.by_operation.get(operation_id).copied().unwrap_or(0)
    }

    /// Faults of `kind` injected.
    pub fn fault(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }
}

/// The operation id for a method and a matched route.
pub(crate) fn operation_id(method: &str, route: &str) -> Option<&'static str> {
    let route = match route.strip_suffix('/') {
        Some(without_slash) if !without_slash.is_empty() => without_slash,
        _ => route,
    };
    Some(match (method, route) {
        ("GET", "/v2/images") => "images_list",
        ("POST", "/v2/images") => "images_create_custom",
        ("GET", "/v2/images/{image_id}") => "images_get",
        ("PUT", "/v2/images/{image_id}") => "images_update",
        ("DELETE", "/v2/images/{image_id}") => "images_delete",
        ("GET", "/v2/images/{image_id}/actions") => "image_actions_list",
        ("POST", "/v2/images/{image_id}/actions") => "image_actions_post",
        ("GET", "/v2/images/{image_id}/actions/{action_id}") => "image_actions_get",
        ("POST", "/v2/images/{image_id}/account_transfer") => "image_account_transfers_create",
        ("POST", "/v2/images/{image_id}/account_transfer/accept") => {
            "image_account_transfers_accept"
        }
        ("POST", "/v2/images/{image_id}/account_transfer/cancel") => {
            "image_account_transfers_cancel"
        }
        ("POST", "/v2/images/{image_id}/account_transfer/decline") => {
            "image_account_transfers_decline"
        }
        _ => return None,
    })
}
