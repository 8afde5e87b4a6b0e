//! What the Spaces store was asked, for tests to assert on (a part retried,
//! an upload aborted).

use http::{Method, Uri};

/// The S3 operation a request to the store is, told from its method and
/// query the way S3 tells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreOperation {
    /// `POST /{bucket}/{key}?uploads`.
    CreateMultipartUpload,
    /// `PUT /{bucket}/{key}?partNumber=N&uploadId=U`.
    UploadPart,
    /// `POST /{bucket}/{key}?uploadId=U`.
    CompleteMultipartUpload,
    /// `DELETE /{bucket}/{key}?uploadId=U`.
    AbortMultipartUpload,
    /// `GET /{bucket}/{key}?uploadId=U` or `GET /{bucket}?uploads`.
    ListMultipart,
    /// `PUT /{bucket}/{key}`.
    PutObject,
    /// `GET /{bucket}/{key}`.
    GetObject,
    /// `HEAD /{bucket}/{key}`.
    HeadObject,
    /// `DELETE /{bucket}/{key}`.
    DeleteObject,
    /// Anything on a bucket or the service itself (list, head, create).
    Bucket,
}

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreOutcome {
    /// Answered with this HTTP status.
    Answered(u16),
    /// Cut off half-way through its body by an injected fault: the
    /// connection was closed without an answer.
    Cut,
    /// Acted on by the store, which answered with this HTTP status, but the
    /// answer was cut by an injected fault: the connection was closed
    /// before it was sent.
    AnswerCut(u16),
    /// Held without an answer by an injected fault, for as long as the
    /// store runs (logged when it arrives).
    Held,
}

/// One request the store received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreRequest {
    /// The HTTP method.
    pub method: String,
    /// The S3 operation.
    pub operation: StoreOperation,
    /// The object key (percent-decoded), empty for bucket operations.
    pub key: String,
    /// `partNumber` of an `UploadPart`.
    pub part_number: Option<u32>,
    /// What became of it.
    pub outcome: StoreOutcome,
}

impl crate::bounded_log::LogEntry for StoreRequest {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.method.len() + self.key.len()
    }
}

/// The operation, key and part number of a request to `uri` on a path-style
/// store.
pub(crate) fn classify(method: &Method, uri: &Uri) -> (StoreOperation, String, Option<u32>) {
    let path = uri.path().trim_start_matches('/');
    let key = path
        .split_once('/')
        .map(|(_, key)| percent_decode(key))
        .unwrap_or_default();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let has = |name: &str| query.iter().any(|(n, _)| n == name);
    let part_number = query
        .iter()
        .find(|(n, _)| n == "partNumber")
        .and_then(|(_, v)| v.parse().ok());
    let operation = if key.is_empty() {
        StoreOperation::Bucket
    } else {
        match *method {
            Method::PUT if has("uploadId") => StoreOperation::UploadPart,
            Method::PUT => StoreOperation::PutObject,
            Method::POST if has("uploads") => StoreOperation::CreateMultipartUpload,
            Method::POST => StoreOperation::CompleteMultipartUpload,
            Method::DELETE if has("uploadId") => StoreOperation::AbortMultipartUpload,
            Method::DELETE => StoreOperation::DeleteObject,
            Method::GET if has("uploadId") => StoreOperation::ListMultipart,
            Method::HEAD => StoreOperation::HeadObject,
            _ => StoreOperation::GetObject,
        }
    };
    let operation = match operation {
        StoreOperation::Bucket if *method == Method::GET && has("uploads") => {
            StoreOperation::ListMultipart
        }
        other => other,
    };
    (operation, key, part_number)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `key` holds a `.` or `..` segment (split at `/` or `\`): the
/// file system behind the store would resolve it, out of the bucket's
/// folder. The API's Spaces has no such keys in practice; the sandbox
/// refuses them.
pub(crate) fn has_dot_segment(key: &str) -> bool {
    key.split(['/', '\\'])
        .any(|segment| segment == "." || segment == "..")
}

/// Whether an `x-amz-copy-source` value (`[/]bucket/key[?versionId=v]`,
/// percent-encoded) names a key with a `.` or `..` segment: a copy reads
/// from the file system as an upload writes to it.
pub(crate) fn copy_source_has_dot_segment(source: &str) -> bool {
    let path = source.split_once('?').map_or(source, |(path, _)| path);
    has_dot_segment(&percent_decode(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: Method, uri: &str) -> (StoreOperation, String, Option<u32>) {
        classify(&method, &uri.parse().expect("a valid URI"))
    }

    #[test]
    fn tells_multipart_operations_apart() {
        assert_eq!(
            of(Method::PUT, "/b/disk%20one.qcow2?partNumber=3&uploadId=u"),
            (StoreOperation::UploadPart, "disk one.qcow2".into(), Some(3))
        );
        assert_eq!(
            of(Method::POST, "/b/a/b+c?uploads").0,
            StoreOperation::CreateMultipartUpload
        );
        assert_eq!(of(Method::POST, "/b/a/b+c?uploads").1, "a/b+c");
        assert_eq!(of(Method::PUT, "/b/a&b=c").1, "a&b=c");
        assert_eq!(
            of(Method::POST, "/b/k?uploadId=u").0,
            StoreOperation::CompleteMultipartUpload
        );
        assert_eq!(
            of(Method::DELETE, "/b/k?uploadId=u").0,
            StoreOperation::AbortMultipartUpload
        );
        assert_eq!(
            of(Method::GET, "/b?uploads").0,
            StoreOperation::ListMultipart
        );
        assert_eq!(of(Method::GET, "/b?list-type=2").0, StoreOperation::Bucket);
        assert_eq!(of(Method::PUT, "/b/k").0, StoreOperation::PutObject);
        assert_eq!(of(Method::GET, "/b/k").0, StoreOperation::GetObject);
    }

    #[test]
    fn dot_segments_are_found_at_either_slash() {
        for key in ["..", "../x", "a/../../x", "a\\..\\x", "./x", "a/."] {
            assert!(has_dot_segment(key), "{key}");
        }
        for key in ["a..b", "...", ".hidden", "a/b.c", "x"] {
            assert!(!has_dot_segment(key), "{key}");
        }
        assert!(copy_source_has_dot_segment("/b/%2E%2E/x"));
        assert!(copy_source_has_dot_segment("b/a/../../x?versionId=1"));
        assert!(!copy_source_has_dot_segment("/b/a.b?versionId=.."));
    }
}
