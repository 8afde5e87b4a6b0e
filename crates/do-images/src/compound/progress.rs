//! What the compound operations (a distribution, a prune, and the file
//! import built on them) tell their progress callback: one event type,
//! from the library to whatever shows it.

use do_images_api::open_enums::RegionSlug;

use crate::wait::WaitProgress;

/// One step of a distribution or a prune, told to its `on_progress`
/// callback; the file import passes its image's steps on as they are.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Progress {
    /// A poll of the image, which is still importing.
    ImageWaiting(WaitProgress),
    /// The region already holds the image; nothing is sent.
    AlreadyThere {
        /// The region.
        region: RegionSlug,
    },
    /// A transfer was found running and is waited for.
    TransferRunning {
        /// Its target region.
        region: RegionSlug,
        /// The transfer action's id.
        action_id: u64,
    },
    /// A transfer was started.
    TransferStarted {
        /// Its target region.
        region: RegionSlug,
        /// The transfer action's id.
        action_id: u64,
    },
    /// A poll of a transfer.
    Transferring {
        /// Its target region.
        region: RegionSlug,
        /// The poll.
        progress: WaitProgress,
    },
    /// A prune settled one more of the images its plan deletes.
    ImageSettled {
        /// Images settled so far, this one included.
        settled: usize,
        /// Images the plan deletes.
        total: usize,
        /// The image just settled.
        image_id: u64,
        /// What happened to it: `deleted`, `already gone`, `skipped` or
        /// `failed`.
        result: &'static str,
    },
}
