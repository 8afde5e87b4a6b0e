//! Hostile answers, as property tests: whatever a server on 127.0.0.1 sends
//! back (any JSON, any bytes, any status, absurd headers, bodies that never
//! end), the client never panics and always returns either a value or one of
//! its typed errors, a non-JSON error body keeps its HTTP status, and a body
//! over `ClientBuilder::max_body_size` is refused instead of buffered.
//!
//! One server per test: each case sets the answer, then makes its call. The
//! case counts are modest so that the whole file runs in seconds.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::Response;
use do_images::{Client, ClientBuilder, Clock, Error, RequestLimits, RetryPolicy};
use do_images_test_util::ManualClock;
use futures::stream;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Value, json};

const TOKEN: &str = "dop_v1_hostile0123456789SECRET";

/// How the server sends a body.
#[derive(Clone, Debug)]
enum Payload {
    /// In one piece, with a `content-length`.
    Sized(Vec<u8>),
    /// In small chunks, with no `content-length` (chunked encoding).
    Chunked(Vec<u8>),
    /// Spaces that never end, chunked or under a `content-length` that
    /// claims this many bytes.
    Endless { declared: Option<u64> },
}

/// The next answer the server gives, to every request.
#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    payload: Payload,
}

impl Reply {
    fn new(status: u16, payload: Payload) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            payload,
        }
    }
}

#[derive(Clone)]
struct Shared {
    reply: Arc<Mutex<Reply>>,
    /// The `User-Agent` of the current case's client: only its requests
    /// are counted. A request of an earlier case (one fetched ahead by a
    /// listing that has since ended) can reach the server after the next
    /// case has started; it must not count for that case.
    agent: Arc<Mutex<String>>,
    requests: Arc<AtomicUsize>,
}

async fn answer(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let agent = headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok());
    if agent == Some(shared.agent.lock().unwrap().as_str()) {
        shared.requests.fetch_add(1, Ordering::SeqCst);
    }
    let reply = shared.reply.lock().unwrap().clone();
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    let body = match reply.payload {
        Payload::Sized(bytes) => Body::from(bytes),
        Payload::Chunked(bytes) => {
            let chunks: Vec<Result<Bytes, Infallible>> = bytes
                .chunks(1000)
                .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
                .collect();
            Body::from_stream(stream::iter(chunks))
        }
        Payload::Endless { declared } => {
            if let Some(length) = declared {
                response = response.header("content-length", length.to_string());
            }
            let spaces = Bytes::from(vec![b' '; 16 * 1024]);
            Body::from_stream(stream::repeat_with(move || {
                Ok::<_, Infallible>(spaces.clone())
            }))
        }
    };
    response.body(body).unwrap()
}

/// A runtime, a server on 127.0.0.1 that answers every path with the current
/// [`Reply`], and a count of the requests it received.
struct Harness {
    runtime: tokio::runtime::Runtime,
    shared: Shared,
    base_url: String,
}

impl Harness {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let shared = Shared {
            reply: Arc::new(Mutex::new(Reply::new(200, Payload::Sized(Vec::new())))),
            agent: Arc::new(Mutex::new(String::new())),
            requests: Arc::new(AtomicUsize::new(0)),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            runtime,
            shared,
            base_url,
        }
    }

    /// A builder aimed at the server, retries off, and no request limiter
    /// (hundreds of cases run in a second; the server has no limit).
    fn builder(&self) -> ClientBuilder {
        Client::builder()
            .token(TOKEN)
            .base_url(&self.base_url)
            .retry_policy(RetryPolicy::disabled())
            .request_limits(RequestLimits::none())
            .request_timeout(Duration::from_secs(10))
            .max_body_size(64 * 1024)
    }

    /// Sets the answer and zeroes the request count.
    fn serve(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
        self.shared.requests.store(0, Ordering::SeqCst);
    }

    /// Starts a new case: `builder`'s client gets a `User-Agent` of its own,
    /// and from now on [`requests`](Self::requests) counts only its
    /// requests.
    fn case_client(&self, builder: ClientBuilder) -> Client {
        let case = CASES.fetch_add(1, Ordering::SeqCst);
        let agent = format!("hostile-input-case/{case}");
        *self.shared.agent.lock().unwrap() = agent.clone();
        self.shared.requests.store(0, Ordering::SeqCst);
        builder.user_agent(agent).build().unwrap()
    }

    /// Requests of the current case's client since it was made.
    fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Runs one call; a call that does not finish in 5 s fails the case (a
    /// client that buffered an endless body, or listed or retried forever,
    /// would never finish; a call here takes milliseconds).
    fn run<T>(&self, call: impl Future<Output = T>) -> Result<T, TestCaseError> {
        self.runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(5), call).await })
            .map_err(|_| TestCaseError::fail("the call did not finish in 5 s"))
    }
}

/// The seed the cases are drawn from unless `PROPTEST_RNG_SEED` says
/// otherwise: every run, CI's included, draws the same cases, and a failure
/// replays with the seed its message names.
const DEFAULT_SEED: u64 = 20_240_611;

/// A property runner with a known seed: `cases` cases, and a failure that
/// says which seed to replay it with.
struct Runner {
    inner: TestRunner,
    seed: u64,
}

fn runner(cases: u32) -> Runner {
    let mut config = Config {
        cases,
        failure_persistence: None,
        // A failure is reported after at most 10 s of shrinking, even when
        // every case of a broken client runs into the 5 s call timeout.
        max_shrink_time: 10_000,
        ..Config::default()
    };
    let seed = match config.rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => DEFAULT_SEED,
    };
    config.rng_seed = RngSeed::Fixed(seed);
    Runner {
        inner: TestRunner::new(config),
        seed,
    }
}

impl Runner {
    /// Runs `test` on the cases; the error names the failing case and the
    /// seed to replay it with.
    fn run<S: Strategy>(
        mut self,
        strategy: &S,
        test: impl Fn(S::Value) -> Result<(), TestCaseError>,
    ) -> Result<(), String> {
        let seed = self.seed;
        self.inner.run(strategy, test).map_err(|failure| {
            format!("{failure}\nreplay with PROPTEST_RNG_SEED={seed} (the seed of this run)")
        })
    }
}

/// Numbers each case's client apart.
static CASES: AtomicUsize = AtomicUsize::new(0);

// ---------------------------------------------------------------------------
// Strategies

/// Field names the API uses, so that arbitrary objects reach the decoders.
const KEYS: &[&str] = &[
    "id",
    "name",
    "image",
    "images",
    "action",
    "actions",
    "links",
    "pages",
    "next",
    "last",
    "meta",
    "total",
    "status",
    "message",
    "request_id",
    "type",
    "distribution",
    "regions",
    "slug",
    "error_message",
    "created_at",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => ".{0,12}",
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| {
            serde_json::Number::from_f64(f).map(Value::Number)
        }),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn image_template(id: u64) -> Value {
    json!({
        "id": id, "name": "disk", "type": "custom", "distribution": "Ubuntu",
        "slug": null, "public": false, "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z", "min_disk_size": 10,
        "size_gigabytes": 2.5, "description": "", "tags": [],
        "status": "available", "error_message": ""
    })
}

fn action_template() -> Value {
    json!({
        "id": 9, "status": "in-progress", "type": "transfer",
        "started_at": "2024-01-01T00:00:00Z", "completed_at": null,
        "resource_id": 7, "resource_type": "image",
        "region": {"name": "New York 3", "slug": "nyc3", "features": [], "available": true, "sizes": []},
        "region_slug": "nyc3"
    })
}

/// `template` with some of its fields replaced by arbitrary JSON or removed.
fn mutated(template: Value) -> impl Strategy<Value = Value> {
    let fields: Vec<String> = template.as_object().unwrap().keys().cloned().collect();
    let changes = prop::collection::vec(
        (prop::sample::select(fields), prop::option::of(any_json())),
        0..4,
    );
    changes.prop_map(move |changes| {
        let mut value = template.clone();
        let object = value.as_object_mut().unwrap();
        for (field, replacement) in changes {
            match replacement {
                Some(replacement) => object.insert(field, replacement),
                None => object.remove(&field),
            };
        }
        value
    })
}

/// A pagination link: sensible, absurd (0, near `u64::MAX`, more than 64
/// bits) or not a link at all.
fn link() -> impl Strategy<Value = Value> {
    let page = prop_oneof![
        2 => 0u64..5,
        1 => any::<u64>(),
        2 => prop::sample::select(vec![
            u64::MAX,
            u64::MAX - 1,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
        ]),
    ];
    prop_oneof![
        2 => Just(Value::Null),
        4 => (page, prop::option::of(0u64..300)).prop_map(|(page, per_page)| {
            let per_page = per_page.map_or(String::new(), |n| format!("&per_page={n}"));
            json!(format!(
                "https://api.digitalocean.com/v2/images?page={page}{per_page}"
            ))
        }),
        1 => Just(json!(
            "https://api.digitalocean.com/v2/images?page=99999999999999999999999"
        )),
        1 => any_json(),
    ]
}

/// A listing page with arbitrary items, links and total.
fn page_json() -> impl Strategy<Value = Value> {
    let items = prop_oneof![
        2 => (0u64..3).prop_map(|n| (1..=n).map(image_template).collect::<Vec<_>>()),
        1 => prop::collection::vec(mutated(image_template(1)), 0..3),
    ];
    let total = prop_oneof![
        3 => (0i64..10).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any_json(),
    ];
    (items, link(), link(), total).prop_map(|(items, next, last, total)| {
        json!({
            "images": items,
            "links": {"pages": {"next": next, "last": last}},
            "meta": {"total": total},
        })
    })
}

/// An error body, well-formed or not.
fn error_json() -> impl Strategy<Value = Value> {
    mutated(
        json!({"id": "not_found", "message": "The resource was not found.", "request_id": "r-1"}),
    )
}

/// Any JSON a `get` could meet: arbitrary, an image envelope with broken
/// fields, an action envelope, an error body.
fn get_answer() -> impl Strategy<Value = Value> {
    prop_oneof![
        any_json(),
        mutated(image_template(7)).prop_map(|image| json!({"image": image})),
        mutated(action_template()).prop_map(|action| json!({"action": action})),
        error_json(),
    ]
}

/// Any status a server could send (1xx cannot be a final answer).
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => Just(200u16),
        1 => 201u16..=299,
        1 => 300u16..=399,
        3 => 400u16..=499,
        3 => 500u16..=599,
    ]
}

fn error_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(404u16),
        Just(429u16),
        Just(500u16),
        Just(502u16),
        Just(503u16),
        400u16..=599
    ]
}

/// Bytes that are (almost always) not JSON: anything, text, HTML from a
/// proxy, valid JSON cut short.
fn junk() -> impl Strategy<Value = Vec<u8>> {
    let truncated = (0usize..300).prop_map(|cut| {
        let text = json!({"image": image_template(7)}).to_string();
        text.as_bytes()[..cut.min(text.len() - 1)].to_vec()
    });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        ".{0,300}".prop_map(String::into_bytes),
        Just(b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec()),
        truncated,
    ]
}

fn payload(bytes: Vec<u8>, chunked: bool) -> Payload {
    if chunked {
        Payload::Chunked(bytes)
    } else {
        Payload::Sized(bytes)
    }
}

// ---------------------------------------------------------------------------
// Checks

/// Formats the error both ways (which must not panic either) and checks that
/// it tells the status the server sent.
fn check_error(error: &Error, status: u16, body: Option<&[u8]>) -> Result<(), TestCaseError> {
    let shown = format!("{error} / {error:?}");
    prop_assert!(!shown.contains(TOKEN), "token in {shown}");
    let _ = error.is_retryable();
    match status {
        // Any success status is read as the answer: one that does not
        // decode is a Decode error with the status received.
        200..=299 => prop_assert!(
            matches!(error, Error::Decode { status: s, .. } if *s == status),
            "a success that does not decode must be a Decode error: {error:?}"
        ),
        400..=599 => {
            prop_assert_eq!(error.status(), Some(status), "{:?}", error);
            prop_assert!(
                matches!(error, Error::Api { .. } | Error::Decode { .. }),
                "{error:?}"
            );
            let is_json = body.is_some_and(|b| serde_json::from_slice::<Value>(b).is_ok());
            if body.is_some() && !is_json {
                prop_assert!(matches!(error, Error::Decode { .. }), "{error:?}");
                prop_assert!(shown.contains(&format!("HTTP {status}")), "{shown}");
            }
        }
        // No redirect is followed: a 3xx names where it pointed.
        300..=399 => prop_assert!(
            matches!(error, Error::Redirect { status: s, .. } if *s == status),
            "{error:?}"
        ),
        _ => prop_assert!(
            matches!(error, Error::UnexpectedStatus { status: s, .. } if *s == status),
            "{error:?}"
        ),
    }
    if let Error::Decode { excerpt, .. } = error {
        prop_assert!(excerpt.chars().count() <= 201, "excerpt too long");
    }
    Ok(())
}

/// A listing's outcome: items, or a typed error that says what went wrong.
fn check_listing<T>(
    result: &Result<Vec<T>, Error>,
    status: u16,
    body: &[u8],
) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => prop_assert!((200..300).contains(&status), "{status}"),
        Err(error @ (Error::BadPageLink { .. } | Error::TotalMismatch { .. })) => {
            prop_assert!((200..300).contains(&status), "{status}: {error:?}");
            let _ = format!("{error} / {error:?}");
        }
        Err(error) => check_error(error, status, Some(body))?,
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties

#[test]
fn get_survives_any_json_with_any_status() {
    let harness = Harness::start();
    let strategy = (status(), get_answer(), any::<bool>(), any::<bool>());
    runner(64)
        .run(&strategy, |(status, body, chunked, action)| {
            let bytes = serde_json::to_vec(&body).unwrap();
            harness.serve(Reply::new(status, payload(bytes.clone(), chunked)));
            let client = harness.case_client(harness.builder());
            let error = if action {
                harness.run(client.actions(7).get(9).send())?.err()
            } else {
                harness.run(client.images().get(7).send())?.err()
            };
            if let Some(error) = error {
                check_error(&error, status, Some(&bytes))?;
            } else {
                prop_assert!((200..300).contains(&status), "{status}");
            }
            prop_assert_eq!(harness.requests(), 1);
            Ok(())
        })
        .unwrap();
}

#[test]
fn get_survives_any_bytes_with_any_status() {
    let harness = Harness::start();
    let client = harness.builder().build().unwrap();
    let strategy = (status(), junk(), any::<bool>());
    runner(64)
        .run(&strategy, |(status, bytes, chunked)| {
            harness.serve(Reply::new(status, payload(bytes.clone(), chunked)));
            match harness.run(client.images().get(7).send())? {
                Ok(_) => prop_assert!((200..300).contains(&status), "{status}"),
                Err(error) => check_error(&error, status, Some(&bytes))?,
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_non_json_error_body_becomes_an_error_with_its_status() {
    let harness = Harness::start();
    let client = harness.builder().build().unwrap();
    let not_json = junk().prop_filter("not JSON", |bytes| {
        serde_json::from_slice::<Value>(bytes).is_err()
    });
    let strategy = (error_status(), not_json, any::<bool>());
    runner(64)
        .run(&strategy, |(status, bytes, chunked)| {
            let mut reply = Reply::new(status, payload(bytes.clone(), chunked));
            reply.headers.push(("x-request-id", "req-hostile".into()));
            harness.serve(reply);
            let error = harness
                .run(client.images().get(7).send())?
                .expect_err("an error status");
            prop_assert!(matches!(error, Error::Decode { .. }), "{:?}", error);
            prop_assert_eq!(error.status(), Some(status));
            prop_assert_eq!(error.request_id(), Some("req-hostile"));
            prop_assert_eq!(
                error.is_retryable(),
                matches!(status, 429 | 500 | 502 | 503 | 504)
            );
            check_error(&error, status, Some(&bytes))
        })
        .unwrap();
}

#[test]
fn listing_survives_any_page_with_any_status() {
    let harness = Harness::start();
    let body = prop_oneof![3 => page_json(), 1 => any_json()];
    let status = prop_oneof![3 => Just(200u16), 1 => status()];
    let strategy = (status, body, 0usize..4);
    runner(64)
        .run(&strategy, |(status, body, fetch_ahead)| {
            let bytes = serde_json::to_vec(&body).unwrap();
            harness.serve(Reply::new(status, Payload::Sized(bytes.clone())));
            let client = harness.case_client(harness.builder());
            let result = harness.run(
                client
                    .images()
                    .list()
                    .fetch_ahead(fetch_ahead)
                    .collect_all(),
            )?;
            check_listing(&result, status, &bytes)?;
            // The same page served for every page number ends the listing
            // quickly (a link must advance): no runaway requests.
            prop_assert!(
                harness.requests() <= 2 + fetch_ahead,
                "{} requests",
                harness.requests()
            );
            Ok(())
        })
        .unwrap();
}

/// What the default retry policy must do with an answer of `status` and
/// `headers`, every attempt getting the same answer, on a `ManualClock`
/// (the most jitter) whose wall clock is at `now`: the sleeps between
/// attempts, in order. A `429` waits what it asks for (`retry-after`, else
/// until `ratelimit-reset`, else the backoff), at least a second, plus the
/// most jitter (as much again as that floor); one asking for more than the
/// 60 s maximum is not retried. A 5xx backs off 0.5, 1, 2 s.
fn expected_sleeps(status: u16, headers: &[(&str, String)], mut now: SystemTime) -> Vec<Duration> {
    let number = |name: &str| {
        headers
            .iter()
            .find(|(header, _)| *header == name)
            .and_then(|(_, value)| value.trim().parse::<u64>().ok())
    };
    let backoffs = [500, 1_000, 2_000].map(Duration::from_millis);
    if status != 429 {
        return if status == 200 {
            Vec::new()
        } else {
            backoffs.to_vec()
        };
    }
    let reset = match (
        number("ratelimit-limit"),
        number("ratelimit-remaining"),
        number("ratelimit-reset"),
    ) {
        (Some(_), Some(_), Some(reset)) => Some(reset.min(253_402_300_799)),
        _ => None,
    };
    let mut sleeps = Vec::new();
    for backoff in backoffs {
        let asked = match (number("retry-after"), reset) {
            (Some(seconds), _) => Duration::from_secs(seconds),
            (None, Some(reset)) => (SystemTime::UNIX_EPOCH + Duration::from_secs(reset))
                .duration_since(now)
                .unwrap_or(Duration::ZERO),
            (None, None) => backoff,
        };
        if asked > Duration::from_secs(60) {
            break;
        }
        let floor = RetryPolicy::default().min_rate_limit_wait();
        let sleep = asked.max(floor) + floor;
        now += sleep;
        sleeps.push(sleep);
    }
    sleeps
}

/// Absurd `ratelimit-*` and `retry-after` headers, with the default retry
/// policy, on a manual clock (nothing really sleeps, and every sleep is
/// recorded): the client neither panics nor overflows, sleeps exactly what
/// the policy says (never less than a second after a `429`, never more than
/// the 60 s maximum plus jitter) and sends one request per attempt.
#[test]
fn absurd_rate_limit_headers_are_survived() {
    let harness = Harness::start();
    let clock = ManualClock::default();
    let count = prop_oneof![
        3 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "[ -~]{0,12}",
    ];
    let instant = prop_oneof![
        2 => (1_699_999_000u64..1_700_004_000).prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec![
            u64::MAX.to_string(),
            (i64::MAX as u64 + 1).to_string(),
            "18446744073709551616".to_string(),
            "-1".to_string(),
            "1.5".to_string(),
        ]),
        1 => "[ -~]{0,12}",
    ];
    let seconds = prop_oneof![
        1 => Just("0".to_string()),
        3 => (0u64..90).prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "[ -~]{0,12}",
    ];
    let headers = (
        prop::option::weighted(0.9, count.clone()),
        prop::option::weighted(0.9, count),
        prop::option::weighted(0.9, instant),
        prop::option::weighted(0.4, seconds),
    )
        .prop_map(|(limit, remaining, reset, retry_after)| {
            [
                ("ratelimit-limit", limit),
                ("ratelimit-remaining", remaining),
                ("ratelimit-reset", reset),
                ("retry-after", retry_after),
            ]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect::<Vec<_>>()
        });
    let status = prop_oneof![
        1 => Just(200u16),
        3 => Just(429u16),
        1 => Just(500u16),
        1 => Just(503u16),
    ];
    let strategy = (status, headers);
    runner(128)
        .run(&strategy, |(status, headers)| {
            let body = if status == 200 {
                json!({"image": image_template(7)})
            } else {
                json!({"id": "too_many_requests", "message": "slow down"})
            };
            let mut reply = Reply::new(status, Payload::Sized(body.to_string().into_bytes()));
            reply.headers.extend(headers.clone());
            harness.serve(reply);
            let client = harness.case_client(
                harness
                    .builder()
                    .retry_policy(RetryPolicy::default())
                    .clock(Arc::new(clock.clone())),
            );
            let expected = expected_sleeps(status, &headers, clock.system_now());
            let slept_before = clock.sleeps().len();
            match harness.run(client.images().get(7).send())? {
                Ok(_) => prop_assert!((200..300).contains(&status), "{status}"),
                Err(error) => {
                    prop_assert!(matches!(error, Error::Api { .. }), "{:?}", error);
                    prop_assert_eq!(error.status(), Some(status));
                    let _ = format!("{error} / {error:?} / {:?}", error.rate_limit());
                }
            }
            let slept = clock.sleeps()[slept_before..].to_vec();
            prop_assert_eq!(&slept, &expected, "headers {:?}", headers);
            prop_assert_eq!(harness.requests(), slept.len() + 1);
            let _ = client.rate_limit().map(|limit| limit.reset_at());
            Ok(())
        })
        .unwrap();
}

// Two answers the properties above found to crash the client (fixed in
// `paginate.rs` and `rate_limit.rs`), kept as plain tests.

#[test]
fn a_next_link_to_an_absurd_page_ends_the_listing_with_an_error() {
    let harness = Harness::start();
    for page in [u64::MAX, u64::MAX - 1, i64::MAX as u64 + 1, i64::MAX as u64] {
        for fetch_ahead in [0, 3] {
            let next = format!("https://api.digitalocean.com/v2/images?page={page}");
            let body = json!({
                "images": [image_template(1)],
                "links": {"pages": {"next": next}},
                "meta": {"total": 2},
            });
            harness.serve(Reply::new(
                200,
                Payload::Sized(body.to_string().into_bytes()),
            ));
            let client = harness.case_client(harness.builder());
            let listed = harness
                .run(
                    client
                        .images()
                        .list()
                        .fetch_ahead(fetch_ahead)
                        .collect_all(),
                )
                .unwrap();
            assert!(
                matches!(listed, Err(Error::BadPageLink { .. })),
                "page {page}: {listed:?}"
            );
            // The largest allowed page is requested once; its answer links
            // to itself and is refused. Larger ones are refused at once.
            let expected = if page == i64::MAX as u64 { 2 } else { 1 };
            assert_eq!(harness.requests(), expected, "page {page}");
        }
    }
}

#[test]
fn an_absurd_ratelimit_reset_on_a_429_is_returned_as_the_429() {
    let harness = Harness::start();
    let client = harness.case_client(
        harness
            .builder()
            .retry_policy(RetryPolicy::default())
            .clock(Arc::new(ManualClock::default())),
    );
    let mut reply = Reply::new(
        429,
        Payload::Sized(
            json!({"id": "too_many_requests", "message": "API Rate limit exceeded."})
                .to_string()
                .into_bytes(),
        ),
    );
    reply.headers.extend([
        ("ratelimit-limit", "5000".to_string()),
        ("ratelimit-remaining", "0".to_string()),
        ("ratelimit-reset", u64::MAX.to_string()),
    ]);
    harness.serve(reply);
    let error = harness
        .run(client.images().get(7).send())
        .unwrap()
        .unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.rate_limit().unwrap().reset, u64::MAX);
    assert!(error.to_string().contains("0 left"), "{error}");
    // Waiting until then is far beyond the policy's maximum: not retried.
    assert_eq!(harness.requests(), 1);
}

// ---------------------------------------------------------------------------
// Bodies over the limit

const LIMIT: u64 = 4096;

/// A JSON image envelope padded with spaces to exactly `size` bytes.
fn padded_image(size: usize) -> Vec<u8> {
    let mut bytes = json!({"image": image_template(7)}).to_string().into_bytes();
    assert!(bytes.len() <= size, "{size} is too small for an image");
    bytes.resize(size, b' ');
    bytes
}

#[test]
fn a_body_is_read_up_to_the_limit_and_refused_past_it() {
    let harness = Harness::start();
    let client = harness.builder().max_body_size(LIMIT).build().unwrap();
    let limit = LIMIT as usize;
    let size = prop_oneof![
        Just(limit),
        Just(limit + 1),
        600usize..=limit,
        limit + 1..4 * limit,
    ];
    let strategy = (size, any::<bool>());
    runner(64)
        .run(&strategy, |(size, chunked)| {
            harness.serve(Reply::new(200, payload(padded_image(size), chunked)));
            let result = harness.run(client.images().get(7).send())?;
            if size <= limit {
                prop_assert!(result.is_ok(), "{size} bytes: {:?}", result.err());
            } else {
                prop_assert!(
                    matches!(result, Err(Error::BodyTooLarge { limit: LIMIT, .. })),
                    "{size} bytes, chunked {chunked}: {result:?}"
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_body_several_times_the_limit_is_refused_whatever_its_framing_and_status() {
    let harness = Harness::start();
    let client = harness.builder().max_body_size(LIMIT).build().unwrap();
    let big = padded_image(5 * LIMIT as usize);
    let payloads = [
        Payload::Sized(big.clone()),
        Payload::Chunked(big),
        // Endless: a client that buffered before checking would never return.
        Payload::Endless { declared: None },
        Payload::Endless {
            declared: Some(1 << 40),
        },
    ];
    for payload in payloads {
        for status in [200, 404, 503] {
            harness.serve(Reply::new(status, payload.clone()));
            let got = harness
                .run(client.images().get(7).send())
                .unwrap_or_else(|_| panic!("{payload:?} {status}: no answer in 5 s"));
            let error = got.expect_err("too large");
            assert!(
                matches!(error, Error::BodyTooLarge { limit: LIMIT, .. }),
                "{payload:?} {status}: {error:?}"
            );
            assert!(error.to_string().contains("4096 bytes"), "{error}");
            let listed = harness.run(client.images().list().collect_all()).unwrap();
            assert!(
                matches!(listed, Err(Error::BodyTooLarge { limit: LIMIT, .. })),
                "{payload:?} {status}: {listed:?}"
            );
        }
    }

    // The chunked answers really had no content-length: the limit was
    // enforced while reading, not only from the header.
    harness.serve(Reply::new(
        200,
        Payload::Chunked(padded_image(3 * LIMIT as usize)),
    ));
    let raw = harness
        .run(reqwest::get(format!("{}/v2/images/7", harness.base_url)))
        .unwrap()
        .unwrap();
    assert!(raw.content_length().is_none());
    assert!(raw.headers().get("content-length").is_none());
    assert_eq!(raw.headers()["transfer-encoding"], "chunked");
}

#[test]
fn the_default_limit_still_reads_a_large_page() {
    // 200 images (a full page) are far below the default 16 MiB.
    let harness = Harness::start();
    let client = Client::builder()
        .token(TOKEN)
        .base_url(&harness.base_url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let images: Vec<Value> = (1..=200).map(image_template).collect();
    let body = json!({"images": images, "links": {"pages": {}}, "meta": {"total": 200}});
    harness.serve(Reply::new(
        200,
        Payload::Chunked(body.to_string().into_bytes()),
    ));
    let listed = harness
        .run(client.images().list().collect_all())
        .unwrap()
        .unwrap();
    assert_eq!(listed.len(), 200);
    assert_eq!(do_images::DEFAULT_MAX_BODY_SIZE, 16 * 1024 * 1024);
}
