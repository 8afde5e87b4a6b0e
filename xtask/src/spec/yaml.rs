//! Reading YAML into JSON values, and writing the built spec back as YAML.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Number, Value};
use serde_yaml_ng::Value as Yaml;

/// Parses YAML (or JSON) text into a JSON value. Map keys that YAML reads as
/// numbers or booleans (a response code written `200:`) become strings, as
/// OpenAPI means them.
pub fn parse(text: &str, what: &str) -> Result<Value> {
    let yaml: Yaml =
        serde_yaml_ng::from_str(text).with_context(|| format!("{what} is not YAML"))?;
    to_json(yaml).with_context(|| format!("{what} cannot be read as JSON data"))
}

fn to_json(yaml: Yaml) -> Result<Value> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(Number::from_f64(f).context("a number that JSON cannot hold")?)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_>>()?)
        }
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => bail!("a map key that is not a string: {other:?}"),
                };
                out.insert(key, to_json(value)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// The value as YAML text (block style, keys in the value's order).
pub fn render(value: &Value) -> Result<String> {
    serde_yaml_ng::to_string(value).context("cannot write the spec as YAML")
}
