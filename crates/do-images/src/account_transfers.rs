//! Handing a private snapshot to another account or team:
//! `client.account_transfers(image_id)`.

use do_images_api::types::{
    ImageAccountTransferAccept, ImageAccountTransferCreated, ImageAccountTransferRef,
    ImageAccountTransferRequest, ImageAccountTransferToEmail, ImageAccountTransferToTeam,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{Checked, Client, Id, checked_id};
use crate::error::{Error, Result};

/// The account transfers of one image, from [`Client::account_transfers`].
///
/// ```no_run
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// use do_images::TransferStarted;
/// match client.account_transfers(7555620).to_email("sammy@example.com").send().await? {
///     TransferStarted::Pending { transfer_id } => println!("pending: {transfer_id}"),
///     TransferStarted::Accepted => println!("moved at once"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AccountTransfers {
    client: Client,
    image_id: Checked<u64>,
}

impl AccountTransfers {
    pub(crate) fn new(client: Client, image_id: Checked<u64>) -> Self {
        Self { client, image_id }
    }

    /// Offers the image to the account of the person at `email`, who must
    /// accept it; until then the transfer is pending.
    pub fn to_email(&self, email: impl Into<String>) -> StartTransfer {
        let body = checked_email(email.into())
            .map(|recipient_email| ImageAccountTransferToEmail { recipient_email }.into());
        self.start(body)
    }

    /// Offers the image to the team `team_uuid`: accepted at once when the
    /// token has enough permissions in that team, pending otherwise.
    pub fn to_team(&self, team_uuid: impl Into<String>) -> StartTransfer {
        let body = checked_uuid(team_uuid.into())
            .map(|recipient_uuid| ImageAccountTransferToTeam { recipient_uuid }.into());
        self.start(body)
    }

    fn start(&self, body: Result<ImageAccountTransferRequest>) -> StartTransfer {
        StartTransfer {
            client: self.client.clone(),
            image_id: self.image_id.clone(),
            body,
        }
    }

    /// Accepts pending transfer `transfer_id` into the team `team_uuid`.
    pub fn accept(&self, transfer_id: impl Id, team_uuid: impl Into<String>) -> TransferStep {
        let body = reference(transfer_id).and_then(|reference| {
            Ok(ImageAccountTransferAccept {
                transfer_id: reference.transfer_id,
                recipient_uuid: checked_uuid(team_uuid.into())?,
            })
        });
        self.step(Step::Accept(body))
    }

    /// Withdraws pending transfer `transfer_id` (as its sender).
    pub fn cancel(&self, transfer_id: impl Id) -> TransferStep {
        self.step(Step::Cancel(reference(transfer_id)))
    }

    /// Refuses pending transfer `transfer_id` (as its recipient).
    pub fn decline(&self, transfer_id: impl Id) -> TransferStep {
        self.step(Step::Decline(reference(transfer_id)))
    }

    fn step(&self, step: Step) -> TransferStep {
        TransferStep {
            client: self.client.clone(),
            image_id: self.image_id.clone(),
            step,
        }
    }
}

/// How a started transfer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferStarted {
    /// Waiting for the recipient; the id accepts, cancels or declines it.
    Pending {
        /// The transfer's id.
        transfer_id: u64,
    },
    /// Accepted at once (a team in which the token has permission): the
    /// image has moved. The API says so with `transfer_id` 0.
    Accepted,
}

impl From<ImageAccountTransferCreated> for TransferStarted {
    fn from(answer: ImageAccountTransferCreated) -> Self {
        match answer.transfer_id {
            0 => Self::Accepted,
            transfer_id => Self::Pending { transfer_id },
        }
    }
}

/// Starts a transfer, from [`AccountTransfers::to_email`] or
/// [`AccountTransfers::to_team`].
#[derive(Debug)]
pub struct StartTransfer {
    client: Client,
    image_id: Checked<u64>,
    body: Result<ImageAccountTransferRequest>,
}

impl StartTransfer {
    /// Sends the request. Like an import, it is a POST that is retried only
    /// when the API provably did not act on it, so a transfer is never
    /// started twice.
    pub async fn send(self) -> Result<TransferStarted> {
        self.send_as::<ImageAccountTransferCreated>()
            .await
            .map(TransferStarted::from)
    }

    /// Like [`send`](Self::send), the answer exactly as the API sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the answer read as `T` ([readings](crate)),
    /// such as the generated [`ImageAccountTransferCreated`].
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<T> {
        let image_id = self.image_id?;
        let body = self.body?;
        let request = self.client.api().image_account_transfers_create();
        self.client
            .call_as(request.image_id(image_id).body(body))
            .await
    }
}

/// What a [`TransferStep`] does.
#[derive(Debug)]
enum Step {
    Accept(Result<ImageAccountTransferAccept>),
    Cancel(Result<ImageAccountTransferRef>),
    Decline(Result<ImageAccountTransferRef>),
}

/// Accepts, cancels or declines a pending transfer, from
/// [`AccountTransfers`]; the answer has no body.
#[derive(Debug)]
pub struct TransferStep {
    client: Client,
    image_id: Checked<u64>,
    step: Step,
}

impl TransferStep {
    /// Sends the request (a POST: retried only when the API provably did
    /// not act on it).
    pub async fn send(self) -> Result<()> {
        let image_id = self.image_id?;
        let api = self.client.api();
        let answer = match self.step {
            Step::Accept(body) => {
                let request = api.image_account_transfers_accept().image_id(image_id);
                self.client.answer(request.body(body?)).await
            }
            Step::Cancel(body) => {
                let request = api.image_account_transfers_cancel().image_id(image_id);
                self.client.answer(request.body(body?)).await
            }
            Step::Decline(body) => {
                let request = api.image_account_transfers_decline().image_id(image_id);
                self.client.answer(request.body(body?)).await
            }
        };
        // Success is the status; a body, if any, says nothing more.
        answer.map(drop)
    }
}

/// The reference to transfer `transfer_id`, once it is checked positive.
fn reference(transfer_id: impl Id) -> Result<ImageAccountTransferRef> {
    let id = checked_id("transfer id", transfer_id)?;
    Ok(ImageAccountTransferRef {
        transfer_id: std::num::NonZeroU64::new(id).unwrap_or(std::num::NonZeroU64::MIN),
    })
}

/// `email` if it is `local@domain`, both parts non-empty, no whitespace or
/// control characters: what a mail system could deliver to.
fn checked_email(email: String) -> Result<String> {
    let shaped = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if shaped {
        Ok(email)
    } else {
        Err(Error::invalid(
            "recipient email",
            format!("{email:?} is not an email address"),
            "an address such as sammy@example.com",
        ))
    }
}

/// `uuid` if it is five groups of 8, 4, 4, 4 and 12 hex digits joined by `-`.
fn checked_uuid(uuid: String) -> Result<String> {
    let groups: Vec<&str> = uuid.split('-').collect();
    let shaped = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()));
    if shaped {
        Ok(uuid)
    } else {
        Err(Error::invalid(
            "team uuid",
            format!("{uuid:?} is not a uuid"),
            "a uuid such as 3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b",
        ))
    }
}
