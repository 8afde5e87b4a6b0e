//! Account transfers: which arguments are refused before anything is sent,
//! and that each well-formed request is sent once, to its own path, with
//! the body it names. (Their life cycle against a stateful server is in
//! `tests/tests/library/account_transfers.rs`.)

use do_images::{Error, TransferStarted};
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;

use crate::common::client;

const TEAM: &str = "3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b";

#[tokio::test]
async fn malformed_arguments_are_refused_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_includes("/v2/");
            then.status(201).json_body(json!({"transfer_id": 1}));
        })
        .await;
    let (client, _) = client(&server);
    let transfers = client.account_transfers(7);
    let mut refused = Vec::new();
    for email in [
        "sammy",
        "@example.com",
        "sammy@",
        "a@b@c",
        "sam my@example.com",
        "a\u{7}@b",
    ] {
        refused.push((
            transfers.to_email(email).send().await.map(drop),
            "recipient email",
        ));
    }
    let short_group = "3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6";
    let not_hex = "3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6g";
    let four_groups = "3f1a6c2e-5b7d-4e89-9a0b1c2d3e4f5a6b";
    for uuid in [short_group, not_hex, four_groups, ""] {
        refused.push((transfers.to_team(uuid).send().await.map(drop), "team uuid"));
    }
    refused.push((transfers.accept(5, not_hex).send().await, "team uuid"));
    refused.push((transfers.accept(0, TEAM).send().await, "transfer id"));
    refused.push((transfers.cancel(0).send().await, "transfer id"));
    refused.push((transfers.decline(-1).send().await, "transfer id"));
    let bad_image = client
        .account_transfers(0)
        .to_team(TEAM)
        .send()
        .await
        .map(drop);
    refused.push((bad_image, "image id"));
    for (result, expected) in refused {
        match result {
            Err(Error::InvalidInput { what, .. }) => assert_eq!(what, expected),
            other => panic!("{expected}: expected a refusal, got {other:?}"),
        }
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn each_well_formed_request_is_sent_once_with_its_body() {
    let server = MockServer::start_async().await;
    let path = |step: &str| format!("/v2/images/7/account_transfer{step}");
    let to_email = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path(""))
                .json_body(json!({"recipient_email": "sammy@example.com"}));
            then.status(201).json_body(json!({"transfer_id": 12}));
        })
        .await;
    let to_team = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path(""))
                .json_body(json!({"recipient_uuid": TEAM}));
            then.status(201).json_body(json!({"transfer_id": 0}));
        })
        .await;
    let accept = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path("/accept"))
                .json_body(json!({"transfer_id": 12, "recipient_uuid": TEAM}));
            then.status(204);
        })
        .await;
    let mut steps = Vec::new();
    for step in ["/cancel", "/decline"] {
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(path(step))
                    .json_body(json!({"transfer_id": 12}));
                then.status(204);
            })
            .await;
        steps.push(mock);
    }
    let (client, _) = client(&server);
    let transfers = client.account_transfers(7);
    let pending = transfers
        .to_email("sammy@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(pending, TransferStarted::Pending { transfer_id: 12 });
    let moved = transfers.to_team(TEAM).send().await.unwrap();
    assert_eq!(moved, TransferStarted::Accepted);
    transfers.accept(12, TEAM).send().await.unwrap();
    transfers.cancel(12).send().await.unwrap();
    transfers.decline(12).send().await.unwrap();
    for mock in [&to_email, &to_team, &accept].into_iter().chain(&steps) {
        mock.assert_calls_async(1).await;
    }
}
