//! `doimg images create`: import a custom image from a URL (from a local
//! file: `images_file`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use do_images::Image;

use super::images::wait_available;
use crate::app::App;
use crate::args::WaitFlags;
use crate::error::CliError;
use crate::output::{OutputOptions, Shown};
use crate::progress::WaitSettings;
use crate::validate;

/// `doimg images create`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["url", "file"]))]
#[command(group = clap::ArgGroup::new("image_name").required(true).args(["name", "positional_name"]))]
pub struct CreateImageArgs {
    /// Name of the new image, as doctl takes it.
    #[arg(value_name = "NAME")]
    pub positional_name: Option<String>,
    /// Name of the new image (or give it as NAME).
    #[arg(long, alias = "image-name")]
    pub name: Option<String>,
    /// http(s) URL of a raw, qcow2, vhdx, vdi or vmdk file (optionally .gz or .bz2).
    #[arg(long, alias = "image-url")]
    pub url: Option<String>,
    /// A local raw (.img/.raw), qcow2, vhdx, vdi or vmdk file (optionally
    /// gzip or bzip2 compressed), instead of --url. It is uploaded to a
    /// private object in a Spaces bucket, imported from a presigned URL,
    /// copied to --regions, and the object is deleted, also when the import
    /// fails. A file import always waits, since it cleans up after the
    /// import. Spaces keys come from SPACES_ACCESS_KEY_ID and
    /// SPACES_SECRET_ACCESS_KEY, or DIGITALOCEAN_SPACES_ACCESS_KEY and
    /// DIGITALOCEAN_SPACES_SECRET_KEY (with --sandbox: the sandbox's own).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Region slug to import into, e.g. nyc3.
    #[arg(long)]
    pub region: String,
    /// Distribution, e.g. Ubuntu.
    #[arg(long, alias = "image-distribution")]
    pub distribution: Option<String>,
    /// Free-form description.
    #[arg(long, alias = "image-description")]
    pub description: Option<String>,
    /// Tags to apply: repeat the flag, or give a comma list (doctl's
    /// --tag-names a,b works too).
    #[arg(
        long = "tag",
        alias = "tag-names",
        value_name = "TAG",
        value_delimiter = ','
    )]
    pub tags: Vec<String>,
    /// Wait until the image is available (or the import fails).
    #[command(flatten)]
    pub wait: WaitFlags,
    /// Where a --file import uploads to, and what it does after.
    #[command(flatten)]
    pub file_import: Box<FileImportArgs>,
}

impl CreateImageArgs {
    /// The new image's name: `--name` or the positional NAME (clap takes
    /// exactly one of them).
    pub fn image_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.positional_name.as_deref())
            .unwrap_or_default()
    }
}

/// The flags of `images create --file` (refused without --file).
#[derive(Debug, Args)]
pub struct FileImportArgs {
    /// More regions to copy the image to once it is available, one after
    /// another, e.g. ams3,sfo3 (--file only).
    #[arg(long, value_name = "R2,R3", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// The Spaces bucket to upload the file to; it must exist (--file only).
    #[arg(long, value_name = "BUCKET")]
    pub spaces_bucket: Option<String>,
    /// The bucket's Spaces region [default: --region, when it has Spaces].
    #[arg(long, value_name = "REGION")]
    pub spaces_region: Option<String>,
    /// Another S3-compatible endpoint instead of Spaces (path-style
    /// addressing; plain http only to localhost).
    #[arg(long, value_name = "URL")]
    pub spaces_endpoint: Option<String>,
    /// The object key to upload to [default: do-images-import/<UTC
    /// time>-<random>-<file name>, a key no other import uses].
    #[arg(long, value_name = "KEY")]
    pub object_key: Option<String>,
    /// Upload even when --object-key names an object that is already there,
    /// replacing it (without this flag such an import is refused before
    /// anything is uploaded).
    #[arg(long)]
    pub replace_existing_object: bool,
    /// Keep the uploaded object after the import.
    #[arg(long)]
    pub keep_upload: bool,
    /// Take a file without a known signature as a raw disk image (files
    /// named *.img or *.raw are anyway).
    #[arg(long)]
    pub raw: bool,
}

impl FileImportArgs {
    /// The first of these flags given, if any (they need --file).
    pub fn first_given(&self) -> Option<&'static str> {
        [
            (!self.regions.is_empty(), "--regions"),
            (self.spaces_bucket.is_some(), "--spaces-bucket"),
            (self.spaces_region.is_some(), "--spaces-region"),
            (self.spaces_endpoint.is_some(), "--spaces-endpoint"),
            (self.object_key.is_some(), "--object-key"),
            (self.replace_existing_object, "--replace-existing-object"),
            (self.keep_upload, "--keep-upload"),
            (self.raw, "--raw"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// Imports the image from --url, or from --file; waits with --wait.
pub async fn create<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: CreateImageArgs,
    poll_interval: Duration,
) -> Result<(), CliError> {
    if args.url.is_none() {
        return super::images_file::create::<S>(app, output, out, args, poll_interval).await;
    }
    if let Some(flag) = args.file_import.first_given() {
        return Err(CliError::Usage(format!(
            "{flag} goes with --file, not --url"
        )));
    }
    let url = args.url.clone().unwrap_or_default();
    validate::non_empty("--name", args.image_name()).map_err(CliError::Usage)?;
    validate::import_url(&url).map_err(CliError::Usage)?;
    if let Some(warning) = validate::region(&args.region).map_err(CliError::Usage)? {
        crate::output::stderr::warning(&warning);
    }
    for tag in &args.tags {
        validate::non_empty("--tag", tag).map_err(CliError::Usage)?;
    }
    let mut request =
        app.client
            .images()
            .create_custom(args.image_name(), url, args.region.as_str());
    if let Some(distribution) = args.distribution {
        request = request.distribution(distribution.as_str());
    }
    if let Some(description) = args.description {
        request = request.description(description);
    }
    if !args.tags.is_empty() {
        request = request.tags(args.tags);
    }
    let created = request.send_as::<S>().await?;
    // What follows the import fails, if it does, after a change was sent.
    let after_import = async {
        if !args.wait.wait {
            return created.print(output, out);
        }
        let id = created.id();
        eprintln!("Import started: image {id}.");
        let settings = WaitSettings {
            timeout: args.wait.timeout,
            poll_interval,
        };
        let image: S = wait_available(app, id, settings).await?;
        image.print(output, out)
    };
    after_import.await.map_err(CliError::after_changes)
}
