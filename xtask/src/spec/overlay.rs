//! Our corrections to upstream, as an OpenAPI Overlay 1.0 document
//! (<https://spec.openapis.org/overlay/v1.0.0.html>) applied to the bundled
//! upstream document.
//!
//! Each action has a `target` (an RFC 9535 JSONPath, evaluated with
//! `serde_json_path`), a `description` saying why, and either `remove: true`
//! or an `update`. An update merges into each object the target selects:
//! objects are merged key by key, anything else (strings, numbers, lists)
//! is replaced; an update of a selected list appends to it. A target that
//! selects nothing is an error: the correction no longer applies to what
//! upstream says and someone must decide what becomes of it.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use serde_json_path::JsonPath;

/// One action of the overlay.
pub struct Action {
    /// Its position in the overlay, from 1.
    pub number: usize,
    /// The JSONPath it selects.
    pub target: String,
    /// Why it exists.
    pub description: String,
    update: Option<Value>,
    remove: bool,
}

/// The overlay document.
pub struct Overlay {
    /// Its actions, in order.
    pub actions: Vec<Action>,
}

impl Overlay {
    /// Reads an overlay document, refusing what is not Overlay 1.0 or an
    /// action without a reason.
    pub fn parse(text: &str) -> Result<Self> {
        let document = super::yaml::parse(text, "the overlay")?;
        let version = document["overlay"].as_str().unwrap_or_default();
        if !version.starts_with("1.0.") {
            bail!("the overlay must say `overlay: 1.0.x`, not `{version}`");
        }
        let actions = document["actions"]
            .as_array()
            .context("the overlay has no `actions` list")?;
        let mut out = Vec::new();
        for (index, action) in actions.iter().enumerate() {
            let number = index + 1;
            let target = action["target"]
                .as_str()
                .with_context(|| format!("overlay action {number} has no `target`"))?;
            JsonPath::parse(target).with_context(|| {
                format!("overlay action {number}: `{target}` is not a JSONPath")
            })?;
            let description = action["description"].as_str().unwrap_or_default().trim();
            if description.is_empty() {
                bail!("overlay action {number} ({target}) has no `description` saying why");
            }
            let remove = action["remove"].as_bool().unwrap_or(false);
            let update = action.get("update").cloned();
            if !remove && update.is_none() {
                bail!("overlay action {number} ({target}) neither updates nor removes");
            }
            out.push(Action {
                number,
                target: target.to_string(),
                description: description.to_string(),
                update,
                remove,
            });
        }
        Ok(Self { actions: out })
    }

    /// Applies every action to `document` in order. Returns the numbers of
    /// the actions that changed nothing (upstream already says the same).
    pub fn apply(&self, document: &mut Value) -> Result<Vec<usize>> {
        let mut idle = Vec::new();
        for action in &self.actions {
            let before = document.clone();
            action.apply(document)?;
            if *document == before {
                idle.push(action.number);
            }
        }
        Ok(idle)
    }
}

impl Action {
    /// A short name for messages: number and target.
    pub fn label(&self) -> String {
        format!("overlay action {} (`{}`)", self.number, self.target)
    }

    fn apply(&self, document: &mut Value) -> Result<()> {
        let path = JsonPath::parse(&self.target).expect("checked when parsed");
        let pointers: Vec<String> = path
            .query_located(document)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            bail!(
                "{} selects nothing in upstream's document: upstream changed what it corrects. \
                 Its reason: {}",
                self.label(),
                self.description
            );
        }
        if self.remove {
            // Last first, so that removing a list item does not move the
            // ones still to remove.
            for pointer in pointers.iter().rev() {
                remove(document, pointer);
            }
        } else if let Some(update) = &self.update {
            for pointer in &pointers {
                let node = document.pointer_mut(pointer).expect("just located");
                match node {
                    Value::Array(items) => items.push(update.clone()),
                    _ => merge(node, update),
                }
            }
        }
        Ok(())
    }
}

/// Merges `update` into `node`: objects key by key, anything else replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(node), Value::Object(update)) => {
            for (key, value) in update {
                match node.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        node.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (node, update) => *node = update.clone(),
    }
}

/// Removes the node at `pointer` from its parent.
fn remove(document: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: &str) -> Overlay {
        Overlay::parse(&format!(
            "overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}"
        ))
        .unwrap()
    }

    #[test]
    fn update_merges_remove_removes_and_idle_actions_are_named() {
        let mut doc = json!({"a": {"b": {"type": "integer"}, "c": [1]}, "d": 1});
        let o = overlay(
            "  - {target: '$.a.b', description: why, update: {format: int64}}\n\
             \x20 - {target: '$.a.c', description: why, update: 2}\n\
             \x20 - {target: '$.d', description: why, remove: true}\n\
             \x20 - {target: '$.a.b', description: why, update: {type: integer}}\n",
        );
        let idle = o.apply(&mut doc).unwrap();
        assert_eq!(
            doc,
            json!({"a": {"b": {"type": "integer", "format": "int64"}, "c": [1, 2]}})
        );
        assert_eq!(idle, [4]);
    }

    #[test]
    fn a_target_that_selects_nothing_is_an_error_naming_it() {
        let o = overlay("  - {target: '$.gone', description: because, remove: true}\n");
        let error = o.apply(&mut json!({})).unwrap_err().to_string();
        assert!(error.contains("overlay action 1 (`$.gone`)"), "{error}");
        assert!(error.contains("because"), "{error}");
    }

    #[test]
    fn an_action_without_a_reason_is_refused() {
        let text = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - {target: '$.a', remove: true}\n";
        let error = Overlay::parse(text).err().unwrap().to_string();
        assert!(error.contains("no `description`"), "{error}");
    }
}
