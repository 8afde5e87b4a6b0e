//! The one listing builder: [`List`], for images, actions and any later
//! listing.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use do_images_api::types;
use futures::TryStreamExt;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::decode;
use crate::error::Result;
use crate::paginate::{
    DEFAULT_FETCH_AHEAD, DEFAULT_PER_PAGE, ItemStream, Page, PageStream, check_per_page,
};

/// The request for one page, as the generated client sends it; its typed
/// answer is not used (the body is decoded by [`List`]).
pub type PageRequest<'a> =
    BoxFuture<'a, std::result::Result<(), do_images_api::Error<types::Error>>>;

/// A generated `.send()` as a [`PageRequest`].
pub fn page_request<'a, R: Send + 'a>(
    send: impl Future<Output = std::result::Result<R, do_images_api::Error<types::Error>>> + Send + 'a,
) -> PageRequest<'a> {
    Box::pin(async move { send.await.map(drop) })
}

/// What a listing asks the API for: the operation and its filters. [`List`]
/// does the rest (pages, fetch-ahead, checks, decoding). Implement it for a
/// listing operation of the generated client that has no builder here yet.
pub trait Listing: Clone + fmt::Debug + Send + Sync + 'static {
    /// The model of one item, the default result type.
    type Item: DeserializeOwned + Send + 'static;
    /// The member of a page that holds the items, such as `images`.
    const ITEMS_KEY: &'static str;
    /// Sends the request for page `page` of `per_page` items.
    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> PageRequest<'a>;
    /// Checks the filters before anything is sent.
    fn check(&self) -> Result<()>;
}

/// A listing: set its options, choose the result type with
/// [`output`](Self::output), then iterate with [`stream`](Self::stream),
/// [`pages`](Self::pages) or [`collect_all`](Self::collect_all).
///
/// Items are decoded into `T`: the model by default ([`Image`](crate::Image),
/// [`Action`](crate::Action)), [`serde_json::Value`] for each object exactly
/// as the API sent it (every field, `null`s, fields the spec does
/// not know), or `Box<serde_json::value::RawValue>` for its bytes, untouched.
/// Whatever `T`, the requests, retries, fetch-ahead and checks are the same;
/// see the [`paginate`](crate::paginate) module.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// let mut images = client.images().list().private(true).output::<serde_json::Value>().stream();
/// while let Some(image) = images.try_next().await? {
///     println!("{image}");
/// }
/// # Ok(()) }
/// ```
pub struct List<Q, T> {
    client: Client,
    pub(crate) query: Q,
    per_page: u64,
    fetch_ahead: usize,
    output: PhantomData<fn() -> T>,
}

impl<Q: Clone, T> Clone for List<Q, T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            query: self.query.clone(),
            per_page: self.per_page,
            fetch_ahead: self.fetch_ahead,
            output: PhantomData,
        }
    }
}

impl<Q: fmt::Debug, T> fmt::Debug for List<Q, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("query", &self.query)
            .field("per_page", &self.per_page)
            .field("fetch_ahead", &self.fetch_ahead)
            .field("output", &std::any::type_name::<T>())
            .finish()
    }
}

impl<Q: Listing> List<Q, Q::Item> {
    /// A listing of `query`, 200 items a page, fetched ahead.
    pub fn new(client: Client, query: Q) -> Self {
        Self {
            client,
            query,
            per_page: DEFAULT_PER_PAGE,
            fetch_ahead: DEFAULT_FETCH_AHEAD,
            output: PhantomData,
        }
    }
}

impl<Q, T> List<Q, T> {
    /// Items per request, 1 to 200 (default 200).
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = per_page;
        self
    }

    /// How many pages to request ahead of the caller (default
    /// [`DEFAULT_FETCH_AHEAD`]; 0 fetches one page after another).
    pub fn fetch_ahead(mut self, pages: usize) -> Self {
        self.fetch_ahead = pages;
        self
    }

    /// The same listing, its items decoded into `U` (see [`List`]).
    pub fn output<U>(self) -> List<Q, U> {
        List {
            client: self.client,
            query: self.query,
            per_page: self.per_page,
            fetch_ahead: self.fetch_ahead,
            output: PhantomData,
        }
    }
}

impl<Q: Listing, T: DeserializeOwned + Send + 'static> List<Q, T> {
    /// A lazy stream of every item.
    pub fn stream(self) -> ItemStream<T> {
        self.pages().items()
    }

    /// A lazy stream of pages.
    pub fn pages(self) -> PageStream<T> {
        let invalid = self
            .query
            .check()
            .and_then(|()| check_per_page(self.per_page))
            .err();
        let client = self.client.clone();
        let query = Arc::new(self.query);
        let fetch = Arc::new(move |page: u64, per_page: u64| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move { fetch_page(&client, &*query, page, per_page).await }) as _
        });
        PageStream::new(self.client, fetch, self.per_page, self.fetch_ahead, invalid)
    }

    /// Every item, in a `Vec`; the first error (including a
    /// [`Error::TotalMismatch`](crate::Error::TotalMismatch) at the end)
    /// fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<T>> {
        self.stream().try_collect().await
    }
}

/// Requests one page and decodes it. An item that cannot be decoded fails
/// the page with an error naming its position in the listing (pages before
/// it are assumed full), its id and the field.
async fn fetch_page<Q: Listing, T: DeserializeOwned + 'static>(
    client: &Client,
    query: &Q,
    page: u64,
    per_page: u64,
) -> Result<Page<T>> {
    client
        .send(query.request(client.api(), page, per_page), |body| {
            let raw = decode::page(body, Q::ITEMS_KEY)?;
            let before = (page - 1).saturating_mul(per_page);
            let items = raw
                .items
                .iter()
                .zip(1..)
                .map(|(item, index)| decode::listed_item(item, before.saturating_add(index)))
                .collect::<std::result::Result<_, _>>()?;
            Ok(Page {
                number: page,
                items,
                total: raw.total,
                links: raw.links,
            })
        })
        .await
}
