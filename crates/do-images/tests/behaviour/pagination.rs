use std::time::Duration;

use do_images::{Error, ImageListType};
use futures::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{action, client, error_body, image, serve_pages, within_seconds};

/// Below this many remaining requests (the last `ratelimit-remaining`
/// seen), `PageStream`'s docs say, no page is fetched ahead.
const PREFETCH_MIN_REMAINING: u64 = 20;

/// Serves `total` images, `per_page` a page, with absolute links to a host
/// that is NOT the mock server (as the real API does), `delay` before each
/// answer. Returns one mock per page.
async fn serve_images<'a>(
    server: &'a MockServer,
    total: usize,
    per_page: usize,
    delay: Duration,
) -> Vec<httpmock::Mock<'a>> {
    let items: Vec<Value> = (1..=total as i64)
        .map(|id| image(id, &format!("image-{id}"), "available"))
        .collect();
    serve_pages(
        server,
        "/v2/images",
        "images",
        &items,
        per_page,
        total,
        delay,
    )
    .await
}

fn ids(images: &[do_images::Image]) -> Vec<u64> {
    images.iter().map(|i| i.id).collect()
}

#[tokio::test]
async fn three_pages_with_absolute_links_are_followed_through_the_base_url() {
    within_seconds(async {
        for fetch_ahead in [0, 3] {
            let server = MockServer::start_async().await;
            let mocks = serve_images(&server, 7, 3, Duration::ZERO).await;
            let (client, _) = client(&server);
            let images = client
                .images()
                .list()
                .per_page(3)
                .fetch_ahead(fetch_ahead)
                .collect_all()
                .await
                .unwrap();
            assert_eq!(
                ids(&images),
                (1..=7).collect::<Vec<_>>(),
                "fetch_ahead {fetch_ahead}"
            );
            for mock in &mocks {
                mock.assert_calls_async(1).await;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn filters_are_kept_on_every_page_and_200_is_the_default_page_size() {
    within_seconds(async {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("page", "1")
                .query_param("per_page", "200")
                .query_param("type", "distribution")
                .query_param("private", "false")
                .query_param("tag_name", "prod");
            then.status(200).json_body(json!({
                "images": [image(1, "a", "available")],
                "links": {"pages": {"next": "https://elsewhere.example/v2/images?page=2&per_page=200"}},
                "meta": {"total": 2}
            }));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("page", "2")
                .query_param("per_page", "200")
                .query_param("type", "distribution")
                .query_param("private", "false")
                .query_param("tag_name", "prod");
            then.status(200).json_body(json!({
                "images": [image(2, "b", "available")],
                "links": {"pages": {"prev": "https://elsewhere.example/v2/images?page=1&per_page=200"}},
                "meta": {"total": 2}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let images = client
        .images()
        .list()
        .kind(ImageListType::Distribution)
        .private(false)
        .tag("prod")
        .collect_all()
        .await
        .unwrap();
    assert_eq!(ids(&images), vec![1, 2]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    })
    .await;
}

#[tokio::test]
async fn pages_carry_items_total_and_links() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        serve_images(&server, 5, 2, Duration::ZERO).await;
        let (client, _) = client(&server);
        let pages: Vec<_> = client
            .images()
            .list()
            .per_page(2)
            .pages()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(pages.len(), 3);
        assert_eq!(
            pages.iter().map(|p| p.number).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(pages.iter().all(|p| p.total == 5));
        assert_eq!(pages[2].items.len(), 1);
        assert!(pages[0].links.next.as_deref().unwrap().contains("page=2"));
        assert!(pages[2].links.next.is_none());
    })
    .await;
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_after_page_one_and_ends_the_stream() {
    within_seconds(async {
        for fetch_ahead in [0, 2] {
            let server = MockServer::start_async().await;
            let mocks = serve_images(&server, 6, 2, Duration::ZERO).await;
            let second = mocks.into_iter().nth(1).unwrap();
            second.delete_async().await;
            server
                .mock_async(|when, then| {
                    when.method(GET).path("/v2/images").query_param("page", "2");
                    then.status(403).json_body(error_body(
                        "forbidden",
                        "You are not allowed.",
                        "r-p2",
                    ));
                })
                .await;
            let (client, _) = client(&server);
            let results: Vec<_> = client
                .images()
                .list()
                .per_page(2)
                .fetch_ahead(fetch_ahead)
                .stream()
                .collect()
                .await;
            assert_eq!(results.len(), 3, "fetch_ahead {fetch_ahead}: {results:?}");
            assert_eq!(results[0].as_ref().unwrap().id, 1);
            assert_eq!(results[1].as_ref().unwrap().id, 2);
            let error = results[2].as_ref().unwrap_err();
            assert_eq!(error.status(), Some(403));
            assert_eq!(error.request_id(), Some("r-p2"));
        }
    })
    .await;
}

#[tokio::test]
async fn a_total_that_does_not_match_ends_with_a_mismatch_error() {
    within_seconds(async {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images").query_param("page", "1");
            then.status(200).json_body(json!({
                "images": [image(1, "a", "available"), image(2, "b", "available")],
                "links": {"pages": {"next": "https://api.digitalocean.com/v2/images?page=2&per_page=2"}},
                "meta": {"total": 5}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images").query_param("page", "2");
            then.status(200).json_body(json!({
                "images": [image(3, "c", "available")],
                "links": {"pages": {}},
                "meta": {"total": 3}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let results: Vec<_> = client.images().list().per_page(2).stream().collect().await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    assert!(
        matches!(
            results[3],
            Err(Error::TotalMismatch {
                expected: 5,
                seen: 3
            })
        ),
        "{:?}",
        results[3]
    );
    let error = client
        .images()
        .list()
        .per_page(2)
        .collect_all()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("announced 5"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn a_next_link_that_does_not_advance_is_refused() {
    within_seconds(async {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images").query_param("page", "1");
            then.status(200).json_body(json!({
                "images": [image(1, "a", "available")],
                "links": {"pages": {"next": "https://api.digitalocean.com/v2/images?page=1&per_page=1"}},
                "meta": {"total": 3}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let results: Vec<_> = client.images().list().per_page(1).stream().collect().await;
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].is_ok());
    assert!(
        matches!(results[1], Err(Error::BadPageLink { .. })),
        "{:?}",
        results[1]
    );
    page.assert_calls_async(1).await;
    })
    .await;
}

#[tokio::test]
async fn next_links_that_keep_coming_past_the_announced_total_end_the_listing() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        // Every page has one image and a link to the next, forever (here 40
        // pages), while the first page announced 2 images.
        let mut pages = Vec::new();
        for page in 1..=40u64 {
            let mock = server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v2/images")
                        .query_param("page", page.to_string());
                    then.status(200).json_body(json!({
                        "images": [image(page as i64, &format!("image-{page}"), "available")],
                        "links": {"pages": {"next": format!(
                            "https://api.digitalocean.com/v2/images?page={}&per_page=1",
                            page + 1
                        )}},
                        "meta": {"total": 2}
                    }));
                })
                .await;
            pages.push(mock);
        }
        let (client, _) = client(&server);
        let results: Vec<_> = client.images().list().per_page(1).stream().collect().await;
        let yielded = results.iter().filter(|result| result.is_ok()).count();
        assert_eq!(yielded, 3, "{results:?}");
        let error = results.last().unwrap().as_ref().unwrap_err();
        assert!(matches!(error, Error::BadPageLink { .. }), "{error:?}");
        assert!(error.to_string().contains("past the 2 item(s)"), "{error}");
        for later in &pages[3..] {
            later.assert_calls_async(0).await;
        }
    })
    .await;
}

#[tokio::test]
async fn page_size_out_of_range_is_refused_without_a_request() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|when, then| {
                when.path_includes("/v2/");
                then.status(200);
            })
            .await;
        let (client, _) = client(&server);
        for per_page in [0, 201] {
            let error = client
                .images()
                .list()
                .per_page(per_page)
                .collect_all()
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        what: "per_page",
                        ..
                    }
                ),
                "{error:?}"
            );
            assert!(error.to_string().contains("1 to 200"), "{error}");
            let error = client
                .actions(7)
                .list()
                .per_page(per_page)
                .collect_all()
                .await
                .unwrap_err();
            assert!(matches!(
                error,
                Error::InvalidInput {
                    what: "per_page",
                    ..
                }
            ));
        }
        let error = client
            .images()
            .list()
            .tag("")
            .collect_all()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { what: "tag", .. }),
            "{error:?}"
        );
        any.assert_calls_async(0).await;
    })
    .await;
}

#[tokio::test]
async fn fetch_ahead_yields_every_item_once_in_order() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let mocks = serve_images(&server, 95, 10, Duration::from_millis(5)).await;
        let (client, _) = client(&server);
        let mut stream = client.images().list().per_page(10).fetch_ahead(4).stream();
        let mut seen = Vec::new();
        while let Some(image) = stream.try_next().await.unwrap() {
            seen.push(image.id);
        }
        assert_eq!(seen, (1..=95).collect::<Vec<_>>());
        for mock in &mocks {
            mock.assert_calls_async(1).await;
        }
    })
    .await;
}

/// What the page server saw, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Arrived(u64),
    Answered(u64),
}

/// A page server on 127.0.0.1 that records when each page's request
/// arrived and when it was answered, and how many requests it held at once.
/// Pages in `hold.0` are not answered until `hold.1` requests are in
/// flight together (or 3 s have passed, so that a client that never fetches
/// ahead fails the test instead of hanging it).
struct PageServer {
    total: usize,
    per_page: usize,
    hold: Option<(std::ops::RangeInclusive<u64>, usize)>,
    delay: Duration,
    /// The `ratelimit-remaining` every answer carries.
    remaining: u64,
    in_flight: tokio::sync::watch::Sender<usize>,
    log: std::sync::Mutex<(usize, Vec<Seen>)>,
}

impl PageServer {
    /// Starts the server; returns it and a client aimed at it.
    async fn start(self) -> (std::sync::Arc<Self>, do_images::Client) {
        use axum::extract::{Query, State};
        use std::collections::HashMap;
        use std::sync::Arc;

        async fn page(
            State(server): State<Arc<PageServer>>,
            Query(query): Query<HashMap<String, String>>,
        ) -> axum::response::Response {
            use axum::response::IntoResponse;
            let page: u64 = query["page"].parse().unwrap();
            server.in_flight.send_modify(|n| *n += 1);
            {
                let mut log = server.log.lock().unwrap();
                log.0 = log.0.max(*server.in_flight.borrow());
                log.1.push(Seen::Arrived(page));
            }
            if let Some((pages, until)) = &server.hold
                && pages.contains(&page)
            {
                let mut watch = server.in_flight.subscribe();
                let enough = watch.wait_for(|n| *n >= *until);
                let _ = tokio::time::timeout(Duration::from_secs(3), enough).await;
            }
            tokio::time::sleep(server.delay).await;
            let body = server.body(page);
            server.log.lock().unwrap().1.push(Seen::Answered(page));
            server.in_flight.send_modify(|n| *n -= 1);
            (
                [
                    ("ratelimit-limit", "5000".to_string()),
                    ("ratelimit-remaining", server.remaining.to_string()),
                    ("ratelimit-reset", "1700000000".to_string()),
                ],
                axum::Json(body),
            )
                .into_response()
        }

        let server = Arc::new(self);
        let app = axum::Router::new()
            .route("/v2/images", axum::routing::get(page))
            .with_state(server.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = do_images::Client::builder()
            .token(crate::common::TOKEN)
            .base_url(format!("http://{address}"))
            .build()
            .unwrap();
        (server, client)
    }

    fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page) as u64
    }

    fn body(&self, page: u64) -> Value {
        let (pages, per_page) = (self.pages(), self.per_page);
        let first = (page as usize - 1) * per_page;
        let items: Vec<Value> = (first..self.total.min(first + per_page))
            .map(|i| image(i as i64 + 1, &format!("image-{}", i + 1), "available"))
            .collect();
        let link = |to: u64| {
            format!("https://api.digitalocean.com/v2/images?page={to}&per_page={per_page}")
        };
        let links = if page < pages {
            json!({"next": link(page + 1), "last": link(pages)})
        } else {
            json!({})
        };
        json!({"images": items, "links": {"pages": links}, "meta": {"total": self.total}})
    }

    /// The most requests held at once, and the arrivals and answers in order.
    fn seen(&self) -> (usize, Vec<Seen>) {
        self.log.lock().unwrap().clone()
    }
}

/// 75 images, 10 a page: 8 pages.
fn page_server(
    hold: Option<(std::ops::RangeInclusive<u64>, usize)>,
    delay: Duration,
) -> PageServer {
    PageServer {
        total: 75,
        per_page: 10,
        hold,
        delay,
        remaining: 4000,
        in_flight: tokio::sync::watch::Sender::new(0),
        log: std::sync::Mutex::new((0, Vec::new())),
    }
}

// Speed is measured by the benchmarks, never asserted as a timing here: these
// tests look at what the server saw, which does not depend on how busy the
// machine is.
#[tokio::test]
async fn fetch_ahead_keeps_exactly_the_window_of_requests_in_flight() {
    within_seconds(async {
        for window in [2usize, 4] {
            // Pages 2..=window+1 are requested together once page 1 has told the
            // total; the server answers none of them before all have arrived.
            let last_held = window as u64 + 1;
            let (server, client) = page_server(Some((2..=last_held, window)), Duration::ZERO)
                .start()
                .await;
            let items: Vec<u64> = client
                .images()
                .list()
                .per_page(10)
                .fetch_ahead(window)
                .stream()
                .map_ok(|image| image.id)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(items, (1..=75).collect::<Vec<_>>(), "window {window}");

            let (max_in_flight, seen) = server.seen();
            // Never more than the window, and the window is used in full.
            assert_eq!(max_in_flight, window, "window {window}: {seen:?}");
            // Every page requested once and answered once.
            for page in 1..=server.pages() {
                let arrived = seen.iter().filter(|s| **s == Seen::Arrived(page)).count();
                assert_eq!(arrived, 1, "page {page}, window {window}: {seen:?}");
            }
            // Page 1 alone (the total is not known before it), then the pages
            // after page 2 were requested before page 2 was answered, and
            // nothing beyond the window was.
            let answered_2 = seen.iter().position(|s| *s == Seen::Answered(2)).unwrap();
            let mut early: Vec<u64> = seen[..answered_2]
                .iter()
                .filter_map(|s| match s {
                    Seen::Arrived(page) => Some(*page),
                    Seen::Answered(_) => None,
                })
                .collect();
            early.sort_unstable();
            assert_eq!(early, (1..=last_held).collect::<Vec<_>>(), "{seen:?}");
            assert_eq!(seen[..2], [Seen::Arrived(1), Seen::Answered(1)], "{seen:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn without_fetch_ahead_there_is_never_more_than_one_request_in_flight() {
    within_seconds(async {
        // A short delay gives a client that wrongly overlapped requests every
        // chance to show it; the assertion holds however long the answers take.
        let (server, client) = page_server(None, Duration::from_millis(5)).start().await;
        let images = client
            .images()
            .list()
            .per_page(10)
            .fetch_ahead(0)
            .collect_all()
            .await
            .unwrap();
        assert_eq!(ids(&images), (1..=75).collect::<Vec<_>>());
        let (max_in_flight, seen) = server.seen();
        assert_eq!(max_in_flight, 1, "{seen:?}");
        assert_eq!(seen, one_at_a_time(server.pages()));
    })
    .await;
}

/// Pages arrived and answered one after another, as a listing without
/// fetch-ahead sends them.
fn one_at_a_time(pages: u64) -> Vec<Seen> {
    (1..=pages)
        .flat_map(|page| [Seen::Arrived(page), Seen::Answered(page)])
        .collect()
}

#[tokio::test]
async fn fetch_ahead_stops_when_the_rate_limit_is_low() {
    within_seconds(async {
        // One request fewer than the threshold left: page after page, although
        // 3 pages ahead are allowed (a short delay gives overlapping requests
        // every chance to show).
        let mut low = page_server(None, Duration::from_millis(5));
        low.remaining = PREFETCH_MIN_REMAINING - 1;
        let (server, client) = low.start().await;
        let images = client
            .images()
            .list()
            .per_page(10)
            .fetch_ahead(3)
            .collect_all()
            .await
            .unwrap();
        assert_eq!(ids(&images), (1..=75).collect::<Vec<_>>());
        let (max_in_flight, seen) = server.seen();
        assert_eq!(max_in_flight, 1, "{seen:?}");
        assert_eq!(seen, one_at_a_time(server.pages()));

        // Exactly the threshold left: the 3 pages after page 1 are requested
        // together (the server holds them until all 3 have arrived).
        let mut enough = page_server(Some((2..=4, 3)), Duration::ZERO);
        enough.remaining = PREFETCH_MIN_REMAINING;
        let (server, client) = enough.start().await;
        let images = client
            .images()
            .list()
            .per_page(10)
            .fetch_ahead(3)
            .collect_all()
            .await
            .unwrap();
        assert_eq!(ids(&images), (1..=75).collect::<Vec<_>>());
        let (max_in_flight, seen) = server.seen();
        assert_eq!(max_in_flight, 3, "{seen:?}");
    })
    .await;
}

#[tokio::test]
async fn actions_are_listed_across_pages() {
    within_seconds(async {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7/actions")
                .query_param("page", "1")
                .query_param("per_page", "200");
            then.status(200).json_body(json!({
                "actions": [action(1, "completed")],
                "links": {"pages": {"next": "https://api.digitalocean.com/v2/images/7/actions?page=2&per_page=200"}},
                "meta": {"total": 2}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images/7/actions")
                .query_param("page", "2")
                .query_param("per_page", "200");
            then.status(200).json_body(json!({
                "actions": [action(2, "in-progress")],
                "links": {"pages": {}},
                "meta": {"total": 2}
            }));
        })
        .await;
    let (client, _) = client(&server);
    let actions = client.actions(7).list().collect_all().await.unwrap();
    assert_eq!(
        actions.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let pages: Vec<_> = client
        .actions(7)
        .list()
        .fetch_ahead(0)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_json_listing_keeps_the_same_window_of_requests_in_flight() {
    within_seconds(async {
        for window in [0usize, 3] {
            let hold = (window > 0).then(|| (2..=window as u64 + 1, window));
            let (server, client) = page_server(hold, Duration::ZERO).start().await;
            let items: Vec<Value> = client
                .images()
                .list()
                .per_page(10)
                .fetch_ahead(window)
                .stream_json()
                .try_collect()
                .await
                .unwrap();
            let expected: Vec<Value> = (1..=server.pages())
                .flat_map(|page| server.body(page)["images"].as_array().unwrap().clone())
                .collect();
            assert_eq!(items, expected, "window {window}: the objects as served");
            let (max_in_flight, seen) = server.seen();
            assert_eq!(max_in_flight, window.max(1), "window {window}: {seen:?}");
            for page in 1..=server.pages() {
                let arrived = seen.iter().filter(|s| **s == Seen::Arrived(page)).count();
                assert_eq!(arrived, 1, "page {page}, window {window}: {seen:?}");
            }
            assert_eq!(seen[..2], [Seen::Arrived(1), Seen::Answered(1)], "{seen:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn pages_ahead_are_requested_while_the_current_pages_items_are_handed_out() {
    within_seconds(async {
        let (server, client) = page_server(None, Duration::ZERO).start().await;
        let mut stream = client.images().list().per_page(10).fetch_ahead(1).stream();
        // The caller takes page 1's items slowly; each item it takes also moves
        // the request for page 2 along.
        for id in 1..=10 {
            assert_eq!(stream.try_next().await.unwrap().unwrap().id, id);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (_, seen) = server.seen();
        assert!(
            seen.contains(&Seen::Arrived(2)),
            "page 2 was not requested while page 1 was handed out: {seen:?}"
        );
        let rest: Vec<_> = stream.try_collect().await.unwrap();
        assert_eq!(ids(&rest), (11..=75).collect::<Vec<_>>());
    })
    .await;
}

#[tokio::test]
async fn the_first_pages_link_sets_the_page_size_and_later_links_do_not() {
    within_seconds(async {
        // The API may answer with another page size than the one asked for;
        // the first page's `next` link tells which, and the listing keeps it.
        let server = MockServer::start_async().await;
        let link = |page: u64, per_page: u64| {
            format!("https://api.digitalocean.com/v2/images?page={page}&per_page={per_page}")
        };
        let answers = [
            (1, 200, json!({"next": link(2, 2)}), vec![1, 2]),
            (2, 2, json!({"next": link(3, 5)}), vec![3, 4]),
            (3, 2, json!({}), vec![5]),
        ];
        let mut mocks = Vec::new();
        for (page, per_page, links, ids) in answers {
            let images: Vec<Value> = ids.iter().map(|id| image(*id, "x", "available")).collect();
            mocks.push(
                server
                    .mock_async(|when, then| {
                        when.method(GET)
                            .path("/v2/images")
                            .query_param("page", page.to_string())
                            .query_param("per_page", per_page.to_string());
                        then.status(200).json_body(json!({
                            "images": images,
                            "links": {"pages": links},
                            "meta": {"total": 5}
                        }));
                    })
                    .await,
            );
        }
        let (client, _) = client(&server);
        for fetch_ahead in [0, 2] {
            let images = client
                .images()
                .list()
                .fetch_ahead(fetch_ahead)
                .collect_all()
                .await
                .unwrap();
            assert_eq!(
                ids(&images),
                vec![1, 2, 3, 4, 5],
                "fetch_ahead {fetch_ahead}"
            );
        }
        for mock in &mocks {
            mock.assert_calls_async(2).await;
        }
    })
    .await;
}
