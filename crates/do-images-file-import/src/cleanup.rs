//! What is in the bucket at each step, how to remove it, and what happens
//! when the import's future is dropped half-way.

use std::sync::Arc;
use std::time::Duration;

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
    /// How long one cleanup request may take before what it was removing
    /// is reported as left behind ([`CLEANUP_TIME_LIMIT`]).
    pub time_limit: Duration,
}

/// How long one cleanup request (abort, delete) may take: a store that
/// stalls must not keep a cancelled import from ending.
pub(crate) const CLEANUP_TIME_LIMIT: Duration = Duration::from_secs(30);

impl Cleanup {
    /// Aborts the multipart upload; reports it when that fails.
    pub async fn abort_upload(&mut self) -> Option<LeftBehind> {
        let Stored::Multipart(id) = std::mem::replace(&mut self.stored, Stored::Nothing) else {
            return None;
        };
        let abort = self.store.abort_multipart(&self.path, &id);
        let reason = match tokio::time::timeout(self.time_limit, abort).await {
            Ok(Ok(())) => return None,
            Ok(Err(error)) => format!("the abort failed: {error}"),
            Err(_) => format!("the abort got no answer within {:?}", self.time_limit),
        };
        Some(LeftBehind::MultipartUpload {
            location: self.location.clone(),
            upload_id: id,
            reason,
        })
    }

    /// After a completion that failed: its answer may have been lost after
    /// the store made the object, and then there is no upload to abort but
    /// an object to delete. A HEAD on the key tells which: an object of the
    /// upload's `size` is taken as the upload's and deleted (unless kept);
    /// otherwise the upload is aborted. Returns whether the object was
    /// there, and what is left.
    pub async fn after_failed_completion(&mut self, size: u64) -> (bool, Option<LeftBehind>) {
        let head = tokio::time::timeout(self.time_limit, self.store.head(&self.path)).await;
        if let Ok(Ok(found)) = head
            && found.size == size
        {
            self.stored = Stored::Object;
            return (true, self.delete_object().await);
        }
        (false, self.abort_upload().await)
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
        let reason =
            match tokio::time::timeout(self.time_limit, self.store.delete(&self.path)).await {
                Ok(Ok(())) => {
                    if let Some(progress) = &self.progress {
                        progress(&ImportProgress::ObjectDeleted(self.location.clone()));
                    }
                    return None;
                }
                Ok(Err(error)) => format!("deleting it failed: {error}"),
                Err(_) => format!("deleting it got no answer within {:?}", self.time_limit),
            };
        Some(LeftBehind::Object {
            location: self.location.clone(),
            reason,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::SpacesCredentials;
    use crate::spaces::SpacesTarget;

    /// A store endpoint on 127.0.0.1 that accepts connections and never
    /// answers, held open for the test's whole life.
    async fn stalling_endpoint() -> (tokio::net::TcpListener, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        (listener, url)
    }

    fn cleanup(endpoint: &str, stored: Stored) -> Cleanup {
        let target = SpacesTarget::new("bucket", "nyc3", Some(endpoint), "k.qcow2".into()).unwrap();
        let store = target
            .store(&SpacesCredentials::new("id", "secret"))
            .unwrap();
        Cleanup {
            store,
            path: target.object_path(),
            location: target.location.clone(),
            keep_object: false,
            progress: None,
            stored,
            time_limit: Duration::from_millis(200),
        }
    }

    #[tokio::test]
    async fn a_store_that_never_answers_bounds_the_cleanup_and_says_what_is_left() {
        let (listener, endpoint) = stalling_endpoint().await;
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let mut aborting = cleanup(&endpoint, Stored::Multipart("up-1".into()));
        let left = tokio::time::timeout(Duration::from_secs(20), aborting.abort_upload())
            .await
            .expect("the abort gives up within its time limit");
        match left {
            Some(LeftBehind::MultipartUpload {
                upload_id, reason, ..
            }) => {
                assert_eq!(upload_id, "up-1");
                assert!(reason.contains("no answer within"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let mut deleting = cleanup(&endpoint, Stored::Object);
        let left = tokio::time::timeout(Duration::from_secs(20), deleting.delete_object())
            .await
            .expect("the delete gives up within its time limit");
        assert!(
            matches!(&left, Some(LeftBehind::Object { reason, .. }) if reason.contains("no answer within")),
            "{left:?}"
        );
        held.abort();
    }
}
