//! Imports from loopback URLs are really downloaded, in the background, so
//! that what the URL serves decides the outcome: a recognised disk image
//! becomes available, anything else or a URL that cannot be fetched ends
//! `deleted` with an `error_message` saying why. The body is streamed and
//! only counted, apart from its first bytes, so any size takes little
//! memory.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use url::Url;

use super::disk_format::{self, HEAD_LEN};
use super::outcome::ImportResult;
use crate::loopback;

/// How long connecting, and then each read, may take before the download
/// is given up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of an error answer is read to quote its S3 code and message.
const ERROR_BODY_LIMIT: usize = 4096;

/// Whether `url` points at this machine (127.0.0.0/8, `::1` or
/// `localhost`): only those are fetched, so no test reaches the internet.
pub(crate) fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(loopback::is_loopback_host)
}

/// A download in progress; dropping it (the image was deleted) stops it.
pub(crate) struct Fetch {
    result: oneshot::Receiver<ImportResult>,
    task: AbortHandle,
}

impl Fetch {
    /// The outcome, once the download has ended.
    pub fn try_result(&mut self) -> Option<ImportResult> {
        match self.result.try_recv() {
            Ok(result) => Some(result),
            Err(oneshot::error::TryRecvError::Empty) => None,
            Err(oneshot::error::TryRecvError::Closed) => Some(ImportResult::Failed(
                "The image could not be downloaded: the download stopped unexpectedly.".into(),
            )),
        }
    }
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts downloading `url` with `client` on the current tokio runtime.
pub(crate) fn start(client: &reqwest::Client, url: Url) -> Fetch {
    let (send, result) = oneshot::channel();
    let client = client.clone();
    let task = tokio::spawn(async move {
        let _ = send.send(download(&client, &url).await);
    });
    Fetch {
        result,
        task: task.abort_handle(),
    }
}

/// The client of a sandbox's downloads: no proxy (the URL is on this
/// machine), and redirects followed only while they stay on this machine
/// and off `refused_ports`.
pub(crate) fn client(refused_ports: Arc<[u16]>) -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let refused = attempt
            .url()
            .port_or_known_default()
            .is_some_and(|port| refused_ports.contains(&port));
        if attempt.previous().len() >= 10 || !is_loopback(attempt.url()) || refused {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(policy)
        .build()
        .expect("a client with these settings always builds")
}

async fn download(client: &reqwest::Client, url: &Url) -> ImportResult {
    let shown = shown(url);
    let cannot = |why: String| {
        ImportResult::Failed(format!(
            "The image could not be downloaded from `{shown}`: {why}."
        ))
    };
    let mut response = match client.get(url.clone()).send().await {
        Ok(response) => response,
        Err(error) => return cannot(describe(&error)),
    };
    let status = response.status();
    if !status.is_success() {
        let detail = s3_error_detail(&mut response).await;
        return cannot(format!("the server answered {status}{detail}"));
    }
    let mut head = Vec::with_capacity(HEAD_LEN);
    let mut bytes: u64 = 0;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let wanted = HEAD_LEN.saturating_sub(head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..wanted]);
                bytes += chunk.len() as u64;
            }
            Ok(None) => break,
            Err(error) => {
                return cannot(format!(
                    "the download broke off after {bytes} bytes ({})",
                    describe(&error)
                ));
            }
        }
    }
    judge(url, &head, bytes)
}

/// The outcome of a complete download of `bytes` bytes starting with
/// `head`.
fn judge(url: &Url, head: &[u8], bytes: u64) -> ImportResult {
    let file = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    if bytes == 0 {
        return ImportResult::Failed(format!("The image `{file}` is empty."));
    }
    if disk_format::sniff(head).is_some() || disk_format::is_raw_name(file) {
        return ImportResult::Imported { bytes: Some(bytes) };
    }
    ImportResult::Failed(format!(
        "The image `{file}` is not in a supported format: its content is not qcow2, vhdx, vdi \
         or vmdk, optionally compressed with gzip or bzip2, and its name does not end in .img \
         or .raw for a raw image."
    ))
}

/// `url` without its query, fragment, user and password: a presigned
/// URL's signature, or credentials, must not end up in an `error_message`.
pub(crate) fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // Both fail only for URLs that cannot have credentials.
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the server did not answer in time".into()
    } else if error.is_connect() {
        "the connection was refused or failed".into()
    } else if error.is_redirect() {
        "it redirects too often".into()
    } else {
        "the connection failed".into()
    }
}

/// S3 error codes an import's error message names, with what each means.
/// Nothing else of an error answer is repeated: the body is whatever
/// answered on that port, and may hold anything.
const KNOWN_S3_CODES: &[(&str, &str)] = &[
    ("AccessDenied", "access denied"),
    ("NoSuchKey", "no such object"),
    ("NoSuchBucket", "no such bucket"),
    ("SignatureDoesNotMatch", "the signature does not match"),
    ("InvalidAccessKeyId", "unknown access key"),
    ("ExpiredToken", "the token has expired"),
    ("RequestTimeTooSkewed", "the request time is too far off"),
];

/// ` (Code: meaning)` for an S3 error answer whose `<Code>` is one of
/// [`KNOWN_S3_CODES`], such as ` (NoSuchKey: no such object)`; an
/// `AccessDenied` whose message says the request expired reads ` (AccessDenied:
/// the presigned URL has expired)`. Empty for any other answer.
async fn s3_error_detail(response: &mut reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let body = String::from_utf8_lossy(&body);
    let element = |name: &str| {
        let start = body.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + body[start..].find(&format!("</{name}>"))?;
        Some(&body[start..end])
    };
    let Some((code, meaning)) =
        element("Code").and_then(|code| KNOWN_S3_CODES.iter().find(|(known, _)| *known == code))
    else {
        return String::new();
    };
    let expired = *code == "AccessDenied"
        && element("Message").is_some_and(|message| message.contains("expired"));
    let meaning = if expired {
        "the presigned URL has expired"
    } else {
        meaning
    };
    format!(" ({code}: {meaning})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a valid URL")
    }

    #[test]
    fn only_this_machine_is_loopback() {
        assert!(is_loopback(&url("http://127.0.0.1:9/a.img")));
        assert!(is_loopback(&url("http://127.8.0.1/a.img")));
        assert!(is_loopback(&url("http://[::1]:80/a.img")));
        assert!(is_loopback(&url("http://LOCALHOST/a.img")));
        assert!(!is_loopback(&url("https://example.com/a.img")));
        assert!(!is_loopback(&url("http://10.0.0.1/a.img")));
    }

    #[test]
    fn content_decides_and_raw_goes_by_the_name() {
        let text = b"just some text";
        let as_qcow2 = judge(
            &url("http://127.0.0.1/b/disk.qcow2?X-Amz-Signature=s"),
            text,
            14,
        );
        match as_qcow2 {
            ImportResult::Failed(message) => {
                assert!(
                    message.contains("`disk.qcow2` is not in a supported format"),
                    "{message}"
                );
            }
            other => panic!("text is not qcow2: {other:?}"),
        }
        assert_eq!(
            judge(&url("http://127.0.0.1/b/disk.raw"), text, 14),
            ImportResult::Imported { bytes: Some(14) }
        );
        assert_eq!(
            judge(&url("http://127.0.0.1/b/disk"), b"QFI\xfb", 4),
            ImportResult::Imported { bytes: Some(4) }
        );
        assert!(matches!(
            judge(&url("http://127.0.0.1/b/disk.img"), b"", 0),
            ImportResult::Failed(m) if m.contains("is empty")
        ));
    }

    #[test]
    fn the_signature_is_never_shown() {
        let shown = shown(&url("http://127.0.0.1:9/b/k.img?X-Amz-Signature=secret#f"));
        assert_eq!(shown, "http://127.0.0.1:9/b/k.img");
        let shown = super::shown(&url("http://user:secret@127.0.0.1:9/b/k.img"));
        assert_eq!(shown, "http://127.0.0.1:9/b/k.img");
    }
}
