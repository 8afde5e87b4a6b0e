//! The operations on an image's actions: `client.actions(image_id)`.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use do_images_api::open_enums::{ActionStatus, RegionSlug};
use do_images_api::types::{
    Action, ActionEnvelope, ImageActionConvert, ImageActionConvertType, ImageActionRequest,
    ImageActionTransfer, ImageActionTransferType,
};
use futures::TryStreamExt;
use serde_json::Value;

use crate::client::{Client, InvalidId, member, positive_id};
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
            |envelope: &ActionEnvelope| classify_action(envelope.action.status.clone()),
        )
        .await
        .map(|envelope| envelope.action)
    }

    /// Like [`wait_until_done`](Self::wait_until_done), but returns the
    /// action of the last poll as the API sent it (see
    /// [`GetAction::send_json`]). The status is read from each answer's
    /// `status` field.
    pub async fn wait_until_done_json<I>(&self, action_id: I, options: WaitOptions) -> Result<Value>
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
                client.send_json(
                    client
                        .api()
                        .image_actions_get()
                        .image_id(image_id)
                        .action_id(action_id)
                        .send(),
                    member("action"),
                )
            },
            |action: &Value| {
                let status = action.get("status").and_then(Value::as_str);
                classify_action(status.map(ActionStatus::from))
            },
        )
        .await
    }
}

fn classify_action(status: Option<ActionStatus>) -> (String, State) {
    let shown = status
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string());
    let state = match status {
        Some(ActionStatus::Completed) => State::Done,
        Some(ActionStatus::Errored) => State::Failed(None),
        _ => State::Pending(None),
    };
    (shown, state)
}

/// A listing of an image's actions, from [`Actions::list`]: typed with
/// [`stream`](Self::stream), [`pages`](Self::pages) and
/// [`collect_all`](Self::collect_all), as the API sent them with
/// [`stream_json`](Self::stream_json), [`pages_json`](Self::pages_json) and
/// [`collect_all_json`](Self::collect_all_json).
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

    /// How many pages to request ahead (default [`DEFAULT_FETCH_AHEAD`]; 0 is sequential).
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
        self.paged(|client, image_id, page, per_page| async move {
            let answer = client
                .send(actions_request(&client, image_id, page, per_page).send())
                .await?;
            Ok(Page {
                number: page,
                items: answer.actions,
                total: u64::try_from(answer.meta.total).unwrap_or(0),
                links: answer
                    .links
                    .and_then(|links| links.pages)
                    .unwrap_or_default(),
            })
        })
    }

    /// A lazy stream of every action as the API sent it: each item is the
    /// JSON object exactly as it stands in its page's `actions` array, with
    /// every field, `null`s, empty arrays and fields this crate does not
    /// know. Pages are followed, fetched ahead and checked like
    /// [`stream`](Self::stream)'s.
    pub fn stream_json(self) -> ItemStream<Value> {
        self.pages_json().items()
    }

    /// A lazy stream of pages whose items are the JSON objects as the API
    /// sent them (see [`stream_json`](Self::stream_json)).
    pub fn pages_json(self) -> PageStream<Value> {
        self.paged(|client, image_id, page, per_page| async move {
            client
                .send_json(
                    actions_request(&client, image_id, page, per_page).send(),
                    |body| Page::from_json(page, "actions", body),
                )
                .await
        })
    }

    /// Every action as the API sent it, in a `Vec`; the first error fails
    /// the whole call.
    pub async fn collect_all_json(self) -> Result<Vec<Value>> {
        self.stream_json().try_collect().await
    }

    /// The page stream that gets each page with `fetch(client, image_id,
    /// page, per_page)`.
    fn paged<T, F, Fut>(self, fetch: F) -> PageStream<T>
    where
        T: Send + 'static,
        F: Fn(Client, u64, u64, u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let (image_id, invalid) = match (self.image_id, check_per_page(self.per_page)) {
            (Ok(id), Ok(_)) => (id, None),
            (Err(error), _) | (_, Err(error)) => (0, Some(error)),
        };
        let client = self.client.clone();
        let shared = client.clone();
        let fetch = Arc::new(move |page: u64, per_page: u64| {
            Box::pin(fetch(shared.clone(), image_id, page, per_page)) as _
        });
        PageStream::new(client, fetch, self.per_page, self.fetch_ahead, invalid)
    }

    /// Every action, in a `Vec`; the first error fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<Action>> {
        self.stream().try_collect().await
    }
}

/// The request for one page of an image's actions.
fn actions_request(
    client: &Client,
    image_id: u64,
    page: u64,
    per_page: u64,
) -> do_images_api::builder::ImageActionsList<'_> {
    client
        .api()
        .image_actions_list()
        .image_id(image_id)
        .page(page)
        .per_page(per_page)
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

    /// Sends the request like [`send`](Self::send) and returns the started
    /// action as the API sent it (see [`GetAction::send_json`]). Its `id` is
    /// what [`Actions::wait_until_done_json`] waits for.
    pub async fn send_json(self) -> Result<Value> {
        let image_id = self.image_id?;
        let body = self.body?;
        let api = self.client.api();
        self.client
            .send_json(
                api.image_actions_post()
                    .image_id(image_id)
                    .body(body)
                    .send(),
                member("action"),
            )
            .await
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

    /// Sends the request and returns the action as the API sent it: the
    /// `action` object of the answer, exactly, with every field, `null`s,
    /// empty arrays and fields this crate does not know.
    pub async fn send_json(self) -> Result<Value> {
        let image_id = self.image_id?;
        let action_id = self.action_id?;
        let api = self.client.api();
        self.client
            .send_json(
                api.image_actions_get()
                    .image_id(image_id)
                    .action_id(action_id)
                    .send(),
                member("action"),
            )
            .await
    }
}
