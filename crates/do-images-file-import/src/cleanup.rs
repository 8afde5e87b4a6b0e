//! What is in the bucket at each step, how to remove it, and what happens
//! when the import's future is dropped half-way.

use std::sync::Arc;

use object_store::aws::AmazonS3;
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::{MultipartId, ObjectStoreExt};

use crate::error::LeftBehind;
use crate::progress::{ImportProgress, ProgressFn};
use crate::spaces::ObjectLocation;

/// What the bucket holds for this import.
#[derive(Clone, Debug)]
pub(crate) enum Stored {
    /// Nothing (not started, or cleaned up).
    Nothing,
    /// A multipart upload in progress.
    Multipart(MultipartId),
    /// The complete object, not yet handed to the API.
    Object,
    /// The object, which the API is importing from (image id): deleting it
    /// would fail the import.
    Importing(u64),
}

/// Owns what the import put in the bucket. Removing it is awaited on the
/// normal paths; when the future is dropped instead, `Drop` starts the
/// removal on the runtime, without waiting.
pub(crate) struct Cleanup {
    pub store: Arc<AmazonS3>,
    pub path: ObjectPath,
    pub location: ObjectLocation,
    pub keep_object: bool,
    pub progress: Option<ProgressFn>,
    pub stored: Stored,
}

impl Cleanup {
    /// Aborts the multipart upload; reports it when that fails.
    pub async fn abort_upload(&mut self) -> Option<LeftBehind> {
        let Stored::Multipart(id) = std::mem::replace(&mut self.stored, Stored::Nothing) else {
            return None;
        };
        match self.store.abort_multipart(&self.path, &id).await {
            Ok(()) => None,
            Err(error) => Some(LeftBehind::MultipartUpload {
                location: self.location.clone(),
                upload_id: id,
                reason: format!("the abort failed: {error}"),
            }),
        }
    }

    /// Deletes the object unless asked to keep it; reports what is left.
    pub async fn delete_object(&mut self) -> Option<LeftBehind> {
        if matches!(self.stored, Stored::Nothing | Stored::Multipart(_)) {
            return None;
        }
        self.stored = Stored::Nothing;
        if self.keep_object {
            return None;
        }
        match self.store.delete(&self.path).await {
            Ok(()) => {
                if let Some(progress) = &self.progress {
                    progress(&ImportProgress::ObjectDeleted(self.location.clone()));
                }
                None
            }
            Err(error) => Some(LeftBehind::Object {
                location: self.location.clone(),
                reason: format!("deleting it failed: {error}"),
            }),
        }
    }

    /// Leaves the object where it is (an import still reads it) and says
    /// so.
    pub fn keep_for_import(&mut self, why: &str) -> Option<LeftBehind> {
        let Stored::Importing(image_id) = self.stored else {
            return None;
        };
        self.stored = Stored::Nothing;
        if self.keep_object {
            return None;
        }
        Some(LeftBehind::Object {
            location: self.location.clone(),
            reason: format!(
                "{why}; image {image_id} may still be importing from it, and deleting it would fail that import: delete it once the image is available or deleted"
            ),
        })
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let stored = std::mem::replace(&mut self.stored, Stored::Nothing);
        let (store, path, location) = (self.store.clone(), self.path.clone(), &self.location);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            if !matches!(stored, Stored::Nothing) {
                tracing::warn!(%location, "no runtime to clean up on; the upload is left behind");
            }
            return;
        };
        match stored {
            Stored::Nothing => {}
            Stored::Multipart(id) => {
                runtime.spawn(async move {
                    if let Err(error) = store.abort_multipart(&path, &id).await {
                        tracing::warn!(%error, upload_id = %id, "aborting a cancelled upload failed");
                    }
                });
            }
            Stored::Object if self.keep_object => {}
            Stored::Object => {
                runtime.spawn(async move {
                    if let Err(error) = store.delete(&path).await {
                        tracing::warn!(%error, "deleting a cancelled upload failed");
                    }
                });
            }
            Stored::Importing(image_id) => {
                tracing::warn!(
                    %location,
                    image_id,
                    "import cancelled after it was sent: the object is kept, since deleting it would fail the import"
                );
            }
        }
    }
}
