//! Every kind of answer the sandbox gives validates against the schemas in
//! spec/images.yaml, with no property the spec does not name, so that the
//! sandbox cannot drift from the spec.
//!
//! The API sends enum values the docs do not list (regions such as `atl1`,
//! distributions such as `NixOS`) and the sandbox does so on purpose; the
//! generated client treats those enums as open. So the check opens the same
//! enums, and a separate assertion makes sure such values really are sent.

mod common;

use std::time::Duration;

use common::{Answer, Harness};
use do_images_sandbox::{Faults, ImportTiming, RateLimits, SandboxConfig};
use do_images_spec::{ResponseSchema, Spec, Strictness};
use reqwest::Method;
use serde_json::{Value, json};

/// Schemas whose values the live API extends beyond the documented list.
const OPEN_ENUMS: &[&str] = &[
    "region_slug",
    "distribution",
    "image_status",
    "image_type",
    "action_status",
];

fn spec_with_open_enums() -> Spec {
    let mut document = Spec::bundled()
        .expect("the bundled spec loads")
        .document()
        .clone();
    for name in OPEN_ENUMS {
        let schema = document
            .pointer_mut(&format!("/components/schemas/{name}"))
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("the spec has schema `{name}`"));
        assert!(
            schema.remove("enum").is_some(),
            "`{name}` is an enum in the spec"
        );
    }
    Spec::from_yaml(&document.to_string()).expect("JSON is YAML")
}

/// Checks one answer of `operation` against the spec: its body, and the
/// headers every response carries.
fn check(spec: &Spec, operation: &str, answer: &Answer) {
    let status = answer.status.as_u16();
    match spec
        .response_schema(operation, status)
        .expect("the spec documents this status")
    {
        ResponseSchema::NoContent => {
            assert!(answer.text.is_empty(), "{operation} {status} has a body")
        }
        ResponseSchema::Json(_) => {
            if let Err(error) = spec.validate_response(
                operation,
                status,
                &answer.json,
                Strictness::NoExtraProperties,
            ) {
                panic!("{error}\nbody: {}", answer.text);
            }
        }
    }
    for header in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert!(
            answer.headers.contains_key(header),
            "{operation} {status} lacks {header}"
        );
    }
    if status == 429 {
        assert!(answer.headers.contains_key("retry-after"));
    }
}

#[tokio::test]
async fn every_answer_fits_the_spec() {
    let spec = spec_with_open_enums();
    let config = SandboxConfig::default()
        .with_images(500)
        .with_import_timing(ImportTiming::new(
            Duration::from_millis(50),
            Duration::from_millis(100),
        ))
        .with_action_duration(Duration::from_millis(50));
    let h = Harness::start(config).await;
    let mut checked = std::collections::BTreeSet::new();
    let mut run = |operation: &'static str, answer: Answer| {
        check(&spec, operation, &answer);
        checked.insert((operation, answer.status.as_u16()));
        answer
    };

    for path in [
        "/v2/images?per_page=200",
        "/v2/images?page=2&per_page=200",
        "/v2/images?type=application",
        "/v2/images?private=true&tag_name=ci",
    ] {
        run("images_list", h.get(path).await);
    }
    run("images_list", h.get("/v2/images?per_page=500").await);
    run(
        "images_list",
        h.send_as(None, Method::GET, "/v2/images", None).await,
    );

    let created = run(
        "images_create_custom",
        h.send(
            Method::POST,
            "/v2/images",
            Some(json!({
                "name": "conformance", "url": "https://example.com/c.vmdk", "region": "ric1",
                "distribution": "Ubuntu", "description": "checked", "tags": ["spec"],
            })),
        )
        .await,
    );
    let failing = run(
        "images_create_custom",
        h.send(
            Method::POST,
            "/v2/images",
            Some(json!({
                "name": "failing", "url": "ftp://example.com/c.vmdk", "region": "nyc3",
            })),
        )
        .await,
    );
    run(
        "images_create_custom",
        h.send(Method::POST, "/v2/images", Some(json!({"name": "x"})))
            .await,
    );
    let id = created.json["image"]["id"].clone();
    tokio::time::sleep(Duration::from_millis(150)).await;

    run("images_get", h.get(&format!("/v2/images/{id}")).await);
    run(
        "images_get",
        h.get(&format!("/v2/images/{}", failing.json["image"]["id"]))
            .await,
    );
    run("images_get", h.get("/v2/images/nixos-24-05-x64").await);
    run("images_get", h.get("/v2/images/404").await);

    run(
        "images_update",
        h.send(
            Method::PUT,
            &format!("/v2/images/{id}"),
            Some(json!({"name": "renamed"})),
        )
        .await,
    );
    run(
        "images_update",
        h.send(
            Method::PUT,
            "/v2/images/100000001",
            Some(json!({"description": "no"})),
        )
        .await,
    );

    let transfer = run(
        "image_actions_post",
        h.send(
            Method::POST,
            &format!("/v2/images/{id}/actions"),
            Some(json!({"type": "transfer", "region": "atl1"})),
        )
        .await,
    );
    run(
        "image_actions_post",
        h.send(
            Method::POST,
            &format!("/v2/images/{id}/actions"),
            Some(json!({"type": "transfer"})),
        )
        .await,
    );
    let action_path = format!("/v2/images/{id}/actions/{}", transfer.json["action"]["id"]);
    run("image_actions_get", h.get(&action_path).await);
    tokio::time::sleep(Duration::from_millis(80)).await;
    run("image_actions_get", h.get(&action_path).await);
    run(
        "image_actions_get",
        h.get(&format!("/v2/images/{id}/actions/1")).await,
    );
    run(
        "image_actions_list",
        h.get(&format!("/v2/images/{id}/actions")).await,
    );
    run("image_actions_list", h.get("/v2/images/404/actions").await);

    run(
        "images_delete",
        h.send(Method::DELETE, &format!("/v2/images/{id}"), None)
            .await,
    );
    run(
        "images_delete",
        h.send(Method::DELETE, &format!("/v2/images/{id}"), None)
            .await,
    );

    let accounts = h.sandbox.accounts();
    let (second, third) = (&accounts[1], &accounts[2]);
    let private = h.get("/v2/images?private=true&per_page=200").await.json;
    let of_type = |kind: &str| {
        private["images"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["type"] == kind)
            .map(|i| i["id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let (snapshots, backups) = (of_type("snapshot"), of_type("backup"));
    let transfer_path = |id: u64, what: &str| format!("/v2/images/{id}/account_transfer{what}");
    let pending = run(
        "image_account_transfers_create",
        h.send(
            Method::POST,
            &transfer_path(snapshots[0], ""),
            Some(json!({"recipient_email": second.email})),
        )
        .await,
    );
    run(
        "image_account_transfers_create",
        h.send(
            Method::POST,
            &transfer_path(snapshots[1], ""),
            Some(json!({"recipient_uuid": third.team_uuid})),
        )
        .await,
    );
    run(
        "image_account_transfers_create",
        h.send(
            Method::POST,
            &transfer_path(snapshots[2], ""),
            Some(json!({"recipient_email": "a@b.example", "recipient_uuid": third.team_uuid})),
        )
        .await,
    );
    run(
        "image_account_transfers_create",
        h.send(
            Method::POST,
            &transfer_path(backups[0], ""),
            Some(json!({"recipient_email": second.email})),
        )
        .await,
    );
    run(
        "image_account_transfers_create",
        h.send(
            Method::POST,
            &transfer_path(404, ""),
            Some(json!({"recipient_email": second.email})),
        )
        .await,
    );
    let transfer_id = pending.json["transfer_id"].clone();
    let as_second = async |method: Method, path: String, body: Value| {
        h.send_as(Some(&second.token), method, &path, Some(body))
            .await
    };
    run(
        "image_account_transfers_accept",
        as_second(
            Method::POST,
            transfer_path(snapshots[0], "/accept"),
            json!({"transfer_id": transfer_id}),
        )
        .await,
    );
    run(
        "image_account_transfers_accept",
        as_second(
            Method::POST,
            transfer_path(snapshots[0], "/accept"),
            json!({"transfer_id": 999_999, "recipient_uuid": second.team_uuid}),
        )
        .await,
    );
    run(
        "image_account_transfers_accept",
        as_second(
            Method::POST,
            transfer_path(snapshots[0], "/accept"),
            json!({"transfer_id": transfer_id, "recipient_uuid": second.team_uuid}),
        )
        .await,
    );
    for (operation, what) in [
        ("image_account_transfers_cancel", "/cancel"),
        ("image_account_transfers_decline", "/decline"),
    ] {
        let started = h
            .send(
                Method::POST,
                &transfer_path(snapshots[3], ""),
                Some(json!({"recipient_email": second.email})),
            )
            .await;
        let body = json!({"transfer_id": started.json["transfer_id"]});
        let answer = if what == "/cancel" {
            h.send(
                Method::POST,
                &transfer_path(snapshots[3], what),
                Some(body.clone()),
            )
            .await
        } else {
            as_second(
                Method::POST,
                transfer_path(snapshots[3], what),
                body.clone(),
            )
            .await
        };
        run(operation, answer);
        run(
            operation,
            h.send(Method::POST, &transfer_path(snapshots[3], what), Some(body))
                .await,
        );
        run(
            operation,
            h.send(
                Method::POST,
                &transfer_path(snapshots[3], what),
                Some(json!({})),
            )
            .await,
        );
    }

    h.sandbox
        .set_faults(Faults::none().with_too_many_requests(1.0, 1))
        .unwrap();
    run("images_list", h.get("/v2/images").await);
    h.sandbox
        .set_faults(Faults::none().with_server_errors(1.0))
        .unwrap();
    run("images_get", h.get("/v2/images/debian-12-x64").await);

    let expected = [
        ("images_list", 200),
        ("images_list", 401),
        ("images_list", 422),
        ("images_list", 429),
        ("images_create_custom", 202),
        ("images_create_custom", 422),
        ("images_get", 200),
        ("images_get", 404),
        ("images_get", 500),
        ("images_update", 200),
        ("images_update", 422),
        ("images_delete", 204),
        ("images_delete", 404),
        ("image_actions_list", 200),
        ("image_actions_list", 404),
        ("image_actions_post", 201),
        ("image_actions_post", 422),
        ("image_actions_get", 200),
        ("image_actions_get", 404),
        ("image_account_transfers_create", 201),
        ("image_account_transfers_create", 400),
        ("image_account_transfers_create", 404),
        ("image_account_transfers_create", 422),
        ("image_account_transfers_accept", 201),
        ("image_account_transfers_accept", 400),
        ("image_account_transfers_accept", 404),
        ("image_account_transfers_cancel", 204),
        ("image_account_transfers_cancel", 400),
        ("image_account_transfers_cancel", 404),
        ("image_account_transfers_decline", 204),
        ("image_account_transfers_decline", 400),
        ("image_account_transfers_decline", 404),
    ];
    for pair in expected {
        assert!(checked.contains(&pair), "{pair:?} was not exercised");
    }
}

#[tokio::test]
async fn a_refused_burst_fits_the_spec_too() {
    let spec = spec_with_open_enums();
    let limits = RateLimits {
        per_minute: 1,
        per_hour: 10,
    };
    let h = Harness::start(SandboxConfig::default().with_rate_limits(limits)).await;
    check(
        &spec,
        "images_get",
        &h.get("/v2/images/debian-12-x64").await,
    );
    let refused = h.get("/v2/images/debian-12-x64").await;
    assert_eq!(refused.status.as_u16(), 429);
    check(&spec, "images_get", &refused);
}

#[tokio::test]
async fn undocumented_values_are_sent_and_the_strict_spec_would_reject_them() {
    let strict = Spec::bundled().unwrap();
    let h = Harness::start(SandboxConfig::default()).await;
    let answer = h.get("/v2/images/nixos-24-05-x64").await;
    assert_eq!(answer.json["image"]["distribution"], "NixOS");
    assert!(
        answer.json["image"]["regions"]
            .as_array()
            .unwrap()
            .contains(&json!("atl1"))
    );
    let error = strict
        .validate_response(
            "images_get",
            200,
            &answer.json,
            Strictness::NoExtraProperties,
        )
        .unwrap_err()
        .to_string();
    assert!(error.contains("NixOS") || error.contains("atl1"), "{error}");
    spec_with_open_enums()
        .validate_response(
            "images_get",
            200,
            &answer.json,
            Strictness::NoExtraProperties,
        )
        .unwrap();
}
