//! A client we did not write drives the sandbox's account transfers:
//! pydo, DigitalOcean's official Python client, starts a transfer and
//! cancels it.
//!
//! pydo comes from PyPI into `bench/.venv`, pinned in
//! `bench/requirements.txt`, exactly as `cargo xtask bench` installs it (the
//! same code, included below); the first run needs `python3` with `venv`
//! and the network to PyPI. When pydo cannot be installed the test fails:
//! skipping would hide that the sandbox was never checked against it.

#[path = "../../../xtask/src/bench_venv.rs"]
mod bench_venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use do_images_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread")]
async fn pydo_starts_and_cancels_a_transfer() {
    let python = tokio::task::spawn_blocking(|| bench_venv::ensure(&workspace_root()))
        .await
        .unwrap()
        .unwrap_or_else(|error| panic!("pydo could not be installed: {error:#}"));
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
