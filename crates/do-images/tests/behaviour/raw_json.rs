//! The objects as the API sent them (`send_json`, `stream_json`,
//! `collect_all_json` on every builder, listing and waiter): every field survives, and requests, retries, limits
//! and pagination behave as for the typed calls.

use std::time::Duration;

use do_images::{Error, WaitOptions};
use futures::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::common::{action, builder, client, error_body, image, serve_pages, within_seconds};

/// An image with what the typed client drops: `null`s, empty arrays, and
/// fields the spec does not know (at the top and nested).
fn rich_image(id: i64, status: &str) -> Value {
    let mut image = image(id, &format!("image-{id}"), status);
    image["slug"] = Value::Null;
    image["regions"] = json!([]);
    image["tags"] = json!([]);
    image["error_message"] = Value::Null;
    image["future_field"] = json!({"nested": [1, null, "", []], "flag": false});
    image["size_gigabytes"] = json!(0.1);
    image
}

/// An action with the same kind of extras.
fn rich_action(id: i64, status: &str) -> Value {
    let mut action = action(id, status);
    action["completed_at"] = Value::Null;
    action["not_in_the_spec"] = Value::Null;
    action["progress"] = json!({"percent": 40, "steps": []});
    action
}

#[tokio::test]
async fn listed_images_keep_unknown_fields_nulls_and_empty_arrays() {
    let sent: Vec<Value> = (1..=7).map(|id| rich_image(id, "available")).collect();
    for fetch_ahead in [0, 3] {
        let server = MockServer::start_async().await;
        let mocks = serve_pages(&server, "/v2/images", "images", &sent, 3, 7, Duration::ZERO).await;
        let (client, _) = client(&server);
        let listed = client
            .images()
            .list()
            .per_page(3)
            .fetch_ahead(fetch_ahead)
            .collect_all_json()
            .await
            .unwrap();
        assert_eq!(
            listed, sent,
            "fetch_ahead {fetch_ahead}: exactly what was sent"
        );
        for mock in &mocks {
            mock.assert_calls_async(1).await;
        }
    }

    // The typed stream cannot show them: that is why the JSON one exists.
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 3, 7, Duration::ZERO).await;
    let (client, _) = client(&server);
    let typed = client
        .images()
        .list()
        .per_page(3)
        .collect_all()
        .await
        .unwrap();
    let typed = serde_json::to_value(&typed[0]).unwrap();
    assert!(typed.get("future_field").is_none(), "{typed}");
    assert_ne!(typed, sent[0]);
}

#[tokio::test]
async fn json_pages_carry_items_total_and_links_like_typed_pages() {
    let sent: Vec<Value> = (1..=5).map(|id| rich_image(id, "available")).collect();
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 2, 5, Duration::ZERO).await;
    let (client, _) = client(&server);
    let list = client.images().list().per_page(2);
    let raw: Vec<_> = list
        .clone()
        .pages_as::<Value>()
        .try_collect()
        .await
        .unwrap();
    let typed: Vec<_> = list.pages().try_collect().await.unwrap();
    assert_eq!(raw.len(), 3);
    for (raw, typed) in raw.iter().zip(&typed) {
        assert_eq!(raw.number, typed.number);
        assert_eq!(raw.total, 5);
        assert_eq!(raw.total, typed.total);
        assert_eq!(raw.items.len(), typed.items.len());
        assert_eq!(raw.links.next, typed.links.next);
        assert_eq!(raw.links.last, typed.links.last);
        assert_eq!(raw.links.first, typed.links.first);
    }
    assert_eq!(raw[2].items, sent[4..]);
}

#[tokio::test]
async fn listed_actions_keep_every_field_across_pages() {
    let sent: Vec<Value> = (1..=3).map(|id| rich_action(id, "completed")).collect();
    let server = MockServer::start_async().await;
    let mocks = serve_pages(
        &server,
        "/v2/images/7/actions",
        "actions",
        &sent,
        2,
        3,
        Duration::ZERO,
    )
    .await;
    let (client, _) = client(&server);
    let listed: Vec<Value> = client
        .actions(7)
        .list()
        .per_page(2)
        .stream_json()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, sent);
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    let pages: Vec<_> = client
        .actions(7)
        .list()
        .per_page(2)
        .fetch_ahead(0)
        .pages_as::<Value>()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].items, sent[2..]);
}

/// How a listing ended: the number of items yielded, and the error after
/// them, if any, as text.
fn outcome<T>(results: &[do_images::Result<T>]) -> (usize, Option<String>) {
    let ok = results.iter().take_while(|r| r.is_ok()).count();
    assert!(ok + 1 >= results.len(), "nothing follows an error");
    let error = results.get(ok).map(|r| match r {
        Err(error) => error.to_string(),
        Ok(_) => unreachable!(),
    });
    (ok, error)
}

#[tokio::test]
async fn a_total_mismatch_ends_the_json_stream_as_it_ends_the_typed_one() {
    let sent: Vec<Value> = (1..=3).map(|id| rich_image(id, "available")).collect();
    let server = MockServer::start_async().await;
    // The first page announces 5; only 3 come.
    serve_pages(&server, "/v2/images", "images", &sent, 2, 5, Duration::ZERO).await;
    let (client, _) = client(&server);
    let list = client.images().list().per_page(2);
    let raw: Vec<_> = list.clone().stream_json().collect().await;
    let typed: Vec<_> = list.clone().stream().collect().await;
    assert!(
        matches!(
            raw.last(),
            Some(Err(Error::TotalMismatch {
                expected: 5,
                seen: 3
            }))
        ),
        "{raw:?}"
    );
    assert_eq!(outcome(&raw), outcome(&typed));
    assert_eq!(outcome(&raw).0, 3);
    let error = list.collect_all_json().await.unwrap_err();
    assert!(error.to_string().contains("announced 5"), "{error}");
}

#[tokio::test]
async fn an_error_on_page_two_ends_the_json_stream_after_page_one() {
    for fetch_ahead in [0, 2] {
        let sent: Vec<Value> = (1..=6).map(|id| rich_image(id, "available")).collect();
        let server = MockServer::start_async().await;
        let mocks = serve_pages(&server, "/v2/images", "images", &sent, 2, 6, Duration::ZERO).await;
        let second = mocks.into_iter().nth(1).unwrap();
        second.delete_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images").query_param("page", "2");
                then.status(403)
                    .json_body(error_body("forbidden", "You are not allowed.", "r-p2"));
            })
            .await;
        let (client, _) = client(&server);
        let list = client.images().list().per_page(2).fetch_ahead(fetch_ahead);
        let raw: Vec<_> = list.clone().stream_json().collect().await;
        let typed: Vec<_> = list.stream().collect().await;
        assert_eq!(outcome(&raw), outcome(&typed), "fetch_ahead {fetch_ahead}");
        assert_eq!(raw.len(), 3, "{raw:?}");
        assert_eq!(raw[0].as_ref().unwrap(), &sent[0]);
        assert_eq!(raw[1].as_ref().unwrap(), &sent[1]);
        let error = raw[2].as_ref().unwrap_err();
        assert_eq!(error.status(), Some(403));
        assert_eq!(error.request_id(), Some("r-p2"));
    }
}

#[tokio::test]
async fn a_next_link_that_does_not_advance_is_refused_in_json_too() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images").query_param("page", "1");
            then.status(200).json_body(json!({
                "images": [rich_image(1, "available")],
                "links": {"pages": {"next": "https://api.digitalocean.com/v2/images?page=1&per_page=1"}},
                "meta": {"total": 3}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let results: Vec<_> = client
        .images()
        .list()
        .per_page(1)
        .stream_json()
        .collect()
        .await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap(), &rich_image(1, "available"));
    assert!(
        matches!(results[1], Err(Error::BadPageLink { .. })),
        "{:?}",
        results[1]
    );
    page.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_page_without_its_envelope_fields_is_a_decode_error() {
    for body in [
        json!({"images": {}, "meta": {"total": 1}}),
        json!({"meta": {"total": 1}}),
        json!({"images": []}),
        json!({"images": [], "meta": {"total": "one"}}),
        json!({"images": [], "meta": {"total": 0}, "links": {"pages": {"next": 3}}}),
        json!({"images": [], "meta": {"total": 0}, "links": []}),
        json!([]),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images");
                then.status(200)
                    .header("x-request-id", "r-bad")
                    .json_body(body.clone());
            })
            .await;
        let (client, _) = client(&server);
        let error = client.images().list().collect_all_json().await.unwrap_err();
        match &error {
            Error::Decode {
                status, request_id, ..
            } => {
                assert_eq!(*status, 200, "{body}");
                assert_eq!(request_id.as_deref(), Some("r-bad"));
            }
            other => panic!("{body}: expected a decode error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn fetch_ahead_runs_for_json_listings_too() {
    let sent: Vec<Value> = (1..=95).map(|id| rich_image(id, "available")).collect();
    let server = MockServer::start_async().await;
    // Each answer is delayed, so that pages requested ahead overlap.
    let mut mocks = Vec::new();
    for (i, chunk) in sent.chunks(10).enumerate() {
        let page = i + 1;
        let next = (page < 10).then(|| {
            format!(
                "https://api.digitalocean.com/v2/images?page={}&per_page=10",
                page + 1
            )
        });
        let body =
            json!({"images": chunk, "links": {"pages": {"next": next}}, "meta": {"total": 95}});
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v2/images")
                        .query_param("page", page.to_string());
                    then.status(200)
                        .delay(Duration::from_millis(5))
                        .json_body(body);
                })
                .await,
        );
    }
    let (client, clock) = client(&server);
    let mut stream = client
        .images()
        .list()
        .per_page(10)
        .fetch_ahead(4)
        .stream_json();
    let mut seen = Vec::new();
    while let Some(image) = stream.try_next().await.unwrap() {
        seen.push(image);
    }
    assert_eq!(seen, sent);
    // Each page is requested once by the stream; a second request of a page
    // is only the executor retrying a lost answer (a loaded machine can cut
    // a local connection), and every retry sleeps on the manual clock first.
    let mut calls = 0;
    for mock in &mocks {
        let page_calls = mock.calls_async().await;
        assert!(page_calls >= 1, "every page is requested");
        calls += page_calls;
    }
    assert_eq!(
        calls,
        mocks.len() + clock.sleeps().len(),
        "{:?}",
        clock.sleeps()
    );
}

#[tokio::test]
async fn single_objects_come_back_exactly_as_sent() {
    let server = MockServer::start_async().await;
    let image = rich_image(7, "available");
    let started = rich_action(9, "in-progress");
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/ubuntu-24-04-x64");
            then.status(200)
                .json_body(json!({"image": image, "extra": true}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/images");
            then.status(202)
                .json_body(json!({"image": rich_image(8, "NEW")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v2/images/7")
                .json_body(json!({"name": "renamed"}));
            then.status(200).json_body(json!({"image": image}));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7/actions")
                .json_body(json!({"type": "transfer", "region": "ams3"}));
            then.status(201).json_body(json!({"action": started}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7/actions/9");
            then.status(200).json_body(json!({"action": started}));
        })
        .await;
    let (client, _) = client(&server);
    let images = client.images();
    assert_eq!(
        images.get("ubuntu-24-04-x64").send_json().await.unwrap(),
        image
    );
    let created = images
        .create_custom("image-8", "https://example.com/disk.qcow2", "nyc3")
        .send_json()
        .await
        .unwrap();
    assert_eq!(created.id(), 8);
    assert_eq!(created.into_inner(), rich_image(8, "NEW"));
    assert_eq!(
        images.update(7).name("renamed").send_json().await.unwrap(),
        image
    );
    assert_eq!(
        client
            .actions(7)
            .transfer("ams3")
            .send_json()
            .await
            .unwrap()
            .into_inner(),
        started
    );
    assert_eq!(client.actions(7).get(9).send_json().await.unwrap(), started);
    post.assert_calls_async(1).await;

    // Input is checked before anything is sent, as for `send`.
    let refused = images.update(7).send_json().await.unwrap_err();
    assert!(
        matches!(refused, Error::InvalidInput { what: "update", .. }),
        "{refused:?}"
    );
    let refused = images
        .create_custom("x", "ftp://example.com/disk", "nyc3")
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::InvalidInput { what: "url", .. }),
        "{refused:?}"
    );
}

#[tokio::test]
async fn find_by_name_json_returns_the_matching_objects() {
    let mut sent: Vec<Value> = (1..=4).map(|id| rich_image(id, "available")).collect();
    sent[1]["name"] = json!("db");
    sent[3]["name"] = json!("db");
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("private", "true");
            then.status(200)
                .json_body(json!({"images": sent, "links": {}, "meta": {"total": 4}}));
        })
        .await;
    let (client, _) = client(&server);
    let found = within_seconds(client.images().find_by_name("db").send_json())
        .await
        .unwrap();
    assert_eq!(found, vec![sent[1].clone(), sent[3].clone()]);
}

#[tokio::test]
async fn json_calls_share_errors_retries_and_the_body_limit() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/404");
            then.status(404).json_body(error_body(
                "not_found",
                "The resource you requested could not be found.",
                "r-404",
            ));
        })
        .await;
    let flaky = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/5");
            then.status(503).body("<html>busy</html>");
        })
        .await;
    flaky.up_to_n_times_async(2).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/5");
            then.status(200)
                .json_body(json!({"image": rich_image(5, "available")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/6");
            then.status(200)
                .header("x-request-id", "r-6")
                .body("<html>proxy</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/8");
            then.status(200).json_body(json!({"images": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/9");
            then.status(200)
                .json_body(json!({"image": rich_image(9, &"x".repeat(4096))}));
        })
        .await;
    let (client, clock) = client(&server);
    let images = client.images();

    let error = images.get(404).send_json().await.unwrap_err();
    let typed = images.get(404).send().await.unwrap_err();
    assert_eq!(error.to_string(), typed.to_string());
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.request_id(), Some("r-404"));

    // Two 503s, retried, then the object.
    assert_eq!(
        images.get(5).send_json().await.unwrap(),
        rich_image(5, "available")
    );
    flaky.assert_calls_async(2).await;
    assert_eq!(clock.sleeps().len(), 2);
    assert!(client.rate_limit().is_none());

    let error = images.get(6).send_json().await.unwrap_err();
    match &error {
        Error::Decode {
            status,
            excerpt,
            request_id,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(excerpt, "<html>proxy</html>");
            assert_eq!(request_id.as_deref(), Some("r-6"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let error = images.get(8).send_json().await.unwrap_err();
    assert!(
        error.to_string().contains("missing field `image`"),
        "{error}"
    );

    let small = builder(&server, &clock)
        .max_body_size(1024)
        .build()
        .unwrap();
    let error = small.images().get(9).send_json().await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn json_waiters_return_the_last_object_and_fail_like_the_typed_ones() {
    let server = MockServer::start_async().await;
    for status in ["NEW", "pending"] {
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": rich_image(7, status)}));
            })
            .await
            .up_to_n_times_async(1)
            .await;
    }
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200)
                .json_body(json!({"image": rich_image(7, "available")}));
        })
        .await;
    let mut deleted = rich_image(8, "deleted");
    deleted["error_message"] = json!("Unable to download the image: 404 Not Found");
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/8");
            then.status(200).json_body(json!({"image": deleted}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/3/actions/9");
            then.status(200)
                .json_body(json!({"action": rich_action(9, "completed")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/3/actions/10");
            then.status(200)
                .json_body(json!({"action": rich_action(10, "errored")}));
        })
        .await;
    let (client, clock) = client(&server);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = WaitOptions::default()
        .on_progress(move |p| record.lock().unwrap().push(p.status.clone().unwrap()));

    let image = client
        .images()
        .wait_until_available(7, options)
        .send_json()
        .await
        .unwrap();
    assert_eq!(image, rich_image(7, "available"));
    assert_eq!(*seen.lock().unwrap(), ["NEW", "pending", "available"]);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(4)]
    );

    let error = client
        .images()
        .wait_until_available(8, WaitOptions::default())
        .send_json()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "image 8 ended as deleted: Unable to download the image: 404 Not Found"
    );

    let actions = client.actions(3);
    let done = actions
        .wait_until_done(9, WaitOptions::default())
        .send_json()
        .await
        .unwrap();
    assert_eq!(done, rich_action(9, "completed"));
    let error = actions
        .wait_until_done(10, WaitOptions::default())
        .send_json()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::WaitFailed {
                resource: "action",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn raw_text_items_are_the_bytes_the_api_sent() {
    let first = r#"{"id":1, "name" : "caf\u00e9","status":"available","zz":null,"id_again":1}"#;
    let second = "{\"id\":2,\"name\":\"web\",\"status\":\"NEW\",\"regions\":[ ]}";
    let body = format!(
        "{{\"images\": [ {first} ,\n {second}], \"links\": {{}}, \"meta\": {{\"total\": 2}}}}"
    );
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images");
            then.status(200)
                .header("content-type", "application/json")
                .body(body.as_str());
        })
        .await;
    let (client, _) = client(&server);
    let listed: Vec<Box<RawValue>> = client
        .images()
        .list()
        .stream_as::<Box<RawValue>>()
        .try_collect()
        .await
        .unwrap();
    let texts: Vec<&str> = listed.iter().map(|item| item.get()).collect();
    assert_eq!(texts, [first, second]);
}

#[tokio::test]
async fn collect_all_as_reads_every_item_of_every_page_as_asked() {
    let server = MockServer::start_async().await;
    let items: Vec<Value> = (1..=3).map(|id| action(id, "completed")).collect();
    let path = "/v2/images/7/actions";
    let pages = serve_pages(&server, path, "actions", &items, 2, 3, Duration::ZERO).await;
    let (client, _) = client(&server);
    let listing = || client.actions(7).list().per_page(2);
    let raw = listing().collect_all_as::<Box<RawValue>>().await.unwrap();
    let raw: Vec<Value> = raw
        .iter()
        .map(|item| serde_json::from_str(item.get()).unwrap())
        .collect();
    assert_eq!(raw, items);
    let typed = listing()
        .collect_all_as::<do_images::Action>()
        .await
        .unwrap();
    let ids: Vec<u64> = typed.iter().map(|action| action.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    for page in pages {
        page.assert_calls_async(2).await;
    }
}

#[tokio::test]
async fn raw_text_waiters_read_the_status_and_the_error_message() {
    let mut deleted = rich_image(8, "deleted");
    deleted["error_message"] = json!("no \"disk\"\nfound");
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200)
                .header("content-type", "application/json")
                .body(escaped_name(rich_image(7, "available")));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/8");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"image": deleted}));
        })
        .await;
    let (client, _) = client(&server);
    let image = client
        .images()
        .wait_until_available(7, WaitOptions::default())
        .send_as::<Box<RawValue>>()
        .await
        .unwrap();
    let sent = escaped_name(rich_image(7, "available"));
    assert_eq!(format!(r#"{{"image":{}}}"#, image.get()), sent);
    assert!(
        image.get().contains(r#""name":"w\u0065b""#),
        "{}",
        image.get()
    );
    let error = client
        .images()
        .wait_until_available(8, WaitOptions::default())
        .send_as::<Box<RawValue>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "image 8 ended as deleted: no \"disk\"\nfound"
    );
}

/// `{"image": image}` as JSON text, its name `web` written with an escape
/// (`w\u0065b`) that only the raw text keeps.
fn escaped_name(mut image: Value) -> String {
    image["name"] = json!("web");
    let text = json!({ "image": image }).to_string();
    text.replace(r#""name":"web""#, r#""name":"w\u0065b""#)
}

/// Asserts that `error` is a decoding error of an answer with `status` and
/// `request_id`, whose reason starts with `reason`.
fn assert_decode_error(error: &Error, status: u16, request_id: &str, reason: &str) {
    match error {
        Error::Decode {
            status: received,
            reason: why,
            request_id: id,
            ..
        } => {
            assert_eq!(*received, status, "{error}");
            assert_eq!(id.as_deref(), Some(request_id), "{error}");
            assert!(why.starts_with(reason), "{error}");
        }
        other => panic!("expected a decoding error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_started_object_without_a_usable_id_names_the_answer_received() {
    let server = MockServer::start_async().await;
    let mut nameless = rich_image(8, "NEW");
    nameless["id"] = json!(0);
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/images");
            then.status(202)
                .header("x-request-id", "r-import")
                .json_body(json!({"image": nameless}));
        })
        .await;
    let mut idless = rich_action(9, "in-progress");
    idless.as_object_mut().unwrap().remove("id");
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/images/7/actions");
            then.status(201)
                .header("x-request-id", "r-action")
                .json_body(json!({"action": idless}));
        })
        .await;
    let (client, _) = client(&server);
    let error = client
        .images()
        .create_custom("image-8", "https://example.com/disk.qcow2", "nyc3")
        .send_json()
        .await
        .unwrap_err();
    assert_decode_error(&error, 202, "r-import", "id 0: the new image");
    let error = client
        .actions(7)
        .transfer("ams3")
        .send_as::<Box<RawValue>>()
        .await
        .unwrap_err();
    assert_decode_error(
        &error,
        201,
        "r-action",
        "field `action`: missing field `id`",
    );
}

#[tokio::test]
async fn a_started_transfer_reads_as_the_model_json_or_raw_text() {
    let body = r#"{"transfer_id" : 7501, "zz": null}"#;
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7/account_transfer")
                .json_body(json!({"recipient_email": "sammy@example.com"}));
            then.status(201)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    let (client, _) = client(&server);
    let start = || client.account_transfers(7).to_email("sammy@example.com");
    assert_eq!(
        start().send().await.unwrap(),
        do_images::TransferStarted::Pending { transfer_id: 7501 }
    );
    assert_eq!(
        start().send_json().await.unwrap(),
        json!({"transfer_id": 7501, "zz": null})
    );
    let raw = start().send_as::<Box<RawValue>>().await.unwrap();
    assert_eq!(raw.get(), body);
    create.assert_calls_async(3).await;

    // Input is checked before anything is sent, whatever the reading.
    let refused = client
        .account_transfers(7)
        .to_email("sammy")
        .send_as::<Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Error::InvalidInput {
                what: "recipient email",
                ..
            }
        ),
        "{refused:?}"
    );
    create.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_started_transfer_that_does_not_fit_the_model_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/images/7/account_transfer");
            then.status(201)
                .header("x-request-id", "r-transfer")
                .json_body(json!({"transfer_id": "soon"}));
        })
        .await;
    let (client, _) = client(&server);
    let error = client
        .account_transfers(7)
        .to_email("sammy@example.com")
        .send()
        .await
        .unwrap_err();
    assert_decode_error(&error, 201, "r-transfer", "field `transfer_id`: ");
}
