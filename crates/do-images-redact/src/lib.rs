//! The one place in do-images that removes secrets from text before it is
//! shown: the library, its file import and `doimg` pass every text from the
//! API or a store through a [`Redactor`] before it becomes part of an
//! error, a log line or output. The library re-exports it as
//! `do_images::Redactor`.
//!
//! What is removed:
//! - the secrets this process knows (the access token, Spaces keys), as
//!   sent and percent-encoded, wherever a server echoes them;
//! - the query of any URL that carries a presigned-URL parameter
//!   (`X-Amz-Credential`, `X-Amz-Signature`, `X-Amz-Security-Token`): such a
//!   URL fetches a private object until it expires;
//! - the user information (`user:password@`) of any URL.
#![deny(missing_docs)]

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What replaces a removed secret.
pub const REDACTED: &str = "***";

/// Known secrets shorter than this are not searched for: so short a string
/// is no credential, and replacing it everywhere would garble messages.
const MIN_SECRET_LEN: usize = 8;

/// Every byte outside RFC 3986's unreserved set: what is percent-encoded
/// when a URL or form body carries a secret.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Query parameters that make a URL a credential (lower case).
const PRESIGNED_PARAMETERS: [&str; 3] = [
    "x-amz-credential",
    "x-amz-signature",
    "x-amz-security-token",
];

/// Removes this process's secrets, presigned queries and URL passwords
/// from text. Cheap to clone; `Debug` shows how many secrets it knows,
/// never them.
///
/// ```
/// let redactor = do_images_redact::Redactor::new().with_secret("dop_v1_0123456789");
/// let echoed = "bad header Authorization: Bearer dop_v1_0123456789 \
///     fetching https://b.example/k?X-Amz-Signature=abc&X-Amz-Expires=60";
/// assert_eq!(
///     redactor.redact(echoed),
///     "bad header Authorization: Bearer *** fetching https://b.example/k?***"
/// );
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    /// Each secret in every form it is searched in, longest first.
    known: Arc<[String]>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms of secrets)", self.known.len())
    }
}

impl Redactor {
    /// A redactor that knows no secret yet: it removes presigned queries and
    /// URL passwords only.
    pub fn new() -> Self {
        Self::default()
    }

    /// This redactor, also removing `secret` (as sent, and percent-encoded).
    /// A secret shorter than 8 characters is ignored.
    #[must_use]
    pub fn with_secret(self, secret: impl AsRef<str>) -> Self {
        let secret = secret.as_ref().trim();
        if secret.len() < MIN_SECRET_LEN {
            return self;
        }
        let encoded = utf8_percent_encode(secret, NOT_UNRESERVED).to_string();
        self.with_forms([secret.to_string(), encoded])
    }

    /// This redactor, also knowing every secret `other` knows.
    #[must_use]
    pub fn merged(self, other: &Redactor) -> Self {
        self.with_forms(other.known.iter().cloned())
    }

    fn with_forms(self, forms: impl IntoIterator<Item = String>) -> Self {
        let mut known = self.known.to_vec();
        for form in forms {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        known.sort_by_key(|form| std::cmp::Reverse(form.len()));
        Self {
            known: known.into(),
        }
    }

    /// `text` without the secrets, presigned queries and URL passwords;
    /// borrowed when there was nothing to remove.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for form in self.known.iter() {
            if text.contains(form.as_str()) {
                text = Cow::Owned(text.replace(form.as_str(), REDACTED));
            }
        }
        match redact_patterns(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => Cow::Owned(redacted),
        }
    }

    /// [`redact`](Self::redact) for an optional text.
    pub fn redact_option(&self, text: Option<String>) -> Option<String> {
        text.map(|text| self.redact(&text).into_owned())
    }
}

/// `text` without presigned queries and URL passwords (the secrets no
/// process needs to know to recognise); borrowed when it has neither.
pub fn redact_patterns(text: &str) -> Cow<'_, str> {
    let may_hold_one = text.contains("://")
        || text
            .as_bytes()
            .windows(6)
            .any(|window| window.eq_ignore_ascii_case(b"x-amz-"));
    if !may_hold_one {
        return Cow::Borrowed(text);
    }
    let out: String = text
        .split_inclusive(is_delimiter)
        .map(|piece| {
            let word = piece.strip_suffix(is_delimiter).unwrap_or(piece);
            redact_word(word) + &piece[word.len()..]
        })
        .collect();
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// What ends a URL in running text, in JSON, or in Rust's `Debug`: never
/// part of a query a signer produces. Cutting more than the URL only
/// removes more.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '<' | '>' | '`')
}

fn redact_word(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let word = match PRESIGNED_PARAMETERS
        .iter()
        .filter_map(|name| lower.find(name))
        .min()
    {
        // The whole query goes: its other parameters say whose object and
        // until when, and some signers put the signature first.
        Some(at) => match word[..at].rfind('?') {
            Some(query) => format!("{}?{REDACTED}", &word[..query]),
            None => format!("{}{REDACTED}", &word[..at]),
        },
        None => word.to_string(),
    };
    without_userinfo(&word)
}

/// `word` with the `user:password@` of each URL in it replaced.
fn without_userinfo(word: &str) -> String {
    let mut parts = word.split("://");
    let mut out = parts.next().unwrap_or_default().to_string();
    for after in parts {
        let authority = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
        out.push_str("://");
        match authority.rfind('@') {
            Some(at) => out.push_str(&format!("{REDACTED}{}", &after[at..])),
            None => out.push_str(after),
        }
    }
    out
}

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_go_as_sent_and_percent_encoded() {
        let redactor = Redactor::new()
            .with_secret("dop_v1_abcdef0123")
            .with_secret("s3cr3t/key+with=signs");
        assert_eq!(
            redactor.redact("echo: Bearer dop_v1_abcdef0123 and s3cr3t%2Fkey%2Bwith%3Dsigns"),
            "echo: Bearer *** and ***"
        );
        assert_eq!(redactor.redact("s3cr3t/key+with=signs!"), "***!");
        assert_eq!(format!("{redactor:?}"), "Redactor(3 forms of secrets)");
        // Too short to be a credential: left alone.
        assert_eq!(Redactor::new().with_secret("abc").redact("abc"), "abc");
    }

    #[test]
    fn presigned_queries_go_whole_url_passwords_go_and_the_rest_stays() {
        let url = "https://b.nyc3.digitaloceanspaces.com/disk.img?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                   &X-Amz-Credential=AKIA%2F20261207&X-Amz-Signature=0f0f#frag";
        let shown = "https://b.nyc3.digitaloceanspaces.com/disk.img?***";
        let check = |text: &str, expected: &str| assert_eq!(redact_patterns(text), expected);
        check(url, shown);
        check(
            &format!("fetching \"{url}\": 403"),
            &format!("fetching \"{shown}\": 403"),
        );
        check(
            &format!("{:?}", format!("url={url}")),
            &format!("\"url={shown}\""),
        );
        check("x-amz-security-token=abc&y=1 rest", "*** rest");
        check("https://h/p?x-amz-signature=1", "https://h/p?***");
        check(
            r#""http://me:hunter22@127.0.0.1:8/v2?x=1""#,
            r#""http://***@127.0.0.1:8/v2?x=1""#,
        );
        check(
            "https://a:b@x/ and https://y/?q=a@b",
            "https://***@x/ and https://y/?q=a@b",
        );
        for unchanged in ["plain https://h/p?page=2 text", "mail me@example.com"] {
            check(unchanged, unchanged);
        }
    }
}
