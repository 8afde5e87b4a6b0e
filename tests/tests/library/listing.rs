//! Listing thousands of images through the library, with faults injected
//! by the sandbox: every image comes back exactly once, in id order, the
//! same as on a sandbox without faults.

use std::time::{Duration, Instant};

use do_images::{Image, ImageListType, ImageType};
use do_images_e2e::{
    SEED, assert_each_page_served_once, assert_same_images, assert_unique_and_in_id_order,
    client_for, patient_client, quick_config, requests_to, start,
};
use do_images_sandbox::{FaultKind, Faults};
use futures::TryStreamExt;

const IMAGES: usize = 5_000;
const PER_PAGE: u64 = 100;
const PAGES: u64 = 50;

/// Every image of a fault-free sandbox with the same seed, listed one page
/// after another.
async fn reference_listing(images: usize, seed: u64) -> Vec<Image> {
    let sandbox = start(quick_config(images).with_seed(seed)).await;
    let all = client_for(&sandbox)
        .images()
        .list()
        .fetch_ahead(0)
        .collect_all()
        .await
        .expect("a fault-free listing");
    assert_eq!(all.len(), images);
    assert_eq!(sandbox.stats().faults.len(), 0, "no faults injected");
    all
}

/// The mix of faults the listings below meet: 429s asking for no wait, JSON
/// 500s, HTML 503s and connections dropped mid-body, 40% of requests in
/// all.
fn mixed_faults() -> Faults {
    Faults::none()
        .with_too_many_requests(0.1, 0)
        .with_server_errors(0.1)
        .with_unavailable(0.1)
        .with_dropped_connections(0.1)
}

/// Lists everything from a faulty sandbox with `fetch_ahead` and checks it
/// against the fault-free reference.
async fn faulty_listing_is_complete(fetch_ahead: usize) {
    let reference = reference_listing(IMAGES, SEED).await;
    let sandbox = start(quick_config(IMAGES).with_faults(mixed_faults())).await;
    // 20 attempts: a page fails for good with probability 0.4^20, 1e-8.
    let client = patient_client(&sandbox, 20, Duration::from_secs(10));

    let listed: Vec<Image> = client
        .images()
        .list()
        .per_page(PER_PAGE)
        .fetch_ahead(fetch_ahead)
        .stream()
        .try_collect()
        .await
        .expect("retries ride out every injected fault");

    assert_unique_and_in_id_order(&listed);
    assert_same_images(&listed, &reference);

    // The faults did happen: the test cannot pass by luck of the draw.
    let stats = sandbox.stats();
    for kind in [
        FaultKind::TooManyRequests,
        FaultKind::ServerError,
        FaultKind::Unavailable,
        FaultKind::DroppedConnection,
    ] {
        assert!(stats.fault(kind) > 0, "no {kind:?} injected: {stats:?}");
    }
    let injected: u64 = stats.faults.values().sum();
    assert_eq!(
        stats.operation("images_list"),
        PAGES + injected,
        "one successful request per page, plus one per fault: {stats:?}"
    );
    assert_each_page_served_once(&sandbox, PAGES);
}

#[tokio::test]
async fn thousands_of_images_through_faults_page_after_page() {
    faulty_listing_is_complete(0).await;
}

#[tokio::test]
async fn thousands_of_images_through_faults_with_fetch_ahead() {
    faulty_listing_is_complete(4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_images_through_faults_at_200_a_page_with_default_fetch_ahead() {
    let reference = reference_listing(IMAGES, SEED).await;
    let sandbox = start(quick_config(IMAGES).with_faults(mixed_faults())).await;
    let client = patient_client(&sandbox, 20, Duration::from_secs(10));
    let listed = client
        .images()
        .list()
        .collect_all()
        .await
        .expect("a complete listing");
    assert_same_images(&listed, &reference);
    assert!(sandbox.stats().faults.values().sum::<u64>() > 0);
    assert_each_page_served_once(&sandbox, 25);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    // One second per 429: keep them few. This seed gives this listing of 5
    // pages exactly one 429 (asserted below).
    let seed = SEED + 2;
    let reference = reference_listing(1_000, seed).await;
    let sandbox = start(
        quick_config(1_000)
            .with_seed(seed)
            .with_faults(Faults::none().with_too_many_requests(0.15, 1)),
    )
    .await;
    let client = patient_client(&sandbox, 10, Duration::from_secs(10));
    let started = Instant::now();
    let listed = client
        .images()
        .list()
        .fetch_ahead(0)
        .collect_all()
        .await
        .expect("a complete listing");
    let elapsed = started.elapsed();
    assert_same_images(&listed, &reference);
    let throttled = sandbox.stats().fault(FaultKind::TooManyRequests);
    assert!(throttled > 0, "the seed must give at least one 429");
    assert!(throttled <= 3, "keep this test short: {throttled} 429s");
    // Page after page, each 429 costs its full `retry-after`.
    assert!(
        elapsed >= Duration::from_secs(throttled),
        "{throttled} 429(s) with retry-after 1 took only {elapsed:?}"
    );
    let log = requests_to(&sandbox, "images_list");
    for pair in log.windows(2) {
        if pair[0].status == 429 {
            assert_eq!(
                pair[1].target, pair[0].target,
                "the same page is asked again after a 429"
            );
        }
    }
}

/// The client-side filter `keep` over `all` and the server-side filter
/// `list` agree, and are not empty.
async fn assert_filter_agrees(
    all: &[Image],
    what: &str,
    list: do_images::ListImages,
    keep: impl Fn(&Image) -> bool,
) {
    let expected: Vec<Image> = all.iter().filter(|image| keep(image)).cloned().collect();
    assert!(!expected.is_empty(), "{what}: the seed must give some");
    assert!(expected.len() < all.len(), "{what}: must filter something");
    // Odd page sizes, both page after page and ahead.
    for (per_page, ahead) in [(37, 0), (200, 3)] {
        let filtered = list
            .clone()
            .per_page(per_page)
            .fetch_ahead(ahead)
            .collect_all()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_same_images(&filtered, &expected);
    }
    let first = list
        .clone()
        .per_page(37)
        .pages()
        .try_next()
        .await
        .expect("first page")
        .expect("a first page");
    assert_eq!(first.total, expected.len() as u64, "{what}: meta.total");
}

#[tokio::test]
async fn filters_agree_with_filtering_the_full_list() {
    let sandbox = start(quick_config(2_000)).await;
    let client = client_for(&sandbox);
    let all = client
        .images()
        .list()
        .collect_all()
        .await
        .expect("everything");
    assert_eq!(all.len(), 2_000);
    let images = client.images();
    let has_tag = |image: &Image, tag: &str| image.tags.iter().any(|t| t == tag);

    assert_filter_agrees(&all, "private", images.list().private(true), |i| {
        i.public == Some(false)
    })
    .await;
    assert_filter_agrees(&all, "tag prod", images.list().tag("prod"), |i| {
        has_tag(i, "prod")
    })
    .await;
    assert_filter_agrees(&all, "tag web", images.list().tag("web"), |i| {
        has_tag(i, "web")
    })
    .await;
    assert_filter_agrees(
        &all,
        "distribution",
        images.list().kind(ImageListType::Distribution),
        |i| i.public == Some(true) && i.type_ == Some(ImageType::Base),
    )
    .await;
    assert_filter_agrees(
        &all,
        "application",
        images.list().kind(ImageListType::Application),
        |i| i.public == Some(true) && i.type_ == Some(ImageType::Snapshot),
    )
    .await;
    assert_filter_agrees(
        &all,
        "private and tag ci",
        images.list().private(true).tag("ci"),
        |i| i.public == Some(false) && has_tag(i, "ci"),
    )
    .await;

    // A tag nobody uses: an empty listing, and a total of 0.
    let none = images
        .list()
        .tag("no-such-tag")
        .collect_all()
        .await
        .expect("an empty listing is fine");
    assert!(none.is_empty());
}

#[tokio::test]
async fn every_page_reports_the_total_and_the_pages_add_up_to_it() {
    let sandbox = start(quick_config(IMAGES)).await;
    let client = client_for(&sandbox);
    let pages: Vec<_> = client
        .images()
        .list()
        .per_page(PER_PAGE)
        .fetch_ahead(2)
        .pages()
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(pages.len() as u64, PAGES);
    let mut seen = 0;
    for (index, page) in pages.iter().enumerate() {
        let number = index as u64 + 1;
        assert_eq!(page.number, number);
        assert_eq!(page.total, IMAGES as u64, "meta.total of page {number}");
        assert_eq!(page.items.len() as u64, PER_PAGE);
        assert_eq!(page.links.next.is_some(), number < PAGES, "page {number}");
        assert_eq!(page.links.prev.is_some(), number > 1, "page {number}");
        seen += page.items.len();
    }
    assert_eq!(seen, IMAGES);
    assert_eq!(sandbox.image_count(), IMAGES);
    let last = pages[0].links.last.as_deref().expect("a last link");
    assert!(last.contains("page=50"), "{last}");
    assert!(last.starts_with(sandbox.base_url()), "{last}");
    assert_each_page_served_once(&sandbox, PAGES);
}
