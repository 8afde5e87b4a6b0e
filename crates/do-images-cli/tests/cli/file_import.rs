//! `doimg images create --file` end to end: the real binary against the
//! sandbox's API and its Spaces-compatible store, over HTTP on 127.0.0.1.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{POLL_INTERVAL, Sim, fast, isolated, isolated_std, refusing_port, run};
use do_images_sandbox::{SpacesFaults, SpacesStore, StoreOperation, StoreOutcome};

const MIB: u64 = 1024 * 1024;

/// A `size`-byte file that starts like a qcow2 image (magic, version 3)
/// and is sparse after that.
fn qcow2_file(dir: &Path, name: &str, size: u64) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create the file");
    std::io::Write::write_all(&mut &file, b"QFI\xfb\0\0\0\x03").expect("write the header");
    file.set_len(size).expect("grow the file");
    path
}

fn store(sim: &Sim) -> &SpacesStore {
    sim.sandbox
        .spaces()
        .expect("the sandbox starts a Spaces store")
}

/// `doimg --api-url ... images create --file PATH` with the store's
/// endpoint, region, bucket and keys, and no Spaces variable of the caller.
pub(crate) fn create_from_file(sim: &Sim, file: &Path, extra: &[&str]) -> assert_cmd::Command {
    create_from_file_through(sim, sim.sandbox.base_url(), file, extra)
}

/// [`create_from_file`] with the Images API at `api_url`.
fn create_from_file_through(
    sim: &Sim,
    api_url: &str,
    file: &Path,
    extra: &[&str],
) -> assert_cmd::Command {
    let spaces = store(sim);
    let mut command = isolated(sim.home());
    command
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["--api-url", api_url, "--poll-interval", POLL_INTERVAL]);
    for (id, secret) in do_images_file_import::SPACES_KEY_ENV_VARS {
        command.env_remove(id).env_remove(secret);
    }
    command
        .env("SPACES_ACCESS_KEY_ID", spaces.access_key_id())
        .env("SPACES_SECRET_ACCESS_KEY", spaces.secret_access_key())
        .args([
            "images",
            "create",
            "--name",
            "from-file",
            "--region",
            "nyc3",
            "--file",
        ])
        .arg(file)
        .args(["--spaces-endpoint", spaces.endpoint_url()])
        .args(["--spaces-bucket", spaces.bucket()])
        .args(["--spaces-region", spaces.region()])
        .args(extra);
    command
}

fn assert_bucket_empty(sim: &Sim) {
    let spaces = store(sim);
    assert_eq!(spaces.objects(), vec![], "objects left in the bucket");
    assert_eq!(spaces.multipart_uploads(), vec![], "multipart uploads left");
}

#[test]
fn a_50_mib_file_ends_available_in_three_regions_and_the_bucket_empty() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let file = qcow2_file(dir.path(), "web.qcow2", 50 * MIB);
    let out = run(&mut create_from_file(
        &sim,
        &file,
        &["--regions", "ams3,sfo3", "-o", "json"],
    ))
    .ok();
    assert_eq!(
        sim.image_reads_after_the_last_action_poll(),
        1,
        "the image is read once after the transfers, and printed as read"
    );
    let image = out.json();
    let mut regions: Vec<&str> = image["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    regions.sort_unstable();
    assert_eq!(regions, ["ams3", "nyc3", "sfo3"], "{image}");
    assert_eq!(image["status"], "available");
    let id = image["id"].as_u64().expect("an id");
    assert_eq!(
        sim.image(id).expect("the image exists")["regions"],
        image["regions"]
    );
    assert_bucket_empty(&sim);
    // 50 MiB in 8 MiB parts: 7 parts, each stored once; then the sandbox's
    // import fetched the private object through the presigned URL.
    let requests = store(&sim).requests();
    let of = |operation: StoreOperation| requests.iter().filter(move |r| r.operation == operation);
    assert_eq!(of(StoreOperation::UploadPart).count(), 7, "{requests:?}");
    let key = &of(StoreOperation::CompleteMultipartUpload)
        .next()
        .expect("completed")
        .key;
    assert!(
        key.starts_with("do-images-import/") && key.ends_with("-web.qcow2"),
        "{key}"
    );
    assert!(
        of(StoreOperation::GetObject)
            .any(|r| &r.key == key && r.outcome == StoreOutcome::Answered(200)),
        "the import read the object: {requests:?}"
    );
    for shown in [
        "File checked: qcow2",
        "Import started",
        "ams3: transfer started (action ",
        "ams3: done.",
        "sfo3: transfer started (action ",
        "sfo3: done.",
        "Deleted the uploaded object",
    ] {
        assert!(out.stderr.contains(shown), "{shown:?} in:\n{}", out.stderr);
    }
}

#[test]
fn a_file_that_is_not_a_disk_image_is_refused_with_exit_2_and_nothing_sent() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.qcow2");
    std::fs::write(&file, "these are notes, not a disk\n").unwrap();
    let out = run(&mut create_from_file(&sim, &file, &[])).expect_code(2);
    let error = out.single_error();
    assert!(
        error.contains("notes.qcow2") && error.contains("does not start like"),
        "{error}"
    );
    assert!(
        error.contains("qcow2, vhdx, vdi or vmdk"),
        "says what is allowed: {error}"
    );
    assert_eq!(store(&sim).requests(), vec![], "nothing reached the store");
    assert_eq!(sim.requests(), 0, "nothing reached the API");
}

#[test]
fn every_flag_is_checked_before_anything_is_sent() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let file = qcow2_file(dir.path(), "ok.qcow2", MIB);
    for (flags, said) in [
        (&["--regions", "nyc3"][..], "extra region"),
        (&["--regions", "AMS3"][..], "AMS3"),
        (&["--spaces-bucket", "Bad_Bucket"][..], "bucket"),
        (
            &["--spaces-endpoint", "http://store.example.com"][..],
            "endpoint",
        ),
        (&["--object-key", "a//b"][..], "object key"),
    ] {
        let out = run(&mut create_from_file(&sim, &file, flags)).expect_code(2);
        assert!(out.stderr.contains(said), "{flags:?}: {}", out.stderr);
    }
    let out = run(sim.doimg().args([
        "images",
        "create",
        "--name",
        "x",
        "--region",
        "nyc3",
        "--url",
        "https://example.com/x.img",
        "--keep-upload",
    ]))
    .expect_code(2);
    assert!(out.stderr.contains("--file"), "{}", out.stderr);
    assert_eq!(store(&sim).requests(), vec![]);
    assert_eq!(sim.requests(), 0);
}

/// The keys and sizes of the objects in the sandbox's bucket.
fn objects(sim: &Sim) -> Vec<(String, u64)> {
    store(sim)
        .objects()
        .into_iter()
        .map(|object| (object.key, object.size))
        .collect()
}

#[test]
fn an_existing_object_is_replaced_only_with_replace_existing_object() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let first = qcow2_file(dir.path(), "first.qcow2", MIB);
    let second = qcow2_file(dir.path(), "second.qcow2", 2 * MIB);
    let key = "images/shared.qcow2";
    let keep = ["--object-key", key, "--keep-upload"];
    run(&mut create_from_file(&sim, &first, &keep)).expect_code(0);
    assert_eq!(objects(&sim), vec![(key.to_string(), MIB)]);

    let out = run(&mut create_from_file(&sim, &second, &keep)).expect_code(1);
    let error = out.single_error();
    assert!(
        error.contains("already exists") && error.contains(key),
        "{error}"
    );
    assert_eq!(
        objects(&sim),
        vec![(key.to_string(), MIB)],
        "kept as it was"
    );

    let replace = [
        "--object-key",
        key,
        "--replace-existing-object",
        "--keep-upload",
    ];
    run(&mut create_from_file(&sim, &second, &replace)).expect_code(0);
    assert_eq!(objects(&sim), vec![(key.to_string(), 2 * MIB)], "replaced");
    assert_eq!(store(&sim).multipart_uploads(), vec![]);
}

#[test]
fn a_file_the_import_rejects_exits_5_with_its_error_message_and_the_object_deleted() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    // --raw takes any file as a raw image locally; the import, which reads
    // it, finds text.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a disk image at all\n".repeat(1000)).unwrap();
    let out = run(&mut create_from_file(
        &sim,
        &file,
        &["--raw", "--regions", "ams3"],
    ))
    .expect_code(5);
    let error = out.single_error();
    assert!(
        error.contains("deleted:"),
        "carries the error_message: {error}"
    );
    assert!(!error.contains("left behind"), "{error}");
    assert_bucket_empty(&sim);
    assert!(
        out.stderr.contains("Deleted the uploaded object"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreachable_api_is_named_with_its_cause_and_the_object_deleted() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let file = qcow2_file(dir.path(), "web.qcow2", 1 << 20);
    let (_refusing, address) = refusing_port();
    let api_url = format!("http://{address}");
    let out = run(&mut create_from_file_through(&sim, &api_url, &file, &[])).expect_code(1);
    let error = out.single_error().to_lowercase();
    assert!(error.contains("connection refused"), "{error}");
    assert_bucket_empty(&sim);
}

#[test]
fn connections_cut_mid_part_are_survived_by_retrying_the_part() {
    let sim = Sim::start();
    // One cut anywhere is absorbed by the S3 client's retry of the request;
    // six cuts of part 3 outlast those (five attempts a call), so the part
    // is sent again by the upload itself.
    let cuts_of_part_3 = 6;
    store(&sim).set_faults(
        SpacesFaults::none()
            .cut_upload_part_request(1)
            .cut_part_attempts(3, cuts_of_part_3),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = qcow2_file(dir.path(), "cut.qcow2", 20 * MIB);
    let out = run(&mut create_from_file(
        &sim,
        &file,
        &["--keep-upload", "-o", "json"],
    ))
    .ok();
    assert_eq!(out.json()["status"], "available");
    let objects = store(&sim).objects();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(objects[0].size, 20 * MIB, "every byte arrived once");
    assert_eq!(store(&sim).multipart_uploads(), vec![]);
    assert!(
        out.stderr.contains("Kept the uploaded object"),
        "{}",
        out.stderr
    );
    let cut = store(&sim)
        .requests()
        .iter()
        .filter(|r| r.outcome == StoreOutcome::Cut)
        .count();
    assert!(
        cut >= cuts_of_part_3 as usize,
        "the store cut {cut} requests: {:?}",
        store(&sim).requests()
    );
    assert!(
        out.stderr.contains("Part 3 failed") && out.stderr.contains("(attempt 2)"),
        "the part was sent again: {}",
        out.stderr
    );
}

/// Kills the child if the test fails before it ends.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `doimg images create --file` on a 20 MiB file whose part 2 never
/// gets through, and returns once doimg says part 2 failed: the upload is
/// under way. Also returns the child's stderr, and the lines read so far.
#[cfg(unix)]
fn start_a_stuck_upload(
    sim: &Sim,
    dir: &Path,
) -> (Reap, BufReader<std::process::ChildStderr>, Vec<String>) {
    let file = qcow2_file(dir, "slow.qcow2", 20 * MIB);
    let mut child = spawn_import(sim, &file, "slow");
    let mut stderr = BufReader::new(child.0.stderr.take().expect("stderr"));
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended early: {seen:?}"
        );
        let retried = line.starts_with("Part 2 failed");
        seen.push(line);
        if retried {
            break;
        }
    }
    assert!(
        store(sim).multipart_uploads().len() == 1,
        "the upload is under way"
    );
    (child, stderr, seen)
}

/// Spawns `doimg images create --name NAME --file FILE` against the
/// sandbox and its store, stdout discarded, stderr piped.
#[cfg(unix)]
fn spawn_import(sim: &Sim, file: &Path, name: &str) -> Reap {
    let spaces = store(sim);
    let mut command = isolated_std(sim.home());
    for (id, secret) in do_images_file_import::SPACES_KEY_ENV_VARS {
        command.env_remove(id).env_remove(secret);
    }
    command
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .env("SPACES_ACCESS_KEY_ID", spaces.access_key_id())
        .env("SPACES_SECRET_ACCESS_KEY", spaces.secret_access_key())
        .args(["--api-url", sim.sandbox.base_url()])
        .args(["images", "create", "--name", name, "--region", "nyc3"])
        .arg("--file")
        .arg(file)
        .args(["--spaces-endpoint", spaces.endpoint_url()])
        .args(["--spaces-bucket", spaces.bucket()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    Reap(command.spawn().expect("doimg starts"))
}

/// Sends `signal` (`INT`, `TERM`, `HUP`) to `child`.
#[cfg(unix)]
fn send_signal(child: &Reap, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Sends `signal` (`INT`, `TERM`, `HUP`) to doimg during its upload: the
/// upload is aborted, doimg exits with `code` and says nothing is left.
#[cfg(unix)]
fn signal_during_the_upload_aborts_it(signal: &str, code: i32) {
    let sim = Sim::with(fast());
    // Part 2 never gets through, so the upload is still running when the
    // test sees its first retry and sends the signal.
    store(&sim).set_faults(SpacesFaults::none().cut_part_attempts(2, u32::MAX));
    let dir = tempfile::tempdir().unwrap();
    let (mut child, mut stderr, seen) = start_a_stuck_upload(&sim, dir.path());
    send_signal(&child, signal);
    let status = child.0.wait().expect("doimg ends");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(code), "SIG{signal}: {seen:?}{rest}");
    assert!(rest.contains("nothing is left in the bucket"), "{rest}");
    assert_bucket_empty(&sim);
    assert_eq!(sim.count_named("slow"), 0, "no import was sent");
}

/// A second signal while the abort hangs ends the wait for it: doimg exits
/// with the first signal's status and names what may be left, and where.
#[cfg(unix)]
#[test]
fn a_second_signal_stops_waiting_for_a_hung_cleanup_and_says_what_may_be_left() {
    let sim = Sim::with(fast());
    store(&sim).set_faults(
        SpacesFaults::none()
            .cut_part_attempts(2, u32::MAX)
            .hold_aborts(),
    );
    let dir = tempfile::tempdir().unwrap();
    let (mut child, mut stderr, seen) = start_a_stuck_upload(&sim, dir.path());
    send_signal(&child, "TERM");
    let abort_held = || {
        store(&sim).requests().iter().any(|request| {
            request.operation == StoreOperation::AbortMultipartUpload
                && request.outcome == StoreOutcome::Held
        })
    };
    for _ in 0..400 {
        if abort_held() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(abort_held(), "the cleanup started: {seen:?}");
    send_signal(&child, "INT");
    let status = child.0.wait().expect("doimg ends");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(
        status.code(),
        Some(143),
        "the first signal's: {seen:?}{rest}"
    );
    let upload = store(&sim).multipart_uploads();
    assert_eq!(upload.len(), 1, "the abort never happened");
    assert!(
        rest.contains("interrupted again (SIGINT): stopped waiting for the cleanup")
            && rest.contains("a multipart upload or the object")
            && rest.contains(&format!("s3://{}/", store(&sim).bucket()))
            && rest.contains(&upload[0].key)
            && rest.contains(store(&sim).endpoint_url()),
        "{rest}"
    );
    assert_eq!(sim.count_named("slow"), 0, "no import was sent");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_the_upload_aborts_it_exits_130_and_leaves_nothing() {
    signal_during_the_upload_aborts_it("INT", 130);
}

#[cfg(unix)]
#[test]
fn sigterm_during_the_upload_aborts_it_exits_143_and_leaves_nothing() {
    signal_during_the_upload_aborts_it("TERM", 143);
}

#[cfg(unix)]
#[test]
fn sighup_during_the_upload_aborts_it_exits_129_and_leaves_nothing() {
    signal_during_the_upload_aborts_it("HUP", 129);
}

#[test]
fn sandbox_mode_uses_the_sandboxs_own_store_bucket_and_keys() {
    let home = tempfile::tempdir().unwrap();
    let file = qcow2_file(home.path(), "demo.qcow2", 9 * MIB);
    let mut command = common::isolated(home.path());
    for (id, secret) in do_images_file_import::SPACES_KEY_ENV_VARS {
        command.env_remove(id).env_remove(secret);
    }
    command
        .args(["--sandbox", "--poll-interval", "200ms", "-o", "json"])
        .args([
            "images", "create", "--name", "demo", "--region", "nyc3", "--file",
        ])
        .arg(&file);
    let out = run(&mut command).ok();
    assert_eq!(out.json()["status"], "available", "{}", out.stderr);
    assert!(
        out.stderr.contains("Deleted the uploaded object"),
        "{}",
        out.stderr
    );
}

/// `--file` naming a FIFO that no one writes to: doimg refuses it without
/// blocking (exit 2, or 143 when the SIGTERM sent after a moment came
/// first), promptly, and sends nothing to the API or the store.
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking_and_a_signal_is_honoured() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("disk.img");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let mut child = spawn_import(&sim, &fifo, "f");
    std::thread::sleep(std::time::Duration::from_millis(300));
    if child.0.try_wait().expect("doimg's status").is_none() {
        send_signal(&child, "TERM");
    }
    // Generous for a busy machine; a blocked open never ends at all.
    let mut status = None;
    for _ in 0..200 {
        status = child.0.try_wait().expect("doimg's status");
        if status.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let Some(status) = status else {
        panic!("doimg still blocked 10 s after SIGTERM");
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        matches!(status.code(), Some(2 | 143)),
        "{status:?}: {stderr}"
    );
    if status.code() == Some(2) {
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    assert_eq!(sim.requests(), 0);
    assert_eq!(store(&sim).requests(), vec![]);
}
