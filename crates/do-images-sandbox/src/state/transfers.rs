//! Pending image account transfers: who sent each, and to whom.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::accounts::Caller;
use crate::wire::error::ApiError;
use crate::wire::transfer_bodies::Recipient;

/// A pending transfer.
#[derive(Clone, Debug)]
pub(crate) struct Transfer {
    pub image_id: u64,
    /// The team the image belongs to while the transfer is pending.
    pub from_team: Arc<str>,
    pub to: Recipient,
}

impl Transfer {
    pub fn is_recipient(&self, caller: &Caller) -> bool {
        match &self.to {
            Recipient::Email(email) => caller.has_email(email),
            Recipient::Team(team) => caller.has_permission_in(team),
        }
    }

    pub fn is_sender(&self, caller: &Caller) -> bool {
        *caller.team == *self.from_team
    }
}

/// Every pending transfer, by id.
pub(crate) struct PendingTransfers {
    pending: BTreeMap<u64, Transfer>,
    next_id: u64,
}

impl PendingTransfers {
    pub fn new() -> Self {
        Self {
            pending: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// The id of the pending transfer of image `image_id`, if any.
    pub fn of_image(&self, image_id: u64) -> Option<u64> {
        self.pending
            .iter()
            .find(|(_, t)| t.image_id == image_id)
            .map(|(id, _)| *id)
    }

    /// Records `transfer` and returns its new id.
    pub fn open(&mut self, transfer: Transfer) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, transfer);
        id
    }

    /// Pending transfer `transfer_id` of image `image_id`, if the caller is
    /// its sender or its recipient.
    pub fn seen_by(
        &self,
        image_id: u64,
        transfer_id: u64,
        caller: &Caller,
    ) -> Result<Transfer, ApiError> {
        self.pending
            .get(&transfer_id)
            .filter(|t| t.image_id == image_id)
            .filter(|t| t.is_sender(caller) || t.is_recipient(caller))
            .cloned()
            .ok_or_else(ApiError::not_found)
    }

    pub fn close(&mut self, transfer_id: u64) {
        self.pending.remove(&transfer_id);
    }

    /// Drops the transfers of a deleted image.
    pub fn forget_image(&mut self, image_id: u64) {
        self.pending.retain(|_, t| t.image_id != image_id);
    }
}
