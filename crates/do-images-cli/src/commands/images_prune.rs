//! `doimg images prune`: delete your own old images by a retention policy,
//! after showing the plan.

use std::time::Duration;

use clap::{ArgGroup, Args, ValueEnum};
use do_images::retention::{PrunableType, Prune, PruneReport, PruneResult};

use super::images::{confirm, require_terminal};
use crate::app::App;
use crate::args::parse_duration;
use crate::error::CliError;
use crate::exit_code;
use crate::output::OutputOptions;
use crate::output::escape::for_terminal;
use crate::output::prune_plan::{PlannedRow, write_plan};
use crate::progress::PruneDisplay;

/// The long help of `images prune`: what it never does.
pub const PRUNE_ABOUT: &str = "\
Delete your own old images by a retention policy, after showing the plan.

Safety rules:
  - only your own images are listed; public images are never selected
  - a filter is required (--name-prefix, --name-regex, --tag; every one
    given must match), and only snapshots and custom images are considered:
    backups belong to a Droplet's backup schedule
  - a filter that selects every image is refused unless --select-all is
    given: an empty prefix or a regex that matches the empty string before
    anything is sent (exit 2), filters that turn out to select every image
    listed after the listing (exit 1, nothing deleted); the plan says how
    many of how many images it selects
  - a retention rule is required: --keep N keeps the N newest available
    images, --older-than AGE deletes only older ones; with both, an image
    is deleted only when both allow it
  - imports still running (NEW, pending) are never deleted and do not
    count as kept; failed imports are deleted (past --older-than, if given)
  - just before deleting, the whole policy is applied again to a fresh
    listing: an image goes only when both plans delete it, --keep counts
    what exists then, and an image that changed is skipped, saying what
  - the plan is printed first; --dry-run stops there. Without --force it
    asks on a terminal, and refuses (before sending anything) without one

Exit status: 0 when every planned deletion left its image gone (or after
--dry-run, or with nothing to delete); 1 when one failed or was skipped
(each is listed); 2 for bad flags, with nothing sent.";

/// `doimg images prune`
#[derive(Debug, Args)]
#[command(group = ArgGroup::new("filter").required(true).multiple(true).args(["name_prefix", "name_regex", "tag", "select_all"]))]
#[command(group = ArgGroup::new("retention").required(true).multiple(true).args(["keep", "older_than"]))]
pub struct PruneImagesArgs {
    /// Only images whose name starts with this, e.g. web-.
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Only images whose name matches this regular expression (unanchored
    /// unless it says ^ or $), e.g. ^web-[0-9]+$.
    #[arg(long, value_name = "REGEX")]
    pub name_regex: Option<String>,
    /// Only images that carry this tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Allow filters that select every one of your snapshots and custom
    /// images (or no filter at all); without it such a prune is refused.
    #[arg(long)]
    pub select_all: bool,
    /// Only images of this type: repeat the flag or give a comma list
    /// [default: snapshot,custom].
    #[arg(long = "type", value_enum, value_name = "TYPE", value_delimiter = ',')]
    pub types: Vec<PruneType>,
    /// Keep the N newest available images (N at least 1).
    #[arg(long, value_name = "N", value_parser = parse_keep)]
    pub keep: Option<usize>,
    /// Delete only images older than AGE, e.g. 90m, 12h, 30d, 2w, 1h30m.
    #[arg(long, value_name = "AGE", value_parser = parse_duration)]
    pub older_than: Option<Duration>,
    /// Print the plan and delete nothing.
    #[arg(long, conflicts_with = "force")]
    pub dry_run: bool,
    /// Delete without asking.
    #[arg(short, long)]
    pub force: bool,
}

/// The image types a prune takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PruneType {
    /// Snapshots of Droplets or volumes.
    Snapshot,
    /// Imported custom images.
    Custom,
}

impl From<PruneType> for PrunableType {
    fn from(kind: PruneType) -> Self {
        match kind {
            PruneType::Snapshot => Self::Snapshot,
            PruneType::Custom => Self::Custom,
        }
    }
}

/// `--keep`: a count of at least 1.
fn parse_keep(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err(
            "--keep 0 would keep nothing; give at least 1 (to delete by age alone, leave out --keep and give --older-than)"
                .into(),
        ),
        Ok(count) => Ok(count),
        Err(_) => Err(format!(
            "`{text}` is not a count; give a whole number of at least 1, e.g. 5"
        )),
    }
}

impl PruneImagesArgs {
    /// The library's prune for these flags, reporting to `display`.
    fn prune(&self, app: &App, display: &PruneDisplay) -> Prune {
        let mut prune = app.client.images().prune();
        if let Some(prefix) = &self.name_prefix {
            prune = prune.name_prefix(prefix.as_str());
        }
        if let Some(pattern) = &self.name_regex {
            prune = prune.name_regex(pattern.as_str());
        }
        if let Some(tag) = &self.tag {
            prune = prune.tag(tag.as_str());
        }
        prune = prune.select_all(self.select_all);
        if !self.types.is_empty() {
            prune = prune.types(self.types.iter().copied().map(PrunableType::from));
        }
        if let Some(keep) = self.keep {
            prune = prune.keep_newest(keep);
        }
        if let Some(age) = self.older_than {
            prune = prune.older_than(age);
        }
        let shown = display.clone();
        prune.on_progress(move |progress| shown.show(progress))
    }
}

/// Plans the prune, prints the plan, and unless `--dry-run` deletes what it
/// marks `delete` (asking first without `--force`).
pub async fn prune(
    app: &App,
    output: &OutputOptions,
    args: PruneImagesArgs,
) -> Result<(), CliError> {
    output.check::<PlannedRow>()?;
    let display = PruneDisplay::new();
    let prune = args.prune(app, &display);
    prune
        .check()
        .map_err(|error| CliError::Usage(in_flags(&CliError::from(error).message())))?;
    if !args.force && !args.dry_run {
        require_terminal(app.may_ask)?;
    }
    let plan = prune.plan().await.map_err(|error| match error {
        // A listing was sent, nothing was changed: not a usage error.
        do_images::Error::SelectsEverything { .. } => CliError::Several {
            message: in_flags(&error.to_string()),
            exit_code: exit_code::API_ERROR,
        },
        error => error.into(),
    })?;
    write_plan(output, &mut std::io::stdout().lock(), &plan)?;
    let deletions = plan.deletions().count();
    let kept = plan.images().len() - deletions;
    eprintln!(
        "Selected {} of the {} images considered (your own, of the types given).",
        plan.images().len(),
        plan.considered()
    );
    if args.dry_run {
        eprintln!(
            "Dry run: {deletions} image(s) would be deleted, {kept} kept; nothing was deleted."
        );
        return Ok(());
    }
    if deletions == 0 {
        eprintln!("Nothing to delete ({kept} image(s) kept).");
        return Ok(());
    }
    if !args.force
        && !confirm(
            app.may_ask,
            &format!("Delete the {deletions} image(s) the plan marks delete? [y/N] "),
        )?
    {
        return Ok(());
    }
    display.start(deletions);
    let report = plan.send().await;
    display.clear();
    report_results(report?)
}

/// The library's words for the option that allows a filter selecting
/// every image, as the flag that says it.
fn in_flags(message: &str) -> String {
    message.replace("the explicit select-all option", "--select-all")
}

/// Prints what happened to each planned deletion; an error unless every
/// image is gone.
fn report_results(report: PruneReport) -> Result<(), CliError> {
    let total = report.images.len();
    let (mut failed, mut skipped) = (0, 0);
    for settled in report.images {
        let id = settled.image.id;
        let name = for_terminal(&settled.image.name).into_owned();
        match settled.result {
            PruneResult::Deleted => eprintln!("Deleted image {id} ({name})."),
            PruneResult::AlreadyGone => eprintln!("Image {id} ({name}) was already gone."),
            PruneResult::Skipped { reason } => {
                skipped += 1;
                crate::output::stderr::warning(&format!("skipped image {id} ({name}): {reason}"));
            }
            PruneResult::Failed(error) => {
                failed += 1;
                let message = CliError::from(error).message();
                crate::output::stderr::error(&format!("image {id} ({name}): {message}"));
            }
            // A result this version does not know: not known to be gone.
            _ => failed += 1,
        }
    }
    if failed + skipped == 0 {
        return Ok(());
    }
    Err(CliError::Several {
        message: format!(
            "{} of {total} planned deletions did not leave the image gone ({failed} failed, {skipped} skipped)",
            failed + skipped
        ),
        exit_code: exit_code::API_ERROR,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_is_at_least_one() {
        assert_eq!(parse_keep("3").unwrap(), 3);
        assert!(parse_keep("0").unwrap_err().contains("at least 1"));
        assert!(parse_keep("-1").unwrap_err().contains("`-1`"));
        assert!(parse_keep("two").unwrap_err().contains("at least 1"));
    }
}
