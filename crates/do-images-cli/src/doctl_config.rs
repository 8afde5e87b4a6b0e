//! doctl's config file, read without ever repeating a value from it.
//!
//! The file holds tokens, and a token written where another kind of value
//! belongs (a bare token on the first line, a token as the whole
//! `auth-contexts`) must not reach the terminal or a CI log through an
//! error. serde_yaml's messages quote the offending value, so none of them
//! is passed on: errors name the file, the line, the key and what was
//! expected, and what was found only by its kind ("a list").

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

/// The parts of doctl's config file that doimg reads.
#[derive(Default)]
pub struct DoctlConfig {
    /// `access-token`: the `default` context's token.
    pub access_token: Option<String>,
    /// `auth-contexts`: context name to token.
    pub auth_contexts: BTreeMap<String, String>,
    /// `context`: the current context.
    pub context: Option<String>,
    /// `api-url`: the API endpoint doctl uses.
    pub api_url: Option<String>,
}

/// Reads the config at `path`; `None` when there is no file.
pub fn read(path: &Path) -> Result<Option<DoctlConfig>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map(Some).map_err(|problem| {
            format!(
                "cannot read doctl's config file {}: {problem}",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "cannot read doctl's config file {}: {e}",
            path.display()
        )),
    }
}

/// The config in `text`, or what is wrong with it: line, key and what was
/// expected, never a value.
fn parse(text: &str) -> Result<DoctlConfig, String> {
    let document: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        format!(
            "it is not valid YAML{}",
            e.location()
                .map(|at| format!(" (line {}, column {})", at.line(), at.column()))
                .unwrap_or_default()
        )
    })?;
    let top = match document {
        Value::Null => return Ok(DoctlConfig::default()),
        Value::Mapping(top) => top,
        other => {
            return Err(format!(
                "line 1: expected settings such as `access-token: <token>`, found {}",
                kind(&other)
            ));
        }
    };
    let line_of = |key: &str| line_of_key(text, key);
    let string = |key: &str| -> Result<Option<String>, String> {
        match top.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.clone())),
            Some(other) => Err(format!(
                "{}key `{key}`: expected a string, found {}",
                line_of(key),
                kind(other)
            )),
        }
    };
    Ok(DoctlConfig {
        access_token: string("access-token")?,
        context: string("context")?,
        api_url: string("api-url")?,
        auth_contexts: auth_contexts(&top, &line_of("auth-contexts"))?,
    })
}

/// `auth-contexts`: a mapping of context names to tokens.
fn auth_contexts(top: &Mapping, line: &str) -> Result<BTreeMap<String, String>, String> {
    let entries = match top.get("auth-contexts") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Mapping(entries)) => entries,
        Some(other) => {
            return Err(format!(
                "{line}key `auth-contexts`: expected a mapping of context names to tokens, found {}",
                kind(other)
            ));
        }
    };
    let mut contexts = BTreeMap::new();
    for (position, (name, token)) in entries.iter().enumerate() {
        let entry = position + 1;
        let Value::String(name) = name else {
            return Err(format!(
                "{line}key `auth-contexts`, entry {entry}: expected a context name, found {}",
                kind(name)
            ));
        };
        match token {
            Value::Null => {}
            Value::String(token) => {
                contexts.insert(name.clone(), token.clone());
            }
            other => {
                return Err(format!(
                    "{line}key `auth-contexts`, entry {entry} ({}): expected a token string, found {}",
                    shown_name(name),
                    kind(other)
                ));
            }
        }
    }
    Ok(contexts)
}

/// `"line N: "` for the first line that starts with `key:`, else nothing.
fn line_of_key(text: &str, key: &str) -> String {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|index| format!("line {}: ", index + 1))
        .unwrap_or_default()
}

/// What kind of YAML value `value` is, without the value.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A context name for messages, in backquotes; a name that looks like a
/// token (`dop_v1_...`, or a long run of hex digits) is not shown.
pub fn shown_name(name: &str) -> String {
    let token_prefix = ["dop_v1_", "doo_v1_", "dor_v1_"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    let longest_hex_run = name
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if token_prefix || longest_hex_run >= 32 {
        "(a name that looks like a token, not shown)".to_string()
    } else {
        format!("`{name}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

    #[test]
    fn a_value_in_the_wrong_place_is_named_by_line_key_and_kind_only() {
        for (text, expected) in [
            (format!("{SECRET}\n"), "line 1: expected settings"),
            (
                format!("context: default\nauth-contexts: {SECRET}\n"),
                "line 2: key `auth-contexts`: expected a mapping of context names to tokens, found a string",
            ),
            (
                format!("access-token: [{SECRET}]\n"),
                "line 1: key `access-token`: expected a string, found a list",
            ),
            (
                format!("context: {{a: {SECRET}}}\n"),
                "line 1: key `context`: expected a string, found a mapping",
            ),
            (
                format!("auth-contexts:\n  work: [{SECRET}]\n"),
                "line 1: key `auth-contexts`, entry 1 (`work`): expected a token string, found a list",
            ),
            (
                format!("auth-contexts:\n  {SECRET}: [x]\n"),
                "(a name that looks like a token, not shown)",
            ),
            (
                format!("access-token: \"{SECRET}\n"),
                "not valid YAML (line",
            ),
            (
                format!("access-token: {SECRET}\n bad: [\n"),
                "not valid YAML",
            ),
        ] {
            let problem = parse(&text).err().unwrap_or_default();
            assert!(problem.contains(expected), "{text:?}: {problem}");
            assert!(!problem.contains("0123456789abcdef"), "{problem}");
        }
    }

    #[test]
    fn a_config_is_read() {
        let config = parse("access-token: a\ncontext: work\nauth-contexts:\n  work: w\n  none:\n")
            .ok()
            .unwrap_or_default();
        assert_eq!(config.access_token.as_deref(), Some("a"));
        assert_eq!(config.context.as_deref(), Some("work"));
        assert_eq!(config.auth_contexts.len(), 1);
        assert!(parse("").is_ok() && parse("# only a comment\n").is_ok());
    }
}
