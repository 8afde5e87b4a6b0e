//! The operations on an image's actions: `client.actions(image_id)`.

use do_images_api::open_enums::RegionSlug;
use do_images_api::types::{
    Action, ActionEnvelope, ActionsPage, ImageActionConvert, ImageActionConvertType,
    ImageActionRequest, ImageActionTransfer, ImageActionTransferType, PageLinksPages,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{Checked, Client, Id, checked_id, checked_region};
use crate::error::{Error, Result};
use crate::listing::{List, Query, pages_of};
use crate::started::{ActionTarget, Started, Wait};
use crate::wait::WaitOptions;

/// The actions of one image, from [`Client::actions`].
///
/// ```no_run
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// use do_images::WaitOptions;
/// let action = client
///     .actions(7555620)
///     .transfer("nyc3")
///     .send()
///     .await?
///     .wait(WaitOptions::default())
///     .await?;
/// println!("{}", action.status);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Actions {
    client: Client,
    image_id: Checked<u64>,
}

impl Actions {
    pub(crate) fn new(client: Client, image_id: Checked<u64>) -> Self {
        Self { client, image_id }
    }

    /// Lists the image's actions; see [`List`] for how to iterate.
    pub fn list(&self) -> ListActions {
        let query = ActionQuery {
            image_id: self.image_id.clone(),
        };
        List::new(self.client.clone(), query)
    }

    /// Starts copying the image to `region`.
    pub fn transfer(&self, region: impl Into<RegionSlug>) -> PostAction {
        let body = checked_region(region.into()).map(|region| {
            let type_ = ImageActionTransferType::Transfer;
            ImageActionTransfer { region, type_ }.into()
        });
        self.post(body)
    }

    /// Starts converting the image (a backup) into a snapshot.
    pub fn convert(&self) -> PostAction {
        self.post(Ok(ImageActionConvert {
            type_: ImageActionConvertType::Convert,
        }
        .into()))
    }

    fn post(&self, body: Checked<ImageActionRequest>) -> PostAction {
        PostAction {
            client: self.client.clone(),
            image_id: self.image_id.clone(),
            body,
        }
    }

    /// Gets one action.
    pub fn get(&self, action_id: impl Id) -> GetAction {
        GetAction {
            client: self.client.clone(),
            target: self.target(action_id),
        }
    }

    /// Polls the action until it is `completed`; end it with
    /// [`send`](Wait::send). `errored` ends the wait at once with
    /// [`Error::WaitFailed`]; transient errors are retried; after `options`'
    /// maximum wait, [`Error::WaitTimedOut`] says the last status seen.
    pub fn wait_until_done(&self, action_id: impl Id, options: WaitOptions) -> WaitForAction {
        Wait::new(self.client.clone(), self.target(action_id), options)
    }

    fn target(&self, action_id: impl Id) -> Checked<ActionTarget> {
        let image_id = self.image_id.clone()?;
        let id = checked_id("action id", action_id)?;
        Ok(ActionTarget { image_id, id })
    }
}

/// A wait for an action, from [`Actions::wait_until_done`].
pub type WaitForAction = Wait<ActionTarget>;

/// A just-started action, from [`PostAction::send`]; `.wait()` polls until
/// it is done.
pub type StartedAction<T = Action> = Started<ActionTarget, T>;

/// A listing of an image's actions, from [`Actions::list`]; see [`List`]
/// for how to iterate.
pub type ListActions = List<ActionQuery>;

/// Which image's actions a listing asks for.
#[derive(Clone, Debug)]
pub struct ActionQuery {
    image_id: Checked<u64>,
}

impl Query for ActionQuery {
    type Item = Action;
    type Page<T: DeserializeOwned> = ActionsPage<T>;

    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> impl do_images_api::Operation + 'a {
        // Only called once `check` has passed.
        let image_id = self.image_id.clone().unwrap_or(1);
        let request = api.image_actions_list().image_id(image_id);
        request.page(page).per_page(per_page)
    }

    fn parts<T: DeserializeOwned>(page: ActionsPage<T>) -> (Vec<T>, u64, PageLinksPages) {
        (page.actions, page.meta.total, pages_of(page.links))
    }

    fn check(&self) -> Result<()> {
        self.image_id.clone().map(drop).map_err(Error::from)
    }
}

/// Starts an action, from [`Actions::transfer`] or [`Actions::convert`].
#[derive(Debug)]
pub struct PostAction {
    client: Client,
    image_id: Checked<u64>,
    body: Checked<ImageActionRequest>,
}

impl PostAction {
    /// Sends the request (retried only when the API provably did not act on
    /// it, so the action is never started twice); the answer holds the new
    /// [`Action`].
    pub async fn send(self) -> Result<StartedAction> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `action` object as the API sent it.
    pub async fn send_json(self) -> Result<StartedAction<Value>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `action` object read as `T` ([readings](crate)).
    pub async fn send_as<T: DeserializeOwned + Send + 'static>(self) -> Result<StartedAction<T>> {
        let image_id = self.image_id?;
        let body = self.body?;
        let client = self.client;
        let request = client.api().image_actions_post().image_id(image_id);
        let answer = client.answer(request.body(body)).await?;
        Started::new(client, &answer, |id| ActionTarget { image_id, id })
    }
}

/// Gets one action, from [`Actions::get`].
#[derive(Debug)]
pub struct GetAction {
    client: Client,
    target: Checked<ActionTarget>,
}

impl GetAction {
    /// Sends the request; the answer is the [`Action`].
    pub async fn send(self) -> Result<Action> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `action` object as the API sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `action` object read as `T` ([readings](crate)).
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<T> {
        let target = self.target?;
        let request = self.client.api().image_actions_get();
        let request = request.image_id(target.image_id).action_id(target.id);
        let answer = self.client.answer(request).await?;
        Ok(answer.decode::<ActionEnvelope<T>>()?.action)
    }
}
