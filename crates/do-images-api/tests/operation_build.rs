//! `Operation::build`: every builder's request, exactly as `send()` sends
//! it, built without being sent.

use do_images_api::types::{ImageEnvelope, ImageUpdate, ImagesPage};
use do_images_api::{Client, ClientInfo, Error, Operation, Transport};
use httpmock::Method::PUT;
use httpmock::MockServer;

const TOKEN: &str = "dop_v1_operation_build_test_token";

#[tokio::test]
async fn the_built_request_is_the_one_send_sends_and_nothing_is_sent_by_building() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v2/images/7")
                .header("accept", "application/json")
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(serde_json::json!({"name": "renamed"}));
            then.status(200)
                .json_body(serde_json::json!({"image": {"id": 7}}));
        })
        .await;
    let client = Client::with_token(&server.base_url(), TOKEN).expect("client builds");
    let update = || {
        let body = ImageUpdate {
            name: Some("renamed".into()),
            ..ImageUpdate::default()
        };
        client.images_update().image_id(7).body(body)
    };
    let built = update().build().unwrap();
    assert_eq!(built.operation_id, "images_update");
    assert_eq!(mock.calls_async().await, 0, "building sends nothing");
    // Sent with the client's own reqwest client (which adds the token), it
    // matches what `send()` sends: one mock, hit once by each.
    let answer = client.client().execute(built.request).await.unwrap();
    assert_eq!(answer.status(), 200);
    let _ = update().send().await;
    assert_eq!(mock.calls_async().await, 2);
}

#[test]
fn a_refused_builder_value_fails_the_build() {
    let client = Client::new("https://api.digitalocean.com", Transport::default());
    let error = client.images_list().per_page(0).build().unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
}

#[test]
fn query_and_path_come_out_as_send_writes_them() {
    let client = Client::new("https://api.digitalocean.com", Transport::default());
    let built = client
        .images_list()
        .page(3)
        .per_page(20)
        .tag_name("a b&c")
        .build()
        .unwrap();
    assert_eq!(built.operation_id, "images_list");
    assert_eq!(
        built.request.url().as_str(),
        "https://api.digitalocean.com/v2/images?page=3&per_page=20&tag_name=a+b%26c"
    );
    assert_eq!(built.request.method(), "GET");
    assert!(built.request.headers().contains_key("api-version"));
}

/// `Operation::Success` is what `send()` answers; `()` when it has no body.
fn answers<O: Operation<Success = S>, S>(_: &O) {}

#[test]
fn success_names_the_answer() {
    let client = Client::new("https://api.digitalocean.com", Transport::default());
    answers::<_, ImageEnvelope>(&client.images_get());
    answers::<_, ImagesPage>(&client.images_list());
    answers::<_, ()>(&client.images_delete());
}
