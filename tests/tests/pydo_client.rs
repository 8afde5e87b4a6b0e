//! A client we did not write drives the sandbox's account transfers:
//! pydo, DigitalOcean's official Python client, starts a transfer and
//! cancels it.
//!
//! pydo lives in `crates/do-images-bench/.venv`, pinned in
//! `crates/do-images-bench/requirements.txt`, exactly as `cargo xtask
//! bench` installs it (the same code, included below). So that `cargo test
//! --workspace` sends nothing off the machine, the test installs pydo from
//! PyPI only when `DO_IMAGES_PYDO=install` is set (CI sets it; it needs
//! `python3` with `venv`); without it, the test uses an installed
//! `crates/do-images-bench/.venv`, or skips with the reason on stderr.

#[path = "../../xtask/src/bench_venv.rs"]
mod bench_venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use do_images_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The variable that lets the test install pydo from PyPI.
const INSTALL_VARIABLE: &str = "DO_IMAGES_PYDO";

#[tokio::test(flavor = "multi_thread")]
async fn pydo_starts_and_cancels_a_transfer() {
    let install = match std::env::var(INSTALL_VARIABLE).as_deref() {
        Ok("install") => bench_venv::Install::Allowed,
        _ => bench_venv::Install::Refused,
    };
    let python =
        tokio::task::spawn_blocking(move || bench_venv::ensure(&workspace_root(), install))
            .await
            .unwrap();
    let python = match (python, install) {
        (Ok(python), _) => python,
        (Err(error), bench_venv::Install::Allowed) => {
            panic!("pydo could not be installed: {error:#}")
        }
        (Err(error), bench_venv::Install::Refused) => {
            eprintln!(
                "skipped: pydo is not installed ({error:#}); \
                 {INSTALL_VARIABLE}=install lets this test install it from PyPI"
            );
            return;
        }
    };
    let sandbox = Sandbox::start(SandboxConfig::default().with_images(120))
        .await
        .unwrap();
    let recipient = sandbox.accounts()[1].clone();
    let image = reqwest::Client::new()
        .get(format!(
            "{}/v2/images?private=true&per_page=200",
            sandbox.base_url()
        ))
        .bearer_auth(sandbox.token())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "snapshot")
        .expect("the primary account owns a snapshot")["id"]
        .as_u64()
        .unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pydo/account_transfer.py");
    let mut command = Command::new(python);
    command
        .arg(script)
        .arg(sandbox.base_url())
        .arg(sandbox.token())
        .arg(image.to_string())
        .arg(&recipient.email);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "pydo failed:\n{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");

    let transfer_id = result["started"]["transfer_id"].as_u64().unwrap();
    assert!(
        transfer_id > 0,
        "a transfer to an email is pending: {result}"
    );
    assert_eq!(
        result["cancelled"],
        Value::Null,
        "204 has no body: {result}"
    );
    assert_eq!(result["again"]["id"], "not_found", "{result}");

    let log: Vec<_> = sandbox
        .request_log()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.operation, r.status))
        .collect();
    assert_eq!(
        log,
        [
            (Some("image_account_transfers_create"), 201),
            (Some("image_account_transfers_cancel"), 204),
            (Some("image_account_transfers_cancel"), 404),
        ]
    );
}
