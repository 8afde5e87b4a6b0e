//! Waiting for an image or an action, and the handles of work just started:
//! one implementation for both, parameterised by what is polled.

use std::fmt;
use std::ops::Deref;

use do_images_api::open_enums::{ActionStatus, ImageStatus};
use do_images_api::types::{Action, ActionEnvelope, Image, ImageEnvelope};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::call::{Answer, model_or};
use crate::client::{Checked, Client};
use crate::error::Result;
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
        /// The model a poll answers with.
        type Model: DeserializeOwned + Send + 'static;
        /// The generated answer around it, generic over how it is read.
        type Envelope<T: DeserializeOwned>: DeserializeOwned;
        /// What the resource is called in errors.
        const RESOURCE: &'static str;
        /// The id errors name.
        fn id(&self) -> u64;
        /// The object inside an answer.
        fn object<T: DeserializeOwned>(envelope: Self::Envelope<T>) -> T;
        /// One poll.
        fn get<'a>(&self, api: &'a do_images_api::Client) -> impl do_images_api::Operation + 'a;
        /// The id of the model.
        fn id_of(model: &Self::Model) -> u64;
        /// The status to show and the state.
        fn state(model: &Self::Model) -> (String, State);
    }

    impl Poll for ImageTarget {
        type Model = Image;
        type Envelope<T: DeserializeOwned> = ImageEnvelope<T>;
        const RESOURCE: &'static str = "image";
        fn id(&self) -> u64 {
            self.id
        }
        fn object<T: DeserializeOwned>(envelope: ImageEnvelope<T>) -> T {
            envelope.image
        }
        fn get<'a>(&self, api: &'a do_images_api::Client) -> impl do_images_api::Operation + 'a {
            api.images_get().image_id(self.id)
        }
        fn id_of(image: &Image) -> u64 {
            image.id
        }
        fn state(image: &Image) -> (String, State) {
            let message = Some(image.error_message.clone()).filter(|m| !m.is_empty());
            let state = match image.status {
                ImageStatus::Available => State::Done,
                ImageStatus::Deleted | ImageStatus::Retired => State::Failed(message),
                _ => State::Pending(message),
            };
            (image.status.as_str().to_string(), state)
        }
    }

    impl Poll for ActionTarget {
        type Model = Action;
        type Envelope<T: DeserializeOwned> = ActionEnvelope<T>;
        const RESOURCE: &'static str = "action";
        fn id(&self) -> u64 {
            self.id
        }
        fn object<T: DeserializeOwned>(envelope: ActionEnvelope<T>) -> T {
            envelope.action
        }
        fn get<'a>(&self, api: &'a do_images_api::Client) -> impl do_images_api::Operation + 'a {
            let request = api.image_actions_get().image_id(self.image_id);
            request.action_id(self.id)
        }
        fn id_of(action: &Action) -> u64 {
            action.id
        }
        fn state(action: &Action) -> (String, State) {
            let state = match action.status {
                ActionStatus::Completed => State::Done,
                ActionStatus::Errored => State::Failed(None),
                _ => State::Pending(None),
            };
            (action.status.as_str().to_string(), state)
        }
    }
}

/// The object inside `answer`, read as `T`.
fn object<K: sealed::Poll, T: DeserializeOwned>(answer: &Answer) -> Result<T> {
    answer.decode::<K::Envelope<T>>().map(K::object)
}

/// A wait for an image or an action to settle, from
/// [`Images::wait_until_available`](crate::Images::wait_until_available) or
/// [`Actions::wait_until_done`](crate::Actions::wait_until_done). End it
/// with [`send`](Self::send) (the model), [`send_json`](Self::send_json)
/// (the object exactly as the API sent it) or [`send_as`](Self::send_as).
#[derive(Debug)]
pub struct Wait<K> {
    client: Client,
    target: Checked<K>,
    options: WaitOptions,
}

impl<K: Target> Wait<K> {
    pub(crate) fn new(client: Client, target: Checked<K>, options: WaitOptions) -> Self {
        Self {
            client,
            target,
            options,
        }
    }

    /// Polls until the resource settles; the answer is the model of the
    /// last poll.
    pub async fn send(self) -> Result<K::Model> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the last poll's object as the API sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the last poll's object read as `T`
    /// ([readings](crate)); each poll is read as the model, for its status.
    pub async fn send_as<T: DeserializeOwned + Send + 'static>(self) -> Result<T> {
        let target = self.target?;
        let client = &self.client;
        let poll = || async move {
            let answer = client.answer(target.get(client.api())).await?;
            let model = object::<K, K::Model>(&answer)?;
            let (shown, state) = K::state(&model);
            Ok((shown, state, (answer, model)))
        };
        let (answer, model) =
            wait_for(client, &self.options, K::RESOURCE, target.id(), poll).await?;
        model_or(model, || object::<K, T>(&answer))
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

impl<K: Target, T: DeserializeOwned + Send + 'static> Started<K, T> {
    /// The handle of the work `answer` reports, whose id `target` turns
    /// into what a waiter polls. The object is read as the model (for its
    /// id) and as `T`; an id 0 is a decoding error: the request was sent,
    /// so it is the answer that is wrong, not the caller's input.
    pub(crate) fn new(
        client: Client,
        answer: &Answer,
        target: impl FnOnce(u64) -> K,
    ) -> Result<Self> {
        let model = object::<K, K::Model>(answer)?;
        let id = K::id_of(&model);
        if id == 0 {
            return Err(answer.error(
                0,
                format!(
                    "id 0: the new {} needs a positive integer id; the request was sent and \
                     may have started the work",
                    K::RESOURCE
                ),
            ));
        }
        let answer = model_or(model, || object::<K, T>(answer))?;
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
