//! `cargo xtask spec update --from DIR|FILE [--report FILE] [--commit SHA]
//! [--date DATE]`: vendor upstream anew, rebuild the spec, regenerate, and
//! report the drift.
//!
//! Everything is computed and checked in memory first; the tree is written
//! only when all of it succeeded, the new `spec/upstream/` staged beside
//! the old one and swapped in at the end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::build::{self, Built, OVERLAY_PATH, UPSTREAM_DIR};
use super::report;
use super::source::Source;
use super::vendor;
use crate::SPEC_PATH;
use crate::generate::{self, GeneratedFile};

/// Where the report goes unless `--report` says otherwise.
pub const DEFAULT_REPORT: &str = "target/spec-update/drift-report.md";

/// The root document inside a checkout of digitalocean/openapi.
pub const CHECKOUT_ENTRY: &str = "specification/DigitalOcean-public.v2.yaml";

const USAGE: &str =
    "usage: cargo xtask spec update --from DIR|FILE [--report FILE] [--commit SHA] [--date DATE]";

/// The command's options.
pub struct Options {
    /// A checkout of digitalocean/openapi, or one bundled document.
    pub from: PathBuf,
    /// Where to write the report.
    pub report: PathBuf,
    /// The upstream commit, when `from` is not a git checkout.
    pub commit: Option<String>,
    /// The commit's date, likewise.
    pub date: Option<String>,
}

impl Options {
    /// Reads the options from the arguments after `spec update`.
    pub fn parse(root: &Path, args: &[String]) -> Result<Self> {
        let mut from = None;
        let mut report = root.join(DEFAULT_REPORT);
        let (mut commit, mut date) = (None, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .cloned()
                    .with_context(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--from" => from = Some(PathBuf::from(value()?)),
                "--report" => report = PathBuf::from(value()?),
                "--commit" => commit = Some(value()?),
                "--date" => date = Some(value()?),
                other => bail!("unknown argument `{other}`\n{USAGE}"),
            }
        }
        Ok(Self {
            from: from.with_context(|| format!("--from is required\n{USAGE}"))?,
            report,
            commit,
            date,
        })
    }
}

/// What an update would write, computed without touching the tree.
pub struct Plan {
    src_root: PathBuf,
    built: Built,
    source: Source,
    generated: Vec<GeneratedFile>,
    /// Whether upstream's files are byte for byte the vendored ones (then
    /// `spec/upstream/`, SOURCE included, stays as it is).
    unchanged: bool,
    /// The drift report, Markdown.
    pub report: String,
}

/// Runs the command.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let options = Options::parse(root, args)?;
    let plan = plan(root, &options)?;
    apply(root, &plan)?;
    print!("{}", plan.report);
    if let Some(dir) = options.report.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&options.report, &plan.report)
        .with_context(|| format!("cannot write {}", options.report.display()))?;
    eprintln!("report written to {}", options.report.display());
    Ok(())
}

/// Computes and checks everything an update writes.
pub fn plan(root: &Path, options: &Options) -> Result<Plan> {
    let from = &options.from;
    let (src_root, entry) = if from.is_dir() {
        if !from.join(CHECKOUT_ENTRY).is_file() {
            bail!(
                "{} is not a checkout of digitalocean/openapi: it has no {CHECKOUT_ENTRY}",
                from.display()
            );
        }
        (from.clone(), PathBuf::from(CHECKOUT_ENTRY))
    } else if from.is_file() {
        let name = from.file_name().context("--from names no file")?;
        (
            from.parent().unwrap_or(Path::new(".")).to_path_buf(),
            PathBuf::from(name),
        )
    } else {
        bail!("--from {}: no such file or directory", from.display());
    };
    let old = build::build_in(root).context("the vendored upstream and overlay do not build")?;
    let old_source = Source::read(&root.join(UPSTREAM_DIR))?;
    // Only a checkout's own history: a single file may sit in any repository.
    let (git_commit, git_date) = if from.is_dir() && from.join(".git").exists() {
        git_head(&src_root)
    } else {
        (None, None)
    };
    let source = Source {
        commit: options
            .commit
            .clone()
            .or(git_commit)
            .unwrap_or_else(|| "unknown".into()),
        date: options
            .date
            .clone()
            .or(git_date)
            .unwrap_or_else(|| "unknown".into()),
        entry: entry.clone(),
    };
    let upstream = super::bundle::bundle(&src_root, &entry).context("cannot apply the update")?;
    check_depended_on(root, &old, &upstream.document)?;
    let overlay = std::fs::read_to_string(root.join(OVERLAY_PATH))?;
    let built = build::build(&src_root, &entry, &overlay).context("cannot apply the update")?;
    let generated = generate::generate(&built.text)
        .context("cannot apply the update: the built spec does not generate")?;
    let unchanged = same_files(&root.join(UPSTREAM_DIR), &old, &src_root, &built);
    let report = report::render(&old_source, &old, &source, &built, unchanged);
    Ok(Plan {
        src_root,
        built,
        source,
        generated,
        unchanged,
        report,
    })
}

/// Fails when an operation the hand-written crates call is gone from
/// upstream (compared by method and path: the overlay renames ids).
fn check_depended_on(root: &Path, old: &Built, upstream: &serde_json::Value) -> Result<()> {
    let used = super::depended::operations(root, &old.document)?;
    let now = super::model::read(upstream);
    let gone: Vec<String> = used
        .iter()
        .filter(|(key, _)| !now.operations.contains_key(key))
        .map(|(key, id)| format!("`{id}` ({key})"))
        .collect();
    if !gone.is_empty() {
        bail!(
            "cannot apply the update: upstream removed {}, which the hand-written crates call; \
             remove those calls first, or keep the operation with an overlay action",
            gone.join(", ")
        );
    }
    Ok(())
}

/// Whether `new` read the same files as `old`, with the same bytes.
fn same_files(old_root: &Path, old: &Built, new_root: &Path, new: &Built) -> bool {
    old.files == new.files
        && new.files.iter().all(|file| {
            let read = |root: &Path| std::fs::read(root.join(file)).ok();
            read(old_root).is_some_and(|bytes| Some(bytes) == read(new_root))
        })
}

/// Writes the plan: the new upstream copy swapped in, then the spec and the
/// generated files.
pub fn apply(root: &Path, plan: &Plan) -> Result<()> {
    if !plan.unchanged {
        swap_upstream(root, plan)?;
    }
    std::fs::write(root.join(SPEC_PATH), &plan.built.text)?;
    for file in &plan.generated {
        std::fs::write(root.join(file.path), &file.contents)?;
    }
    Ok(())
}

/// Stages the new copy of upstream beside the old one and swaps it in.
fn swap_upstream(root: &Path, plan: &Plan) -> Result<()> {
    let upstream = root.join(UPSTREAM_DIR);
    let staging = root.join("spec/.upstream.staging");
    let retired = root.join("spec/.upstream.old");
    for dir in [&staging, &retired] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
    }
    std::fs::create_dir_all(&staging)?;
    vendor::write(
        &plan.src_root,
        &plan.built.files,
        &plan.source,
        &upstream,
        &staging,
    )?;
    std::fs::rename(&upstream, &retired).context("cannot move the old spec/upstream aside")?;
    std::fs::rename(&staging, &upstream).context("cannot move the new spec/upstream in")?;
    std::fs::remove_dir_all(&retired)?;
    Ok(())
}

/// The commit and commit date of the git checkout `dir`.
fn git_head(dir: &Path) -> (Option<String>, Option<String>) {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "-1", "--format=%H %cI"])
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text.split_whitespace().map(str::to_string);
            (parts.next(), parts.next())
        }
        _ => (None, None),
    }
}
