//! The access token, kept out of every `Debug` and `Display`.

use std::fmt;

/// A DigitalOcean access token. `Debug` and `Display` print `***`, so the
/// token cannot leak through logs, panics or error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps `token`, trimming surrounding white space (a token pasted from a
    /// file often ends with a newline).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_string())
    }

    /// The token itself, for the `Authorization` header and the client's
    /// redactor.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<S: Into<String>> From<S> for Token {
    fn from(value: S) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_token() {
        let token = Token::new(" dop_v1_secret\n");
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(token.to_string(), "***");
        assert_eq!(token.expose(), "dop_v1_secret");
    }
}
