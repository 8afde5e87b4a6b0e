//! `doimg images prune` and `doimg images distribute` against a sandbox
//! over HTTP (and, for answers the sandbox never gives, httpmock):
//! the plan, what is deleted and what is not, confirmation, usage errors
//! that send nothing, escaping, and transfers to many regions.

use crate::common;

use std::time::Duration;

use common::{Sim, fast, ids_of_table, isolated, json_answer, run};
use httpmock::Method::{DELETE, GET};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

// ---------------------------------------------------------------- prune

/// The plan `--name-prefix web- --keep <keep>` should make of the sandbox's
/// private images, worked out from the listing the test reads itself:
/// `(action, id)`, newest first. Snapshots and custom images only; the
/// `keep` newest available ones are kept, running imports are kept, every
/// other one is deleted.
pub fn expected_web_plan(sim: &Sim, keep: usize) -> Vec<(&'static str, u64)> {
    let mut images: Vec<Value> = sim
        .private_images()
        .into_iter()
        .filter(|i| i["name"].as_str().unwrap().starts_with("web-"))
        .filter(|i| i["type"] == "snapshot" || i["type"] == "custom")
        .collect();
    images.sort_by_key(|i| {
        std::cmp::Reverse((
            i["created_at"].as_str().unwrap().to_string(),
            i["id"].as_u64().unwrap(),
        ))
    });
    let mut available = 0;
    images
        .iter()
        .map(|i| {
            let action = match i["status"].as_str().unwrap() {
                "available" => {
                    available += 1;
                    if available <= keep { "keep" } else { "delete" }
                }
                "NEW" | "pending" => "keep",
                _ => "delete",
            };
            (action, i["id"].as_u64().unwrap())
        })
        .collect()
}

/// How many images a prune considers: the account's own snapshots and
/// custom images.
pub fn considered(sim: &Sim) -> usize {
    sim.private_images()
        .iter()
        .filter(|i| i["type"] == "snapshot" || i["type"] == "custom")
        .count()
}

/// The ids a plan deletes.
pub fn deleted(plan: &[(&str, u64)]) -> Vec<u64> {
    plan.iter()
        .filter(|(action, _)| *action == "delete")
        .map(|(_, id)| *id)
        .collect()
}

/// `(action, id)` of each row of a plan table with a header.
pub fn table_rows(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .skip(1)
        .map(|line| {
            let mut cells = line.split_whitespace();
            let action = cells.next().unwrap().to_string();
            let id = cells.next().and_then(|id| id.parse().ok()).unwrap();
            (action, id)
        })
        .collect()
}

fn prune_web(sim: &Sim) -> assert_cmd::Command {
    let mut command = sim.doimg();
    command.args(["images", "prune", "--name-prefix", "web-", "--keep", "2"]);
    command
}

#[test]
fn a_dry_run_prints_the_plan_table_and_deletes_nothing() {
    let sim = Sim::start();
    let expected = expected_web_plan(&sim, 2);
    assert!(
        expected.iter().filter(|(a, _)| *a == "keep").count() > 2,
        "the seeded web- images include a running import: {expected:?}"
    );
    assert!(!deleted(&expected).is_empty(), "{expected:?}");
    let count = sim.sandbox.image_count();
    let out = run(prune_web(&sim).arg("--dry-run")).ok();
    let header: Vec<&str> = out
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(header, ["ACTION", "ID", "NAME", "CREATED", "AGE", "REASON"]);
    let rows = table_rows(&out.stdout);
    let expected_rows: Vec<(String, u64)> = expected
        .iter()
        .map(|(action, id)| (action.to_string(), *id))
        .collect();
    assert_eq!(rows, expected_rows, "{}", out.stdout);
    for line in out.stdout.lines().skip(1) {
        let reason_ok = if line.starts_with("delete") {
            line.ends_with("not among the 2 newest")
        } else {
            line.ends_with("one of the 2 newest") || line.contains("import still running (")
        };
        assert!(reason_ok, "{line}");
    }
    let deletions = deleted(&expected).len();
    assert_eq!(
        out.stderr,
        format!(
            "Selected {} of the {} images considered (your own, of the types given).\n\
             Dry run: {deletions} image(s) would be deleted, {} kept; nothing was deleted.\n",
            expected.len(),
            considered(&sim),
            expected.len() - deletions
        )
    );
    assert_eq!(sim.requests_of("images_delete"), 0, "no DELETE was sent");
    assert!(sim.requests_of("images_list") >= 1);
    assert_eq!(sim.sandbox.image_count(), count);
}

#[test]
fn format_chooses_among_the_plan_columns() {
    let sim = Sim::start();
    let expected = expected_web_plan(&sim, 2);
    let out =
        run(prune_web(&sim).args(["--dry-run", "--format", "ID,action,Type", "--no-header"])).ok();
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), expected.len(), "{}", out.stdout);
    for (row, (action, id)) in rows.iter().zip(&expected) {
        assert_eq!(row[..2], [id.to_string().as_str(), *action]);
        assert!(row[2] == "snapshot" || row[2] == "custom", "{row:?}");
    }
}

#[test]
fn the_json_plan_holds_each_image_with_its_action_and_reason() {
    let sim = Sim::start();
    let expected = expected_web_plan(&sim, 2);
    let out = run(prune_web(&sim).args(["-o", "json", "--dry-run"])).ok();
    let document = out.json();
    assert_eq!(document["selected"], expected.len());
    assert_eq!(document["considered"], considered(&sim));
    let plan = document["images"].as_array().expect("an array");
    let actions: Vec<(&str, u64)> = plan
        .iter()
        .map(|row| (row["action"].as_str().unwrap(), row["id"].as_u64().unwrap()))
        .collect();
    assert_eq!(actions, expected);
    for row in plan {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "action",
                "id",
                "name",
                "type",
                "status",
                "created_at",
                "age_seconds",
                "reason"
            ]
        );
        let image = sim.image(row["id"].as_u64().unwrap()).unwrap();
        for field in ["name", "type", "status", "created_at"] {
            assert_eq!(row[field], image[field], "{field}");
        }
        // The seeded images are from 2023.
        assert!(row["age_seconds"].as_u64().unwrap() > 365 * 86_400, "{row}");
    }
    assert_eq!(plan[0]["reason"], "one of the 2 newest");
    assert_eq!(sim.requests_of("images_delete"), 0);
}

#[test]
fn without_a_terminal_it_refuses_before_sending_anything() {
    let sim = Sim::start();
    let count = sim.sandbox.image_count();
    // assert_cmd gives the child no stdin: not a terminal.
    let out = run(&mut prune_web(&sim)).expect_code(2);
    assert_eq!(out.stdout, "");
    let message = out.single_error();
    assert!(
        message.contains("refusing to delete") && message.contains("--force"),
        "{message}"
    );
    // Even with a `y` piped in: a pipe is not a terminal.
    run(prune_web(&sim).write_stdin("y\n")).expect_code(2);
    assert_eq!(sim.requests(), 0, "nothing was sent, not even the listing");
    assert_eq!(sim.sandbox.image_count(), count);
}

#[test]
fn force_deletes_exactly_the_planned_images_and_a_rerun_finds_nothing() {
    let sim = Sim::start();
    let expected = expected_web_plan(&sim, 2);
    let doomed = deleted(&expected);
    let before: Vec<u64> = sim
        .private_images()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    let out = run(prune_web(&sim).arg("--force")).ok();
    assert_eq!(
        table_rows(&out.stdout).len(),
        expected.len(),
        "the plan is printed first"
    );
    let after: Vec<u64> = sim
        .private_images()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    let gone: Vec<u64> = before
        .iter()
        .copied()
        .filter(|id| !after.contains(id))
        .collect();
    let mut doomed_sorted = doomed.clone();
    doomed_sorted.sort_unstable();
    assert_eq!(gone, doomed_sorted, "exactly the planned images are gone");
    assert_eq!(sim.requests_of("images_delete"), doomed.len() as u64);
    for id in &doomed {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with(&format!("Deleted image {id} (web-"))),
            "{}",
            out.stderr
        );
    }
    assert!(out.error_lines().is_empty(), "{}", out.stderr);

    let out = run(prune_web(&sim).arg("--force")).ok();
    assert!(out.stderr.contains("Nothing to delete"), "{}", out.stderr);
    assert_eq!(sim.requests_of("images_delete"), doomed.len() as u64);
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let sim = Sim::start();
    let cases: &[(&[&str], &str)] = &[
        (&["--keep", "2"], "--name-prefix"),
        (&["--name-prefix", "web-"], "--older-than"),
        (&["--name-prefix", "web-", "--keep", "0"], "at least 1"),
        (&["--name-prefix", "web-", "--keep", "many"], "at least 1"),
        (
            &["--name-prefix", "web-", "--older-than", "30x"],
            "not a duration",
        ),
        (
            &["--name-prefix", "web-", "--older-than", "0d"],
            "longer than zero",
        ),
        (&["--name-regex", "web-(", "--keep", "2"], "name regex"),
        (&["--name-prefix", "", "--keep", "2"], "non-empty prefix"),
        (&["--tag", " ", "--keep", "2"], "tag"),
        (
            &["--tag", "web", "--keep", "2", "--type", "backup"],
            "snapshot, custom",
        ),
        (
            &["--tag", "web", "--keep", "2", "--dry-run", "--force"],
            "--force",
        ),
        (
            &["--tag", "web", "--keep", "2", "--format", "Colour"],
            "Action, ID",
        ),
    ];
    for (args, says) in cases {
        let out = run(sim.doimg().args(["images", "prune"]).args(*args)).expect_code(2);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
}

/// One image of a canned listing: an available snapshot.
pub fn canned_image(id: u64, name: &str, day: u32) -> Value {
    json!({
        "id": id, "name": name, "type": "snapshot", "distribution": "Ubuntu",
        "slug": null, "public": false, "regions": ["nyc3"], "min_disk_size": 10,
        "size_gigabytes": 1.5, "created_at": format!("2025-01-{day:02}T00:00:00Z"),
        "description": "", "tags": [], "status": "available", "error_message": "",
    })
}

/// Serves `before` to the first listing of images and `after` to every
/// later one (the check before deleting); the two mocks, in that order.
pub fn serve_listings(server: &MockServer, before: Vec<Value>, after: Vec<Value>) -> [Mock<'_>; 2] {
    let [first, later] = [before, after].map(|images| {
        server.mock(|when, then| {
            when.method(GET).path("/v2/images");
            let total = images.len();
            json_answer(then, 200)
                .json_body(json!({"images": images, "links": {}, "meta": {"total": total}}));
        })
    });
    first.up_to_n_times(1);
    [first, later]
}

/// Mocks `DELETE /v2/images/<id>` for each `(id, status)`: a 204 with no
/// body, or `status` with an API error saying the image is in use.
pub fn serve_deletes<'a>(server: &'a MockServer, answers: &[(u64, u16)]) -> Vec<(u64, Mock<'a>)> {
    let deletes = answers.iter().map(|&(id, status)| {
        let mock = server.mock(|when, then| {
            when.method(DELETE).path(format!("/v2/images/{id}"));
            if status == 204 {
                then.status(204);
            } else {
                json_answer(then, status).json_body(json!({"id": "unprocessable_entity",
                    "message": format!("Image {id} is in use by a pending event.")}));
            }
        });
        (id, mock)
    });
    deletes.collect()
}

/// The ids `deletes` were sent a DELETE for, once per DELETE, sorted.
pub fn deleted_ids(deletes: &[(u64, Mock)]) -> Vec<u64> {
    let mut ids: Vec<u64> = deletes
        .iter()
        .flat_map(|(id, mock)| std::iter::repeat_n(*id, mock.calls()))
        .collect();
    ids.sort();
    ids
}

/// A failed delete and an image renamed between the plan and the deletes
/// (answers the sandbox never gives): the other deletes go on, each
/// failure and skip is listed, and the exit code is 1.
#[test]
fn a_failed_or_skipped_deletion_is_listed_and_exits_1() {
    let listing = |web_1: &str| {
        vec![
            canned_image(14, "db-0", 5),
            canned_image(13, "web-3", 4),
            canned_image(12, "web-2", 3),
            canned_image(11, web_1, 2),
            canned_image(10, "web-0", 1),
        ]
    };
    let server = MockServer::start();
    // The second listing (the check before deleting) sees web-1 renamed.
    serve_listings(&server, listing("web-1"), listing("web-1-renamed"));
    let deletes = serve_deletes(&server, &[(10, 204), (11, 204), (12, 422)]);
    let anything_else = server.mock(|_, then| {
        then.status(500);
    });
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path())
        .args(["--api-url", &server.base_url(), "-t", "dop_v1_test"])
        .args([
            "images",
            "prune",
            "--name-prefix",
            "web-",
            "--keep",
            "1",
            "-f",
        ]))
    .expect_code(1);
    assert_eq!(
        table_rows(&out.stdout),
        [
            ("keep".to_string(), 13),
            ("delete".to_string(), 12),
            ("delete".to_string(), 11),
            ("delete".to_string(), 10)
        ]
    );
    let results: Vec<&str> = out
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("Deleting "))
        .filter(|l| !l.starts_with("Settled "))
        .collect();
    assert_eq!(
        results,
        [
            "Deleting 3 image(s).",
            "Error: image 12 (web-2): Image 12 is in use by a pending event. (unprocessable_entity)",
            "Warning: skipped image 11 (web-1): renamed since the plan was made",
            "Deleted image 10 (web-0).",
            "Error: 2 of 3 planned deletions did not leave the image gone (1 failed, 1 skipped)",
        ],
        "{}",
        out.stderr
    );
    assert_eq!(deleted_ids(&deletes), [10, 12], "none for the renamed one");
    anything_else.assert_calls(0);
}

#[test]
fn hostile_names_are_escaped_in_the_plan_and_the_results() {
    let sim = Sim::start();
    let expected = expected_web_plan(&sim, 2);
    let oldest = *deleted(&expected).last().unwrap();
    let hostile = "web-\x1b[31mevil\x07\u{202e}x\u{200b}";
    let (status, body) = sim.api_send(
        "PUT",
        &format!("/v2/images/{oldest}"),
        &json!({"name": hostile}),
    );
    assert_eq!(status, 200, "{body}");
    let shown = "web-\\e[31mevil\\u{7}\\u{202e}x\\u{200b}";

    let out = run(prune_web(&sim).arg("--dry-run")).ok();
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains(&oldest.to_string()))
        .unwrap();
    assert!(row.contains(shown), "{row}");
    assert!(!out.stdout.contains('\x1b') && !out.stdout.contains('\u{202e}'));

    let out = run(prune_web(&sim).args(["-o", "json", "--dry-run"])).ok();
    assert!(
        out.stdout.contains(r"web-\u001b[31mevil\u0007\u202ex"),
        "{}",
        out.stdout
    );
    let plan = out.json();
    let row = plan["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == oldest)
        .unwrap();
    assert_eq!(row["name"], hostile, "JSON keeps the exact string");

    let out = run(prune_web(&sim).arg("-f")).ok();
    assert!(
        out.stderr
            .contains(&format!("Deleted image {oldest} ({shown}).")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\x1b') && !out.stderr.contains('\u{202e}'));
}

// ---------------------------------------------------------------- distribute

/// `count` documented region slugs that `image` is not in.
fn regions_not_in(image: &Value, count: usize) -> Vec<&'static str> {
    let regions = image["regions"].as_array().unwrap();
    let picked: Vec<&str> = [
        "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1",
    ]
    .into_iter()
    .filter(|r| !regions.iter().any(|have| have == r))
    .take(count)
    .collect();
    assert_eq!(picked.len(), count, "{image}");
    picked
}

#[test]
fn distribute_to_three_regions_then_again_sends_no_transfer() {
    let sim = Sim::start();
    let id = sim.first_private("snapshot");
    let targets = regions_not_in(&sim.image(id).unwrap(), 3);
    let list = targets.join(",");
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "images",
        "distribute",
        &id.to_string(),
        "--regions",
        &list,
        "--timeout",
        "30s",
    ]))
    .ok();
    assert_eq!(
        sim.image_reads_after_the_last_action_poll(),
        1,
        "the image is read once after the transfers, and printed as read"
    );
    let image = sim.image(id).unwrap();
    assert_eq!(out.json(), image, "printed as the API sent it");
    for region in &targets {
        assert!(
            image["regions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == region),
            "{region}: {image}"
        );
        let started = format!("{region}: transfer started (action ");
        let done = format!("{region}: done.");
        assert!(
            out.stderr.lines().any(|l| l.starts_with(&started))
                && out.stderr.lines().any(|l| l == done),
            "{}",
            out.stderr
        );
    }
    assert_eq!(sim.requests_of("image_actions_post"), 3);

    let out = run(sim
        .doimg()
        .args(["images", "distribute", &id.to_string(), "--regions", &list]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout), [id]);
    let lines: Vec<String> = targets
        .iter()
        .map(|r| format!("{r}: already there."))
        .collect();
    assert_eq!(out.stderr.lines().collect::<Vec<_>>(), lines);
    assert_eq!(sim.requests_of("image_actions_post"), 3, "no new transfer");
}

#[test]
fn distribute_to_an_undocumented_region_warns_and_goes_ahead() {
    let sim = Sim::start();
    let id = sim.available_outside("ric1");
    let out = run(sim
        .doimg()
        .args(["images", "distribute", &id.to_string(), "--regions", "ric1"]))
    .ok();
    assert!(
        out.stderr
            .starts_with("Warning: region `ric1` is not in the documented list; sending it anyway"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("ric1: done."), "{}", out.stderr);
    let image = sim.image(id).unwrap();
    assert!(
        image["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "ric1"),
        "{image}"
    );
}

#[test]
fn distribute_usage_errors_exit_2_and_send_nothing() {
    let sim = Sim::start();
    let cases: &[(&[&str], &str)] = &[
        (&["0", "--regions", "nyc3"], "0 is not in 1.."),
        (&["abc", "--regions", "nyc3"], "abc"),
        (&["7"], "--regions"),
        (&["7", "--regions", ""], "not a region slug"),
        (&["7", "--regions", "nyc3,,sfo3"], "not a region slug"),
        (&["7", "--regions", "NYC3"], "`NYC3` is not a region slug"),
        (
            &["7", "--regions", "nyc3", "--timeout", "0s"],
            "longer than zero",
        ),
    ];
    for (args, says) in cases {
        let out = run(sim.doimg().args(["images", "distribute"]).args(*args)).expect_code(2);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
}

/// A transfer not done within --timeout fails its region, and the next
/// region is refused while it runs: both are listed, exit 5.
#[test]
fn distribute_lists_the_failed_regions_and_a_timeout_exits_5() {
    let sim = Sim::with(fast().with_action_duration(Duration::from_secs(600)));
    let id = sim.first_private("snapshot");
    let targets = regions_not_in(&sim.image(id).unwrap(), 2);
    let out = run(sim.doimg().args([
        "images",
        "distribute",
        &id.to_string(),
        "--regions",
        &targets.join(","),
        "--timeout",
        "300ms",
    ]))
    .expect_code(5);
    assert_eq!(ids_of_table(&out.stdout), [id], "the image is printed");
    let errors = out.error_lines();
    assert_eq!(errors.len(), 3, "{}", out.stderr);
    assert!(
        errors[0].starts_with(&format!("Error: transfer to {} (action ", targets[0])),
        "{}",
        out.stderr
    );
    assert!(
        errors[1].starts_with(&format!("Error: transfer to {}: ", targets[1]))
            && errors[1].contains("pending event"),
        "{}",
        out.stderr
    );
    assert_eq!(
        errors[2],
        format!(
            "Error: 2 of 2 regions failed: {}, {}",
            targets[0], targets[1]
        )
    );
}
