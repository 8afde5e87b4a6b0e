//! `doimg actions ...`

use std::io::Write;
use std::time::Duration;

use do_images::Action;

use crate::app::App;
use crate::cli::{ActionsCommand, WaitFlags};
use crate::error::CliError;
use crate::output::OutputOptions;
use crate::validate;
use crate::waiting::{WaitSettings, run_wait};

/// Runs one `actions` subcommand.
pub async fn run(
    command: ActionsCommand,
    app: &App,
    output: &OutputOptions,
    poll_interval: Duration,
) -> Result<(), CliError> {
    output.check::<Action>()?;
    let mut out = std::io::stdout().lock();
    match command {
        ActionsCommand::List { image_id } => {
            output
                .list(&mut out, app.client.actions(image_id).list().stream())
                .await?;
            Ok(())
        }
        ActionsCommand::Get {
            image_id,
            action_id,
        } => {
            let action = app.client.actions(image_id).get(action_id).send().await?;
            output.one(&mut out, &action)
        }
        ActionsCommand::Transfer {
            image_id,
            region,
            wait,
        } => {
            if let Some(warning) = validate::region(&region).map_err(CliError::Usage)? {
                eprintln!("Warning: {warning}");
            }
            let started = app
                .client
                .actions(image_id)
                .transfer(region.as_str())
                .send()
                .await?;
            finish(
                app,
                output,
                &mut out,
                image_id,
                started.into_inner(),
                &wait,
                poll_interval,
            )
            .await
        }
        ActionsCommand::Convert { image_id, wait } => {
            let started = app.client.actions(image_id).convert().send().await?;
            finish(
                app,
                output,
                &mut out,
                image_id,
                started.into_inner(),
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
            let action = wait_done(
                app,
                image_id,
                action_id,
                WaitSettings {
                    timeout,
                    poll_interval,
                },
            )
            .await?;
            output.one(&mut out, &action)
        }
    }
}

async fn finish(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    image_id: u64,
    action: Action,
    wait: &WaitFlags,
    poll_interval: Duration,
) -> Result<(), CliError> {
    let action_id = action.id.and_then(|id| u64::try_from(id).ok());
    let (true, Some(action_id)) = (wait.wait, action_id) else {
        return output.one(out, &action);
    };
    eprintln!("Action {action_id} started on image {image_id}.");
    let settings = WaitSettings {
        timeout: wait.timeout,
        poll_interval,
    };
    let done = wait_done(app, image_id, action_id, settings).await?;
    output.one(out, &done)
}

async fn wait_done(
    app: &App,
    image_id: u64,
    action_id: u64,
    settings: WaitSettings,
) -> Result<Action, CliError> {
    let actions = app.client.actions(image_id);
    run_wait(
        &format!("action {action_id} of image {image_id}"),
        settings,
        |options| actions.wait_until_done(action_id, options),
    )
    .await
}
