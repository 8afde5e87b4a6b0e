//! Import a local disk image into DigitalOcean, which imports only from a
//! URL: the file is checked, uploaded to a **private** Spaces object as a
//! streamed multipart upload, imported from a presigned URL, waited for,
//! copied to more regions, and the object is deleted, on success and on
//! failure.
//!
//! ```no_run
//! use do_images_file_import::{ImportFileExt, ImportProgress};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = do_images::Client::from_env()?;
//! // Spaces keys from SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY
//! // (or DIGITALOCEAN_SPACES_ACCESS_KEY / DIGITALOCEAN_SPACES_SECRET_KEY).
//! let imported = client
//!     .import_file("web.qcow2")
//!     .name("web")
//!     .region("nyc3")
//!     .extra_regions(["ams3", "sfo3"])
//!     .bucket("my-images")
//!     .on_progress(|step| {
//!         if let ImportProgress::Uploaded { sent, total } = step {
//!             eprintln!("{sent} of {total} bytes");
//!         }
//!     })
//!     .send()
//!     .await?;
//! println!("image {:?} in {:?}", imported.image.id, imported.image.regions);
//! # Ok(()) }
//! ```
//!
//! In its own crate so that users who never import files compile no S3
//! client; the design notes ([`design`]) say why object_store was chosen
//! and how cleanup works.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod check;
mod cleanup;
mod credentials;
mod error;
mod progress;
mod run;
mod spaces;
mod spaces_http;
mod upload;

pub use builder::{DEFAULT_URL_LIFETIME, ImportFile, ImportFileExt, MAX_URL_LIFETIME};
pub use check::{DiskFormat, MAX_FILE_SIZE};
pub use credentials::{SPACES_KEY_ENV_VARS, SpacesCredentials};
pub use error::{ImportError, ImportErrorKind, LeftBehind};
pub use progress::ImportProgress;
pub use run::ImportedImage;
pub use spaces::{ObjectLocation, SPACES_REGIONS};

/// The design record: why its own crate and object_store, the steps and
/// their order, cleanup, credentials, addressing, and measured memory and
/// throughput. Documentation only: it holds no items.
#[doc = include_str!("../DESIGN.md")]
pub mod design {}

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
