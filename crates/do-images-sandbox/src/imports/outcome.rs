//! What an import ends as.

/// How an import ends.
#[derive(Debug, PartialEq)]
pub(crate) enum ImportResult {
    /// It becomes available; `bytes` is the size downloaded, when it was.
    Imported { bytes: Option<u64> },
    /// It ends `deleted` with this `error_message`.
    Failed(String),
}
