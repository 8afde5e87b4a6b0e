//! `doimg actions ...` against a sandbox over HTTP: list, get, transfer,
//! convert and wait.

use crate::common;

use common::{Sim, assert_golden, ids_of_table, run};
use serde_json::Value;

/// The statuses shown while waiting for `action N of image M`.
fn statuses_seen(stderr: &str, action: u64, image: u64) -> Vec<String> {
    let prefix = format!("action {action} of image {image}: ");
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| rest.split(" (after ").next().unwrap().to_string())
        .collect()
}

/// The action id from `Action N started on image M.` on stderr.
fn started_action(stderr: &str, image: u64) -> u64 {
    stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("Action ")?
                .strip_suffix(&format!(" started on image {image}."))
        })
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("`Action N started on image {image}.` on stderr:\n{stderr}"))
}

/// A region slug the docs list that `image` is not in.
fn region_not_in(image: &Value) -> &'static str {
    let regions = image["regions"].as_array().unwrap();
    ["nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1"]
        .into_iter()
        .find(|r| !regions.iter().any(|have| have == r))
        .expect("a region to transfer to")
}

// ---------------------------------------------------------------- list, get

#[test]
fn list_matches_the_golden_file() {
    let sim = Sim::start();
    let (image, _) = sim.image_with_action();
    let out = run(sim.doimg().args(["actions", "list", &image.to_string()])).ok();
    assert_golden("actions_list.txt", &out.stdout);
    assert_eq!(out.stderr, "");
}

#[test]
fn list_json_is_an_array_of_the_api_actions() {
    let sim = Sim::start();
    let (image, action) = sim.image_with_action();
    let out = run(sim
        .doimg()
        .args(["-o", "json", "actions", "list", &image.to_string()]))
    .ok();
    let (_, api) = sim.api_get(&format!("/v2/images/{image}/actions"));
    assert_eq!(out.json(), api["actions"], "printed as the API sent them");
    assert_eq!(out.json()[0]["id"], action);

    // An image without actions: an empty array.
    let out = run(sim
        .doimg()
        .args(["-o", "json", "actions", "list", "100000001"]))
    .ok();
    assert_eq!(out.json(), serde_json::json!([]));
}

#[test]
fn get_prints_one_action() {
    let sim = Sim::start();
    let (image, action) = sim.image_with_action();
    let out = run(sim
        .doimg()
        .args(["actions", "get", &image.to_string(), &action.to_string()]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout), [action]);
    assert!(out.stdout.contains("completed") && out.stdout.contains("transfer"));

    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "get",
        &image.to_string(),
        &action.to_string(),
    ]))
    .ok();
    let (_, api) = sim.api_get(&format!("/v2/images/{image}/actions/{action}"));
    assert!(out.json().is_object());
    assert_eq!(out.json(), api["action"]);
}

#[test]
fn unknown_images_and_actions_exit_4() {
    let sim = Sim::start();
    let (image, _) = sim.image_with_action();
    let out = run(sim.doimg().args(["actions", "list", "999"])).expect_code(4);
    assert!(out.single_error().contains("(not_found, request sandbox-"));
    run(sim
        .doimg()
        .args(["actions", "get", &image.to_string(), "1"]))
    .expect_code(4);
    run(sim
        .doimg()
        .args(["actions", "wait", &image.to_string(), "1"]))
    .expect_code(4);
    run(sim.doimg().args(["actions", "convert", "999"])).expect_code(4);
}

#[test]
fn a_json_list_that_fails_is_left_unfinished() {
    let sim = Sim::start();
    let out = run(sim.doimg().args(["-o", "json", "actions", "list", "999"])).expect_code(4);
    assert!(
        serde_json::from_str::<Value>(&out.stdout).is_err(),
        "a failed list must not pass for an empty one: {:?}",
        out.stdout
    );
}

// ---------------------------------------------------------------- transfer

#[test]
fn transfer_with_wait_adds_the_region() {
    let sim = Sim::start();
    let id = sim.first_private("snapshot");
    let region = region_not_in(&sim.image(id).unwrap());
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "transfer",
        &id.to_string(),
        "--region",
        region,
        "--wait",
        "--timeout",
        "30s",
    ]))
    .ok();
    let action = out.json();
    let action_id = action["id"].as_u64().unwrap();
    assert_eq!(
        action,
        sim.action(id, action_id),
        "printed as the API sent it"
    );
    assert_eq!(action["type"], "transfer");
    assert_eq!(action["status"], "completed");
    assert_eq!(action["region_slug"], region);
    assert_eq!(action["resource_id"], id);
    assert_eq!(started_action(&out.stderr, id), action_id);
    let seen = statuses_seen(&out.stderr, action_id, id);
    assert_eq!(seen.last().map(String::as_str), Some("completed"));
    assert!(
        seen.iter().all(|s| s == "in-progress" || s == "completed"),
        "{}",
        out.stderr
    );
    let regions = sim.image(id).unwrap()["regions"].clone();
    assert!(
        regions.as_array().unwrap().iter().any(|r| r == region),
        "{regions}"
    );
}

#[test]
fn transfer_without_wait_then_actions_wait() {
    let sim = Sim::start();
    let id = sim.first_private("custom");
    let region = region_not_in(&sim.image(id).unwrap());
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "transfer",
        &id.to_string(),
        "--region",
        region,
    ]))
    .ok();
    let action = out.json();
    assert_eq!(action["status"], "in-progress");
    assert_eq!(out.stderr, "", "no waiting without --wait");
    let action_id = action["id"].as_u64().unwrap();
    assert_same_fields_but_progress(&action, &sim.action(id, action_id));

    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "wait",
        &id.to_string(),
        &action_id.to_string(),
    ]))
    .ok();
    assert_eq!(out.json()["status"], "completed");
    assert_eq!(out.json(), sim.action(id, action_id), "as the API sent it");

    let out = run(sim
        .doimg()
        .args(["actions", "wait", &id.to_string(), &action_id.to_string()]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout), [action_id]);
    assert!(out.stdout.contains("completed"), "{}", out.stdout);
    assert_eq!(
        statuses_seen(&out.stderr, action_id, id)
            .last()
            .map(String::as_str),
        Some("completed")
    );
}

#[test]
fn transfer_to_a_region_the_image_is_in_ends_errored_with_exit_5() {
    let sim = Sim::start();
    let id = sim.first_private("snapshot");
    let image = sim.image(id).unwrap();
    let region = image["regions"][0].as_str().unwrap();
    let out = run(sim.doimg().args([
        "actions",
        "transfer",
        &id.to_string(),
        "--region",
        region,
        "--wait",
    ]))
    .expect_code(5);
    let action_id = started_action(&out.stderr, id);
    assert_eq!(
        out.single_error(),
        format!("action {action_id} ended as errored")
    );
}

#[test]
fn transfer_to_an_undocumented_region_warns_and_goes_ahead() {
    let sim = Sim::start();
    let id = sim.available_outside("ric1");
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "transfer",
        &id.to_string(),
        "--region",
        "ric1",
        "--wait",
    ]))
    .ok();
    assert!(
        out.stderr
            .starts_with("Warning: region `ric1` is not in the documented list; sending it anyway"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["status"], "completed");
}

// ---------------------------------------------------------------- convert

#[test]
fn convert_with_wait_turns_a_backup_into_a_snapshot() {
    let sim = Sim::start();
    let id = sim.first_private("backup");
    assert_eq!(sim.image(id).unwrap()["type"], "backup");
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "actions",
        "convert",
        &id.to_string(),
        "--wait",
    ]))
    .ok();
    let action = out.json();
    let action_id = action["id"].as_u64().unwrap();
    assert_eq!(
        action,
        sim.action(id, action_id),
        "printed as the API sent it"
    );
    assert_eq!(action["type"], "convert");
    assert_eq!(action["status"], "completed");
    assert!(action["completed_at"].is_string());
    assert_eq!(sim.image(id).unwrap()["type"], "snapshot");
}

#[test]
fn convert_without_wait_prints_the_started_action() {
    let sim = Sim::start();
    let id = sim.first_private("backup");
    let out = run(sim.doimg().args(["actions", "convert", &id.to_string()])).ok();
    let action = ids_of_table(&out.stdout)[0];
    assert!(out.stdout.contains("in-progress"), "{}", out.stdout);
    let (_, listed) = sim.api_get(&format!("/v2/images/{id}/actions"));
    assert!(
        listed["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == action)
    );
}

#[test]
fn convert_of_anything_but_a_backup_ends_errored_with_exit_5() {
    let sim = Sim::start();
    let id = sim.first_private("snapshot");
    let out = run(sim
        .doimg()
        .args(["actions", "convert", &id.to_string(), "--wait"]))
    .expect_code(5);
    assert_eq!(out.stdout, "");
    let action_id = started_action(&out.stderr, id);
    assert_eq!(
        out.single_error(),
        format!("action {action_id} ended as errored")
    );
    assert_eq!(
        statuses_seen(&out.stderr, action_id, id)
            .last()
            .map(String::as_str),
        Some("errored")
    );
    let (_, api) = sim.api_get(&format!("/v2/images/{id}/actions/{action_id}"));
    assert_eq!(api["action"]["status"], "errored");
    assert_eq!(sim.image(id).unwrap()["type"], "snapshot", "unchanged");
}

#[test]
fn actions_need_an_available_image() {
    let sim = Sim::start();
    let failed = sim
        .private_images()
        .iter()
        .find(|i| i["status"] == "deleted")
        .and_then(|i| i["id"].as_u64())
        .expect("the seeded data has a failed import");
    let out = run(sim
        .doimg()
        .args(["actions", "convert", &failed.to_string(), "--wait"]))
    .expect_code(1);
    assert!(
        out.single_error()
            .contains("actions need an available image"),
        "{}",
        out.stderr
    );
}

/// A just-started action as printed equals the API's object, except for
/// what moves on while the action runs (its status and completion time).
#[track_caller]
fn assert_same_fields_but_progress(printed: &Value, now: &Value) {
    let strip = |action: &Value| {
        let mut action = action.as_object().expect("an action object").clone();
        action.remove("status");
        action.remove("completed_at");
        action
    };
    assert_eq!(strip(printed), strip(now), "printed as the API sent it");
    assert_eq!(
        printed.as_object().unwrap().keys().collect::<Vec<_>>(),
        now.as_object().unwrap().keys().collect::<Vec<_>>(),
        "the same fields, nulls included"
    );
}
