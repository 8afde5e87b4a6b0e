//! `doimg completion` and `doimg man`.

use std::io::Write;
use std::path::Path;

use crate::error::CliError;

/// How to install the completion script, shown by `doimg completion --help`.
pub const COMPLETION_INSTALL: &str = "\
Install the script where your shell loads completions from:
  bash        doimg completion bash > ~/.local/share/bash-completion/completions/doimg
  zsh         doimg completion zsh > ~/.zfunc/_doimg
              and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
  fish        doimg completion fish > ~/.config/fish/completions/doimg.fish
  elvish      doimg completion elvish >> ~/.config/elvish/rc.elv
  powershell  doimg completion powershell >> $PROFILE
Then open a new shell.";

/// Prints the completion script of `command` (the whole tree) for `shell`.
/// The script is made in memory
/// first: clap_complete panics when its writer fails, and a closed pipe
/// (`| head`) has to end doimg quietly.
pub fn completion(
    shell: clap_complete::Shell,
    mut command: clap::Command,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "doimg", &mut script);
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// Prints the top man page of `command` (the whole tree), or writes every
/// command's page into `dir`.
pub fn man(
    command: clap::Command,
    dir: Option<&Path>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match dir {
        None => {
            clap_mangen::Man::new(command).render(out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(command, dir))
                .map_err(|e| {
                    CliError::Usage(format!(
                        "cannot write man pages into {}: {e}",
                        dir.display()
                    ))
                })?;
            let dir = dir.display().to_string();
            writeln!(
                out,
                "Wrote the man pages into {}",
                crate::output::escape::for_terminal(&dir)
            )?;
        }
    }
    Ok(())
}
