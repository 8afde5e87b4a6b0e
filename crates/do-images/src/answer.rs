//! What an answer is read as, chosen once at the terminal call.
//!
//! A builder's `send()` (a listing's `stream()`, a waiter's `send()`) gives
//! the model, decoded by the generated client; `send_json()` (`stream_json()`)
//! gives [`serde_json::Value`], the object exactly as the API sent it (every
//! field, `null`s, key order, fields the spec does not know); `send_as::<T>()`
//! takes either, or `Box<RawValue>` (the object's JSON text as sent, never
//! parsed into a map: for code that only passes it on), as a type parameter.
//! [`Output`] is what these terminals accept.
//!
//! The envelopes around the objects (`{"image": ...}`, a page's items,
//! `meta` and `links`) are unwrapped by [`Envelope`] and [`PageBody`], which
//! the generated answer types implement.

use do_images_api::ResponseValue;
use do_images_api::types::{
    Action, ActionEnvelope, ActionsPage, Image, ImageEnvelope, ImagesPage, PageLinks,
    PageLinksPages,
};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::{ApiError, Client};
use crate::error::{Error, Result};
use crate::paginate::Page;

/// A generated answer that wraps one object, such as
/// `{"image": {...}}`.
pub trait Envelope: DeserializeOwned + Send + 'static {
    /// The model inside.
    type Item: Model;
    /// The member that holds it.
    const KEY: &'static str;
    /// The object inside.
    fn into_item(self) -> Self::Item;
}

impl Envelope for ImageEnvelope {
    type Item = Image;
    const KEY: &'static str = "image";
    fn into_item(self) -> Image {
        self.image
    }
}

impl Envelope for ActionEnvelope {
    type Item = Action;
    const KEY: &'static str = "action";
    fn into_item(self) -> Action {
        self.action
    }
}

/// A generated page of a listing: its items, `meta.total` and
/// `links.pages`.
pub trait PageBody: DeserializeOwned + Send + 'static {
    /// The model of one item.
    type Item: Model;
    /// The member that holds the items, such as `images`.
    const ITEMS_KEY: &'static str;
    /// The items, the total and the links.
    fn into_parts(self) -> (Vec<Self::Item>, u64, PageLinksPages);
}

/// `links.pages`, empty when absent.
fn pages_of(links: Option<PageLinks>) -> PageLinksPages {
    links.and_then(|links| links.pages).unwrap_or_default()
}

impl PageBody for ImagesPage {
    type Item = Image;
    const ITEMS_KEY: &'static str = "images";
    fn into_parts(self) -> (Vec<Image>, u64, PageLinksPages) {
        (self.images, self.meta.total, pages_of(self.links))
    }
}

impl PageBody for ActionsPage {
    type Item = Action;
    const ITEMS_KEY: &'static str = "actions";
    fn into_parts(self) -> (Vec<Action>, u64, PageLinksPages) {
        (self.actions, self.meta.total, pages_of(self.links))
    }
}

/// A field that waiters and searches read, whatever the result type
/// (unnameable outside this crate).
#[derive(Clone, Copy, Debug)]
pub enum Field {
    /// `name`.
    Name,
    /// `status`.
    Status,
    /// `error_message`.
    ErrorMessage,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Status => "status",
            Self::ErrorMessage => "error_message",
        }
    }
}

/// A model of the API: [`Image`] or [`Action`].
pub trait Model: DeserializeOwned + Send + 'static + sealed::Known {}

impl Model for Image {}
impl Model for Action {}

/// What the answer about a model `M` is read as: `M` itself, through the
/// generated client's decoder; [`serde_json::Value`], the object as the API
/// sent it; or `Box<RawValue>`, the same object as its JSON text, exactly
/// the bytes the API sent, checked to be JSON but never parsed into a map
/// (the cheapest way to pass a listing on). Sealed: these three are the
/// choices.
pub trait Output<M: Model>: sealed::Read<M> {}

impl<M: Model> Output<M> for M {}
impl<M: Model> Output<M> for Value {}
impl<M: Model> Output<M> for Box<RawValue> {}

/// What one generated call answers with.
type Answered<R> = std::result::Result<ResponseValue<R>, ApiError>;

/// One request of the generated client, both ways it can be read: its
/// `send()`, which decodes the model, and its `send_json()`, which keeps
/// the success body as JSON text. Futures are lazy: the one the
/// result type picks is sent, the other is dropped unpolled. (Unnameable
/// outside this crate.)
pub struct Call<'a, R> {
    send: BoxFuture<'a, Answered<R>>,
    send_json: BoxFuture<'a, Answered<Box<RawValue>>>,
}

impl<'a, R> Call<'a, R> {
    /// The `send()` and `send_json()` of the same generated builder.
    pub(crate) fn new(
        send: impl Future<Output = Answered<R>> + Send + 'a,
        send_json: impl Future<Output = Answered<Box<RawValue>>> + Send + 'a,
    ) -> Self {
        Self {
            send: Box::pin(send),
            send_json: Box::pin(send_json),
        }
    }
}

impl<'a, R: Send + 'a> Call<'a, R> {
    /// The same call, noting in `received` the status and request id of
    /// its successful answer, whichever way it is read.
    pub(crate) fn noting(self, received: &'a Received) -> Self {
        Self::new(noted(self.send, received), noted(self.send_json, received))
    }
}

/// The HTTP status and `x-request-id` of a successful answer, noted by
/// [`Call::noting`] for errors found in the object afterwards.
#[derive(Debug, Default)]
pub(crate) struct Received(OnceLock<(u16, Option<String>)>);

impl Received {
    /// The status (0 before an answer) and the request id.
    pub(crate) fn get(&self) -> (u16, Option<String>) {
        self.0.get().cloned().unwrap_or_default()
    }
}

/// Runs `call`, noting the status and request id of its answer in
/// `received`.
async fn noted<R>(call: BoxFuture<'_, Answered<R>>, received: &Received) -> Answered<R> {
    let answer = call.await;
    if let Ok(answer) = &answer {
        let request_id = crate::error::request_id_header(answer.headers());
        let _ = received.0.set((answer.status().as_u16(), request_id));
    }
    answer
}

pub(crate) mod sealed {
    use super::*;

    /// The models, and what they tell waiters and searches.
    pub trait Known {
        fn text(&self, field: Field) -> Option<&str>;
        fn id(&self) -> u64;
    }

    impl Known for Image {
        fn text(&self, field: Field) -> Option<&str> {
            match field {
                Field::Name => Some(&self.name),
                Field::Status => Some(self.status.as_str()),
                Field::ErrorMessage => Some(&self.error_message),
            }
        }
        fn id(&self) -> u64 {
            self.id
        }
    }

    impl Known for Action {
        fn text(&self, field: Field) -> Option<&str> {
            match field {
                Field::Status => Some(self.status.as_str()),
                Field::Name | Field::ErrorMessage => None,
            }
        }
        fn id(&self) -> u64 {
            self.id
        }
    }

    /// How each result type is read from a call.
    pub trait Read<M>: Send + Sized + 'static {
        /// The object of an envelope.
        fn object<'a, E: Envelope<Item = M>>(
            client: &'a Client,
            call: Call<'a, E>,
        ) -> BoxFuture<'a, Result<Self>>;
        /// A page, which is page `number` of pages of `per_page` items.
        fn page<'a, P: PageBody<Item = M>>(
            client: &'a Client,
            call: Call<'a, P>,
            number: u64,
            per_page: u64,
        ) -> BoxFuture<'a, Result<Page<Self>>>;
        /// A text field, when it is there.
        fn text(&self, field: Field) -> Option<Cow<'_, str>>;
        /// The object's id, when it is there.
        fn id(&self) -> Option<u64>;
    }

    impl<M: Model> Read<M> for M {
        fn object<'a, E: Envelope<Item = M>>(
            client: &'a Client,
            call: Call<'a, E>,
        ) -> BoxFuture<'a, Result<Self>> {
            Box::pin(async move { Ok(client.call(call.send).await?.into_item()) })
        }
        fn page<'a, P: PageBody<Item = M>>(
            client: &'a Client,
            call: Call<'a, P>,
            number: u64,
            per_page: u64,
        ) -> BoxFuture<'a, Result<Page<Self>>> {
            Box::pin(async move {
                let first = (number - 1).saturating_mul(per_page).saturating_add(1);
                let body = client
                    .call_described(call.send, |bytes| bad_item::<M>(bytes, P::ITEMS_KEY, first))
                    .await?;
                let (items, total, links) = body.into_parts();
                Ok(Page {
                    number,
                    items,
                    total,
                    links,
                })
            })
        }
        fn text(&self, field: Field) -> Option<Cow<'_, str>> {
            Known::text(self, field).map(Cow::Borrowed)
        }
        fn id(&self) -> Option<u64> {
            Some(Known::id(self))
        }
    }

    impl<M: Model> Read<M> for Value {
        fn object<'a, E: Envelope<Item = M>>(
            client: &'a Client,
            call: Call<'a, E>,
        ) -> BoxFuture<'a, Result<Self>> {
            Box::pin(read_json(client, call.send_json, |body| {
                raw_member(body, E::KEY).and_then(|object| parsed(&object))
            }))
        }
        fn page<'a, P: PageBody<Item = M>>(
            client: &'a Client,
            call: Call<'a, P>,
            number: u64,
            _per_page: u64,
        ) -> BoxFuture<'a, Result<Page<Self>>> {
            Box::pin(read_json(client, call.send_json, move |body| {
                let page = raw_page(body, P::ITEMS_KEY, number)?;
                let items = page.items.iter().map(|item| parsed(item));
                Ok(Page {
                    items: items.collect::<std::result::Result<_, _>>()?,
                    number: page.number,
                    total: page.total,
                    links: page.links,
                })
            }))
        }
        fn text(&self, field: Field) -> Option<Cow<'_, str>> {
            self.get(field.key())
                .and_then(Value::as_str)
                .map(Cow::Borrowed)
        }
        fn id(&self) -> Option<u64> {
            self.get("id").and_then(Value::as_u64)
        }
    }

    impl<M: Model> Read<M> for Box<RawValue> {
        fn object<'a, E: Envelope<Item = M>>(
            client: &'a Client,
            call: Call<'a, E>,
        ) -> BoxFuture<'a, Result<Self>> {
            Box::pin(read_json(client, call.send_json, |body| {
                raw_member(body, E::KEY)
            }))
        }
        fn page<'a, P: PageBody<Item = M>>(
            client: &'a Client,
            call: Call<'a, P>,
            number: u64,
            _per_page: u64,
        ) -> BoxFuture<'a, Result<Page<Self>>> {
            Box::pin(read_json(client, call.send_json, move |body| {
                raw_page(body, P::ITEMS_KEY, number)
            }))
        }
        /// Reads the object's members for the one field: waiters and
        /// searches ask rarely, copies never.
        fn text(&self, field: Field) -> Option<Cow<'_, str>> {
            let value = raw_members(self).ok()?.remove(field.key())?;
            serde_json::from_str::<String>(value.get())
                .ok()
                .map(Cow::Owned)
        }
        fn id(&self) -> Option<u64> {
            let value = raw_members(self).ok()?.remove("id")?;
            serde_json::from_str(value.get()).ok()
        }
    }
}

/// Runs the `send_json()` of a generated call and reads its JSON text with
/// `read`; what `read` refuses is a decoding error with the call's record.
async fn read_json<T>(
    client: &Client,
    call: BoxFuture<'_, Answered<Box<RawValue>>>,
    read: impl FnOnce(&RawValue) -> std::result::Result<T, String>,
) -> Result<T> {
    let (body, record) = client.call_json(call).await?;
    read(&body).map_err(|reason| Error::decode(&record, &[], reason))
}

/// The JSON text `body` parsed into a [`Value`].
fn parsed(body: &RawValue) -> std::result::Result<Value, String> {
    serde_json::from_str(body.get()).map_err(|e| e.to_string())
}

/// The members of the JSON object `body`, each as its text.
fn raw_members(body: &RawValue) -> std::result::Result<BTreeMap<String, &RawValue>, String> {
    serde_json::from_str(body.get()).map_err(|_| "the answer is not a JSON object".to_string())
}

/// The object under `key` of an envelope, as its text; it must be an
/// object.
fn raw_member(body: &RawValue, key: &str) -> std::result::Result<Box<RawValue>, String> {
    let object = raw_members(body)?
        .remove(key)
        .ok_or_else(|| format!("missing field `{key}`"))?;
    if !object.get().starts_with('{') {
        return Err(format!("`{key}` is not an object"));
    }
    Ok(object.to_owned())
}

/// A page kept as text: each item's JSON exactly as sent, `meta.total` and
/// `links.pages` checked as the typed page checks them.
fn raw_page(
    body: &RawValue,
    items_key: &str,
    number: u64,
) -> std::result::Result<Page<Box<RawValue>>, String> {
    let mut members = raw_members(body)?;
    let items = members
        .remove(items_key)
        .ok_or_else(|| format!("missing field `{items_key}`"))?;
    let items: Vec<Box<RawValue>> =
        serde_json::from_str(items.get()).map_err(|_| format!("`{items_key}` is not an array"))?;
    let meta = members.remove("meta").ok_or("missing field `meta`")?;
    let meta: do_images_api::types::Meta =
        serde_json::from_str(meta.get()).map_err(|e| format!("`meta`: {e}"))?;
    let links = match members.remove("links") {
        Some(links) => serde_json::from_str::<Option<PageLinks>>(links.get())
            .map_err(|e| format!("`links`: {e}"))?,
        None => None,
    };
    Ok(Page {
        number,
        items,
        total: meta.total,
        links: pages_of(links),
    })
}

/// Why a page's body does not fit its model, naming the first item that
/// does not (its position in the listing, counting from `first`, its id
/// when it has one, and the field), or `None` when the items are fine and
/// the page itself is at fault.
fn bad_item<M: Model>(body: &[u8], items_key: &str, first: u64) -> Option<(String, String)> {
    let page: Value = serde_json::from_slice(body).ok()?;
    let items = page.get(items_key)?.as_array()?;
    items.iter().zip(first..).find_map(|(item, position)| {
        let error = serde_path_to_error::deserialize::<_, M>(item).err()?;
        let id = match item.get("id") {
            Some(Value::Number(id)) => format!(" (id {id})"),
            Some(Value::String(id)) => format!(" (id {id:?})"),
            _ => String::new(),
        };
        let field = match error.path().to_string().as_str() {
            "." => String::new(),
            path => format!("field `{path}`: "),
        };
        let reason = format!(
            "item {position} of the listing{id} cannot be decoded: {field}{}",
            error.inner()
        );
        Some((reason, item.to_string()))
    })
}
