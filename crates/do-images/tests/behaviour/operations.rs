use do_images::{Error, RegionSlug};
use httpmock::prelude::*;
use serde_json::json;

use do_images_test_util::ManualClock;

use crate::common::{TOKEN, builder, client, image, within_seconds};

#[tokio::test]
async fn requests_carry_the_token_and_the_user_agent() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/ubuntu-24-04-x64")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header(
                    "user-agent",
                    concat!("do-images/", env!("CARGO_PKG_VERSION")),
                );
            then.status(200)
                .json_body(json!({"image": image(1, "Ubuntu", "available")}));
        })
        .await;
    let (client, _) = client(&server);
    let image = client
        .images()
        .get("ubuntu-24-04-x64")
        .send()
        .await
        .unwrap();
    assert_eq!(image.id, 1);
    get.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_reqwest_client_of_ones_own_is_used_with_the_token_and_user_agent_added() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7")
                .header("x-own-client", "yes")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("user-agent", "mine/1");
            then.status(200)
                .json_body(json!({"image": image(7, "a", "available")}));
        })
        .await;
    let mut headers = do_images::reqwest::header::HeaderMap::new();
    headers.insert("x-own-client", "yes".parse().unwrap());
    let own = do_images::reqwest::Client::builder().default_headers(headers);
    let clock = ManualClock::default();
    let client = builder(&server, &clock)
        .http_client(own.build().unwrap())
        // Ignored with a client of one's own; the other settings stay.
        .connect_timeout(std::time::Duration::from_secs(1))
        .user_agent("mine/1")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), server.base_url());
    client.images().get(7).send().await.unwrap();
    get.assert_calls_async(1).await;
}

#[tokio::test]
async fn update_delete_and_action_get_send_what_they_should() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v2/images/7")
                .json_body(json!({"name": "renamed", "description": "new text"}));
            then.status(200)
                .json_body(json!({"image": image(7, "renamed", "available")}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/images/7");
            then.status(204);
        })
        .await;
    let get_action = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7/actions/9");
            then.status(200)
                .json_body(json!({"action": crate::common::action(9, "completed")}));
        })
        .await;
    let (client, _) = client(&server);
    let updated = client
        .images()
        .update(7)
        .name("renamed")
        .description("new text")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name, "renamed");
    client.images().delete(7).send().await.unwrap();
    let action = client.actions(7).get(9).send().await.unwrap();
    assert_eq!(action.id, 9);
    update.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
    get_action.assert_calls_async(1).await;
}

#[tokio::test]
async fn find_by_name_returns_every_private_match() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("private", "true")
                .query_param("page", "1");
            then.status(200).json_body(json!({
                "images": [image(1, "web", "available"), image(2, "db", "available"), image(3, "web", "pending")],
                "links": {"pages": {}},
                "meta": {"total": 3}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let found = within_seconds(client.images().find_by_name("web").send())
        .await
        .unwrap();
    assert_eq!(found.iter().map(|i| i.id).collect::<Vec<_>>(), vec![1, 3]);
    let none = within_seconds(client.images().find_by_name("cache").send())
        .await
        .unwrap();
    assert!(none.is_empty());
    list.assert_calls_async(2).await;
}

#[tokio::test]
async fn bad_input_is_refused_before_sending_with_what_is_allowed() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_includes("/v2/");
            then.status(200);
        })
        .await;
    let (client, _) = client(&server);
    let checks: Vec<(Error, &str)> = vec![
        (
            client.images().get("").send().await.unwrap_err(),
            "image id or slug",
        ),
        (
            client.images().get(0).send().await.unwrap_err(),
            "image id or slug",
        ),
        (
            client
                .images()
                .create_custom(" ", "https://example.com/a.qcow2", "nyc3")
                .send()
                .await
                .unwrap_err(),
            "name",
        ),
        (
            client
                .images()
                .create_custom("a", "not a url", "nyc3")
                .send()
                .await
                .unwrap_err(),
            "url",
        ),
        (
            client.images().update(7).send().await.unwrap_err(),
            "update",
        ),
        (
            client
                .images()
                .update(-2)
                .name("x")
                .send()
                .await
                .unwrap_err(),
            "image id",
        ),
        (
            client.images().delete(0).send().await.unwrap_err(),
            "image id",
        ),
        (
            client.actions(-1).convert().send().await.unwrap_err(),
            "image id",
        ),
        (
            client.actions(7).get(0).send().await.unwrap_err(),
            "action id",
        ),
        (
            client.actions(0).list().collect_all().await.unwrap_err(),
            "image id",
        ),
        (
            client
                .actions(7)
                .transfer(RegionSlug::from(""))
                .send()
                .await
                .unwrap_err(),
            "region",
        ),
        (
            client.images().find_by_name("").send().await.unwrap_err(),
            "name",
        ),
        // A blank region is refused by every operation that takes one.
        (
            client
                .images()
                .create_custom("a", "https://example.com/a.qcow2", " ")
                .send()
                .await
                .unwrap_err(),
            "region",
        ),
        (
            client.actions(7).transfer(" ").send().await.unwrap_err(),
            "region",
        ),
    ];
    for (error, expected) in checks {
        match &error {
            Error::InvalidInput { what, allowed, .. } => {
                assert_eq!(*what, expected, "{error}");
                assert!(!allowed.is_empty());
            }
            other => panic!("expected InvalidInput for {expected}, got {other:?}"),
        }
        assert!(error.to_string().contains("allowed"), "{error}");
    }
    any.assert_calls_async(0).await;
}
