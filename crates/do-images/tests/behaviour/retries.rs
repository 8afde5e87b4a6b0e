use std::time::Duration;

use do_images::{Error, RateLimitStatus, RetryPolicy};
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{builder, client, error_body, image, within_seconds};

/// The most jitter a `429`'s wait gets by default: as much again as its
/// 1 s floor (`ManualClock` always draws it).
const RATE_LIMIT_JITTER_MAX: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(429)
                    .header("content-type", "application/json")
                    .header("Retry-After", "7")
                    .header("RateLimit-Limit", "5000")
                    .header("RateLimit-Remaining", "0")
                    .header("RateLimit-Reset", "1700000100")
                    .json_body(error_body(
                        "too_many_requests",
                        "API Rate limit exceeded.",
                        "r-1",
                    ));
            })
            .await;
        limited.up_to_n_times_async(1).await;
        let ok = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .header("ratelimit-limit", "5000")
                    .header("ratelimit-remaining", "4999")
                    .header("ratelimit-reset", "1700000200")
                    .json_body(json!({"image": image(7, "web", "available")}));
            })
            .await;
        let (client, clock) = client(&server);

        let image = client.images().get(7).send().await.unwrap();

        assert_eq!(image.id, 7);
        // ManualClock: the most jitter is added to what the server asked for.
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(7) + RATE_LIMIT_JITTER_MAX]
        );
        limited.assert_calls_async(1).await;
        ok.assert_calls_async(1).await;
        assert_eq!(
            client.rate_limit(),
            Some(RateLimitStatus {
                limit: 5000,
                remaining: 4999,
                reset: 1_700_000_200
            })
        );
    })
    .await;
}

#[tokio::test]
async fn a_429_without_retry_after_waits_until_ratelimit_reset() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                // The manual clock's wall time starts at 1_700_000_000.
                then.status(429)
                    .header("ratelimit-limit", "5000")
                    .header("ratelimit-remaining", "0")
                    .header("ratelimit-reset", "1700000030")
                    .json_body(error_body("too_many_requests", "slow down", "r-2"));
            })
            .await;
        limited.up_to_n_times_async(1).await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": image(7, "web", "available")}));
            })
            .await;
        let (client, clock) = client(&server);
        client.images().get(7).send().await.unwrap();
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(30) + RATE_LIMIT_JITTER_MAX]
        );
    })
    .await;
}

#[tokio::test]
async fn a_429_asking_for_too_long_a_wait_is_returned_at_once_with_the_rate_limit() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(429)
                    .header("ratelimit-limit", "5000")
                    .header("ratelimit-remaining", "0")
                    .header("ratelimit-reset", "1700003000")
                    .json_body(error_body("too_many_requests", "hourly limit", "r-3"));
            })
            .await;
        let (client, clock) = client(&server);
        let error = client.images().get(7).send().await.unwrap_err();
        limited.assert_calls_async(1).await;
        assert!(clock.sleeps().is_empty());
        assert!(error.is_retryable());
        assert_eq!(error.status(), Some(429));
        assert_eq!(
            error.rate_limit(),
            Some(RateLimitStatus {
                limit: 5000,
                remaining: 0,
                reset: 1_700_003_000
            })
        );
        assert!(error.to_string().contains("request r-3"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn a_non_json_503_is_retried_then_succeeds() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let unavailable = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(503)
                    .header("content-type", "text/html")
                    .body("<html><body>503 Service Temporarily Unavailable</body></html>");
            })
            .await;
        unavailable.up_to_n_times_async(1).await;
        let ok = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": image(7, "web", "available")}));
            })
            .await;
        let (client, clock) = client(&server);
        let image = client.images().get(7).send().await.unwrap();
        assert_eq!(image.name, "web");
        unavailable.assert_calls_async(1).await;
        ok.assert_calls_async(1).await;
        // ManualClock: the first backoff is its cap, 500 ms.
        assert_eq!(clock.sleeps(), vec![Duration::from_millis(500)]);
    })
    .await;
}

#[tokio::test]
async fn a_persistent_non_json_503_is_a_decode_error_with_status_and_excerpt() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let unavailable = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(503)
                    .header("x-request-id", "proxy-77")
                    .body("<html>503 Service Temporarily Unavailable</html>");
            })
            .await;
        let (client, clock) = client(&server);
        let error = client.images().get(7).send().await.unwrap_err();
        unavailable.assert_calls_async(4).await;
        assert_eq!(
            clock.sleeps(),
            vec![
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
        match &error {
            Error::Decode {
                status,
                excerpt,
                request_id,
                ..
            } => {
                assert_eq!(*status, 503);
                assert!(
                    excerpt.contains("Service Temporarily Unavailable"),
                    "{excerpt}"
                );
                assert_eq!(request_id.as_deref(), Some("proxy-77"));
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        assert!(error.is_retryable());
        assert!(error.to_string().contains("HTTP 503"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_500() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let failed = server
            .mock_async(|when, then| {
                when.method(POST).path("/v2/images");
                then.status(500).json_body(error_body(
                    "server_error",
                    "Server was unable to give you a response.",
                    "r-500",
                ));
            })
            .await;
        let (client, clock) = client(&server);
        let error = client
            .images()
            .create_custom("img", "https://example.com/a.qcow2", "nyc3")
            .send()
            .await
            .unwrap_err();
        failed.assert_calls_async(1).await;
        assert!(clock.sleeps().is_empty());
        assert!(matches!(error, Error::Api { status: 500, .. }), "{error:?}");
    })
    .await;
}

#[tokio::test]
async fn a_post_is_retried_after_a_429() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(POST).path("/v2/images/7/actions");
                then.status(429)
                    .header("retry-after", "2")
                    .json_body(error_body("too_many_requests", "slow down", "r"));
            })
            .await;
        limited.up_to_n_times_async(1).await;
        let started = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v2/images/7/actions")
                    .json_body(json!({"type": "convert"}));
                then.status(201)
                    .json_body(json!({"action": crate::common::action(99, "in-progress")}));
            })
            .await;
        let (client, clock) = client(&server);
        let action = client.actions(7).convert().send().await.unwrap();
        assert_eq!(action.id, 99);
        started.assert_calls_async(1).await;
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(2) + RATE_LIMIT_JITTER_MAX]
        );
    })
    .await;
}

/// A URL whose port refuses connections for as long as the returned socket
/// lives: connections are refused before anything is sent, so even a POST
/// may be retried. The socket is bound (no concurrent test can take the
/// port) but never listens.
fn refusing_url() -> (tokio::net::TcpSocket, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    (socket, format!("http://{address}"))
}

#[tokio::test]
async fn connection_failures_are_retried_for_get_and_post_then_reported() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let clock = do_images_test_util::ManualClock::default();
        let (_refusing, url) = refusing_url();
        let client = builder(&server, &clock).base_url(url).build().unwrap();
        let error = client.images().get(7).send().await.unwrap_err();
        assert!(
            matches!(error, Error::Transport { attempts: 4, .. }),
            "{error:?}"
        );
        assert!(error.is_retryable());
        assert_eq!(clock.sleeps().len(), 3);

        let error = client
            .images()
            .create_custom("img", "https://example.com/a.qcow2", "nyc3")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Transport { attempts: 4, .. }),
            "{error:?}"
        );
        assert_eq!(clock.sleeps().len(), 6);
    })
    .await;
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(502)
                    .json_body(error_body("server_error", "bad gateway", "r"));
            })
            .await;
        let clock = do_images_test_util::ManualClock::default();
        let client = builder(&server, &clock)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let error = client.images().get(7).send().await.unwrap_err();
        failing.assert_calls_async(1).await;
        assert!(clock.sleeps().is_empty());
        assert_eq!(error.status(), Some(502));
    })
    .await;
}

#[tokio::test]
async fn a_client_error_is_not_retried_and_keeps_what_the_api_said() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let missing = server
            .mock_async(|when, then| {
                when.method(DELETE).path("/v2/images/7");
                then.status(404)
                    .header("ratelimit-limit", "5000")
                    .header("ratelimit-remaining", "4000")
                    .header("ratelimit-reset", "1700000000")
                    .json_body(error_body(
                        "not_found",
                        "The resource you requested could not be found.",
                        "4d9d8375",
                    ));
            })
            .await;
        let (client, clock) = client(&server);
        let error = client.images().delete(7).send().await.unwrap_err();
        missing.assert_calls_async(1).await;
        assert!(clock.sleeps().is_empty());
        match &error {
            Error::Api {
                status,
                id,
                message,
                request_id,
                rate_limit,
            } => {
                assert_eq!(*status, 404);
                assert_eq!(id, "not_found");
                assert_eq!(message, "The resource you requested could not be found.");
                assert_eq!(request_id.as_deref(), Some("4d9d8375"));
                assert_eq!(rate_limit.map(|r| r.remaining), Some(4000));
            }
            other => panic!("expected Api, got {other:?}"),
        }
        assert!(!error.is_retryable());
        assert_eq!(
            error.to_string(),
            "not_found: The resource you requested could not be found. (HTTP 404, request 4d9d8375)"
        );
    })
    .await;
}

#[tokio::test]
async fn a_request_timeout_is_a_timeout_error() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .delay(Duration::from_millis(400))
                    .json_body(json!({"image": image(7, "web", "available")}));
            })
            .await;
        let clock = do_images_test_util::ManualClock::default();
        let client = builder(&server, &clock)
            .request_timeout(Duration::from_millis(30))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let error = client.images().get(7).send().await.unwrap_err();
        assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
        assert!(error.is_retryable());
    })
    .await;
}

#[tokio::test]
async fn an_oversize_body_is_refused_unread() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200).json_body(json!({
                    "image": image(7, &"x".repeat(5000), "available")
                }));
            })
            .await;
        let clock = do_images_test_util::ManualClock::default();
        let client = builder(&server, &clock)
            .max_body_size(1024)
            .build()
            .unwrap();
        let error = client.images().get(7).send().await.unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
            "{error:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_custom_retry_policy_takes_effect() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let unavailable = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(503)
                    .json_body(error_body("server_error", "try later", "r-503"));
            })
            .await;
        let clock = do_images_test_util::ManualClock::default();
        let policy = RetryPolicy::default()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(150));
        let client = builder(&server, &clock)
            .retry_policy(policy)
            .build()
            .unwrap();
        let error = client.images().get(7).send().await.unwrap_err();
        assert_eq!(error.status(), Some(503));
        unavailable.assert_calls_async(3).await;
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_millis(100), Duration::from_millis(150)]
        );
    })
    .await;
}
