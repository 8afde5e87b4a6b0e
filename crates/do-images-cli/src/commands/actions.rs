//! `doimg actions ...`

use std::io::Write;
use std::time::Duration;

use clap::Subcommand;
use do_images::{Action, PostAction};

use super::examples;
use crate::app::App;
use crate::args::{OutputFormat, WaitFlags, parse_duration, positive_id};
use crate::error::CliError;
use crate::output::{OutputOptions, Raw, Shown};
use crate::progress::{WaitSettings, run_wait};
use crate::validate;

/// `doimg actions ...`
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// List an image's actions.
    #[command(visible_alias = "ls", after_help = examples::ACTIONS_LIST)]
    List {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
    },
    /// Show one action.
    #[command(after_help = examples::ACTIONS_GET)]
    Get {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Action id (or --action-id).
        #[arg(
            value_name = "ACTION_ID",
            value_parser = positive_id(),
            required_unless_present = "action_id_flag",
            conflicts_with = "action_id_flag"
        )]
        action_id: Option<u64>,
        /// Action id, as doctl takes it (or give it as ACTION_ID).
        #[arg(long = "action-id", value_name = "ACTION_ID", value_parser = positive_id())]
        action_id_flag: Option<u64>,
    },
    /// Copy an image to another region.
    #[command(after_help = examples::ACTIONS_TRANSFER)]
    Transfer {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Target region slug, e.g. nyc3.
        #[arg(long)]
        region: String,
        /// Wait for the action to finish.
        #[command(flatten)]
        wait: WaitFlags,
    },
    /// Turn a backup into a snapshot.
    #[command(after_help = examples::ACTIONS_CONVERT)]
    Convert {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Wait for the action to finish.
        #[command(flatten)]
        wait: WaitFlags,
    },
    /// Wait until an action has finished.
    #[command(after_help = examples::ACTIONS_WAIT)]
    Wait {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Action id.
        #[arg(value_name = "ACTION_ID", value_parser = positive_id())]
        action_id: u64,
        /// Give up after this long, e.g. 90s, 15m, 1h.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m")]
        timeout: Duration,
    },
}

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
    // What follows the action's request fails, if it does, after a change
    // was sent.
    let after_start = async {
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
    };
    after_start.await.map_err(CliError::after_changes)
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
