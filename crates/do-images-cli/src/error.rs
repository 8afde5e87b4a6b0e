//! doimg's errors: one line for the user and an exit code.

use do_images_file_import::ImportErrorKind;

use crate::exit_code;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad flags or input; nothing was sent.
    Usage(String),
    /// No token, or the token was refused.
    Auth(String),
    /// Something does not exist.
    NotFound(String),
    /// What the library reported.
    Library(do_images::Error),
    /// Writing the output failed.
    Output(std::io::Error),
    /// Ctrl-C while waiting; the work goes on server-side.
    Interrupted(String),
    /// The sandbox (`doimg sandbox`, `--sandbox`) did not start.
    #[cfg(feature = "sandbox")]
    Sandbox(do_images_sandbox::SandboxError),
    /// `images create --file` failed; the error says what is left where.
    FileImport(do_images_file_import::ImportError),
    /// A signal (SIGTERM, SIGHUP, Ctrl-C) stopped the command; `error`
    /// says what it did and what is left, the exit code is the signal's.
    Signalled {
        /// What the command reports.
        error: Box<CliError>,
        /// 128 plus the signal's number.
        exit_code: u8,
    },
    /// `error` came after a request that may have changed something was
    /// sent: its exit code is never 2 ("nothing was sent"), an API error
    /// (1) instead.
    AfterChanges(Box<CliError>),
    /// Some of several operations failed; each failure was already printed
    /// on its own line. The exit code is the first failure's.
    Several {
        /// A summary, such as `2 of 5 deletions failed`.
        message: String,
        /// The exit code of the first failure.
        exit_code: u8,
    },
}

impl CliError {
    /// The process exit code (see [`exit_code`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => exit_code::USAGE,
            Self::Auth(_) => exit_code::AUTH,
            Self::NotFound(_) => exit_code::NOT_FOUND,
            Self::Output(_) => exit_code::API_ERROR,
            #[cfg(feature = "sandbox")]
            Self::Sandbox(_) => exit_code::API_ERROR,
            Self::Interrupted(_) => exit_code::INTERRUPTED,
            Self::Library(error) => library_exit_code(error),
            Self::FileImport(error) => match error.kind() {
                // Refused input is "nothing sent" only before the upload.
                ImportErrorKind::Api(inner) => match library_exit_code(inner) {
                    exit_code::USAGE if !error.is_invalid_input() => exit_code::API_ERROR,
                    code => code,
                },
                ImportErrorKind::Cancelled => exit_code::INTERRUPTED,
                _ => exit_code::API_ERROR,
            },
            Self::Several { exit_code, .. } | Self::Signalled { exit_code, .. } => *exit_code,
            Self::AfterChanges(error) => match error.exit_code() {
                exit_code::USAGE => exit_code::API_ERROR,
                other => other,
            },
        }
    }

    /// This error, known to come after a request that may have changed
    /// something was sent (a later step of a command that sent one): its
    /// exit code is never 2 ("nothing was sent").
    pub fn after_changes(self) -> Self {
        match self {
            Self::AfterChanges(_) => self,
            error => Self::AfterChanges(Box::new(error)),
        }
    }

    /// The output's reader went away (a closed pipe): doimg stops quietly
    /// with [`exit_code::CLOSED_PIPE`].
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Self::Output(error) if error.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The one-line message, without the `Error: ` prefix.
    pub fn message(&self) -> String {
        match self {
            Self::Usage(m)
            | Self::Auth(m)
            | Self::NotFound(m)
            | Self::Interrupted(m)
            | Self::Several { message: m, .. } => m.clone(),
            Self::Output(e) => format!("cannot write the output: {e}"),
            #[cfg(feature = "sandbox")]
            Self::Sandbox(e) => format!("the sandbox did not start: {e}"),
            Self::Library(error) => library_message(error),
            Self::FileImport(error) => file_import_message(error),
            Self::Signalled { error, .. } | Self::AfterChanges(error) => error.message(),
        }
    }
}

fn library_exit_code(error: &do_images::Error) -> u8 {
    use do_images::Error;
    match error {
        Error::Api {
            status: 401 | 403, ..
        } => exit_code::AUTH,
        Error::Api { status: 404, .. } => exit_code::NOT_FOUND,
        Error::InvalidInput { .. } | Error::Config(_) => exit_code::USAGE,
        Error::WaitFailed { .. } | Error::WaitTimedOut { .. } => exit_code::WAIT_FAILED,
        _ => exit_code::API_ERROR,
    }
}

/// API errors read `<message> (<id>, request <request_id>); <hint>`, the
/// hint being the library's; the rest use the library's own wording
/// followed by each cause of its source chain (such as `connection
/// refused`, a DNS failure, a certificate problem).
fn library_message(error: &do_images::Error) -> String {
    match error {
        do_images::Error::Api {
            id,
            message,
            request_id,
            ..
        } => {
            let request = request_id
                .as_deref()
                .map(|r| format!(", request {r}"))
                .unwrap_or_default();
            let hint = error
                .hint()
                .map(|hint| format!("; {hint}"))
                .unwrap_or_default();
            format!("{message} ({id}{request}){hint}")
        }
        other => with_causes(other),
    }
}

/// The import's error with its causes, and what Ctrl-C did.
fn file_import_message(error: &do_images_file_import::ImportError) -> String {
    let text = error.redactor().redact(&with_causes(error)).into_owned();
    match (error.kind(), error.left_behind()) {
        (ImportErrorKind::Cancelled, None) => {
            format!("interrupted: {text}; nothing is left in the bucket")
        }
        (ImportErrorKind::Cancelled, Some(_)) => format!("interrupted: {text}"),
        _ => text,
    }
}

/// `error`'s message, then `: <cause>` for each source in turn; a cause
/// already quoted by the message before it is not repeated.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

impl From<do_images::Error> for CliError {
    fn from(error: do_images::Error) -> Self {
        Self::Library(error)
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::Output(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_read_message_id_and_request() {
        let error = CliError::from(do_images::Error::Api {
            status: 404,
            id: "not_found".into(),
            message: "The resource you requested could not be found.".into(),
            request_id: Some("abc-123".into()),
            rate_limit: None,
        });
        assert_eq!(
            error.message(),
            "The resource you requested could not be found. (not_found, request abc-123)"
        );
        assert_eq!(error.exit_code(), exit_code::NOT_FOUND);
    }

    #[test]
    fn causes_follow_the_message_each_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let refused = Layer("Connection refused (os error 111)", None);
        let connect = Layer("tcp connect error", Some(Box::new(refused)));
        let top = Layer("sending: tcp connect error", Some(Box::new(connect)));
        assert_eq!(
            with_causes(&top),
            "sending: tcp connect error: Connection refused (os error 111)"
        );
    }

    #[test]
    fn exit_codes_follow_the_kind_of_failure() {
        let api = |status| do_images::Error::Api {
            status,
            id: "x".into(),
            message: "m".into(),
            request_id: None,
            rate_limit: None,
        };
        assert_eq!(CliError::from(api(401)).exit_code(), exit_code::AUTH);
        assert_eq!(CliError::from(api(500)).exit_code(), exit_code::API_ERROR);
        let failed = do_images::Error::WaitFailed {
            resource: "image",
            id: 1,
            status: "deleted".into(),
            error_message: Some("bad format".into()),
        };
        let failed = CliError::from(failed);
        assert_eq!(failed.exit_code(), exit_code::WAIT_FAILED);
        assert!(failed.message().contains("bad format"));
        assert_eq!(CliError::Usage("u".into()).exit_code(), exit_code::USAGE);
    }

    #[test]
    fn an_error_after_changes_is_never_a_usage_error() {
        let usage = CliError::Usage("u".into()).after_changes();
        assert_eq!(usage.exit_code(), exit_code::API_ERROR);
        assert_eq!(usage.message(), "u");
        let twice = CliError::Usage("u".into()).after_changes().after_changes();
        assert!(
            matches!(twice, CliError::AfterChanges(ref inner) if matches!(**inner, CliError::Usage(_)))
        );
        let not_found = CliError::NotFound("n".into()).after_changes();
        assert_eq!(not_found.exit_code(), exit_code::NOT_FOUND);
    }
}
