//! Input checked before any request is sent.

/// A region slug: lower-case letters then digits, such as `nyc3` or `atl1`.
/// Returns a warning when the region is well-formed but not one the spec
/// lists (`RegionSlug::KNOWN`): the API knows more, and new ones appear.
pub fn region(slug: &str) -> Result<Option<String>, String> {
    let letters = slug.chars().take_while(|c| c.is_ascii_lowercase()).count();
    let digits = slug[letters..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if letters < 2 || digits == 0 || letters + digits != slug.len() || slug.len() > 10 {
        return Err(format!(
            "`{slug}` is not a region slug: expected lower-case letters then digits, such as nyc3 or atl1"
        ));
    }
    Ok((!do_images::RegionSlug::KNOWN.contains(&slug)).then(|| {
        format!("region `{slug}` is not in the documented list; sending it anyway (the API knows more regions than its docs)")
    }))
}

/// An import URL: http or https, with a host.
pub fn import_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("--url `{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "--url must be http:// or https://, not {}://",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("--url `{url}` has no host"));
    }
    Ok(())
}

/// A name that is not blank.
pub fn non_empty(flag: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{flag} must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked_for_shape_and_unknown_ones_warn() {
        assert_eq!(region("nyc3").unwrap(), None);
        assert!(region("atl1").unwrap().unwrap().contains("atl1"));
        for bad in ["NYC3", "nyc", "3nyc", "ny-c3", "", "n1"] {
            assert!(region(bad).unwrap_err().contains("nyc3 or atl1"), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_http_or_https() {
        assert!(import_url("https://example.com/a.qcow2").is_ok());
        assert!(
            import_url("ftp://example.com/a.qcow2")
                .unwrap_err()
                .contains("ftp://")
        );
        assert!(
            import_url("example.com/a.img")
                .unwrap_err()
                .contains("not a URL")
        );
    }

    #[test]
    fn blank_names_are_refused() {
        assert!(non_empty("--name", "  ").unwrap_err().contains("--name"));
        assert!(non_empty("--name", "x").is_ok());
    }
}
