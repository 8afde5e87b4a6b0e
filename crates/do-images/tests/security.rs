//! Security, as tests: the token stays out of every error, `Debug` and trace
//! line (every kind of error, every thread); plain http only to loopback; no
//! redirect is followed, and the error names where it pointed.
//!
//! Every kind of error is checked, and a *global* TRACE subscriber captures
//! the lines of every thread and of the HTTP stack (reqwest, hyper-util). Its test
//! servers are axum without its `tracing` feature, so nothing in the process
//! but the client logs (httpmock logs the requests it receives, headers
//! included, so it is not used here).

use std::error::Error as _;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use do_images::{Client, ClientBuilder, Error, RetryPolicy};
use do_images_test_util::ManualClock;
use serde_json::json;

const TOKEN: &str = "dop_v1_5ecdeadbeef0123456789SECRETsecurity";
/// A part of the token that no other text in these tests contains.
const TOKEN_PART: &str = "SECRETsecurity";

// ---------------------------------------------------------------------------
// Capturing every trace line of the process

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything logged so far, by any test of this binary, on any thread.
fn logs() -> String {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    let buffer = BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned()
}

fn assert_no_token(what: &str, text: &str) {
    assert!(
        !text.contains(TOKEN_PART),
        "the token leaked in {what}: {text}"
    );
}

/// `Display`, `Debug` and the `Display` of every error in its source chain.
fn every_rendering(error: &Error) -> String {
    let mut shown = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(inner) = source {
        shown.push_str(&format!("\n{inner}\n{inner:?}"));
        source = inner.source();
    }
    shown
}

// ---------------------------------------------------------------------------
// Test servers

/// What one server received: path and headers of each request.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(String, HeaderMap)>>>);

impl Received {
    fn all(&self) -> Vec<(String, HeaderMap)> {
        self.0.lock().unwrap().clone()
    }
}

/// Serves `app` on an address of the loopback interface; `None` when that
/// address cannot be bound here (IPv6 may be off).
async fn serve_on(address: &str, app: axum::Router) -> Option<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(address).await.ok()?;
    let bound = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Some(bound)
}

fn image_body(id: u64) -> serde_json::Value {
    json!({"image": {"id": id, "name": "disk", "status": "available", "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z", "distribution": "Ubuntu", "description": "", "error_message": "", "tags": []}})
}

/// A server whose answer depends on the image id in the path, recording
/// every request.
async fn api_server(received: Received) -> SocketAddr {
    async fn answer(State(received): State<Received>, uri: Uri, headers: HeaderMap) -> Response {
        received
            .0
            .lock()
            .unwrap()
            .push((uri.path().to_string(), headers.clone()));
        let id: u64 = uri
            .path()
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        match id {
            // An API error with a request id.
            21 => (
                StatusCode::UNAUTHORIZED,
                [("x-request-id", "req-sec-401")],
                axum::Json(json!({"id": "unauthorized", "message": "Unable to authenticate you."})),
            )
                .into_response(),
            // A proxy's HTML page: a decode error, retried first.
            22 => (
                StatusCode::BAD_GATEWAY,
                [("x-request-id", "req-sec-502")],
                "<html><h1>502 Bad Gateway</h1></html>",
            )
                .into_response(),
            // Slower than the client's timeout.
            23 => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                axum::Json(image_body(23)).into_response()
            }
            // Larger than the client's body limit.
            24 => "x".repeat(10_000).into_response(),
            // A server that echoes the request's Authorization header in an
            // API error, and (a proxy's page) in a body that is not JSON.
            36 => {
                let echoed = header_text(&headers, "authorization");
                (
                    StatusCode::BAD_REQUEST,
                    [("x-request-id", echoed.clone())],
                    axum::Json(json!({
                        "id": format!("bad_header {echoed}"),
                        "message": format!("cannot use Authorization: {echoed}"),
                    })),
                )
                    .into_response()
            }
            37 => (
                StatusCode::BAD_REQUEST,
                format!(
                    "<html>{}request had Authorization: {}</html>",
                    "padding ".repeat(2),
                    header_text(&headers, "authorization")
                ),
            )
                .into_response(),
            id => axum::Json(image_body(id)).into_response(),
        }
    }
    let app = axum::Router::new().fallback(answer).with_state(received);
    serve_on("127.0.0.1:0", app).await.unwrap()
}

fn header_text(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default()
}

fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .clock(Arc::new(ManualClock::default()))
        .request_timeout(Duration::from_millis(150))
        .max_body_size(1024)
}

// ---------------------------------------------------------------------------
// The token

#[tokio::test]
async fn the_token_is_in_no_error_debug_output_or_trace_line() {
    let _ = logs();
    let received = Received::default();
    let address = api_server(received.clone()).await;
    let client = builder(&format!("http://{address}")).build().unwrap();

    // Success, then an API error, a decode error after retries, a timeout
    // after a retry, a body over the limit.
    let image = client.images().get(20).send().await.unwrap();
    assert_eq!(image.id, 20);
    let api = client.images().get(21).send().await.unwrap_err();
    assert!(matches!(api, Error::Api { status: 401, .. }), "{api:?}");
    let decode = client.images().get(22).send().await.unwrap_err();
    assert!(
        matches!(decode, Error::Decode { status: 502, .. }),
        "{decode:?}"
    );
    let slow = builder(&format!("http://{address}"))
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();
    let timeout = slow.images().get(23).send().await.unwrap_err();
    assert!(
        matches!(timeout, Error::Timeout { attempts: 2, .. }),
        "{timeout:?}"
    );
    let too_large = client.images().get(24).send().await.unwrap_err();
    assert!(
        matches!(too_large, Error::BodyTooLarge { .. }),
        "{too_large:?}"
    );

    // A transport error: this port refuses connections (bound, never
    // listening, held until the test ends); retried.
    let refusing = tokio::net::TcpSocket::new_v4().unwrap();
    refusing.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let refusing_address = refusing.local_addr().unwrap();
    let unreachable = builder(&format!("http://{refusing_address}"))
        .build()
        .unwrap();
    let transport = unreachable.images().get(25).send().await.unwrap_err();
    assert!(
        matches!(transport, Error::Transport { attempts: 4, .. }),
        "{transport:?}"
    );

    // The token did reach the server, so it was there to leak.
    let sent = received.all();
    assert!(sent.len() >= 6, "{} requests", sent.len());
    for (path, headers) in &sent {
        assert_eq!(
            headers["authorization"],
            format!("Bearer {TOKEN}"),
            "request to {path}"
        );
    }

    for (what, error) in [
        ("an API error", &api),
        ("a decode error", &decode),
        ("a timeout", &timeout),
        ("a body too large", &too_large),
        ("a transport error", &transport),
    ] {
        assert_no_token(what, &every_rendering(error));
    }
    assert!(
        decode.to_string().contains("request req-sec-502"),
        "{decode}"
    );
    assert!(api.to_string().contains("request req-sec-401"), "{api}");
    assert!(api.to_string().contains("check that the token"), "{api}");

    // Every handle that holds the client.
    let images = client.images();
    let shown = [
        format!("{client:?}"),
        format!("{:?}", builder("http://127.0.0.1:1")),
        format!("{images:?}"),
        format!("{:?}", images.list().private(true)),
        format!("{:?}", images.list().stream()),
        format!("{:?}", images.list().pages()),
        format!("{:?}", images.get(7)),
        format!("{:?}", images.update(7).name("n")),
        format!("{:?}", images.delete(7)),
        format!("{:?}", images.find_by_name("n")),
        format!(
            "{:?}",
            images.create_custom("n", "https://example.com/d.qcow2", "nyc3")
        ),
        format!("{:?}", client.actions(7)),
        format!("{:?}", client.actions(7).list()),
        format!("{:?}", client.actions(7).get(9)),
        format!("{:?}", client.actions(7).transfer("nyc3")),
    ];
    for text in &shown {
        assert_no_token("a Debug", text);
    }
    assert!(shown[0].contains("***"), "{}", shown[0]);

    // The trace lines of all of it: the requests are there, the token not.
    let logs = logs();
    let answered = logs.lines().any(|line| {
        line.contains("request{operation=\"images_get\" method=GET path=/v2/images/20}")
            && line.contains("DigitalOcean API answered status=200")
    });
    assert!(
        answered,
        "each answer is logged in its request's span: {logs}"
    );
    for expected in [
        "request_id=\"req-sec-401\"",
        "retrying after a retryable answer",
        "path=/v2/images/23",
        "request to the DigitalOcean API failed",
        "will_retry=true",
        "will_retry=false",
    ] {
        assert!(logs.contains(expected), "{expected:?} not logged: {logs}");
    }
    assert_no_token("the trace output", &logs);
}

#[tokio::test]
async fn a_token_the_server_echoes_back_is_not_shown() {
    let _ = logs();
    let received = Received::default();
    let address = api_server(received.clone()).await;
    let client = builder(&format!("http://{address}")).build().unwrap();
    let api = client.images().get(36).send().await.unwrap_err();
    assert!(matches!(api, Error::Api { status: 400, .. }), "{api:?}");
    let decode = client.images().get(37).send().await.unwrap_err();
    assert!(
        matches!(decode, Error::Decode { status: 400, .. }),
        "{decode:?}"
    );
    assert_eq!(received.all().len(), 2);
    for (what, error) in [("an echoing API error", &api), ("an echoing body", &decode)] {
        let shown = every_rendering(error);
        assert_no_token(what, &shown);
        // The rest of the message is still there.
        assert!(shown.contains("Authorization: Bearer ***"), "{shown}");
    }
    assert_no_token("the trace output", &logs());
}

#[test]
fn a_token_that_cannot_be_sent_is_refused_without_showing_it() {
    let error = Client::builder()
        .token(format!("{TOKEN}\u{7f}ü"))
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(error.to_string().contains("visible ASCII"), "{error}");
    assert_no_token("a refused token", &every_rendering(&error));
}

// ---------------------------------------------------------------------------
// Plain http

#[test]
fn plain_http_to_a_remote_host_is_refused_when_building() {
    // `build` is not async and sends nothing: the refusal cannot depend on
    // the network. `.invalid` names cannot even resolve.
    for url in [
        "http://example.com",
        "http://example.com:80/",
        "http://api.digitalocean.com",
        "HTTP://EXAMPLE.INVALID",
        "http://10.0.0.1:8080",
        "http://192.168.1.10",
        "http://0.0.0.0:3000",
        "http://localhost.example.invalid",
        "http://127.0.0.1.example.invalid",
        "http://localhost@example.invalid",
    ] {
        let error = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .build()
            .unwrap_err();
        let shown = error.to_string();
        assert!(matches!(error, Error::Config(_)), "{url}: {error:?}");
        assert!(shown.contains("https is required"), "{url}: {shown}");
        assert_no_token(url, &every_rendering(&error));
    }
    let remote = builder("http://api.example.com").build().unwrap_err();
    assert!(
        remote.to_string().contains("http to api.example.com:"),
        "{remote}"
    );
    for url in [
        "https://example.com",
        "https://api.digitalocean.com/",
        "http://127.0.0.1:8080",
        "http://127.0.0.2",
        "http://localhost:3000",
        "http://LOCALHOST:3000",
        "http://[::1]:9000",
    ] {
        let client = Client::builder().token(TOKEN).base_url(url).build();
        assert!(client.is_ok(), "{url}: {:?}", client.err());
    }
}

#[tokio::test]
async fn plain_http_to_loopback_works_by_address_and_by_name() {
    let received = Received::default();
    let address = api_server(received.clone()).await;
    let port = address.port();
    let mut urls = vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    // IPv6 may be switched off on this machine; test [::1] when it is not.
    let app = axum::Router::new().fallback(|| async { axum::Json(image_body(26)) });
    if let Some(v6_address) = serve_on("[::1]:0", app).await {
        urls.push(format!("http://[::1]:{}", v6_address.port()));
    }
    for url in urls {
        let client = builder(&url).build().unwrap();
        let image = client.images().get(26).send().await;
        assert_eq!(image.unwrap().id, 26, "{url}");
    }
}

// ---------------------------------------------------------------------------
// Redirects

/// A server that redirects every request to `to` + the request's path, with
/// `status`, recording what it received.
async fn redirecting_server(status: StatusCode, to: String, received: Received) -> SocketAddr {
    let app = axum::Router::new()
        .fallback(
            move |State(received): State<Received>, uri: Uri, headers: HeaderMap| {
                let location = format!("{to}{}", uri.path());
                async move {
                    received
                        .0
                        .lock()
                        .unwrap()
                        .push((uri.path().to_string(), headers));
                    (status, [("location", location)]).into_response()
                }
            },
        )
        .with_state(received);
    serve_on("127.0.0.1:0", app).await.unwrap()
}

#[tokio::test]
async fn no_redirect_is_followed_and_the_error_names_where_it_pointed() {
    let target_received = Received::default();
    let target = api_server(target_received.clone()).await;
    let port = target.port();
    for status in [
        StatusCode::MOVED_PERMANENTLY,
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        // Another origin, and the same address with another port.
        for to in [
            format!("http://localhost:{port}"),
            format!("http://127.0.0.1:{port}"),
        ] {
            let origin_received = Received::default();
            let origin = redirecting_server(status, to.clone(), origin_received.clone()).await;
            let client = builder(&format!("http://{origin}")).build().unwrap();
            let error = client.images().get(27).send().await.unwrap_err();
            match &error {
                Error::Redirect {
                    status: got,
                    location,
                } => {
                    assert_eq!(*got, status.as_u16());
                    assert_eq!(location.as_deref(), Some(&*format!("{to}/v2/images/27")));
                }
                other => panic!("{status} to {to}: {other:?}"),
            }
            let shown = error.to_string();
            assert!(shown.contains(&format!("{to}/v2/images/27")), "{shown}");
            assert!(shown.contains("not followed"), "{shown}");
            assert_eq!(origin_received.all().len(), 1, "sent once, not retried");
        }
    }
    assert!(
        target_received.all().is_empty(),
        "a redirect was followed: {:?}",
        target_received.all()
    );
}

#[tokio::test]
async fn the_base_urls_password_is_in_no_error_or_debug_output() {
    let _ = logs();
    // The redirect points back to the same origin, with the base URL's
    // user and password, as a server may echo it.
    let origin_received = Received::default();
    let origin = redirecting_server(
        StatusCode::FOUND,
        "http://doimg:SECRETpassword@127.0.0.1:9".to_string(),
        origin_received.clone(),
    )
    .await;
    let client = builder(&format!("http://doimg:SECRETpassword@{origin}"))
        .build()
        .unwrap();
    let error = client.images().get(7).send().await.unwrap_err();
    assert!(matches!(error, Error::Redirect { .. }), "{error:?}");
    let shown = format!("{}\n{client:?}", every_rendering(&error));
    assert!(
        shown.contains("http://***@127.0.0.1:9/v2/images/7"),
        "{shown}"
    );
    // A base URL refused when the client is built.
    for refused in [
        "ftp://doimg:SECRETpassword@127.0.0.1/",
        "http://doimg:SECRETpassword@127.0.0.1/?q=1",
        "http://doimg:SECRETpassword@127.0.0.1:bad/",
    ] {
        let error = builder(refused).build().unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        assert!(error.to_string().contains("***@127.0.0.1"), "{error}");
        assert!(!every_rendering(&error).contains("SECRET"), "{error:?}");
    }
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(!logs().contains("SECRETpassword"));
}

#[tokio::test]
async fn a_redirected_import_is_not_sent_again_and_the_query_is_not_shown() {
    // A 307 would re-send the POST body (an import URL, which may be a
    // presigned URL) to wherever it points.
    let target_received = Received::default();
    let target = api_server(target_received.clone()).await;
    let to = format!("http://{target}");
    let app = axum::Router::new().fallback(move || {
        let location = format!("{to}/v2/images?X-Amz-Signature=SECRETsignature#frag");
        async move { (StatusCode::TEMPORARY_REDIRECT, [("location", location)]).into_response() }
    });
    let origin = serve_on("127.0.0.1:0", app).await.unwrap();
    let client = builder(&format!("http://{origin}")).build().unwrap();
    let error = client
        .images()
        .create_custom(
            "disk",
            "https://bucket.example.com/disk.qcow2?X-Amz-Signature=SECRETimport",
            "nyc3",
        )
        .send()
        .await
        .unwrap_err();
    let shown = every_rendering(&error);
    assert!(
        matches!(error, Error::Redirect { status: 307, .. }),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("http://{target}/v2/images")),
        "{shown}"
    );
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(target_received.all().is_empty());
}
