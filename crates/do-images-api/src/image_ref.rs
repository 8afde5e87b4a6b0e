//! An image's numeric id or a public image's slug.

use std::fmt;
use std::str::FromStr;

/// What `GET /v2/images/{image_id}` takes: a numeric id (any image) or a
/// slug (public images only).
///
/// Integers convert into [`ImageRef::Id`] and strings into
/// [`ImageRef::Slug`], so builders take both: `.image_id(7555620)` and
/// `.image_id("ubuntu-20-04-x64")`. Parsing a string of digits gives an id.
///
/// # One path segment, always
///
/// An `ImageRef` becomes exactly one segment of the request path, so that
/// no value can send a request anywhere but `/v2/images/{it}` (and the
/// action paths under it). Values that no encoding can keep in one segment
/// are *refused* when the `ImageRef` is made, before anything is sent: the
/// empty string, `.` and `..` (URL parsers resolve them, and their
/// percent-encoded forms, as dot segments), `/` and `\` (URL parsers take
/// both as separators), `%` (so that no slug carries an escape such as
/// `%2e` that a server or proxy may decode), white space and control
/// characters. Every other character outside RFC 3986's unreserved set
/// (`A-Z a-z 0-9 - . _ ~`) is *percent-encoded* when the request is built
/// (`;`, `=`, `?`, `#`, non-ASCII letters...), so that no server or proxy
/// reads path parameters or delimiters into it, and the server decodes the
/// segment back to the value given. A [`Slug`] can only be made through
/// these checks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImageRef {
    /// A numeric image id.
    Id(u64),
    /// The slug of a public image, such as `ubuntu-20-04-x64`.
    Slug(Slug),
}

/// A public image's slug, such as `ubuntu-20-04-x64`: a string that stays
/// one URL path segment (see [`ImageRef`] for what is refused and why).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// The slug as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Slug {
    type Err = ImageRefError;

    /// Refuses what cannot stay one path segment; the error names the value,
    /// escaped.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let problem = if value.is_empty() {
            Some("an image id or slug must not be empty")
        } else if value == "." || value == ".." {
            Some("`.` and `..` are path steps, not slugs")
        } else if value.contains(['/', '\\']) {
            Some("a slug has no `/` or `\\`")
        } else if value.contains('%') {
            Some("a slug has no `%`")
        } else if value.contains(|c: char| c.is_whitespace() || c.is_control()) {
            Some("a slug has no white space or control characters")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(ImageRefError(format!(
                "{value:?} is neither an image id (digits) nor a slug: {problem}"
            ))),
            None => Ok(Self(value.to_string())),
        }
    }
}

/// Why a value cannot name an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRefError(String);

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImageRefError {}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Slug(slug) => slug.fmt(f),
        }
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    /// Digits give an id (which must be at least 1); anything else gives a
    /// [`Slug`], or the reason it cannot be one.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return match value.parse::<u64>() {
                Ok(0) => Err(ImageRefError(format!(
                    "image id {value:?} must be at least 1"
                ))),
                Ok(id) => Ok(Self::Id(id)),
                Err(_) => Err(ImageRefError(format!(
                    "image id {value:?} does not fit in 64 bits"
                ))),
            };
        }
        value.parse().map(Self::Slug)
    }
}

macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl TryFrom<$t> for ImageRef {
            type Error = ImageRefError;
            fn try_from(id: $t) -> Result<Self, Self::Error> {
                match u64::from(id) {
                    0 => Err(ImageRefError("an image id must be at least 1".into())),
                    id => Ok(Self::Id(id)),
                }
            }
        }
    )*};
}

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl TryFrom<$t> for ImageRef {
            type Error = ImageRefError;
            fn try_from(id: $t) -> Result<Self, Self::Error> {
                match u64::try_from(id) {
                    Ok(id) if id >= 1 => Ok(Self::Id(id)),
                    _ => Err(ImageRefError(format!("image id {id} is not a positive number"))),
                }
            }
        }
    )*};
}

from_unsigned!(u32, u64);
from_signed!(i32, i64);

impl TryFrom<&str> for ImageRef {
    type Error = ImageRefError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl TryFrom<String> for ImageRef {
    type Error = ImageRefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl TryFrom<&String> for ImageRef {
    type Error = ImageRefError;
    fn try_from(value: &String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_slugs_convert() {
        assert_eq!(ImageRef::try_from(7555620).unwrap(), ImageRef::Id(7555620));
        assert_eq!(
            ImageRef::try_from(5_000_000_000u64).unwrap(),
            ImageRef::Id(5_000_000_000)
        );
        assert_eq!(
            ImageRef::try_from("ubuntu-20-04-x64").unwrap(),
            ImageRef::Slug("ubuntu-20-04-x64".parse().unwrap())
        );
        assert_eq!("42".parse::<ImageRef>().unwrap(), ImageRef::Id(42));
        assert_eq!(ImageRef::Id(42).to_string(), "42");
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        assert!(
            ImageRef::try_from(0u64)
                .unwrap_err()
                .to_string()
                .contains("at least 1")
        );
        assert!(
            ImageRef::try_from(-3i64)
                .unwrap_err()
                .to_string()
                .contains("-3")
        );
        assert!(
            ImageRef::try_from("")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            ImageRef::try_from("a/b")
                .unwrap_err()
                .to_string()
                .contains("a/b")
        );
        assert!(
            "99999999999999999999"
                .parse::<ImageRef>()
                .unwrap_err()
                .to_string()
                .contains("64 bits")
        );
    }

    #[test]
    fn what_cannot_stay_one_path_segment_is_refused_and_named() {
        for value in [
            ".",
            "..",
            "..\\account",
            "a\\b",
            "%2e%2e",
            "a b",
            "a\tb",
            "x\u{9b}",
        ] {
            let error = value.parse::<ImageRef>().unwrap_err().to_string();
            assert!(error.contains(&format!("{value:?}")), "{error}");
        }
        for value in ["ubuntu-20-04-x64", "...", "a.b", "\u{e9}t\u{e9}", "a?b#c"] {
            assert_eq!(value.parse::<ImageRef>().unwrap().to_string(), value);
        }
    }
}
