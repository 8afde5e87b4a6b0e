//! The image operations: `client.images()`.

use do_images_api::ImageRef;
use do_images_api::open_enums::{Distribution, ImageListType, RegionSlug};
use do_images_api::types::{
    Image, ImageEnvelope, ImageNewCustom, ImageUpdate, ImagesPage, PageLinksPages,
};
use futures::TryStreamExt;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::call::model_or;
use crate::client::{Checked, Client, Id, Refusal, checked_id, checked_region};
use crate::error::{Error, Result};
use crate::listing::{List, Query, pages_of};
use crate::started::{ImageTarget, Started, Wait};
use crate::wait::WaitOptions;

/// The image operations, from [`Client::images`].
#[derive(Clone, Debug)]
pub struct Images {
    pub(crate) client: Client,
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
    ///     println!("{} {}", image.id, image.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListImages {
        List::new(self.client.clone(), ImageQuery::default())
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
    /// [`CreateCustomImage`]. The result's [`wait`](Started::wait) polls
    /// until the import is done.
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
            body: custom_image(name.into(), url.into(), region.into()),
        }
    }

    /// Changes an image's name, description or distribution; see
    /// [`UpdateImage`].
    pub fn update(&self, image_id: impl Id) -> UpdateImage {
        UpdateImage {
            client: self.client.clone(),
            image_id: checked_id("image id", image_id),
            body: ImageUpdate::default(),
        }
    }

    /// Deletes an image.
    pub fn delete(&self, image_id: impl Id) -> DeleteImage {
        DeleteImage {
            client: self.client.clone(),
            image_id: checked_id("image id", image_id),
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

    /// Polls image `image_id` until it is `available`; end it with
    /// [`send`](Wait::send). A `deleted` or `retired` status ends the wait
    /// at once with [`Error::WaitFailed`] carrying the image's
    /// `error_message`; transient errors are retried; after `options`'
    /// maximum wait, [`Error::WaitTimedOut`] says the last status seen.
    pub fn wait_until_available(&self, image_id: impl Id, options: WaitOptions) -> WaitForImage {
        let target = checked_id("image id", image_id).map(|id| ImageTarget { id });
        Wait::new(self.client.clone(), target, options)
    }
}

/// A wait for an image, from [`Images::wait_until_available`].
pub type WaitForImage = Wait<ImageTarget>;

/// A just-created image (status `NEW`), from
/// [`CreateCustomImage::send`]; `.wait()` polls until it is available.
pub type CreatedImage<T = Image> = Started<ImageTarget, T>;

/// A listing of images, from [`Images::list`]: filter it here, and see
/// [`List`] for how to iterate.
pub type ListImages = List<ImageQuery>;

/// The filters of an image listing (set through [`ListImages`]).
#[derive(Clone, Debug, Default)]
pub struct ImageQuery {
    kind: Option<ImageListType>,
    private: Option<bool>,
    tag: Option<String>,
}

impl List<ImageQuery> {
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

impl Query for ImageQuery {
    type Item = Image;
    type Page<T: DeserializeOwned> = ImagesPage<T>;

    fn request<'a>(
        &'a self,
        api: &'a do_images_api::Client,
        page: u64,
        per_page: u64,
    ) -> impl do_images_api::Operation + 'a {
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
        request
    }

    fn parts<T: DeserializeOwned>(page: ImagesPage<T>) -> (Vec<T>, u64, PageLinksPages) {
        (page.images, page.meta.total, pages_of(page.links))
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

/// Gets one image, from [`Images::get`].
#[derive(Debug)]
pub struct GetImage {
    client: Client,
    image: Result<ImageRef>,
}

impl GetImage {
    /// Sends the request; the answer is the [`Image`].
    pub async fn send(self) -> Result<Image> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object as the API sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object read as `T` ([readings](crate)).
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<T> {
        let image = self.image?;
        let request = self.client.api().images_get().image_id(image);
        let answer = self.client.answer(request).await?;
        Ok(answer.decode::<ImageEnvelope<T>>()?.image)
    }
}

/// A custom image import, from [`Images::create_custom`].
#[derive(Clone, Debug)]
pub struct CreateCustomImage {
    client: Client,
    body: Checked<ImageNewCustom>,
}

impl CreateCustomImage {
    /// The image's distribution, such as `Ubuntu`.
    pub fn distribution(self, distribution: impl Into<Distribution>) -> Self {
        self.with(|body| body.distribution = Some(distribution.into()))
    }

    /// Free-form text about the image.
    pub fn description(self, description: impl Into<String>) -> Self {
        self.with(|body| body.description = Some(description.into()))
    }

    /// Tags to put on the image.
    pub fn tags<S: Into<String>>(self, tags: impl IntoIterator<Item = S>) -> Self {
        self.with(|body| body.tags = Some(tags.into_iter().map(Into::into).collect()))
    }

    /// This import with `change` made to its body; a refused body stays
    /// refused.
    fn with(mut self, change: impl FnOnce(&mut ImageNewCustom)) -> Self {
        if let Ok(body) = &mut self.body {
            change(body);
        }
        self
    }

    /// Sends the import (retried only when the API provably did not act on
    /// it, see [`RetryPolicy`](crate::RetryPolicy)); the answer holds the
    /// new [`Image`].
    pub async fn send(self) -> Result<CreatedImage> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object as the API sent it.
    pub async fn send_json(self) -> Result<CreatedImage<Value>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object read as `T` ([readings](crate)).
    pub async fn send_as<T: DeserializeOwned + Send + 'static>(self) -> Result<CreatedImage<T>> {
        let request = self.client.api().images_create_custom().body(self.body?);
        let answer = self.client.answer(request).await?;
        Started::new(self.client, &answer, |id| ImageTarget { id })
    }
}

/// The body of an import of the image at `url` into `region` as `name`,
/// once those are checked.
fn custom_image(name: String, url: String, region: RegionSlug) -> Checked<ImageNewCustom> {
    if name.trim().is_empty() {
        return Err(Refusal::new(
            "name",
            "the image name is empty",
            "a non-empty name",
        ));
    }
    let allowed = "an http or https URL of the image file";
    let parsed = url::Url::parse(&url)
        .map_err(|e| Refusal::new("url", format!("{url:?} is not a URL ({e})"), allowed))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        let problem = format!("{url:?} has scheme {:?}", parsed.scheme());
        return Err(Refusal::new("url", problem, allowed));
    }
    let region = checked_region(region)?;
    Ok(ImageNewCustom {
        name: name
            .try_into()
            .map_err(|e| Refusal::new("name", e, "a non-empty name"))?,
        url,
        region,
        distribution: None,
        description: None,
        tags: None,
    })
}

/// An image update, from [`Images::update`].
#[derive(Debug)]
pub struct UpdateImage {
    client: Client,
    image_id: Checked<u64>,
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

    /// Sends the update; the answer is the updated [`Image`].
    pub async fn send(self) -> Result<Image> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object as the API sent it.
    pub async fn send_json(self) -> Result<Value> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the `image` object read as `T` ([readings](crate)).
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<T> {
        let id = self.image_id?;
        let body = self.body;
        if body.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::invalid(
                "name",
                "the new name is empty",
                "a non-empty name",
            ));
        }
        if body.name.is_none() && body.description.is_none() && body.distribution.is_none() {
            return Err(Error::invalid(
                "update",
                "nothing to change",
                "at least one of name, description, distribution",
            ));
        }
        let request = self.client.api().images_update().image_id(id).body(body);
        let answer = self.client.answer(request).await?;
        Ok(answer.decode::<ImageEnvelope<T>>()?.image)
    }
}

/// An image deletion, from [`Images::delete`].
#[derive(Debug)]
pub struct DeleteImage {
    client: Client,
    image_id: Checked<u64>,
}

impl DeleteImage {
    /// Sends the deletion.
    pub async fn send(self) -> Result<()> {
        let id = self.image_id?;
        let request = self.client.api().images_delete().image_id(id);
        // Success is the status (`204`, or a retried delete's `404`).
        self.client.answer(request).await.map(drop)
    }
}

/// A search by name, from [`Images::find_by_name`].
#[derive(Clone, Debug)]
pub struct FindImagesByName {
    list: ListImages,
    name: String,
}

impl FindImagesByName {
    /// Lists the account's images and returns every [`Image`] whose `name`
    /// is exactly the name.
    pub async fn send(self) -> Result<Vec<Image>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), each match exactly as the API sent it.
    pub async fn send_json(self) -> Result<Vec<Value>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), each match read as `T` ([readings](crate));
    /// an item is read as `T` only when its name matches.
    pub async fn send_as<T: DeserializeOwned + Send + 'static>(self) -> Result<Vec<T>> {
        if self.name.is_empty() {
            return Err(Error::invalid(
                "name",
                "the name is empty",
                "a non-empty image name",
            ));
        }
        let name = self.name;
        self.list
            .stream_as::<Found<T>>()
            .try_filter(|found| futures::future::ready(found.name == name))
            .map_ok(|found| found.item)
            .try_collect()
            .await
    }
}

/// An item of a search by name: the model, to compare its name, and the
/// caller's reading of the same object (the model again, or `T` read from
/// the object's text).
struct Found<T> {
    name: String,
    item: T,
}

impl<'de, T: DeserializeOwned + 'static> Deserialize<'de> for Found<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = Box::<RawValue>::deserialize(deserializer)?;
        let image: Image = read_text(&text).map_err(D::Error::custom)?;
        let name = image.name.clone();
        let item = model_or(image, || read_text(&text)).map_err(D::Error::custom)?;
        Ok(Self { name, item })
    }
}

/// The JSON text `text` read as `T`, or why not (the path of the field).
fn read_text<T: DeserializeOwned>(text: &RawValue) -> std::result::Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text.get());
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| format!("field `{}`: {}", error.path(), error.inner()))
}
