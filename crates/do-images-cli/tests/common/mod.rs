//! What the end-to-end tests of `doimg` share: a sandbox served over HTTP
//! on 127.0.0.1 from a runtime the test keeps alive, `doimg` commands that
//! can only reach that sandbox, httpmock answers for what the sandbox never
//! says, and golden files.
//!
//! Every command runs with HOME and XDG_CONFIG_HOME in a temporary
//! directory and without any `DIGITALOCEAN_*` variable of the caller, so no
//! test can see a real token, the user's doctl config or the real API.
//!
//! Golden files live in `tests/golden/`. After a deliberate change of the
//! text output, rewrite them with
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p do-images-cli
//! ```
//!
//! and review the diff before committing it.

#[cfg(unix)]
pub mod terminal;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use do_images_sandbox::{ImportTiming, RunningSandbox, Sandbox, SandboxConfig};
use httpmock::Then;
use serde_json::Value;

/// The `doimg` binary cargo built for these tests.
pub const DOIMG: &str = env!("CARGO_BIN_EXE_doimg");

/// No single command may take longer than this; a hang fails the test.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// How long an import stays `NEW`, and when it settles, in [`fast`].
pub const IMPORT_PENDING_AFTER: Duration = Duration::from_millis(100);
/// See [`IMPORT_PENDING_AFTER`].
pub const IMPORT_SETTLED_AFTER: Duration = Duration::from_millis(400);
/// How long an action is in progress in [`fast`].
pub const ACTION_DURATION: Duration = Duration::from_millis(400);
/// The first delay between polls that the commands are given.
pub const POLL_INTERVAL: &str = "50ms";

/// The default seeded data (seed 1, 60 images), with imports and actions
/// that settle in well under a second.
pub fn fast() -> SandboxConfig {
    SandboxConfig::default()
        .with_import_timing(ImportTiming::new(
            IMPORT_PENDING_AFTER,
            IMPORT_SETTLED_AFTER,
        ))
        .with_action_duration(ACTION_DURATION)
}

/// A sandbox served from a multi-thread runtime that lives as long as the
/// test, and a temporary home for the commands.
pub struct Sim {
    // Fields drop in order: the sandbox stops before its runtime goes.
    pub sandbox: RunningSandbox,
    home: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// A sandbox with [`fast`] settings.
    pub fn start() -> Self {
        Self::with(fast())
    }

    /// A sandbox with `config`.
    pub fn with(config: SandboxConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let sandbox = runtime
            .block_on(Sandbox::start(config))
            .expect("the sandbox starts");
        assert!(
            sandbox.base_url().starts_with("http://127.0.0.1:"),
            "the sandbox must listen on 127.0.0.1: {}",
            sandbox.base_url()
        );
        Self {
            sandbox,
            home: tempfile::tempdir().expect("a temporary home"),
            _runtime: runtime,
        }
    }

    /// The temporary HOME (and XDG_CONFIG_HOME) of the commands.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Where doimg looks for doctl's config in this home.
    pub fn doctl_config_path(&self) -> PathBuf {
        self.home().join("doctl").join("config.yaml")
    }

    /// `doimg --api-url <sandbox> --poll-interval 50ms` with the sandbox's
    /// token in `DIGITALOCEAN_ACCESS_TOKEN`.
    pub fn doimg(&self) -> Command {
        let mut command = self.doimg_without_token();
        command.env("DIGITALOCEAN_ACCESS_TOKEN", self.sandbox.token());
        command
    }

    /// `doimg --api-url <sandbox> --poll-interval 50ms` with no token
    /// anywhere.
    pub fn doimg_without_token(&self) -> Command {
        let mut command = isolated(self.home());
        command.args([
            "--api-url",
            self.sandbox.base_url(),
            "--poll-interval",
            POLL_INTERVAL,
        ]);
        command
    }

    /// Requests the sandbox has answered so far.
    pub fn requests(&self) -> u64 {
        self.sandbox.stats().requests
    }

    /// How many images are named `name` now.
    pub fn count_named(&self, name: &str) -> usize {
        self.sandbox.count_images_named(name)
    }

    /// Requests of one operation (`images_list`, ...) so far.
    pub fn requests_of(&self, operation: &str) -> u64 {
        self.sandbox.stats().operation(operation)
    }

    /// How many times an image was read (`images_get`) after the last poll
    /// of an action: once a distribution's transfers are done, what reads
    /// the image as it ends.
    pub fn image_reads_after_the_last_action_poll(&self) -> usize {
        let log = self.sandbox.request_log();
        let after = log
            .iter()
            .rposition(|r| r.operation == Some("image_actions_get"))
            .map_or(0, |last| last + 1);
        log[after..]
            .iter()
            .filter(|r| r.operation == Some("images_get"))
            .count()
    }

    /// `GET path` straight over HTTP with the sandbox's token, not through
    /// doimg or the library: the status and the body as JSON (`Null` when
    /// empty).
    pub fn api_get(&self, path: &str) -> (u16, Value) {
        let address = self
            .sandbox
            .base_url()
            .strip_prefix("http://")
            .expect("an http base URL");
        let (status, body) = http_request(address, "GET", path, self.sandbox.token(), None);
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// `method path` with a JSON body straight over HTTP with the sandbox's
    /// token: the status and the body as JSON (`Null` when empty).
    pub fn api_send(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let address = self
            .sandbox
            .base_url()
            .strip_prefix("http://")
            .expect("an http base URL");
        let body = body.to_string();
        let (status, body) = http_request(address, method, path, self.sandbox.token(), Some(&body));
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// One image as the API sends it (`None` on 404).
    pub fn image(&self, id: u64) -> Option<Value> {
        match self.api_get(&format!("/v2/images/{id}")) {
            (200, body) => Some(body["image"].clone()),
            (404, _) => None,
            (status, body) => panic!("GET image {id}: {status} {body}"),
        }
    }

    /// Action `action` of image `image` as the API sends it.
    pub fn action(&self, image: u64, action: u64) -> Value {
        match self.api_get(&format!("/v2/images/{image}/actions/{action}")) {
            (200, body) => body["action"].clone(),
            (status, body) => panic!("GET action {action} of image {image}: {status} {body}"),
        }
    }

    /// Every private image, as the API sends them.
    pub fn private_images(&self) -> Vec<Value> {
        let (status, body) = self.api_get("/v2/images?private=true&per_page=200");
        assert_eq!(status, 200, "{body}");
        body["images"].as_array().expect("an images array").clone()
    }

    /// The id of the first available private image that is not in
    /// `region`.
    pub fn available_outside(&self, region: &str) -> u64 {
        self.private_images()
            .iter()
            .find(|i| {
                i["status"] == "available"
                    && !i["regions"].as_array().unwrap().iter().any(|r| r == region)
            })
            .and_then(|i| i["id"].as_u64())
            .expect("an available private image outside the region")
    }

    /// The id of the first private image of `kind` (`snapshot`, `backup`,
    /// `custom`) that is available.
    pub fn first_private(&self, kind: &str) -> u64 {
        self.private_images()
            .iter()
            .find(|i| i["type"] == kind && i["status"] == "available")
            .and_then(|i| i["id"].as_u64())
            .unwrap_or_else(|| panic!("the seeded data has an available {kind}"))
    }

    /// The first private image with an action, and that action's id.
    pub fn image_with_action(&self) -> (u64, u64) {
        for image in self.private_images() {
            let id = image["id"].as_u64().expect("an id");
            let (_, body) = self.api_get(&format!("/v2/images/{id}/actions"));
            if let Some(action) = body["actions"].as_array().and_then(|a| a.first()) {
                return (id, action["id"].as_u64().expect("an action id"));
            }
        }
        panic!("the seeded data has an image with an action")
    }
}

/// A minimal HTTP/1.1 request to `address` (`127.0.0.1:port`): the status
/// and the body. Plain std, so the tests need no HTTP client of their own.
fn http_request(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the sandbox");
    stream
        .set_read_timeout(Some(COMMAND_TIMEOUT))
        .expect("a read timeout");
    let body = body.unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/json\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send the request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let answer = String::from_utf8(answer).expect("a UTF-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head}"));
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "a chunked answer needs a real HTTP client: {head}"
    );
    (status, body.to_string())
}

/// `doimg` with HOME and XDG_CONFIG_HOME in `home`, no `DIGITALOCEAN_*`
/// variable, no NO_COLOR, and a time limit; nothing else set.
pub fn isolated(home: &Path) -> Command {
    let mut command = Command::new(DOIMG);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("DIGITALOCEAN_") {
            command.env_remove(&name);
        }
    }
    command
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .timeout(COMMAND_TIMEOUT);
    command
}

/// The same settings for a `std::process::Command` (for tests that need
/// to signal a running doimg).
pub fn isolated_std(home: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(DOIMG);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("DIGITALOCEAN_") {
            command.env_remove(&name);
        }
    }
    command
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home);
    command
}

/// What a finished command printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` to its end.
    pub fn of(command: &mut Command) -> Self {
        let output: Output = command.output().expect("doimg runs");
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts the exit code, showing everything printed when it differs.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit 0.
    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect_code(0)
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The lines of stderr that start with `Error:`.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("Error:"))
            .collect()
    }

    /// Asserts that stderr is exactly one error line, `Error: <message>`,
    /// and returns the message.
    #[track_caller]
    pub fn single_error(&self) -> &str {
        let lines = self.error_lines();
        assert_eq!(
            lines.len(),
            1,
            "expected one `Error:` line on stderr:\n{}",
            self.stderr
        );
        lines[0].strip_prefix("Error: ").expect("`Error: ` prefix")
    }
}

/// Runs `command` and returns what it printed.
pub fn run(command: &mut Command) -> Run {
    Run::of(command)
}

/// Compares `actual` with `tests/golden/<name>` exactly; with
/// `UPDATE_GOLDEN=1` in the environment, writes `actual` there instead.
#[track_caller]
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); create it with UPDATE_GOLDEN=1 cargo test -p do-images-cli",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "the output differs from {} (rewrite with UPDATE_GOLDEN=1 after checking)\n\
         --- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// The header cells of a text table: columns are three or more spaces
/// apart, and a header text may hold single spaces (doctl's `Min Disk`).
pub fn header_cells(table: &str) -> Vec<String> {
    let header = table.lines().next().expect("a header line");
    header
        .split("   ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .map(String::from)
        .collect()
}

/// The first column (the ids) of each row of a text table with a header.
pub fn ids_of_table(text: &str) -> Vec<u64> {
    text.lines()
        .skip(1)
        .map(|line| {
            line.split_whitespace()
                .next()
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("no id in row `{line}`"))
        })
        .collect()
}

/// A port on 127.0.0.1 that refuses connections for as long as the
/// returned socket lives: the socket is bound (so no other socket, such as
/// a sandbox started by a concurrent test, can take the port) but never
/// listens, so the kernel answers every connection attempt with a reset.
pub fn refusing_port() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind 127.0.0.1");
    let address = socket.local_addr().expect("a bound address");
    (socket, address)
}

/// An httpmock answer with `status` and a JSON content type, as the API
/// gives.
pub fn json_answer(then: Then, status: u16) -> Then {
    then.status(status)
        .header("content-type", "application/json")
}
