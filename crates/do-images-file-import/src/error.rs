//! How an import fails, and what it left behind when it did.

use std::fmt;
use std::path::PathBuf;

use do_images::Redactor;

use crate::spaces::ObjectLocation;

/// Why an import failed. [`ImportError`] adds the image (when one was
/// created) and what is left in the bucket.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// An argument or the file was refused before anything was sent
    /// ([`do_images::Error::InvalidInput`]), or the Images API failed: the
    /// import, a wait (a failed import carries its `error_message`) or a
    /// transfer.
    #[error(transparent)]
    Api(#[from] do_images::Error),
    /// The file could not be read during the upload, or it changed size.
    #[error("cannot read {path:?} while uploading: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// The object store refused or could not be reached.
    #[error("Spaces {operation} failed: {}", shortened(source))]
    Storage {
        /// What was being done, such as `upload of part 3`.
        operation: String,
        /// The object store's error.
        #[source]
        source: object_store::Error,
    },
    /// The object key names an object that is already there, and the
    /// import never replaces one unless asked to (see
    /// [`replace_existing_object`](crate::ImportFile::replace_existing_object)):
    /// nothing was uploaded.
    #[error(
        "{0} already exists; an import never replaces an object it did not write: choose another object key"
    )]
    ObjectExists(ObjectLocation),
    /// The import was cancelled (see
    /// [`ImportFile::send_until`](crate::ImportFile::send_until)).
    #[error("cancelled")]
    Cancelled,
}

/// The longest store error shown, in characters: its answer's body may be
/// anything the server sent.
const SHOWN_STORE_ERROR: usize = 300;

/// `error`'s message, at most [`SHOWN_STORE_ERROR`] characters, with
/// control characters written as `\u{..}` escapes.
fn shortened(error: &object_store::Error) -> String {
    let text = error.to_string();
    let mut shown = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == SHOWN_STORE_ERROR {
            shown.push_str("...");
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// Something the import could not clean up, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeftBehind {
    /// A multipart upload that could not be aborted: its parts use storage
    /// until it is aborted.
    MultipartUpload {
        /// Where.
        location: ObjectLocation,
        /// The upload id, for an `AbortMultipartUpload`.
        upload_id: String,
        /// Why the abort failed.
        reason: String,
    },
    /// The uploaded object, still in the bucket.
    Object {
        /// Where.
        location: ObjectLocation,
        /// Why it is still there.
        reason: String,
    },
}

impl fmt::Display for LeftBehind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MultipartUpload {
                location,
                upload_id,
                reason,
            } => write!(
                f,
                "left behind: multipart upload {upload_id:?} of {location} ({reason}); abort it to free its parts"
            ),
            Self::Object { location, reason } => {
                write!(f, "left behind: object {location} ({reason})")
            }
        }
    }
}

/// A failed import: why, the image it created (if any), and what it left
/// in the bucket (if anything).
pub struct ImportError {
    // Boxed: the error travels through every step's `Result`.
    kind: Box<ImportErrorKind>,
    image_id: Option<u64>,
    left_behind: Option<Box<LeftBehind>>,
    /// The client's and the Spaces keys' secrets, removed from the message.
    redactor: Redactor,
    /// Whether the upload had begun: after it, no error is "nothing sent".
    after_sending: bool,
}

/// Like a derived `Debug`, through the redactor: the store's error inside
/// may quote what a server sent back.
impl fmt::Debug for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = format!("{:?}", self.kind);
        f.debug_struct("ImportError")
            .field("kind", &format_args!("{}", self.redactor.redact(&kind)))
            .field("image_id", &self.image_id)
            .field("left_behind", &self.left_behind)
            .finish()
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_unredacted(&mut text)?;
        f.write_str(&self.redactor.redact(&text))
    }
}

impl ImportError {
    fn write_unredacted(&self, f: &mut impl fmt::Write) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(id) = self.image_id
            && !matches!(
                *self.kind,
                ImportErrorKind::Api(do_images::Error::WaitFailed { .. })
            )
        {
            write!(f, " (image {id})")?;
        }
        if let Some(left) = &self.left_behind {
            write!(f, "; {left}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.kind)
    }
}

impl ImportError {
    pub(crate) fn new(kind: impl Into<ImportErrorKind>) -> Self {
        Self {
            kind: Box::new(kind.into()),
            image_id: None,
            left_behind: None,
            redactor: Redactor::new(),
            after_sending: false,
        }
    }

    /// This error, raised once the upload had begun.
    pub(crate) fn after_sending(mut self) -> Self {
        self.after_sending = true;
        self
    }

    /// This error, its message and its library error without the secrets
    /// `redactor` knows.
    pub(crate) fn redacted_with(mut self, redactor: Redactor) -> Self {
        if let ImportErrorKind::Api(error) = *self.kind {
            self.kind = Box::new(ImportErrorKind::Api(error.redacted(&redactor)));
        }
        self.redactor = redactor;
        self
    }

    /// What removes the secrets this import knew (the client's token, the
    /// Spaces keys) from text: the error's `Display` has been through it;
    /// pass the messages of its [`source`](std::error::Error::source) chain
    /// through it too before showing them.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    pub(crate) fn with_image(mut self, id: u64) -> Self {
        self.image_id = Some(id);
        self
    }

    pub(crate) fn with_left_behind(mut self, left: Option<LeftBehind>) -> Self {
        self.left_behind = left.map(Box::new);
        self
    }

    /// Why the import failed.
    pub fn kind(&self) -> &ImportErrorKind {
        &self.kind
    }

    /// The image the import created, when it got that far.
    pub fn image_id(&self) -> Option<u64> {
        self.image_id
    }

    /// What is still in the bucket, when cleanup failed or deleting the
    /// object would have failed an import still running.
    pub fn left_behind(&self) -> Option<&LeftBehind> {
        self.left_behind.as_deref()
    }

    /// Whether nothing was uploaded or sent: the input was refused before
    /// the upload began.
    pub fn is_invalid_input(&self) -> bool {
        !self.after_sending
            && matches!(
                *self.kind,
                ImportErrorKind::Api(
                    do_images::Error::InvalidInput { .. } | do_images::Error::Config(_)
                )
            )
    }
}

impl From<do_images::Error> for ImportError {
    fn from(error: do_images::Error) -> Self {
        Self::new(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location() -> ObjectLocation {
        ObjectLocation {
            endpoint: "https://fra1.digitaloceanspaces.com".into(),
            bucket: "images".into(),
            key: "do-images-import/x.qcow2".into(),
        }
    }

    #[test]
    fn a_storage_error_is_shortened_and_its_controls_escaped() {
        let body = format!("<Error>\u{1b}]52;c;{}</Error>", "x".repeat(5000));
        let error = ImportError::new(ImportErrorKind::Storage {
            operation: "upload of part 1".into(),
            source: object_store::Error::Generic {
                store: "S3",
                source: body.into(),
            },
        });
        let shown = error.to_string();
        assert!(
            shown.starts_with("Spaces upload of part 1 failed: "),
            "{shown}"
        );
        assert!(shown.chars().count() < 500, "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(shown.contains("\\u{1b}]52"), "{shown}");
    }

    #[test]
    fn a_key_the_store_echoes_is_in_neither_display_nor_debug() {
        let secret = "sEcReT/spaces+key0123";
        let echoed = format!(
            "<Error>SignatureDoesNotMatch for {secret} at \
             https://b.example/k?X-Amz-Signature=feed</Error>"
        );
        let error = ImportError::new(ImportErrorKind::Storage {
            operation: "upload of part 1".into(),
            source: object_store::Error::Generic {
                store: "S3",
                source: echoed.into(),
            },
        })
        .redacted_with(Redactor::new().with_secret(secret));
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("sEcReT"), "{shown}");
            assert!(!shown.contains("feed"), "{shown}");
            assert!(shown.contains("SignatureDoesNotMatch for ***"), "{shown}");
        }
    }

    #[test]
    fn what_is_left_behind_is_named_with_its_place() {
        let error = ImportError::new(ImportErrorKind::Cancelled).with_left_behind(Some(
            LeftBehind::MultipartUpload {
                location: location(),
                upload_id: "up-42".into(),
                reason: "the abort failed: 503".into(),
            },
        ));
        assert_eq!(
            error.to_string(),
            "cancelled; left behind: multipart upload \"up-42\" of \
             s3://images/do-images-import/x.qcow2 at https://fra1.digitaloceanspaces.com \
             (the abort failed: 503); abort it to free its parts"
        );
        let kept = ImportError::new(ImportErrorKind::Cancelled)
            .with_image(7)
            .with_left_behind(Some(LeftBehind::Object {
                location: location(),
                reason: "deleting it failed: 403".into(),
            }));
        assert_eq!(
            kept.to_string(),
            "cancelled (image 7); left behind: object s3://images/do-images-import/x.qcow2 at \
             https://fra1.digitaloceanspaces.com (deleting it failed: 403)"
        );
        assert_eq!(kept.image_id(), Some(7));
    }
}
