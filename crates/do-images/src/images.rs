//! The image operations: `client.images()`.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::ops::Deref;

use do_images_api::ImageRef;
use do_images_api::open_enums::{Distribution, ImageListType, ImageStatus, RegionSlug};
use do_images_api::types::{Image, ImageNewCustom, ImageUpdate};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::client::{Client, positive_id};
use crate::decode;
use crate::error::{Error, Result};
use crate::executor::CallRecord;
use crate::list::{List, Listing, PageRequest, page_request};
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
        List::new(self.client.clone(), ImageListing::default())
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
            output: PhantomData,
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
            output: PhantomData,
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
            output: PhantomData,
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
            list: self.list().private(true).output(),
            name: name.into(),
            output: PhantomData,
        }
    }

    /// Polls image `image_id` until it is `available`; `.await` it, after
    /// choosing the result type with [`WaitForImage::output`] if needed. A
    /// `deleted` or `retired` status ends the wait at once with
    /// [`Error::WaitFailed`] carrying the image's `error_message`; transient
    /// errors are retried; after `options`' maximum wait,
    /// [`Error::WaitTimedOut`] says the last status seen.
    pub fn wait_until_available<I>(&self, image_id: I, options: WaitOptions) -> WaitForImage
    where
        I: TryInto<u64> + std::fmt::Display + Copy,
    {
        WaitForImage {
            client: self.client.clone(),
            image_id: positive_id("image id", image_id),
            options,
            output: PhantomData,
        }
    }
}

/// A wait for an image, from [`Images::wait_until_available`]; `.await` it.
/// The result is the image of the last poll, decoded into `T` (see
/// [`List`] for the choices); the statuses are read from each answer's
/// `status` and `error_message` fields, whatever `T`.
#[derive(Debug)]
pub struct WaitForImage<T = Image> {
    client: Client,
    image_id: Result<u64>,
    options: WaitOptions,
    output: PhantomData<fn() -> T>,
}

impl<T> WaitForImage<T> {
    /// The same wait, its result decoded into `U`.
    pub fn output<U>(self) -> WaitForImage<U> {
        WaitForImage {
            client: self.client,
            image_id: self.image_id,
            options: self.options,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for WaitForImage<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'static, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        async move {
            let id = self.image_id?;
            let client = &self.client;
            let poll = || {
                let request = client.api().images_get().image_id(ImageRef::Id(id)).send();
                client.send(request, |body| {
                    let image = decode::member(body, "image")?;
                    let probe: ImageProbe = decode::object(image)?;
                    let status = probe.status.as_ref().and_then(|s| s.as_str());
                    let error_message = probe.error_message.as_ref().and_then(|m| m.as_str());
                    let (shown, state) =
                        classify_image(status.map(ImageStatus::from), error_message);
                    Ok((shown, state.finish(|| decode::object::<T>(image))?))
                })
            };
            wait_for(client, &self.options, "image", id, poll).await
        }
        .boxed()
    }
}

/// What a waiter reads of an image, whatever the result type: leniently,
/// so that an odd value counts as unknown instead of failing the poll.
#[derive(Deserialize)]
struct ImageProbe {
    #[serde(default)]
    status: Option<serde_json::Value>,
    #[serde(default)]
    error_message: Option<serde_json::Value>,
}

fn classify_image(status: Option<ImageStatus>, error_message: Option<&str>) -> (String, State) {
    let shown = status
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string());
    let state = match status {
        Some(ImageStatus::Available) => State::Done(()),
        Some(ImageStatus::Deleted | ImageStatus::Retired) => {
            State::Failed(error_message.filter(|m| !m.is_empty()).map(str::to_string))
        }
        _ => State::Pending(error_message.filter(|m| !m.is_empty()).map(str::to_string)),
    };
    (shown, state)
}

/// A listing of images, from [`Images::list`]: filter it here, and see
/// [`List`] for the result type and how to iterate.
pub type ListImages<T = Image> = List<ImageListing, T>;

/// The filters of an image listing.
#[derive(Clone, Debug, Default)]
pub struct ImageListing {
    kind: Option<ImageListType>,
    private: Option<bool>,
    tag: Option<String>,
}

impl<T> List<ImageListing, T> {
    /// Only distribution or only application (1-Click) images.
    pub fn kind(mut self, kind: impl Into<ImageListType>) -> Self {
        self.query.kind = Some(kind.into());
        self
    }

    /// Only the account's own images (`true`).
    pub fn private(mut self, private: bool) -> Self {
        self.query.private = Some(private);
        self
    }

    /// Only images that carry tag `name`.
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.query.tag = Some(name.into());
        self
    }
}

impl Listing for ImageListing {
    type Item = Image;
    const ITEMS_KEY: &'static str = "images";

    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> PageRequest<'a> {
        let mut request = api.images_list().page(page).per_page(per_page);
        if let Some(kind) = &self.kind {
            request = request.type_(kind.clone());
        }
        if let Some(private) = self.private {
            request = request.private(private);
        }
        if let Some(tag) = &self.tag {
            request = request.tag_name(tag.clone());
        }
        page_request(request.send())
    }

    fn check(&self) -> Result<()> {
        if self.tag.as_deref().is_some_and(|tag| tag.trim().is_empty()) {
            return Err(Error::invalid(
                "tag",
                "the tag name is empty",
                "a non-empty tag name",
            ));
        }
        Ok(())
    }
}

/// Gets one image, from [`Images::get`]. The result is decoded into `T`
/// (see [`GetImage::output`]).
#[derive(Debug)]
pub struct GetImage<T = Image> {
    client: Client,
    image: Result<ImageRef>,
    output: PhantomData<fn() -> T>,
}

impl<T> GetImage<T> {
    /// The same request, its result decoded into `U`: the model
    /// ([`Image`], the default), [`serde_json::Value`] for the `image`
    /// object exactly as the API sent it (every field, `null`s, key order,
    /// fields this crate does not know), or `Box<serde_json::value::RawValue>`
    /// for its bytes.
    pub fn output<U>(self) -> GetImage<U> {
        GetImage {
            client: self.client,
            image: self.image,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + 'static> GetImage<T> {
    /// Sends the request.
    pub async fn send(self) -> Result<T> {
        let image = self.image?;
        let api = self.client.api();
        let request = api.images_get().image_id(image).send();
        self.client.send_object(request, "image").await
    }
}

/// A custom image import, from [`Images::create_custom`]. The new image is
/// decoded into `T` (see [`GetImage::output`]).
#[derive(Debug)]
pub struct CreateCustomImage<T = Image> {
    client: Client,
    name: String,
    url: String,
    region: RegionSlug,
    distribution: Option<Distribution>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    output: PhantomData<fn() -> T>,
}

impl<T> Clone for CreateCustomImage<T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            name: self.name.clone(),
            url: self.url.clone(),
            region: self.region.clone(),
            distribution: self.distribution.clone(),
            description: self.description.clone(),
            tags: self.tags.clone(),
            output: PhantomData,
        }
    }
}

impl<T> CreateCustomImage<T> {
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

    /// The same import, the new image decoded into `U` (see
    /// [`GetImage::output`]).
    pub fn output<U>(self) -> CreateCustomImage<U> {
        CreateCustomImage {
            client: self.client,
            name: self.name,
            url: self.url,
            region: self.region,
            distribution: self.distribution,
            description: self.description,
            tags: self.tags,
            output: PhantomData,
        }
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

impl<T: DeserializeOwned + Send + 'static> CreateCustomImage<T> {
    /// Sends the import (retried only when the API provably did not act on
    /// it, see [`RetryPolicy`](crate::RetryPolicy)).
    pub async fn send(self) -> Result<CreatedImage<T>> {
        let (client, body) = self.checked()?;
        let request = client.api().images_create_custom().body(body).send();
        let (image, id) = client
            .send(request, |body| {
                let image = decode::member(body, "image")?;
                let id = decode::object::<decode::IdProbe>(image)?
                    .positive()
                    .ok_or_else(|| "field `id`: missing, or not a positive integer".to_string())?;
                Ok((decode::object(image)?, id))
            })
            .await?;
        Ok(CreatedImage { image, id, client })
    }
}

/// A just-created image (status `NEW`). Derefs to the image (decoded into
/// `T`); `.wait()` polls until it is available.
#[derive(Clone, Debug)]
pub struct CreatedImage<T = Image> {
    /// The image as the API answered the import.
    pub image: T,
    id: u64,
    client: Client,
}

impl<T> Deref for CreatedImage<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.image
    }
}

impl<T: DeserializeOwned + Send + 'static> CreatedImage<T> {
    /// The new image's id, as the answer gave it.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Waits until the image is available; see
    /// [`Images::wait_until_available`].
    pub async fn wait(self, options: WaitOptions) -> Result<T> {
        let id = self.id;
        let wait = self.client.images().wait_until_available(id, options);
        wait.output().await
    }

    /// The image as the API answered the import.
    pub fn into_inner(self) -> T {
        self.image
    }
}

/// An image update, from [`Images::update`]. The updated image is decoded
/// into `T` (see [`GetImage::output`]).
#[derive(Debug)]
pub struct UpdateImage<T = Image> {
    client: Client,
    image_id: Result<u64>,
    body: ImageUpdate,
    output: PhantomData<fn() -> T>,
}

impl<T> UpdateImage<T> {
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

    /// The same update, the image decoded into `U` (see
    /// [`GetImage::output`]).
    pub fn output<U>(self) -> UpdateImage<U> {
        UpdateImage {
            client: self.client,
            image_id: self.image_id,
            body: self.body,
            output: PhantomData,
        }
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

impl<T: DeserializeOwned + 'static> UpdateImage<T> {
    /// Sends the update.
    pub async fn send(self) -> Result<T> {
        let (client, id, body) = self.checked()?;
        let request = client.api().images_update().image_id(id).body(body).send();
        client.send_object(request, "image").await
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
        let request = self.client.api().images_delete().image_id(id).send();
        self.client.send(request, |_| Ok(())).await
    }
}

/// A search by name, from [`Images::find_by_name`]. The matches are
/// decoded into `T` (see [`GetImage::output`]).
#[derive(Debug)]
pub struct FindImagesByName<T = Image> {
    list: ListImages<Box<RawValue>>,
    name: String,
    output: PhantomData<fn() -> T>,
}

impl<T> Clone for FindImagesByName<T> {
    fn clone(&self) -> Self {
        Self {
            list: self.list.clone(),
            name: self.name.clone(),
            output: PhantomData,
        }
    }
}

impl<T> FindImagesByName<T> {
    /// The same search, the matches decoded into `U`.
    pub fn output<U>(self) -> FindImagesByName<U> {
        FindImagesByName {
            list: self.list,
            name: self.name,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> FindImagesByName<T> {
    /// Lists the account's images and returns every one whose `name` is
    /// exactly the name. Only the matches are decoded into `T`.
    pub async fn send(self) -> Result<Vec<T>> {
        if self.name.is_empty() {
            return Err(Error::invalid(
                "name",
                "the name is empty",
                "a non-empty image name",
            ));
        }
        let name = self.name;
        let mut found = Vec::new();
        let mut listed = self.list.stream().zip(futures::stream::iter(1u64..));
        while let Some((item, position)) = listed.next().await {
            let item = item?;
            let probe: NameProbe = decode::listed_item(&item, position).map_err(undecodable)?;
            if probe.name.as_ref().and_then(serde_json::Value::as_str) == Some(name.as_str()) {
                found.push(decode::listed_item(&item, position).map_err(undecodable)?);
            }
        }
        Ok(found)
    }
}

/// The `name` of a listed image.
#[derive(Deserialize)]
struct NameProbe {
    #[serde(default)]
    name: Option<serde_json::Value>,
}

/// A listed item that could not be decoded, as a [`Error::Decode`].
fn undecodable(failure: decode::Undecodable) -> Error {
    let item = failure.item.unwrap_or_default();
    Error::decode(&CallRecord::default(), item.as_bytes(), failure.reason)
}
