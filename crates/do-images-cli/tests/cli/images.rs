//! `doimg images ...` against a sandbox over HTTP: list, get, create,
//! update, delete and wait, as text (golden files) and as JSON.

use crate::common;

use std::time::Duration;

use common::{Sim, assert_golden, fast, ids_of_table, json_answer, run};
use do_images_sandbox::ImportTiming;
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::{Value, json};

// ---------------------------------------------------------------- list

#[test]
fn list_private_with_a_limit_matches_the_golden_file() {
    let sim = Sim::start();
    let out = run(sim
        .doimg()
        .args(["images", "list", "--private", "--limit", "5"]))
    .ok();
    assert_golden("images_list_private_limit_5.txt", &out.stdout);
    assert_eq!(out.stderr, "");
    let expected: Vec<u64> = sim.private_images()[..5]
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids_of_table(&out.stdout), expected);
}

#[test]
fn list_with_chosen_columns_and_no_header_matches_the_golden_file() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "images",
        "list",
        "--public",
        "--format",
        "ID,Name,Status",
        "--no-header",
        "--limit",
        "6",
    ]))
    .ok();
    assert_golden(
        "images_list_format_id_name_status_no_header.txt",
        &out.stdout,
    );
}

#[test]
fn list_with_every_column_shows_a_failed_import_and_its_error() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "images",
        "list",
        "--private",
        "--limit",
        "8",
        "--format",
        "id,name,type,regions,size,status,created,error,tags",
    ]))
    .ok();
    assert_golden("images_list_private_every_column.txt", &out.stdout);
    assert!(out.stdout.contains("deleted"), "{}", out.stdout);
    assert!(out.stdout.contains("404 Not Found"), "{}", out.stdout);
}

/// The ids of a list, straight from the API with `query`.
fn api_ids(sim: &Sim, query: &str) -> Vec<u64> {
    let (status, body) = sim.api_get(&format!("/v2/images?per_page=200&{query}"));
    assert_eq!(status, 200, "{body}");
    body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

fn json_ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap_or_else(|| panic!("a JSON array: {list}"))
        .iter()
        .map(|i| i["id"].as_u64().expect("an id"))
        .collect()
}

#[test]
fn list_filters_by_type_private_and_tag() {
    let sim = Sim::start();
    for (flags, query) in [
        (&["--type", "distribution"][..], "type=distribution"),
        (&["--type", "application"][..], "type=application"),
        (&["--private"][..], "private=true"),
        (&["--tag", "prod"][..], "tag_name=prod"),
        (
            &["--private", "--tag", "ci"][..],
            "private=true&tag_name=ci",
        ),
    ] {
        let out = run(sim
            .doimg()
            .args(["-o", "json", "images", "list"])
            .args(flags))
        .ok();
        let list = out.json();
        let expected = api_ids(&sim, query);
        assert!(!expected.is_empty(), "{query} selects something");
        assert_eq!(json_ids(&list), expected, "{flags:?}");
        let items = list.as_array().unwrap();
        match flags[0] {
            "--type" => assert!(items.iter().all(|i| i["public"] == true)),
            "--private" => assert!(items.iter().all(|i| i["public"] == false)),
            _ => {}
        }
        if let Some(tag) = flags
            .iter()
            .position(|f| *f == "--tag")
            .map(|i| flags[i + 1])
        {
            for item in items {
                let tags = item["tags"].as_array().expect("tags");
                assert!(tags.iter().any(|t| t == tag), "{item}");
            }
        }
    }
}

#[test]
fn list_without_filters_follows_every_page() {
    let sim = Sim::with(fast().with_images(450));
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "list", "--public"]))
    .ok();
    let ids = json_ids(&out.json());
    assert_eq!(ids.len(), 450);
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique, ids, "ids are unique and in the API's order");
    assert!(sim.requests_of("images_list") >= 3, "200 a page: 3 pages");

    let text = run(sim.doimg().args(["images", "list", "--public"])).ok();
    assert_eq!(text.stdout.lines().count(), 451, "a header and 450 rows");
}

#[test]
fn a_limit_stops_the_listing_and_asks_for_no_more_than_needed() {
    let sim = Sim::with(fast().with_images(450));
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "list", "--public", "--limit", "250"]))
    .ok();
    assert_eq!(
        sim.requests_of("images_list"),
        2,
        "250 images need two pages of 200: {:?}",
        sim.sandbox.request_log()
    );
    let ids = json_ids(&out.json());
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[..200], api_ids(&sim, "page=1"), "first page first");
    assert_eq!(ids[200..], api_ids(&sim, "page=2")[..50]);

    let before = sim.requests_of("images_list");
    let out = run(sim
        .doimg()
        .args(["images", "list", "--public", "--limit", "3"]))
    .ok();
    assert_eq!(out.stdout.lines().count(), 4, "a header and 3 rows");
    assert_eq!(
        sim.requests_of("images_list") - before,
        1,
        "three images need one request: {:?}",
        sim.sandbox.request_log()
    );
}

#[test]
fn list_json_holds_the_api_objects() {
    let sim = Sim::start();
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "list", "--public"]))
    .ok();
    let list = out.json();
    let items = list.as_array().expect("a JSON array");
    assert_eq!(items.len(), sim.sandbox.image_count());
    let (_, api) = sim.api_get("/v2/images?per_page=200");
    let api_items = api["images"].as_array().unwrap();
    assert_eq!(items.len(), api_items.len());
    for (printed, sent) in items.iter().zip(api_items) {
        assert_same_object(printed, sent);
    }
    // What the typed values would lose is there, and printed.
    let fields = || {
        api_items
            .iter()
            .flat_map(|i| i.as_object().unwrap().values())
    };
    assert!(fields().any(Value::is_null), "the API sends a null");
    assert!(
        fields().any(|v| v.as_array().is_some_and(Vec::is_empty)),
        "the API sends an empty array"
    );
}

/// The printed object is exactly the one the API sent: every field, with
/// the same value, `null`s and empty arrays included, and nothing else.
#[track_caller]
fn assert_same_object(printed: &Value, sent: &Value) {
    assert!(sent.is_object(), "an API object: {sent}");
    assert_eq!(printed, sent, "printed as the API sent it");
}

// ---------------------------------------------------------------- get

#[test]
fn get_by_slug_matches_the_golden_file() {
    let sim = Sim::start();
    let out = run(sim.doimg().args(["images", "get", "ubuntu-24-04-x64"])).ok();
    assert_golden("images_get_ubuntu_24_04.txt", &out.stdout);
}

#[test]
fn get_by_id_and_by_slug_print_one_api_object() {
    let sim = Sim::start();
    let id = sim.first_private("custom");
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "get", &id.to_string()]))
    .ok();
    let image = out.json();
    assert!(image.is_object(), "one object, not a list: {image}");
    assert_same_object(&image, &sim.image(id).unwrap());

    let out = run(sim
        .doimg()
        .args(["images", "get", "debian-12-x64", "-o", "json"]))
    .ok();
    let image = out.json();
    assert_eq!(image["slug"], "debian-12-x64");
    assert_eq!(image["id"], 100_000_003);
    assert_same_object(&image, &sim.image(100_000_003).unwrap());
}

#[test]
fn get_by_name_lists_the_images_with_that_name() {
    let sim = Sim::start();
    let wanted = &sim.private_images()[1];
    let name = wanted["name"].as_str().unwrap();
    let out = run(sim.doimg().args(["images", "get", "--name", name])).ok();
    assert_eq!(ids_of_table(&out.stdout), [wanted["id"].as_u64().unwrap()]);

    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "get", "--name", name]))
    .ok();
    let list = out.json();
    assert_eq!(json_ids(&list), [wanted["id"].as_u64().unwrap()]);
    assert_eq!(list[0]["name"], name);
    assert_same_object(&list[0], wanted);
}

#[test]
fn get_an_unknown_image_exits_4_with_the_api_error() {
    let sim = Sim::start();
    let out = run(sim.doimg().args(["images", "get", "999"])).expect_code(4);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "Error: The resource you were accessing could not be found. \
         (not_found, request sandbox-00000001)\n"
    );

    let out = run(sim.doimg().args(["images", "get", "no-such-slug"])).expect_code(4);
    assert!(out.single_error().contains("not_found"), "{}", out.stderr);

    let out = run(sim
        .doimg()
        .args(["images", "get", "--name", "no-such-image"]))
    .expect_code(4);
    assert!(
        out.single_error()
            .contains("no image is named `no-such-image`"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------- create

#[test]
fn create_without_wait_prints_the_new_image() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "images",
        "create",
        "--name",
        "web-base",
        "--url",
        "https://example.com/web.qcow2",
        "--region",
        "nyc3",
    ]))
    .ok();
    let rows = ids_of_table(&out.stdout);
    assert_eq!(rows.len(), 1, "{}", out.stdout);
    assert!(out.stdout.lines().nth(1).unwrap().contains("NEW"));
    assert!(out.stdout.contains("web-base"));
    assert_eq!(out.stderr, "", "no warning for a documented region");
    assert_eq!(sim.count_named("web-base"), 1);
    assert_eq!(sim.requests_of("images_create_custom"), 1);
    let image = sim.image(rows[0]).expect("the image exists");
    assert_eq!(image["name"], "web-base");
}

#[test]
fn create_sends_distribution_description_and_tags() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "images",
        "create",
        "--name",
        "db-base",
        "--url",
        "https://example.com/db.img.gz",
        "--region",
        "fra1",
        "--distribution",
        "Debian",
        "--description",
        "the database image",
        "--tag",
        "db",
        "--tag",
        "prod",
    ]))
    .ok();
    let image = out.json();
    assert_eq!(image["name"], "db-base");
    assert_eq!(image["status"], "NEW");
    assert_eq!(image["type"], "custom");
    assert_eq!(image["distribution"], "Debian");
    assert_eq!(image["description"], "the database image");
    assert_eq!(image["tags"], json!(["db", "prod"]));
    let stored = sim.image(image["id"].as_u64().unwrap()).unwrap();
    assert_same_object(&image, &stored);
}

/// The statuses shown while waiting, from lines `image N: STATUS (after ..)`.
fn statuses_seen(stderr: &str, what: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{what}: ")))
        .map(|rest| rest.split(" (after ").next().unwrap().to_string())
        .collect()
}

#[test]
fn create_with_wait_ends_available() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "images",
        "create",
        "--name",
        "edge",
        "--url",
        "https://example.com/edge.raw.bz2",
        "--region",
        "ams3",
        "--wait",
        "--timeout",
        "30s",
    ]))
    .ok();
    let image = out.json();
    let id = image["id"].as_u64().unwrap();
    assert_eq!(image["status"], "available");
    assert_eq!(image["regions"], json!(["ams3"]));
    assert!(
        out.stderr
            .starts_with(&format!("Import started: image {id}.\n")),
        "{}",
        out.stderr
    );
    let seen = statuses_seen(&out.stderr, &format!("image {id}"));
    assert_eq!(
        seen.first().map(String::as_str),
        Some("NEW"),
        "{}",
        out.stderr
    );
    assert_eq!(seen.last().map(String::as_str), Some("available"));
    let order = ["NEW", "pending", "available"];
    let ranks: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a known status"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_same_object(&image, &sim.image(id).unwrap());
    assert_eq!(sim.image(id).unwrap()["status"], "available");
}

#[test]
fn create_with_wait_on_a_failing_import_ends_with_its_error_message_and_exit_5() {
    let sim = Sim::start();
    for (name, url) in [
        ("iso", "https://example.com/disk.iso"),
        ("unresolvable", "https://images.example.invalid/disk.qcow2"),
    ] {
        let out = run(sim.doimg().args([
            "images", "create", "--name", name, "--url", url, "--region", "nyc3", "--wait",
        ]))
        .expect_code(5);
        assert_eq!(out.stdout, "");
        let id: u64 = out
            .stderr
            .strip_prefix("Import started: image ")
            .and_then(|rest| rest.split('.').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("the import's id on stderr: {}", out.stderr));
        let image = sim.image(id).expect("the failed image stays visible");
        assert_eq!(image["status"], "deleted");
        let message = image["error_message"].as_str().unwrap();
        assert!(!message.is_empty());
        assert_eq!(
            out.single_error(),
            format!("image {id} ended as deleted: {message}")
        );
        assert_eq!(
            statuses_seen(&out.stderr, &format!("image {id}")).last(),
            Some(&"deleted".to_string())
        );
    }
}

// ---------------------------------------------------------------- update

#[test]
fn update_renames_and_changes_custom_images() {
    let sim = Sim::start();
    let snapshot = sim.first_private("snapshot");
    let out = run(sim.doimg().args([
        "images",
        "update",
        &snapshot.to_string(),
        "--name",
        "renamed-snapshot",
    ]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout), [snapshot]);
    assert!(out.stdout.contains("renamed-snapshot"));
    assert_eq!(sim.image(snapshot).unwrap()["name"], "renamed-snapshot");

    let custom = sim.first_private("custom");
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "images",
        "update",
        &custom.to_string(),
        "--description",
        "rebuilt",
        "--distribution",
        "Fedora",
    ]))
    .ok();
    let image = out.json();
    assert_eq!(image["description"], "rebuilt");
    assert_eq!(image["distribution"], "Fedora");
    assert_same_object(&image, &sim.image(custom).unwrap());
}

#[test]
fn update_errors_keep_their_exit_codes() {
    let sim = Sim::start();
    // The API refuses a description on a public image: exit 1.
    let out = run(sim
        .doimg()
        .args(["images", "update", "100000001", "--description", "mine"]))
    .expect_code(1);
    let message = out.single_error();
    assert!(
        message.contains("can only be changed on custom images")
            && message.contains("(unprocessable_entity, request sandbox-"),
        "{message}"
    );
    // An unknown image: exit 4.
    run(sim.doimg().args(["images", "update", "999", "--name", "x"])).expect_code(4);
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_with_force_deletes() {
    let sim = Sim::start();
    let id = sim.first_private("snapshot");
    let count = sim.sandbox.image_count();
    let out = run(sim
        .doimg()
        .args(["images", "delete", &id.to_string(), "--force"]))
    .ok();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, format!("Deleted image {id}.\n"));
    assert!(sim.image(id).is_none());
    assert_eq!(sim.sandbox.image_count(), count - 1);
}

#[test]
fn delete_without_force_and_without_a_terminal_refuses_and_deletes_nothing() {
    let sim = Sim::start();
    let image = &sim.private_images()[0];
    let id = image["id"].as_u64().unwrap();
    let name = image["name"].as_str().unwrap().to_string();
    let requests = sim.requests();
    // assert_cmd gives the child no stdin: not a terminal.
    let out = run(sim.doimg().args(["images", "delete", &id.to_string()])).expect_code(2);
    assert_eq!(out.stdout, "");
    let message = out.single_error();
    assert!(
        message.contains("refusing to delete") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(sim.requests(), requests, "nothing was sent");
    assert_eq!(sim.count_named(&name), 1, "the image is still there");
    assert!(sim.image(id).is_some());

    // Even with a `y` piped in: a pipe is not a terminal.
    run(sim
        .doimg()
        .args(["images", "delete", &id.to_string()])
        .write_stdin("y\n"))
    .expect_code(2);
    assert_eq!(sim.count_named(&name), 1);
    assert_eq!(sim.requests_of("images_delete"), 0);
}

#[test]
fn delete_of_a_missing_image_prints_one_error_and_exits_4() {
    let sim = Sim::start();
    let out = run(sim.doimg().args(["images", "delete", "999", "--force"])).expect_code(4);
    assert_eq!(
        out.stderr,
        "Error: The resource you were accessing could not be found. \
         (not_found, request sandbox-00000001)\n"
    );
}

#[test]
fn delete_of_several_goes_on_after_a_failure_and_reports_each_once() {
    let sim = Sim::start();
    let images = sim.private_images();
    let first = images[0]["id"].as_u64().unwrap();
    let last = images[4]["id"].as_u64().unwrap();
    let before = sim.requests();
    let out = run(sim.doimg().args([
        "images",
        "delete",
        &first.to_string(),
        "999",
        &last.to_string(),
        "--force",
    ]))
    .expect_code(4);
    assert!(sim.image(first).is_none() && sim.image(last).is_none());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("Deleted image {first}."),
            format!(
                "Error: image 999: The resource you were accessing could not be found. \
                 (not_found, request sandbox-{:08})",
                before + 2
            ),
            format!("Deleted image {last}."),
            "Error: 1 of 3 deletions failed".to_string(),
        ],
        "{}",
        out.stderr
    );
}

#[test]
fn delete_of_a_public_image_is_an_api_error() {
    let sim = Sim::start();
    let out = run(sim
        .doimg()
        .args(["images", "delete", "100000001", "--force"]))
    .expect_code(1);
    assert!(
        out.single_error().contains("is a public image"),
        "{}",
        out.stderr
    );
    assert!(sim.image(100_000_001).is_some());
}

// ---------------------------------------------------------------- wait

/// Starts an import with doimg, without waiting; returns the new image's
/// id.
fn start_import(sim: &Sim, name: &str, url: &str) -> u64 {
    let out = run(sim.doimg().args([
        "-o", "json", "images", "create", "--name", name, "--url", url, "--region", "nyc3",
    ]))
    .ok();
    out.json()["id"].as_u64().unwrap()
}

#[test]
fn wait_returns_the_image_once_available() {
    let sim = Sim::start();
    let id = start_import(&sim, "later", "https://example.com/later.vmdk");
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "wait", &id.to_string()]))
    .ok();
    let image = out.json();
    assert_eq!(image["id"], id);
    assert_eq!(image["status"], "available");
    assert_same_object(&image, &sim.image(id).unwrap());
    let seen = statuses_seen(&out.stderr, &format!("image {id}"));
    assert_eq!(seen.last().map(String::as_str), Some("available"));

    // Waiting for an image that is already available returns at once.
    let out = run(sim.doimg().args(["images", "wait", &id.to_string()])).ok();
    assert_eq!(ids_of_table(&out.stdout), [id]);
}

#[test]
fn wait_on_a_failed_import_exits_5_with_its_message() {
    let sim = Sim::start();
    let id = start_import(&sim, "broken", "https://example.com/broken.vhd");
    let out = run(sim.doimg().args(["images", "wait", &id.to_string()])).expect_code(5);
    let message = sim.image(id).unwrap()["error_message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("broken.vhd"), "{message}");
    assert_eq!(
        out.single_error(),
        format!("image {id} ended as deleted: {message}")
    );
}

#[test]
fn wait_gives_up_after_the_timeout_with_exit_5() {
    let sim = Sim::with(fast().with_import_timing(ImportTiming::new(
        Duration::from_secs(60),
        Duration::from_secs(120),
    )));
    let id = start_import(&sim, "slow", "https://example.com/slow.qcow2");
    let out = run(sim
        .doimg()
        .args(["images", "wait", &id.to_string(), "--timeout", "300ms"]))
    .expect_code(5);
    let message = out.single_error();
    assert!(
        message.starts_with(&format!("gave up waiting for image {id} after"))
            && message.ends_with("last status seen: NEW"),
        "{message}"
    );
}

#[test]
fn wait_for_an_unknown_image_exits_4() {
    let sim = Sim::start();
    run(sim.doimg().args(["images", "wait", "999"])).expect_code(4);
}

/// An import answered with `"id": 0` (an answer the sandbox never gives):
/// the request was sent, so the exit is an API error, never 2 ("nothing
/// was sent"), with and without `--wait`, and nothing is polled.
#[test]
fn an_import_answered_with_id_0_is_an_api_error_not_a_usage_error() {
    let server = MockServer::start();
    let import = server.mock(|when, then| {
        when.method(POST).path("/v2/images");
        json_answer(then, 202).json_body(json!({"image": {
            "id": 0, "name": "x", "type": "custom", "distribution": "Ubuntu",
            "slug": null, "public": false, "regions": [], "min_disk_size": null,
            "size_gigabytes": null, "created_at": "2025-01-01T00:00:00Z",
            "description": "", "tags": [], "status": "NEW", "error_message": "",
        }}));
    });
    // Mocks match in the order they were made: this one counts the polls.
    let anything_else = server.mock(|_, then| {
        json_answer(then, 404).json_body(json!({"id": "not_found", "message": "polled"}));
    });
    let home = tempfile::tempdir().unwrap();
    for wait in [true, false] {
        let mut command = common::isolated(home.path());
        command
            .args(["--api-url", &server.base_url(), "-t", "dop_v1_test"])
            .args(["--poll-interval", common::POLL_INTERVAL])
            .args(["images", "create", "--name", "x", "--region", "nyc3"])
            .args(["--url", "https://example.com/x.img"]);
        if wait {
            command.arg("--wait");
        }
        let out = run(&mut command).expect_code(1);
        let error = out.single_error();
        assert!(error.contains("id 0"), "{error}");
        assert!(!out.stderr.contains("Import started"), "{}", out.stderr);
    }
    import.assert_calls(2);
    anything_else.assert_calls(0);
}
