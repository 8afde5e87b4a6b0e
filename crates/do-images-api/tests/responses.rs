//! What comes back decodes: every example in the spec, every documented
//! error status as a typed error, and values the spec does not list.

use do_images_api::open_enums::{ActionStatus, Distribution, ImageStatus, ImageType, RegionSlug};
use do_images_api::{Client, Error};
use do_images_spec::Spec;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{Value, json};

const TOKEN: &str = "dop_v1_responses_test_token";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

/// Every example the spec gives for `operation_id`'s `status` response.
fn examples(operation_id: &str, status: &str) -> Vec<Value> {
    let spec = Spec::bundled().unwrap();
    let operation = spec
        .operations()
        .into_iter()
        .find(|op| op.id == operation_id)
        .unwrap();
    let response = spec.resolve(&operation.body["responses"][status]).unwrap();
    let media = &response["content"]["application/json"];
    let mut found: Vec<Value> = media.get("example").cloned().into_iter().collect();
    for example in media["examples"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        found.push(spec.resolve(example).unwrap()["value"].clone());
    }
    assert!(
        !found.is_empty(),
        "the spec has no example for {operation_id} {status}"
    );
    found
}

async fn serve<'a>(
    server: &'a MockServer,
    path: &str,
    status: u16,
    body: Value,
) -> httpmock::Mock<'a> {
    let path = path.to_string();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(path);
            then.status(status).json_body(body);
        })
        .await
}

#[tokio::test]
async fn every_documented_success_example_decodes() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    for example in examples("images_list", "200") {
        let mock = serve(&server, "/v2/images", 200, example.clone()).await;
        let page = client.images_list().send().await.unwrap();
        assert_eq!(
            page.images.len(),
            example["images"].as_array().unwrap().len()
        );
        assert_eq!(page.meta.total, example["meta"]["total"].as_u64().unwrap());
        mock.delete_async().await;
    }
    for example in examples("images_get", "200") {
        let mock = serve(&server, "/v2/images/6918990", 200, example.clone()).await;
        let image = client.images_get().image_id(6918990).send().await.unwrap();
        assert_eq!(
            image.image.slug.as_deref(),
            example["image"]["slug"].as_str()
        );
        assert_eq!(
            image.image.regions.len(),
            example["image"]["regions"].as_array().unwrap().len()
        );
        mock.delete_async().await;
    }
    for example in examples("image_actions_get", "200") {
        let mock = serve(
            &server,
            "/v2/images/7938269/actions/36805527",
            200,
            example.clone(),
        )
        .await;
        let action = client
            .image_actions_get()
            .image_id(7938269)
            .action_id(36805527)
            .send()
            .await
            .unwrap();
        // Upstream's example is an action still in progress.
        assert_eq!(
            action.action.status.as_str(),
            example["action"]["status"].as_str().unwrap()
        );
        assert_eq!(
            action.action.completed_at.is_some(),
            !example["action"]["completed_at"].is_null()
        );
        mock.delete_async().await;
    }
    for example in examples("image_actions_list", "200") {
        let mock = serve(&server, "/v2/images/7938269/actions", 200, example.clone()).await;
        let page = client
            .image_actions_list()
            .image_id(7938269)
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.actions[0].region.slug,
            example["actions"][0]["region"]["slug"].as_str().unwrap()
        );
        mock.delete_async().await;
    }
}

#[test]
fn every_documented_body_deserializes_into_its_type() {
    use do_images_api::types::{ActionEnvelope, ImageEnvelope, ImageNewCustom, ImageUpdate};
    for example in examples("images_create_custom", "202") {
        let image: ImageEnvelope = serde_json::from_value(example).unwrap();
        assert_eq!(image.image.status, ImageStatus::New);
        assert!(image.image.regions.is_empty());
    }
    for example in examples("images_update", "200") {
        let image: ImageEnvelope = serde_json::from_value(example).unwrap();
        assert_eq!(image.image.name, "new-image-name");
        assert_eq!(image.image.slug, None);
    }
    for example in examples("image_actions_post", "201") {
        let action: ActionEnvelope = serde_json::from_value(example).unwrap();
        assert_eq!(action.action.status, ActionStatus::InProgress);
        assert_eq!(action.action.completed_at, None);
    }
    let spec = Spec::bundled().unwrap();
    // Upstream gives the import body's example on its schema.
    let create = spec.document()["components"]["schemas"]["image_new_custom"]["example"].clone();
    let body: ImageNewCustom = serde_json::from_value(create).unwrap();
    assert_eq!(body.region, RegionSlug::Nyc3);
    // Upstream gives no example of an update body: the reference page's.
    let update =
        json!({"name": "Nifty New Snapshot", "distribution": "Ubuntu", "description": " "});
    let body: ImageUpdate = serde_json::from_value(update).unwrap();
    assert_eq!(body.distribution, Some(Distribution::Ubuntu));
}

#[tokio::test]
async fn each_error_status_is_a_typed_error_with_its_fields() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let cases = [
        (401, "unauthorized", "Unable to authenticate you."),
        (
            404,
            "not_found",
            "The resource you requested could not be found.",
        ),
        (422, "unprocessable_entity", "name is required"),
        (429, "too_many_requests", "API rate limit exceeded."),
        (500, "server_error", "Unexpected server-side error"),
        (503, "service_unavailable", "Try again later"),
    ];
    for (status, id, message) in cases {
        let request_id = format!("req-{status}");
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/42");
                then.status(status)
                    .header("ratelimit-remaining", "17")
                    .json_body(json!({"id": id, "message": message, "request_id": request_id}));
            })
            .await;
        let error = client.images_get().image_id(42).send().await.unwrap_err();
        let Error::ErrorResponse(response) = error else {
            panic!("{status}: expected a typed error, got {error:?}");
        };
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()["ratelimit-remaining"], "17");
        assert_eq!(response.id, id);
        assert_eq!(response.message, message);
        assert_eq!(response.request_id.as_deref(), Some(request_id.as_str()));
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn an_error_without_request_id_still_decodes() {
    let server = MockServer::start_async().await;
    serve(
        &server,
        "/v2/images/1",
        404,
        json!({"id": "not_found", "message": "gone"}),
    )
    .await;
    let error = client(&server)
        .images_get()
        .image_id(1)
        .send()
        .await
        .unwrap_err();
    let Error::ErrorResponse(response) = error else {
        panic!("{error:?}")
    };
    assert_eq!(response.request_id, None);
}

#[tokio::test]
async fn values_the_spec_does_not_list_parse_and_known_ones_stay_typed() {
    let server = MockServer::start_async().await;
    serve(
        &server,
        "/v2/images",
        200,
        json!({
            "images": [
                {"id": 1, "name": "n", "created_at": "2024-01-01T00:00:00Z", "description": "", "error_message": "", "tags": [], "regions": ["atl1", "nyc3"], "distribution": "NixOS", "status": "archived", "type": "appliance"},
                {"id": 2, "name": "n", "created_at": "2024-01-01T00:00:00Z", "description": "", "error_message": "", "tags": [], "regions": ["ric1"], "distribution": "Rocky Linux", "status": "available", "type": "custom"}
            ],
            "links": {"pages": {}},
            "meta": {"total": 2}
        }),
    )
    .await;
    let page = client(&server).images_list().send().await.unwrap();
    let new = &page.images[0];
    assert_eq!(
        new.regions,
        [RegionSlug::Other("atl1".into()), RegionSlug::Nyc3]
    );
    assert_eq!(new.distribution, Distribution::Other("NixOS".into()));
    assert_eq!(new.status, ImageStatus::Other("archived".into()));
    assert_eq!(new.type_, Some(ImageType::Other("appliance".into())));
    assert!(!new.regions[0].is_known());
    let known = &page.images[1];
    assert!(matches!(known.distribution, Distribution::RockyLinux));
    assert!(matches!(known.status, ImageStatus::Available));
    assert!(matches!(known.type_, Some(ImageType::Custom)));
    // Values survive a round trip exactly as sent.
    assert_eq!(
        serde_json::to_value(&new.regions).unwrap(),
        json!(["atl1", "nyc3"])
    );

    serve(
        &server,
        "/v2/images/1/actions/9",
        200,
        json!({"action": {
            "id": 9, "status": "queued", "type": "resize", "region_slug": "atl1",
            "started_at": "2024-01-01T00:00:00Z", "completed_at": null,
            "resource_id": 1, "resource_type": "image",
            "region": {"name": "Atlanta 1", "slug": "atl1", "features": [], "available": true, "sizes": []}
        }}),
    )
    .await;
    let action = client(&server)
        .image_actions_get()
        .image_id(1)
        .action_id(9)
        .send()
        .await
        .unwrap();
    assert_eq!(action.action.status, ActionStatus::Other("queued".into()));
    assert_eq!(action.action.type_, "resize");
}

#[tokio::test]
async fn a_non_json_error_body_is_reported_not_swallowed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/5");
            then.status(503)
                .header("content-type", "text/html")
                .body("<html>Service Unavailable</html>");
        })
        .await;
    let error = client(&server)
        .images_get()
        .image_id(5)
        .send()
        .await
        .unwrap_err();
    let Error::InvalidResponsePayload(bytes, _) = error else {
        panic!("{error:?}")
    };
    assert!(String::from_utf8_lossy(&bytes).contains("Service Unavailable"));
}
