//! The operations on an image's actions: `client.actions(image_id)`.

use std::ops::Deref;
use std::sync::Arc;

use do_images_api::open_enums::{ActionStatus, RegionSlug};
use do_images_api::types::{
    Action, ActionEnvelope, ImageActionConvert, ImageActionConvertType, ImageActionRequest,
    ImageActionTransfer, ImageActionTransferType,
};
use futures::TryStreamExt;

use crate::client::{Client, InvalidId, positive_id};
use crate::error::{Error, Result};
use crate::paginate::{
    DEFAULT_FETCH_AHEAD, DEFAULT_PER_PAGE, ItemStream, Page, PageStream, check_per_page,
};
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

    /// Lists the image's actions; iterate like [`ListImages`](crate::ListImages).
    pub fn list(&self) -> ListActions {
        ListActions {
            client: self.client.clone(),
            image_id: self.image_id(),
            per_page: DEFAULT_PER_PAGE,
            fetch_ahead: DEFAULT_FETCH_AHEAD,
        }
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
        }
    }

    /// Polls the action until it is `completed`. `errored` ends the wait at
    /// once with [`Error::WaitFailed`]; transient errors are retried; after
    /// `options`' maximum wait, [`Error::WaitTimedOut`] says the last status
    /// seen.
    pub async fn wait_until_done<I>(&self, action_id: I, options: WaitOptions) -> Result<Action>
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        let image_id = self.image_id()?;
        let action_id = positive_id("action id", action_id)?;
        let client = &self.client;
        wait_for(
            client,
            &options,
            "action",
            action_id,
            || {
                client.send(
                    client
                        .api()
                        .image_actions_get()
                        .image_id(image_id)
                        .action_id(action_id)
                        .send(),
                )
            },
            |envelope: &ActionEnvelope| classify_action(&envelope.action),
        )
        .await
        .map(|envelope| envelope.action)
    }
}

fn classify_action(action: &Action) -> (String, State) {
    let status = action
        .status
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string());
    let state = match action.status {
        Some(ActionStatus::Completed) => State::Done,
        Some(ActionStatus::Errored) => State::Failed(None),
        _ => State::Pending,
    };
    (status, state)
}

/// A listing of an image's actions, from [`Actions::list`].
#[derive(Debug)]
pub struct ListActions {
    client: Client,
    image_id: Result<u64>,
    per_page: u64,
    fetch_ahead: usize,
}

impl ListActions {
    /// Items per request, 1 to 200 (default 200).
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = per_page;
        self
    }

    /// How many pages to request ahead (default 3; 0 is sequential).
    pub fn fetch_ahead(mut self, pages: usize) -> Self {
        self.fetch_ahead = pages;
        self
    }

    /// A lazy stream of every action.
    pub fn stream(self) -> ItemStream<Action> {
        self.pages().items()
    }

    /// A lazy stream of pages.
    pub fn pages(self) -> PageStream<Action> {
        let (image_id, invalid) = match (self.image_id, check_per_page(self.per_page)) {
            (Ok(id), Ok(_)) => (id, None),
            (Err(error), _) | (_, Err(error)) => (0, Some(error)),
        };
        let client = self.client.clone();
        let shared = client.clone();
        let fetch = Arc::new(move |page: u64, per_page: u64| {
            let client = shared.clone();
            Box::pin(async move { fetch_actions(client, image_id, page, per_page).await }) as _
        });
        PageStream::new(client, fetch, self.per_page, self.fetch_ahead, invalid)
    }

    /// Every action, in a `Vec`; the first error fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<Action>> {
        self.stream().try_collect().await
    }
}

async fn fetch_actions(
    client: Client,
    image_id: u64,
    page: u64,
    per_page: u64,
) -> Result<Page<Action>> {
    let request = client
        .api()
        .image_actions_list()
        .image_id(image_id)
        .page(page)
        .per_page(per_page);
    let answer = client.send(request.send()).await?;
    Ok(Page {
        number: page,
        items: answer.actions,
        total: u64::try_from(answer.meta.total).unwrap_or(0),
        links: answer
            .links
            .and_then(|links| links.pages)
            .unwrap_or_default(),
    })
}

/// Starts an action, from [`Actions::transfer`] or [`Actions::convert`].
#[derive(Debug)]
pub struct PostAction {
    client: Client,
    image_id: Result<u64>,
    body: Result<ImageActionRequest>,
}

impl PostAction {
    /// Sends the request (retried only when the API provably did not act on
    /// it, so the action is never started twice).
    pub async fn send(self) -> Result<StartedAction> {
        let image_id = self.image_id?;
        let body = self.body?;
        let api = self.client.api();
        let envelope = self
            .client
            .send(
                api.image_actions_post()
                    .image_id(image_id)
                    .body(body)
                    .send(),
            )
            .await?;
        Ok(StartedAction {
            action: envelope.action,
            image_id,
            client: self.client,
        })
    }
}

/// A just-started action. Derefs to the [`Action`]; `.wait()` polls until
/// it is done.
#[derive(Clone, Debug)]
pub struct StartedAction {
    /// The action as the API answered.
    pub action: Action,
    image_id: u64,
    client: Client,
}

impl Deref for StartedAction {
    type Target = Action;
    fn deref(&self) -> &Action {
        &self.action
    }
}

impl StartedAction {
    /// Waits until the action is completed; see [`Actions::wait_until_done`].
    pub async fn wait(self, options: WaitOptions) -> Result<Action> {
        let action_id = self.action.id.ok_or_else(|| Error::Decode {
            status: 201,
            excerpt: String::new(),
            reason: "the started action has no id".into(),
            request_id: None,
        })?;
        self.client
            .actions(self.image_id)
            .wait_until_done(action_id, options)
            .await
    }

    /// The action as the API answered.
    pub fn into_inner(self) -> Action {
        self.action
    }
}

/// Gets one action, from [`Actions::get`].
#[derive(Debug)]
pub struct GetAction {
    client: Client,
    image_id: Result<u64>,
    action_id: Result<u64>,
}

impl GetAction {
    /// Sends the request.
    pub async fn send(self) -> Result<Action> {
        let image_id = self.image_id?;
        let action_id = self.action_id?;
        let api = self.client.api();
        let envelope = self
            .client
            .send(
                api.image_actions_get()
                    .image_id(image_id)
                    .action_id(action_id)
                    .send(),
            )
            .await?;
        Ok(envelope.action)
    }
}
