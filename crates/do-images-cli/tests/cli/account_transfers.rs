//! `doimg account-transfers` end to end against the sandbox, with the
//! sandbox's second and third accounts on the other side: what doimg
//! prints and its exit codes (where the image is afterwards is the
//! sandbox's rule, tested in its own `server` tests).

use crate::common;

use common::{Sim, run};
use serde_json::json;

/// The pending transfer's id from `create`'s text output.
fn pending_id(stdout: &str) -> u64 {
    stdout
        .strip_prefix("Transfer ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no pending transfer in {stdout:?}"))
}

#[test]
fn sent_to_an_email_and_accepted_by_the_other_account() {
    let sim = Sim::start();
    let second = sim.sandbox.accounts()[1].clone();
    let image = sim.first_private("snapshot");
    let out = run(sim.doimg().args([
        "account-transfers",
        "create",
        &image.to_string(),
        "--email",
        &second.email,
    ]))
    .ok();
    let id = pending_id(&out.stdout);
    assert!(out.stdout.contains("pending"), "{}", out.stdout);

    let out = run(sim
        .doimg()
        .env("DIGITALOCEAN_ACCESS_TOKEN", &second.token)
        .args([
            "account-transfers",
            "accept",
            &image.to_string(),
            "--transfer-id",
            &id.to_string(),
            "--team",
            &second.team_uuid,
        ]))
    .ok();
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(&format!("Accepted transfer {id}")),
        "{}",
        out.stderr
    );
}

#[test]
fn json_output_is_the_answer_as_sent_and_text_says_a_team_with_permission_took_it() {
    let sim = Sim::start();
    let third = sim.sandbox.accounts()[2].clone();
    let image = sim.first_private("snapshot");
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "account-transfers",
        "create",
        &image.to_string(),
        "--team",
        &third.team_uuid,
    ]))
    .ok();
    assert_eq!(out.json(), json!({"transfer_id": 0}));

    let other = sim.first_private("snapshot");
    let out = run(sim.doimg().args([
        "account-transfers",
        "create",
        &other.to_string(),
        "--team",
        &third.team_uuid,
    ]))
    .ok();
    assert!(out.stdout.contains("moved at once"), "{}", out.stdout);
}

#[test]
fn cancel_and_decline_and_a_gone_transfer_exits_4() {
    let sim = Sim::start();
    let second = sim.sandbox.accounts()[1].clone();
    let image = sim.first_private("snapshot");
    let create = || {
        let out = run(sim.doimg().args([
            "account-transfers",
            "create",
            &image.to_string(),
            "--email",
            &second.email,
        ]))
        .ok();
        pending_id(&out.stdout).to_string()
    };

    let id = create();
    let args = [
        "account-transfers",
        "cancel",
        &image.to_string(),
        "--transfer-id",
        &id,
    ];
    let out = run(sim.doimg().args(args)).ok();
    assert!(out.stderr.contains("Cancelled transfer"), "{}", out.stderr);
    let again = run(sim.doimg().args(args)).expect_code(4);
    assert!(
        again.single_error().contains("not_found"),
        "{}",
        again.stderr
    );

    let id = create();
    let out = run(sim
        .doimg()
        .env("DIGITALOCEAN_ACCESS_TOKEN", &second.token)
        .args([
            "account-transfers",
            "decline",
            &image.to_string(),
            "--transfer-id",
            &id,
        ]))
    .ok();
    assert!(out.stderr.contains("Declined transfer"), "{}", out.stderr);
}

#[test]
fn an_image_that_is_not_a_snapshot_is_refused_with_the_apis_message() {
    let sim = Sim::start();
    let second = sim.sandbox.accounts()[1].clone();
    let backup = sim.first_private("backup");
    let out = run(sim.doimg().args([
        "account-transfers",
        "create",
        &backup.to_string(),
        "--email",
        &second.email,
    ]))
    .expect_code(1);
    assert!(
        out.single_error().contains("Only snapshots"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let sim = Sim::start();
    let team = "0a5e1d8e-0000-4000-8000-000000000002";
    for args in [
        vec!["create", "7"],
        vec!["create", "7", "--email", "a@b.example", "--team", team],
        vec!["create", "7", "--email", "sammy"],
        vec!["create", "7", "--team", "team-2"],
        vec!["create", "0", "--team", team],
        vec!["accept", "7", "--transfer-id", "3", "--team", "nope"],
        vec!["accept", "7", "--transfer-id", "0", "--team", team],
        vec!["accept", "7", "--transfer-id", "3"],
        vec!["cancel", "7", "--transfer-id", "-1"],
        vec!["decline", "7", "--transfer-id", "0"],
        vec!["decline", "7"],
    ] {
        let out = run(sim.doimg().arg("account-transfers").args(&args)).expect_code(2);
        assert!(!out.stderr.is_empty(), "{args:?} said nothing");
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
}
