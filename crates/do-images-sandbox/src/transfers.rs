//! Image account transfers: a private snapshot offered to another account
//! (by email) or team (by uuid), then accepted, cancelled or declined.
//!
//! A transfer to a team in which the sender has permission moves the image
//! at once and has no id (`transfer_id` 0). Any other transfer is pending:
//! the image stays with the sender until the recipient accepts it. Only the
//! sender cancels; only the recipient accepts or declines. An account that
//! is neither does not see the transfer (404), as it does not see another
//! team's image.

use std::sync::Arc;

use crate::accounts::Caller;
use crate::api_error::ApiError;
use crate::store::Store;
use crate::transfer_requests::{Acceptance, Recipient};

/// The `transfer_id` of a transfer that was accepted at once.
pub(crate) const ACCEPTED_AT_ONCE: u64 = 0;

/// A pending transfer.
#[derive(Clone, Debug)]
pub(crate) struct Transfer {
    pub image_id: u64,
    /// The team the image belongs to while the transfer is pending.
    from_team: Arc<str>,
    to: Recipient,
}

impl Transfer {
    fn is_recipient(&self, caller: &Caller) -> bool {
        match &self.to {
            Recipient::Email(email) => caller.has_email(email),
            Recipient::Team(team) => caller.has_permission_in(team),
        }
    }

    fn is_sender(&self, caller: &Caller) -> bool {
        *caller.team == *self.from_team
    }
}

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
        if let Some((id, _)) = self.transfers.iter().find(|(_, t)| t.image_id == image_id) {
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
        let id = self.next_transfer_id;
        self.next_transfer_id += 1;
        self.transfers.insert(
            id,
            Transfer {
                image_id,
                from_team: caller.team.clone(),
                to,
            },
        );
        Ok(id)
    }

    /// The recipient takes the image into the team it names.
    pub fn accept_transfer(
        &mut self,
        caller: &Caller,
        image_id: u64,
        acceptance: Acceptance,
    ) -> Result<(), ApiError> {
        let transfer = self.transfer(image_id, acceptance.transfer_id, caller)?;
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
        self.transfers.remove(&acceptance.transfer_id);
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
            .transfer(image_id, transfer_id, caller)?
            .is_sender(caller)
        {
            return Err(ApiError::unprocessable(
                "Only the sender of a transfer can cancel it; the recipient declines it.",
            ));
        }
        self.transfers.remove(&transfer_id);
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
            .transfer(image_id, transfer_id, caller)?
            .is_recipient(caller)
        {
            return Err(ApiError::unprocessable(
                "Only the recipient of a transfer can decline it; the sender cancels it.",
            ));
        }
        self.transfers.remove(&transfer_id);
        Ok(())
    }

    /// Pending transfer `transfer_id` of image `image_id`, if the caller is
    /// its sender or its recipient.
    fn transfer(
        &self,
        image_id: u64,
        transfer_id: u64,
        caller: &Caller,
    ) -> Result<Transfer, ApiError> {
        self.transfers
            .get(&transfer_id)
            .filter(|t| t.image_id == image_id)
            .filter(|t| t.is_sender(caller) || t.is_recipient(caller))
            .cloned()
            .ok_or_else(ApiError::not_found)
    }
}
