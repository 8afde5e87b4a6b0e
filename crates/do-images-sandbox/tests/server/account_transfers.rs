//! Image account transfers between the sandbox's accounts: who sees the
//! image before and after, who may accept, cancel and decline, and every
//! refusal with the status and error id the API uses.

use crate::common;

use common::{Answer, Harness};
use do_images_sandbox::{Account, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A sandbox with the default accounts: primary (owns the seeded private
/// images, has permission in third's team), second, third.
async fn start() -> (Harness, Vec<Account>) {
    let h = Harness::start(SandboxConfig::default().with_images(120)).await;
    let accounts = h.sandbox.accounts();
    assert_eq!(accounts.len(), 3);
    assert_eq!(accounts[0].token, h.sandbox.token());
    (h, accounts)
}

/// The ids of the primary account's private images of type `kind`.
async fn own(h: &Harness, kind: &str) -> Vec<u64> {
    let page = h.get("/v2/images?private=true&per_page=200").await;
    page.json["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == kind)
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

async fn post_as(h: &Harness, who: &Account, path: String, body: Value) -> Answer {
    h.send_as(Some(&who.token), Method::POST, &path, Some(body))
        .await
}

async fn start_transfer(h: &Harness, who: &Account, image: u64, body: Value) -> Answer {
    post_as(h, who, format!("/v2/images/{image}/account_transfer"), body).await
}

async fn finish(h: &Harness, who: &Account, image: u64, what: &str, body: Value) -> Answer {
    post_as(
        h,
        who,
        format!("/v2/images/{image}/account_transfer/{what}"),
        body,
    )
    .await
}

/// Whether `who` sees image `id`, by GET and in its private listing.
async fn sees(h: &Harness, who: &Account, id: u64) -> bool {
    let get = h
        .send_as(
            Some(&who.token),
            Method::GET,
            &format!("/v2/images/{id}"),
            None,
        )
        .await;
    let list = h
        .send_as(
            Some(&who.token),
            Method::GET,
            "/v2/images?private=true&per_page=200",
            None,
        )
        .await;
    let listed = list.json["images"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id);
    assert_eq!(
        get.status == StatusCode::OK,
        listed,
        "GET and the listing agree on {id}"
    );
    listed
}

fn transfer_id(answer: &Answer) -> u64 {
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer.json["transfer_id"].as_u64().expect("a transfer_id")
}

fn assert_error(answer: &Answer, status: u16, id: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
    assert_eq!(answer.json["id"], id, "{}", answer.text);
    assert_eq!(
        answer.headers["x-request-id"].to_str().unwrap(),
        answer.json["request_id"],
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn to_an_email_the_image_waits_until_that_account_accepts_it() {
    let (h, accounts) = start().await;
    let (primary, second) = (&accounts[0], &accounts[1]);
    let image = own(&h, "snapshot").await[0];
    assert!(!sees(&h, second, image).await);

    let started =
        start_transfer(&h, primary, image, json!({"recipient_email": second.email})).await;
    let id = transfer_id(&started);
    assert!(id > 0, "a transfer to an email is pending");
    assert!(
        sees(&h, primary, image).await,
        "pending: still the sender's"
    );
    assert!(!sees(&h, second, image).await);

    let body = json!({"transfer_id": id, "recipient_uuid": second.team_uuid});
    let accepted = finish(&h, second, image, "accept", body.clone()).await;
    assert_eq!(accepted.status, StatusCode::CREATED);
    assert_eq!(accepted.text, "", "accept answers with no body");
    assert!(
        !sees(&h, primary, image).await,
        "gone from the sender's listing"
    );
    assert!(sees(&h, second, image).await, "in the recipient's listing");

    let again = finish(&h, second, image, "accept", body).await;
    assert_error(&again, 404, "not_found");
}

#[tokio::test]
async fn to_a_team_with_permission_the_image_moves_at_once() {
    let (h, accounts) = start().await;
    let (primary, third) = (&accounts[0], &accounts[2]);
    let image = own(&h, "snapshot").await[0];
    let started = start_transfer(
        &h,
        primary,
        image,
        json!({"recipient_uuid": third.team_uuid}),
    )
    .await;
    assert_eq!(transfer_id(&started), 0, "0 means accepted at once");
    assert!(!sees(&h, primary, image).await);
    assert!(sees(&h, third, image).await);
}

#[tokio::test]
async fn to_a_team_without_permission_the_transfer_waits_for_that_team() {
    let (h, accounts) = start().await;
    let (primary, second, third) = (&accounts[0], &accounts[1], &accounts[2]);
    let image = own(&h, "snapshot").await[0];
    let started = start_transfer(
        &h,
        primary,
        image,
        json!({"recipient_uuid": second.team_uuid}),
    )
    .await;
    let id = transfer_id(&started);
    assert!(id > 0);
    assert!(sees(&h, primary, image).await);

    // The accepting team must be the one the transfer names.
    let wrong_team = json!({"transfer_id": id, "recipient_uuid": third.team_uuid});
    let refused = finish(&h, second, image, "accept", wrong_team).await;
    assert_error(&refused, 422, "unprocessable_entity");
    assert!(
        refused.json["message"]
            .as_str()
            .unwrap()
            .contains(&second.team_uuid)
    );

    let body = json!({"transfer_id": id, "recipient_uuid": second.team_uuid});
    let accepted = finish(&h, second, image, "accept", body).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    assert!(sees(&h, second, image).await);
    assert!(!sees(&h, primary, image).await);
}

#[tokio::test]
async fn the_sender_cancels_and_the_image_stays() {
    let (h, accounts) = start().await;
    let (primary, second) = (&accounts[0], &accounts[1]);
    let image = own(&h, "snapshot").await[0];
    let id = transfer_id(
        &start_transfer(&h, primary, image, json!({"recipient_email": second.email})).await,
    );
    let by_recipient = finish(&h, second, image, "cancel", json!({"transfer_id": id})).await;
    assert_error(&by_recipient, 422, "unprocessable_entity");

    let cancelled = finish(&h, primary, image, "cancel", json!({"transfer_id": id})).await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT);
    assert_eq!(cancelled.text, "");
    let body = json!({"transfer_id": id, "recipient_uuid": second.team_uuid});
    assert_error(
        &finish(&h, second, image, "accept", body).await,
        404,
        "not_found",
    );
    assert!(sees(&h, primary, image).await);
    assert!(!sees(&h, second, image).await);
}

#[tokio::test]
async fn the_recipient_declines_and_the_image_stays() {
    let (h, accounts) = start().await;
    let (primary, second) = (&accounts[0], &accounts[1]);
    let image = own(&h, "snapshot").await[0];
    let id = transfer_id(
        &start_transfer(&h, primary, image, json!({"recipient_email": second.email})).await,
    );
    let by_sender = finish(&h, primary, image, "decline", json!({"transfer_id": id})).await;
    assert_error(&by_sender, 422, "unprocessable_entity");

    let declined = finish(&h, second, image, "decline", json!({"transfer_id": id})).await;
    assert_eq!(declined.status, StatusCode::NO_CONTENT);
    let body = json!({"transfer_id": id, "recipient_uuid": second.team_uuid});
    assert_error(
        &finish(&h, second, image, "accept", body).await,
        404,
        "not_found",
    );
    assert!(sees(&h, primary, image).await);
    assert!(!sees(&h, second, image).await);
    // Declined is over: the sender may offer the image again.
    let again = start_transfer(&h, primary, image, json!({"recipient_email": second.email})).await;
    assert!(transfer_id(&again) > id);
}

#[tokio::test]
async fn a_body_that_is_not_exactly_one_recipient_is_a_bad_request() {
    let (h, accounts) = start().await;
    let (primary, second) = (&accounts[0], &accounts[1]);
    let image = own(&h, "snapshot").await[0];
    for body in [
        json!({}),
        json!({"recipient_email": second.email, "recipient_uuid": second.team_uuid}),
        json!({"recipient_email": ""}),
        json!({"recipient_email": "not-an-address"}),
        json!({"recipient_uuid": 42}),
        json!([second.email]),
    ] {
        let answer = start_transfer(&h, primary, image, body.clone()).await;
        assert_error(&answer, 400, "bad_request");
        assert!(answer.json["request_id"].is_string(), "{body}");
    }
    for (what, body) in [
        ("accept", json!({"transfer_id": 1})),
        ("accept", json!({"recipient_uuid": second.team_uuid})),
        ("cancel", json!({"transfer_id": 0})),
        ("decline", json!({"transfer_id": "1"})),
    ] {
        assert_error(
            &finish(&h, second, image, what, body).await,
            400,
            "bad_request",
        );
    }
    assert!(sees(&h, primary, image).await, "nothing moved");
}

#[tokio::test]
async fn unknown_or_foreign_images_and_transfers_are_not_found() {
    let (h, accounts) = start().await;
    let (primary, second, third) = (&accounts[0], &accounts[1], &accounts[2]);
    let snapshots = own(&h, "snapshot").await;
    let to_second = json!({"recipient_email": second.email});

    // An image that does not exist, a public one, another account's one.
    for image in [404, 100_000_001] {
        let answer = start_transfer(&h, primary, image, to_second.clone()).await;
        assert_error(&answer, 404, "not_found");
    }
    let foreign = start_transfer(
        &h,
        second,
        snapshots[0],
        json!({"recipient_email": primary.email}),
    )
    .await;
    assert_error(&foreign, 404, "not_found");
    // A team nobody is in.
    let nowhere = json!({"recipient_uuid": "00000000-0000-4000-8000-00000000dead"});
    assert_error(
        &start_transfer(&h, primary, snapshots[0], nowhere).await,
        404,
        "not_found",
    );

    let id = transfer_id(&start_transfer(&h, primary, snapshots[0], to_second).await);
    // The transfer's id under another image, an unknown id, and an account
    // that is neither sender nor recipient.
    let body = json!({"transfer_id": id});
    assert_error(
        &finish(&h, primary, snapshots[1], "cancel", body.clone()).await,
        404,
        "not_found",
    );
    assert_error(
        &finish(
            &h,
            primary,
            snapshots[0],
            "cancel",
            json!({"transfer_id": id + 1}),
        )
        .await,
        404,
        "not_found",
    );
    assert_error(
        &finish(&h, third, snapshots[0], "decline", body.clone()).await,
        404,
        "not_found",
    );
    let accept = json!({"transfer_id": id, "recipient_uuid": third.team_uuid});
    assert_error(
        &finish(&h, third, snapshots[0], "accept", accept).await,
        404,
        "not_found",
    );
    assert!(sees(&h, primary, snapshots[0]).await);
}

#[tokio::test]
async fn only_snapshots_travel_and_one_transfer_at_a_time() {
    let (h, accounts) = start().await;
    let (primary, second) = (&accounts[0], &accounts[1]);
    let to_second = json!({"recipient_email": second.email});
    for kind in ["backup", "custom"] {
        let image = own(&h, kind).await[0];
        let answer = start_transfer(&h, primary, image, to_second.clone()).await;
        assert_error(&answer, 422, "unprocessable_entity");
        let message = answer.json["message"].as_str().unwrap();
        assert!(message.contains("Only snapshots"), "{message}");
        assert!(message.contains(kind), "{message}");
    }
    let image = own(&h, "snapshot").await[0];
    let id = transfer_id(&start_transfer(&h, primary, image, to_second.clone()).await);
    let twice = start_transfer(&h, primary, image, to_second).await;
    assert_error(&twice, 422, "unprocessable_entity");
    assert!(
        twice.json["message"]
            .as_str()
            .unwrap()
            .contains(&id.to_string())
    );
    let own_team = json!({"recipient_uuid": primary.team_uuid});
    let other = own(&h, "snapshot").await[1];
    assert_error(
        &start_transfer(&h, primary, other, own_team).await,
        422,
        "unprocessable_entity",
    );
}

#[tokio::test]
async fn accepting_needs_permission_in_the_named_team() {
    let (h, accounts) = start().await;
    let (primary, second, third) = (&accounts[0], &accounts[1], &accounts[2]);
    let image = own(&h, "snapshot").await[0];
    let id = transfer_id(
        &start_transfer(&h, primary, image, json!({"recipient_email": second.email})).await,
    );
    let body = json!({"transfer_id": id, "recipient_uuid": third.team_uuid});
    let refused = finish(&h, second, image, "accept", body).await;
    assert_error(&refused, 422, "unprocessable_entity");
    assert!(
        refused.json["message"]
            .as_str()
            .unwrap()
            .contains(&third.team_uuid)
    );
    assert!(sees(&h, primary, image).await);
}

#[tokio::test]
async fn accounts_can_be_configured_and_must_have_their_own_tokens() {
    let alice = Account::new("dop_v1_alice", "alice@example.com", "team-a");
    let bob = Account::new("dop_v1_bob", "bob@example.com", "team-b").with_permission_in("team-a");
    let h = Harness::start(
        SandboxConfig::default()
            .with_images(120)
            .with_accounts(vec![alice.clone(), bob.clone()]),
    )
    .await;
    assert_eq!(h.sandbox.token(), "dop_v1_alice");
    assert_eq!(h.sandbox.accounts(), [alice.clone(), bob.clone()]);
    let image = own(&h, "snapshot").await[0];
    assert!(!sees(&h, &bob, image).await);
    // Alice has no permission in Bob's team: the transfer waits for Bob.
    let waiting = start_transfer(&h, &alice, image, json!({"recipient_uuid": "team-b"})).await;
    assert!(transfer_id(&waiting) > 0);

    for accounts in [vec![], vec![alice.clone(), alice.clone()]] {
        let error =
            do_images_sandbox::Sandbox::start(SandboxConfig::default().with_accounts(accounts))
                .await
                .unwrap_err();
        assert!(
            matches!(error, do_images_sandbox::SandboxError::InvalidAccounts(_)),
            "{error}"
        );
    }
}

#[test]
fn debug_output_never_shows_a_token_or_a_secret() {
    let account = do_images_sandbox::Account::new(
        "dop_v1_debug_secret_token",
        "ops@example.com",
        "6a3e0f4c-1d2b-4c5e-8f90-a1b2c3d4e5f6",
    );
    let shown = format!("{account:?} {:?}", vec![account.clone()]);
    assert!(!shown.contains("debug_secret"), "{shown}");
    assert!(shown.contains("ops@example.com"), "{shown}");
    let config = do_images_sandbox::SandboxConfig::default()
        .with_accounts(vec![account])
        .with_spaces(
            do_images_sandbox::SpacesConfig::default()
                .with_keys("DO00KEYID", "spaces-debug-secret"),
        );
    let shown = format!("{config:?}");
    assert!(!shown.contains("debug_secret"), "{shown}");
    assert!(!shown.contains("debug-secret"), "{shown}");
    assert!(shown.contains("DO00KEYID"), "{shown}");
}
