//! The image operations: `client.images()`.

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use do_images_api::ImageRef;
use do_images_api::open_enums::{Distribution, ImageListType, ImageStatus, RegionSlug};
use do_images_api::types::{Image, ImageNewCustom, ImageUpdate};
use futures::TryStreamExt;
use serde_json::Value;

use crate::client::{Client, member, positive_id};
use crate::error::{Error, Result};
use crate::paginate::{
    DEFAULT_FETCH_AHEAD, DEFAULT_PER_PAGE, ItemStream, Page, PageStream, check_per_page,
};
use crate::wait::{State, WaitOptions, wait_for};

/// The image operations, from [`Client::images`].
#[derive(Clone, Debug)]
pub struct Images {
    client: Client,
}

impl Images {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Lists images; see [`ListImages`] for filters and how to iterate.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn example(client: do_images::Client) -> do_images::Result<()> {
    /// let mut images = client.images().list().private(true).stream();
    /// while let Some(image) = images.try_next().await? {
    ///     println!("{:?} {:?}", image.id, image.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListImages {
        ListImages {
            client: self.client.clone(),
            kind: None,
            private: None,
            tag: None,
            per_page: DEFAULT_PER_PAGE,
            fetch_ahead: DEFAULT_FETCH_AHEAD,
            invalid: None,
        }
    }

    /// Gets one image by numeric id or, for public images, by slug.
    pub fn get<R>(&self, id_or_slug: R) -> GetImage
    where
        R: TryInto<ImageRef>,
        R::Error: std::fmt::Display,
    {
        GetImage {
            client: self.client.clone(),
            image: id_or_slug.try_into().map_err(|e| {
                Error::invalid(
                    "image id or slug",
                    e,
                    "a positive id or a slug such as ubuntu-24-04-x64",
                )
            }),
        }
    }

    /// Imports a custom image from `url` into `region`; see
    /// [`CreateCustomImage`]. The result's [`wait`](CreatedImage::wait)
    /// polls until the import is done.
    ///
    /// ```no_run
    /// # async fn example(client: do_images::Client) -> do_images::Result<()> {
    /// use do_images::WaitOptions;
    /// let image = client
    ///     .images()
    ///     .create_custom("my-image", "https://example.com/disk.qcow2", "nyc3")
    ///     .send()
    ///     .await?
    ///     .wait(WaitOptions::default())
    ///     .await?;
    /// println!("available in {:?}", image.regions);
    /// # Ok(()) }
    /// ```
    pub fn create_custom(
        &self,
        name: impl Into<String>,
        url: impl Into<String>,
        region: impl Into<RegionSlug>,
    ) -> CreateCustomImage {
        CreateCustomImage {
            client: self.client.clone(),
            name: name.into(),
            url: url.into(),
            region: region.into(),
            distribution: None,
            description: None,
            tags: None,
        }
    }

    /// Changes an image's name, description or distribution; see
    /// [`UpdateImage`].
    pub fn update<I>(&self, image_id: I) -> UpdateImage
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        UpdateImage {
            client: self.client.clone(),
            image_id: positive_id("image id", image_id),
            body: ImageUpdate::default(),
        }
    }

    /// Deletes an image.
    pub fn delete<I>(&self, image_id: I) -> DeleteImage
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        DeleteImage {
            client: self.client.clone(),
            image_id: positive_id("image id", image_id),
        }
    }

    /// Finds the account's own (private) images whose name is exactly
    /// `name`. Private images have no slug, and names are not unique, so
    /// every match is returned, possibly none.
    pub fn find_by_name(&self, name: impl Into<String>) -> FindImagesByName {
        FindImagesByName {
            list: self.list().private(true),
            name: name.into(),
        }
    }

    /// Polls image `image_id` until it is `available`. A `deleted` or
    /// `retired` status ends the wait at once with [`Error::WaitFailed`]
    /// carrying the image's `error_message`; transient errors are retried;
    /// after `options`' maximum wait, [`Error::WaitTimedOut`] says the last
    /// status seen.
    pub async fn wait_until_available<I>(&self, image_id: I, options: WaitOptions) -> Result<Image>
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        let id = positive_id("image id", image_id)?;
        let client = &self.client;
        wait_for(
            client,
            &options,
            "image",
            id,
            || client.send(client.api().images_get().image_id(ImageRef::Id(id)).send()),
            |envelope: &do_images_api::types::ImageEnvelope| {
                let image = &envelope.image;
                classify_image(image.status.clone(), image.error_message.as_deref())
            },
        )
        .await
        .map(|envelope| envelope.image)
    }

    /// Like [`wait_until_available`](Self::wait_until_available), but
    /// returns the image of the last poll as the API sent it (see
    /// [`GetImage::send_json`]). The statuses are read from each answer's
    /// `status` and `error_message` fields.
    pub async fn wait_until_available_json<I>(
        &self,
        image_id: I,
        options: WaitOptions,
    ) -> Result<Value>
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        let id = positive_id("image id", image_id)?;
        let client = &self.client;
        wait_for(
            client,
            &options,
            "image",
            id,
            || {
                client.send_json(
                    client.api().images_get().image_id(ImageRef::Id(id)).send(),
                    member("image"),
                )
            },
            |image: &Value| {
                let status = image.get("status").and_then(Value::as_str);
                let error_message = image.get("error_message").and_then(Value::as_str);
                classify_image(status.map(ImageStatus::from), error_message)
            },
        )
        .await
    }
}

fn classify_image(status: Option<ImageStatus>, error_message: Option<&str>) -> (String, State) {
    let shown = status
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string());
    let state = match status {
        Some(ImageStatus::Available) => State::Done,
        Some(ImageStatus::Deleted | ImageStatus::Retired) => {
            State::Failed(error_message.filter(|m| !m.is_empty()).map(str::to_string))
        }
        _ => State::Pending(error_message.filter(|m| !m.is_empty()).map(str::to_string)),
    };
    (shown, state)
}

/// A listing of images, from [`Images::list`]. Set filters, then iterate
/// with [`stream`](Self::stream), [`pages`](Self::pages) or
/// [`collect_all`](Self::collect_all), or, for the objects exactly as the
/// API sent them, [`stream_json`](Self::stream_json),
/// [`pages_json`](Self::pages_json) or
/// [`collect_all_json`](Self::collect_all_json). See the
/// [`paginate`](crate::paginate) module for how pages are followed and
/// checked: the JSON streams follow, fetch ahead and check the total exactly
/// like the typed ones.
#[derive(Clone, Debug)]
pub struct ListImages {
    client: Client,
    kind: Option<ImageListType>,
    private: Option<bool>,
    tag: Option<String>,
    per_page: u64,
    fetch_ahead: usize,
    invalid: Option<String>,
}

impl ListImages {
    /// Only distribution or only application (1-Click) images.
    pub fn kind(mut self, kind: impl Into<ImageListType>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Only the account's own images (`true`).
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Only images that carry tag `name`.
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if name.trim().is_empty() {
            self.invalid = Some("tag".into());
        }
        self.tag = Some(name);
        self
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

    /// A lazy stream of every image.
    pub fn stream(self) -> ItemStream<Image> {
        self.pages().items()
    }

    /// A lazy stream of pages.
    pub fn pages(self) -> PageStream<Image> {
        self.paged(|query, page, per_page| async move { query.fetch(page, per_page).await })
    }

    /// A lazy stream of every image as the API sent it: each item is the
    /// JSON object exactly as it stands in its page's `images` array, with
    /// every field, `null`s, empty arrays and fields this crate does not
    /// know. Nothing is decoded into [`Image`].
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
    pub fn stream_json(self) -> ItemStream<Value> {
        self.pages_json().items()
    }

    /// A lazy stream of pages whose items are the JSON objects as the API
    /// sent them (see [`stream_json`](Self::stream_json)).
    pub fn pages_json(self) -> PageStream<Value> {
        self.paged(|query, page, per_page| async move { query.fetch_json(page, per_page).await })
    }

    /// Every image as the API sent it, in a `Vec`; the first error fails
    /// the whole call.
    pub async fn collect_all_json(self) -> Result<Vec<Value>> {
        self.stream_json().try_collect().await
    }

    /// The page stream that gets each page with `fetch(query, page,
    /// per_page)`.
    fn paged<T, F, Fut>(self, fetch: F) -> PageStream<T>
    where
        T: Send + 'static,
        F: Fn(Arc<Self>, u64, u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let invalid = match (&self.invalid, check_per_page(self.per_page)) {
            (Some(_), _) => Some(Error::invalid(
                "tag",
                "the tag name is empty",
                "a non-empty tag name",
            )),
            (None, Err(error)) => Some(error),
            (None, Ok(_)) => None,
        };
        let client = self.client.clone();
        let (per_page, window) = (self.per_page, self.fetch_ahead);
        let query = Arc::new(self);
        let fetch = Arc::new(move |page: u64, per_page: u64| {
            Box::pin(fetch(query.clone(), page, per_page)) as _
        });
        PageStream::new(client, fetch, per_page, window, invalid)
    }

    /// Every image, in a `Vec`; the first error (including a
    /// [`Error::TotalMismatch`] at the end) fails the whole call.
    pub async fn collect_all(self) -> Result<Vec<Image>> {
        self.stream().try_collect().await
    }

    async fn fetch(&self, page: u64, per_page: u64) -> Result<Page<Image>> {
        let answer = self
            .client
            .send(self.request(page, per_page).send())
            .await?;
        Ok(Page {
            number: page,
            items: answer.images,
            total: u64::try_from(answer.meta.total).unwrap_or(0),
            links: answer
                .links
                .and_then(|links| links.pages)
                .unwrap_or_default(),
        })
    }

    async fn fetch_json(&self, page: u64, per_page: u64) -> Result<Page<Value>> {
        self.client
            .send_json(self.request(page, per_page).send(), |body| {
                Page::from_json(page, "images", body)
            })
            .await
    }

    /// The request for one page, with the filters.
    fn request(&self, page: u64, per_page: u64) -> do_images_api::builder::ImagesList<'_> {
        let mut request = self
            .client
            .api()
            .images_list()
            .page(page)
            .per_page(per_page);
        if let Some(kind) = &self.kind {
            request = request.type_(kind.clone());
        }
        if let Some(private) = self.private {
            request = request.private(private);
        }
        if let Some(tag) = &self.tag {
            request = request.tag_name(tag.clone());
        }
        request
    }
}

/// Gets one image, from [`Images::get`].
#[derive(Debug)]
pub struct GetImage {
    client: Client,
    image: Result<ImageRef>,
}

impl GetImage {
    /// Sends the request.
    pub async fn send(self) -> Result<Image> {
        let image = self.image?;
        let api = self.client.api();
        let envelope = self
            .client
            .send(api.images_get().image_id(image).send())
            .await?;
        Ok(envelope.image)
    }

    /// Sends the request and returns the image as the API sent it: the
    /// `image` object of the answer, exactly, with every field, `null`s,
    /// empty arrays and fields this crate does not know.
    pub async fn send_json(self) -> Result<Value> {
        let image = self.image?;
        let api = self.client.api();
        self.client
            .send_json(api.images_get().image_id(image).send(), member("image"))
            .await
    }
}

/// A custom image import, from [`Images::create_custom`].
#[derive(Clone, Debug)]
pub struct CreateCustomImage {
    client: Client,
    name: String,
    url: String,
    region: RegionSlug,
    distribution: Option<Distribution>,
    description: Option<String>,
    tags: Option<Vec<String>>,
}

impl CreateCustomImage {
    /// The image's distribution, such as `Ubuntu`.
    pub fn distribution(mut self, distribution: impl Into<Distribution>) -> Self {
        self.distribution = Some(distribution.into());
        self
    }

    /// Free-form text about the image.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Tags to put on the image.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Sends the import (retried only when the API provably did not act on
    /// it, see [`RetryPolicy`](crate::RetryPolicy)).
    pub async fn send(self) -> Result<CreatedImage> {
        let (client, body) = self.checked()?;
        let envelope = client
            .send(client.api().images_create_custom().body(body).send())
            .await?;
        Ok(CreatedImage {
            image: envelope.image,
            client,
        })
    }

    /// Sends the import like [`send`](Self::send) and returns the new image
    /// as the API sent it (see [`GetImage::send_json`]). Its `id` is what
    /// [`Images::wait_until_available_json`] waits for.
    pub async fn send_json(self) -> Result<Value> {
        let (client, body) = self.checked()?;
        client
            .send_json(
                client.api().images_create_custom().body(body).send(),
                member("image"),
            )
            .await
    }

    /// The client and the request body, once the arguments are checked.
    fn checked(self) -> Result<(Client, ImageNewCustom)> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid(
                "name",
                "the image name is empty",
                "a non-empty name",
            ));
        }
        let url = url::Url::parse(&self.url).map_err(|e| {
            Error::invalid(
                "url",
                format!("{:?} is not a URL ({e})", self.url),
                "an http or https URL of the image file",
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid(
                "url",
                format!("{:?} has scheme {:?}", self.url, url.scheme()),
                "an http or https URL of the image file",
            ));
        }
        if self.region.as_str().is_empty() {
            return Err(Error::invalid(
                "region",
                "the region is empty",
                "a region slug such as nyc3",
            ));
        }
        let name = self
            .name
            .as_str()
            .try_into()
            .map_err(|e| Error::invalid("name", e, "a non-empty name"))?;
        let body = ImageNewCustom {
            name,
            url: self.url,
            region: self.region,
            distribution: self.distribution,
            description: self.description,
            tags: self.tags,
        };
        Ok((self.client, body))
    }
}

/// A just-created image (status `NEW`). Derefs to the [`Image`]; `.wait()`
/// polls until it is available.
#[derive(Clone, Debug)]
pub struct CreatedImage {
    /// The image as the API answered the import.
    pub image: Image,
    client: Client,
}

impl Deref for CreatedImage {
    type Target = Image;
    fn deref(&self) -> &Image {
        &self.image
    }
}

impl CreatedImage {
    /// Waits until the image is available; see
    /// [`Images::wait_until_available`].
    pub async fn wait(self, options: WaitOptions) -> Result<Image> {
        let id = self.image.id.ok_or_else(|| Error::Decode {
            status: 202,
            excerpt: String::new(),
            reason: "the created image has no id".into(),
            request_id: None,
        })?;
        self.client.images().wait_until_available(id, options).await
    }

    /// The image as the API answered the import.
    pub fn into_inner(self) -> Image {
        self.image
    }
}

/// An image update, from [`Images::update`].
#[derive(Debug)]
pub struct UpdateImage {
    client: Client,
    image_id: Result<u64>,
    body: ImageUpdate,
}

impl UpdateImage {
    /// The new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// The new description (custom images only).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// The new distribution (custom images only).
    pub fn distribution(mut self, distribution: impl Into<Distribution>) -> Self {
        self.body.distribution = Some(distribution.into());
        self
    }

    /// Sends the update.
    pub async fn send(self) -> Result<Image> {
        let (client, id, body) = self.checked()?;
        let envelope = client
            .send(client.api().images_update().image_id(id).body(body).send())
            .await?;
        Ok(envelope.image)
    }

    /// Sends the update like [`send`](Self::send) and returns the image as
    /// the API sent it (see [`GetImage::send_json`]).
    pub async fn send_json(self) -> Result<Value> {
        let (client, id, body) = self.checked()?;
        client
            .send_json(
                client.api().images_update().image_id(id).body(body).send(),
                member("image"),
            )
            .await
    }

    /// The client, the image id and the body, once the arguments are
    /// checked.
    fn checked(self) -> Result<(Client, u64, ImageUpdate)> {
        let id = self.image_id?;
        if self
            .body
            .name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(Error::invalid(
                "name",
                "the new name is empty",
                "a non-empty name",
            ));
        }
        if self.body.name.is_none()
            && self.body.description.is_none()
            && self.body.distribution.is_none()
        {
            return Err(Error::invalid(
                "update",
                "nothing to change",
                "at least one of name, description, distribution",
            ));
        }
        Ok((self.client, id, self.body))
    }
}

/// An image deletion, from [`Images::delete`].
#[derive(Debug)]
pub struct DeleteImage {
    client: Client,
    image_id: Result<u64>,
}

impl DeleteImage {
    /// Sends the deletion.
    pub async fn send(self) -> Result<()> {
        let id = self.image_id?;
        let api = self.client.api();
        self.client
            .send(api.images_delete().image_id(id).send())
            .await
    }
}

/// A search by name, from [`Images::find_by_name`].
#[derive(Clone, Debug)]
pub struct FindImagesByName {
    list: ListImages,
    name: String,
}

impl FindImagesByName {
    /// Lists the account's images and returns every one named exactly so.
    pub async fn send(self) -> Result<Vec<Image>> {
        let name = self.checked_name()?;
        self.list
            .stream()
            .try_filter(|image| std::future::ready(image.name.as_deref() == Some(name.as_str())))
            .try_collect()
            .await
    }
}

impl FindImagesByName {
    /// Like [`send`](Self::send), but returns the matching images as the
    /// API sent them (see [`ListImages::stream_json`]); an image matches
    /// when its `name` field is exactly the name.
    pub async fn send_json(self) -> Result<Vec<Value>> {
        let name = self.checked_name()?;
        self.list
            .stream_json()
            .try_filter(|image| {
                std::future::ready(image.get("name").and_then(Value::as_str) == Some(name.as_str()))
            })
            .try_collect()
            .await
    }

    fn checked_name(&self) -> Result<String> {
        if self.name.is_empty() {
            return Err(Error::invalid(
                "name",
                "the name is empty",
                "a non-empty image name",
            ));
        }
        Ok(self.name.clone())
    }
}
