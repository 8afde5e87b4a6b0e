//! The import, step by step: upload, import, wait, delete the object,
//! transfer; with cleanup on every way out.

use std::future::Future;
use std::pin::pin;

use do_images::distribution::RegionResult;
use do_images::{Error as ApiError, Image, Progress, WaitOptions};
use futures::FutureExt;
use object_store::ObjectStoreExt;
use object_store::multipart::MultipartStore;
use object_store::signer::{Method, Signer};
use serde::de::DeserializeOwned;

use crate::builder::{ImportFile, Plan};
use crate::cleanup::{CLEANUP_TIME_LIMIT, Cleanup, Stored};
use crate::error::{ImportError, ImportErrorKind, LeftBehind};
use crate::progress::{ImportProgress, ProgressFn};
use crate::spaces::ObjectLocation;
use crate::upload::{PartUpload, part_size};

/// A finished import, its image read as `T` (the model by default; see
/// [`ImportFile::send_as`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ImportedImage<T = Image> {
    /// The image, available in the import region and every extra region:
    /// the last poll of the import, or the distribution's read of it after
    /// the transfers.
    pub image: T,
    /// Where the file was uploaded.
    pub upload: ObjectLocation,
    /// Whether the object is still there: asked for with
    /// [`keep_upload`](ImportFile::keep_upload), or its deletion failed (see
    /// `left_behind`).
    pub upload_kept: bool,
    /// Set when deleting the object failed after the image became
    /// available: what is left, and where.
    pub left_behind: Option<LeftBehind>,
}

impl ImportFile {
    /// Runs the import to the end; see [`send_until`](Self::send_until).
    pub async fn send(self) -> Result<ImportedImage, ImportError> {
        self.send_until(std::future::pending()).await
    }

    /// Like [`send`](Self::send), the image read as `T`: the model, or the
    /// object exactly as the API sent it (`serde_json::Value`,
    /// `Box<serde_json::value::RawValue>`), never fetched again.
    pub async fn send_as<T: DeserializeOwned + Send + 'static>(
        self,
    ) -> Result<ImportedImage<T>, ImportError> {
        self.send_until_as(std::future::pending()).await
    }

    /// Runs the import until it ends or `cancel` completes.
    ///
    /// Every argument and the file are checked first; a refusal is
    /// [`do_images::Error::InvalidInput`] with nothing sent. On cancellation
    /// during the upload the multipart upload is aborted (awaited); once the
    /// import was sent, the object is kept and the error's
    /// [`left_behind`](ImportError::left_behind) says where, since deleting
    /// it would fail the import. Dropping the future instead starts the same
    /// cleanup on the runtime without waiting for it.
    pub async fn send_until(
        self,
        cancel: impl Future<Output = ()>,
    ) -> Result<ImportedImage, ImportError> {
        self.send_until_as(cancel).await
    }

    /// Like [`send_until`](Self::send_until), the image read as `T` (see
    /// [`send_as`](Self::send_as)).
    pub async fn send_until_as<T: DeserializeOwned + Send + 'static>(
        self,
        cancel: impl Future<Output = ()>,
    ) -> Result<ImportedImage<T>, ImportError> {
        let client_secrets = self.client.redactor().clone();
        let plan = self
            .plan()
            .await
            .map_err(|error| error.redacted_with(client_secrets))?;
        let secrets = plan
            .client
            .redactor()
            .clone()
            .merged(&plan.credentials.redactor());
        run(plan, cancel)
            .await
            .map_err(|error| error.after_sending().redacted_with(secrets))
    }
}

fn storage(operation: &str) -> impl FnOnce(object_store::Error) -> ImportError + '_ {
    move |source| {
        ImportError::new(ImportErrorKind::Storage {
            operation: operation.to_string(),
            source,
        })
    }
}

fn tell(progress: &Option<ProgressFn>, step: ImportProgress) {
    if let Some(progress) = progress {
        progress(&step);
    }
}

/// The wait options telling each poll of the import as
/// [`Progress::ImageWaiting`].
fn reporting(options: &WaitOptions, progress: &Option<ProgressFn>) -> WaitOptions {
    let progress = progress.clone();
    options.clone().on_progress(move |p| {
        tell(
            &progress,
            ImportProgress::Image(Progress::ImageWaiting(p.clone())),
        )
    })
}

async fn run<T: DeserializeOwned + Send + 'static>(
    mut plan: Plan,
    cancel: impl Future<Output = ()>,
) -> Result<ImportedImage<T>, ImportError> {
    let mut cancel = pin!(cancel);
    let progress = plan.progress.clone();
    tell(
        &progress,
        ImportProgress::Checked {
            size: plan.file.size,
            format: plan.file.format,
        },
    );
    let store = plan.target.store(&plan.credentials)?;
    let path = plan.target.object_path();
    let location = plan.target.location.clone();
    let mut cleanup = Cleanup {
        store: store.clone(),
        path: path.clone(),
        location: location.clone(),
        keep_object: plan.keep_upload,
        progress: progress.clone(),
        stored: Stored::Nothing,
        time_limit: CLEANUP_TIME_LIMIT,
    };

    // 1. The multipart upload, to a key that names no object yet: an
    // import never replaces (and then deletes) an object it did not write.
    if !plan.replace_existing_object {
        match store.head(&path).await {
            Ok(_) => {
                return Err(ImportError::new(ImportErrorKind::ObjectExists(location)));
            }
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(storage("check for an existing object")(error)),
        }
    }
    let upload_id = store
        .create_multipart(&path)
        .await
        .map_err(storage("start of the multipart upload"))?;
    cleanup.stored = Stored::Multipart(upload_id.clone());
    let part_size = part_size(plan.file.size);
    tell(
        &progress,
        ImportProgress::UploadStarted {
            location: location.clone(),
            total: plan.file.size,
            part_size,
        },
    );
    let upload = PartUpload {
        store: store.clone(),
        path: path.clone(),
        upload_id: upload_id.clone(),
        file: plan.path.clone(),
        size: plan.file.size,
        part_size,
        progress: progress.clone(),
    };
    let sent = tokio::select! {
        sent = upload.send_parts(&mut plan.opened) => sent,
        () = &mut cancel => Err(ImportError::new(ImportErrorKind::Cancelled)),
    };
    drop(upload);
    let parts = match sent {
        Ok(parts) => parts,
        Err(error) => {
            let left = cleanup.abort_upload().await;
            return Err(error.with_left_behind(left));
        }
    };
    // The check before the upload is not atomic (the multipart completion
    // of object_store's S3 client sends no `If-None-Match`): look again just
    // before completing, which shrinks the window from the upload's
    // duration to one round trip.
    if !plan.replace_existing_object {
        let found = match store.head(&path).await {
            Ok(_) => Some(ImportError::new(ImportErrorKind::ObjectExists(
                location.clone(),
            ))),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(error) => Some(storage("check for an existing object")(error)),
        };
        if let Some(error) = found {
            let left = cleanup.abort_upload().await;
            return Err(error.with_left_behind(left));
        }
    }
    if let Err(error) = store.complete_multipart(&path, &upload_id, parts).await {
        let (made, left) = cleanup.after_failed_completion(plan.file.size).await;
        let operation = if made {
            "completion of the multipart upload (its answer was lost, but the object was made)"
        } else {
            "completion of the multipart upload"
        };
        return Err(storage(operation)(error).with_left_behind(left));
    }
    cleanup.stored = Stored::Object;

    // 2. The import, from a presigned URL of the private object.
    let url = match store
        .signed_url(Method::GET, &path, plan.url_lifetime)
        .await
    {
        Ok(url) => url,
        Err(error) => {
            let left = cleanup.delete_object().await;
            return Err(storage("presigning of the object URL")(error).with_left_behind(left));
        }
    };
    if (&mut cancel).now_or_never().is_some() {
        let left = cleanup.delete_object().await;
        return Err(ImportError::new(ImportErrorKind::Cancelled).with_left_behind(left));
    }
    let mut request =
        plan.client
            .images()
            .create_custom(plan.name.as_str(), url.as_str(), plan.region.as_str());
    if let Some(distribution) = &plan.distribution {
        request = request.distribution(distribution.as_str());
    }
    if let Some(description) = &plan.description {
        request = request.description(description.as_str());
    }
    if !plan.tags.is_empty() {
        request = request.tags(plan.tags.iter().cloned());
    }
    let image_id = match request.send().await {
        Ok(created) => created.id(),
        Err(error) => {
            let left = cleanup.delete_object().await;
            return Err(ImportError::from(error).with_left_behind(left));
        }
    };
    cleanup.stored = Stored::Importing(image_id);
    tell(&progress, ImportProgress::ImportStarted { image_id });

    // 3. Wait until the image is available.
    let options = reporting(&plan.wait, &progress);
    let images = plan.client.images();
    let waited = tokio::select! {
        waited = images.wait_until_available(image_id, options).send_as::<T>() => waited,
        () = &mut cancel => {
            let left = cleanup.keep_for_import("cancelled while the import ran");
            return Err(ImportError::new(ImportErrorKind::Cancelled)
                .with_image(image_id)
                .with_left_behind(left));
        }
    };
    let mut image = match waited {
        Ok(image) => image,
        Err(error @ ApiError::WaitFailed { .. }) => {
            // The import is over: the object can go.
            cleanup.stored = Stored::Object;
            let left = cleanup.delete_object().await;
            return Err(ImportError::from(error)
                .with_image(image_id)
                .with_left_behind(left));
        }
        Err(error) => {
            let left = cleanup.keep_for_import("the wait ended before the import did");
            return Err(ImportError::from(error)
                .with_image(image_id)
                .with_left_behind(left));
        }
    };

    // 4. The object is no longer needed: transfers copy the image.
    cleanup.stored = Stored::Object;
    let left_behind = cleanup.delete_object().await;

    // 5. The extra regions, through the library's distribution: one
    // transfer after another, each waited for.
    if !plan.extra_regions.is_empty() {
        let distributed = tokio::select! {
            done = distribute(&plan, &progress, image_id) => done,
            () = &mut cancel => Err(ImportError::new(ImportErrorKind::Cancelled)),
        };
        match distributed {
            Ok(distributed) => image = distributed,
            Err(error) => {
                return Err(error.with_image(image_id).with_left_behind(left_behind));
            }
        }
    }
    Ok(ImportedImage {
        image,
        upload: location,
        upload_kept: plan.keep_upload || left_behind.is_some(),
        left_behind,
    })
}

/// Copies the image to the extra regions and returns it as it is then; the
/// first region that failed is the error, after every region was tried.
/// Its steps are passed on as they are.
async fn distribute<T: DeserializeOwned + Send + 'static>(
    plan: &Plan,
    progress: &Option<ProgressFn>,
    image_id: u64,
) -> Result<T, ImportError> {
    let told = progress.clone();
    let report = plan
        .client
        .images()
        .distribute(image_id, plan.extra_regions.iter().map(String::as_str))
        .wait_options(plan.wait.clone())
        .on_progress(move |step| tell(&told, ImportProgress::Image(step.clone())))
        .send_as::<T>()
        .await?;
    let first_failure = report
        .regions
        .into_iter()
        .find_map(|outcome| match outcome.result {
            RegionResult::Failed { error, .. } => Some(error),
            _ => None,
        });
    match first_failure {
        Some(error) => Err(ImportError::from(error)),
        None => Ok(report.image),
    }
}
