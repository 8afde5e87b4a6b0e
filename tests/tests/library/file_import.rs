//! The file import library against the sandbox's API and Spaces store over
//! HTTP: cancellation at each step leaves nothing behind, or says exactly
//! what it left; a store that answers with a redirect is not followed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use do_images::{Client, WaitOptions};
use do_images_file_import::{
    ImportErrorKind, ImportFile, ImportFileExt, ImportProgress, LeftBehind, SpacesCredentials,
};
use do_images_sandbox::{
    ImportTiming, RunningSandbox, Sandbox, SandboxConfig, SpacesFaults, StoreOperation,
    StoreOutcome,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const MIB: u64 = 1024 * 1024;

fn qcow2_file(dir: &Path, size: u64) -> PathBuf {
    let path = dir.join("disk.qcow2");
    let file = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut &file, b"QFI\xfb\0\0\0\x03").unwrap();
    file.set_len(size).unwrap();
    path
}

/// The import of `file` into the sandbox through its store, with every
/// step sent on the returned channel.
fn import(
    sandbox: &RunningSandbox,
    file: &Path,
) -> (ImportFile, mpsc::UnboundedReceiver<ImportProgress>) {
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()
        .unwrap();
    let spaces = sandbox.spaces().expect("a Spaces store");
    let (steps, seen) = mpsc::unbounded_channel();
    let import = client
        .import_file(file)
        .region("nyc3")
        .bucket(spaces.bucket())
        .spaces_region(spaces.region())
        .spaces_endpoint(spaces.endpoint_url())
        .credentials(SpacesCredentials::new(
            spaces.access_key_id(),
            spaces.secret_access_key(),
        ))
        .wait_options(WaitOptions::default().min_delay(Duration::from_millis(50)))
        .on_progress(move |step| {
            let _ = steps.send(step.clone());
        });
    (import, seen)
}

/// Waits for the first step that `wanted` accepts.
async fn step(
    seen: &mut mpsc::UnboundedReceiver<ImportProgress>,
    wanted: fn(&ImportProgress) -> bool,
) {
    while let Some(step) = seen.recv().await {
        if wanted(&step) {
            return;
        }
    }
    panic!("the import ended before the step");
}

/// Polls until no multipart upload is left (a dropped future aborts in the
/// background), at most 10 seconds.
async fn wait_no_uploads(sandbox: &RunningSandbox) {
    let spaces = sandbox.spaces().unwrap();
    for _ in 0..200 {
        if spaces.multipart_uploads().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("multipart uploads left: {:?}", spaces.multipart_uploads());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_future_mid_upload_aborts_the_multipart_upload() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let spaces = sandbox.spaces().unwrap();
    spaces.set_faults(SpacesFaults::none().cut_part_attempts(2, u32::MAX));
    let dir = tempfile::tempdir().unwrap();
    let (import, mut seen) = import(&sandbox, &qcow2_file(dir.path(), 20 * MIB));
    let running = tokio::spawn(import.send());
    step(&mut seen, |s| {
        matches!(s, ImportProgress::PartRetried { part: 2, .. })
    })
    .await;
    assert_eq!(
        spaces.multipart_uploads().len(),
        1,
        "the upload is under way"
    );
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    wait_no_uploads(&sandbox).await;
    assert_eq!(spaces.objects(), vec![]);
    assert_eq!(sandbox.count_images_named("disk"), 0, "no import was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_after_the_import_was_sent_keeps_the_object_and_says_where() {
    let slow = ImportTiming::new(Duration::from_secs(30), Duration::from_secs(60));
    let sandbox = Sandbox::start(SandboxConfig::default().with_import_timing(slow))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (import, mut seen) = import(&sandbox, &qcow2_file(dir.path(), 9 * MIB));
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(import.send_until(async move {
        let _ = cancelled.await;
    }));
    step(&mut seen, |s| {
        matches!(s, ImportProgress::ImportStarted { .. })
    })
    .await;
    cancel.send(()).unwrap();
    let error = running.await.unwrap().unwrap_err();
    assert!(
        matches!(error.kind(), ImportErrorKind::Cancelled),
        "{error}"
    );
    assert!(error.image_id().is_some(), "{error}");
    let objects = sandbox.spaces().unwrap().objects();
    assert_eq!(objects.len(), 1, "the import still reads the object");
    match error.left_behind() {
        Some(LeftBehind::Object { location, reason }) => {
            assert_eq!(location.key, objects[0].key);
            assert!(reason.contains("would fail that import"), "{reason}");
        }
        other => panic!("expected the kept object, got {other:?}"),
    }
    assert!(error.to_string().contains(&objects[0].key), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_that_never_gets_through_fails_the_upload_and_aborts_it() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let spaces = sandbox.spaces().unwrap();
    spaces.set_faults(SpacesFaults::none().cut_part_attempts(1, u32::MAX));
    let dir = tempfile::tempdir().unwrap();
    let (import, _seen) = import(&sandbox, &qcow2_file(dir.path(), MIB));
    let error = import.send().await.unwrap_err();
    assert!(
        matches!(error.kind(), ImportErrorKind::Storage { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("part 1"), "{error}");
    assert_eq!(error.left_behind(), None, "{error}");
    assert_eq!(spaces.multipart_uploads(), vec![]);
    assert_eq!(spaces.objects(), vec![]);
}

/// A `size`-byte qcow2 file named `disk.qcow2` in a directory of its own.
fn disk_in_own_dir(size: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = qcow2_file(dir.path(), size);
    (dir, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_of_files_with_the_same_name_never_share_an_object() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // 0.01 and 0.03 GB: each image's size says which file it was made from.
    let (_a, small) = disk_in_own_dir(10_000_000);
    let (_b, large) = disk_in_own_dir(30_000_000);
    let (first, _) = import(&sandbox, &small);
    let (second, _) = import(&sandbox, &large);
    // The same typed region and distribution arguments as `do_images`.
    let first = first
        .name("small")
        .region(do_images::RegionSlug::Nyc3)
        .distribution(do_images::Distribution::Ubuntu);
    let (first, second) = tokio::join!(first.send(), second.name("large").send());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_ne!(first.upload.key, second.upload.key);
    assert_eq!(first.image.size_gigabytes, Some(0.01), "{first:?}");
    assert_eq!(first.image.distribution, do_images::Distribution::Ubuntu);
    assert_eq!(second.image.size_gigabytes, Some(0.03), "{second:?}");
    let spaces = sandbox.spaces().unwrap();
    assert_eq!(spaces.objects(), vec![], "the bucket is empty");
    assert_eq!(spaces.multipart_uploads(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_key_that_names_an_existing_object_is_refused_and_the_object_kept() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (_a, first_file) = disk_in_own_dir(2 * MIB);
    let (_b, second_file) = disk_in_own_dir(3 * MIB);
    let (first, _) = import(&sandbox, &first_file);
    first
        .object_key("shared/disk.qcow2")
        .keep_upload(true)
        .send()
        .await
        .unwrap();
    let spaces = sandbox.spaces().unwrap();
    let before = spaces.objects();
    assert_eq!(before.len(), 1);

    let (second, _) = import(&sandbox, &second_file);
    let error = second
        .name("second")
        .object_key("shared/disk.qcow2")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ImportErrorKind::ObjectExists(location) if location.key == "shared/disk.qcow2"),
        "{error}"
    );
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(error.left_behind(), None);
    assert_eq!(spaces.objects(), before, "the existing object is untouched");
    assert_eq!(spaces.multipart_uploads(), vec![]);
    assert_eq!(sandbox.count_images_named("second"), 0);

    // Replacing it, when asked for, works and removes what it wrote.
    let (third, _) = import(&sandbox, &second_file);
    third
        .name("third")
        .object_key("shared/disk.qcow2")
        .replace_existing_object(true)
        .send()
        .await
        .unwrap();
    assert_eq!(spaces.objects(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_wait_options_are_refused_before_anything_is_uploaded() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (_dir, file) = disk_in_own_dir(MIB);
    let (import, _) = import(&sandbox, &file);
    let error = import
        .name("never")
        .wait_options(WaitOptions::default().min_delay(Duration::ZERO))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_invalid_input(), "{error}");
    assert!(error.to_string().contains("min_delay"), "{error}");
    let spaces = sandbox.spaces().unwrap();
    assert_eq!(spaces.requests(), vec![], "nothing was sent to the store");
    assert_eq!(sandbox.count_images_named("never"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_whose_answer_was_lost_is_found_out_and_its_object_deleted() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let spaces = sandbox.spaces().unwrap();
    spaces.set_faults(SpacesFaults::none().cut_completion_answer());
    let (_dir, file) = disk_in_own_dir(MIB);
    let (import, _) = import(&sandbox, &file);
    let error = import.name("lost").send().await.unwrap_err();
    assert!(
        matches!(error.kind(), ImportErrorKind::Storage { .. }),
        "{error}"
    );
    let shown = error.to_string();
    assert!(
        shown.contains("completion") && shown.contains("the object was made"),
        "{shown}"
    );
    assert_eq!(error.left_behind(), None, "{error}");
    assert_eq!(spaces.objects(), vec![], "the completed object is deleted");
    assert_eq!(spaces.multipart_uploads(), vec![]);
    let operations: Vec<(StoreOperation, StoreOutcome)> = spaces
        .requests()
        .into_iter()
        .map(|request| (request.operation, request.outcome))
        .filter(|(operation, _)| *operation != StoreOperation::UploadPart)
        .collect();
    assert_eq!(
        operations.first(),
        Some(&(StoreOperation::HeadObject, StoreOutcome::Answered(404))),
        "{operations:?}"
    );
    assert!(
        operations.contains(&(
            StoreOperation::CompleteMultipartUpload,
            StoreOutcome::AnswerCut(200)
        )),
        "{operations:?}"
    );
    assert!(
        !operations
            .iter()
            .any(|(operation, _)| *operation == StoreOperation::AbortMultipartUpload),
        "nothing to abort: {operations:?}"
    );
    assert_eq!(sandbox.count_images_named("lost"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_swapped_after_the_check_still_uploads_the_checked_file() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (dir, file) = disk_in_own_dir(MIB);
    // As long as the disk, but text: the sandbox's import refuses it.
    let swapped_in = dir.path().join("notes.txt");
    std::fs::write(&swapped_in, vec![b'x'; MIB as usize]).unwrap();
    let (import, _) = import(&sandbox, &file);
    let path = file.clone();
    import
        .name("checked")
        .on_progress(move |step| {
            if matches!(step, ImportProgress::Checked { .. }) {
                std::fs::rename(&swapped_in, &path).unwrap();
            }
        })
        .send()
        .await
        .expect("the checked qcow2 is what was uploaded and imported");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        vec![b'x'; MIB as usize],
        "swapped"
    );
    assert_eq!(sandbox.spaces().unwrap().objects(), vec![]);
}

/// A loopback listener that answers every request with `answer` and counts
/// the connections it accepted.
async fn canned_listener(answer: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match connection.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => head.extend_from_slice(&buffer[..read]),
                    }
                }
                let _ = connection.write_all(answer.as_bytes()).await;
                let _ = connection.shutdown().await;
            });
        }
    });
    (address, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_redirects_is_not_followed_and_nothing_is_imported() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (elsewhere, reached) = canned_listener(
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
    )
    .await;
    let (redirecting, asked) = canned_listener(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {elsewhere}/stolen\r\n\
         content-length: 0\r\nconnection: close\r\n\r\n"
    ))
    .await;
    let (_dir, file) = disk_in_own_dir(MIB);
    let (import, _) = import(&sandbox, &file);
    let error = import
        .name("redirected")
        .spaces_endpoint(redirecting.as_str())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ImportErrorKind::Storage { .. }),
        "{error:?}"
    );
    assert!(asked.load(Ordering::SeqCst) > 0, "the store was asked");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was not followed: {error}"
    );
    assert_eq!(sandbox.count_images_named("redirected"), 0);
}
