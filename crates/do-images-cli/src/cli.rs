//! The command tree, as clap sees it: the command groups under the global
//! flags. Each group's own arguments live beside its command, in
//! `commands/`; the global flags and the argument types several groups
//! share are in `args`.

use clap::{CommandFactory, Parser, Subcommand};

use crate::args::GlobalArgs;
use crate::commands::account_transfers::AccountTransfersCommand;
use crate::commands::actions::ActionsCommand;
use crate::commands::images::ImagesCommand;
use crate::commands::shell::COMPLETION_INSTALL;
use crate::exit_code::EXIT_CODES_HELP;

/// Manage DigitalOcean images from the command line.
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

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, get, import, update, delete, prune, distribute and wait for
    /// images (doctl's `image` works too).
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
    /// doctl's `compute` prefix: `compute image ...` is `images ...`,
    /// `compute image-action ...` is `actions ...`.
    #[command(subcommand, hide = true)]
    Compute(ComputeCommand),
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

/// The groups under doctl's `compute`.
#[derive(Debug, Subcommand)]
pub enum ComputeCommand {
    /// `images ...`
    #[command(subcommand, name = "image", alias = "images")]
    Image(ImagesCommand),
    /// `actions ...`
    #[command(subcommand, name = "image-action", alias = "actions")]
    ImageAction(ActionsCommand),
}

/// The command line as doimg parses it and as its help, completions and
/// man pages show it: [`Cli`], with each global option hidden where it does
/// nothing: all of them on the commands that send no request (`completion`,
/// `man`, `sandbox`), `--poll-interval` on the commands that do not wait.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        hide_unused_options(sub, &name)
    })
}

/// Hides in `command` (at `path`, such as `images list`) and below it the
/// global options that do nothing there.
fn hide_unused_options(command: clap::Command, path: &str) -> clap::Command {
    const SEND_NOTHING: &[&str] = &["completion", "man", "sandbox"];
    const WAIT: &[&str] = &[
        "images create",
        "images wait",
        "images distribute",
        "actions transfer",
        "actions convert",
        "actions wait",
    ];
    let sends_nothing = SEND_NOTHING.contains(&path);
    let canonical = path
        .trim_start_matches("compute ")
        .replace("image-action ", "actions ")
        .replace("image ", "images ");
    let leaf = command.get_subcommands().next().is_none();
    let waits = WAIT.contains(&canonical.as_str());
    let command = command.mut_args(|arg| {
        let unused = arg.is_global_set()
            && (sends_nothing || (leaf && !waits && arg.get_id() == "poll_interval"));
        if unused { arg.hide(true) } else { arg }
    });
    command.mut_subcommands(|sub| {
        let path = format!("{path} {}", sub.get_name());
        hide_unused_options(sub, &path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }
}
