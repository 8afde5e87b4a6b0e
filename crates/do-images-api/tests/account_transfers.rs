//! The four image account-transfer operations send exactly the request the
//! API expects (method, path, JSON body, `Authorization: Bearer`) and decode
//! each documented answer.

use do_images_api::Client;
use do_images_api::types::{
    ImageAccountTransferAccept, ImageAccountTransferRef, ImageAccountTransferRequest,
    ImageAccountTransferToEmail, ImageAccountTransferToTeam,
};
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;

const TOKEN: &str = "dop_v1_account_transfers_test_token";
const TEAM: &str = "3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

fn to_email(address: &str) -> ImageAccountTransferRequest {
    ImageAccountTransferToEmail {
        recipient_email: address.into(),
    }
    .into()
}

fn to_team(uuid: &str) -> ImageAccountTransferRequest {
    ImageAccountTransferToTeam {
        recipient_uuid: uuid.into(),
    }
    .into()
}

#[tokio::test]
async fn create_to_an_email_posts_only_the_email_and_reads_the_pending_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .json_body(json!({"recipient_email": "sammy@example.com"}));
            then.status(201).json_body(json!({"transfer_id": 7501}));
        })
        .await;
    let created = client(&server)
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_email("sammy@example.com"))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.transfer_id, 7501);
}

#[tokio::test]
async fn create_to_a_team_posts_only_the_uuid_and_reads_zero_as_accepted() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer")
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(json!({"recipient_uuid": TEAM}));
            then.status(201).json_body(json!({"transfer_id": 0}));
        })
        .await;
    let created = client(&server)
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_team(TEAM))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.transfer_id, 0);
}

#[tokio::test]
async fn create_without_a_body_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let error = client(&server)
        .image_account_transfers_create()
        .image_id(7555620)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, do_images_api::Error::InvalidRequest(_)),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn a_bad_request_answer_is_a_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7555620/account_transfer");
            then.status(400).json_body(json!({
                "id": "bad_request",
                "message": "exactly one of recipient_email and recipient_uuid is required",
                "request_id": "r-1"
            }));
        })
        .await;
    let error = client(&server)
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_email("sammy@example.com"))
        .send()
        .await
        .unwrap_err();
    let do_images_api::Error::ErrorResponse(response) = error else {
        panic!("expected a typed error answer, got {error:?}");
    };
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.id, "bad_request");
    assert!(
        response.message.contains("exactly one"),
        "{}",
        response.message
    );
}

/// Accept is documented as 201 with no body; a 204 means the same.
#[tokio::test]
async fn accept_posts_the_id_and_the_team_and_takes_201_or_204() {
    for status in [201, 204] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v2/images/7555620/account_transfer/accept")
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .header("content-type", "application/json")
                    .json_body(json!({"transfer_id": 7501, "recipient_uuid": TEAM}));
                then.status(status);
            })
            .await;
        let body = ImageAccountTransferAccept::builder()
            .transfer_id(std::num::NonZeroU64::new(7501).unwrap())
            .recipient_uuid(TEAM);
        let accepted = client(&server)
            .image_account_transfers_accept()
            .image_id(7555620)
            .body(body)
            .send()
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(accepted.status().as_u16(), status);
    }
}

#[tokio::test]
async fn accept_requires_the_team_before_sending() {
    let server = MockServer::start_async().await;
    let body =
        ImageAccountTransferAccept::builder().transfer_id(std::num::NonZeroU64::new(7501).unwrap());
    let error = client(&server)
        .image_account_transfers_accept()
        .image_id(7555620)
        .body(body)
        .send()
        .await
        .unwrap_err();
    let do_images_api::Error::InvalidRequest(message) = error else {
        panic!("expected InvalidRequest, got {error:?}");
    };
    assert!(message.contains("recipient_uuid"), "{message}");
}

#[tokio::test]
async fn cancel_and_decline_post_the_id_and_take_204() {
    for operation in ["cancel", "decline"] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(format!("/v2/images/7555620/account_transfer/{operation}"))
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .header("content-type", "application/json")
                    .json_body(json!({"transfer_id": 7501}));
                then.status(204);
            })
            .await;
        let client = client(&server);
        let body = ImageAccountTransferRef {
            transfer_id: std::num::NonZeroU64::new(7501).unwrap(),
        };
        let answered = match operation {
            "cancel" => {
                client
                    .image_account_transfers_cancel()
                    .image_id(7555620)
                    .body(body)
                    .send()
                    .await
            }
            _ => {
                client
                    .image_account_transfers_decline()
                    .image_id(7555620)
                    .body(body)
                    .send()
                    .await
            }
        }
        .unwrap();
        mock.assert_async().await;
        assert_eq!(answered.status().as_u16(), 204, "{operation}");
    }
}

#[tokio::test]
async fn a_zero_transfer_id_is_refused_before_sending() {
    // `transfer_id` has `minimum: 1` in the spec: the builder cannot take 0.
    let server = MockServer::start_async().await;
    let body = ImageAccountTransferRef::builder().transfer_id(0u64);
    let error = client(&server)
        .image_account_transfers_cancel()
        .image_id(7555620)
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, do_images_api::Error::InvalidRequest(_)),
        "{error:?}"
    );
}
