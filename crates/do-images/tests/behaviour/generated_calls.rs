//! Any operation of the generated client, used through `Client::api` and
//! `Client::call` before a builder exists for it: it goes through the same
//! executor (token, retries, rate limits, body size limit) and fails with
//! this crate's errors. The account-transfer operations have no builder.

use std::time::Duration;

use do_images::{Error, RateLimitStatus};
use do_images_api::types::{ImageAccountTransferRequest, ImageAccountTransferToEmail};
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{TOKEN, builder, client, error_body};

fn to_email(address: &str) -> ImageAccountTransferRequest {
    ImageAccountTransferToEmail {
        recipient_email: address.into(),
    }
    .into()
}

#[tokio::test]
async fn a_generated_call_is_authenticated_retried_and_rate_limited_like_the_builders() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(429)
                .header("retry-after", "3")
                .json_body(error_body("too_many_requests", "slow down", "r-1"));
        })
        .await;
    limited.up_to_n_times_async(1).await;
    let created = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_matches("user-agent", "^do-images/")
                .json_body(json!({"recipient_email": "sammy@example.com"}));
            then.status(201)
                .header("ratelimit-limit", "5000")
                .header("ratelimit-remaining", "4321")
                .header("ratelimit-reset", "1700000200")
                .json_body(json!({"transfer_id": 7501}));
        })
        .await;
    let (client, clock) = client(&server);
    let api = client.api();

    let answer = client
        .call(
            api.image_account_transfers_create()
                .image_id(7555620u64)
                .body(to_email("sammy@example.com")),
        )
        .await
        .unwrap();

    assert_eq!(answer.transfer_id, 7501);
    limited.assert_calls_async(1).await;
    created.assert_calls_async(1).await;
    // The 3 s the 429 asked for, plus the jitter (at most a second, and
    // this clock's jitter is always the most).
    assert_eq!(clock.sleeps(), [Duration::from_secs(4)]);
    assert_eq!(
        client.rate_limit(),
        Some(RateLimitStatus {
            limit: 5000,
            remaining: 4321,
            reset: 1_700_000_200
        })
    );
}

#[tokio::test]
async fn a_generated_call_fails_with_this_crates_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer/cancel");
            then.status(404)
                .header("x-request-id", "r-404")
                .json_body(error_body(
                    "not_found",
                    "The resource you were accessing could not be found.",
                    "r-404",
                ));
        })
        .await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer/decline");
            then.status(503).body("<html>down for maintenance</html>");
        })
        .await;
    let (client, _) = client(&server);
    let api = client.api();
    let cancel = api
        .image_account_transfers_cancel()
        .image_id(7555620u64)
        .body_map(|body| body.transfer_id(12));
    let error = client.call(cancel).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Api { status: 404, id, request_id: Some(request_id), .. }
                if id == "not_found" && request_id == "r-404"
        ),
        "{error:?}"
    );

    // A POST answered 503 may have been acted on: sent once, and the error
    // keeps the status the generated client loses.
    let decline = api
        .image_account_transfers_decline()
        .image_id(7555620u64)
        .body_map(|body| body.transfer_id(12));
    let error = client.call(decline).await.unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    unavailable.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_generated_call_obeys_the_body_size_limit() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer");
            then.status(201)
                .json_body(json!({"transfer_id": 7501, "padding": "x".repeat(4096)}));
        })
        .await;
    let clock = do_images_test_util::ManualClock::default();
    let client = builder(&server, &clock)
        .max_body_size(1024)
        .build()
        .unwrap();
    let api = client.api();
    let create = api
        .image_account_transfers_create()
        .image_id(7555620u64)
        .body(to_email("sammy@example.com"));
    let error = client.call(create).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                limit: 1024,
                status: 201,
                ..
            }
        ),
        "{error:?}"
    );

    // The generated client's own `send()` goes through the same executor:
    // the body is not read, and the limit is the cause of the error.
    let sent = api
        .image_account_transfers_create()
        .image_id(7555620u64)
        .body(to_email("sammy@example.com"))
        .send()
        .await
        .unwrap_err();
    let mut causes = Vec::new();
    let mut cause: Option<&dyn std::error::Error> = Some(&sent);
    while let Some(error) = cause {
        causes.push(error.to_string());
        cause = error.source();
    }
    assert!(
        matches!(sent, do_images_api::Error::ResponseBodyError(_)),
        "{sent:?}"
    );
    assert!(
        causes.iter().any(|c| c.contains("limit of 1024 bytes")),
        "{causes:?}"
    );
}

#[tokio::test]
async fn an_error_of_a_generated_call_keeps_all_the_api_said_both_ways_it_is_read() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images");
            then.status(503)
                .header("x-request-id", "r-503")
                .header("ratelimit-limit", "5000")
                .header("ratelimit-remaining", "4000")
                .header("ratelimit-reset", "1700000300")
                .json_body(error_body(
                    "service_unavailable",
                    "try again later",
                    "r-503",
                ));
        })
        .await;
    let clock = do_images_test_util::ManualClock::default();
    let client = builder(&server, &clock)
        .retry_policy(do_images::RetryPolicy::default().with_max_attempts(3))
        .build()
        .unwrap();
    let api = client.api();
    let expected_rate_limit = Some(RateLimitStatus {
        limit: 5000,
        remaining: 4000,
        reset: 1_700_000_300,
    });

    // The model (`call`) and the raw JSON (`call_as`) of the same request
    // fail the same way.
    let typed = client.call(api.images_list()).await.unwrap_err();
    let raw = client
        .call_as::<serde_json::Value, _>(api.images_list())
        .await
        .unwrap_err();

    for error in [typed, raw] {
        match &error {
            Error::Api {
                status,
                id,
                message,
                request_id,
                rate_limit,
                ..
            } => {
                assert_eq!(*status, 503);
                assert_eq!(id, "service_unavailable");
                assert_eq!(message, "try again later");
                assert_eq!(request_id.as_deref(), Some("r-503"));
                assert_eq!(*rate_limit, expected_rate_limit);
            }
            other => panic!("{other:?}"),
        }
        assert!(error.is_retryable(), "{error:?}");
    }
    // Each call was sent three times, as the policy allows.
    failing.assert_calls_async(6).await;
}

#[tokio::test]
async fn a_generated_call_that_times_out_says_how_often_it_was_sent() {
    let server = MockServer::start_async().await;
    let stalled = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images");
            then.status(200).delay(Duration::from_secs(30));
        })
        .await;
    let clock = do_images_test_util::ManualClock::default();
    let client = builder(&server, &clock)
        .request_timeout(Duration::from_millis(200))
        .retry_policy(do_images::RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();

    let error = client
        .call_as::<Box<serde_json::value::RawValue>, _>(client.api().images_list())
        .await
        .unwrap_err();

    assert!(
        matches!(error, Error::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    stalled.assert_calls_async(2).await;
}
