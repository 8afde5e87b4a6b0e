//! Ids and slugs in URLs, as property tests: whatever string a caller gives
//! to `images().get(..)`, the request goes to `/v2/images/{one segment}`,
//! and that segment decodes back to the string; or nothing is sent and the
//! caller gets `InvalidInput` naming the value.
//!
//! The server is a raw TCP listener on 127.0.0.1 that records each request
//! line exactly as it arrived (an HTTP framework would normalise the target
//! before a test could see it) and answers every request with a 404.
//!
//! The runs are reproducible: the seed is fixed (`PROPTEST_RNG_SEED`
//! overrides it) and printed with any failure.

use std::sync::{Arc, Mutex};

use do_images::{Client, Error, RequestLimits, RetryPolicy};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "dop_v1_segment0123456789";
const SEED: u64 = 0x5e6_1e55;
const NOT_FOUND: &str = "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\
content-length: 44\r\nconnection: close\r\n\r\n{\"id\":\"not_found\",\"message\":\"no such image\"}";

/// A listener that records the request line of every request it receives.
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    base_url: String,
}

impl Recorder {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let recorded = lines.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    let line = text.lines().next().unwrap_or_default().to_string();
                    // Recorded before answering: once the client has its
                    // answer, the line is in the log.
                    recorded.lock().unwrap().push(line);
                    let _ = socket.write_all(NOT_FOUND.as_bytes()).await;
                });
            }
        });
        Self { lines, base_url }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

/// The request target of a request line such as `GET /v2/images/7 HTTP/1.1`.
fn target(line: &str) -> &str {
    line.split(' ').nth(1).unwrap_or_default()
}

/// What `value` names once it went through the URL, when it is an id: ids
/// are sent in their shortest form (`007` is image 7).
fn expected_segment(value: &str) -> String {
    match value.parse::<u64>() {
        Ok(id) if value.bytes().all(|b| b.is_ascii_digit()) => id.to_string(),
        _ => value.to_string(),
    }
}

/// Whether `segment` has nothing but RFC 3986's unreserved characters and
/// `%XX` escapes: no sub-delimiter (`;` path parameters, `=`, `,`...) nor
/// gen-delimiter reaches the server raw.
fn only_unreserved_or_escapes(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' if bytes
                .get(at + 1..at + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) =>
            {
                at += 3
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') => at += 1,
            _ => return false,
        }
    }
    true
}

/// Gets `value` and checks where the request went, or that none was sent.
async fn check(client: &Client, recorder: &Recorder, value: &str) -> Result<(), String> {
    let result = client.images().get(value).send().await;
    let lines = recorder.take();
    match (result, lines.as_slice()) {
        (Err(Error::InvalidInput { what, problem, .. }), []) => {
            if what != "image id or slug" {
                return Err(format!("refused as {what:?}: {problem}"));
            }
            if !problem.contains(&format!("{value:?}")) && !problem.contains(value) {
                return Err(format!("the refusal does not name {value:?}: {problem}"));
            }
            Ok(())
        }
        (Err(Error::InvalidInput { problem, .. }), sent) => {
            Err(format!("refused ({problem}) but sent {sent:?}"))
        }
        (result, [line]) => {
            let Some(segment) = target(line).strip_prefix("/v2/images/") else {
                return Err(format!("sent outside /v2/images/: {line:?} ({result:?})"));
            };
            if segment.contains(['/', '?', '#']) {
                return Err(format!("more than one segment: {line:?}"));
            }
            if !only_unreserved_or_escapes(segment) {
                return Err(format!("a reserved character is sent raw: {line:?}"));
            }
            let decoded = percent_decode_str(segment).decode_utf8_lossy();
            if decoded != expected_segment(value) {
                return Err(format!("{line:?} decodes to {decoded:?}"));
            }
            match result {
                Err(Error::Api { status: 404, .. }) => Ok(()),
                other => Err(format!("sent {line:?} but got {other:?}")),
            }
        }
        (result, sent) => Err(format!("got {result:?} and sent {sent:?}")),
    }
}

/// Characters that URL parsers and servers treat specially, mixed with
/// plain slug characters.
fn tricky_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            ".", "..", "/", "\\", "%", "%2e", "%2E", "%2f", "%5c", "?", "#", ";", ":", "@", "&",
            "=", "+", " ", "\t", "\n", "\r", "\0", "\u{7f}", "\u{85}", "\u{9b}", "\u{202e}",
            "\u{3002}", "\u{ff0e}", "é", "|", "^", "[", "]", "{", "}", "`", "'", "\"", "<", ">",
            "~", "!", "*", "(", ")", "$", ",", "-", "_", "0", "7", "..;", ";a=b", "'",
        ])
        .prop_map(str::to_string),
        "[a-z0-9-]{1,4}",
    ]
}

fn any_reference() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(tricky_piece(), 0..6).prop_map(|pieces| pieces.concat()),
        any::<String>(),
        "[0-9]{1,22}",
    ]
}

fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(SEED)
}

fn client(recorder: &Recorder) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(&recorder.base_url)
        .retry_policy(RetryPolicy::disabled())
        // Hundreds of cases a run: the API's request rate is not what this
        // tests.
        .request_limits(RequestLimits::none())
        .build()
        .unwrap()
}

#[test]
fn any_string_is_one_segment_or_nothing_is_sent() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let recorder = runtime.block_on(Recorder::start());
    let client = client(&recorder);
    let seed = seed();
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    });
    let outcome = runner.run(&any_reference(), |value| {
        runtime
            .block_on(check(&client, &recorder, &value))
            .map_err(TestCaseError::fail)
    });
    if let Err(failure) = outcome {
        panic!("{failure}\nreplay with PROPTEST_RNG_SEED={seed}");
    }
}

#[tokio::test]
async fn dot_segments_backslashes_and_escapes_never_leave_the_images_path() {
    let recorder = Recorder::start().await;
    let client = client(&recorder);
    for value in [
        ".",
        "..",
        "..\\account",
        "\\account",
        "%2e%2e",
        ".%2e",
        "%2e",
        "a/../b",
        "a%2fb",
        "ubuntu-24-04-x64?page=2",
        "x#y",
        "",
        "0",
        " ",
        "a\tb",
        "ubuntu\u{202e}",
    ] {
        if let Err(problem) = check(&client, &recorder, value).await {
            panic!("{value:?}: {problem}");
        }
    }
}

#[tokio::test]
async fn ordinary_slugs_and_ids_are_sent_as_given_and_reserved_characters_encoded() {
    let recorder = Recorder::start().await;
    let client = client(&recorder);
    for (value, sent) in [
        ("ubuntu-24-04-x64", "/v2/images/ubuntu-24-04-x64"),
        ("centos-stream-9.x64", "/v2/images/centos-stream-9.x64"),
        ("7555620", "/v2/images/7555620"),
        ("..;", "/v2/images/..%3B"),
        ("a;b=c,d", "/v2/images/a%3Bb%3Dc%2Cd"),
        ("x:y@z[1]", "/v2/images/x%3Ay%40z%5B1%5D"),
        ("!$&'()*+", "/v2/images/%21%24%26%27%28%29%2A%2B"),
    ] {
        let error = client.images().get(value).send().await.unwrap_err();
        assert!(matches!(error, Error::Api { status: 404, .. }), "{error:?}");
        let lines = recorder.take();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(target(&lines[0]), sent);
    }
}
