//! `Operation::send_raw`: every builder's request, sent like `send()` through
//! the client's `Execute`, with the answer handed back unread whatever its
//! status.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use do_images_api::types::{ImageEnvelope, ImagesPage};
use do_images_api::{Client, Error, Execute, ExecuteFuture, Operation, Transport};
use httpmock::Method::{DELETE, GET};
use httpmock::MockServer;

const TOKEN: &str = "dop_v1_raw_sends_test_token";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

/// Counts the requests it sends, and the operations they were for.
#[derive(Default)]
struct Counting {
    sent: AtomicUsize,
    operations: std::sync::Mutex<Vec<&'static str>>,
}

impl Execute for Counting {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.operations.lock().unwrap().push(operation_id);
        Box::pin(client.execute(request))
    }
}

#[tokio::test]
async fn an_error_answer_comes_back_with_its_status_and_body_unread() {
    let server = MockServer::start_async().await;
    let body =
        r#"{"id": "not_found", "message": "The resource you were accessing could not be found."}"#;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/404")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(404).body(body);
        })
        .await;
    let response = client(&server)
        .images_get()
        .image_id(404)
        .send_raw()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.text().await.unwrap(), body);
}

#[tokio::test]
async fn a_success_goes_through_execute_and_its_body_is_exactly_as_sent() {
    let server = MockServer::start_async().await;
    let body = r#"{"images":[],"meta":{"total":0},  "extra": true}"#;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("per_page", "5");
            then.status(200).body(body);
        })
        .await;
    let counting = Arc::new(Counting::default());
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Transport::new(counting.clone()),
    );
    let response = client.images_list().per_page(5).send_raw().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), body.as_bytes());
    assert_eq!(counting.sent.load(Ordering::SeqCst), 1);
    assert_eq!(*counting.operations.lock().unwrap(), ["images_list"]);
}

#[tokio::test]
async fn a_refused_builder_value_fails_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let error = client(&server)
        .images_list()
        .per_page(0)
        .send_raw()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(mock.calls_async().await, 0);
}

/// `Operation::Success` is what `send()` answers; `()` when it has no body.
fn answers<O: Operation<Success = S>, S>(_: &O) {}

#[tokio::test]
async fn the_future_is_send_and_success_names_the_answer() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/images/7");
            then.status(204);
        })
        .await;
    let client = Arc::new(client(&server));
    answers::<_, ImageEnvelope>(&client.images_get());
    answers::<_, ImagesPage>(&client.images_list());
    let delete = client.images_delete().image_id(7);
    answers::<_, ()>(&delete);
    // do-images sends from spawned tasks: the future must be `Send`.
    let spawned = tokio::spawn({
        let client = Arc::clone(&client);
        async move { client.images_delete().image_id(7).send_raw().await }
    });
    let response = spawned.await.unwrap().unwrap();
    mock.assert_async().await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
}
