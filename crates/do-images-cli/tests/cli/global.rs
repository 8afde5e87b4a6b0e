//! What every command shares: exit codes, input checks before any request,
//! where the token comes from, `-v`, `--sandbox`, `doimg sandbox`, Ctrl-C
//! while waiting, completions and the man page.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::{Sim, fast, isolated, isolated_std, json_answer, refusing_port, run};
use do_images_sandbox::{Faults, ImportTiming, RateLimits};
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;

// ------------------------------------------------------- exit code 2: usage

/// Command lines that are wrong before anything is sent: each exits 2, says
/// why on stderr, prints nothing on stdout, and sends no request.
#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let good_create = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "images",
            "create",
            "--name",
            "x",
            "--url",
            "https://example.com/x.qcow2",
            "--region",
            "nyc3",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect()
    };
    let create_with = |flag: &str, value: &str| -> Vec<String> {
        let mut args = good_create(&[]);
        let at = args.iter().position(|a| a == flag).unwrap();
        args[at + 1] = value.to_string();
        args
    };
    let strings = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (strings(&["images", "list", "--bogus"]), "--bogus"),
        (strings(&["images", "list", "--limit", "0"]), "--limit"),
        (strings(&["images", "list", "--limit", "-3"]), "-3"),
        (strings(&["images", "list", "--type", "custom"]), "--type"),
        (strings(&["images", "list", "--tag", ""]), "--tag"),
        (strings(&["images", "list", "--format", "Colour"]), "Colour"),
        (strings(&["-o", "yaml", "images", "list"]), "yaml"),
        (strings(&["images", "get"]), "--name"),
        (strings(&["images", "get", "0"]), "at least 1"),
        (strings(&["images", "get", "a b"]), "slug"),
        (strings(&["images", "get", "--name", " "]), "--name"),
        (create_with("--url", "ftp://example.com/x.qcow2"), "ftp://"),
        (create_with("--url", "file:///tmp/x.qcow2"), "file://"),
        (create_with("--url", "example.com/x.qcow2"), "not a URL"),
        (create_with("--region", "NYC3"), "not a region slug"),
        (create_with("--region", "new-york-3"), "not a region slug"),
        (create_with("--region", "3"), "not a region slug"),
        (create_with("--name", "  "), "--name"),
        (good_create(&["--tag", ""]), "--tag"),
        (
            good_create(&["--wait", "--timeout", "0s"]),
            "longer than zero",
        ),
        (good_create(&["--wait", "--timeout", "soon"]), "15m"),
        (strings(&["images", "create", "--name", "x"]), "--url"),
        (strings(&["images", "update", "4294967002"]), "--name"),
        (
            strings(&["images", "update", "4294967002", "--name", ""]),
            "--name",
        ),
        (
            strings(&["images", "update", "not-an-id", "--name", "x"]),
            "ID",
        ),
        (strings(&["images", "delete"]), "ID"),
        (strings(&["images", "wait", "1", "--timeout", "0s"]), "zero"),
        (
            strings(&["actions", "transfer", "4294967002", "--region", "Mars"]),
            "not a region slug",
        ),
        (strings(&["actions", "transfer", "4294967002"]), "--region"),
        (strings(&["actions", "get", "4294967002"]), "ACTION_ID"),
        (strings(&["completion", "tcsh"]), "tcsh"),
        // Flag combinations: refused before the first request, even when
        // the first part of the work would be valid.
        (strings(&["images", "delete", "7", "0", "--force"]), "0"),
        (
            strings(&["images", "delete", "7", "8", "7", "--force"]),
            "twice",
        ),
        (strings(&["images", "update", "0", "--name", "x"]), "0"),
        (good_create(&["--timeout", "5m"]), "--wait"),
        (
            strings(&["actions", "convert", "4294967002", "--timeout", "5m"]),
            "--wait",
        ),
        (
            strings(&["actions", "transfer", "0", "--region", "nyc3"]),
            "0",
        ),
        (strings(&["--sandbox", "images", "list"]), "--api-url"),
        (strings(&["nothing"]), "nothing"),
        (strings(&[]), "Usage"),
    ];
    let sim = Sim::start();
    for (args, mentioned) in &cases {
        let out = run(sim.doimg().args(args)).expect_code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains(mentioned),
            "{args:?}: `{mentioned}` not in\n{}",
            out.stderr
        );
        assert!(!out.stderr.contains('\x1b'), "no colour off a terminal");
        assert_eq!(sim.requests(), 0, "{args:?} sent a request");
    }
    // The helper sets --poll-interval, which may be given once.
    let out = run(isolated(sim.home())
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["--api-url", sim.sandbox.base_url()])
        .args(["--poll-interval", "never", "images", "list"]))
    .expect_code(2);
    assert!(out.stderr.contains("never"), "{}", out.stderr);
    assert_eq!(sim.requests(), 0);
    // --sandbox brings its own URL and token: one typed too would be
    // ignored, so it is refused, wherever it stands on the line.
    let out =
        run(isolated(sim.home()).args(["images", "list", "--sandbox", "-u", "http://127.0.0.1:9"]))
            .expect_code(2);
    assert!(out.stderr.contains("--api-url"), "{}", out.stderr);
    assert!(!out.stderr.contains("Using a sandbox"), "{}", out.stderr);
    let out =
        run(isolated(sim.home()).args(["--sandbox", "-t", "x", "images", "list"])).expect_code(2);
    assert!(out.stderr.contains("--access-token"), "{}", out.stderr);
    assert!(!out.stderr.contains("Using a sandbox"), "{}", out.stderr);
}

#[test]
fn a_bad_api_url_exits_2_and_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    for (url, mentioned) in [
        ("not a url", "not a valid URL"),
        ("ftp://127.0.0.1:1", "https is required"),
        ("http://127.0.0.1:1/v2?x=1", "query"),
    ] {
        let out = run(isolated(home.path()).args([
            "--api-url",
            url,
            "-t",
            "dop_v1_test",
            "images",
            "list",
        ]))
        .expect_code(2);
        assert!(out.single_error().contains(mentioned), "{}", out.stderr);
    }
}

#[test]
fn help_and_version_exit_0_and_help_documents_the_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).arg("--help")).ok();
    for line in [
        "Exit codes:",
        "  0    success",
        "  2    usage error",
        "  3    authentication",
        "  4    not found",
        "  5    wait failed",
        "  130  interrupted",
    ] {
        assert!(out.stdout.contains(line), "`{line}` missing from --help");
    }
    let out = run(isolated(home.path()).args(["images", "create", "--help"])).ok();
    assert!(out.stdout.contains("--wait") && out.stdout.contains("--timeout"));
    let out = run(isolated(home.path()).arg("--version")).ok();
    assert_eq!(out.stdout, format!("doimg {}\n", env!("CARGO_PKG_VERSION")));
}

// ------------------------------------------------- exit code 1: API errors

#[test]
fn an_api_error_exits_1_with_message_id_and_request_id() {
    let sim = Sim::with(fast().with_faults(Faults::none().with_server_errors(1.0)));
    // An import is not retried after a 500 (the server may have acted).
    let out = run(sim.doimg().args([
        "images",
        "create",
        "--name",
        "x",
        "--url",
        "https://example.com/x.qcow2",
        "--region",
        "nyc3",
    ]))
    .expect_code(1);
    assert_eq!(
        out.stderr,
        "Error: Server was unable to give you a response. \
         (server_error, request sandbox-00000001)\n"
    );
    assert_eq!(sim.requests(), 1);
}

// --------------------------------------------- exit code 3: authentication

#[test]
fn no_token_exits_3_and_lists_where_tokens_are_looked_for() {
    let sim = Sim::start();
    let out = run(sim.doimg_without_token().args(["images", "list"])).expect_code(3);
    let message = out.single_error();
    let config = sim.doctl_config_path();
    for place in [
        "--access-token",
        "DIGITALOCEAN_ACCESS_TOKEN",
        "DIGITALOCEAN_TOKEN",
        &config.display().to_string(),
        "--sandbox",
    ] {
        assert!(message.contains(place), "`{place}` missing from: {message}");
    }
    assert_eq!(sim.requests(), 0);

    // Empty variables are no tokens either.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", "")
        .env("DIGITALOCEAN_TOKEN", " ")
        .args(["images", "list"]))
    .expect_code(3);
    assert_eq!(sim.requests(), 0);
}

#[test]
fn a_refused_token_exits_3_and_is_never_printed() {
    let sim = Sim::start();
    let wrong = "dop_v1_not_the_sandbox_token_5f2c";
    let out =
        run(sim
            .doimg_without_token()
            .args(["-t", wrong, "images", "get", "ubuntu-24-04-x64"]))
        .expect_code(3);
    assert_eq!(
        out.stderr,
        "Error: Unable to authenticate you. (unauthorized, request sandbox-00000001); \
         check that the token is valid and not expired\n"
    );
    let out = run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_TOKEN", wrong)
        .args(["-v", "images", "list"]))
    .expect_code(3);
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
}

#[test]
fn the_token_comes_from_the_flag_then_the_variables_in_order() {
    let sim = Sim::start();
    let token = sim.sandbox.token().to_string();
    let list = ["images", "list", "--limit", "1"];
    // The flag beats a wrong variable.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", "wrong")
        .args(["--access-token", &token])
        .args(list))
    .ok();
    // DIGITALOCEAN_ACCESS_TOKEN beats DIGITALOCEAN_TOKEN.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", &token)
        .env("DIGITALOCEAN_TOKEN", "wrong")
        .args(list))
    .ok();
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", "wrong")
        .env("DIGITALOCEAN_TOKEN", &token)
        .args(list))
    .expect_code(3);
    // DIGITALOCEAN_TOKEN alone.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_TOKEN", &token)
        .args(list))
    .ok();
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn the_token_comes_from_doctls_config_and_its_contexts() {
    let sim = Sim::start();
    let token = sim.sandbox.token().to_string();
    let config = sim.doctl_config_path();
    let list = ["images", "list", "--limit", "1"];
    write_private(
        &config,
        &format!("access-token: dop_v1_wrong\ncontext: default\nauth-contexts:\n  work: {token}\n"),
        0o600,
    );
    // The default context's access-token is used (and refused).
    run(sim.doimg_without_token().args(list)).expect_code(3);
    // --context picks an auth-context, even over the variables.
    let out = run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", "wrong")
        .args(["--context", "work"])
        .args(list))
    .ok();
    assert_eq!(out.stderr, "", "a private config gives no warning");
    let out = run(sim
        .doimg_without_token()
        .args(["--context", "home"])
        .args(list))
    .expect_code(3);
    assert!(
        out.single_error()
            .contains("no auth-context `home`; it has: work"),
        "{}",
        out.stderr
    );

    // A config others can read works, with a warning that names no token.
    write_private(&config, &format!("access-token: {token}\n"), 0o644);
    let out = run(sim.doimg_without_token().args(list)).ok();
    assert!(
        out.stderr.starts_with("Warning: ") && out.stderr.contains("chmod 600"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&token));

    // --config points elsewhere.
    let elsewhere = sim.home().join("other").join("doctl.yaml");
    write_private(&elsewhere, &format!("access-token: {token}\n"), 0o600);
    std::fs::remove_file(&config).unwrap();
    run(sim.doimg_without_token().args(list)).expect_code(3);
    run(sim
        .doimg_without_token()
        .arg("--config")
        .arg(&elsewhere)
        .args(list))
    .ok();
}

#[test]
fn the_api_url_can_come_from_the_environment() {
    let sim = Sim::start();
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path())
        .env("DIGITALOCEAN_API_URL", sim.sandbox.base_url())
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args([
            "images",
            "get",
            "ubuntu-24-04-x64",
            "--format",
            "Slug",
            "--no-header",
        ]))
    .ok();
    assert_eq!(out.stdout, "ubuntu-24-04-x64\n");
    // A trailing slash is fine.
    let with_slash = format!("{}/", sim.sandbox.base_url());
    run(isolated(home.path()).args([
        "--api-url",
        &with_slash,
        "-t",
        sim.sandbox.token(),
        "images",
        "get",
        "100000001",
    ]))
    .ok();
}

// ---------------------------------------------------------------- regions

#[test]
fn an_undocumented_region_is_accepted_with_a_warning() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "images",
        "create",
        "--name",
        "in-atlanta",
        "--url",
        "https://example.com/atl.qcow2",
        "--region",
        "atl1",
        "--wait",
    ]))
    .ok();
    assert!(
        out.stderr.starts_with(
            "Warning: region `atl1` is not in the documented list; sending it anyway \
             (the API knows more regions than its docs)\n"
        ),
        "{}",
        out.stderr
    );
    let image = out.json();
    assert_eq!(image["status"], "available");
    assert_eq!(image["regions"], json!(["atl1"]));
}

// ---------------------------------------------------------------- -v

#[test]
fn verbose_traces_each_request_and_never_the_token() {
    let sim = Sim::start();
    let token = sim.sandbox.token().to_string();
    let out = run(sim.doimg_without_token().args([
        "-v",
        "-t",
        &token,
        "images",
        "get",
        "ubuntu-24-04-x64",
    ]))
    .ok();
    let traces: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("DigitalOcean API answered"))
        .collect();
    assert_eq!(traces.len(), 1, "{}", out.stderr);
    for part in [
        "method=GET",
        "path=/v2/images/ubuntu-24-04-x64",
        "status=200",
        "attempt=1",
        "request_id=\"sandbox-00000001\"",
        "ratelimit_remaining=",
    ] {
        assert!(traces[0].contains(part), "`{part}` missing: {}", traces[0]);
    }
    assert!(out.stderr.contains("source=--access-token"));
    assert!(!out.stderr.contains(&token), "{}", out.stderr);
    assert!(!out.stdout.contains(&token));

    // Through a wait too, and from the environment.
    let out = run(sim.doimg().args([
        "-v",
        "images",
        "create",
        "--name",
        "traced",
        "--url",
        "https://example.com/t.img",
        "--region",
        "nyc3",
        "--wait",
    ]))
    .ok();
    assert!(out.stderr.contains("method=POST"), "{}", out.stderr);
    assert!(out.stderr.contains("status=202"), "{}", out.stderr);
    assert!(!out.stderr.contains(&token), "{}", out.stderr);

    // Without -v: no trace.
    let out = run(sim.doimg().args(["images", "get", "100000001"])).ok();
    assert_eq!(out.stderr, "");
}

// ---------------------------------------------------------------- --sandbox

#[test]
fn the_sandbox_flag_needs_no_token() {
    let home = tempfile::tempdir().unwrap();
    // A DIGITALOCEAN_API_URL exported for another sandbox is not used.
    let out = run(isolated(home.path())
        .env("DIGITALOCEAN_API_URL", "http://127.0.0.1:9")
        .args(["--sandbox", "images", "list", "--public", "--limit", "3"]))
    .ok();
    assert_eq!(
        out.stdout.lines().count(),
        4,
        "a header and 3 rows:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("ubuntu-24-04-x64"));
    assert!(
        out.stderr
            .starts_with("Using a sandbox at http://127.0.0.1:"),
        "{}",
        out.stderr
    );

    let out = run(isolated(home.path()).args([
        "--sandbox",
        "-o",
        "json",
        "images",
        "get",
        "debian-12-x64",
    ]))
    .ok();
    assert_eq!(out.json()["slug"], "debian-12-x64");
}

/// The README's first command: an import in a sandbox, watched from `NEW`
/// to `available` (5 seconds).
#[test]
fn the_readme_first_command_imports_and_waits_in_a_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).args([
        "--sandbox",
        "--poll-interval",
        "100ms",
        "images",
        "create",
        "--name",
        "demo",
        "--url",
        "https://example.com/demo.qcow2",
        "--region",
        "nyc3",
        "--wait",
    ]))
    .ok();
    let statuses: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.split_once(": ")?.1.split(" (after ").next())
        .filter(|s| ["NEW", "pending", "available"].contains(s))
        .collect();
    assert_eq!(statuses.first(), Some(&"NEW"), "{}", out.stderr);
    assert_eq!(statuses.last(), Some(&"available"), "{}", out.stderr);
    assert!(out.stdout.contains("demo") && out.stdout.contains("available"));
}

// ---------------------------------------------- doimg sandbox, Ctrl-C

/// Reads lines from `reader` until one satisfies `wanted`; returns them all.
fn read_until(reader: &mut impl BufRead, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("read a line");
        assert!(read > 0, "the output ended before the line; got {lines:?}");
        let done = wanted(&line);
        lines.push(line.trim_end().to_string());
        if done {
            return lines;
        }
    }
}

#[cfg(unix)]
fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Kills `child` if the test fails before it ends.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_waiting_exits_130_and_the_import_goes_on() {
    let sim = Sim::with(fast().with_import_timing(ImportTiming::new(
        Duration::from_secs(60),
        Duration::from_secs(120),
    )));
    let mut command = isolated_std(sim.home());
    command
        .args([
            "--api-url",
            sim.sandbox.base_url(),
            "--poll-interval",
            "50ms",
        ])
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args([
            "images",
            "create",
            "--name",
            "interrupted",
            "--url",
            "https://example.com/i.qcow2",
            "--region",
            "nyc3",
            "--wait",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Reap(command.spawn().expect("doimg starts"));
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    // The first progress line comes after the first poll, so the Ctrl-C
    // handler is in place.
    let mut lines = read_until(&mut stderr, |l| l.contains(": NEW (after "));
    interrupt(&child.0);
    let status = child.0.wait().unwrap();
    lines.extend(stderr.lines().map(Result::unwrap));
    assert_eq!(status.code(), Some(130), "{lines:#?}");
    let id: u64 = lines[0]
        .strip_prefix("Import started: image ")
        .and_then(|r| r.strip_suffix('.'))
        .and_then(|id| id.parse().ok())
        .expect("the import's id");
    assert_eq!(
        lines.last().unwrap(),
        &format!("Error: stopped waiting for image {id}; the work goes on server-side")
    );
    assert_eq!(sim.count_named("interrupted"), 1);
    assert_eq!(sim.image(id).unwrap()["status"], "NEW");
}

#[cfg(unix)]
#[test]
fn doimg_sandbox_serves_in_the_foreground_until_ctrl_c() {
    let home = tempfile::tempdir().unwrap();
    let mut command = isolated_std(home.path());
    command
        .args(["sandbox", "--port", "0", "--images", "25", "--seed", "7"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Reap(command.spawn().expect("doimg sandbox starts"));
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let lines = read_until(&mut stdout, |l| l.starts_with("Press Ctrl-C"));
    let url = lines[0]
        .strip_prefix("Sandbox serving 25 simulated images at ")
        .expect("the first line names the URL")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // One line per account: email, team uuid and token; the primary first.
    let accounts: Vec<Vec<&str>> = lines[2..]
        .iter()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(accounts.len(), 3, "{lines:#?}");
    for account in &accounts {
        assert!(account[0].contains('@'), "{account:?}");
        assert_eq!(account[1], "team");
        assert_eq!(account[2].len(), 36, "a uuid: {account:?}");
        assert_eq!(account[3], "token");
        assert!(account[4].starts_with("dop_v1_sandbox_"), "{account:?}");
    }
    let token = accounts[0][4].to_string();
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(name))
            .unwrap_or_else(|| panic!("`{name}` is printed: {lines:?}"))
            .to_string()
    };
    assert_eq!(field("Bucket: "), "sandbox-images");
    assert_eq!(
        field("Access key: "),
        do_images_sandbox::DEFAULT_SPACES_ACCESS_KEY_ID
    );
    assert_eq!(
        field("Secret key: "),
        do_images_sandbox::DEFAULT_SPACES_SECRET_ACCESS_KEY
    );
    let endpoint = field("Endpoint: ");
    let spaces_address = endpoint
        .strip_prefix("http://")
        .expect("the Spaces endpoint is an http URL");
    assert!(spaces_address.starts_with("127.0.0.1:"), "{endpoint}");
    assert_ne!(endpoint, url, "the store has its own port");
    let mut probe = std::net::TcpStream::connect(spaces_address).expect("the store listens");
    std::io::Write::write_all(
        &mut probe,
        b"GET /sandbox-images HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut probe, &mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 403"),
        "an unsigned request is refused: {answer}"
    );

    let out = run(isolated(home.path())
        .env("DIGITALOCEAN_API_URL", &url)
        .env("DIGITALOCEAN_ACCESS_TOKEN", &token)
        .args(["-o", "json", "images", "list", "--public"]))
    .ok();
    assert_eq!(out.json().as_array().unwrap().len(), 25);

    interrupt(&child.0);
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

// ---------------------------------------------- completion and man page

#[test]
fn completion_scripts_for_each_shell() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef doimg"),
        ("fish", "complete -c doimg"),
        ("elvish", "doimg"),
        ("powershell", "doimg"),
    ] {
        let out = run(isolated(home.path()).args(["completion", shell])).ok();
        assert!(!out.stdout.is_empty(), "{shell}");
        assert!(out.stdout.contains("doimg"), "{shell}");
        assert!(out.stdout.contains(marker), "{shell}: `{marker}` missing");
        for word in ["images", "actions", "transfer", "wait", "poll-interval"] {
            assert!(out.stdout.contains(word), "{shell}: `{word}` missing");
        }
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn the_man_page_is_roff() {
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).arg("man")).ok();
    let page = &out.stdout;
    assert!(page.contains(".TH doimg 1"), "{page}");
    for part in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", "Exit codes:"] {
        assert!(page.contains(part), "`{part}` missing");
    }
    assert!(
        page.contains("\\-\\-sandbox"),
        "options are in roff escapes"
    );
    assert!(page.contains("doimg\\-images"));
}

#[test]
fn man_dir_writes_a_page_for_every_command() {
    let home = tempfile::tempdir().unwrap();
    let pages = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path())
        .arg("man")
        .arg("--dir")
        .arg(pages.path()))
    .ok();
    assert!(out.stdout.contains("Wrote the man pages"), "{}", out.stdout);
    for name in [
        "doimg.1",
        "doimg-images.1",
        "doimg-images-list.1",
        "doimg-actions-transfer.1",
        "doimg-sandbox.1",
    ] {
        let page = std::fs::read_to_string(pages.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(page.starts_with(".ie"), "{name} is roff");
        assert!(page.contains(".TH "), "{name} has a title");
    }
    // A folder under a file cannot be made.
    let file = home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = run(isolated(home.path())
        .arg("man")
        .arg("--dir")
        .arg(file.join("man1")));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot write man pages"),
        "{}",
        out.stderr
    );
}

// ------------------------------------- exit code 2 only when nothing was sent

/// A timeout shorter than the poll interval is no usage error discovered
/// after the import was sent: the wait polls within the timeout.
#[test]
fn a_wait_shorter_than_the_poll_interval_polls_within_it() {
    let sim = Sim::start();
    // The helper's own --poll-interval may be given once: build the
    // command without it.
    let out = run(isolated(sim.home())
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .args(["--api-url", sim.sandbox.base_url()])
        .args([
            "--poll-interval",
            "5s",
            "images",
            "create",
            "--name",
            "quick",
            "--url",
            "https://example.com/quick.qcow2",
            "--region",
            "nyc3",
            "--wait",
            "--timeout",
            "3s",
        ]));
    let out = out.ok();
    assert!(out.stdout.contains("available"), "{}", out.stdout);
    assert_eq!(sim.count_named("quick"), 1);
    assert_eq!(sim.requests_of("images_create_custom"), 1);
}

/// An answer without the fields the API always sends (an id to wait for)
/// comes after work was sent: an API error (exit 1) naming the missing
/// field, not a usage error, and not a silent end without waiting.
#[test]
fn an_answer_without_an_id_is_an_api_error() {
    let server = MockServer::start();
    let import = server.mock(|when, then| {
        when.method(POST).path("/v2/images");
        json_answer(then, 202).json_body(json!({"image": {"name": "x", "status": "NEW"}}));
    });
    let action = server.mock(|when, then| {
        when.method(POST).path("/v2/images/7/actions");
        json_answer(then, 201).json_body(json!({"action": {"status": "in-progress"}}));
    });
    // Mocks match in the order they were made: this one counts the rest.
    let anything_else = server.mock(|_, then| {
        json_answer(then, 404).json_body(json!({"id": "not_found", "message": "polled"}));
    });
    let home = tempfile::tempdir().unwrap();
    for output in ["text", "json"] {
        let out = run(isolated(home.path()).args([
            "--api-url",
            &server.base_url(),
            "-t",
            "dop_v1_test",
            "-o",
            output,
            "images",
            "create",
            "--name",
            "x",
            "--url",
            "https://example.com/x.qcow2",
            "--region",
            "nyc3",
            "--wait",
        ]))
        .expect_code(1);
        assert!(
            out.single_error().contains("missing field"),
            "{}",
            out.stderr
        );
        let out = run(isolated(home.path()).args([
            "--api-url",
            &server.base_url(),
            "-t",
            "dop_v1_test",
            "-o",
            output,
            "actions",
            "convert",
            "7",
            "--wait",
        ]))
        .expect_code(1);
        assert!(
            out.single_error().contains("missing field"),
            "{}",
            out.stderr
        );
    }
    // One POST per command, no poll.
    import.assert_calls(2);
    action.assert_calls(2);
    anything_else.assert_calls(0);
}

// ------------------------------------------------------ errors say why

#[test]
fn a_refused_connection_is_named_in_the_error() {
    let (_refusing, address) = refusing_port();
    assert!(
        std::net::TcpListener::bind(address).is_err(),
        "no concurrent test can take the refusing port"
    );
    let url = format!("http://{address}");
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).args(["--api-url", &url, "-t", "x", "images", "list"]))
        .expect_code(1);
    let message = out.single_error().to_lowercase();
    assert!(message.contains("connection refused"), "{message}");
    assert!(message.contains("could not reach"), "{message}");
    // Each cause once: the library no longer repeats its source.
    assert_eq!(
        message.matches("error sending request").count(),
        1,
        "{message}"
    );
}

// ------------------------------------------------------ doctl's config file

/// Without HOME (and XDG_CONFIG_HOME), doctl's config is never looked for
/// relative to the current directory.
#[cfg(unix)]
#[test]
fn doctls_config_is_never_read_from_a_relative_path() {
    let sim = Sim::start();
    let cwd = tempfile::tempdir().unwrap();
    write_private(
        &cwd.path().join(".config").join("doctl").join("config.yaml"),
        &format!("access-token: {}\n", sim.sandbox.token()),
        0o600,
    );
    let out = run(sim
        .doimg_without_token()
        .env_remove("HOME")
        .env_remove("XDG_CONFIG_HOME")
        .current_dir(cwd.path())
        .args(["images", "list", "--limit", "1"]))
    .expect_code(3);
    assert!(
        !out.single_error().contains(" .config/doctl"),
        "{}",
        out.stderr
    );
    // Nor with a relative HOME or XDG_CONFIG_HOME.
    for (variable, value) in [("HOME", "."), ("XDG_CONFIG_HOME", ".config")] {
        run(sim
            .doimg_without_token()
            .env_remove("HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env(variable, value)
            .current_dir(cwd.path())
            .args(["images", "list", "--limit", "1"]))
        .expect_code(3);
    }
    assert_eq!(sim.requests(), 0);
}

#[test]
fn no_request_limits_lists_past_the_apis_minute_budget_without_waiting() {
    // 251 pages of 200: with the API's limits kept, the 251st request waits
    // for the first to leave its one-minute window, so the listing cannot
    // end in under a minute. The sandbox here has no limits of its own.
    let pages = 251;
    let sim = Sim::with(
        fast()
            .with_images(200 * pages)
            .with_rate_limits(RateLimits::unlimited()),
    );
    let started = std::time::Instant::now();
    let listed = run(sim.doimg().args([
        "--no-request-limits",
        "images",
        "list",
        "--public",
        "-o",
        "json",
    ]))
    .ok()
    .json();
    let took = started.elapsed();
    assert_eq!(listed.as_array().map(Vec::len), Some(200 * pages));
    // Each page is answered once, and no page past the last is asked for.
    // Counting requests alone would also count a retry of a page whose
    // connection broke (logged 499, then answered), which is no waste.
    let lists: Vec<_> = sim
        .sandbox
        .request_log()
        .into_iter()
        .filter(|record| record.operation == Some("images_list"))
        .collect();
    let page_of = |target: &str| {
        url::Url::parse(&format!("http://sandbox{target}"))
            .ok()
            .and_then(|url| {
                url.query_pairs()
                    .find(|(name, _)| name == "page")
                    .and_then(|(_, page)| page.parse::<u64>().ok())
            })
            .unwrap_or(1)
    };
    let mut answered: Vec<u64> = lists
        .iter()
        .filter(|record| record.status == 200)
        .map(|record| page_of(&record.target))
        .collect();
    answered.sort_unstable();
    assert_eq!(
        answered,
        (1..=pages as u64).collect::<Vec<_>>(),
        "every page answered once: {lists:#?}"
    );
    assert!(
        lists
            .iter()
            .all(|record| page_of(&record.target) <= pages as u64),
        "a page past the last was asked for: {lists:#?}"
    );
    assert!(
        took < Duration::from_secs(30),
        "{pages} pages took {took:?}: the requests were held to the API's rate"
    );
}
