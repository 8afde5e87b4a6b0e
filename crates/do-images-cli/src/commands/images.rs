//! `doimg images ...`

use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::{Args, Subcommand};

use do_images::{Image, ImageRef};

use super::examples;
use super::images_create::{self, CreateImageArgs};
use super::images_distribute::{self, DistributeImageArgs};
use super::images_list::{self, ImageKind, LIST_DEFAULT, ListFilterArgs, ListImagesArgs};
use super::images_prune::{self, PRUNE_ABOUT, PruneImagesArgs};
use crate::app::App;
use crate::args::{OutputFormat, parse_duration, positive_id};
use crate::error::CliError;
use crate::exit_code;
use crate::output::{OutputOptions, Raw, Shown};
use crate::progress::{WaitSettings, run_wait};
use crate::validate;

/// `doimg images ...`
#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// List images (all pages): public ones and yours, as the API lists
    /// them; --private (or list-user) for only yours, doctl's default.
    #[command(visible_alias = "ls", long_about = LIST_DEFAULT, after_help = examples::IMAGES_LIST)]
    List(ListImagesArgs),
    /// List public distribution images (`list --type distribution`).
    #[command(after_help = examples::IMAGES_LIST_DISTRIBUTION)]
    ListDistribution(ListFilterArgs),
    /// List 1-Click application images (`list --type application`).
    #[command(after_help = examples::IMAGES_LIST_APPLICATION)]
    ListApplication(ListFilterArgs),
    /// List your own images (`list`, `list --private`).
    #[command(after_help = examples::IMAGES_LIST_USER)]
    ListUser(ListFilterArgs),
    /// Show one image by id or slug, or every image with a name.
    #[command(after_help = examples::IMAGES_GET)]
    Get(GetImageArgs),
    /// Import a custom image from a URL, or from a local file (--file).
    #[command(after_help = examples::IMAGES_CREATE)]
    Create(CreateImageArgs),
    /// Change an image's name, description or distribution.
    #[command(after_help = examples::IMAGES_UPDATE)]
    Update(UpdateImageArgs),
    /// Delete images (asks first on a terminal).
    #[command(visible_alias = "rm", after_help = examples::IMAGES_DELETE)]
    Delete(DeleteImagesArgs),
    /// Wait until an image is available.
    #[command(after_help = examples::IMAGES_WAIT)]
    Wait(WaitImageArgs),
    /// Delete your own old images by a name or tag filter and a retention
    /// rule (--keep N, --older-than AGE), after showing the plan.
    #[command(long_about = PRUNE_ABOUT, after_help = examples::IMAGES_PRUNE)]
    Prune(PruneImagesArgs),
    /// Copy an image to several regions, one transfer after another, and
    /// wait for each.
    ///
    /// Regions that hold the image are skipped, and a transfer still
    /// running is waited for instead of started again: running the command
    /// again finishes an interrupted run without repeating work. Exit
    /// status: 1 when a region failed (each is listed), 5 when a transfer
    /// timed out.
    #[command(after_help = examples::IMAGES_DISTRIBUTE)]
    Distribute(DistributeImageArgs),
}

/// Runs one `images` subcommand.
pub async fn run(
    command: ImagesCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: Duration,
) -> Result<(), CliError> {
    // A prune prints its plan, not images: it checks its own columns.
    if !matches!(command, ImagesCommand::Prune(_)) {
        output.check::<Image>()?;
    }
    match output.format {
        OutputFormat::Text => run_as::<Image>(command, app, output, poll_interval).await,
        OutputFormat::Json => run_as::<Raw>(command, app, output, poll_interval).await,
    }
}

/// Runs the subcommand, fetching each image as `S`: what the output shows.
async fn run_as<S: Shown<Image>>(
    command: ImagesCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: Duration,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        ImagesCommand::List(args) => images_list::list::<S>(app, output, &mut out, args).await,
        ImagesCommand::ListDistribution(args) => {
            let args = args.listing(Some(ImageKind::Distribution), false);
            images_list::list::<S>(app, output, &mut out, args).await
        }
        ImagesCommand::ListApplication(args) => {
            let args = args.listing(Some(ImageKind::Application), false);
            images_list::list::<S>(app, output, &mut out, args).await
        }
        ImagesCommand::ListUser(args) => {
            images_list::list::<S>(app, output, &mut out, args.listing(None, true)).await
        }
        ImagesCommand::Get(args) => get::<S>(app, output, &mut out, args).await,
        ImagesCommand::Create(args) => {
            images_create::create::<S>(app, output, &mut out, args, poll_interval).await
        }
        ImagesCommand::Update(args) => update::<S>(app, output, &mut out, args).await,
        ImagesCommand::Delete(args) => delete(app, args).await,
        ImagesCommand::Wait(args) => {
            let settings = WaitSettings {
                timeout: args.timeout,
                poll_interval,
            };
            let image: S = wait_available(app, args.id, settings).await?;
            image.print(output, &mut out)
        }
        ImagesCommand::Distribute(args) => {
            images_distribute::distribute::<S>(app, output, &mut out, args, poll_interval).await
        }
        ImagesCommand::Prune(args) => images_prune::prune(app, output, args).await,
    }
}

/// `doimg images get`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["image", "name"]))]
pub struct GetImageArgs {
    /// Image id or slug.
    #[arg(value_name = "ID|SLUG")]
    pub image: Option<String>,
    /// Every image with this exact name (private images have no slug).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

async fn get<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: GetImageArgs,
) -> Result<(), CliError> {
    if let Some(name) = args.name {
        validate::non_empty("--name", &name).map_err(CliError::Usage)?;
        let find = app.client.images().find_by_name(name.as_str());
        let none = || {
            CliError::NotFound(format!(
                "no image is named `{name}` (names are matched exactly, among your private images)"
            ))
        };
        let matches = find.send_as::<S>().await?;
        if matches.is_empty() {
            return Err(none());
        }
        S::print_list(output, out, iter_ok(matches)).await?;
        return Ok(());
    }
    let reference = args.image.unwrap_or_default();
    let reference: ImageRef = reference
        .parse()
        .map_err(|e| CliError::Usage(format!("{e}")))?;
    let image = app.client.images().get(reference).send_as::<S>();
    image.await?.print(output, out)
}

/// A stream of items already fetched.
fn iter_ok<T>(items: Vec<T>) -> impl futures::Stream<Item = Result<T, do_images::Error>> {
    futures::stream::iter(items.into_iter().map(Ok))
}

/// `doimg images update`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("change").required(true).multiple(true).args(["name", "description", "distribution"]))]
pub struct UpdateImageArgs {
    /// Image id.
    #[arg(value_name = "ID", value_parser = positive_id())]
    pub id: u64,
    /// New name.
    #[arg(long, alias = "image-name")]
    pub name: Option<String>,
    /// New description (custom images only).
    #[arg(long, alias = "image-description")]
    pub description: Option<String>,
    /// New distribution (custom images only).
    #[arg(long, alias = "image-distribution")]
    pub distribution: Option<String>,
}

async fn update<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: UpdateImageArgs,
) -> Result<(), CliError> {
    let mut request = app.client.images().update(args.id);
    if let Some(name) = args.name {
        validate::non_empty("--name", &name).map_err(CliError::Usage)?;
        request = request.name(name);
    }
    if let Some(description) = args.description {
        request = request.description(description);
    }
    if let Some(distribution) = args.distribution {
        request = request.distribution(distribution.as_str());
    }
    request.send_as::<S>().await?.print(output, out)
}

/// `doimg images delete`
#[derive(Debug, Args)]
pub struct DeleteImagesArgs {
    /// Image ids.
    #[arg(value_name = "ID", required = true, value_parser = positive_id())]
    pub ids: Vec<u64>,
    /// Delete without asking.
    #[arg(short, long)]
    pub force: bool,
}

async fn delete(app: &App, args: DeleteImagesArgs) -> Result<(), CliError> {
    if let Some(id) = args
        .ids
        .iter()
        .enumerate()
        .find_map(|(at, id)| args.ids[..at].contains(id).then_some(id))
    {
        return Err(CliError::Usage(format!(
            "image {id} is named twice; name each image once"
        )));
    }
    let list = args
        .ids
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if !args.force
        && !confirm(
            app.may_ask,
            &format!("Delete {} image(s): {list}? [y/N] ", args.ids.len()),
        )?
    {
        return Ok(());
    }
    // One image: its failure is the command's error, printed once by main.
    if let [id] = args.ids[..] {
        app.client.images().delete(id).send().await?;
        eprintln!("Deleted image {id}.");
        return Ok(());
    }
    // Several: go on after a failure, report each failure on its own line,
    // and end with a count (exit code of the first failure).
    let mut failures = Vec::new();
    // Whether a deletion was sent: one that succeeded, or failed other
    // than as a usage error (those are found before sending).
    let mut sent = false;
    for id in &args.ids {
        match app.client.images().delete(*id).send().await {
            Ok(()) => {
                sent = true;
                eprintln!("Deleted image {id}.");
            }
            Err(error) => {
                let error = CliError::from(error);
                sent |= error.exit_code() != exit_code::USAGE;
                crate::output::stderr::error(&format!("image {id}: {}", error.message()));
                failures.push(error);
            }
        }
    }
    let Some(first) = failures.first() else {
        return Ok(());
    };
    let error = CliError::Several {
        message: format!("{} of {} deletions failed", failures.len(), args.ids.len()),
        exit_code: first.exit_code(),
    };
    Err(if sent { error.after_changes() } else { error })
}

/// Refuses when no one can confirm a deletion: stdin is not a terminal, or
/// `--interactive=false` (`may_ask` false); called before anything is sent.
pub fn require_terminal(may_ask: bool) -> Result<(), CliError> {
    let why = if !may_ask {
        "--interactive=false asks no question"
    } else if std::io::stdin().is_terminal() {
        return Ok(());
    } else {
        "stdin is not a terminal"
    };
    Err(CliError::Usage(format!(
        "refusing to delete without confirmation: {why}; pass --force to delete anyway"
    )))
}

/// Asks on the terminal (`question` ends in `[y/N] `); refuses when stdin
/// is not one, or with `--interactive=false` (`may_ask` false).
pub fn confirm(may_ask: bool, question: &str) -> Result<bool, CliError> {
    require_terminal(may_ask)?;
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !yes {
        eprintln!("Nothing deleted.");
    }
    Ok(yes)
}

/// `doimg images wait`
#[derive(Debug, Args)]
pub struct WaitImageArgs {
    /// Image id.
    #[arg(value_name = "ID", value_parser = positive_id())]
    pub id: u64,
    /// Give up after this long, e.g. 90s, 15m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m")]
    pub timeout: Duration,
}

/// Waits until image `id` is available; returns it as the output shows it.
pub async fn wait_available<S: Shown<Image>>(
    app: &App,
    id: u64,
    settings: WaitSettings,
) -> Result<S, CliError> {
    let images = app.client.images();
    run_wait(&format!("image {id}"), settings, |options| {
        images.wait_until_available(id, options).send_as()
    })
    .await
}
