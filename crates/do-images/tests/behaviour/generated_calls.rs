//! Any operation of the generated client, used through `Client::api` and
//! `Client::call` before a builder exists for it: it goes through the same
//! executor (token, retries, rate limits, body size limit) and fails with
//! this crate's errors. The account-transfer operations have no builder.

use std::time::Duration;

use do_images::{Error, RateLimit};
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
                .body(to_email("sammy@example.com"))
                .send(),
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
        Some(RateLimit {
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
        .body_map(|body| body.transfer_id(12))
        .send();
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
        .body_map(|body| body.transfer_id(12))
        .send();
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
    let clock = do_images::ManualClock::default();
    let client = builder(&server, &clock)
        .max_body_size(1024)
        .build()
        .unwrap();
    let api = client.api();
    let create = api
        .image_account_transfers_create()
        .image_id(7555620u64)
        .body(to_email("sammy@example.com"))
        .send();
    let error = client.call(create).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1024 }),
        "{error:?}"
    );
}
