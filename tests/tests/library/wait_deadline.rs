//! Waiters against servers that stall, throttle or lose the image: a wait
//! ends at its `max_wait` whatever the server does (the poll in flight, its
//! retries and its rate-limit sleeps are cut there), and an image that
//! disappears after a successful poll fails the wait as gone.
//!
//! The stalling and throttling servers are hand-made listeners on 127.0.0.1
//! that answer the first poll and then misbehave; the sandbox covers slow
//! answers and deletion. Each wait runs under an outer limit far above its
//! `max_wait`, so a waiter that outlives its deadline fails the test
//! instead of hanging it.

use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use do_images::{Error, WaitOptions};
use do_images_e2e::{GOOD_URL, client_for, quick_config, start};
use do_images_sandbox::{Faults, ImportTiming};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "dop_v1_deadline0123456789";

/// What the hand-made server does with the second and later requests.
#[derive(Clone, Copy)]
enum Then {
    /// Reads the request and never answers.
    Stall,
    /// Answers 429 asking for a wait of this many seconds.
    TooManyRequests(u64),
    /// Answers 404, as for an image that no longer exists.
    NotFound,
}

/// A server whose first answer is an image `pending` with `error_message`,
/// and which then behaves as `then`. Returns its base URL and a request
/// counter.
async fn serve(error_message: &str, then: Then) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let image = json!({"image": {
        "id": 7, "name": "web", "type": "custom", "distribution": "Ubuntu", "slug": null,
        "public": false, "regions": [], "created_at": "2024-01-01T00:00:00Z",
        "min_disk_size": 10, "size_gigabytes": 2.5, "description": "", "tags": [],
        "status": "pending", "error_message": error_message,
    }})
    .to_string();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let image = image.clone();
            let counter = counter.clone();
            tokio::spawn(async move { answer(socket, &image, &counter, then).await });
        }
    });
    (base_url, requests)
}

async fn answer(mut socket: TcpStream, image: &str, requests: &AtomicUsize, then: Then) {
    loop {
        let mut head = Vec::new();
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buffer[..n]),
            }
        }
        let (status, extra, body) = match (requests.fetch_add(1, Ordering::SeqCst), then) {
            (0, _) => ("200 OK", String::new(), image.to_string()),
            (_, Then::Stall) => {
                tokio::time::sleep(Duration::from_secs(600)).await;
                return;
            }
            (_, Then::TooManyRequests(seconds)) => (
                "429 Too Many Requests",
                format!("retry-after: {seconds}\r\n"),
                json!({"id": "too_many_requests", "message": "slow down"}).to_string(),
            ),
            (_, Then::NotFound) => (
                "404 Not Found",
                String::new(),
                json!({"id": "not_found", "message": "The resource was not found."}).to_string(),
            ),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn options(max_wait: Duration) -> WaitOptions {
    WaitOptions::default()
        .max_wait(max_wait)
        .min_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(50))
}

/// Runs the wait, failing the test if it outlives its deadline by 20 s;
/// returns its outcome and how long it took.
async fn timed<T>(wait: impl IntoFuture<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(20), wait.into_future())
        .await
        .expect("the wait outlived its max_wait by 20 s");
    (outcome, started.elapsed())
}

fn assert_timed_out_after_pending<T: std::fmt::Debug>(
    outcome: Result<T, Error>,
    took: Duration,
    max_wait: Duration,
) {
    match outcome {
        Err(Error::WaitTimedOut {
            resource: "image",
            id: 7,
            last_status,
            waited,
        }) => {
            assert_eq!(last_status.as_deref(), Some("pending"));
            assert!(waited >= max_wait, "waited {waited:?}");
        }
        other => panic!("expected WaitTimedOut, got {other:?}"),
    }
    // A generous bound: the server would hold the wait for minutes.
    assert!(took < max_wait + Duration::from_secs(3), "took {took:?}");
}

#[tokio::test]
async fn a_stalled_poll_is_cut_at_the_deadline() {
    let (base_url, requests) = serve("", Then::Stall).await;
    let client = do_images::Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .build()
        .unwrap();
    let max_wait = Duration::from_secs(1);
    let (outcome, took) = timed(
        client
            .images()
            .wait_until_available(7, options(max_wait))
            .send(),
    )
    .await;
    assert_timed_out_after_pending(outcome, took, max_wait);
    assert!(
        requests.load(Ordering::SeqCst) >= 2,
        "the second poll was sent"
    );
}

#[tokio::test]
async fn rate_limit_sleeps_are_cut_at_the_deadline() {
    let (base_url, requests) = serve("", Then::TooManyRequests(50)).await;
    let client = do_images::Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .build()
        .unwrap();
    let max_wait = Duration::from_secs(1);
    let (outcome, took) = timed(
        client
            .images()
            .wait_until_available(7, options(max_wait))
            .send_json(),
    )
    .await;
    assert_timed_out_after_pending(outcome, took, max_wait);
    assert_eq!(requests.load(Ordering::SeqCst), 2, "one poll, one 429");
}

#[tokio::test]
async fn slow_sandbox_answers_end_the_wait_at_its_deadline() {
    let sandbox = Arc::new(start(quick_config(0)).await);
    let client = client_for(&sandbox);
    let created = client
        .images()
        .create_custom("web", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap();
    let id = created.into_inner().id;
    let slowed = sandbox.clone();
    let max_wait = Duration::from_millis(1500);
    let options = options(max_wait).on_progress(move |_| {
        // After the first successful poll, every answer takes 60 s.
        slowed
            .set_faults(Faults::none().with_slow_responses(1.0, Duration::from_secs(60)))
            .unwrap();
    });
    let (outcome, took) = timed(client.images().wait_until_available(id, options).send()).await;
    match outcome {
        Err(Error::WaitTimedOut { last_status, .. }) => {
            assert_eq!(last_status.as_deref(), Some("NEW"));
        }
        other => panic!("expected WaitTimedOut, got {other:?}"),
    }
    assert!(took < max_wait + Duration::from_secs(3), "took {took:?}");
}

#[tokio::test]
async fn a_max_wait_shorter_than_the_poll_interval_polls_within_it() {
    // `NEW` for 2 s, then `pending` until 10 s: still going at the deadline.
    let sandbox = start(quick_config(0).with_import_timing(ImportTiming::default())).await;
    let client = client_for(&sandbox);
    let created = client
        .images()
        .create_custom("web", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap();
    let id = created.into_inner().id;
    let before = sandbox.request_log().len();
    // Polls 2 s apart at first, 1 s to wait: one poll, then the deadline.
    let max_wait = Duration::from_secs(1);
    let options = WaitOptions::default().max_wait(max_wait);
    let (outcome, took) = timed(client.images().wait_until_available(id, options).send()).await;
    match outcome {
        Err(Error::WaitTimedOut {
            last_status: Some(_),
            waited,
            ..
        }) => assert!(waited >= max_wait, "waited {waited:?}"),
        other => panic!("expected WaitTimedOut after a poll, got {other:?}"),
    }
    assert!(took < max_wait + Duration::from_secs(3), "took {took:?}");
    assert!(sandbox.request_log().len() > before, "it polled");
}

#[tokio::test]
async fn an_image_that_disappears_during_a_wait_fails_it_as_gone() {
    let options = options(Duration::from_secs(10));
    let client = |base_url| {
        do_images::Client::builder()
            .token(TOKEN)
            .base_url(base_url)
            .build()
            .unwrap()
    };
    // One server per wait: each answers its first poll, then 404.
    let (typed, _) = serve("the checksum did not match", Then::NotFound).await;
    let (json, _) = serve("the checksum did not match", Then::NotFound).await;
    for outcome in [
        client(typed)
            .images()
            .wait_until_available(7, options.clone())
            .send()
            .await
            .map(|_| ()),
        client(json)
            .images()
            .wait_until_available(7, options.clone())
            .send_json()
            .await
            .map(|_| ()),
    ] {
        match outcome {
            Err(Error::WaitFailed {
                resource: "image",
                id: 7,
                status,
                error_message,
            }) => {
                assert!(status.contains("gone"), "{status}");
                assert_eq!(error_message.as_deref(), Some("the checksum did not match"));
            }
            other => panic!("expected WaitFailed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_image_deleted_in_the_sandbox_during_a_wait_is_gone_and_a_missing_one_not_found() {
    let sandbox = start(quick_config(0)).await;
    let client = client_for(&sandbox);
    let created = client
        .images()
        .create_custom("web", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap();
    let id = created.into_inner().id;
    let deleter = client.clone();
    let options = options(Duration::from_secs(10)).on_progress(move |progress| {
        if progress.poll == 1 {
            let deleter = deleter.clone();
            tokio::spawn(async move { deleter.images().delete(id).send().await.unwrap() });
        }
    });
    let error = client
        .images()
        .wait_until_available(id, options)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { status, .. } if status.contains("gone")),
        "{error:?}"
    );
    // Never seen at all: a plain not-found, not a failed wait.
    let error = client
        .images()
        .wait_until_available(id, WaitOptions::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { status: 404, .. }), "{error:?}");
}
