//! `doimg completion` and `doimg man`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::CliError;

/// Prints the completion script for `shell`.
pub fn completion(shell: clap_complete::Shell, out: &mut impl Write) -> Result<(), CliError> {
    clap_complete::generate(shell, &mut Cli::command(), "doimg", out);
    Ok(())
}

/// Prints the man page.
pub fn man(out: &mut impl Write) -> Result<(), CliError> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(())
}
