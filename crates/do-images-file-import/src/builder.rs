//! The `import_file(path)` builder and its checks, all made before anything
//! is sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use do_images::{Client, Distribution, RegionSlug, WaitOptions};

use crate::check::{CheckedFile, check_file};
use crate::credentials::SpacesCredentials;
use crate::error::ImportError;
use crate::progress::{ImportProgress, ProgressFn};
use crate::spaces::{SpacesTarget, default_key, default_region};

/// The presigned URL's default lifetime: long enough for the largest
/// import (tens of minutes) with a wide margin.
pub const DEFAULT_URL_LIFETIME: Duration = Duration::from_secs(6 * 60 * 60);

/// The longest a Signature V4 presigned URL can live.
pub const MAX_URL_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Adds [`import_file`](ImportFileExt::import_file) to [`Client`].
pub trait ImportFileExt {
    /// Starts building the import of the disk image at `path`; see
    /// [`ImportFile`].
    fn import_file(&self, path: impl AsRef<Path>) -> ImportFile;
}

impl ImportFileExt for Client {
    fn import_file(&self, path: impl AsRef<Path>) -> ImportFile {
        ImportFile::new(self.clone(), path.as_ref())
    }
}

/// The import of a local disk image: upload to a private Spaces object,
/// import from a presigned URL, wait, transfer to the extra regions, delete
/// the object. From [`ImportFileExt::import_file`]; run it with
/// [`send`](Self::send) or [`send_until`](Self::send_until).
///
/// Required: [`region`](Self::region) and [`bucket`](Self::bucket). The
/// image name defaults to the file name without its extensions, the Spaces
/// region to the import region (when it has Spaces), the object key to
/// `do-images-import/<UTC time>-<random>-<file name>`, the keys to the environment
/// (see [`SpacesCredentials::from_env`]).
#[derive(Clone)]
pub struct ImportFile {
    pub(crate) client: Client,
    pub(crate) path: PathBuf,
    pub(crate) name: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) extra_regions: Vec<String>,
    pub(crate) distribution: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) bucket: Option<String>,
    pub(crate) spaces_region: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) credentials: Option<SpacesCredentials>,
    pub(crate) url_lifetime: Duration,
    pub(crate) keep_upload: bool,
    pub(crate) replace_existing_object: bool,
    pub(crate) raw: bool,
    pub(crate) wait: WaitOptions,
    pub(crate) progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ImportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportFile")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("region", &self.region)
            .field("extra_regions", &self.extra_regions)
            .field("bucket", &self.bucket)
            .field("spaces_region", &self.spaces_region)
            .field("endpoint", &self.endpoint)
            .field("key", &self.key)
            .field("credentials", &self.credentials)
            .field("url_lifetime", &self.url_lifetime)
            .field("keep_upload", &self.keep_upload)
            .field("replace_existing_object", &self.replace_existing_object)
            .finish_non_exhaustive()
    }
}

/// Everything [`run`](crate::run) needs, checked.
pub(crate) struct Plan {
    pub client: Client,
    pub path: PathBuf,
    /// The file as opened for the check: the upload reads this handle.
    pub opened: tokio::fs::File,
    pub file: CheckedFile,
    pub name: String,
    pub region: String,
    pub extra_regions: Vec<String>,
    pub distribution: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub target: SpacesTarget,
    pub credentials: SpacesCredentials,
    pub url_lifetime: Duration,
    pub keep_upload: bool,
    pub replace_existing_object: bool,
    pub wait: WaitOptions,
    pub progress: Option<ProgressFn>,
}

fn invalid(what: &'static str, problem: String, allowed: &'static str) -> ImportError {
    ImportError::from(do_images::Error::InvalidInput {
        what,
        problem,
        allowed,
    })
}

impl ImportFile {
    fn new(client: Client, path: &Path) -> Self {
        Self {
            client,
            path: path.to_path_buf(),
            name: None,
            region: None,
            extra_regions: Vec::new(),
            distribution: None,
            description: None,
            tags: Vec::new(),
            bucket: None,
            spaces_region: None,
            endpoint: None,
            key: None,
            credentials: None,
            url_lifetime: DEFAULT_URL_LIFETIME,
            keep_upload: false,
            replace_existing_object: false,
            raw: false,
            wait: WaitOptions::default(),
            progress: None,
        }
    }

    /// The image's name (default: the file name without its extensions).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The region to import into, such as `nyc3` (required).
    pub fn region(mut self, region: impl Into<RegionSlug>) -> Self {
        self.region = Some(region.into().as_str().to_string());
        self
    }

    /// More regions to copy the image to once it is available, one after
    /// another, in this order.
    pub fn extra_regions<S: Into<RegionSlug>>(
        mut self,
        regions: impl IntoIterator<Item = S>,
    ) -> Self {
        self.extra_regions = regions
            .into_iter()
            .map(|region| region.into().as_str().to_string())
            .collect();
        self
    }

    /// The image's distribution, such as `Ubuntu`.
    pub fn distribution(mut self, distribution: impl Into<Distribution>) -> Self {
        self.distribution = Some(distribution.into().as_str().to_string());
        self
    }

    /// Free-form text about the image.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Tags to put on the image.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// The Spaces bucket to upload to (required; it must exist).
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// The bucket's Spaces region, such as `fra1` (default: the import
    /// region, when it has Spaces). It is also the signing region.
    pub fn spaces_region(mut self, region: impl Into<String>) -> Self {
        self.spaces_region = Some(region.into());
        self
    }

    /// Another S3-compatible endpoint instead of
    /// `https://{region}.digitaloceanspaces.com`, addressed path-style
    /// unless it is a Spaces host. Plain `http://` only to loopback.
    pub fn spaces_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The object key (default: `do-images-import/<UTC time>-<random>-<file
    /// name>`, a key no other import uses). An object already there is
    /// never replaced unless [`replace_existing_object`](Self::replace_existing_object).
    pub fn object_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Spaces keys (default: from the environment, see
    /// [`SpacesCredentials::from_env`]).
    pub fn credentials(mut self, credentials: SpacesCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// How long the presigned URL the API fetches from stays valid
    /// (default [`DEFAULT_URL_LIFETIME`], at most [`MAX_URL_LIFETIME`]).
    pub fn url_lifetime(mut self, lifetime: Duration) -> Self {
        self.url_lifetime = lifetime;
        self
    }

    /// Keep the uploaded object after the import (default: delete it, on
    /// success and on failure).
    pub fn keep_upload(mut self, keep: bool) -> Self {
        self.keep_upload = keep;
        self
    }

    /// Upload even when the object key names an object that is already
    /// there, replacing it (default: refuse, with
    /// [`ImportErrorKind::ObjectExists`](crate::ImportErrorKind::ObjectExists),
    /// before anything is uploaded). The replacing object is this import's:
    /// it is deleted afterwards unless [`keep_upload`](Self::keep_upload).
    pub fn replace_existing_object(mut self, replace: bool) -> Self {
        self.replace_existing_object = replace;
        self
    }

    /// Accept a file without a known signature as a raw disk image (files
    /// named `*.img` or `*.raw` are taken as raw anyway).
    pub fn raw(mut self, raw: bool) -> Self {
        self.raw = raw;
        self
    }

    /// How to wait for the import and each transfer (time bound, poll
    /// delays). Their progress goes to [`on_progress`](Self::on_progress);
    /// a callback set on these options is not called.
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Called at each step: bytes stored, part retries, each poll of the
    /// import and of every transfer (see [`ImportProgress`]).
    pub fn on_progress(
        mut self,
        callback: impl Fn(&ImportProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Checks every argument, the keys and the file; nothing is sent.
    pub(crate) async fn plan(self) -> Result<Plan, ImportError> {
        let region = self.region.clone().unwrap_or_default();
        check_region("region", &region)?;
        let mut seen = vec![region.clone()];
        for extra in &self.extra_regions {
            check_region("extra region", extra)?;
            if seen.contains(extra) {
                return Err(invalid(
                    "extra region",
                    format!("{extra:?} is named twice (the import region counts)"),
                    "regions other than the import region, each once",
                ));
            }
            seen.push(extra.clone());
        }
        let name = match &self.name {
            Some(name) => name.clone(),
            None => default_name(&self.path),
        };
        if name.trim().is_empty() {
            return Err(invalid(
                "name",
                "the image name is empty".into(),
                "a non-empty name",
            ));
        }
        if self.tags.iter().any(|t| t.trim().is_empty()) {
            return Err(invalid(
                "tag",
                "a tag is empty".into(),
                "non-empty tag names",
            ));
        }
        if self.url_lifetime < Duration::from_secs(60) || self.url_lifetime > MAX_URL_LIFETIME {
            return Err(invalid(
                "URL lifetime",
                format!("{:?} is out of range", self.url_lifetime),
                "1 minute to 7 days (the most a presigned URL can live)",
            ));
        }
        self.wait.check()?;
        let bucket = self.bucket.clone().ok_or_else(|| {
            invalid(
                "Spaces bucket",
                "none given".into(),
                "the name of an existing bucket",
            )
        })?;
        let spaces_region = match &self.spaces_region {
            Some(r) => r.clone(),
            None => default_region(&region).map(str::to_string).ok_or_else(|| {
                invalid(
                    "Spaces region",
                    format!("none given, and region {region:?} has no Spaces"),
                    "a Spaces region such as nyc3, ams3, sfo3, sgp1, fra1 or syd1",
                )
            })?,
        };
        let key = self
            .key
            .clone()
            .unwrap_or_else(|| default_key(&self.path, chrono::Utc::now(), fastrand::u64(..)));
        let target = SpacesTarget::new(&bucket, &spaces_region, self.endpoint.as_deref(), key)?;
        let credentials = match self.credentials.clone() {
            Some(credentials) => credentials,
            None => SpacesCredentials::from_env()?,
        };
        credentials.check()?;
        let (opened, file) = check_file(&self.path, self.raw).await?;
        Ok(Plan {
            client: self.client,
            path: self.path,
            opened,
            file,
            name,
            region,
            extra_regions: self.extra_regions,
            distribution: self.distribution,
            description: self.description,
            tags: self.tags,
            target,
            credentials,
            url_lifetime: self.url_lifetime,
            keep_upload: self.keep_upload,
            replace_existing_object: self.replace_existing_object,
            wait: self.wait,
            progress: self.progress,
        })
    }
}

fn check_region(what: &'static str, region: &str) -> Result<(), ImportError> {
    let letters = region.chars().take_while(char::is_ascii_lowercase).count();
    let digits = region[letters..].chars().all(|c| c.is_ascii_digit());
    if letters < 2 || letters == region.len() || !digits || region.len() > 10 {
        return Err(invalid(
            what,
            format!("{region:?} is not a region slug"),
            "lower-case letters then digits, such as nyc3 or atl1",
        ));
    }
    Ok(())
}

/// `ubuntu-24.04.qcow2.gz` becomes `ubuntu-24`: the name up to its first
/// dot after the first character.
fn default_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem_end = name
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '.')
        .map_or(name.len(), |(i, _)| i);
    name[..stem_end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_drop_the_extensions() {
        assert_eq!(default_name(Path::new("/x/web.qcow2.gz")), "web");
        assert_eq!(default_name(Path::new(".hidden.img")), ".hidden");
        assert_eq!(default_name(Path::new("plain")), "plain");
        assert_eq!(default_name(Path::new("é.qcow2")), "é");
        assert_eq!(default_name(Path::new("日本.img")), "日本");
    }
}
