//! Where the API token comes from: the flag, the environment, or doctl's
//! config file.

use std::path::{Path, PathBuf};

use do_images::TOKEN_ENV_VARS;

use crate::doctl_config::{self, shown_name};

/// A token and where it was found (never the token itself in messages).
#[derive(Clone)]
pub struct FoundToken {
    /// The token.
    pub token: String,
    /// Where it came from, for `-v` and error messages.
    pub source: String,
    /// A warning to print, such as a config file others can read.
    pub warning: Option<String>,
}

impl std::fmt::Debug for FoundToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundToken")
            .field("token", &"***")
            .field("source", &self.source)
            .finish()
    }
}

/// The `--access-token` value. Its `Debug` (and so that of the parsed
/// command line) never shows it.
#[derive(Clone)]
pub struct TokenArg(String);

impl TokenArg {
    /// The token as given.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for TokenArg {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_string()))
    }
}

impl std::fmt::Debug for TokenArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenArg(<redacted>)")
    }
}

/// The inputs of the search.
pub struct TokenQuery<'a> {
    /// `-t/--access-token`.
    pub flag: Option<&'a str>,
    /// `--context` or `DIGITALOCEAN_CONTEXT`.
    pub context: Option<&'a str>,
    /// `--config`, else the default path (`None` when the system has no
    /// user config directory).
    pub config_path: Option<PathBuf>,
    /// Reads an environment variable.
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// The context doctl calls `default`: its token is `access-token` (or the
/// token variables).
const DEFAULT_CONTEXT: &str = "default";

/// Where doctl keeps its config file: `doctl/config.yaml` in the user's
/// config directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux and BSD,
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
/// `None` when there is none (no home directory, or a relative `HOME`):
/// never a path relative to the current directory.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir()
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join("doctl").join("config.yaml"))
}

/// Finds the token as doctl does: `--access-token`; else the context named
/// by `--context` / `DIGITALOCEAN_CONTEXT`, else the config file's current
/// `context`; a context other than `default` takes its token from the
/// config's `auth-contexts` (and is an error when it has none); the
/// `default` context takes `DIGITALOCEAN_ACCESS_TOKEN`, then
/// `DIGITALOCEAN_TOKEN`, then the config's `access-token`.
pub fn find_token(query: &TokenQuery<'_>) -> Result<FoundToken, String> {
    if let Some(token) = query.flag.filter(|t| !t.trim().is_empty()) {
        return Ok(found(token, "--access-token", None));
    }
    let path = query.config_path.as_deref();
    let config = match path {
        Some(path) => doctl_config::read(path)?.map(|config| (path, config)),
        None => None,
    };
    let context = query
        .context
        .or(config.as_ref().and_then(|(_, c)| c.context.as_deref()))
        .filter(|c| *c != DEFAULT_CONTEXT);
    if let Some(name) = context {
        let Some((path, config)) = &config else {
            return Err(format!(
                "the context {} needs doctl's config file, but {} does not exist",
                shown_name(name),
                shown(path)
            ));
        };
        if let Some(token) = config
            .auth_contexts
            .get(name)
            .filter(|t| !t.trim().is_empty())
        {
            let source = format!("auth-context {} of {}", shown_name(name), path.display());
            return Ok(found(token, &source, readable_by_others(path)));
        }
        let known: Vec<_> = config
            .auth_contexts
            .keys()
            .map(|known| shown_name(known).replace('`', ""))
            .collect();
        return Err(format!(
            "{} has no auth-context {}; it has: {}",
            path.display(),
            shown_name(name),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    }
    for variable in TOKEN_ENV_VARS {
        if let Some(token) = (query.env)(variable).filter(|t| !t.trim().is_empty()) {
            return Ok(found(&token, variable, None));
        }
    }
    if let Some((path, config)) = &config
        && let Some(token) = config
            .access_token
            .as_deref()
            .filter(|t| !t.trim().is_empty())
    {
        let source = format!("access-token of {}", path.display());
        return Ok(found(token, &source, readable_by_others(path)));
    }
    Err(format!(
        "no API token found. Looked in: --access-token, {}, {}, and the access-token in {}. \
         Create a token in the control panel (API > Tokens), or try doimg without an account: add --sandbox",
        TOKEN_ENV_VARS[0],
        TOKEN_ENV_VARS[1],
        shown(path)
    ))
}

/// A config path for messages.
fn shown(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "doctl's config file (this system has no user config directory)".to_string(),
    }
}

/// The `api-url` of doctl's config file at `path`, if the file exists and
/// has one: the endpoint used when neither --api-url nor
/// DIGITALOCEAN_API_URL names one, as in doctl.
pub fn config_api_url(path: Option<&Path>) -> Result<Option<String>, String> {
    let Some(path) = path else {
        return Ok(None);
    };
    let config = doctl_config::read(path)?;
    Ok(config
        .and_then(|c| c.api_url)
        .filter(|url| !url.trim().is_empty()))
}

fn found(token: &str, source: &str, warning: Option<String>) -> FoundToken {
    FoundToken {
        token: token.trim().to_string(),
        source: source.to_string(),
        warning,
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds your API token and can be read by other users (mode {:o}); run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(
        flag: Option<&'a str>,
        context: Option<&'a str>,
        config_path: PathBuf,
        env: &'a dyn Fn(&str) -> Option<String>,
    ) -> TokenQuery<'a> {
        TokenQuery {
            flag,
            context,
            config_path: Some(config_path),
            env,
        }
    }

    fn write_config(text: &str, mode: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        dir
    }

    #[test]
    fn the_flag_wins_then_the_variables_in_order() {
        let none = |_: &str| None;
        let both = |name: &str| Some(format!("from-{name}"));
        let second = |name: &str| (name == "DIGITALOCEAN_TOKEN").then(|| "t2".to_string());
        let path = PathBuf::from("/nonexistent/config.yaml");
        assert_eq!(
            find_token(&query(Some("flag"), None, path.clone(), &none))
                .unwrap()
                .token,
            "flag"
        );
        let token = find_token(&query(None, None, path.clone(), &both)).unwrap();
        assert_eq!(token.source, "DIGITALOCEAN_ACCESS_TOKEN");
        assert_eq!(
            find_token(&query(None, None, path, &second)).unwrap().token,
            "t2"
        );
    }

    #[test]
    fn doctl_config_gives_the_default_or_the_named_context() {
        let dir = write_config(
            "access-token: dop_v1_default\ncontext: default\nauth-contexts:\n  work: dop_v1_work\n",
            0o600,
        );
        let path = dir.path().join("config.yaml");
        let none = |_: &str| None;
        let default = find_token(&query(None, None, path.clone(), &none)).unwrap();
        assert_eq!(default.token, "dop_v1_default");
        assert!(default.warning.is_none());
        let work = find_token(&query(None, Some("work"), path.clone(), &none)).unwrap();
        assert_eq!(work.token, "dop_v1_work");
        let missing = find_token(&query(None, Some("home"), path, &none)).unwrap_err();
        assert!(
            missing.contains("no auth-context `home`") && missing.contains("work"),
            "{missing}"
        );
    }

    #[test]
    fn the_config_current_context_is_used() {
        let dir = write_config(
            "access-token: a\ncontext: work\nauth-contexts:\n  work: w\n",
            0o600,
        );
        let none = |_: &str| None;
        let token = find_token(&query(None, None, dir.path().join("config.yaml"), &none)).unwrap();
        assert_eq!(token.token, "w");
    }

    #[test]
    fn the_config_current_context_beats_the_variables_and_must_exist() {
        let dir = write_config(
            "access-token: a\ncontext: work\nauth-contexts:\n  work: w\n",
            0o600,
        );
        let path = dir.path().join("config.yaml");
        let variables = |_: &str| Some("from-a-variable".to_string());
        let token = find_token(&query(None, None, path.clone(), &variables)).unwrap();
        assert_eq!(token.token, "w");
        // The default context takes the variables first.
        let token = find_token(&query(None, Some("default"), path, &variables)).unwrap();
        assert_eq!(token.token, "from-a-variable");

        let dir = write_config("access-token: a\ncontext: gone\n", 0o600);
        let error = find_token(&query(
            None,
            None,
            dir.path().join("config.yaml"),
            &variables,
        ));
        assert!(
            error
                .unwrap_err()
                .contains("no auth-context `gone`; it has: none"),
            "a current context the file lacks is an error"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_config_others_can_read_gives_a_warning_without_the_token() {
        let dir = write_config("access-token: dop_v1_secret\n", 0o644);
        let path = dir.path().join("config.yaml");
        let none = |_: &str| None;
        let token = find_token(&query(None, None, path.clone(), &none)).unwrap();
        assert_eq!(token.token, "dop_v1_secret");
        let warning = token.warning.clone().expect("a warning");
        // It names the file, says why, and how to fix it.
        assert!(warning.contains(&path.display().to_string()), "{warning}");
        assert!(
            warning.contains("other users") && warning.contains("644"),
            "{warning}"
        );
        assert!(
            warning.contains(&format!("chmod 600 {}", path.display())),
            "{warning}"
        );
        assert!(!warning.contains("dop_v1_secret"));
        assert!(!format!("{token:?}").contains("dop_v1_secret"));

        // Readable by the group only: still a warning.
        let group = write_config("access-token: dop_v1_secret\n", 0o640);
        let token = find_token(&query(None, None, group.path().join("config.yaml"), &none));
        assert!(token.unwrap().warning.is_some());

        // Private to its owner: no warning.
        let private = write_config("access-token: dop_v1_secret\n", 0o600);
        let token = find_token(&query(
            None,
            None,
            private.path().join("config.yaml"),
            &none,
        ));
        assert!(token.unwrap().warning.is_none());
    }

    #[test]
    fn the_parsed_command_line_shows_no_token() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from([
            "doimg",
            "-t",
            "dop_v1_parsedSECRET",
            "images",
            "list",
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        assert!(!shown.contains("parsedSECRET"), "{shown}");
        assert_eq!(
            cli.global.access_token.as_ref().map(TokenArg::expose),
            Some("dop_v1_parsedSECRET")
        );
    }

    #[test]
    fn nothing_found_lists_every_place_looked() {
        let none = |_: &str| None;
        let error = find_token(&query(
            None,
            None,
            PathBuf::from("/nowhere/config.yaml"),
            &none,
        ))
        .unwrap_err();
        for place in [
            "--access-token",
            "DIGITALOCEAN_ACCESS_TOKEN",
            "DIGITALOCEAN_TOKEN",
            "/nowhere/config.yaml",
            "--sandbox",
        ] {
            assert!(error.contains(place), "{place} missing from: {error}");
        }
    }
}
