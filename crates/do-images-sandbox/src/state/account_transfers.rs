//! Image account transfers: a private snapshot offered to another account
//! (by email) or team (by uuid), then accepted, cancelled or declined.
//!
//! A transfer to a team in which the sender has permission moves the image
//! at once and has no id (`transfer_id` 0). Any other transfer is pending:
//! the image stays with the sender until the recipient accepts it. Only the
//! sender cancels; only the recipient accepts or declines. An account that
//! is neither does not see the transfer (404), as it does not see another
//! team's image.

use super::store::Store;
use super::transfers::Transfer;
use crate::accounts::Caller;
use crate::wire::error::ApiError;
use crate::wire::transfer_bodies::{Acceptance, Recipient};

/// The `transfer_id` of a transfer that was accepted at once.
pub(crate) const ACCEPTED_AT_ONCE: u64 = 0;

impl Store {
    /// Starts a transfer of image `image_id`, owned by the caller's team,
    /// to `to`; `team_exists` says whether a team recipient is known.
    /// Returns the new transfer's id, or [`ACCEPTED_AT_ONCE`].
    pub fn start_transfer(
        &mut self,
        caller: &Caller,
        image_id: u64,
        to: Recipient,
        team_exists: bool,
    ) -> Result<u64, ApiError> {
        let image = self
            .images
            .get(&image_id)
            .filter(|i| i.owner.as_deref() == Some(&*caller.team))
            .ok_or_else(ApiError::not_found)?;
        if image.kind != "snapshot" {
            return Err(ApiError::unprocessable(format!(
                "Only snapshots can be transferred to another account; image {image_id} is a {} image.",
                image.kind
            )));
        }
        if let Some(id) = self.transfers.of_image(image_id) {
            return Err(ApiError::unprocessable(format!(
                "Image {image_id} already has a pending transfer ({id}); cancel it first."
            )));
        }
        if let Recipient::Team(team) = &to {
            if !team_exists {
                return Err(ApiError::not_found());
            }
            if **team == *caller.team {
                return Err(ApiError::unprocessable(format!(
                    "Image {image_id} already belongs to team {team}."
                )));
            }
            if caller.has_permission_in(team) {
                self.set_owner(image_id, Some(team.as_str().into()));
                return Ok(ACCEPTED_AT_ONCE);
            }
        }
        Ok(self.transfers.open(Transfer {
            image_id,
            from_team: caller.team.clone(),
            to,
        }))
    }

    /// The recipient takes the image into the team it names.
    pub fn accept_transfer(
        &mut self,
        caller: &Caller,
        image_id: u64,
        acceptance: Acceptance,
    ) -> Result<(), ApiError> {
        let transfer = self
            .transfers
            .seen_by(image_id, acceptance.transfer_id, caller)?;
        if !transfer.is_recipient(caller) {
            return Err(ApiError::unprocessable(
                "Only the recipient of a transfer can accept it.",
            ));
        }
        if let Recipient::Team(team) = &transfer.to
            && *team != acceptance.team
        {
            return Err(ApiError::unprocessable(format!(
                "Transfer {} is for team {team}; `recipient_uuid` must name it.",
                acceptance.transfer_id
            )));
        }
        if !caller.has_permission_in(&acceptance.team) {
            return Err(ApiError::unprocessable(format!(
                "You have no permission to take images into team {}.",
                acceptance.team
            )));
        }
        self.transfers.close(acceptance.transfer_id);
        self.set_owner(image_id, Some(acceptance.team.as_str().into()));
        Ok(())
    }

    /// The sender withdraws a pending transfer.
    pub fn cancel_transfer(
        &mut self,
        caller: &Caller,
        image_id: u64,
        transfer_id: u64,
    ) -> Result<(), ApiError> {
        if !self
            .transfers
            .seen_by(image_id, transfer_id, caller)?
            .is_sender(caller)
        {
            return Err(ApiError::unprocessable(
                "Only the sender of a transfer can cancel it; the recipient declines it.",
            ));
        }
        self.transfers.close(transfer_id);
        Ok(())
    }

    /// The recipient refuses a pending transfer.
    pub fn decline_transfer(
        &mut self,
        caller: &Caller,
        image_id: u64,
        transfer_id: u64,
    ) -> Result<(), ApiError> {
        if !self
            .transfers
            .seen_by(image_id, transfer_id, caller)?
            .is_recipient(caller)
        {
            return Err(ApiError::unprocessable(
                "Only the recipient of a transfer can decline it; the sender cancels it.",
            ));
        }
        self.transfers.close(transfer_id);
        Ok(())
    }
}
