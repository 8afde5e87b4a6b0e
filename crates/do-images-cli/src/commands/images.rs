//! `doimg images ...`

use std::io::{IsTerminal, Write};

use futures::StreamExt;

use do_images::{Image, ImageListType, ImageRef};

use crate::app::App;
use crate::cli::{
    CreateImageArgs, DeleteImagesArgs, GetImageArgs, ImageKind, ImagesCommand, ListImagesArgs,
    OutputFormat, UpdateImageArgs,
};
use crate::error::CliError;
use crate::output::{OutputOptions, Raw, Shown};
use crate::validate;
use crate::progress::{WaitSettings, run_wait};

/// Runs one `images` subcommand.
pub async fn run(
    command: ImagesCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: std::time::Duration,
) -> Result<(), CliError> {
    output.check::<Image>()?;
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
    poll_interval: std::time::Duration,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        ImagesCommand::List(args) => list::<S>(app, output, &mut out, args).await,
        ImagesCommand::ListDistribution(args) => {
            let args = args.listing(Some(ImageKind::Distribution), false);
            list::<S>(app, output, &mut out, args).await
        }
        ImagesCommand::ListApplication(args) => {
            let args = args.listing(Some(ImageKind::Application), false);
            list::<S>(app, output, &mut out, args).await
        }
        ImagesCommand::ListUser(args) => {
            list::<S>(app, output, &mut out, args.listing(None, true)).await
        }
        ImagesCommand::Get(args) => get::<S>(app, output, &mut out, args).await,
        ImagesCommand::Create(args) => {
            create::<S>(app, output, &mut out, args, poll_interval).await
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
    }
}

async fn list<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: ListImagesArgs,
) -> Result<(), CliError> {
    if args.public && args.private {
        return Err(CliError::Usage(
            "--public lists public images and yours; list-user lists only yours \
             (leave out --public, or use `images list`)"
                .into(),
        ));
    }
    let hint = empty_listing_hint(&args);
    let mut list = app.client.images().list();
    if let Some(kind) = args.kind {
        list = list.kind(match kind {
            ImageKind::Distribution => ImageListType::Distribution,
            ImageKind::Application => ImageListType::Application,
        });
    }
    if args.private {
        list = list.private(true);
    }
    if let Some(tag) = args.tag {
        validate::non_empty("--tag", &tag).map_err(CliError::Usage)?;
        list = list.tag(tag);
    }
    let mut take = usize::MAX;
    if let Some(limit) = args.limit {
        // Ask for no more than needed: pages of at most `limit` items, and
        // none fetched ahead (a page fetched ahead is sent even when the
        // limit is reached before it is shown; with fetch-ahead, `--limit 3`
        // cost four requests). Dropping the stream at the limit then
        // cancels nothing that was sent.
        list = list.per_page(limit.min(200)).fetch_ahead(0);
        take = usize::try_from(limit).unwrap_or(usize::MAX);
    }
    let mut shown = 0_u64;
    let items = list.stream_as::<S>().take(take).inspect(|item| {
        if item.is_ok() {
            shown += 1;
        }
    });
    S::print_list(output, out, items).await?;
    if shown == 0 {
        crate::output::stderr::note(&hint);
    }
    Ok(())
}

/// What an empty listing prints on stderr: how to see the images the
/// filters left out.
fn empty_listing_hint(args: &ListImagesArgs) -> String {
    let mut filters = Vec::new();
    if args.private {
        filters.push("--private".to_string());
    }
    if let Some(kind) = args.kind {
        let kind = match kind {
            ImageKind::Distribution => "distribution",
            ImageKind::Application => "application",
        };
        filters.push(format!("--type {kind}"));
    }
    if let Some(tag) = &args.tag {
        filters.push(format!("--tag {tag}"));
    }
    if filters.is_empty() {
        return "no images: the API lists none for this token, not even public ones".into();
    }
    format!(
        "no images match {}; `doimg images list` without filters lists public images and yours",
        filters.join(" ")
    )
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

async fn create<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: CreateImageArgs,
    poll_interval: std::time::Duration,
) -> Result<(), CliError> {
    if args.url.is_none() {
        return super::images_file::create::<S>(app, output, out, args, poll_interval).await;
    }
    if let Some(flag) = args.file_import.first_given() {
        return Err(CliError::Usage(format!(
            "{flag} goes with --file, not --url"
        )));
    }
    let url = args.url.clone().unwrap_or_default();
    validate::non_empty("--name", args.image_name()).map_err(CliError::Usage)?;
    validate::import_url(&url).map_err(CliError::Usage)?;
    if let Some(warning) = validate::region(&args.region).map_err(CliError::Usage)? {
        crate::output::stderr::warning(&warning);
    }
    for tag in &args.tags {
        validate::non_empty("--tag", tag).map_err(CliError::Usage)?;
    }
    let mut request =
        app.client
            .images()
            .create_custom(args.image_name(), url, args.region.as_str());
    if let Some(distribution) = args.distribution {
        request = request.distribution(distribution.as_str());
    }
    if let Some(description) = args.description {
        request = request.description(description);
    }
    if !args.tags.is_empty() {
        request = request.tags(args.tags);
    }
    let created = request.send_as::<S>().await?;
    if !args.wait.wait {
        return created.print(output, out);
    }
    let id = created.id();
    eprintln!("Import started: image {id}.");
    let settings = WaitSettings {
        timeout: args.wait.timeout,
        poll_interval,
    };
    let image: S = wait_available(app, id, settings).await?;
    image.print(output, out)
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
        && !confirm(&format!(
            "Delete {} image(s): {list}? [y/N] ",
            args.ids.len()
        ))?
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
    for id in &args.ids {
        match app.client.images().delete(*id).send().await {
            Ok(()) => eprintln!("Deleted image {id}."),
            Err(error) => {
                let error = CliError::from(error);
                crate::output::stderr::error(&format!("image {id}: {}", error.message()));
                failures.push(error);
            }
        }
    }
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(CliError::Several {
            message: format!("{} of {} deletions failed", failures.len(), args.ids.len()),
            exit_code: first.exit_code(),
        }),
    }
}

/// Asks on the terminal; refuses when stdin is not one.
fn confirm(question: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "refusing to delete without confirmation: stdin is not a terminal; pass --force to delete anyway".into(),
        ));
    }
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

/// Waits until image `id` is available; returns it as the output shows it.
async fn wait_available<S: Shown<Image>>(
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
