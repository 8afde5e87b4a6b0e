//! The one way in from the wire: an operation of the generated client is
//! built by its builder, sent once through the executor, and its answer's
//! body read once, into any `T: DeserializeOwned` the terminal call chose
//! (see the crate docs for the readings). The answer wrappers are generic
//! over it (`ImageEnvelope<T>`, `ImagesPage<T>`), so the object is read in
//! the same pass as the wrapper around it.

use std::any::Any;

use do_images_api::{ClientInfo, Operation, types};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result, excerpt, request_id_header};
use crate::executor::{Body, Exchange};
use crate::rate_limit::RateLimitStatus;
use do_images_redact::Redactor;

impl Client {
    /// Sends `operation`, any builder of the generated client (see
    /// [`api`](Self::api) for an example), through this client's executor,
    /// and decodes a successful answer into the type the spec gives it; a
    /// failure is this crate's [`Error`].
    pub async fn call<O>(&self, operation: O) -> Result<O::Success>
    where
        O: Operation,
        O::Success: DeserializeOwned,
    {
        self.call_as(operation).await
    }

    /// Like [`call`](Self::call), the successful answer read as `T`; one
    /// that does not fit is an [`Error::Decode`] naming the field's path.
    pub async fn call_as<T, O>(&self, operation: O) -> Result<T>
    where
        T: DeserializeOwned,
        O: Operation,
    {
        self.answer(operation).await?.decode()
    }

    /// Sends `operation` and returns its successful answer, unread; any
    /// other outcome is the [`Error`] it amounts to.
    pub(crate) async fn answer<O: Operation>(&self, operation: O) -> Result<Answer> {
        let redactor = self.redactor();
        let built = operation
            .build()
            .map_err(|error| Error::from_build(error).redacted(redactor))?;
        let exchange = self
            .executor()
            .run(self.api().client(), built.request, built.operation_id)
            .await
            .map_err(|failure| {
                Error::unreached(failure.source, failure.attempts).redacted(redactor)
            })?;
        Answer::from_exchange(exchange, redactor.clone())
    }
}

/// A successful answer: its body, read once, and the status and request id
/// every error found in it names.
#[derive(Debug)]
pub(crate) struct Answer {
    status: u16,
    /// The `x-request-id` header.
    request_id: Option<String>,
    body: Vec<u8>,
    redactor: Redactor,
}

impl Answer {
    /// The successful answer of `exchange`, or the error its status and
    /// body amount to.
    fn from_exchange(exchange: Exchange, redactor: Redactor) -> Result<Self> {
        let head = exchange.head;
        let status = head.status;
        let request_id =
            request_id_header(&head.headers).map(|id| redactor.redact(&id).into_owned());
        let body = match exchange.body {
            Body::Complete(body) => body,
            Body::TooLarge { limit } => {
                return Err(Error::BodyTooLarge {
                    limit,
                    status: status.as_u16(),
                    request_id,
                });
            }
        };
        let answer = Self {
            status: status.as_u16(),
            request_id,
            body,
            redactor,
        };
        if status.is_success() {
            return Ok(answer);
        }
        Err(if status.is_redirection() {
            Error::redirect(status.as_u16(), &head.headers)
        } else if status.is_client_error() || status.is_server_error() {
            answer.api_error(RateLimitStatus::from_headers(&head.headers))
        } else {
            Error::UnexpectedStatus {
                status: answer.status,
                request_id: answer.request_id,
            }
        }
        .redacted(&answer.redactor))
    }

    /// The body read as `T` (an empty body reads as JSON `null`, which is
    /// what `()` reads from); what does not fit is an [`Error::Decode`]
    /// naming the path of the field.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        self.decode_described(describe)
    }

    /// A page read as `T`, whose items start at position `first` of the
    /// listing: a bad item is named by its position and the field.
    pub(crate) fn decode_page<T: DeserializeOwned>(&self, first: u64) -> Result<T> {
        self.decode_described(|path, error| match item_of(path) {
            Some((index, field)) => format!(
                "item {} of the listing cannot be decoded: {}",
                first.saturating_add(index),
                describe(field, error)
            ),
            None => describe(path, error),
        })
    }

    fn decode_described<T: DeserializeOwned>(
        &self,
        reason: impl FnOnce(&str, &serde_json::Error) -> String,
    ) -> Result<T> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let at = |error: &serde_json::Error| offset_of(body, error.line(), error.column());
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            self.error(at(error.inner()), reason(&path, error.inner()))
        })?;
        deserializer
            .end()
            .map_err(|error| self.error(at(&error), error))?;
        Ok(value)
    }

    /// An [`Error::Decode`] about this answer: `reason`, and the part of
    /// the body around byte `at`, cut from text whose secrets are already
    /// removed, so that no part of one is shown.
    pub(crate) fn error(&self, at: usize, reason: impl std::fmt::Display) -> Error {
        let end = self.body.len().min(at.saturating_add(EXCERPT_SOURCE));
        let redact = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes);
            self.redactor.redact(&text).into_owned()
        };
        let shown = redact(&self.body[..end]);
        // Where `at` is once the secrets before it are removed.
        let at = redact(&self.body[..at.min(end)]).len().min(shown.len());
        let start = at.saturating_sub(EXCERPT_BEFORE);
        let start = (start..=at)
            .find(|&i| shown.is_char_boundary(i))
            .unwrap_or(at);
        Error::Decode {
            status: self.status,
            excerpt: excerpt(&shown.as_bytes()[start..]),
            reason: self.redactor.redact(&reason.to_string()).into_owned(),
            request_id: self.request_id.clone(),
        }
    }

    /// The API's error body as [`Error::Api`], or an [`Error::Decode`] when
    /// the body is not the documented error object.
    fn api_error(&self, rate_limit: Option<RateLimitStatus>) -> Error {
        match serde_json::from_slice::<types::Error>(&self.body) {
            Ok(body) => Error::Api {
                status: self.status,
                id: body.id,
                message: body.message,
                request_id: body.request_id.or(self.request_id.clone()),
                rate_limit,
            },
            Err(reason) => self.error(0, reason),
        }
    }
}

/// How much of a body after the point of a decoding error is searched for
/// secrets before the excerpt is cut: more than an excerpt shows, so that a
/// secret crossing its end is still found whole.
const EXCERPT_SOURCE: usize = 8 * 1024;

/// How many bytes before the point of a decoding error the excerpt starts.
const EXCERPT_BEFORE: usize = 80;

/// `error`, after the path of the field it is about (`.`: the whole value).
fn describe(path: &str, error: &serde_json::Error) -> String {
    match path {
        "." => error.to_string(),
        path => format!("field `{path}`: {error}"),
    }
}

/// The item index and the rest of the path when `path` points into a
/// page's list of items (`images[3].status`).
fn item_of(path: &str) -> Option<(u64, &str)> {
    let (items, rest) = path.split_once('[')?;
    if items.is_empty() {
        return None;
    }
    let (index, field) = rest.split_once(']')?;
    let field = field.strip_prefix('.').unwrap_or(".");
    Some((index.parse().ok()?, field))
}

/// The byte offset of a 1-based `line` and `column` in `body` (0 when
/// unknown).
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = body
        .split(|&byte| byte == b'\n')
        .take(line.saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    (line_start + column.saturating_sub(1)).min(body.len())
}

/// `model` when the caller asked for the model itself; otherwise `read`,
/// which reads the same answer as `T`. Waiters and started work decode the
/// model to learn the status and id, and decode again only for a caller
/// who wants another reading.
pub(crate) fn model_or<M: 'static, T: 'static, E>(
    model: M,
    read: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    match (Box::new(model) as Box<dyn Any>).downcast::<T>() {
        Ok(model) => Ok(*model),
        Err(_) => read(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use do_images_api::types::ImagesPage;

    fn answer(body: &str) -> Answer {
        Answer {
            status: 200,
            request_id: Some("r-1".into()),
            body: body.as_bytes().to_vec(),
            redactor: Redactor::new(),
        }
    }

    fn reason<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::Decode { reason, status, .. }) => {
                assert_eq!(status, 200);
                reason
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_error_names_the_item_the_field_or_the_page() {
        for (body, expected) in [
            (
                r#"{"images":[{"id":1}],"meta":{"total":1}}"#,
                "item 5 of the listing cannot be decoded: missing field",
            ),
            (
                r#"{"images":[],"meta":{"total":"many"}}"#,
                "field `meta.total`: ",
            ),
            (r#""text""#, "invalid type: string"),
            ("[1]", "field `[0]`: "),
        ] {
            let shown = reason(answer(body).decode_page::<ImagesPage>(5));
            assert!(shown.starts_with(expected), "{body}: {shown}");
        }
    }

    #[test]
    fn an_empty_body_reads_as_null_and_trailing_text_is_refused() {
        answer("").decode::<()>().unwrap();
        answer(" \n").decode::<()>().unwrap();
        let trailing = reason(answer("{} x").decode::<serde_json::Value>());
        assert!(trailing.starts_with("trailing characters"), "{trailing}");
    }

    #[test]
    fn offsets_count_lines_and_columns_from_one() {
        let body = b"ab\ncde\nfg";
        assert_eq!(offset_of(body, 1, 1), 0);
        assert_eq!(offset_of(body, 2, 3), 5);
        assert_eq!(offset_of(body, 3, 2), 8);
        assert_eq!(offset_of(body, 9, 9), body.len(), "never past the end");
        assert_eq!(item_of("images[3].status"), Some((3, "status")));
        assert_eq!(item_of("images[0]"), Some((0, ".")));
        assert_eq!(item_of("meta.total"), None);
    }
}
