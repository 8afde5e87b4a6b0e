//! The one listing builder: [`List`], for images and actions.

use std::sync::Arc;

use do_images_api::types::{PageLinks, PageLinksPages};
use futures::TryStreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::error::Result;
use crate::paginate::{
    DEFAULT_FETCH_AHEAD, DEFAULT_PER_PAGE, ItemStream, Page, PageStream, check_per_page,
};

/// What a listing asks the API for: the operation, its filters, and how
/// its page holds the items. [`List`] does the rest (pages, fetch-ahead,
/// checks, decoding).
///
/// Implement it to list an operation of the generated client that has no
/// builder here yet: [`request`](Self::request) returns its builder (any
/// builder is an [`Operation`](do_images_api::Operation)) and
/// [`parts`](Self::parts) takes its page apart; [`List::new`] then gives it
/// every way of iterating a listing has.
pub trait Query: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The model of one item, such as [`Image`](crate::Image).
    type Item: DeserializeOwned + Send + 'static;
    /// The generated page, generic over how its items are read, such as
    /// `ImagesPage<T>`.
    type Page<T: DeserializeOwned>: DeserializeOwned;
    /// The request for page `page` of `per_page` items.
    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> impl do_images_api::Operation + 'a;
    /// A page's items, `meta.total` and `links.pages`.
    fn parts<T: DeserializeOwned>(page: Self::Page<T>) -> (Vec<T>, u64, PageLinksPages);
    /// Checks the filters before anything is sent.
    fn check(&self) -> Result<()>;
}

/// `links.pages`, empty when absent.
pub(crate) fn pages_of(links: Option<PageLinks>) -> PageLinksPages {
    links.and_then(|links| links.pages).unwrap_or_default()
}

/// A listing: set its options, then iterate with [`stream`](Self::stream),
/// [`pages`](Self::pages) or [`collect_all`](Self::collect_all) (the
/// models), or their `_json` and `_as` forms (the [readings](crate)). Each
/// page is requested once and decoded once, with the same retries,
/// fetch-ahead and checks (see [`PageStream`]).
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// let mut images = client.images().list().private(true).stream_json();
/// while let Some(image) = images.try_next().await? {
///     println!("{image}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct List<Q> {
    client: Client,
    pub(crate) query: Q,
    per_page: u64,
    fetch_ahead: usize,
}

impl<Q: Query> List<Q> {
    /// A listing of `query`, 200 items a page, fetched ahead.
    pub fn new(client: Client, query: Q) -> Self {
        Self {
            client,
            query,
            per_page: DEFAULT_PER_PAGE,
            fetch_ahead: DEFAULT_FETCH_AHEAD,
        }
    }

    /// Items per request, 1 to 200 (default 200).
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = per_page;
        self
    }

    /// How many pages to request ahead of the caller (default 6; 0 fetches
    /// one page after another).
    pub fn fetch_ahead(mut self, pages: usize) -> Self {
        self.fetch_ahead = pages;
        self
    }

    /// A lazy stream of every item.
    pub fn stream(self) -> ItemStream<Q::Item> {
        self.stream_as()
    }

    /// A lazy stream of every item, exactly as the API sent it.
    pub fn stream_json(self) -> ItemStream<Value> {
        self.stream_as()
    }

    /// A lazy stream of every item, read as `T`.
    pub fn stream_as<T: DeserializeOwned + Send + 'static>(self) -> ItemStream<T> {
        self.pages_as().items()
    }

    /// A lazy stream of pages.
    pub fn pages(self) -> PageStream<Q::Item> {
        self.pages_as()
    }

    /// A lazy stream of pages, each item exactly as the API sent it.
    pub fn pages_json(self) -> PageStream<Value> {
        self.pages_as()
    }

    /// A lazy stream of pages, their items read as `T`.
    pub fn pages_as<T: DeserializeOwned + Send + 'static>(self) -> PageStream<T> {
        let invalid = self
            .query
            .check()
            .and_then(|()| check_per_page(self.per_page))
            .err();
        let client = self.client.clone();
        let query = Arc::new(self.query);
        let fetch = Arc::new(move |number: u64, per_page: u64| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move {
                let request = query.request(client.api(), number, per_page);
                let answer = client.answer(request).await?;
                let first = (number - 1).saturating_mul(per_page).saturating_add(1);
                let page = answer.decode_page::<Q::Page<T>>(first)?;
                let (items, total, links) = Q::parts(page);
                Ok(Page {
                    number,
                    items,
                    total,
                    links,
                })
            }) as _
        });
        PageStream::new(self.client, fetch, self.per_page, self.fetch_ahead, invalid)
    }

    /// Every item, in a `Vec`; the first error (including a
    /// [`Error::TotalMismatch`](crate::Error::TotalMismatch) at the end)
    /// fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<Q::Item>> {
        self.collect_all_as().await
    }

    /// Like [`collect_all`](Self::collect_all), each item exactly as the
    /// API sent it.
    pub async fn collect_all_json(self) -> Result<Vec<Value>> {
        self.collect_all_as().await
    }

    /// Like [`collect_all`](Self::collect_all), each item read as `T`.
    pub async fn collect_all_as<T: DeserializeOwned + Send + 'static>(self) -> Result<Vec<T>> {
        self.stream_as().try_collect().await
    }
}
