//! `doimg actions ...`

use std::io::Write;
use std::time::Duration;

use do_images::{Action, PostAction};

use crate::app::App;
use crate::cli::{ActionsCommand, WaitFlags};
use crate::error::CliError;
use crate::output::{Object, OutputOptions};
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
            let list = app.client.actions(image_id).list();
            if output.is_json() {
                output.list_json(&mut out, list.stream_json()).await?;
            } else {
                output.list_text(&mut out, list.stream()).await?;
            }
            Ok(())
        }
        ActionsCommand::Get {
            image_id,
            action_id,
        } => {
            let request = app.client.actions(image_id).get(action_id);
            let action: Object<Action> = if output.is_json() {
                Object::Json(request.send_json().await?)
            } else {
                Object::Typed(request.send().await?)
            };
            output.one(&mut out, &action)
        }
        ActionsCommand::Transfer {
            image_id,
            region,
            wait,
        } => {
            if let Some(warning) = validate::region(&region).map_err(CliError::Usage)? {
                crate::output::stderr::warning(&warning);
            }
            let started = start(
                output,
                app.client.actions(image_id).transfer(region.as_str()),
            )
            .await?;
            finish(
                app,
                output,
                &mut out,
                image_id,
                started,
                &wait,
                poll_interval,
            )
            .await
        }
        ActionsCommand::Convert { image_id, wait } => {
            let started = start(output, app.client.actions(image_id).convert()).await?;
            finish(
                app,
                output,
                &mut out,
                image_id,
                started,
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
                output,
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

/// Sends a transfer or a convert; returns the action as the output needs
/// it.
async fn start(output: &OutputOptions, request: PostAction) -> Result<Object<Action>, CliError> {
    Ok(if output.is_json() {
        Object::Json(request.send_json().await?)
    } else {
        Object::Typed(request.send().await?.into_inner())
    })
}

async fn finish(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    image_id: u64,
    action: Object<Action>,
    wait: &WaitFlags,
    poll_interval: Duration,
) -> Result<(), CliError> {
    if !wait.wait {
        return output.one(out, &action);
    }
    let action_id = action.id().ok_or_else(|| {
        CliError::UnexpectedAnswer(
            "the action was started, but the API's answer has no action id to wait for".into(),
        )
    })?;
    eprintln!("Action {action_id} started on image {image_id}.");
    let settings = WaitSettings {
        timeout: wait.timeout,
        poll_interval,
    };
    let done = wait_done(app, output, image_id, action_id, settings).await?;
    output.one(out, &done)
}

/// Waits until the action is done; returns it as the output needs it.
async fn wait_done(
    app: &App,
    output: &OutputOptions,
    image_id: u64,
    action_id: u64,
    settings: WaitSettings,
) -> Result<Object<Action>, CliError> {
    let actions = app.client.actions(image_id);
    let what = format!("action {action_id} of image {image_id}");
    if output.is_json() {
        run_wait(&what, settings, |options| {
            actions.wait_until_done_json(action_id, options)
        })
        .await
        .map(Object::Json)
    } else {
        run_wait(&what, settings, |options| {
            actions.wait_until_done(action_id, options)
        })
        .await
        .map(Object::Typed)
    }
}
