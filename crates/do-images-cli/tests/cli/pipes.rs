//! doimg in a pipeline whose reader goes away (`doimg ... | head`): it
//! stops quietly with 141, what a shell reports for a Unix tool that a
//! closed pipe stopped, never with a panic or an error line; a closed
//! stderr only drops the progress lines.

use crate::common;

use std::io::Read;
use std::process::{Child, Stdio};

use common::{Sim, fast, isolated_std};

/// doimg's status when its output's reader went away.
const CLOSED_PIPE: i32 = 141;

/// The write end of a pipe whose read end is already closed: every write
/// to it fails at once.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// Reads a little of the child's stdout, closes it, and returns the exit
/// code and everything the child wrote on stderr.
fn read_a_little_then_close(mut child: Child) -> (i32, String) {
    let mut stdout = child.stdout.take().expect("a piped stdout");
    let mut start = [0_u8; 64];
    stdout.read_exact(&mut start).expect("the first bytes");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("a piped stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("doimg ends");
    (status.code().unwrap_or(-1), stderr)
}

/// `doimg` against `sim` with the sandbox's token, as `Sim::doimg` runs it.
fn doimg(sim: &Sim, args: &[&str]) -> std::process::Command {
    let mut command = isolated_std(sim.home());
    command
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["--api-url", sim.sandbox.base_url()])
        .args(args);
    command
}

#[test]
fn a_listing_whose_reader_goes_away_ends_quietly_with_141() {
    // Far more output than a pipe buffers, so that doimg is still writing
    // when the reader goes.
    let sim = Sim::with(fast().with_images(3_000));
    for args in [
        &["images", "list", "--public"][..],
        &["-o", "json", "images", "list", "--public"][..],
    ] {
        let child = doimg(&sim, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doimg starts");
        let (code, stderr) = read_a_little_then_close(child);
        assert_eq!(code, CLOSED_PIPE, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn completion_man_and_help_into_a_closed_pipe_end_quietly_with_141() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["completion", "zsh"][..],
        &["completion", "bash"][..],
        &["man"][..],
        &["--help"][..],
        &["images", "list", "--help"][..],
    ] {
        let out = isolated_std(home.path())
            .args(args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .expect("doimg runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(CLOSED_PIPE), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_closed_stderr_drops_the_progress_and_the_work_goes_on() {
    let sim = Sim::start();
    let out = doimg(
        &sim,
        &[
            "--poll-interval",
            common::POLL_INTERVAL,
            "images",
            "create",
            "--name",
            "piped-progress",
            "--url",
            "https://example.com/piped.qcow2",
            "--region",
            "nyc3",
            "--wait",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(closed_pipe())
    .output()
    .expect("doimg runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("piped-progress"), "{stdout}");
    assert_eq!(sim.count_named("piped-progress"), 1);
}
