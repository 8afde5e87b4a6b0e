//! `doimg account-transfers ...`

use std::io::Write;

use do_images::{AccountTransfers, TransferStarted};

use crate::app::App;
use crate::cli::{AccountTransfersCommand, OutputFormat, Recipient};
use crate::error::CliError;
use crate::output::OutputOptions;

/// Runs one `account-transfers` subcommand. Every input (email shape,
/// uuid shape, positive ids) is checked by the library before anything is
/// sent, so bad input exits with the usage code.
pub async fn run(
    command: AccountTransfersCommand,
    app: &App,
    output: &OutputOptions,
) -> Result<(), CliError> {
    match command {
        AccountTransfersCommand::Create {
            image_id,
            recipient,
        } => {
            create(
                app.client.account_transfers(image_id),
                image_id,
                recipient,
                output,
            )
            .await
        }
        AccountTransfersCommand::Accept {
            image_id,
            transfer_id,
            team,
        } => {
            let transfers = app.client.account_transfers(image_id);
            transfers.accept(transfer_id, team.as_str()).send().await?;
            // The uuid was checked (hex digits and dashes) before sending.
            eprintln!(
                "Accepted transfer {transfer_id}: image {image_id} now belongs to team {team}."
            );
            Ok(())
        }
        AccountTransfersCommand::Cancel {
            image_id,
            transfer_id,
        } => {
            app.client
                .account_transfers(image_id)
                .cancel(transfer_id)
                .send()
                .await?;
            eprintln!("Cancelled transfer {transfer_id}; image {image_id} stays where it was.");
            Ok(())
        }
        AccountTransfersCommand::Decline {
            image_id,
            transfer_id,
        } => {
            app.client
                .account_transfers(image_id)
                .decline(transfer_id)
                .send()
                .await?;
            eprintln!("Declined transfer {transfer_id} of image {image_id}.");
            Ok(())
        }
    }
}

/// Starts the transfer; prints the API's answer as sent (`-o json`) or
/// whether it is pending or done.
async fn create(
    transfers: AccountTransfers,
    image_id: u64,
    recipient: Recipient,
    output: &OutputOptions,
) -> Result<(), CliError> {
    let request = match (recipient.email, recipient.team) {
        (Some(email), None) => transfers.to_email(email),
        (None, Some(team)) => transfers.to_team(team),
        // clap's group allows exactly one of the two.
        _ => {
            return Err(CliError::Usage(
                "give exactly one of --email and --team".into(),
            ));
        }
    };
    let mut out = std::io::stdout().lock();
    match output.format {
        OutputFormat::Json => {
            // Parsed, not passed through raw: the writer escapes what it
            // writes, and a raw fragment would reach the terminal as sent.
            let answer = request.send_json().await?;
            crate::output::json::write_object(&mut out, &answer)?;
        }
        OutputFormat::Text => match request.send().await? {
            TransferStarted::Pending { transfer_id } => writeln!(
                out,
                "Transfer {transfer_id} of image {image_id} is pending until the recipient accepts it."
            )?,
            TransferStarted::Accepted => writeln!(
                out,
                "Image {image_id} was moved at once: the transfer was accepted."
            )?,
        },
    }
    Ok(())
}
