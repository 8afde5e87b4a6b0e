//! What the progress callback is told, step by step.

use std::sync::Arc;

use do_images::Progress;

use crate::check::DiskFormat;
use crate::spaces::ObjectLocation;

/// One step of an import, in the order they happen.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ImportProgress {
    /// The file passed the local check.
    Checked {
        /// Its size in bytes.
        size: u64,
        /// Its format.
        format: DiskFormat,
    },
    /// The multipart upload was created.
    UploadStarted {
        /// Where the object goes.
        location: ObjectLocation,
        /// Bytes to send.
        total: u64,
        /// The size of every part but the last.
        part_size: u64,
    },
    /// A part was stored.
    Uploaded {
        /// Bytes stored so far.
        sent: u64,
        /// Bytes to send.
        total: u64,
    },
    /// A part failed and is sent again.
    PartRetried {
        /// The part's number, from 1.
        part: u32,
        /// The attempt about to start, from 2.
        attempt: u32,
        /// Why the previous attempt failed.
        error: String,
    },
    /// The import was sent; the API is fetching the object.
    ImportStarted {
        /// The new image's id.
        image_id: u64,
    },
    /// A step of the image itself, as the library tells it: a poll of the
    /// import ([`Progress::ImageWaiting`]), then each extra region's
    /// transfer (started or found running, its polls).
    Image(Progress),
    /// The uploaded object was deleted.
    ObjectDeleted(ObjectLocation),
}

/// The caller's callback, cheap to clone into the upload's tasks.
pub(crate) type ProgressFn = Arc<dyn Fn(&ImportProgress) + Send + Sync>;
