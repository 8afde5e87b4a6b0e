//! The generated helpers mock every kind of answer, and the `do-images-api`
//! client, driven against them, sends what they expect and decodes what they
//! send. Both come from the same spec; these tests fail to compile or to pass
//! when the two drift apart.

use std::num::NonZeroU64;
use std::time::SystemTime;

use do_images_api::open_enums::{
    ActionStatus, Distribution, ImageListType, ImageStatus, ImageType, RegionSlug,
};
use do_images_api::types::{
    self, Action, ActionEnvelope, ActionsPage, Image, ImageActionConvert, ImageActionConvertType,
    ImageActionRequest, ImageActionTransfer, ImageActionTransferType, ImageEnvelope,
    ImageNewCustom, ImageUpdate, ImagesPage, Meta, PageLinks, PageLinksPages, Region,
};
use do_images_api::{Client, Error, ImageRef};
use do_images_api_mock::MockServerExt;
use httpmock::MockServer;

const TOKEN: &str = "dop_v1_mock_helpers_test_token";

fn client(server: &MockServer) -> Client {
    Client::with_token(&server.base_url(), TOKEN).expect("client builds")
}

fn id(value: u64) -> NonZeroU64 {
    NonZeroU64::new(value).unwrap()
}

/// An image built the way a user builds one: through typify's builder,
/// which refuses a model without its required fields.
fn image(id: u64, name: &str) -> Image {
    Image::builder()
        .id(id)
        .name(name)
        .distribution(Distribution::Ubuntu)
        .regions(vec![RegionSlug::Nyc3, "atl1".into()])
        .status(ImageStatus::Available)
        .type_(Some(ImageType::Custom))
        .created_at(SystemTime::UNIX_EPOCH)
        .description("")
        .error_message("")
        .tags(Vec::<String>::new())
        .try_into()
        .expect("every required field is set")
}

fn action(id: u64, status: ActionStatus) -> Action {
    let region = Region::builder()
        .name("New York 3")
        .slug("nyc3")
        .available(true)
        .features(Vec::<String>::new())
        .sizes(Vec::<String>::new());
    Action::builder()
        .id(id)
        .resource_id(Some(7))
        .resource_type("image")
        .status(status)
        .type_("transfer")
        .started_at(SystemTime::UNIX_EPOCH)
        .completed_at(None)
        .region(region)
        .region_slug(Some("nyc3".to_string()))
        .try_into()
        .expect("every required field is set")
}

fn api_error(id: &str, message: &str) -> types::Error {
    types::Error {
        id: id.into(),
        message: message.into(),
        request_id: Some("4d9d8375-3c56-4925-a3e7-eb137fed17e9".into()),
    }
}

/// The typed error body of an error answer, with its status.
fn expect_api_error<T: std::fmt::Debug>(
    result: Result<T, Error<types::Error>>,
) -> (u16, types::Error) {
    match result {
        Err(Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            (status, response.into_inner())
        }
        other => panic!("expected a typed error answer, got {other:?}"),
    }
}

#[tokio::test]
async fn list_matches_its_query_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let page = ImagesPage {
        images: vec![image(1, "one"), image(2, "two")],
        links: Some(PageLinks {
            pages: Some(PageLinksPages {
                next: Some(format!("{}/v2/images?page=2&per_page=2", server.base_url())),
                ..Default::default()
            }),
        }),
        meta: Meta { total: 3 },
    };
    let mock = server.images_list(|when, then| {
        when.type_(&ImageListType::Distribution)
            .private(true)
            .tag_name("base-image")
            .per_page(id(2))
            .page(None);
        then.ok(&page);
    });

    let got = client(&server)
        .images_list()
        .type_(ImageListType::Distribution)
        .private(true)
        .tag_name("base-image")
        .per_page(2)
        .send()
        .await
        .unwrap();

    mock.assert();
    assert_eq!(got.status().as_u16(), 200);
    let names: Vec<_> = got.images.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(got.meta.total, 3);
    // `atl1` is not in the spec's list: it goes out and comes back as `Other`.
    assert_eq!(
        got.images[0].regions,
        [RegionSlug::Nyc3, RegionSlug::Other("atl1".into())]
    );
    let next = got
        .links
        .as_ref()
        .unwrap()
        .pages
        .as_ref()
        .unwrap()
        .next
        .as_deref();
    assert!(next.unwrap().ends_with("/v2/images?page=2&per_page=2"));
}

#[tokio::test]
async fn get_matches_an_id_or_a_slug() {
    let server = MockServer::start_async().await;
    let by_id = server.images_get(|when, then| {
        when.image_id(&ImageRef::Id(7555620));
        then.ok(&ImageEnvelope {
            image: image(7555620, "by-id"),
        });
    });
    let by_slug = server.images_get(|when, then| {
        when.image_id(&ImageRef::Slug("ubuntu-20-04-x64".parse().unwrap()));
        then.ok(&ImageEnvelope {
            image: image(6918990, "by-slug"),
        });
    });
    let client = client(&server);

    let got = client.images_get().image_id(7555620).send().await.unwrap();
    assert_eq!(got.image.name, "by-id");
    let got = client
        .images_get()
        .image_id("ubuntu-20-04-x64")
        .send()
        .await
        .unwrap();
    assert_eq!(got.image.id, 6918990);
    assert_eq!(got.image.distribution, Distribution::Ubuntu);

    by_id.assert();
    by_slug.assert();
}

#[tokio::test]
async fn create_matches_the_typed_body_and_decodes_accepted() {
    let server = MockServer::start_async().await;
    let new: ImageNewCustom = ImageNewCustom::builder()
        .name("web")
        .url("https://example.com/web.qcow2")
        .region(RegionSlug::Nyc3)
        .distribution(Some(Distribution::Ubuntu))
        .tags(Some(vec!["prod".to_string()]))
        .try_into()
        .unwrap();
    let created = Image {
        status: ImageStatus::New,
        ..image(4294967101, "web")
    };
    let mock = server.images_create_custom(|when, then| {
        when.body(&new);
        then.accepted(&ImageEnvelope { image: created });
    });

    let got = client(&server)
        .images_create_custom()
        .body(new.clone())
        .send()
        .await
        .unwrap();

    mock.assert();
    assert_eq!(got.status().as_u16(), 202);
    assert_eq!(got.image.id, 4294967101);
    assert_eq!(got.image.status, ImageStatus::New);
}

#[tokio::test]
async fn a_body_other_than_the_mocked_one_does_not_match() {
    let server = MockServer::start_async().await;
    let expected: ImageNewCustom = ImageNewCustom::builder()
        .name("web")
        .url("https://example.com/web.qcow2")
        .region(RegionSlug::Nyc3)
        .try_into()
        .unwrap();
    let mock = server.images_create_custom(|when, then| {
        when.body(&expected);
        then.accepted(&ImageEnvelope {
            image: image(1, "web"),
        });
    });

    let result = client(&server)
        .images_create_custom()
        .body(
            ImageNewCustom::builder()
                .name("web")
                .url("https://example.com/web.qcow2")
                .region(RegionSlug::Sfo3),
        )
        .send()
        .await;

    assert!(result.is_err(), "{result:?}");
    assert_eq!(mock.calls(), 0);
}

#[tokio::test]
async fn update_matches_id_and_body() {
    let server = MockServer::start_async().await;
    let update = ImageUpdate {
        name: Some("web-v2".into()),
        ..Default::default()
    };
    let mock = server.images_update(|when, then| {
        when.image_id(id(4294967101)).body(&update);
        then.ok(&ImageEnvelope {
            image: image(4294967101, "web-v2"),
        });
    });

    let got = client(&server)
        .images_update()
        .image_id(4294967101)
        .body(update.clone())
        .send()
        .await
        .unwrap();

    mock.assert();
    assert_eq!(got.image.name, "web-v2");
}

#[tokio::test]
async fn delete_answers_no_content() {
    let server = MockServer::start_async().await;
    let mock = server.images_delete(|when, then| {
        when.image_id(id(4294967101));
        then.no_content();
    });

    let got = client(&server)
        .images_delete()
        .image_id(4294967101)
        .send()
        .await
        .unwrap();

    mock.assert();
    assert_eq!(got.status().as_u16(), 204);
}

#[tokio::test]
async fn post_action_matches_a_transfer_or_a_convert() {
    let server = MockServer::start_async().await;
    let transfer = ImageActionRequest::Transfer(ImageActionTransfer {
        region: RegionSlug::Sfo3,
        type_: ImageActionTransferType::Transfer,
    });
    let convert = ImageActionRequest::Convert(ImageActionConvert {
        type_: ImageActionConvertType::Convert,
    });
    let transfer_mock = server.image_actions_post(|when, then| {
        when.image_id(id(7)).body(&transfer);
        then.created(&ActionEnvelope {
            action: action(36805022, ActionStatus::InProgress),
        });
    });
    let convert_mock = server.image_actions_post(|when, then| {
        when.image_id(id(8)).body(&convert);
        then.created(&ActionEnvelope {
            action: action(36805023, ActionStatus::Completed),
        });
    });
    let client = client(&server);

    let got = client
        .image_actions_post()
        .image_id(7)
        .body(transfer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 201);
    assert_eq!(got.action.id, 36805022);
    assert_eq!(got.action.status, ActionStatus::InProgress);

    let got = client
        .image_actions_post()
        .image_id(8)
        .body(convert.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(got.action.status, ActionStatus::Completed);

    transfer_mock.assert();
    convert_mock.assert();
}

#[tokio::test]
async fn actions_list_and_get_match_their_path_parameters() {
    let server = MockServer::start_async().await;
    let list = server.image_actions_list(|when, then| {
        when.image_id(id(7)).per_page(id(50)).page(None);
        then.ok(&ActionsPage {
            actions: vec![action(1, ActionStatus::Completed)],
            links: None,
            meta: Meta { total: 1 },
        });
    });
    let get = server.image_actions_get(|when, then| {
        when.image_id(id(7)).action_id(id(36805022));
        then.ok(&ActionEnvelope {
            action: action(36805022, "paused".into()),
        });
    });
    let client = client(&server);

    let page = client
        .image_actions_list()
        .image_id(7)
        .per_page(50)
        .send()
        .await
        .unwrap();
    assert_eq!(page.actions.len(), 1);
    assert_eq!(page.meta.total, 1);

    let got = client
        .image_actions_get()
        .image_id(7)
        .action_id(36805022)
        .send()
        .await
        .unwrap();
    // A status the spec does not list travels through both as `Other`.
    assert_eq!(got.action.status, ActionStatus::Other("paused".into()));

    list.assert();
    get.assert();
}

#[tokio::test]
async fn not_found_is_a_typed_error() {
    let server = MockServer::start_async().await;
    let mock = server.images_get(|when, then| {
        when.image_id(&ImageRef::Id(404));
        then.not_found(&api_error(
            "not_found",
            "The resource you were accessing could not be found.",
        ));
    });

    let result = client(&server).images_get().image_id(404).send().await;

    mock.assert();
    let (status, error) = expect_api_error(result);
    assert_eq!(status, 404);
    assert_eq!(error.id, "not_found");
    assert_eq!(
        error.request_id.as_deref(),
        Some("4d9d8375-3c56-4925-a3e7-eb137fed17e9")
    );
}

#[tokio::test]
async fn any_client_or_server_error_status_is_a_typed_error() {
    let server = MockServer::start_async().await;
    // Any request to the operation: the `When` wrapper already matches its
    // method and path.
    let unprocessable = server.images_create_custom(|_, then| {
        then.client_error(422, &api_error("unprocessable_entity", "url is invalid"));
    });
    let unavailable = server.images_list(|_, then| {
        then.server_error(503, &api_error("service_unavailable", "try again"));
    });
    let limited = server.images_delete(|when, then| {
        when.image_id(id(9));
        then.too_many_requests(&api_error("too_many_requests", "API rate limit exceeded"));
    });
    let client = client(&server);

    let result = client
        .images_create_custom()
        .body(
            ImageNewCustom::builder()
                .name("web")
                .url("ftp://nope")
                .region(RegionSlug::Nyc3),
        )
        .send()
        .await;
    let (status, error) = expect_api_error(result);
    assert_eq!((status, error.message.as_str()), (422, "url is invalid"));

    let (status, error) = expect_api_error(client.images_list().send().await);
    assert_eq!((status, error.id.as_str()), (503, "service_unavailable"));

    let (status, error) = expect_api_error(client.images_delete().image_id(9).send().await);
    assert_eq!((status, error.id.as_str()), (429, "too_many_requests"));

    unprocessable.assert();
    unavailable.assert();
    limited.assert();
}

#[tokio::test]
#[should_panic(expected = "assertion `left == right` failed")]
async fn client_error_refuses_a_status_outside_4xx() {
    let server = MockServer::start_async().await;
    server.images_list(|_, then| {
        then.client_error(500, &api_error("x", "y"));
    });
}

#[tokio::test]
async fn into_inner_answers_what_the_spec_does_not_describe() {
    let server = MockServer::start_async().await;
    let mock = server.images_get(|when, then| {
        when.image_id(&ImageRef::Id(1));
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body("{\"image\": ");
    });

    let result = client(&server).images_get().image_id(1).send().await;

    mock.assert();
    assert!(
        matches!(result, Err(Error::InvalidResponsePayload(..))),
        "{result:?}"
    );
}
