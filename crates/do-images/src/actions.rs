//! The operations on an image's actions: `client.actions(image_id)`.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::ops::Deref;

use do_images_api::open_enums::{ActionStatus, RegionSlug};
use do_images_api::types::{
    Action, ImageActionConvert, ImageActionConvertType, ImageActionRequest, ImageActionTransfer,
    ImageActionTransferType,
};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::{Client, InvalidId, positive_id};
use crate::decode;
use crate::error::{Error, Result};
use crate::list::{List, Listing, PageRequest, page_request};
use crate::wait::{State, WaitOptions, wait_for};

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
/// println!("{:?}", action.status);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Actions {
    client: Client,
    image_id: std::result::Result<u64, InvalidId>,
}

impl Actions {
    pub(crate) fn new(client: Client, image_id: std::result::Result<u64, InvalidId>) -> Self {
        Self { client, image_id }
    }

    fn image_id(&self) -> Result<u64> {
        self.image_id.clone().map_err(Error::from)
    }

    /// Lists the image's actions; see [`List`] for the result type and how
    /// to iterate.
    pub fn list(&self) -> ListActions {
        let query = ActionListing {
            image_id: self.image_id.clone(),
        };
        List::new(self.client.clone(), query)
    }

    /// Starts copying the image to `region`.
    pub fn transfer(&self, region: impl Into<RegionSlug>) -> PostAction {
        let region = region.into();
        let body = if region.as_str().trim().is_empty() {
            Err(Error::invalid(
                "region",
                "a transfer needs a target region",
                "a region slug such as nyc3",
            ))
        } else {
            Ok(ImageActionTransfer {
                region,
                type_: ImageActionTransferType::Transfer,
            }
            .into())
        };
        self.post(body)
    }

    /// Starts converting the image (a backup) into a snapshot.
    pub fn convert(&self) -> PostAction {
        self.post(Ok(ImageActionConvert {
            type_: ImageActionConvertType::Convert,
        }
        .into()))
    }

    fn post(&self, body: Result<ImageActionRequest>) -> PostAction {
        PostAction {
            client: self.client.clone(),
            image_id: self.image_id(),
            body,
            output: PhantomData,
        }
    }

    /// Gets one action.
    pub fn get<I>(&self, action_id: I) -> GetAction
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        GetAction {
            client: self.client.clone(),
            image_id: self.image_id(),
            action_id: positive_id("action id", action_id),
            output: PhantomData,
        }
    }

    /// Polls the action until it is `completed`; `.await` it, after
    /// choosing the result type with [`WaitForAction::output`] if needed.
    /// `errored` ends the wait at once with [`Error::WaitFailed`]; transient
    /// errors are retried; after `options`' maximum wait,
    /// [`Error::WaitTimedOut`] says the last status seen.
    pub fn wait_until_done<I>(&self, action_id: I, options: WaitOptions) -> WaitForAction
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        WaitForAction {
            client: self.client.clone(),
            image_id: self.image_id(),
            action_id: positive_id("action id", action_id),
            options,
            output: PhantomData,
        }
    }
}

/// A wait for an action, from [`Actions::wait_until_done`]; `.await` it.
/// The result is the action of the last poll, decoded into `T` (see
/// [`GetAction::output`]); the status is read from each answer's `status`
/// field, whatever `T`.
#[derive(Debug)]
pub struct WaitForAction<T = Action> {
    client: Client,
    image_id: Result<u64>,
    action_id: Result<u64>,
    options: WaitOptions,
    output: PhantomData<fn() -> T>,
}

impl<T> WaitForAction<T> {
    /// The same wait, its result decoded into `U`.
    pub fn output<U>(self) -> WaitForAction<U> {
        WaitForAction {
            client: self.client,
            image_id: self.image_id,
            action_id: self.action_id,
            options: self.options,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for WaitForAction<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'static, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        async move {
            let image_id = self.image_id?;
            let action_id = self.action_id?;
            let client = &self.client;
            let poll = || {
                let request = client
                    .api()
                    .image_actions_get()
                    .image_id(image_id)
                    .action_id(action_id)
                    .send();
                client.send(request, |body| {
                    let action = decode::member(body, "action")?;
                    let probe: StatusProbe = decode::object(action)?;
                    let status = probe.status.as_ref().and_then(|s| s.as_str());
                    let (shown, state) = classify_action(status.map(ActionStatus::from));
                    Ok((shown, state.finish(|| decode::object::<T>(action))?))
                })
            };
            wait_for(client, &self.options, "action", action_id, poll).await
        }
        .boxed()
    }
}

/// What a waiter reads of an action, whatever the result type: leniently,
/// so that an odd value counts as unknown instead of failing the poll.
#[derive(Deserialize)]
struct StatusProbe {
    #[serde(default)]
    status: Option<serde_json::Value>,
}

fn classify_action(status: Option<ActionStatus>) -> (String, State) {
    let shown = status
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string());
    let state = match status {
        Some(ActionStatus::Completed) => State::Done(()),
        Some(ActionStatus::Errored) => State::Failed(None),
        _ => State::Pending(None),
    };
    (shown, state)
}

/// A listing of an image's actions, from [`Actions::list`]; see [`List`]
/// for the result type and how to iterate.
pub type ListActions<T = Action> = List<ActionListing, T>;

/// Which image's actions a listing asks for.
#[derive(Clone, Debug)]
pub struct ActionListing {
    image_id: std::result::Result<u64, InvalidId>,
}

impl Listing for ActionListing {
    type Item = Action;
    const ITEMS_KEY: &'static str = "actions";

    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> PageRequest<'a> {
        // Only called once `check` has passed.
        let image_id = self.image_id.clone().unwrap_or(1);
        page_request(
            api.image_actions_list()
                .image_id(image_id)
                .page(page)
                .per_page(per_page)
                .send(),
        )
    }

    fn check(&self) -> Result<()> {
        self.image_id.clone().map(drop).map_err(Error::from)
    }
}

/// Starts an action, from [`Actions::transfer`] or [`Actions::convert`].
/// The started action is decoded into `T` (see [`GetAction::output`]).
#[derive(Debug)]
pub struct PostAction<T = Action> {
    client: Client,
    image_id: Result<u64>,
    body: Result<ImageActionRequest>,
    output: PhantomData<fn() -> T>,
}

impl<T> PostAction<T> {
    /// The same request, the started action decoded into `U`.
    pub fn output<U>(self) -> PostAction<U> {
        PostAction {
            client: self.client,
            image_id: self.image_id,
            body: self.body,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> PostAction<T> {
    /// Sends the request (retried only when the API provably did not act on
    /// it, so the action is never started twice).
    pub async fn send(self) -> Result<StartedAction<T>> {
        let image_id = self.image_id?;
        let body = self.body?;
        let client = self.client;
        let request = client
            .api()
            .image_actions_post()
            .image_id(image_id)
            .body(body)
            .send();
        let (action, id) = client
            .send(request, |body| {
                let action = decode::member(body, "action")?;
                let id = decode::object::<decode::IdProbe>(action)?
                    .positive()
                    .ok_or_else(|| "field `id`: missing, or not a positive integer".to_string())?;
                Ok((decode::object(action)?, id))
            })
            .await?;
        Ok(StartedAction {
            action,
            id,
            image_id,
            client,
        })
    }
}

/// A just-started action. Derefs to the action (decoded into `T`);
/// `.wait()` polls until it is done.
#[derive(Clone, Debug)]
pub struct StartedAction<T = Action> {
    /// The action as the API answered.
    pub action: T,
    id: u64,
    image_id: u64,
    client: Client,
}

impl<T> Deref for StartedAction<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.action
    }
}

impl<T: DeserializeOwned + Send + 'static> StartedAction<T> {
    /// The action's id, as the answer gave it.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Waits until the action is completed; see [`Actions::wait_until_done`].
    pub async fn wait(self, options: WaitOptions) -> Result<T> {
        let action_id = self.id;
        let actions = self.client.actions(self.image_id);
        actions.wait_until_done(action_id, options).output().await
    }

    /// The action as the API answered.
    pub fn into_inner(self) -> T {
        self.action
    }
}

/// Gets one action, from [`Actions::get`]. The action is decoded into `T`
/// (see [`GetAction::output`]).
#[derive(Debug)]
pub struct GetAction<T = Action> {
    client: Client,
    image_id: Result<u64>,
    action_id: Result<u64>,
    output: PhantomData<fn() -> T>,
}

impl<T> GetAction<T> {
    /// The same request, its result decoded into `U`: the model
    /// ([`Action`], the default), [`serde_json::Value`] for the `action`
    /// object exactly as the API sent it (every field, `null`s, key order,
    /// fields this crate does not know), or
    /// `Box<serde_json::value::RawValue>` for its bytes.
    pub fn output<U>(self) -> GetAction<U> {
        GetAction {
            client: self.client,
            image_id: self.image_id,
            action_id: self.action_id,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + 'static> GetAction<T> {
    /// Sends the request.
    pub async fn send(self) -> Result<T> {
        let image_id = self.image_id?;
        let action_id = self.action_id?;
        let request = self
            .client
            .api()
            .image_actions_get()
            .image_id(image_id)
            .action_id(action_id)
            .send();
        self.client.send_object(request, "action").await
    }
}
