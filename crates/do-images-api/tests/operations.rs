//! Each of the eight operations sends exactly the request the API expects:
//! method, path, query, JSON body and `Authorization: Bearer` header.

use do_images_api::open_enums::{Distribution, ImageListType, RegionSlug};
use do_images_api::types::{ImageActionConvert, ImageActionTransfer, ImageNewCustom, ImageUpdate};
use do_images_api::{Client, ImageRef};
use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use serde_json::json;

const TOKEN: &str = "dop_v1_operations_test_token";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

fn image_body(id: i64) -> serde_json::Value {
    json!({"image": {"id": id, "name": "n", "status": "available", "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z", "distribution": "Ubuntu", "description": "", "error_message": "", "tags": []}})
}

fn action_body(id: i64, status: &str) -> serde_json::Value {
    json!({"action": {
        "id": id, "status": status, "type": "transfer", "resource_id": 7, "resource_type": "image",
        "started_at": "2024-01-01T00:00:00Z", "completed_at": null, "region_slug": "nyc3",
        "region": {"name": "New York 3", "slug": "nyc3", "features": [], "available": true, "sizes": []}
    }})
}

#[tokio::test]
async fn list_sends_filters_and_paging_as_query() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .header("authorization", format!("Bearer {TOKEN}"))
                .query_param("type", "distribution")
                .query_param("private", "true")
                .query_param("tag_name", "base-image")
                .query_param("per_page", "200")
                .query_param("page", "3");
            then.status(200)
                .json_body(json!({"images": [], "links": {"pages": {}}, "meta": {"total": 0}}));
        })
        .await;
    let page = client(&server)
        .images_list()
        .type_(ImageListType::Distribution)
        .private(true)
        .tag_name("base-image")
        .per_page(200)
        .page(3)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(page.meta.total, 0);
}

#[tokio::test]
async fn list_without_filters_sends_no_query() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param_missing("type")
                .query_param_missing("private")
                .query_param_missing("tag_name")
                .query_param_missing("per_page")
                .query_param_missing("page");
            then.status(200)
                .json_body(json!({"images": [], "links": {}, "meta": {"total": 0}}));
        })
        .await;
    client(&server).images_list().send().await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn per_page_outside_the_spec_bounds_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let error = client(&server)
        .images_list()
        .per_page(0)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, do_images_api::Error::InvalidRequest(_)),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn create_custom_posts_the_import_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .json_body(json!({
                    "name": "ubuntu-18.04-minimal",
                    "url": "http://cloud-images.ubuntu.com/minimal.img",
                    "region": "nyc3",
                    "distribution": "Ubuntu",
                    "description": "small",
                    "tags": ["base-image", "prod"]
                }));
            then.status(202).json_body(image_body(38413969));
        })
        .await;
    let body = ImageNewCustom::builder()
        .name("ubuntu-18.04-minimal")
        .url("http://cloud-images.ubuntu.com/minimal.img")
        .region(RegionSlug::Nyc3)
        .distribution(Some(Distribution::Ubuntu))
        .description(Some("small".to_string()))
        .tags(Some(vec!["base-image".to_string(), "prod".to_string()]));
    let created = client(&server)
        .images_create_custom()
        .body(body)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.status().as_u16(), 202);
    assert_eq!(created.image.id, 38413969);
}

#[tokio::test]
async fn create_custom_requires_name_url_and_region_before_sending() {
    let server = MockServer::start_async().await;
    let body = ImageNewCustom::builder()
        .name("x")
        .url("http://example.invalid/a.img");
    let error = client(&server)
        .images_create_custom()
        .body(body)
        .send()
        .await
        .unwrap_err();
    let do_images_api::Error::InvalidRequest(message) = error else {
        panic!("expected InvalidRequest, got {error:?}");
    };
    assert!(message.contains("region"), "{message}");
}

#[tokio::test]
async fn get_takes_an_id_or_a_slug() {
    let server = MockServer::start_async().await;
    let by_id = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7555620")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(200).json_body(image_body(7555620));
        })
        .await;
    let by_slug = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/ubuntu-20-04-x64");
            then.status(200).json_body(image_body(63663980));
        })
        .await;
    let big = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/5000000001");
            then.status(200).json_body(image_body(5_000_000_001));
        })
        .await;
    let client = client(&server);
    assert_eq!(
        client
            .images_get()
            .image_id(7555620)
            .send()
            .await
            .unwrap()
            .image
            .id,
        7555620
    );
    let slug = client
        .images_get()
        .image_id("ubuntu-20-04-x64")
        .send()
        .await
        .unwrap();
    assert_eq!(slug.image.id, 63663980);
    let parsed: ImageRef = "5000000001".parse().unwrap();
    assert_eq!(
        client
            .images_get()
            .image_id(parsed)
            .send()
            .await
            .unwrap()
            .image
            .id,
        5_000_000_001
    );
    by_id.assert_async().await;
    by_slug.assert_async().await;
    big.assert_async().await;
}

#[tokio::test]
async fn update_puts_the_changed_fields() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v2/images/7938391")
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(json!({"name": "new-image-name", "distribution": "Debian"}));
            then.status(200).json_body(image_body(7938391));
        })
        .await;
    let body = ImageUpdate::builder()
        .name(Some("new-image-name".to_string()))
        .distribution(Some(Distribution::Debian));
    client(&server)
        .images_update()
        .image_id(7938391)
        .body(body)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_accepts_an_empty_204_and_exposes_headers() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v2/images/7938391")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(204)
                .header("RateLimit-Remaining", "4999")
                .header("ratelimit-limit", "5000")
                .header("ratelimit-reset", "1444931833");
        })
        .await;
    let response = client(&server)
        .images_delete()
        .image_id(7938391)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.headers()["ratelimit-remaining"], "4999");
    assert_eq!(response.headers()["ratelimit-reset"], "1444931833");
}

#[tokio::test]
async fn actions_list_pages_through_actions() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7938269/actions")
                .header("authorization", format!("Bearer {TOKEN}"))
                .query_param("page", "2")
                .query_param("per_page", "50");
            then.status(200).json_body(json!({
                "actions": [action_body(1, "completed")["action"]],
                "links": {"pages": {"first": "https://api.digitalocean.com/v2/images/7938269/actions?page=1&per_page=50"}},
                "meta": {"total": 51}
            }));
        })
        .await;
    let page = client(&server)
        .image_actions_list()
        .image_id(7938269)
        .page(2)
        .per_page(50)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(page.actions.len(), 1);
    assert_eq!(page.meta.total, 51);
}

#[tokio::test]
async fn actions_post_sends_transfer_with_region_and_convert_without() {
    let server = MockServer::start_async().await;
    let transfer = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7938269/actions")
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(json!({"type": "transfer", "region": "atl1"}));
            then.status(201)
                .json_body(action_body(36805527, "in-progress"));
        })
        .await;
    let convert = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7938270/actions")
                .json_body(json!({"type": "convert"}));
            then.status(201)
                .json_body(action_body(36805528, "in-progress"));
        })
        .await;
    let client = client(&server);
    let body = ImageActionTransfer::builder()
        .type_("transfer")
        .region(RegionSlug::from("atl1"));
    let action = client
        .image_actions_post()
        .image_id(7938269)
        .body(ImageActionTransfer::try_from(body).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(action.action.id, 36805527);
    let body = ImageActionConvert::builder().type_("convert");
    client
        .image_actions_post()
        .image_id(7938270)
        .body(ImageActionConvert::try_from(body).unwrap())
        .send()
        .await
        .unwrap();
    transfer.assert_async().await;
    convert.assert_async().await;
}

#[tokio::test]
async fn actions_get_fetches_one_action() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7938269/actions/36805527")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(200)
                .json_body(action_body(36805527, "completed"));
        })
        .await;
    let action = client(&server)
        .image_actions_get()
        .image_id(7938269)
        .action_id(36805527)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(action.action.status.as_str(), "completed");
}
