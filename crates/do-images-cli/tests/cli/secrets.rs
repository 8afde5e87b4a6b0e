//! No secret in any message: a token-shaped value placed in every position
//! of doctl's config file and in every credential input (flag, variables,
//! Spaces keys) appears nowhere in what doimg prints, with `-v` and with
//! `RUST_LOG=trace`.

use crate::common;

use std::path::Path;

use common::{POLL_INTERVAL, Sim, isolated, run};

/// A value shaped like a DigitalOcean token; `MARK` is a part of it that no
/// other text contains.
const SECRET: &str = "dop_v1_5ec7e7c0ffee0123456789abcdef0123456789abcdef0123456789abcdef";
const MARK: &str = "5ec7e7c0ffee";

fn assert_hidden(what: &str, out: &common::Run) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text.contains(MARK),
            "{what}: the secret is in {stream}:\n{text}"
        );
    }
}

/// Every way of running one command: plain, `-v`, `RUST_LOG=trace`.
fn each_verbosity(sim: &Sim, what: &str, command: impl Fn() -> assert_cmd::Command) {
    for (extra, log) in [(None, None), (Some("-v"), None), (None, Some("trace"))] {
        let mut command = command();
        if let Some(log) = log {
            command.env("RUST_LOG", log);
        }
        if let Some(extra) = extra {
            command.arg(extra);
        }
        let out = run(&mut command);
        assert_hidden(&format!("{what} {extra:?} {log:?}"), &out);
        assert_ne!(out.code, 0, "{what}: {}", out.stderr);
    }
    let _ = sim;
}

#[test]
fn a_secret_anywhere_in_doctls_config_is_never_printed() {
    let sim = Sim::start();
    let config = sim.home().join("config.yaml");
    let texts = [
        format!("{SECRET}\n"),
        format!("- {SECRET}\n"),
        format!("access-token: [{SECRET}]\n"),
        format!("access-token: {{nested: {SECRET}}}\n"),
        format!("access-token: !!binary {SECRET}\n"),
        format!("access-token: \"{SECRET}\n"),
        format!("access-token: '{SECRET}\n"),
        format!("access-token: {SECRET}\n  broken: [\n"),
        format!("access-token: {SECRET}\naccess-token: {SECRET}\n"),
        format!("access-token: {SECRET}\n"),
        format!("context: {SECRET}\n"),
        format!("context: [{SECRET}]\n"),
        format!("auth-contexts: {SECRET}\n"),
        format!("auth-contexts: [{SECRET}]\n"),
        format!("auth-contexts:\n  work: [{SECRET}]\n"),
        format!("auth-contexts:\n  {SECRET}: x\ncontext: work\n"),
        format!("auth-contexts:\n  [{SECRET}]: x\n"),
        format!("auth-contexts:\n  work: {SECRET}\n  work: {SECRET}\n"),
        format!("context: work\nauth-contexts:\n  work: {SECRET}\n"),
        format!("? {SECRET}\n: x\n"),
        format!("other: {SECRET}\nauth-contexts: 7\n"),
        format!("{SECRET}: {SECRET}\n  - x\n"),
    ];
    for text in texts {
        std::fs::write(&config, &text).unwrap();
        each_verbosity(&sim, &format!("config {text:?}"), || {
            let mut command = sim.doimg_without_token();
            command.arg("-c").arg(&config).args(["images", "list"]);
            command
        });
        // Read before the environment: a valid token there changes nothing.
        each_verbosity(&sim, &format!("config {text:?} with a variable"), || {
            let mut command = sim.doimg_without_token();
            command
                .env("DIGITALOCEAN_ACCESS_TOKEN", "dop_v1_wrong")
                .arg("-c")
                .arg(&config)
                .args(["images", "list"]);
            command
        });
    }
}

#[test]
fn a_secret_in_any_credential_input_is_never_printed() {
    let sim = Sim::start();
    for args in [
        vec!["-t", SECRET, "images", "list"],
        vec!["--access-token", SECRET, "images", "get", "..;"],
        vec!["-t", SECRET, "--output", "yaml", "images", "list"],
        vec!["-t", SECRET, "--sandbox", "images", "list"],
        vec!["-t", SECRET, "images", "list", "--bogus"],
        vec!["--context", SECRET, "images", "list"],
    ] {
        each_verbosity(&sim, &format!("{args:?}"), || {
            let mut command = sim.doimg_without_token();
            command.args(&args);
            command
        });
    }
    let with_newline = format!("{SECRET}\nx");
    each_verbosity(&sim, "a token with a line break", || {
        let mut command = sim.doimg_without_token();
        command.args(["-t", &with_newline, "images", "list"]);
        command
    });
    for variable in ["DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN"] {
        each_verbosity(&sim, variable, || {
            let mut command = sim.doimg_without_token();
            command.env(variable, SECRET).args(["images", "list"]);
            command
        });
    }
}

#[test]
fn spaces_keys_are_never_printed() {
    let sim = Sim::start();
    let spaces = sim.sandbox.spaces().expect("the sandbox's store");
    let file = sim.home().join("disk.qcow2");
    std::fs::write(&file, b"QFI\xfb\0\0\0\x03 a tiny disk").unwrap();
    let file: &Path = &file;
    for (id, secret) in [
        (SECRET.to_string(), spaces.secret_access_key().to_string()),
        (spaces.access_key_id().to_string(), SECRET.to_string()),
        (SECRET.to_string(), format!("{SECRET}\n")),
    ] {
        each_verbosity(&sim, &format!("keys {id:?} {secret:?}"), || {
            let mut command = isolated(sim.home());
            for (id, secret) in do_images_file_import::SPACES_KEY_ENV_VARS {
                command.env_remove(id).env_remove(secret);
            }
            command
                .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
                .env("SPACES_ACCESS_KEY_ID", &id)
                .env("SPACES_SECRET_ACCESS_KEY", &secret)
                .args(["--api-url", sim.sandbox.base_url()])
                .args(["--poll-interval", POLL_INTERVAL])
                .args(["images", "create", "--name", "n", "--region", "nyc3"])
                .arg("--file")
                .arg(file)
                .args(["--spaces-endpoint", spaces.endpoint_url()])
                .args(["--spaces-bucket", spaces.bucket()])
                .args(["--spaces-region", spaces.region()]);
            command
        });
    }
}

/// Whether `text` holds a presigned URL's query, in any case.
fn holds_a_presigned_query(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("x-amz-signature") || lower.contains("x-amz-credential")
}

#[test]
fn a_presigned_url_the_api_echoes_in_a_failed_import_is_never_printed() {
    let sim = Sim::with(
        common::fast().with_faults(do_images_sandbox::Faults::none().with_echoed_import_urls()),
    );
    let dir = tempfile::tempdir().unwrap();
    // The import reads text, fails, and (the fault) quotes its URL whole.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "not a disk image at all\n".repeat(100)).unwrap();
    for (extra, log) in [(None, None), (Some("-v"), None), (None, Some("trace"))] {
        let mut command =
            crate::file_import::create_from_file(&sim, &file, &["--raw", "--keep-upload"]);
        if let Some(log) = log {
            command.env("RUST_LOG", log);
        }
        if let Some(extra) = extra {
            command.arg(extra);
        }
        let out = run(&mut command).expect_code(5);
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !holds_a_presigned_query(text),
                "{extra:?} {log:?}: the presigned URL is in {stream}:\n{text}"
            );
        }
        let error = out.single_error();
        assert!(error.contains("(fetching http://127.0.0.1:"), "{error}");
        assert!(error.contains("notes.txt?***"), "{error}");
    }
    // The API did send it: there was something to leak.
    let failed: Vec<_> = sim
        .private_images()
        .into_iter()
        .filter(|image| image["name"] == "from-file")
        .collect();
    assert_eq!(failed.len(), 3);
    for image in failed {
        assert!(
            holds_a_presigned_query(image["error_message"].as_str().unwrap()),
            "{image}"
        );
    }
}

#[test]
fn the_api_urls_password_is_not_in_help_nor_in_errors() {
    let sim = Sim::start();
    let (_held, refusing) = common::refusing_port();
    let url = format!("http://doimg:SECRETpassword@{refusing}");
    let help = run(isolated(sim.home())
        .env("DIGITALOCEAN_API_URL", &url)
        .arg("--help"))
    .expect_code(0);
    assert!(
        help.stdout.contains("DIGITALOCEAN_API_URL"),
        "{}",
        help.stdout
    );
    let listing = run(isolated(sim.home())
        .env("DIGITALOCEAN_API_URL", &url)
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["-v", "images", "list"]))
    .expect_code(1);
    assert!(
        listing.stderr.contains("could not reach"),
        "{}",
        listing.stderr
    );
    let refused = run(isolated(sim.home())
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["--api-url", "ftp://doimg:SECRETpassword@127.0.0.1/"])
        .args(["images", "list"]))
    .expect_code(2);
    assert!(
        refused.stderr.contains("ftp://***@127.0.0.1"),
        "{}",
        refused.stderr
    );
    for out in [&help, &listing, &refused] {
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains("SECRETpassword"), "{text}");
        }
    }
}
