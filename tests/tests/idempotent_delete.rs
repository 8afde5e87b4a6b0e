//! Deleting is idempotent: when a DELETE was carried out but its answer was
//! lost (the sandbox closes the connection before answering; a 5xx), the
//! client retries, gets a 404 because the image is already gone, and
//! reports success. A 404 on a first attempt, or after a 429 (which proves
//! nothing was done), is still not-found.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use do_images::{Client, Error};
use do_images_e2e::{GOOD_URL, patient_client, quick_config, requests_to, start};
use do_images_sandbox::{FaultKind, Faults};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn a_retried_delete_that_finds_the_image_gone_succeeds() {
    let sandbox = start(quick_config(0)).await;
    let client = patient_client(&sandbox, 3, Duration::from_secs(5));
    let created = client
        .images()
        .create_custom("web", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap();
    let id = created.into_inner().id;
    sandbox
        .set_faults(Faults::none().with_lost_delete_answers(1))
        .unwrap();

    client.images().delete(id).send().await.unwrap();

    let deletes = requests_to(&sandbox, "images_delete");
    let seen: Vec<_> = deletes.iter().map(|r| (r.status, r.fault)).collect();
    assert_eq!(
        seen,
        vec![(204, Some(FaultKind::LostAnswer)), (404, None)],
        "carried out, answer lost, retried, found gone"
    );
    assert_eq!(sandbox.image_count(), 0);
}

#[tokio::test]
async fn a_delete_of_a_missing_image_is_not_found() {
    let sandbox = start(quick_config(0)).await;
    let client = patient_client(&sandbox, 3, Duration::from_secs(5));
    let error = client.images().delete(4_294_967_001u64).send().await;
    assert!(
        matches!(error, Err(Error::Api { status: 404, .. })),
        "{error:?}"
    );
    assert_eq!(requests_to(&sandbox, "images_delete").len(), 1);
}

/// A server that answers its requests with `statuses`, in order (then 404),
/// and records their request lines.
async fn scripted(statuses: &[u16]) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let script = Arc::new(Mutex::new(statuses.to_vec()));
    let lines = Arc::new(Mutex::new(Vec::new()));
    let recorded = lines.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let line = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .map(str::to_string);
            recorded.lock().unwrap().extend(line);
            let status = {
                let mut script = script.lock().unwrap();
                if script.is_empty() {
                    404
                } else {
                    script.remove(0)
                }
            };
            let body = format!(r#"{{"id":"status_{status}","message":"answer {status}"}}"#);
            let extra = if status == 429 {
                "retry-after: 0\r\n"
            } else {
                ""
            };
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    (base_url, lines)
}

fn scripted_client(base_url: String) -> Client {
    Client::builder()
        .token("dop_v1_scripted0123456789")
        .base_url(base_url)
        .retry_policy(do_images_e2e::fast_retries(3))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_404_after_a_server_error_is_success_but_not_after_a_429() {
    let (base_url, lines) = scripted(&[500, 404]).await;
    scripted_client(base_url)
        .images()
        .delete(7)
        .send()
        .await
        .unwrap();
    assert_eq!(lines.lock().unwrap().len(), 2);

    let (base_url, lines) = scripted(&[429, 404]).await;
    let error = scripted_client(base_url).images().delete(7).send().await;
    assert!(
        matches!(error, Err(Error::Api { status: 404, .. })),
        "{error:?}"
    );
    assert_eq!(lines.lock().unwrap().len(), 2);
}
