//! Whether an import URL could work, and the `error_message` when not.
//! A loopback URL is downloaded to find out (see `fetch`); any other is
//! judged by its form and its file name.

mod disk_format;
mod fetch;
mod outcome;

use std::sync::Arc;

use url::Url;

use fetch::Fetch;
pub(crate) use outcome::ImportResult;

/// What decides an import's outcome.
pub(crate) enum Verdict {
    /// Known from the URL alone.
    Known(ImportResult),
    /// The download from a loopback URL, still running or ended.
    Downloading(Fetch),
}

/// File endings the API imports, before an optional compression suffix.
const FORMATS: &[&str] = &["raw", "img", "qcow2", "vhdx", "vdi", "vmdk"];
const COMPRESSIONS: &[&str] = &["gz", "bz2"];

/// Decides the imports of one sandbox: it downloads from loopback URLs,
/// except from the ports of its own API.
pub(crate) struct Importer {
    client: reqwest::Client,
    refused_ports: Arc<[u16]>,
    echo_urls: bool,
}

impl Importer {
    /// An importer that never fetches from `refused_ports` on this machine,
    /// not even along a redirect.
    pub fn new(refused_ports: Vec<u16>) -> Self {
        let refused_ports: Arc<[u16]> = refused_ports.into();
        Self {
            client: fetch::client(refused_ports.clone()),
            refused_ports,
            echo_urls: false,
        }
    }

    /// This importer, quoting the import URL whole in each failure when
    /// `echo` (see [`Faults::echo_import_urls`](crate::Faults::echo_import_urls)).
    pub fn echoing_urls(mut self, echo: bool) -> Self {
        self.echo_urls = echo;
        self
    }

    /// The URL a failure of an import from `url` quotes, when failures
    /// echo it.
    pub fn echoed(&self, url: &str) -> Option<String> {
        self.echo_urls.then(|| url.to_string())
    }

    /// What will decide the outcome of an import from `url`: its download
    /// when it is an http(s) URL on this machine, else its form.
    pub fn verdict_for(&self, url: &str) -> Verdict {
        if let Ok(parsed) = Url::parse(url)
            && matches!(parsed.scheme(), "http" | "https")
            && fetch::is_loopback(&parsed)
        {
            if let Some(port) = parsed.port_or_known_default()
                && self.refused_ports.contains(&port)
            {
                return Verdict::Known(ImportResult::Failed(format!(
                    "The image could not be downloaded from `{}`: port {port} is the sandbox's \
                     own API, which imports do not fetch from.",
                    fetch::shown(&parsed)
                )));
            }
            return Verdict::Downloading(fetch::start(&self.client, parsed));
        }
        Verdict::Known(match failure_for(url) {
            Some(message) => ImportResult::Failed(message),
            None => ImportResult::Imported { bytes: None },
        })
    }
}

/// `None` when `url` could be imported, else the message a failed import
/// carries. A host under `.invalid` simulates one that does not resolve.
pub(crate) fn failure_for(url: &str) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(format!(
            "The image URL `{url}` is not a URL; it must start with http:// or https://."
        ));
    };
    if scheme != "http" && scheme != "https" {
        return Some(format!(
            "The image URL scheme `{scheme}` is not supported; use http:// or https://."
        ));
    }
    let host = rest.split(['/', ':', '?']).next().unwrap_or_default();
    if host.is_empty() || host.ends_with(".invalid") {
        return Some(format!(
            "The image could not be downloaded: the host `{host}` could not be resolved."
        ));
    }
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let file = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut parts = file.rsplit('.');
    let mut extension = parts.next().unwrap_or_default();
    if COMPRESSIONS.contains(&extension) {
        extension = parts.next().unwrap_or_default();
    }
    if file.contains('.') && FORMATS.contains(&extension) {
        return None;
    }
    Some(format!(
        "The image `{file}` is not in a supported format: use raw (.img), qcow2, vhdx, vdi or \
         vmdk, optionally compressed with gzip (.gz) or bzip2 (.bz2)."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_urls() {
        for url in [
            "https://example.com/disk.qcow2",
            "http://example.com/a/b/ubuntu.IMG",
            "https://example.com/disk.vmdk.gz?sig=abc",
            "https://example.com:8443/disk.raw.bz2",
        ] {
            assert_eq!(failure_for(url), None, "{url}");
        }
    }

    #[test]
    fn unsupported_urls_say_why() {
        let cases = [
            ("ftp://example.com/disk.qcow2", "scheme `ftp`"),
            ("disk.qcow2", "must start with http"),
            (
                "https://example.com/disk.iso",
                "`disk.iso` is not in a supported format",
            ),
            ("https://example.com/qcow2", "not in a supported format"),
            (
                "https://example.com/disk.tar.gz",
                "not in a supported format",
            ),
            (
                "https://nowhere.invalid/disk.qcow2",
                "`nowhere.invalid` could not be resolved",
            ),
        ];
        for (url, expected) in cases {
            let message = failure_for(url).unwrap_or_default();
            assert!(message.contains(expected), "{url}: {message}");
        }
    }
}
