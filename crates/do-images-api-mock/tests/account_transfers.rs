//! The generated helpers of the four account-transfer operations match what
//! the client sends and answer what the spec documents. What the client
//! sends and how it decodes each answer is tested once, with hand-written
//! matchers, in `do-images-api`'s `account_transfers` tests; the responders
//! every operation shares (`not_found`, any error status) in `helpers`.

use std::num::NonZeroU64;

use do_images_api::types::{
    self, ImageAccountTransferAccept, ImageAccountTransferCreated, ImageAccountTransferRef,
    ImageAccountTransferRequest, ImageAccountTransferToEmail, ImageAccountTransferToTeam,
};
use do_images_api::{Client, Error};
use do_images_api_mock::MockServerExt;
use httpmock::MockServer;

const TOKEN: &str = "dop_v1_mock_transfer_test_token";
const TEAM: &str = "3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

fn id(value: u64) -> NonZeroU64 {
    NonZeroU64::new(value).unwrap()
}

fn to_email() -> ImageAccountTransferRequest {
    ImageAccountTransferToEmail {
        recipient_email: "sammy@example.com".into(),
    }
    .into()
}

fn to_team() -> ImageAccountTransferRequest {
    ImageAccountTransferToTeam {
        recipient_uuid: TEAM.into(),
    }
    .into()
}

#[tokio::test]
async fn create_matches_each_recipient() {
    let server = MockServer::start_async().await;
    let by_email = server.image_account_transfers_create(|when, then| {
        when.image_id(id(7555620)).body(&to_email());
        then.created(&ImageAccountTransferCreated { transfer_id: 7501 });
    });
    let by_team = server.image_account_transfers_create(|when, then| {
        when.image_id(id(7555620)).body(&to_team());
        then.created(&ImageAccountTransferCreated { transfer_id: 0 });
    });
    let client = client(&server);

    client
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_email())
        .send()
        .await
        .unwrap();
    client
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_team())
        .send()
        .await
        .unwrap();

    by_email.assert();
    by_team.assert();
}

#[tokio::test]
async fn create_answers_bad_request() {
    let server = MockServer::start_async().await;
    let mock = server.image_account_transfers_create(|when, then| {
        when.image_id(id(7555620));
        then.bad_request(&types::Error {
            id: "bad_request".into(),
            message: "exactly one of recipient_email and recipient_uuid is required".into(),
            request_id: None,
        });
    });
    let result = client(&server)
        .image_account_transfers_create()
        .image_id(7555620)
        .body(to_team())
        .send()
        .await;
    mock.assert();
    match result {
        Err(Error::ErrorResponse(response)) => assert_eq!(response.status().as_u16(), 400),
        other => panic!("expected a typed 400, got {other:?}"),
    }
}

#[tokio::test]
async fn accept_matches_its_body_and_takes_created_or_no_content() {
    let server = MockServer::start_async().await;
    let accept = |transfer: u64| ImageAccountTransferAccept {
        transfer_id: id(transfer),
        recipient_uuid: TEAM.into(),
    };
    let created = server.image_account_transfers_accept(|when, then| {
        when.image_id(id(7555620)).body(&accept(1));
        then.created();
    });
    let no_content = server.image_account_transfers_accept(|when, then| {
        when.image_id(id(7555620)).body(&accept(2));
        then.no_content();
    });
    let client = client(&server);

    for (transfer, status) in [(1, 201), (2, 204)] {
        let answer = client
            .image_account_transfers_accept()
            .image_id(7555620)
            .body(accept(transfer))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status);
    }
    created.assert();
    no_content.assert();
}

#[tokio::test]
async fn cancel_and_decline_match_the_transfer_id() {
    let server = MockServer::start_async().await;
    let body = ImageAccountTransferRef {
        transfer_id: id(7501),
    };
    let cancel = server.image_account_transfers_cancel(|when, then| {
        when.image_id(id(7555620)).body(&body);
        then.no_content();
    });
    let decline = server.image_account_transfers_decline(|when, then| {
        when.image_id(id(7555621)).body(&body);
        then.no_content();
    });
    let client = client(&server);

    client
        .image_account_transfers_cancel()
        .image_id(7555620)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    client
        .image_account_transfers_decline()
        .image_id(7555621)
        .body(body.clone())
        .send()
        .await
        .unwrap();

    cancel.assert();
    decline.assert();
}
