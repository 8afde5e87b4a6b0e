//! Imports from loopback URLs are downloaded by the sandbox, and what they
//! serve decides the outcome: objects in the sandbox's Spaces store behind
//! presigned URLs (signed by a real S3 client), a missing object, a closed
//! port, an expired signature and a server that never answers.

use crate::common;

use std::time::{Duration, Instant};

use common::Harness;
use do_images_sandbox::{ImportTiming, SandboxConfig, SpacesStore};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::{Method, Signer};
use object_store::{ObjectStoreExt, PutPayload};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn harness() -> Harness {
    Harness::start(
        SandboxConfig::default()
            .with_images(0)
            .with_import_timing(ImportTiming::new(
                Duration::from_millis(50),
                Duration::from_millis(300),
            )),
    )
    .await
}

fn s3(store: &SpacesStore) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(store.endpoint_url())
        .with_allow_http(true)
        .with_region(store.region())
        .with_bucket_name(store.bucket())
        .with_access_key_id(store.access_key_id())
        .with_secret_access_key(store.secret_access_key())
        .build()
        .expect("a valid client configuration")
}

/// Puts `content` at `key` and presigns a GET of it valid for `valid_for`.
async fn presigned(
    harness: &Harness,
    key: &str,
    content: Option<&[u8]>,
    valid_for: Duration,
) -> String {
    let store = harness.sandbox.spaces().expect("the store runs");
    let client = s3(store);
    let path = Path::from(key);
    if let Some(content) = content {
        client
            .put(&path, PutPayload::from(content.to_vec()))
            .await
            .expect("put");
    }
    client
        .signed_url(Method::GET, &path, valid_for)
        .await
        .expect("presign")
        .to_string()
}

/// Imports from `url`; the answer has the image `NEW`.
async fn import(harness: &Harness, url: &str) -> u64 {
    let answer = harness
        .send(
            reqwest::Method::POST,
            "/v2/images",
            Some(
                json!({"name": "from-url", "url": url, "region": "nyc3", "distribution": "Ubuntu"}),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    assert_eq!(answer.json["image"]["status"], "NEW");
    assert_eq!(answer.headers["content-type"], "application/json");
    answer.json["image"]["id"].as_u64().expect("an id")
}

/// The image once it is neither `NEW` nor `pending`.
async fn settled(harness: &Harness, id: u64) -> Value {
    for _ in 0..200 {
        let image = harness
            .send(reqwest::Method::GET, &format!("/v2/images/{id}"), None)
            .await
            .json["image"]
            .clone();
        if image["status"] != "NEW" && image["status"] != "pending" {
            return image;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("image {id} never settled");
}

fn qcow2_shaped(len: usize) -> Vec<u8> {
    let mut content = vec![0u8; len];
    content[..8].copy_from_slice(b"QFI\xfb\0\0\0\x03");
    content
}

#[tokio::test]
async fn a_presigned_qcow2_object_becomes_available_with_its_size() {
    let harness = harness().await;
    let url = presigned(
        &harness,
        "disk.qcow2",
        Some(&qcow2_shaped(30_000_000)),
        Duration::from_secs(600),
    )
    .await;
    let image = settled(&harness, import(&harness, &url).await).await;
    assert_eq!(image["status"], "available", "{image}");
    assert_eq!(image["regions"], json!(["nyc3"]));
    assert_eq!(image["size_gigabytes"], json!(0.03));
    assert_eq!(image["error_message"], "");
    let store = harness.sandbox.spaces().unwrap();
    let gets = store
        .requests()
        .into_iter()
        .filter(|r| r.operation == do_images_sandbox::StoreOperation::GetObject)
        .count();
    assert_eq!(gets, 1, "the sandbox downloaded the object");
}

#[tokio::test]
async fn a_raw_image_is_told_by_its_name_and_text_is_refused() {
    let harness = harness().await;
    let raw = presigned(
        &harness,
        "disk.img",
        Some(b"no signature at all"),
        Duration::from_secs(600),
    )
    .await;
    let text = presigned(
        &harness,
        "notes.qcow2",
        Some(b"this is not a disk image"),
        Duration::from_secs(600),
    )
    .await;
    let raw_id = import(&harness, &raw).await;
    let text_id = import(&harness, &text).await;
    assert_eq!(settled(&harness, raw_id).await["status"], "available");
    let refused = settled(&harness, text_id).await;
    assert_eq!(refused["status"], "deleted");
    let message = refused["error_message"].as_str().unwrap();
    assert!(
        message.contains("`notes.qcow2` is not in a supported format"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_object_or_an_expired_signature_ends_deleted_saying_so() {
    let harness = harness().await;
    let missing = presigned(&harness, "missing.qcow2", None, Duration::from_secs(600)).await;
    let expired = presigned(
        &harness,
        "late.qcow2",
        Some(&qcow2_shaped(64)),
        Duration::from_secs(1),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let missing_id = import(&harness, &missing).await;
    let expired_id = import(&harness, &expired).await;

    let image = settled(&harness, missing_id).await;
    assert_eq!(image["status"], "deleted");
    let message = image["error_message"].as_str().unwrap();
    assert!(message.contains("could not be downloaded"), "{message}");
    assert!(
        message.contains("404 Not Found (NoSuchKey: no such object)"),
        "{message}"
    );
    assert!(message.contains("/missing.qcow2`"), "{message}");
    assert!(
        !message.contains("Signature"),
        "the signature is not shown: {message}"
    );

    let image = settled(&harness, expired_id).await;
    assert_eq!(image["status"], "deleted");
    let message = image["error_message"].as_str().unwrap();
    assert!(
        message.contains("403 Forbidden (AccessDenied: the presigned URL has expired)"),
        "{message}"
    );
}

#[tokio::test]
async fn a_refused_connection_ends_deleted_saying_so() {
    // Bound but never listening: the port refuses connections for the
    // whole test, and no other socket can take it meanwhile.
    let refusing = tokio::net::TcpSocket::new_v4().unwrap();
    refusing.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = refusing.local_addr().unwrap().port();
    let harness = harness().await;
    let id = import(&harness, &format!("http://127.0.0.1:{port}/disk.qcow2")).await;
    let image = settled(&harness, id).await;
    assert_eq!(image["status"], "deleted");
    let message = image["error_message"].as_str().unwrap();
    assert!(message.contains("connection was refused"), "{message}");
}

#[tokio::test]
async fn an_import_stays_pending_while_its_download_runs() {
    // A server that accepts and never answers: the import is answered at
    // once and is still pending well after the import time.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/disk.qcow2", silent.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let harness = harness().await;
    let started = Instant::now();
    let id = import(&harness, &url).await;
    // Waiting for the download would take the sandbox's 30-second read
    // timeout; the answer must not wait for it.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the import was answered without waiting for its download"
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    let image = harness
        .send(reqwest::Method::GET, &format!("/v2/images/{id}"), None)
        .await;
    assert_eq!(image.json["image"]["status"], "pending");
}

/// A server on 127.0.0.1 that answers every request with `answer` (a whole
/// HTTP/1.1 response), for as long as the test runs.
async fn answering(answer: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn an_imports_error_message_never_echoes_what_answered() {
    let harness = harness().await;
    for body in [
        "<Error><Code>AccessDenied</Code><Message>internal-secret-1</Message></Error>",
        "<Error><Code>internal-secret-2</Code><Message>m</Message></Error>",
        "<html>internal-secret-3</html>",
    ] {
        let base = answering(format!(
            "HTTP/1.1 403 Forbidden\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ))
        .await;
        let image = settled(
            &harness,
            import(&harness, &format!("{base}/disk.qcow2")).await,
        )
        .await;
        assert_eq!(image["status"], "deleted");
        let message = image["error_message"].as_str().unwrap();
        assert!(message.contains("403 Forbidden"), "{message}");
        assert!(!message.contains("internal-secret"), "{message}");
    }
}

#[tokio::test]
async fn imports_do_not_fetch_from_the_sandboxs_own_api() {
    let harness = harness().await;
    let api = harness.sandbox.base_url().to_string();
    let redirect = answering(format!(
        "HTTP/1.1 302 Found\r\nlocation: {api}/v2/images/disk.qcow2\r\ncontent-length: 0\r\n\
         connection: close\r\n\r\n"
    ))
    .await;
    for url in [
        format!("{api}/v2/images/disk.qcow2"),
        format!(
            "{}/v2/images/disk.qcow2",
            api.replace("127.0.0.1", "localhost")
        ),
        format!("{redirect}/disk.qcow2"),
    ] {
        let image = settled(&harness, import(&harness, &url).await).await;
        assert_eq!(image["status"], "deleted", "{url}");
    }
    let fetched = harness
        .sandbox
        .request_log()
        .into_iter()
        .filter(|r| r.target.contains("disk.qcow2"))
        .count();
    assert_eq!(fetched, 0, "no import reached the API");
}

#[tokio::test]
async fn imports_from_the_sandboxs_own_api_can_be_allowed() {
    let harness = Harness::start(
        SandboxConfig::default()
            .with_images(0)
            .with_imports_from_its_api()
            .with_import_timing(ImportTiming::new(
                Duration::from_millis(50),
                Duration::from_millis(300),
            )),
    )
    .await;
    let url = format!("{}/v2/images/disk.qcow2", harness.sandbox.base_url());
    let image = settled(&harness, import(&harness, &url).await).await;
    assert_eq!(image["status"], "deleted", "the API serves no disk image");
    let fetched = harness
        .sandbox
        .request_log()
        .into_iter()
        .filter(|r| r.target.contains("disk.qcow2"))
        .count();
    assert_eq!(fetched, 1);
}
