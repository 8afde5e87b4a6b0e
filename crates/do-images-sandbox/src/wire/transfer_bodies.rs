//! The bodies of the account-transfer operations. A body the API cannot
//! use (not JSON, no recipient or two, a missing or non-positive
//! `transfer_id`) is a 400 `bad_request`, as the API answers it.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::json_body::object;

/// Who a transfer is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Recipient {
    /// The account of the person with this email address.
    Email(String),
    /// The team with this uuid.
    Team(String),
}

/// The body of `accept`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Acceptance {
    pub transfer_id: u64,
    pub team: String,
}

impl Recipient {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let fields = object(body, ApiError::bad_request)?;
        let email = optional_text(&fields, "recipient_email")?;
        let team = optional_text(&fields, "recipient_uuid")?;
        match (email, team) {
            (Some(email), None) => {
                if !is_email_shaped(&email) {
                    return Err(ApiError::bad_request(format!(
                        "`recipient_email` must be an email address such as `sammy@example.com`; got `{email}`."
                    )));
                }
                Ok(Self::Email(email))
            }
            (None, Some(team)) => Ok(Self::Team(team)),
            (Some(_), Some(_)) => Err(ApiError::bad_request(
                "A transfer has exactly one recipient: give `recipient_email` or `recipient_uuid`, not both.",
            )),
            (None, None) => Err(ApiError::bad_request(
                "A transfer needs a recipient: `recipient_email` (an account) or `recipient_uuid` (a team).",
            )),
        }
    }
}

impl Acceptance {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let fields = object(body, ApiError::bad_request)?;
        let transfer_id = transfer_id(&fields)?;
        let team = optional_text(&fields, "recipient_uuid")?.ok_or_else(|| {
            ApiError::bad_request("`recipient_uuid`, the team that takes the image, is required.")
        })?;
        Ok(Self { transfer_id, team })
    }
}

/// The `transfer_id` of a cancel or decline body.
pub(crate) fn parse_transfer_id(body: &[u8]) -> Result<u64, ApiError> {
    transfer_id(&object(body, ApiError::bad_request)?)
}

/// A string field that, when present, is not empty.
fn optional_text(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::bad_request(format!(
            "`{name}` must be a non-empty string."
        ))),
    }
}

fn transfer_id(fields: &Map<String, Value>) -> Result<u64, ApiError> {
    fields
        .get("transfer_id")
        .and_then(Value::as_u64)
        .filter(|&id| id >= 1)
        .ok_or_else(|| ApiError::bad_request("`transfer_id` must be a positive integer."))
}

/// `local@domain` with both parts non-empty and no spaces: what a mail
/// system could deliver to, not a full RFC 5322 check.
fn is_email_shaped(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> (u16, String) {
        let error = result.unwrap_err();
        assert_eq!(error.id, "bad_request");
        (error.status.as_u16(), error.message)
    }

    #[test]
    fn a_start_has_exactly_one_recipient() {
        assert_eq!(
            Recipient::parse(br#"{"recipient_email":"a@b.example"}"#).unwrap(),
            Recipient::Email("a@b.example".into())
        );
        assert_eq!(
            Recipient::parse(br#"{"recipient_uuid":"t-1"}"#).unwrap(),
            Recipient::Team("t-1".into())
        );
        let both = br#"{"recipient_email":"a@b.example","recipient_uuid":"t-1"}"#;
        let (status, text) = message(Recipient::parse(both));
        assert_eq!(status, 400);
        assert!(text.contains("not both"), "{text}");
        assert!(
            message(Recipient::parse(b"{}"))
                .1
                .contains("needs a recipient")
        );
        assert!(
            message(Recipient::parse(br#"{"recipient_email":""}"#))
                .1
                .contains("non-empty")
        );
        assert!(
            message(Recipient::parse(br#"{"recipient_uuid":7}"#))
                .1
                .contains("non-empty")
        );
        assert!(
            message(Recipient::parse(br#"{"recipient_email":"sammy"}"#))
                .1
                .contains("email address")
        );
        assert!(message(Recipient::parse(b"[1]")).1.contains("JSON object"));
        assert!(message(Recipient::parse(b"{")).1.contains("not valid JSON"));
    }

    #[test]
    fn accept_needs_a_positive_id_and_a_team() {
        assert_eq!(
            Acceptance::parse(br#"{"transfer_id":4,"recipient_uuid":"t-1"}"#).unwrap(),
            Acceptance {
                transfer_id: 4,
                team: "t-1".into()
            }
        );
        assert!(
            message(Acceptance::parse(br#"{"transfer_id":4}"#))
                .1
                .contains("recipient_uuid")
        );
        for id in ["0", "-1", "\"4\"", "1.5"] {
            let body = format!(r#"{{"transfer_id":{id},"recipient_uuid":"t"}}"#);
            assert!(
                message(Acceptance::parse(body.as_bytes()))
                    .1
                    .contains("positive integer"),
                "{id}"
            );
        }
        assert_eq!(parse_transfer_id(br#"{"transfer_id":9}"#).unwrap(), 9);
        assert!(message(parse_transfer_id(b"{}")).1.contains("transfer_id"));
    }
}
