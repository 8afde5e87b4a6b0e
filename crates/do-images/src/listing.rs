//! The one listing builder: [`List`], for images, actions and any later
//! listing.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use do_images_api::ResponseValue;
use do_images_api::types;
use futures::TryStreamExt;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::answer::{Call, Output, PageBody};
use crate::client::Client;
use crate::error::Result;
use crate::paginate::{
    DEFAULT_FETCH_AHEAD, DEFAULT_PER_PAGE, ItemStream, PageStream, check_per_page,
};

/// What one generated call of a listing operation answers with.
type Answered<R> = std::result::Result<ResponseValue<R>, do_images_api::Error<types::Error>>;

/// The request for one page, as the generated client sends it: the
/// `.send()` and `.send_json()` of one generated builder, wrapped by
/// [`PageCall::new`]. The listing sends one of them: `send_json()` when the
/// items are read as JSON (`Value` or `Box<RawValue>`), so that a page is
/// never decoded into the model.
pub struct PageCall<'a, P>(Call<'a, P>);

impl<'a, P> PageCall<'a, P> {
    /// Wraps the `.send()` and `.send_json()` of the same generated builder
    /// of a listing operation, such as
    /// `PageCall::new(request.clone().send(), request.send_json())`.
    pub fn new(
        send: impl Future<Output = Answered<P>> + Send + 'a,
        send_json: impl Future<Output = Answered<Box<RawValue>>> + Send + 'a,
    ) -> Self {
        Self(Call::new(send, send_json))
    }
}

impl<P> fmt::Debug for PageCall<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PageCall")
    }
}

/// What a listing asks the API for: the operation and its filters. [`List`]
/// does the rest (pages, fetch-ahead, checks, decoding). Implement it for a
/// listing operation of the generated client that has no builder here yet.
pub trait Listing: Clone + fmt::Debug + Send + Sync + 'static {
    /// The generated page the operation answers with, such as
    /// [`ImagesPage`](do_images_api::types::ImagesPage).
    type Page: PageBody;
    /// Sends the request for page `page` of `per_page` items.
    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> PageCall<'a, Self::Page>;
    /// Checks the filters before anything is sent.
    fn check(&self) -> Result<()>;
}

/// The model of one item of listing `Q`.
pub type ItemOf<Q> = <<Q as Listing>::Page as PageBody>::Item;

/// A listing: set its options, then iterate with [`stream`](Self::stream),
/// [`pages`](Self::pages) or [`collect_all`](Self::collect_all), which give
/// the models, their `_json` forms, which give each object exactly as the
/// API sent it (every field, `null`s, key order, fields the spec does not
/// know), or their `_as` forms, which take the reading as a type (see
/// [`Output`]). Whatever the choice, the requests, retries, fetch-ahead and
/// checks are the same; see [`PageStream`].
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

impl<Q: Listing> List<Q> {
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

    /// How many pages to request ahead of the caller (default
    /// [`DEFAULT_FETCH_AHEAD`]; 0 fetches one page after another).
    pub fn fetch_ahead(mut self, pages: usize) -> Self {
        self.fetch_ahead = pages;
        self
    }

    /// A lazy stream of every item.
    pub fn stream(self) -> ItemStream<ItemOf<Q>> {
        self.stream_as()
    }

    /// A lazy stream of every item, exactly as the API sent it.
    pub fn stream_json(self) -> ItemStream<Value> {
        self.stream_as()
    }

    /// A lazy stream of every item, read as `T` (see [`Output`]).
    pub fn stream_as<T: Output<ItemOf<Q>>>(self) -> ItemStream<T> {
        self.pages_as().items()
    }

    /// A lazy stream of pages.
    pub fn pages(self) -> PageStream<ItemOf<Q>> {
        self.pages_as()
    }

    /// A lazy stream of pages, their items read as `T` (see [`Output`]).
    pub fn pages_as<T: Output<ItemOf<Q>>>(self) -> PageStream<T> {
        let invalid = self
            .query
            .check()
            .and_then(|()| check_per_page(self.per_page))
            .err();
        let client = self.client.clone();
        let query = Arc::new(self.query);
        let fetch = Arc::new(move |page: u64, per_page: u64| {
            let (client, query) = (client.clone(), query.clone());
            Box::pin(async move {
                let call = query.request(client.api(), page, per_page).0;
                T::page::<Q::Page>(&client, call, page, per_page).await
            }) as _
        });
        PageStream::new(self.client, fetch, self.per_page, self.fetch_ahead, invalid)
    }

    /// Every item, in a `Vec`; the first error (including a
    /// [`Error::TotalMismatch`](crate::Error::TotalMismatch) at the end)
    /// fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<ItemOf<Q>>> {
        self.collect_all_as().await
    }

    /// Like [`collect_all`](Self::collect_all), each item exactly as the
    /// API sent it.
    pub async fn collect_all_json(self) -> Result<Vec<Value>> {
        self.collect_all_as().await
    }

    /// Like [`collect_all`](Self::collect_all), each item read as `T` (see
    /// [`Output`]).
    pub async fn collect_all_as<T: Output<ItemOf<Q>>>(self) -> Result<Vec<T>> {
        self.stream_as().try_collect().await
    }
}
