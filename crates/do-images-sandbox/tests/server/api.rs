//! The sandbox over real HTTP: authentication, errors, listing, life
//! cycles, rate limits and faults.

use crate::common;

use std::time::Duration;

use common::Harness;
use do_images_sandbox::{FaultKind, Faults, ImportTiming, RateLimits, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn fast() -> SandboxConfig {
    SandboxConfig::default()
        .with_import_timing(ImportTiming::new(
            Duration::from_millis(100),
            Duration::from_millis(300),
        ))
        .with_action_duration(Duration::from_millis(150))
}

fn ids(items: &[Value]) -> Vec<u64> {
    items
        .iter()
        .map(|i| i["id"].as_u64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn missing_or_wrong_token_is_unauthorized() {
    let h = Harness::start(fast()).await;
    for token in [None, Some("dop_v1_wrong")] {
        let answer = h.send_as(token, Method::GET, "/v2/images", None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json["id"], "unauthorized");
        assert!(
            answer.json["request_id"]
                .as_str()
                .unwrap()
                .starts_with("sandbox-")
        );
        assert!(answer.headers.contains_key("ratelimit-remaining"));
    }
}

#[tokio::test]
async fn unknown_things_are_not_found() {
    let h = Harness::start(fast()).await;
    let private_id = h.get("/v2/images?private=true").await.json["images"][0]["id"].clone();
    for path in [
        "/v2/images/999".to_string(),
        "/v2/images/no-such-slug".to_string(),
        "/v2/images/999/actions".to_string(),
        format!("/v2/images/{private_id}/actions/1"),
        "/v2/droplets".to_string(),
    ] {
        let answer = h.get(&path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.json["id"], "not_found", "{path}");
    }
}

#[tokio::test]
async fn slugs_name_public_images_only() {
    let h = Harness::start(fast()).await;
    let answer = h.get("/v2/images/ubuntu-24-04-x64").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["image"]["public"], true);
    let (all, _) = h.get_all("/v2/images?per_page=200", "images").await;
    assert!(
        all.iter()
            .all(|i| i["public"].as_bool().unwrap() == i["slug"].is_string())
    );
}

#[tokio::test]
async fn invalid_input_is_unprocessable_and_names_the_field() {
    let h = Harness::start(fast()).await;
    let cases = [
        (
            Method::POST,
            "/v2/images",
            json!({"url": "https://x.test/a.qcow2", "region": "nyc3"}),
            "`name`",
        ),
        (
            Method::POST,
            "/v2/images",
            json!({"name": "a", "region": "nyc3"}),
            "`url`",
        ),
        (
            Method::POST,
            "/v2/images",
            json!({"name": "a", "url": "https://x.test/a.qcow2"}),
            "`region`",
        ),
        (
            Method::POST,
            "/v2/images/100000001/actions",
            json!({"type": "transfer"}),
            "`region`",
        ),
        (
            Method::POST,
            "/v2/images/100000001/actions",
            json!({"type": "resize"}),
            "`type`",
        ),
    ];
    for (method, path, body, field) in cases {
        let answer = h.send(method, path, Some(body)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(answer.json["id"], "unprocessable_entity");
        assert!(
            answer.json["message"].as_str().unwrap().contains(field),
            "{}",
            answer.text
        );
    }
    for (query, name) in [
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("page=x", "page"),
        ("type=iso", "type"),
        ("private=yes", "private"),
    ] {
        let answer = h.get(&format!("/v2/images?{query}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            answer.json["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{name}`")),
            "{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn pages_have_absolute_relevant_links_and_a_total() {
    let h = Harness::start(fast().with_images(450)).await;
    let first = h.get("/v2/images?per_page=200").await;
    assert_eq!(first.json["meta"]["total"], 450);
    let pages = first.json["links"]["pages"].as_object().unwrap();
    let mut keys: Vec<_> = pages.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["last", "next"]);
    let base = h.sandbox.base_url();
    assert_eq!(
        pages["next"],
        format!("{base}/v2/images?page=2&per_page=200")
    );
    assert_eq!(
        pages["last"],
        format!("{base}/v2/images?page=3&per_page=200")
    );

    let last = h.get("/v2/images?page=3&per_page=200").await;
    assert_eq!(last.json["images"].as_array().unwrap().len(), 50);
    assert!(last.json["links"]["pages"].get("next").is_none());
    assert!(last.json["links"]["pages"].get("prev").is_some());

    let (all, count) = h.get_all("/v2/images?per_page=200", "images").await;
    assert_eq!(count, 3);
    let ids = ids(&all);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "every image once, by id");
    assert_eq!(ids.len(), 450);

    let default = h.get("/v2/images").await;
    assert_eq!(
        default.json["images"].as_array().unwrap().len(),
        20,
        "per_page defaults to 20"
    );
    let beyond = h.get("/v2/images?page=9&per_page=200").await;
    assert_eq!(beyond.json["images"], json!([]));
    assert_eq!(beyond.json["meta"]["total"], 450);

    let one_page = h.get("/v2/images?type=application").await;
    assert_eq!(one_page.json["links"], json!({"pages": {}}));
}

#[tokio::test]
async fn filters_select_and_are_kept_in_links() {
    let h = Harness::start(fast().with_images(600)).await;
    let (all, _) = h.get_all("/v2/images?per_page=200", "images").await;
    let (private, _) = h
        .get_all("/v2/images?private=true&per_page=50", "images")
        .await;
    let expected: Vec<u64> = ids(&all
        .iter()
        .filter(|i| i["public"] == false)
        .cloned()
        .collect::<Vec<_>>());
    assert_eq!(ids(&private), expected);

    let (tagged, _) = h
        .get_all("/v2/images?tag_name=prod&per_page=20", "images")
        .await;
    assert!(!tagged.is_empty());
    let expected: Vec<u64> = ids(&all
        .iter()
        .filter(|i| i["tags"].as_array().unwrap().contains(&json!("prod")))
        .cloned()
        .collect::<Vec<_>>());
    assert_eq!(ids(&tagged), expected);

    let page = h.get("/v2/images?tag_name=prod&per_page=20").await;
    let next = page.json["links"]["pages"]["next"].as_str().unwrap();
    assert!(next.contains("tag_name=prod"), "{next}");

    let distributions = h.get("/v2/images?type=distribution&per_page=200").await;
    let applications = h.get("/v2/images?type=application&per_page=200").await;
    for (answer, kind) in [(&distributions, "base"), (&applications, "snapshot")] {
        let images = answer.json["images"].as_array().unwrap();
        assert!(!images.is_empty());
        assert!(
            images
                .iter()
                .all(|i| i["public"] == true && i["type"] == kind)
        );
    }
}

#[tokio::test]
async fn data_includes_values_the_docs_do_not_list() {
    let h = Harness::start(fast().with_images(300)).await;
    let (all, _) = h.get_all("/v2/images?per_page=200", "images").await;
    let has = |field: &str, value: &str| {
        all.iter().any(|i| match &i[field] {
            Value::Array(items) => items.contains(&json!(value)),
            other => other == value,
        })
    };
    assert!(has("regions", "atl1") && has("regions", "ric1"));
    assert!(has("distribution", "NixOS"));
    assert!(has("status", "retired"));
    assert!(
        all.iter()
            .any(|i| i["id"].as_u64().unwrap() > u64::from(u32::MAX))
    );
    for kind in ["base", "snapshot", "backup", "custom"] {
        assert!(has("type", kind), "{kind}");
    }
}

#[tokio::test]
async fn same_seed_same_data() {
    let a = Harness::start(fast().with_seed(42)).await;
    let b = Harness::start(fast().with_seed(42)).await;
    let c = Harness::start(fast().with_seed(43)).await;
    let path = "/v2/images?private=true&per_page=200";
    let first = a.get(path).await.json;
    assert_eq!(first, b.get(path).await.json);
    assert_ne!(first["images"], c.get(path).await.json["images"]);
}

#[tokio::test]
async fn an_import_goes_new_pending_available() {
    let h = Harness::start(fast()).await;
    let body = json!({"name": "web", "url": "https://example.com/web.qcow2.gz", "region": "atl1", "tags": ["ci"]});
    let created = h.send(Method::POST, "/v2/images", Some(body)).await;
    assert_eq!(created.status, StatusCode::ACCEPTED);
    let image = &created.json["image"];
    assert_eq!(image["status"], "NEW");
    assert_eq!(image["regions"], json!([]));
    assert_eq!(image["type"], "custom");
    let path = format!("/v2/images/{}", image["id"]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(h.get(&path).await.json["image"]["status"], "pending");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let image = h.get(&path).await.json["image"].clone();
    assert_eq!(image["status"], "available");
    assert_eq!(image["regions"], json!(["atl1"]));
    assert_eq!(image["tags"], json!(["ci"]));
    assert_eq!(h.sandbox.count_images_named("web"), 1);
}

#[tokio::test]
async fn an_import_that_cannot_work_ends_deleted_with_a_reason() {
    let h = Harness::start(fast()).await;
    let body = json!({"name": "iso", "url": "https://example.com/disk.iso", "region": "nyc3"});
    let created = h.send(Method::POST, "/v2/images", Some(body)).await;
    let path = format!("/v2/images/{}", created.json["image"]["id"]);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let image = h.get(&path).await.json["image"].clone();
    assert_eq!(image["status"], "deleted");
    let message = image["error_message"].as_str().unwrap();
    assert!(
        message.contains("disk.iso") && message.contains("qcow2"),
        "{message}"
    );
}

/// An available private image of `kind` from the seeded data.
async fn seeded(h: &Harness, kind: &str) -> Value {
    let (all, _) = h
        .get_all("/v2/images?private=true&per_page=200", "images")
        .await;
    all.into_iter()
        .find(|i| i["type"] == kind && i["status"] == "available")
        .expect("a seeded image of that kind")
}

async fn act(h: &Harness, id: &Value, body: Value) -> Value {
    let answer = h
        .send(
            Method::POST,
            &format!("/v2/images/{id}/actions"),
            Some(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json["action"]["status"], "in-progress");
    assert!(answer.json["action"]["completed_at"].is_null());
    answer.json["action"].clone()
}

/// An action as the sandbox shows it now.
async fn status(h: &Harness, image: &Value, action: &Value) -> Value {
    let path = format!("/v2/images/{}/actions/{}", image, action["id"]);
    h.get(&path).await.json["action"].clone()
}

/// The action once it is no longer in progress (polled; a hang fails).
async fn finished(h: &Harness, image: &Value, action: &Value) -> Value {
    for _ in 0..500 {
        let now = status(h, image, action).await;
        if now["status"] != "in-progress" {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("action {} never finished", action["id"]);
}

#[tokio::test]
async fn actions_finish_and_change_the_image() {
    let h = Harness::start(fast()).await;
    let snapshot = seeded(&h, "snapshot").await;
    let id = &snapshot["id"];
    let target = if snapshot["regions"]
        .as_array()
        .unwrap()
        .contains(&json!("tor1"))
    {
        "sfo3"
    } else {
        "tor1"
    };
    let transfer = act(&h, id, json!({"type": "transfer", "region": target})).await;
    assert_eq!(transfer["region"]["slug"], target);
    let backup = seeded(&h, "backup").await;
    let convert = act(&h, &backup["id"], json!({"type": "convert"})).await;

    let done = finished(&h, id, &transfer).await;
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    let existing = snapshot["regions"][0].as_str().unwrap();
    let doomed = act(&h, id, json!({"type": "transfer", "region": existing})).await;
    assert_eq!(finished(&h, id, &doomed).await["status"], "errored");
    let bad_convert = act(&h, id, json!({"type": "convert"})).await;
    assert_eq!(finished(&h, id, &bad_convert).await["status"], "errored");
    assert_eq!(
        finished(&h, &backup["id"], &convert).await["status"],
        "completed"
    );

    let image = h.get(&format!("/v2/images/{id}")).await.json["image"].clone();
    assert!(
        image["regions"]
            .as_array()
            .unwrap()
            .contains(&json!(target))
    );
    let converted = h.get(&format!("/v2/images/{}", backup["id"])).await.json["image"].clone();
    assert_eq!(converted["type"], "snapshot");

    let listed = h.get(&format!("/v2/images/{id}/actions")).await;
    let listed_ids = ids(listed.json["actions"].as_array().unwrap());
    assert!(listed_ids.contains(&transfer["id"].as_u64().unwrap()));
    assert_eq!(
        listed.json["meta"]["total"].as_u64().unwrap() as usize,
        listed_ids.len()
    );
}

#[tokio::test]
async fn actions_need_an_available_image() {
    let h = Harness::start(fast()).await;
    let body = json!({"name": "fresh", "url": "https://example.com/a.raw", "region": "nyc3"});
    let id = h.send(Method::POST, "/v2/images", Some(body)).await.json["image"]["id"].clone();
    let answer = h
        .send(
            Method::POST,
            &format!("/v2/images/{id}/actions"),
            Some(json!({"type": "convert"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.json["message"].as_str().unwrap().contains("NEW"),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn actions_on_one_image_run_one_at_a_time() {
    let h = Harness::start(fast().with_action_duration(Duration::from_secs(30))).await;
    let snapshot = seeded(&h, "snapshot").await;
    let id = &snapshot["id"];
    let first = act(&h, id, json!({"type": "transfer", "region": "ric1"})).await;
    for second in [
        json!({"type": "transfer", "region": "atl1"}),
        json!({"type": "convert"}),
    ] {
        let refused = h
            .send(
                Method::POST,
                &format!("/v2/images/{id}/actions"),
                Some(second),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text
        );
        assert_eq!(refused.json["id"], "unprocessable_entity");
        let message = refused.json["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("action {} is in progress", first["id"])),
            "{message}"
        );
    }
    let listed = h.get(&format!("/v2/images/{id}/actions")).await;
    let in_progress = listed.json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "in-progress")
        .count();
    assert_eq!(in_progress, 1, "a refused action is not recorded");
    // Another image is not held up.
    let other = h
        .get_all("/v2/images?private=true&per_page=200", "images")
        .await
        .0
        .into_iter()
        .find(|i| i["status"] == "available" && i["id"] != *id)
        .unwrap();
    act(
        &h,
        &other["id"],
        json!({"type": "transfer", "region": "ric1"}),
    )
    .await;
}

#[tokio::test]
async fn a_new_action_starts_once_the_one_before_has_finished() {
    let h = Harness::start(fast()).await;
    let snapshot = seeded(&h, "snapshot").await;
    let id = &snapshot["id"];
    let first = act(&h, id, json!({"type": "transfer", "region": "ric1"})).await;
    finished(&h, id, &first).await;
    act(&h, id, json!({"type": "transfer", "region": "atl1"})).await;
}

#[tokio::test]
async fn update_and_delete() {
    let h = Harness::start(fast()).await;
    let custom = seeded(&h, "custom").await;
    let path = format!("/v2/images/{}", custom["id"]);
    let updated = h
        .send(
            Method::PUT,
            &path,
            Some(json!({"name": "renamed", "distribution": "Debian", "description": "d"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.json["image"]["name"], "renamed");
    assert_eq!(updated.json["image"]["distribution"], "Debian");

    let snapshot = seeded(&h, "snapshot").await;
    let refused = h
        .send(
            Method::PUT,
            &format!("/v2/images/{}", snapshot["id"]),
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json["message"]
            .as_str()
            .unwrap()
            .contains("`description`")
    );
    let empty = h.send(Method::PUT, &path, Some(json!({"name": ""}))).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    let before = h.sandbox.image_count();
    let deleted = h.send(Method::DELETE, &path, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.text.is_empty());
    assert!(
        deleted.headers.contains_key("ratelimit-limit"),
        "204s carry the rate limit too"
    );
    assert_eq!(h.sandbox.image_count(), before - 1);
    assert_eq!(h.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.send(Method::DELETE, &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    let public = h.send(Method::DELETE, "/v2/images/100000001", None).await;
    assert_eq!(public.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_lost_delete_answer_is_carried_out_but_never_sent() {
    let h = Harness::start(fast().with_faults(Faults::none().with_lost_delete_answers(1))).await;
    let custom = seeded(&h, "custom").await;
    let path = format!("/v2/images/{}", custom["id"]);
    let before = h.sandbox.image_count();
    let lost = reqwest::Client::new()
        .delete(format!("{}{path}", h.sandbox.base_url()))
        .bearer_auth(h.sandbox.token())
        .send()
        .await;
    let error = lost.expect_err("no status line arrives");
    assert!(error.is_request(), "{error:?}");
    assert_eq!(h.sandbox.image_count(), before - 1, "the image is deleted");
    let again = h.send(Method::DELETE, &path, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "only one is lost");
    let log = h.sandbox.request_log();
    let deletes: Vec<_> = log.iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 2);
    assert_eq!(deletes[0].fault, Some(FaultKind::LostAnswer));
    assert_eq!(deletes[0].status, 204, "logged as carried out");
    assert_eq!(deletes[1].fault, None);
}

#[tokio::test]
async fn rate_limits_are_per_token_with_headers() {
    let limits = RateLimits {
        per_minute: 3,
        per_hour: 100,
    };
    let h = Harness::start(fast().with_rate_limits(limits)).await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let answer = h.get("/v2/images/ubuntu-24-04-x64").await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.headers["ratelimit-limit"], "100");
        remaining.push(
            answer.headers["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
        let reset: u64 = answer.headers["ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset > 1_700_000_000, "an epoch time: {reset}");
    }
    assert_eq!(remaining, ["99", "98", "97"]);
    let refused = h.get("/v2/images/ubuntu-24-04-x64").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json["id"], "too_many_requests");
    let wait: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let other = h
        .send_as(Some("dop_v1_other"), Method::GET, "/v2/images", None)
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNAUTHORIZED,
        "another token has its own budget"
    );
    assert_eq!(h.sandbox.stats().rate_limited, 1);
}

#[tokio::test]
async fn injected_faults_look_like_the_real_thing() {
    let h = Harness::start(fast()).await;
    h.sandbox
        .set_faults(Faults::none().with_server_errors(1.0))
        .unwrap();
    let answer = h.get("/v2/images").await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.json["id"], "server_error");

    h.sandbox
        .set_faults(Faults::none().with_unavailable(1.0))
        .unwrap();
    let answer = h.get("/v2/images").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.text.starts_with("<html>"));
    assert_eq!(answer.json, Value::Null, "not JSON");

    h.sandbox
        .set_faults(Faults::none().with_too_many_requests(1.0, 7))
        .unwrap();
    let answer = h.get("/v2/images").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "7");

    h.sandbox
        .set_faults(Faults::none().with_dropped_connections(1.0))
        .unwrap();
    let url = format!("{}/v2/images", h.sandbox.base_url());
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(h.sandbox.token())
        .send()
        .await
        .unwrap();
    assert!(response.bytes().await.is_err(), "the body is cut short");

    let latency = Duration::from_millis(120);
    h.sandbox
        .set_faults(Faults::none().with_latency(latency))
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(h.get("/v2/images").await.status, StatusCode::OK);
    assert!(started.elapsed() >= latency);

    let stats = h.sandbox.stats();
    for kind in [
        FaultKind::ServerError,
        FaultKind::Unavailable,
        FaultKind::TooManyRequests,
        FaultKind::DroppedConnection,
    ] {
        assert_eq!(stats.fault(kind), 1, "{kind:?}");
    }
    assert_eq!(stats.operation("images_list"), 5);
    assert_eq!(stats.requests, 5);
    assert!(
        h.sandbox
            .set_faults(Faults::none().with_server_errors(2.0))
            .is_err()
    );
}

#[tokio::test]
async fn faults_are_drawn_from_the_seed() {
    let faults = Faults::none().with_server_errors(0.3).with_unavailable(0.2);
    let mut runs = Vec::new();
    for _ in 0..2 {
        let h = Harness::start(fast().with_seed(5).with_faults(faults)).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(h.get("/v2/images/ubuntu-24-04-x64").await.status.as_u16());
        }
        let log = h.sandbox.request_log();
        assert_eq!(log.len(), 40);
        assert_eq!(log.iter().map(|r| r.status).collect::<Vec<_>>(), statuses);
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&503) && runs[0].contains(&200));
}

#[tokio::test]
async fn only_requests_addressed_to_this_machine_are_answered() {
    let h = Harness::start(fast()).await;
    let port = h.sandbox.base_url().rsplit(':').next().unwrap().to_string();
    let url = format!("{}/v2/images", h.sandbox.base_url());
    let client = reqwest::Client::new();
    let send = |host: String| {
        client
            .get(&url)
            .bearer_auth(h.sandbox.token())
            .header(reqwest::header::HOST, host)
            .send()
    };
    for host in [
        format!("rebound.example:{port}"),
        "rebound.example".to_string(),
        format!("127.0.0.1.rebound.example:{port}"),
    ] {
        let answer = send(host.clone()).await.unwrap();
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{host}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["id"], "forbidden", "{host}");
        assert!(
            body["message"].as_str().unwrap().contains("127.0.0.1"),
            "{body}"
        );
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = send(host.clone()).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{host}");
    }
    let refused = h
        .sandbox
        .request_log()
        .iter()
        .filter(|r| r.status == 403)
        .count();
    assert_eq!(refused, 3, "refused requests are logged");
}

#[tokio::test]
async fn tokens_it_does_not_know_share_one_budget() {
    // Per-token state is kept for the accounts' tokens and one bucket for
    // all others: a stream of made-up tokens cannot grow it.
    let limits = RateLimits {
        per_minute: 3,
        per_hour: 100,
    };
    let h = Harness::start(fast().with_rate_limits(limits)).await;
    for n in 0..3 {
        let token = format!("dop_v1_made_up_{n}");
        let answer = h
            .send_as(Some(&token), Method::GET, "/v2/images", None)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = h
        .send_as(Some("dop_v1_made_up_4"), Method::GET, "/v2/images", None)
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let known = h.get("/v2/images").await;
    assert_eq!(known.status, StatusCode::OK, "an account keeps its budget");
}

#[tokio::test]
async fn the_request_log_keeps_the_newest_and_counts_what_it_dropped() {
    let h = Harness::start(fast().with_request_log_capacity(5)).await;
    for n in 1..=8 {
        h.get(&format!("/v2/images?page={n}")).await;
    }
    let log = h.sandbox.request_log();
    let targets: Vec<&str> = log.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        (4..=8)
            .map(|n| format!("/v2/images?page={n}"))
            .collect::<Vec<_>>()
    );
    let stats = h.sandbox.stats();
    assert_eq!(stats.requests, 8, "the counters see every request");
    assert_eq!(stats.operation("images_list"), 8);
    assert_eq!(stats.dropped_from_log, 3);
}

#[tokio::test]
async fn the_default_seed_has_what_a_prune_must_tell_apart() {
    let h = Harness::start(SandboxConfig::default()).await;
    let (private, _) = h
        .get_all("/v2/images?private=true&per_page=200", "images")
        .await;
    let count = |pred: &dyn Fn(&Value) -> bool| private.iter().filter(|i| pred(i)).count();
    for series in ["web-", "db-"] {
        let prunable = count(&|i| {
            i["name"].as_str().unwrap().starts_with(series)
                && (i["type"] == "snapshot" || i["type"] == "custom")
                && i["status"] == "available"
        });
        assert!(
            prunable >= 3,
            "{series}: {prunable} available snapshots or custom images"
        );
    }
    for status in ["NEW", "pending"] {
        let importing = count(&|i| {
            i["status"] == status
                && i["type"] == "custom"
                && i["regions"].as_array().unwrap().is_empty()
        });
        assert!(importing >= 1, "an import still {status}");
    }
    let failed =
        count(&|i| i["status"] == "deleted" && !i["error_message"].as_str().unwrap().is_empty());
    assert!(failed >= 2, "{failed} failed imports");
    assert!(count(&|i| i["type"] == "backup") >= 3);
    let mut created: Vec<&str> = private
        .iter()
        .map(|i| i["created_at"].as_str().unwrap())
        .collect();
    created.sort_unstable();
    let day = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp()
            / 86_400
    };
    let span = day(created.last().unwrap()) - day(created[0]);
    assert!(span >= 30, "created_at spans {span} days");
}
