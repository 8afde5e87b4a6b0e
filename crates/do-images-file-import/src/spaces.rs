//! Where the file goes: a Spaces bucket (or any S3-compatible endpoint),
//! the object key, and the S3 client for it.

use std::fmt;
use std::path::Path as FilePath;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, RetryConfig};

use crate::credentials::SpacesCredentials;
use crate::spaces_http::SpacesConnector;

/// Regions that have Spaces; the import region is the default Spaces
/// region when it is one of them.
pub const SPACES_REGIONS: &[&str] = &[
    "nyc3", "ams3", "sfo2", "sfo3", "sgp1", "fra1", "syd1", "blr1", "lon1", "tor1", "atl1",
];

/// Where an object lives: endpoint, bucket and key. Shown as
/// `s3://bucket/key at endpoint` in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectLocation {
    /// The S3 endpoint, such as `https://nyc3.digitaloceanspaces.com`.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

impl fmt::Display for ObjectLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{} at {}", self.bucket, self.key, self.endpoint)
    }
}

/// The checked destination of an upload.
#[derive(Clone, Debug)]
pub(crate) struct SpacesTarget {
    pub location: ObjectLocation,
    pub region: String,
    /// Virtual-hosted addressing (Spaces) or path style (anything else).
    pub virtual_hosted: bool,
}

fn invalid(what: &'static str, problem: String, allowed: &'static str) -> do_images::Error {
    do_images::Error::InvalidInput {
        what,
        problem,
        allowed,
    }
}

impl SpacesTarget {
    /// Checks bucket, region, endpoint and key.
    pub fn new(
        bucket: &str,
        region: &str,
        endpoint: Option<&str>,
        key: String,
    ) -> Result<Self, do_images::Error> {
        check_bucket(bucket)?;
        check_region(region)?;
        check_key(&key)?;
        let (endpoint, virtual_hosted) = match endpoint {
            None => (format!("https://{region}.digitaloceanspaces.com"), true),
            Some(endpoint) => {
                let url = check_endpoint(endpoint)?;
                let spaces = url
                    .host_str()
                    .is_some_and(|h| h.ends_with(".digitaloceanspaces.com"));
                // The parsed form: what was checked is what is used.
                (url.as_str().trim_end_matches('/').to_string(), spaces)
            }
        };
        Ok(Self {
            location: ObjectLocation {
                endpoint,
                bucket: bucket.to_string(),
                key,
            },
            region: region.to_string(),
            virtual_hosted,
        })
    }

    /// The S3 client for this bucket. Its own retries cover every request
    /// (429, 5xx, connections that fail); parts are retried once more on top
    /// of that by the upload.
    pub fn store(
        &self,
        credentials: &SpacesCredentials,
    ) -> Result<Arc<AmazonS3>, do_images::Error> {
        let endpoint = if self.virtual_hosted {
            // object_store wants the bucket in a virtual-hosted endpoint.
            self.location
                .endpoint
                .replacen("://", &format!("://{}.", self.location.bucket), 1)
        } else {
            self.location.endpoint.clone()
        };
        let plain_http = self.location.endpoint.starts_with("http://");
        let connector = SpacesConnector {
            plain_http,
            connect_timeout: Duration::from_secs(10),
            // A part on a slow uplink takes minutes; a stalled one is
            // retried after this.
            timeout: Duration::from_secs(10 * 60),
        };
        let options = ClientOptions::new().with_allow_http(plain_http);
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            max_retries: 4,
            retry_timeout: Duration::from_secs(5 * 60),
        };
        AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_region(&self.region)
            .with_bucket_name(&self.location.bucket)
            .with_access_key_id(&credentials.access_key_id)
            .with_secret_access_key(&credentials.secret_access_key)
            .with_virtual_hosted_style_request(self.virtual_hosted)
            .with_client_options(options)
            .with_http_connector(connector)
            .with_retry(retry)
            .build()
            .map(Arc::new)
            .map_err(|e| do_images::Error::Config(format!("cannot set up the Spaces client: {e}")))
    }

    /// The key as object_store's path.
    pub fn object_path(&self) -> ObjectPath {
        // check_key made sure it parses.
        ObjectPath::parse(&self.location.key).unwrap_or_default()
    }
}

fn check_bucket(bucket: &str) -> Result<(), do_images::Error> {
    let ok_chars = bucket
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ok_ends = bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !(3..=63).contains(&bucket.len()) || !ok_chars || !ok_ends {
        return Err(invalid(
            "Spaces bucket",
            format!("{bucket:?} is not a bucket name"),
            "3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
        ));
    }
    Ok(())
}

fn check_region(region: &str) -> Result<(), do_images::Error> {
    let letters = region.chars().take_while(char::is_ascii_lowercase).count();
    let rest_digits = region[letters..].chars().all(|c| c.is_ascii_digit());
    if letters < 2 || letters == region.len() || !rest_digits || region.len() > 10 {
        return Err(invalid(
            "Spaces region",
            format!("{region:?} is not a region slug"),
            "a Spaces region slug such as nyc3, ams3, sfo3, sgp1, fra1 or syd1",
        ));
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), do_images::Error> {
    const ALLOWED: &str = "1 to 1024 bytes, no control characters, no leading or trailing \
        '/', no empty, '.' or '..' segments";
    if key.is_empty() || key.len() > 1024 || key.chars().any(char::is_control) {
        return Err(invalid(
            "object key",
            format!("{:?} cannot be used", key),
            ALLOWED,
        ));
    }
    match ObjectPath::parse(key) {
        Ok(path) if path.as_ref() == key => Ok(()),
        _ => Err(invalid(
            "object key",
            format!("{key:?} cannot be used"),
            ALLOWED,
        )),
    }
}

fn check_endpoint(endpoint: &str) -> Result<url::Url, do_images::Error> {
    const ALLOWED: &str = "an https URL such as https://nyc3.digitaloceanspaces.com (http only to 127.0.0.1/localhost)";
    let url = url::Url::parse(endpoint).map_err(|e| {
        invalid(
            "Spaces endpoint",
            format!("{endpoint:?} is not a URL ({e})"),
            ALLOWED,
        )
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    // Nothing but a scheme, a host and a port: no path, query or fragment
    // that requests would be sent under, and no user or password that
    // messages would show.
    let bare = (url.path() == "/" || url.path().is_empty())
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    match url.scheme() {
        "https" if url.host().is_some() && bare => Ok(url),
        // The keys sign every request; over plain http only to this machine.
        "http" if loopback && bare => Ok(url),
        _ => Err(invalid(
            "Spaces endpoint",
            format!("{endpoint:?} cannot be used"),
            ALLOWED,
        )),
    }
}

/// The default object key: `do-images-import/<UTC time>-<random>-<file
/// name>`, the file name reduced to letters, digits, `.`, `-` and `_` (its
/// extension stays, so a `.gz` or `.bz2` name still says what is inside).
/// The 64 random bits (`random`, 16 hex digits) keep two imports of files
/// with the same name, started in the same second, apart.
pub fn default_key(file: &FilePath, now: chrono::DateTime<chrono::Utc>, random: u64) -> String {
    let name: String = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    let name = if name.is_empty() { "image" } else { name };
    format!(
        "do-images-import/{}-{random:016x}-{name}",
        now.format("%Y%m%dT%H%M%SZ")
    )
}

/// The Spaces region to upload to when none is given: the import region
/// when it has Spaces.
pub fn default_region(import_region: &str) -> Option<&'static str> {
    SPACES_REGIONS.iter().copied().find(|r| *r == import_region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_is_virtual_hosted_and_other_endpoints_path_style() {
        let key = "k.qcow2".to_string();
        let spaces = SpacesTarget::new("my-bucket", "ams3", None, key.clone()).unwrap();
        assert!(spaces.virtual_hosted);
        assert_eq!(
            spaces.location.endpoint,
            "https://ams3.digitaloceanspaces.com"
        );
        let local =
            SpacesTarget::new("b-1", "nyc3", Some("http://127.0.0.1:9000/"), key.clone()).unwrap();
        assert!(!local.virtual_hosted);
        assert_eq!(
            local.location.to_string(),
            "s3://b-1/k.qcow2 at http://127.0.0.1:9000"
        );
        // The endpoint used is the parsed one: tabs and line breaks that
        // URL parsing drops do not stay in it.
        let spaced =
            SpacesTarget::new("b-1", "nyc3", Some(" https://ex\tample.com\n"), key.clone());
        assert_eq!(spaced.unwrap().location.endpoint, "https://example.com");
        // Keys are shown as they are (a backslash is a valid key character).
        let odd = SpacesTarget::new("b-1", "nyc3", None, "a\\b\"c".to_string()).unwrap();
        assert!(odd.location.to_string().starts_with("s3://b-1/a\\b\"c at "));
    }

    #[test]
    fn bad_targets_say_what_is_allowed() {
        let key = || "k".to_string();
        for (bucket, region, endpoint) in [
            ("B", "nyc3", None),
            ("my_bucket", "nyc3", None),
            ("bucket", "NYC3", None),
            ("bucket", "nyc", None),
            ("bucket", "nyc3", Some("http://spaces.example.com")),
            ("bucket", "nyc3", Some("ftp://127.0.0.1")),
            ("bucket", "nyc3", Some("https://example.com/path")),
            ("bucket", "nyc3", Some("https://example.com#\u{1b}[2J")),
            ("bucket", "nyc3", Some("https://id:secret@example.com")),
            ("bucket", "nyc3", Some("https://id@example.com")),
        ] {
            let error = SpacesTarget::new(bucket, region, endpoint, key()).unwrap_err();
            assert!(
                matches!(error, do_images::Error::InvalidInput { .. }),
                "{error}"
            );
        }
        for key in ["", "/abs", "a//b", "a/../b", "line\nbreak", "trailing/"] {
            assert!(
                SpacesTarget::new("bucket", "nyc3", None, key.into()).is_err(),
                "{key:?}"
            );
        }
    }

    #[test]
    fn default_keys_keep_the_extension_and_drop_odd_characters() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T22:54:01Z")
            .unwrap()
            .to_utc();
        let key = default_key(FilePath::new("/tmp/my disk\u{1b}.qcow2.gz"), now, 0xabc);
        assert_eq!(
            key,
            "do-images-import/20261202T225401Z-0000000000000abc-my_disk_.qcow2.gz"
        );
        let file = FilePath::new("disk.qcow2");
        assert_ne!(default_key(file, now, 1), default_key(file, now, 2));
        assert!(SpacesTarget::new("bucket", "nyc3", None, key).is_ok());
        assert_eq!(default_region("fra1"), Some("fra1"));
        assert_eq!(default_region("nyc1"), None);
    }
}
