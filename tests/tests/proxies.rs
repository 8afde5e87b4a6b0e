//! Proxies, against a spy proxy on 127.0.0.1: a plain-http (loopback) base
//! URL never goes through a proxy, whatever `HTTP_PROXY`, `http_proxy` or
//! `ALL_PROXY` say, so no proxy sees the token in clear; an https base URL
//! honours `HTTPS_PROXY` through `CONNECT` (the proxy sees the host and port,
//! never the `Authorization` header) and `NO_PROXY`.
//!
//! The file import's Spaces client keeps the same rules: a loopback store
//! (the sandbox's) is reached directly; an https endpoint goes through
//! `HTTPS_PROXY` by `CONNECT`, without the signed request.
//!
//! The proxy settings are environment variables, read when a client is
//! built, so this binary is on its own and its tests take turns (`ENV`):
//! each sets the variables, builds its client and clears them again.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use do_images::{Client, Error, RetryPolicy, WaitOptions};
use do_images_file_import::{ImportFileExt, SpacesCredentials};
use do_images_sandbox::{Sandbox, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "dop_v1_proxy0123456789SECRETproxy";
const TOKEN_PART: &str = "SECRETproxy";
const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

static ENV: Mutex<()> = Mutex::new(());

/// The proxy variables set to `values` (the others unset) until dropped.
struct ProxyEnv<'a> {
    _turn: MutexGuard<'a, ()>,
}

impl ProxyEnv<'_> {
    fn set(values: &[(&str, &str)]) -> Self {
        let turn = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for name in PROXY_VARS {
            // SAFETY: the tests of this binary change the environment only
            // while holding `ENV`, and nothing else in it reads these
            // variables concurrently.
            unsafe { std::env::remove_var(name) };
        }
        for (name, value) in values {
            // SAFETY: as above.
            unsafe { std::env::set_var(name, value) };
        }
        Self { _turn: turn }
    }
}

impl Drop for ProxyEnv<'_> {
    fn drop(&mut self) {
        for name in PROXY_VARS {
            // SAFETY: as in `set`; `ENV` is still held.
            unsafe { std::env::remove_var(name) };
        }
    }
}

/// A listener that records the first bytes of every connection it accepts.
/// As a proxy it accepts `CONNECT` (then records what the client sends
/// through the tunnel) and answers anything else with a 502.
struct Spy {
    address: String,
    connections: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Spy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let connections = Arc::new(Mutex::new(Vec::new()));
        let recorded = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let mut seen = read_some(&mut socket).await;
                    if seen.starts_with(b"CONNECT ") {
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                            .await;
                        seen.extend(read_some(&mut socket).await);
                    } else if !seen.is_empty() {
                        let _ = socket
                            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                            .await;
                    }
                    recorded.lock().unwrap().push(seen);
                });
            }
        });
        Self {
            address,
            connections,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn connections(&self) -> Vec<String> {
        self.connections
            .lock()
            .unwrap()
            .iter()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .collect()
    }

    fn raw(&self) -> Vec<Vec<u8>> {
        self.connections.lock().unwrap().clone()
    }
}

/// What arrives on `socket` within a moment (a request head, or the first
/// TLS record), up to 16 KiB.
async fn read_some(socket: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while seen.len() < 16 * 1024 && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buffer[..n]),
            _ => break,
        }
        if seen.first() == Some(&0x16) {
            // A TLS record: not a request head, and nothing to wait for.
            break;
        }
    }
    seen
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .retry_policy(RetryPolicy::disabled())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn plain_http_to_loopback_never_uses_a_proxy() {
    let spy = Spy::start().await;
    let sandbox = Sandbox::start(SandboxConfig::default().with_images(3))
        .await
        .unwrap();
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let client = {
            let _env = ProxyEnv::set(&[(variable, &spy.url())]);
            Client::builder()
                .token(sandbox.token())
                .base_url(sandbox.base_url())
                .build()
                .unwrap()
        };
        let before = sandbox.request_log().len();
        let image = client.images().get(1).send().await;
        assert!(
            matches!(image, Ok(_) | Err(Error::Api { status: 404, .. })),
            "with {variable}: {image:?}"
        );
        assert_eq!(sandbox.request_log().len(), before + 1, "with {variable}");
        assert_eq!(spy.connections(), Vec::<String>::new(), "with {variable}");
    }
}

#[tokio::test]
async fn https_goes_through_the_proxy_by_connect_without_the_token() {
    let spy = Spy::start().await;
    let client = {
        let _env = ProxyEnv::set(&[("HTTPS_PROXY", &spy.url())]);
        client("https://127.0.0.1:9")
    };
    let result = client.images().get(7).send().await;
    assert!(result.is_err(), "the spy completes no TLS handshake");
    let connections = spy.connections();
    assert_eq!(connections.len(), 1, "{connections:?}");
    let seen = &connections[0];
    assert!(
        seen.starts_with("CONNECT 127.0.0.1:9 HTTP/1.1\r\n"),
        "{seen:?}"
    );
    assert!(
        !seen.to_ascii_lowercase().contains("\nauthorization:"),
        "{seen:?}"
    );
    assert!(!seen.contains(TOKEN_PART), "{seen:?}");
    // What followed the CONNECT through the tunnel is a TLS handshake record.
    let raw = &spy.raw()[0];
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(raw.get(head_end), Some(&0x16), "{seen:?}");
}

#[tokio::test]
async fn https_honours_no_proxy() {
    let spy = Spy::start().await;
    let direct = Spy::start().await;
    let client = {
        let _env = ProxyEnv::set(&[
            ("HTTPS_PROXY", &spy.url()),
            ("ALL_PROXY", &spy.url()),
            ("NO_PROXY", "127.0.0.1"),
        ]);
        client(&format!("https://{}", direct.address))
    };
    let result = client.images().get(7).send().await;
    assert!(result.is_err(), "the listener completes no TLS handshake");
    assert_eq!(spy.connections(), Vec::<String>::new());
    let raw = direct.raw();
    assert_eq!(raw.len(), 1, "{:?}", direct.connections());
    assert_eq!(raw[0].first(), Some(&0x16), "a TLS handshake, directly");
}

/// A 1 MiB qcow2 file in `dir`.
fn disk(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("disk.qcow2");
    let file = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut &file, b"QFI\xfb\0\0\0\x03").unwrap();
    file.set_len(1024 * 1024).unwrap();
    path
}

// The proxy variables are read when the import builds its Spaces client,
// inside `send`: they stay set (and `ENV` held) until it has.
#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn the_file_import_reaches_a_loopback_store_without_a_proxy() {
    let spy = Spy::start().await;
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let spaces = sandbox.spaces().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = disk(dir.path());
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let _env = ProxyEnv::set(&[(variable, &spy.url())]);
        let client = Client::builder()
            .token(sandbox.token())
            .base_url(sandbox.base_url())
            .build()
            .unwrap();
        let imported = client
            .import_file(&file)
            .name(variable)
            .region("nyc3")
            .bucket(spaces.bucket())
            .spaces_region(spaces.region())
            .spaces_endpoint(spaces.endpoint_url())
            .credentials(SpacesCredentials::new(
                spaces.access_key_id(),
                spaces.secret_access_key(),
            ))
            .wait_options(WaitOptions::default().min_delay(Duration::from_millis(50)))
            .send()
            .await;
        assert!(imported.is_ok(), "with {variable}: {imported:?}");
        assert_eq!(spy.connections(), Vec::<String>::new(), "with {variable}");
    }
}

#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn the_file_import_reaches_an_https_store_by_connect_only() {
    let spy = Spy::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = disk(dir.path());
    let _env = ProxyEnv::set(&[("HTTPS_PROXY", &spy.url()), ("HTTP_PROXY", &spy.url())]);
    let client = client("https://127.0.0.1:9");
    let result = client
        .import_file(&file)
        .region("nyc3")
        .bucket("images")
        .spaces_endpoint("https://127.0.0.1:9")
        .credentials(SpacesCredentials::new("AKIDproxy", "SECRETproxy"))
        .send()
        .await;
    assert!(result.is_err(), "the spy completes no TLS handshake");
    let connections = spy.connections();
    assert!(!connections.is_empty());
    for seen in &connections {
        assert!(
            seen.starts_with("CONNECT 127.0.0.1:9 HTTP/1.1\r\n"),
            "{seen:?}"
        );
        assert!(
            !seen.contains("AKIDproxy") && !seen.contains(TOKEN_PART),
            "{seen:?}"
        );
    }
}
