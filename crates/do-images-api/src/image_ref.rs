//! An image's numeric id or a public image's slug.

use std::fmt;
use std::str::FromStr;

/// What `GET /v2/images/{image_id}` takes: a numeric id (any image) or a
/// slug (public images only).
///
/// Integers convert into [`ImageRef::Id`] and strings into
/// [`ImageRef::Slug`], so builders take both: `.image_id(7555620)` and
/// `.image_id("ubuntu-20-04-x64")`. Parsing a string of digits gives an id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImageRef {
    /// A numeric image id.
    Id(u64),
    /// The slug of a public image, such as `ubuntu-20-04-x64`.
    Slug(String),
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
            Self::Slug(slug) => f.write_str(slug),
        }
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    /// Digits give an id (which must be at least 1); anything else that is
    /// not empty and has no `/` or white space gives a slug.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return match value.parse::<u64>() {
                Ok(0) => Err(ImageRefError("an image id must be at least 1".into())),
                Ok(id) => Ok(Self::Id(id)),
                Err(_) => Err(ImageRefError(format!(
                    "image id `{value}` does not fit in 64 bits"
                ))),
            };
        }
        if value.is_empty() {
            return Err(ImageRefError(
                "an image id or slug must not be empty".into(),
            ));
        }
        if value.contains(|c: char| c == '/' || c.is_whitespace()) {
            return Err(ImageRefError(format!(
                "`{value}` is neither an image id (digits) nor a slug (no `/` or spaces)"
            )));
        }
        Ok(Self::Slug(value.to_string()))
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
            ImageRef::Slug("ubuntu-20-04-x64".into())
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
}
