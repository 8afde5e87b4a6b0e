//! The Python virtualenv at bench/.venv with pydo, as pinned in
//! bench/requirements.txt, installed from PyPI only when it is not there yet.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where the virtualenv lives, relative to the workspace root.
const VENV: &str = "bench/.venv";

/// The pinned requirements, relative to the workspace root.
const REQUIREMENTS: &str = "bench/requirements.txt";

/// A copy of the requirements last installed, inside the virtualenv.
const STAMP: &str = "installed-requirements.txt";

/// Creates the virtualenv and installs the requirements if that has not
/// been done for these exact requirements; returns its Python.
pub fn ensure(root: &Path) -> Result<PathBuf> {
    let venv = root.join(VENV);
    let python = venv.join("bin/python");
    if !python.exists() {
        let system_python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
        eprintln!("creating {VENV}");
        run(Command::new(system_python).args(["-m", "venv"]).arg(&venv))?;
    }
    let requirements = std::fs::read_to_string(root.join(REQUIREMENTS))
        .with_context(|| format!("cannot read {REQUIREMENTS}"))?;
    let stamp = venv.join(STAMP);
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(requirements.as_str()) {
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
