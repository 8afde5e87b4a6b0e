//! Waiting for an image or an action, and the handles of work just started:
//! one implementation for both, parameterised by what is polled.

use std::fmt;
use std::ops::Deref;

use do_images_api::open_enums::{ActionStatus, ImageStatus};
use do_images_api::types::{ActionEnvelope, ImageEnvelope};
use serde_json::Value;

use crate::answer::{Call, Envelope, Field, Output, Received};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::wait::{State, WaitOptions, wait_for};

/// What a waiter polls: an image ([`ImageTarget`]) or an action
/// ([`ActionTarget`]). Sealed.
pub trait Target: sealed::Poll {}

impl Target for ImageTarget {}
impl Target for ActionTarget {}

/// The image a waiter polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageTarget {
    /// The image's id.
    pub id: u64,
}

/// The action a waiter polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionTarget {
    /// The id of the image the action works on.
    pub image_id: u64,
    /// The action's id.
    pub id: u64,
}

pub(crate) mod sealed {
    use super::*;

    /// How one kind of resource is polled and read.
    pub trait Poll: Copy + fmt::Debug + Send + Sync + 'static {
        /// The answer to a poll.
        type Envelope: Envelope;
        /// What the resource is called in errors.
        const RESOURCE: &'static str;
        /// The id errors name.
        fn id(&self) -> u64;
        /// One poll.
        fn get<'a>(&self, api: &'a do_images_api::Client) -> Call<'a, Self::Envelope>;
        /// The status to show and the state, from the answer's `status` and
        /// `error_message`.
        fn state(status: Option<&str>, error_message: Option<&str>) -> (String, State);
    }

    impl Poll for ImageTarget {
        type Envelope = ImageEnvelope;
        const RESOURCE: &'static str = "image";
        fn id(&self) -> u64 {
            self.id
        }
        fn get<'a>(&self, api: &'a do_images_api::Client) -> Call<'a, ImageEnvelope> {
            let request = api.images_get().image_id(self.id);
            Call::new(request.clone().send(), request.send_json())
        }
        fn state(status: Option<&str>, error_message: Option<&str>) -> (String, State) {
            let message = error_message.filter(|m| !m.is_empty()).map(str::to_string);
            let state = match status.map(ImageStatus::from) {
                Some(ImageStatus::Available) => State::Done,
                Some(ImageStatus::Deleted | ImageStatus::Retired) => State::Failed(message),
                _ => State::Pending(message),
            };
            (status.unwrap_or("unknown").to_string(), state)
        }
    }

    impl Poll for ActionTarget {
        type Envelope = ActionEnvelope;
        const RESOURCE: &'static str = "action";
        fn id(&self) -> u64 {
            self.id
        }
        fn get<'a>(&self, api: &'a do_images_api::Client) -> Call<'a, ActionEnvelope> {
            let request = api.image_actions_get().image_id(self.image_id);
            let request = request.action_id(self.id);
            Call::new(request.clone().send(), request.send_json())
        }
        fn state(status: Option<&str>, _: Option<&str>) -> (String, State) {
            let state = match status.map(ActionStatus::from) {
                Some(ActionStatus::Completed) => State::Done,
                Some(ActionStatus::Errored) => State::Failed(None),
                _ => State::Pending(None),
            };
            (status.unwrap_or("unknown").to_string(), state)
        }
    }
}

/// The model a target's polls answer with.
type ModelOf<K> = <<K as sealed::Poll>::Envelope as Envelope>::Item;

/// A wait for an image or an action to settle, from
/// [`Images::wait_until_available`](crate::Images::wait_until_available) or
/// [`Actions::wait_until_done`](crate::Actions::wait_until_done). End it
/// with [`send`](Self::send) (the model), [`send_json`](Self::send_json)
/// (the object exactly as the API sent it) or [`send_as`](Self::send_as).
#[derive(Debug)]
pub struct Wait<K> {
    client: Client,
    target: Result<K>,
    options: WaitOptions,
}

impl<K: Target> Wait<K> {
    pub(crate) fn new(client: Client, target: Result<K>, options: WaitOptions) -> Self {
        Self {
            client,
            target,
            options,
        }
    }

    /// Polls until the resource settles; the answer is the model of the
    /// last poll.
    pub async fn send(self) -> Result<ModelOf<K>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the last poll's object exactly as the API
    /// sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the last poll read as `T` (see
    /// [`Output`]). The status is read from each answer whatever `T`.
    pub async fn send_as<T: Output<ModelOf<K>>>(self) -> Result<T> {
        let target = self.target?;
        let client = &self.client;
        let poll = || async move {
            let answer: T = T::object(client, target.get(client.api())).await?;
            let (shown, state) = K::state(
                answer.text(Field::Status).as_deref(),
                answer.text(Field::ErrorMessage).as_deref(),
            );
            Ok((shown, state, answer))
        };
        wait_for(client, &self.options, K::RESOURCE, target.id(), poll).await
    }
}

/// Work just started: an import ([`CreatedImage`](crate::CreatedImage)) or
/// an action ([`StartedAction`](crate::StartedAction)). Derefs to the
/// answer (read as `T`); `.wait()` polls until the work is done.
#[derive(Clone, Debug)]
pub struct Started<K, T> {
    answer: T,
    target: K,
    client: Client,
}

impl<K: Target, T: Output<ModelOf<K>>> Started<K, T> {
    /// The handle of `answer` (received as `received` says), whose id
    /// `target` turns into what a waiter polls. The models always carry an
    /// id; an object read as JSON without one, or with id 0, is a decoding
    /// error: the request was sent, so it is the answer that is wrong, not
    /// the caller's input.
    pub(crate) fn new(
        client: Client,
        received: &Received,
        answer: T,
        target: impl FnOnce(u64) -> K,
    ) -> Result<Self> {
        let (status, request_id) = received.get();
        let wrong_id = |problem: &str| Error::Decode {
            status,
            excerpt: String::new(),
            reason: format!(
                "{problem}: the new {} needs a positive integer id; the request was sent and \
                 may have started the work",
                K::RESOURCE
            ),
            request_id: request_id.clone(),
        };
        let id = match answer.id() {
            None => return Err(wrong_id("missing field `id`")),
            Some(0) => return Err(wrong_id("id 0")),
            Some(id) => id,
        };
        Ok(Self {
            answer,
            target: target(id),
            client,
        })
    }

    /// The new resource's id.
    pub fn id(&self) -> u64 {
        self.target.id()
    }

    /// Waits until the work is done; see [`Wait`].
    pub async fn wait(self, options: WaitOptions) -> Result<T> {
        Wait::new(self.client, Ok(self.target), options)
            .send_as()
            .await
    }

    /// The answer to the request that started the work.
    pub fn into_inner(self) -> T {
        self.answer
    }
}

impl<K, T> Deref for Started<K, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.answer
    }
}
