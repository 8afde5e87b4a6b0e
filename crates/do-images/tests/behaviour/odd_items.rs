//! One odd item does not fail a typed listing: `null` for an array or an
//! optional field, timestamps in any RFC 3339 form. An item that still
//! cannot be decoded fails with its position, its id and the field.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use do_images::Error;
use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{client, image, serve_pages};

/// Images that the typed model must read although they are odd.
fn odd_images() -> Vec<Value> {
    let mut images: Vec<Value> = (1..=9).map(|id| image(id, "odd", "available")).collect();
    images[0]["regions"] = Value::Null;
    images[1]["tags"] = Value::Null;
    images[2]["created_at"] = json!("2024-01-01t00:00:00z");
    images[3]["created_at"] = json!("2024-01-01 05:30:00+05:30");
    images[4]["created_at"] = json!("2024-01-01T00:00:00.123456789123Z");
    images[5]["created_at"] = json!("2024-01-01T00:00:00-00:00");
    images[6]["name"] = Value::Null;
    images[6]["error_message"] = Value::Null;
    images[7]["min_disk_size"] = Value::Null;
    images[8]["slug"] = Value::Null;
    images
}

#[tokio::test]
async fn nulls_and_any_rfc3339_timestamp_decode_in_a_typed_listing() {
    let sent = odd_images();
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 4, 9, Duration::ZERO).await;
    let (client, _) = client(&server);

    let listed = client
        .images()
        .list()
        .per_page(4)
        .collect_all()
        .await
        .unwrap();

    assert_eq!(listed.len(), 9);
    assert!(listed[0].regions.is_empty());
    assert!(listed[1].tags.is_empty());
    let midnight = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    for index in [2, 3, 5] {
        assert_eq!(listed[index].created_at, midnight, "image {index}");
    }
    let fraction = listed[4].created_at - midnight;
    assert_eq!(fraction.num_nanoseconds(), Some(123_456_789));
    assert_eq!(listed[6].name, "");
    assert_eq!(listed[6].error_message, "");
    assert_eq!(listed[7].min_disk_size, None);
    assert_eq!(listed[8].slug, None);
    // The raw listing is untouched by any of this.
    let raw = client
        .images()
        .list()
        .per_page(4)
        .collect_all_json()
        .await
        .unwrap();
    assert_eq!(raw, sent);
}

#[tokio::test]
async fn an_item_that_cannot_be_decoded_is_named_by_position_and_field() {
    let mut sent: Vec<Value> = (1..=5).map(|id| image(id, "fine", "available")).collect();
    sent[3]["min_disk_size"] = json!("twenty");
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 2, 5, Duration::ZERO).await;
    let (client, _) = client(&server);

    let error = client
        .images()
        .list()
        .per_page(2)
        .collect_all()
        .await
        .unwrap_err();

    let shown = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(
        shown.contains("item 4 of the listing cannot be decoded: field `min_disk_size`"),
        "{shown}"
    );
    // The excerpt is around the bad field, not the start of the page.
    let Error::Decode { excerpt, .. } = &error else {
        unreachable!()
    };
    assert!(excerpt.contains(r#""min_disk_size":"twenty""#), "{excerpt}");
    assert!(!excerpt.starts_with(r#"{"images""#), "{excerpt}");

    // A timestamp that is not RFC 3339, in an item whose id is unreadable.
    let mut sent: Vec<Value> = (1..=2).map(|id| image(id, "fine", "available")).collect();
    sent[1]["id"] = json!({"not": "an id"});
    sent[1]["created_at"] = json!("yesterday");
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 2, 2, Duration::ZERO).await;
    let (other, _) = crate::common::client(&server);
    let shown = other
        .images()
        .list()
        .per_page(2)
        .collect_all()
        .await
        .unwrap_err()
        .to_string();
    assert!(shown.contains("item 2 of the listing"), "{shown}");
    assert!(!shown.contains("(id"), "{shown}");
    assert!(
        shown.contains("field `id`") || shown.contains("field `created_at`"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_item_without_a_required_field_is_named_by_position_and_field() {
    let mut sent: Vec<Value> = (1..=3).map(|id| image(id, "fine", "available")).collect();
    sent[2].as_object_mut().unwrap().remove("distribution");
    let server = MockServer::start_async().await;
    serve_pages(&server, "/v2/images", "images", &sent, 3, 3, Duration::ZERO).await;
    let (client, _) = client(&server);

    let error = client
        .images()
        .list()
        .per_page(3)
        .collect_all()
        .await
        .unwrap_err();

    let shown = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(
        shown.contains("item 3 of the listing cannot be decoded: missing field `distribution`"),
        "{shown}"
    );
    // The raw path takes the item as sent.
    let raw = client
        .images()
        .list()
        .per_page(3)
        .collect_all_json()
        .await
        .unwrap();
    assert_eq!(raw, sent);
}
