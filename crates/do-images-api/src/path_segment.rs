//! Path parameters as exactly one path segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one path segment: every character outside RFC 3986's
/// unreserved set is percent-encoded, so no sub-delimiter (`;`, `=`, `,`,
/// ...) or gen-delimiter (`/`, `?`, `#`, `:`, `@`, `[`, `]`) reaches the
/// server raw, and the server decodes the segment back to `value`. The
/// generated client calls it for every path parameter (see
/// `xtask/src/path_segments.rs`).
pub(crate) fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_raw() {
        assert_eq!(
            encode_path_segment("ubuntu-24.04_x64~1"),
            "ubuntu-24.04_x64~1"
        );
        assert_eq!(encode_path_segment("..;"), "..%3B");
        assert_eq!(
            encode_path_segment(";=,!$&'()*+:@[]/?#%"),
            "%3B%3D%2C%21%24%26%27%28%29%2A%2B%3A%40%5B%5D%2F%3F%23%25"
        );
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }
}
