use std::sync::Arc;
use std::time::Duration;

use do_images::{Client, ClientBuilder};
use do_images_test_util::ManualClock;
use httpmock::Method::GET;
use httpmock::{Method, Mock, MockServer};
use serde_json::{Value, json};

pub const TOKEN: &str = "dop_v1_0123456789abcdefSECRETtoken";

/// A builder aimed at `server`, with a manual clock (whose jitter is always
/// the most).
pub fn builder(server: &MockServer, clock: &ManualClock) -> ClientBuilder {
    start_watchdog();
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .clock(Arc::new(clock.clone()))
}

pub fn client(server: &MockServer) -> (Client, ManualClock) {
    let clock = ManualClock::default();
    let client = builder(server, &clock).build().unwrap();
    (client, clock)
}

pub fn image(id: i64, name: &str, status: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "type": "custom",
        "distribution": "Ubuntu",
        "slug": null,
        "public": false,
        "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z",
        "min_disk_size": 10,
        "size_gigabytes": 2.5,
        "description": "",
        "tags": [],
        "status": status,
        "error_message": ""
    })
}

pub fn action(id: i64, status: &str) -> Value {
    json!({
        "id": id,
        "status": status,
        "type": "transfer",
        "started_at": "2024-01-01T00:00:00Z",
        "completed_at": null,
        "resource_id": 7,
        "resource_type": "image",
        "region": {
            "name": "New York 3",
            "slug": "nyc3",
            "features": ["backups"],
            "available": true,
            "sizes": ["s-1vcpu-1gb"]
        },
        "region_slug": "nyc3"
    })
}

pub fn error_body(id: &str, message: &str, request_id: &str) -> Value {
    json!({"id": id, "message": message, "request_id": request_id})
}

/// Answers `method path` with the API's 404 from now on (after any mock
/// for it that is used up).
pub async fn answer_not_found<'a>(server: &'a MockServer, method: Method, path: &str) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.status(404).json_body(error_body(
                "not_found",
                "The resource you requested could not be found.",
                "r-404",
            ));
        })
        .await
}

/// Serves `items` (already built), `per_page` a page, with absolute links
/// to another host (as the real API sends), `meta.total` = `total`, and
/// `delay` before each answer; one mock per page.
pub async fn serve_pages<'a>(
    server: &'a MockServer,
    path: &str,
    key: &str,
    items: &[Value],
    per_page: usize,
    total: usize,
    delay: Duration,
) -> Vec<httpmock::Mock<'a>> {
    let pages = items.len().div_ceil(per_page).max(1);
    let mut mocks = Vec::new();
    for page in 1..=pages {
        let chunk: Vec<Value> = items
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect();
        let link =
            |to: usize| format!("https://api.digitalocean.com{path}?page={to}&per_page={per_page}");
        let links = if page < pages {
            json!({"next": link(page + 1), "last": link(pages)})
        } else {
            json!({"first": link(1)})
        };
        let body = json!({key: chunk, "links": {"pages": links}, "meta": {"total": total}});
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path(path)
                        .query_param("page", page.to_string())
                        .query_param("per_page", per_page.to_string());
                    then.status(200)
                        .header("ratelimit-limit", "5000")
                        .header("ratelimit-remaining", "4000")
                        .header("ratelimit-reset", "1700000000")
                        .delay(delay)
                        .json_body(body);
                })
                .await,
        );
    }
    mocks
}

/// Runs a test's body and fails the test if it has not finished after
/// 10 s: a bug that makes a listing or a retry loop run forever fails in
/// seconds instead of hanging the suite (these bodies take milliseconds).
pub async fn within_seconds<F: std::future::Future>(body: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), body)
        .await
        .expect("the test did not finish within 10 s")
}

/// How long a whole test binary may run: its tests take milliseconds each
/// and the binary seconds, so this is reached only when something never
/// ends.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Ends the test process with an error once it has run for [`WATCHDOG`]: a
/// bug that makes a listing or a retry loop run forever, or a stream that
/// is never woken, then fails the run in a minute instead of hanging it
/// (tests with [`within_seconds`] fail sooner). Started by the first
/// client built.
fn start_watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            std::thread::sleep(WATCHDOG);
            eprintln!(
                "the tests of this binary have run for {} s: a test hangs",
                WATCHDOG.as_secs()
            );
            std::process::exit(101);
        });
    });
}
