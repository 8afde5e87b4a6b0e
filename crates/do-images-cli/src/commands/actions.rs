//! `doimg actions ...`

use std::io::Write;
use std::time::Duration;

use do_images::{Action, PostAction};

use crate::app::App;
use crate::cli::{ActionsCommand, OutputFormat, WaitFlags};
use crate::error::CliError;
use crate::output::{OutputOptions, Raw, Shown};
use crate::validate;
use crate::progress::{WaitSettings, run_wait};

/// Runs one `actions` subcommand.
pub async fn run(
    command: ActionsCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: Duration,
) -> Result<(), CliError> {
    output.check::<Action>()?;
    match output.format {
        OutputFormat::Text => run_as::<Action>(command, app, output, poll_interval).await,
        OutputFormat::Json => run_as::<Raw>(command, app, output, poll_interval).await,
    }
}

/// Runs the subcommand, fetching each action as `S`: what the output
/// shows.
async fn run_as<S: Shown<Action>>(
    command: ActionsCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: Duration,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        ActionsCommand::List { image_id } => {
            let list = app.client.actions(image_id).list();
            S::print_list(output, &mut out, list.stream_as::<S>()).await?;
            Ok(())
        }
        ActionsCommand::Get {
            image_id,
            action_id,
            action_id_flag,
        } => {
            // clap takes exactly one of the two.
            let action_id = action_id.or(action_id_flag).unwrap_or_default();
            let request = app.client.actions(image_id).get(action_id);
            request.send_as::<S>().await?.print(output, &mut out)
        }
        ActionsCommand::Transfer {
            image_id,
            region,
            wait,
        } => {
            if let Some(warning) = validate::region(&region).map_err(CliError::Usage)? {
                crate::output::stderr::warning(&warning);
            }
            let request = app.client.actions(image_id).transfer(region.as_str());
            finish::<S>(
                app,
                output,
                &mut out,
                image_id,
                request,
                &wait,
                poll_interval,
            )
            .await
        }
        ActionsCommand::Convert { image_id, wait } => {
            let request = app.client.actions(image_id).convert();
            finish::<S>(
                app,
                output,
                &mut out,
                image_id,
                request,
                &wait,
                poll_interval,
            )
            .await
        }
        ActionsCommand::Wait {
            image_id,
            action_id,
            timeout,
        } => {
            let action: S = wait_done(
                app,
                image_id,
                action_id,
                WaitSettings {
                    timeout,
                    poll_interval,
                },
            )
            .await?;
            action.print(output, &mut out)
        }
    }
}

/// Sends a transfer or a convert, and waits for it when asked to.
async fn finish<S: Shown<Action>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    image_id: u64,
    request: PostAction,
    wait: &WaitFlags,
    poll_interval: Duration,
) -> Result<(), CliError> {
    let started = request.send_as::<S>().await?;
    if !wait.wait {
        return started.print(output, out);
    }
    let action_id = started.id();
    eprintln!("Action {action_id} started on image {image_id}.");
    let settings = WaitSettings {
        timeout: wait.timeout,
        poll_interval,
    };
    let done: S = wait_done(app, image_id, action_id, settings).await?;
    done.print(output, out)
}

/// Waits until the action is done; returns it as the output shows it.
async fn wait_done<S: Shown<Action>>(
    app: &App,
    image_id: u64,
    action_id: u64,
    settings: WaitSettings,
) -> Result<S, CliError> {
    let actions = app.client.actions(image_id);
    let what = format!("action {action_id} of image {image_id}");
    run_wait(&what, settings, |options| {
        actions.wait_until_done(action_id, options).send_as()
    })
    .await
}
