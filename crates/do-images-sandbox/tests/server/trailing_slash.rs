//! Every path is answered with a trailing slash too, as the API does:
//! python-digitalocean lists with `GET /v2/images/?per_page=200`.

use crate::common;

use common::Harness;
use do_images_sandbox::SandboxConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_listing_with_a_trailing_slash_is_the_same_listing() {
    let h = Harness::start(SandboxConfig::default().with_images(300)).await;
    let with = h.get("/v2/images/?per_page=200").await;
    let without = h.get("/v2/images?per_page=200").await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.text);
    assert_eq!(with.json, without.json);
    assert_eq!(with.json["images"].as_array().unwrap().len(), 200);
    assert!(with.headers.contains_key("ratelimit-remaining"));
    let log = h.sandbox.request_log();
    assert_eq!(log[0].target, "/v2/images/?per_page=200");
    assert_eq!(log[0].operation, Some("images_list"));
}

#[tokio::test]
async fn every_operation_takes_a_trailing_slash() {
    let h = Harness::start(SandboxConfig::default().with_images(120)).await;
    let second = h.sandbox.accounts()[1].clone();
    let created = h
        .send(
            Method::POST,
            "/v2/images/",
            Some(json!({"name": "slash", "url": "https://example.com/s.qcow2", "region": "nyc3"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.text);
    let id = created.json["image"]["id"].as_u64().unwrap();
    let snapshot = h.get("/v2/images/?private=true&per_page=200").await.json["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "snapshot")
        .unwrap()["id"]
        .as_u64()
        .unwrap();

    let answers = [
        h.get(&format!("/v2/images/{id}/")).await,
        h.send(
            Method::PUT,
            &format!("/v2/images/{id}/"),
            Some(json!({"name": "s2"})),
        )
        .await,
        h.get(&format!("/v2/images/{snapshot}/actions/")).await,
        h.send(
            Method::POST,
            &format!("/v2/images/{snapshot}/actions/"),
            Some(json!({"type": "transfer", "region": "atl1"})),
        )
        .await,
    ];
    for answer in &answers {
        assert!(
            answer.status.is_success(),
            "{} {}",
            answer.status,
            answer.text
        );
    }
    let action = answers[3].json["action"]["id"].as_u64().unwrap();
    let got = h
        .get(&format!("/v2/images/{snapshot}/actions/{action}/"))
        .await;
    assert_eq!(got.status, StatusCode::OK);

    let started = h
        .send(
            Method::POST,
            &format!("/v2/images/{snapshot}/account_transfer/"),
            Some(json!({"recipient_email": second.email})),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
    let cancelled = h
        .send(
            Method::POST,
            &format!("/v2/images/{snapshot}/account_transfer/cancel/"),
            Some(json!({"transfer_id": started.json["transfer_id"]})),
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::NO_CONTENT,
        "{}",
        cancelled.text
    );
    let deleted = h
        .send(Method::DELETE, &format!("/v2/images/{id}/"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let stats = h.sandbox.stats();
    for operation in [
        "images_create_custom",
        "images_get",
        "images_update",
        "images_delete",
        "image_actions_list",
        "image_actions_post",
        "image_actions_get",
        "image_account_transfers_create",
        "image_account_transfers_cancel",
    ] {
        assert!(stats.operation(operation) >= 1, "{operation} not counted");
    }
    // Two slashes are not a path the API has.
    assert_eq!(h.get("/v2/images//").await.status, StatusCode::NOT_FOUND);
}
