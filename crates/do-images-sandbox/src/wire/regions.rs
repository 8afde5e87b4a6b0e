//! Region slugs: the ones the sandbox spreads images over (including some
//! the docs do not list) and their display names.

/// Regions generated images live in. `atl1` and `ric1` are real regions that
/// the documented list lacks: clients must cope with them.
pub(crate) const SEEDED: &[&str] = &[
    "nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1", "atl1", "ric1",
];

/// DigitalOcean's name for a region, or the slug in capitals when the
/// sandbox does not know it.
pub(crate) fn display_name(slug: &str) -> String {
    let known = match slug {
        "ams2" => "Amsterdam 2",
        "ams3" => "Amsterdam 3",
        "atl1" => "Atlanta 1",
        "blr1" => "Bangalore 1",
        "fra1" => "Frankfurt 1",
        "lon1" => "London 1",
        "nyc1" => "New York 1",
        "nyc2" => "New York 2",
        "nyc3" => "New York 3",
        "ric1" => "Richmond 1",
        "sfo1" => "San Francisco 1",
        "sfo2" => "San Francisco 2",
        "sfo3" => "San Francisco 3",
        "sgp1" => "Singapore 1",
        "syd1" => "Sydney 1",
        "tor1" => "Toronto 1",
        _ => return slug.to_uppercase(),
    };
    known.to_string()
}

/// Whether `slug` looks like a region slug: lowercase letters then digits,
/// such as `nyc3` or `atl1`.
pub(crate) fn is_slug_shaped(slug: &str) -> bool {
    let letters = slug.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = slug[letters..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    letters >= 2 && digits >= 1 && letters + digits == slug.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_shape() {
        assert!(is_slug_shaped("nyc3"));
        assert!(is_slug_shaped("atl1"));
        assert!(!is_slug_shaped("NYC3"));
        assert!(!is_slug_shaped("nyc"));
        assert!(!is_slug_shaped("3nyc"));
        assert!(!is_slug_shaped("nyc-3"));
        assert!(!is_slug_shaped(""));
    }

    #[test]
    fn unknown_regions_are_named_after_their_slug() {
        assert_eq!(display_name("atl1"), "Atlanta 1");
        assert_eq!(display_name("mars1"), "MARS1");
    }
}
