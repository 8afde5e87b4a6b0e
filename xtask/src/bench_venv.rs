//! The Python virtualenv at crates/do-images-bench/.venv with pydo, as
//! pinned in crates/do-images-bench/requirements.txt, installed from PyPI
//! only when it is not there yet.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where the virtualenv lives, relative to the workspace root.
const VENV: &str = "crates/do-images-bench/.venv";

/// The pinned requirements, relative to the workspace root.
const REQUIREMENTS: &str = "crates/do-images-bench/requirements.txt";

/// A copy of the requirements last installed, inside the virtualenv.
const STAMP: &str = "installed-requirements.txt";

/// Whether [`ensure`] may reach PyPI when the virtualenv is missing or
/// out of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Install {
    /// Create the virtualenv and install from PyPI when needed.
    Allowed,
    /// Use the virtualenv only as it is; fail when it is missing or stale.
    Refused,
}

/// Creates the virtualenv and installs the requirements if that has not
/// been done for these exact requirements (when `install` allows it);
/// returns its Python.
pub fn ensure(root: &Path, install: Install) -> Result<PathBuf> {
    let venv = root.join(VENV);
    let python = venv.join("bin/python");
    let requirements = std::fs::read_to_string(root.join(REQUIREMENTS))
        .with_context(|| format!("cannot read {REQUIREMENTS}"))?;
    let stamp = venv.join(STAMP);
    let installed = std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str());
    if install == Install::Refused && !(installed && python.exists()) {
        bail!(
            "{VENV} does not hold {REQUIREMENTS} yet, and installing from PyPI was not asked for"
        );
    }
    if !python.exists() {
        let system_python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
        eprintln!("creating {VENV}");
        run(Command::new(system_python).args(["-m", "venv"]).arg(&venv))?;
    }
    if !installed {
        eprintln!("installing {REQUIREMENTS} into {VENV} from PyPI");
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(root.join(REQUIREMENTS)))?;
        std::fs::write(&stamp, requirements)?;
    }
    Ok(python)
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
