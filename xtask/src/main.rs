//! Project tasks, run as `cargo xtask <task>`.
//!
//! - `generate`: build `spec/images.yaml` from `spec/upstream/` and
//!   `spec/overlay.yaml` (see `spec/`), then regenerate `crates/do-images-api/src/{generated,open_enums}.rs`,
//!   `crates/do-images-api-mock/src/generated.rs` and
//!   `crates/do-images-sandbox/src/spec_values.rs` from `spec/images.yaml`.
//! - `check`: fail, with a diff, when those files differ from what the spec
//!   generates, or when the spec does not validate.
//! - `spec update --from DIR|FILE`: vendor DigitalOcean's spec anew,
//!   rebuild, regenerate and report the drift (see `spec/update.rs`).
//! - `bench`: do-images, `doimg` and pydo side by side against the sandbox;
//!   writes crates/do-images-bench/RESULTS.md.

mod bench;
mod bench_venv;
mod check;
mod generate;
mod generic_items;
mod model_derives;
mod open_enums;
mod operation_impls;
mod path_segments;
mod progenitor_fixes;
mod spec;
#[cfg(test)]
mod test_support;

// The spec crate's sources, compiled into xtask rather than depended on:
// cargo packages a workspace only against crates it would publish, and
// do-images-spec is never published, so a normal dependency on it would
// stop `cargo package --workspace`. Its items that only other crates use
// are neither dead code nor unused re-exports.
#[allow(dead_code, unused_imports)]
#[path = "../../crates/do-images-spec/src/lib.rs"]
mod do_images_spec;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/images.yaml";

const USAGE: &str = "usage: cargo xtask <generate|check|spec update|bench>

  generate   build spec/images.yaml from spec/upstream/ and spec/overlay.yaml, and write
             crates/do-images-api/src/{generated,open_enums}.rs,
             crates/do-images-api-mock/src/generated.rs and
             crates/do-images-sandbox/src/spec_values.rs from it
  check      exit non-zero, with a diff, if those files are stale or edited by hand,
             or if the spec does not validate
  spec update --from DIR|FILE [--report FILE] [--commit SHA] [--date DATE]
             vendor DigitalOcean's spec anew (a checkout of digitalocean/openapi, or one
             bundled document), rebuild and regenerate everything, and write a drift
             report (default target/spec-update/drift-report.md)
  bench      time do-images, doimg and pydo listing 10,000 and 100,000 images from the
             sandbox, and the waiter; write crates/do-images-bench/RESULTS.md (--quick: a smoke run;
             --cli-cpu [--doimg-baseline PATH]: doimg's CPU for 10,000 images beside
             curl's; --rounds N; --help for the rest)";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let root = workspace_root();
    let outcome = match task.as_deref() {
        Some("generate") => generate::write_all(&root),
        Some("check") => check::run(&root),
        Some("spec") if std::env::args().nth(2).as_deref() == Some("update") => {
            spec::update::run(&root, &std::env::args().skip(3).collect::<Vec<_>>())
        }
        Some("bench") => bench::run(&root, &std::env::args_os().skip(2).collect::<Vec<_>>()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
