//! The command line, as clap sees it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit_code::EXIT_CODES_HELP;

/// doimg: manage DigitalOcean images from the command line.
///
/// Lists, imports, updates and deletes images, transfers and converts them,
/// and waits for the work to finish. Run any command against a local
/// simulation of the API with --sandbox: no account needed.
#[derive(Debug, Parser)]
#[command(name = "doimg", version, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API endpoint.
    #[arg(
        short = 'u',
        long,
        global = true,
        env = "DIGITALOCEAN_API_URL",
        value_name = "URL"
    )]
    pub api_url: Option<String>,

    /// API token. Else, as in doctl, the chosen context's: for `default`,
    /// DIGITALOCEAN_ACCESS_TOKEN, DIGITALOCEAN_TOKEN or the access-token in
    /// doctl's config file; for another, its entry in the file's
    /// auth-contexts.
    #[arg(
        short = 't',
        long,
        global = true,
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub access_token: Option<crate::auth::TokenArg>,

    /// Which of doctl's auth-contexts to take the token from [default: the
    /// config file's current context].
    #[arg(long, global = true, env = "DIGITALOCEAN_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,

    /// doctl's config file [default: doctl/config.yaml in the user config
    /// directory: $XDG_CONFIG_HOME or ~/.config, ~/Library/Application
    /// Support on macOS, %APPDATA% on Windows].
    #[arg(
        short = 'c',
        long,
        global = true,
        env = "DIGITALOCEAN_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Run against a sandbox started in this process (no account, no
    /// network); not with --api-url or -t (DIGITALOCEAN_API_URL is
    /// ignored).
    #[arg(long, global = true, conflicts_with = "access_token")]
    pub sandbox: bool,

    /// Send requests as fast as the server answers them, instead of
    /// keeping under the API's 250 requests a minute and 5,000 an hour
    /// (for a sandbox without rate limits, or a proxy that limits on its
    /// own); a 429 is still waited out.
    #[arg(long, global = true)]
    pub no_request_limits: bool,

    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Columns to show, comma-separated (text output), e.g. ID,Name,Status.
    #[arg(long, global = true, value_name = "COLUMNS", value_delimiter = ',')]
    pub format: Option<Vec<String>>,

    /// Leave out the header line (text output).
    #[arg(long, global = true)]
    pub no_header: bool,

    /// First delay between polls while waiting (it grows up to a minute).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "2s")]
    pub poll_interval: Duration,

    /// Trace requests on stderr: method, path, status, attempt, request id,
    /// rate limit left. Never the token. RUST_LOG, when set, replaces this
    /// filter. doctl's --trace is the same.
    #[arg(short = 'v', long, global = true, alias = "trace")]
    pub verbose: bool,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns.
    Text,
    /// The API's objects as JSON: an array for lists (written as items
    /// arrive), one object for a command about one image or action (doctl
    /// prints a one-item array there: `| jq -s .` gives that shape).
    Json,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, get, import, update, delete and wait for images (doctl's
    /// `image` works too).
    #[command(subcommand, alias = "image")]
    Images(ImagesCommand),
    /// List, get, start and wait for image actions: transfer, convert
    /// (doctl's `image-action` works too).
    #[command(subcommand, alias = "image-action")]
    Actions(ActionsCommand),
    /// Hand a private snapshot to another account or team; accept, cancel
    /// or decline such a transfer.
    #[command(subcommand)]
    AccountTransfers(AccountTransfersCommand),
    /// Run the local simulation of the API in the foreground until Ctrl-C.
    #[cfg(feature = "sandbox")]
    Sandbox(do_images_sandbox::ServeArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETION_INSTALL)]
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command to a folder.
    Man {
        /// Write doimg.1, doimg-images.1, doimg-images-list.1, ... into this
        /// folder instead of printing doimg.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

/// `doimg images ...`
#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// List images (all pages): public ones and yours, as the API lists
    /// them; --private (or list-user) for only yours, doctl's default.
    #[command(visible_alias = "ls", long_about = LIST_DEFAULT)]
    List(ListImagesArgs),
    /// List public distribution images (`list --type distribution`).
    ListDistribution(ListFilterArgs),
    /// List 1-Click application images (`list --type application`).
    ListApplication(ListFilterArgs),
    /// List your own images (`list --private`).
    ListUser(ListFilterArgs),
    /// Show one image by id or slug, or every image with a name.
    Get(GetImageArgs),
    /// Import a custom image from a URL, or from a local file (--file).
    Create(CreateImageArgs),
    /// Change an image's name, description or distribution.
    Update(UpdateImageArgs),
    /// Delete images (asks first on a terminal).
    #[command(visible_alias = "rm")]
    Delete(DeleteImagesArgs),
    /// Wait until an image is available.
    Wait(WaitImageArgs),
}

/// `doimg images list`
#[derive(Debug, Args)]
pub struct ListImagesArgs {
    /// Only distribution or application images.
    #[arg(long = "type", value_enum)]
    pub kind: Option<ImageKind>,
    /// Only your own images.
    #[arg(long, conflicts_with = "public")]
    pub private: bool,
    /// Public images and yours: the default, spelled as in doctl.
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
const LIST_DEFAULT: &str = "\
List images (all pages).

Without a filter this lists what the API lists: every public distribution and
application image, and your own images, so that doimg, the library and the
API agree. doctl's `image list` shows only your own images: here that is
--private (or `images list-user`). --public, doctl's flag for everything, is
accepted and is the default. A listing that comes back empty says on stderr
how to see the rest.";

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
    /// Accepted as in doctl, where these lists take it (distribution and
    /// application images are public; not with list-user).
    #[arg(long, hide = true)]
    pub public: bool,
}

impl ListFilterArgs {
    /// The `images list` these filters make with `kind` and `private`.
    pub fn listing(self, kind: Option<ImageKind>, private: bool) -> ListImagesArgs {
        ListImagesArgs {
            kind,
            private,
            public: self.public,
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

/// `doimg images get`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["image", "name"]))]
pub struct GetImageArgs {
    /// Image id or slug.
    #[arg(value_name = "ID|SLUG")]
    pub image: Option<String>,
    /// Every image with this exact name (private images have no slug).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

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

/// `--wait` and `--timeout`.
#[derive(Debug, Args)]
pub struct WaitFlags {
    /// Wait for the work to finish.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this long, e.g. 90s, 15m, 1h (with --wait).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m", requires = "wait")]
    pub timeout: Duration,
}

/// `doimg images update`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("change").required(true).multiple(true).args(["name", "description", "distribution"]))]
pub struct UpdateImageArgs {
    /// Image id.
    #[arg(value_name = "ID", value_parser = positive_id())]
    pub id: u64,
    /// New name.
    #[arg(long, alias = "image-name")]
    pub name: Option<String>,
    /// New description (custom images only).
    #[arg(long, alias = "image-description")]
    pub description: Option<String>,
    /// New distribution (custom images only).
    #[arg(long, alias = "image-distribution")]
    pub distribution: Option<String>,
}

/// `doimg images delete`
#[derive(Debug, Args)]
pub struct DeleteImagesArgs {
    /// Image ids.
    #[arg(value_name = "ID", required = true, value_parser = positive_id())]
    pub ids: Vec<u64>,
    /// Delete without asking.
    #[arg(short, long)]
    pub force: bool,
}

/// `doimg images wait`
#[derive(Debug, Args)]
pub struct WaitImageArgs {
    /// Image id.
    #[arg(value_name = "ID", value_parser = positive_id())]
    pub id: u64,
    /// Give up after this long, e.g. 90s, 15m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m")]
    pub timeout: Duration,
}

/// `doimg actions ...`
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// List an image's actions.
    #[command(visible_alias = "ls")]
    List {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
    },
    /// Show one action.
    #[command(group = clap::ArgGroup::new("action").required(true).args(["action_id", "action_id_flag"]))]
    Get {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Action id.
        #[arg(value_name = "ACTION_ID", value_parser = positive_id())]
        action_id: Option<u64>,
        /// Action id, as doctl takes it (or give it as ACTION_ID).
        #[arg(long = "action-id", value_name = "ACTION_ID", value_parser = positive_id())]
        action_id_flag: Option<u64>,
    },
    /// Copy an image to another region.
    Transfer {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Target region slug, e.g. nyc3.
        #[arg(long)]
        region: String,
        /// Wait for the action to finish.
        #[command(flatten)]
        wait: WaitFlags,
    },
    /// Turn a backup into a snapshot.
    Convert {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Wait for the action to finish.
        #[command(flatten)]
        wait: WaitFlags,
    },
    /// Wait until an action has finished.
    Wait {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Action id.
        #[arg(value_name = "ACTION_ID", value_parser = positive_id())]
        action_id: u64,
        /// Give up after this long, e.g. 90s, 15m, 1h.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m")]
        timeout: Duration,
    },
}

/// `doimg account-transfers ...`
#[derive(Debug, Subcommand)]
pub enum AccountTransfersCommand {
    /// Offer a private snapshot to another account (--email), which must
    /// accept it, or to a team (--team): accepted at once when your token
    /// has permission in that team.
    Create {
        /// Image id (a snapshot).
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// Who receives the image.
        #[command(flatten)]
        recipient: Recipient,
    },
    /// Accept a pending transfer into one of your teams.
    Accept {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id (from the email the recipient got).
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
        /// The uuid of the team that takes the image.
        #[arg(long, value_name = "UUID")]
        team: String,
    },
    /// Withdraw a pending transfer you started.
    Cancel {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id.
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
    },
    /// Refuse a pending transfer offered to you.
    Decline {
        /// Image id.
        #[arg(value_name = "IMAGE_ID", value_parser = positive_id())]
        image_id: u64,
        /// The transfer's id.
        #[arg(long, value_name = "N", value_parser = positive_id())]
        transfer_id: u64,
    },
}

/// The one recipient of `account-transfers create`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Recipient {
    /// The email address of the account that receives the image.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// The uuid of the team that receives the image.
    #[arg(long, value_name = "UUID")]
    pub team: Option<String>,
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

/// Ids are positive: 0 is refused before anything is sent, so that a
/// command naming several ids never stops half-way on one.
fn positive_id() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..)
}

/// How to install the completion script, shown by `doimg completion --help`.
const COMPLETION_INSTALL: &str = "\
Install the script where your shell loads completions from:
  bash        doimg completion bash > ~/.local/share/bash-completion/completions/doimg
  zsh         doimg completion zsh > ~/.zfunc/_doimg
              and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
  fish        doimg completion fish > ~/.config/fish/completions/doimg.fish
  elvish      doimg completion elvish >> ~/.config/elvish/rc.elv
  powershell  doimg completion powershell >> $PROFILE
Then open a new shell.";

fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); use e.g. 90s, 15m, 1h"))?;
    if duration.is_zero() {
        return Err("the timeout must be longer than zero".into());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_and_bad_ones_say_what_is_allowed() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("soon").unwrap_err().contains("15m"));
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
    }
}
