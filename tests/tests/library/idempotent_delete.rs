//! Deleting is idempotent: when a DELETE was carried out but its answer was
//! lost (the sandbox closes the connection before answering; a 5xx), the
//! client retries, gets a 404 because the image is already gone, and
//! reports success. Which answer sequences count as success (a 404 after a
//! 5xx or a time-out; not at first or after a 429) is one request/answer
//! shape each, in do-images' `behaviour` tests.

use std::time::Duration;

use do_images_e2e::{import_web, patient_client, quick_config, requests_to, start};
use do_images_sandbox::{FaultKind, Faults};

#[tokio::test]
async fn a_retried_delete_that_finds_the_image_gone_succeeds() {
    let sandbox = start(quick_config(0)).await;
    let client = patient_client(&sandbox, 3, Duration::from_secs(5));
    let id = import_web(&client).await;
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
