//! The token never shows in logs, `Debug` or `Display`. A test binary of its
//! own: tracing's per-thread subscriber is only reliable when no other test
//! registers callsites at the same time.

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use serde_json::json;

#[path = "behaviour/common.rs"]
mod common;

use common::{TOKEN, client, error_body, image};

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

#[tokio::test]
async fn the_token_is_absent_from_debug_display_and_logs() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    let unauthorized = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(401)
                .header("ratelimit-remaining", "4999")
                .json_body(error_body(
                    "unauthorized",
                    "Unable to authenticate you.",
                    "req-401",
                ));
        })
        .await;
    let flaky = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/8");
            then.status(503).body("upstream down");
        })
        .await;
    flaky.up_to_n_times_async(1).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/8");
            then.status(200)
                .json_body(json!({"image": image(8, "ok", "available")}));
        })
        .await;
    let (client, _) = client(&server);
    let error = client.images().get(7).send().await.unwrap_err();
    client.images().get(8).send().await.unwrap();
    unauthorized.assert_calls_async(1).await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("status=401"),
        "the requests were not logged: {logs}"
    );
    assert!(
        logs.contains("req-401") || logs.contains("attempt=1"),
        "{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    let shown = [
        logs,
        format!("{client:?}"),
        format!("{error:?}"),
        error.to_string(),
        format!("{:?}", do_images::Token::new(TOKEN)),
    ];
    for text in shown {
        assert!(!text.contains(TOKEN), "token leaked in: {text}");
        assert!(!text.contains("SECRETtoken"), "token leaked in: {text}");
    }
    assert!(error.to_string().contains("request req-401"), "{error}");
    assert!(
        error.to_string().contains("check that the token"),
        "{error}"
    );
}
