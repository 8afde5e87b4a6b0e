//! `doimg images list`, and doctl's `list-distribution`,
//! `list-application` and `list-user`.

use std::io::Write;

use clap::{Args, ValueEnum};
use futures::StreamExt;

use do_images::{Image, ImageListType};

use crate::app::App;
use crate::error::CliError;
use crate::output::{OutputOptions, Shown};
use crate::validate;

/// `doimg images list`
#[derive(Debug, Args)]
pub struct ListImagesArgs {
    /// Only distribution or application images (public images: --public is
    /// implied).
    #[arg(long = "type", value_enum)]
    pub kind: Option<ImageKind>,
    /// Only your own images: the default, spelled out.
    #[arg(long, conflicts_with = "public")]
    pub private: bool,
    /// Public images too (every distribution and application image), as in
    /// doctl.
    #[arg(long)]
    pub public: bool,
    /// Only images with this tag.
    #[arg(long, value_name = "NAME")]
    pub tag: Option<String>,
    /// Stop after this many images.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
}

/// Why `images list` lists what it lists, shown by `doimg images list --help`.
pub const LIST_DEFAULT: &str = "\
List images (all pages).

Without --public this lists your own images (snapshots, backups, custom
images), as doctl's `image list` does: a script that deletes what it lists
never meets a public image. --public lists every public distribution and
application image too (what the API lists without a filter); --type lists
only the public images of that type. A listing that comes back empty says on
stderr how to see the rest.";

/// The filters of doctl's `list-distribution`, `list-application` and
/// `list-user`.
#[derive(Debug, Args)]
pub struct ListFilterArgs {
    /// Only images with this tag.
    #[arg(long, value_name = "NAME")]
    pub tag: Option<String>,
    /// Stop after this many images.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Accepted as in doctl, where every list takes it (distribution and
    /// application images are public; list-user lists your own, which are
    /// not).
    #[arg(long, hide = true)]
    pub public: bool,
}

impl ListFilterArgs {
    /// The `images list` these filters make with `kind` and `private`.
    pub fn listing(self, kind: Option<ImageKind>, private: bool) -> ListImagesArgs {
        ListImagesArgs {
            kind,
            private,
            public: self.public && !private,
            tag: self.tag,
            limit: self.limit,
        }
    }
}

/// The `type` filter of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImageKind {
    /// Public OS distributions.
    Distribution,
    /// 1-Click applications.
    Application,
}

/// Lists images as `args` ask, printing each as it arrives.
pub async fn list<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    mut args: ListImagesArgs,
) -> Result<(), CliError> {
    args.private = args.private || (!args.public && args.kind.is_none());
    let hint = empty_listing_hint(&args);
    let mut list = app.client.images().list();
    if let Some(kind) = args.kind {
        list = list.kind(match kind {
            ImageKind::Distribution => ImageListType::Distribution,
            ImageKind::Application => ImageListType::Application,
        });
    }
    if args.private {
        list = list.private(true);
    }
    if let Some(tag) = args.tag {
        validate::non_empty("--tag", &tag).map_err(CliError::Usage)?;
        list = list.tag(tag);
    }
    let mut take = usize::MAX;
    if let Some(limit) = args.limit {
        // Ask for no more than needed: pages of at most `limit` items, and
        // none fetched ahead (a page fetched ahead is sent even when the
        // limit is reached before it is shown; with fetch-ahead, `--limit 3`
        // cost four requests). Dropping the stream at the limit then
        // cancels nothing that was sent.
        list = list.per_page(limit.min(200)).fetch_ahead(0);
        take = usize::try_from(limit).unwrap_or(usize::MAX);
    }
    let mut shown = 0_u64;
    let items = list.stream_as::<S>().take(take).inspect(|item| {
        if item.is_ok() {
            shown += 1;
        }
    });
    S::print_list(output, out, items).await?;
    if shown == 0 {
        crate::output::stderr::note(&hint);
    }
    Ok(())
}

/// What an empty listing prints on stderr: how to see the images the
/// filters left out.
fn empty_listing_hint(args: &ListImagesArgs) -> String {
    let mut filters = Vec::new();
    if let Some(kind) = args.kind {
        let kind = match kind {
            ImageKind::Distribution => "distribution",
            ImageKind::Application => "application",
        };
        filters.push(format!("--type {kind}"));
    }
    if let Some(tag) = &args.tag {
        filters.push(format!("--tag {tag}"));
    }
    let filters = filters.join(" ");
    match (args.private, filters.is_empty()) {
        (true, true) => {
            "you have no images of your own; `doimg images list --public` lists public images too"
                .into()
        }
        (true, false) => format!(
            "none of your own images match {filters}; `doimg images list --public` lists \
             public images too"
        ),
        (false, true) => {
            "no images: the API lists none for this token, not even public ones".into()
        }
        (false, false) => format!("no images match {filters}"),
    }
}
