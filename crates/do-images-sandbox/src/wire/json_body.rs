//! A request body read as a JSON object, the first step of every body
//! check.

use serde_json::{Map, Value};

use super::error::ApiError;

/// The body as a JSON object, or the error `refuse` makes of what is wrong
/// with it (the API answers 422 for images and actions, 400 for account
/// transfers).
pub(crate) fn object(
    body: &[u8],
    refuse: fn(String) -> ApiError,
) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(refuse("The request body must be a JSON object.".into())),
        Err(error) => Err(refuse(format!(
            "The request body is not valid JSON: {error}."
        ))),
    }
}
