//! Ids in request paths.

use crate::wire::error::ApiError;

/// A numeric path id; anything else names nothing that exists.
pub(super) fn numeric_id(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>()
        .ok()
        .filter(|&id| id >= 1)
        .ok_or_else(ApiError::not_found)
}
