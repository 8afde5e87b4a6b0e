//! The library's account transfers against the sandbox, with two (and
//! three) accounts: what the library adds to the sandbox's rules (tested in
//! the sandbox's own `server` tests): the typed start (pending with the id
//! to accept, or accepted), the raw answer, the four calls, refusals as
//! typed errors, bad input refused before anything is sent, and a start
//! that is never retried.

use do_images::{Client, Error, ImageType, TransferStarted};
use do_images_e2e::{builder_for, client_for, fast_retries, quick_config, requests_to, start};
use do_images_sandbox::{Account, Faults, RunningSandbox};

fn client_as(sandbox: &RunningSandbox, account: &Account) -> Client {
    builder_for(sandbox)
        .token(account.token.as_str())
        .build()
        .expect("client builds")
}

/// The ids of the private snapshots `client`'s account sees.
async fn snapshots(client: &Client) -> Vec<u64> {
    client
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.type_ == Some(ImageType::Snapshot))
        .map(|i| i.id)
        .collect()
}

#[tokio::test]
async fn a_transfer_to_an_email_is_pending_and_its_id_is_the_one_to_accept() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let (primary, second) = (client_for(&sandbox), client_as(&sandbox, &accounts[1]));
    let image = snapshots(&primary).await[0];

    let started = primary
        .account_transfers(image)
        .to_email(&accounts[1].email)
        .send()
        .await
        .unwrap();
    let TransferStarted::Pending { transfer_id } = started else {
        panic!("a transfer to an email is pending, got {started:?}");
    };
    second
        .account_transfers(image)
        .accept(transfer_id, &accounts[1].team_uuid)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_transfer_to_a_team_with_permission_is_accepted_at_once() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let primary = client_for(&sandbox);
    let image = snapshots(&primary).await[0];
    let started = primary
        .account_transfers(image)
        .to_team(&accounts[2].team_uuid)
        .send()
        .await
        .unwrap();
    assert_eq!(started, TransferStarted::Accepted);
}

#[tokio::test]
async fn the_raw_answer_is_the_apis() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let primary = client_for(&sandbox);
    let image = snapshots(&primary).await[0];
    let raw: serde_json::Value = primary
        .account_transfers(image)
        .to_email(&accounts[1].email)
        .send_json()
        .await
        .unwrap();
    assert_eq!(raw, serde_json::json!({"transfer_id": 1}));
}

#[tokio::test]
async fn the_sender_cancels_and_the_recipient_declines() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let (primary, second) = (client_for(&sandbox), client_as(&sandbox, &accounts[1]));
    let image = snapshots(&primary).await[0];
    let transfers = primary.account_transfers(image);
    for by_sender in [true, false] {
        let TransferStarted::Pending { transfer_id } =
            transfers.to_email(&accounts[1].email).send().await.unwrap()
        else {
            panic!("pending expected");
        };
        if by_sender {
            transfers.cancel(transfer_id).send().await.unwrap();
        } else {
            let declined = second.account_transfers(image).decline(transfer_id);
            declined.send().await.unwrap();
        }
    }
}

#[tokio::test]
async fn refusals_are_typed_errors() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let primary = client_for(&sandbox);
    let backup = primary
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.type_ == Some(ImageType::Backup))
        .unwrap()
        .id;
    let not_snapshot = primary
        .account_transfers(backup)
        .to_email(&accounts[1].email)
        .send()
        .await
        .unwrap_err();
    assert_eq!(not_snapshot.status(), Some(422), "{not_snapshot}");
    assert!(
        not_snapshot.to_string().contains("Only snapshots"),
        "{not_snapshot}"
    );

    let unknown = primary
        .account_transfers(404)
        .to_email(&accounts[1].email)
        .send()
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), Some(404), "{unknown}");
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let sandbox = start(quick_config(120)).await;
    let client = client_for(&sandbox);
    let team = "0a5e1d8e-0000-4000-8000-000000000002";
    let transfers = client.account_transfers(7);
    let refusals = [
        (
            transfers.to_email("sammy").send().await.unwrap_err(),
            "recipient email",
        ),
        (
            transfers
                .to_email("a b@c.example")
                .send()
                .await
                .unwrap_err(),
            "recipient email",
        ),
        (
            transfers.to_team("team-2").send().await.unwrap_err(),
            "team uuid",
        ),
        (
            transfers.accept(0, team).send().await.unwrap_err(),
            "transfer id",
        ),
        (
            transfers.accept(3, "nope").send().await.unwrap_err(),
            "team uuid",
        ),
        (
            transfers.cancel(-1).send().await.unwrap_err(),
            "transfer id",
        ),
        (
            transfers.decline(0).send().await.unwrap_err(),
            "transfer id",
        ),
        (
            client
                .account_transfers(0)
                .to_team(team)
                .send()
                .await
                .unwrap_err(),
            "image id",
        ),
    ];
    for (error, field) in refusals {
        assert!(
            matches!(&error, Error::InvalidInput { what, .. } if *what == field),
            "{field}: {error:?}"
        );
    }
    for operation in [
        "image_account_transfers_create",
        "image_account_transfers_accept",
        "image_account_transfers_cancel",
        "image_account_transfers_decline",
    ] {
        assert!(
            requests_to(&sandbox, operation).is_empty(),
            "{operation} was sent"
        );
    }
}

/// Starting a transfer is a POST the API may have acted on when it answers
/// 500: it is not retried (a second transfer could be started), while a GET
/// meeting the same 500 is.
#[tokio::test]
async fn a_start_that_met_a_server_error_is_not_retried() {
    let sandbox = start(quick_config(120)).await;
    let accounts = sandbox.accounts();
    let client = builder_for(&sandbox)
        .retry_policy(fast_retries(4))
        .build()
        .unwrap();
    let image = snapshots(&client).await[0];
    sandbox
        .set_faults(Faults::none().with_server_errors(1.0))
        .unwrap();

    let error = client
        .account_transfers(image)
        .to_email(&accounts[1].email)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500), "{error}");
    assert_eq!(
        requests_to(&sandbox, "image_account_transfers_create").len(),
        1
    );

    client.images().get(image).send().await.unwrap_err();
    assert_eq!(
        requests_to(&sandbox, "images_get").len(),
        4,
        "a GET is retried"
    );
}
