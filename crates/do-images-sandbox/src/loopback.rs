//! Which names and addresses are this machine: the only hosts the sandbox
//! answers for (a web page that rebinds its own name to 127.0.0.1 still
//! sends that name as `Host`) and the only ones it downloads imports from.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Whether `host` (a URL host or the host part of a `Host` header, IPv6 in
/// brackets or not) is a loopback address or `localhost`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    if let Ok(ip) = host.parse::<Ipv6Addr>() {
        return ip.is_loopback();
    }
    host.eq_ignore_ascii_case("localhost")
}

/// Whether a `Host` header value (`host`, `host:port`, `[v6]:port`) names
/// this machine.
pub(crate) fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        // A bare IPv6 address without brackets has colons of its own: only
        // a port after a bracket or in a name with one colon is split off.
        Some((host, port))
            if port.bytes().all(|b| b.is_ascii_digit())
                && (host.ends_with(']') || !host.contains(':')) =>
        {
            host
        }
        _ => authority,
    };
    !host.is_empty() && is_loopback_host(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_authorities() {
        for yes in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.8.0.1:1",
            "[::1]:443",
            "[::1]",
            "localhost",
            "LOCALHOST:9",
        ] {
            assert!(is_loopback_authority(yes), "{yes}");
        }
        for no in [
            "",
            ":80",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "10.0.0.1:80",
            "[::2]:80",
            "127.0.0.1.evil.example",
        ] {
            assert!(!is_loopback_authority(no), "{no}");
        }
    }
}
