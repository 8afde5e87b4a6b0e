//! `doimg account-transfers ...`

use std::io::Write;

use clap::{Args, Subcommand};
use do_images::{AccountTransfers, TransferStarted};

use super::examples;
use crate::app::App;
use crate::args::{OutputFormat, positive_id};
use crate::error::CliError;
use crate::output::OutputOptions;

/// `doimg account-transfers ...`
#[derive(Debug, Subcommand)]
pub enum AccountTransfersCommand {
    /// Offer a private snapshot to another account (--email), which must
    /// accept it, or to a team (--team): accepted at once when your token
    /// has permission in that team.
    #[command(after_help = examples::TRANSFERS_CREATE)]
    Create {
        /// Image id (a snapshot).
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Who receives the image.
        #[command(flatten)]
        recipient: Recipient,
    },
    /// Accept a pending transfer into one of your teams.
    #[command(after_help = examples::TRANSFERS_ACCEPT)]
    Accept {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id (from the email the recipient got).
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
        /// The uuid of the team that takes the image.
        #[arg(long, value_name = "UUID")]
        team: String,
    },
    /// Withdraw a pending transfer you started.
    #[command(after_help = examples::TRANSFERS_CANCEL)]
    Cancel {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id.
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
    },
    /// Refuse a pending transfer offered to you.
    #[command(after_help = examples::TRANSFERS_DECLINE)]
    Decline {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id.
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
    },
}

/// The one recipient of `account-transfers create`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Recipient {
    /// The email address of the account that receives the image.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// The uuid of the team that receives the image.
    #[arg(long, value_name = "UUID")]
    pub team: Option<String>,
}

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
