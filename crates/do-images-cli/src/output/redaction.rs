//! The secrets this process knows, removed from everything doimg shows:
//! every message, table cell, JSON item and log line passes through
//! [`redact`] (called by [`super::escape::for_terminal`] and the JSON
//! writer), so a server that echoes the token, a Spaces key, a presigned
//! URL or a URL's password gets none of them printed.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use do_images::Redactor;

fn current() -> &'static Mutex<Redactor> {
    static REDACTOR: OnceLock<Mutex<Redactor>> = OnceLock::new();
    REDACTOR.get_or_init(|| Mutex::new(Redactor::new()))
}

/// Adds the secrets `redactor` knows (a client's token, the Spaces keys)
/// to those removed from all output from now on.
pub fn know(redactor: &Redactor) {
    let mut known = current()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *known = known.clone().merged(redactor);
}

/// `text` without the known secrets, presigned queries and URL passwords.
pub fn redact(text: &str) -> Cow<'_, str> {
    let redactor = current()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    match redactor.redact(text) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(redacted) => Cow::Owned(redacted),
    }
}
