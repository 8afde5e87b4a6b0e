//! The sandbox's Spaces store against a real S3 client (`object_store`)
//! over HTTP on 127.0.0.1: SigV4 authentication, objects, multipart
//! uploads, presigned URLs and the injected cuts.

use std::sync::Arc;
use std::time::Duration;

use do_images_sandbox::{
    RunningSandbox, Sandbox, SandboxConfig, SpacesConfig, SpacesFaults, SpacesStore,
    StoreOperation, StoreOutcome,
};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

const MIB: usize = 1024 * 1024;

async fn sandbox() -> RunningSandbox {
    Sandbox::start(SandboxConfig::default().with_images(0))
        .await
        .expect("sandbox starts")
}

fn spaces(sandbox: &RunningSandbox) -> &SpacesStore {
    sandbox
        .spaces()
        .expect("the Spaces store starts by default")
}

/// A client of the store with `secret`, retrying `retries` times.
fn client_with(store: &SpacesStore, secret: &str, retries: usize) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(store.endpoint_url())
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .with_region(store.region())
        .with_bucket_name(store.bucket())
        .with_access_key_id(store.access_key_id())
        .with_secret_access_key(secret)
        .with_retry(RetryConfig {
            max_retries: retries,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        })
        .build()
        .expect("a valid client configuration")
}

fn client(store: &SpacesStore) -> AmazonS3 {
    client_with(store, store.secret_access_key(), 0)
}

#[tokio::test]
async fn objects_can_be_put_listed_read_and_deleted() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let s3 = client(store);
    let path = Path::from("uploads/disk one.qcow2");
    s3.put(&path, PutPayload::from_static(b"QFI\xfbhello"))
        .await
        .expect("put");

    let listed: Vec<_> = futures::TryStreamExt::try_collect(s3.list(None))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].location, path);
    assert_eq!(listed[0].size, 9);
    let stored = store.objects();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].key.as_str(), stored[0].size),
        ("uploads/disk one.qcow2", 9)
    );

    let body = s3
        .get(&path)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body");
    assert_eq!(&body[..], b"QFI\xfbhello");

    s3.delete(&path).await.expect("delete");
    assert!(store.objects().is_empty());
}

#[tokio::test]
async fn a_multipart_upload_is_listed_until_completed_or_aborted() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let s3 = client(store);

    let path = Path::from("big.qcow2");
    let id = s3.create_multipart(&path).await.expect("create");
    let first = s3
        .put_part(&path, &id, 0, vec![7u8; 5 * MIB].into())
        .await
        .expect("part 1");
    let uploads = store.multipart_uploads();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(
        (uploads[0].key.as_str(), uploads[0].parts),
        ("big.qcow2", 1)
    );
    assert_eq!(uploads[0].upload_id, id);
    let second = s3
        .put_part(&path, &id, 1, vec![8u8; 1000].into())
        .await
        .expect("part 2");
    s3.complete_multipart(&path, &id, vec![first, second])
        .await
        .expect("complete");
    assert!(store.multipart_uploads().is_empty());
    let objects = store.objects();
    assert_eq!(
        (objects[0].key.as_str(), objects[0].size),
        ("big.qcow2", 5 * MIB as u64 + 1000)
    );

    let abandoned = Path::from("abandoned.qcow2");
    let id = s3.create_multipart(&abandoned).await.expect("create");
    s3.put_part(&abandoned, &id, 0, vec![1u8; 5 * MIB].into())
        .await
        .expect("part");
    assert_eq!(store.multipart_uploads().len(), 1);
    s3.abort_multipart(&abandoned, &id).await.expect("abort");
    assert!(store.multipart_uploads().is_empty());
    assert_eq!(store.objects().len(), 1, "only the completed object");
}

#[tokio::test]
async fn a_wrong_secret_or_no_signature_is_refused() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let wrong = client_with(store, "not-the-secret", 0);
    let refused = wrong
        .put(&Path::from("x.img"), PutPayload::from_static(b"x"))
        .await
        .expect_err("a wrong secret is refused");
    assert!(refused.to_string().contains("403"), "{refused}");

    client(store)
        .put(&Path::from("x.img"), PutPayload::from_static(b"x"))
        .await
        .expect("put");
    let unsigned = reqwest::get(format!("{}/{}/x.img", store.endpoint_url(), store.bucket()))
        .await
        .expect("the store answers");
    assert_eq!(unsigned.status(), reqwest::StatusCode::FORBIDDEN);
    assert_eq!(store.objects().len(), 1, "the refused put stored nothing");
}

#[tokio::test]
async fn a_key_that_would_leave_the_bucket_is_refused_before_anything_else() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    // `..%2F`: one URL segment, so no client or URL parser resolves it;
    // decoded, the key is `../escaped`.
    for key in ["..%2Fescaped", "a%2F..%2F..%2Fescaped", "..%5Cescaped"] {
        let url = format!("{}/{}/{key}", store.endpoint_url(), store.bucket());
        let answer = reqwest::Client::new()
            .put(&url)
            .body("x")
            .send()
            .await
            .expect("the store answers");
        assert_eq!(answer.status(), reqwest::StatusCode::BAD_REQUEST, "{key}");
        let body = answer.text().await.unwrap();
        assert!(body.contains("InvalidArgument"), "{body}");
    }
}

#[tokio::test]
async fn a_copy_from_a_key_with_a_dot_segment_is_refused() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let s3 = client(store);
    s3.put(&Path::from("inside.img"), PutPayload::from_static(b"x"))
        .await
        .expect("put");
    let bucket = store.bucket();
    for source in [
        format!("/{bucket}/../escaped"),
        format!("{bucket}/a/%2E%2E/%2E%2E/escaped"),
        format!("/{bucket}/..%5Cescaped?versionId=1"),
    ] {
        let url = format!("{}/{bucket}/copy.img", store.endpoint_url());
        let answer = reqwest::Client::new()
            .put(&url)
            .header("x-amz-copy-source", &source)
            .send()
            .await
            .expect("the store answers");
        assert_eq!(
            answer.status(),
            reqwest::StatusCode::BAD_REQUEST,
            "{source}"
        );
        let body = answer.text().await.unwrap();
        assert!(body.contains("InvalidArgument"), "{source}: {body}");
    }
    // A copy within the bucket still works.
    s3.copy(&Path::from("inside.img"), &Path::from("copy.img"))
        .await
        .expect("copy");
    let keys: Vec<String> = store.objects().into_iter().map(|o| o.key).collect();
    assert_eq!(keys, ["copy.img", "inside.img"]);
}

#[tokio::test]
async fn the_stores_log_keeps_the_newest_and_counts_what_it_dropped() {
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .with_images(0)
            .with_spaces(SpacesConfig::default().with_log_capacity(2)),
    )
    .await
    .expect("sandbox starts");
    let store = spaces(&sandbox);
    let s3 = client(store);
    for key in ["a.img", "b.img", "c.img"] {
        s3.put(&Path::from(key), PutPayload::from_static(b"x"))
            .await
            .expect("put");
    }
    let keys: Vec<String> = store.requests().into_iter().map(|r| r.key).collect();
    assert_eq!(keys, ["b.img", "c.img"]);
    assert_eq!(store.dropped_requests(), 1);
}

#[tokio::test]
async fn only_requests_addressed_to_this_machine_are_answered() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let port = store.endpoint_url().rsplit(':').next().unwrap().to_string();
    let url = format!("{}/{}/k.img", store.endpoint_url(), store.bucket());
    let answer = reqwest::Client::new()
        .get(&url)
        .header(reqwest::header::HOST, format!("rebound.example:{port}"))
        .send()
        .await
        .expect("the store answers");
    assert_eq!(answer.status(), reqwest::StatusCode::FORBIDDEN);
    let body = answer.text().await.unwrap();
    assert!(body.contains("addressed to this machine"), "{body}");
    assert_eq!(
        store.requests().last().map(|r| r.outcome),
        Some(StoreOutcome::Answered(403))
    );
    // The same request to 127.0.0.1 reaches S3 (which checks its signature).
    let answer = reqwest::Client::new().get(&url).send().await.unwrap();
    let body = answer.text().await.unwrap();
    assert!(!body.contains("addressed to this machine"), "{body}");
}

#[tokio::test]
async fn a_presigned_get_works_until_it_expires_and_not_when_tampered_with() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    let s3 = client(store);
    let path = Path::from("private.qcow2");
    s3.put(&path, PutPayload::from_static(b"QFI\xfbprivate"))
        .await
        .expect("put");

    let url = s3
        .signed_url(Method::GET, &path, Duration::from_secs(3600))
        .await
        .expect("presign");
    let fetched = reqwest::get(url.clone()).await.expect("the store answers");
    assert_eq!(fetched.status(), reqwest::StatusCode::OK);
    assert_eq!(&fetched.bytes().await.expect("body")[..], b"QFI\xfbprivate");

    let tampered = url.as_str().replace("private.qcow2", "other.qcow2");
    let refused = reqwest::get(tampered).await.expect("the store answers");
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    let short = s3
        .signed_url(Method::GET, &path, Duration::from_secs(1))
        .await
        .expect("presign");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let expired = reqwest::get(short).await.expect("the store answers");
    assert_eq!(expired.status(), reqwest::StatusCode::FORBIDDEN);
    let body = expired.text().await.expect("body");
    assert!(body.contains("Request has expired"), "{body}");
}

#[tokio::test]
async fn a_cut_part_fails_the_request_and_a_retry_of_that_part_alone_succeeds() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    store.set_faults(SpacesFaults::none().cut_part_attempts(2, 1));
    let s3 = Arc::new(client(store));
    let path = Path::from("retried.qcow2");
    let id = s3.create_multipart(&path).await.expect("create");
    let first = s3
        .put_part(&path, &id, 0, vec![1u8; 5 * MIB].into())
        .await
        .expect("part 1");
    let part = || PutPayload::from(vec![2u8; 5 * MIB]);
    let cut = s3.put_part(&path, &id, 1, part()).await;
    assert!(cut.is_err(), "the first attempt at part 2 is cut off");
    let second = s3.put_part(&path, &id, 1, part()).await.expect("retry");
    s3.complete_multipart(&path, &id, vec![first, second])
        .await
        .expect("complete");
    assert_eq!(store.objects()[0].size, 10 * MIB as u64);

    let parts: Vec<_> = store
        .requests()
        .into_iter()
        .filter(|r| r.operation == StoreOperation::UploadPart)
        .map(|r| (r.part_number, r.outcome))
        .collect();
    assert_eq!(
        parts,
        [
            (Some(1), StoreOutcome::Answered(200)),
            (Some(2), StoreOutcome::Cut),
            (Some(2), StoreOutcome::Answered(200)),
        ]
    );
}

#[tokio::test]
async fn a_client_that_retries_resends_only_the_cut_part() {
    let sandbox = sandbox().await;
    let store = spaces(&sandbox);
    store.set_faults(SpacesFaults::none().cut_upload_part_request(2));
    let s3 = client_with(store, store.secret_access_key(), 3);
    let path = Path::from("retried-by-client.qcow2");
    let id = s3.create_multipart(&path).await.expect("create");
    let mut parts = Vec::new();
    for (index, fill) in [1u8, 2, 3].into_iter().enumerate() {
        let part = s3
            .put_part(&path, &id, index, vec![fill; 5 * MIB].into())
            .await
            .expect("the client's retry stores the part");
        parts.push(part);
    }
    s3.complete_multipart(&path, &id, parts)
        .await
        .expect("complete");
    assert_eq!(store.objects()[0].size, 15 * MIB as u64);
    let attempts: Vec<_> = store
        .requests()
        .into_iter()
        .filter(|r| r.operation == StoreOperation::UploadPart)
        .map(|r| (r.part_number, r.outcome))
        .collect();
    assert_eq!(
        attempts,
        [
            (Some(1), StoreOutcome::Answered(200)),
            (Some(2), StoreOutcome::Cut),
            (Some(2), StoreOutcome::Answered(200)),
            (Some(3), StoreOutcome::Answered(200)),
        ]
    );
}
