//! After the overlay: schemas named where the generator needs a name, and
//! nothing left that no operation reaches.
//!
//! The overlay names a schema by giving it `x-do-images-name: <name>`; here
//! that schema becomes (or is renamed to) `#/components/schemas/<name>` and
//! every reference follows. Two schemas given the same name must be equal
//! (upstream's identical cancel and decline bodies become one type); the
//! generated Rust type is that name in PascalCase. Components that nothing
//! reaches any more are dropped, and each section is sorted by name, so the
//! output does not depend on the order things were found in.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

/// The extension that names a schema.
pub const NAME_KEY: &str = "x-do-images-name";

const SCHEMA_REF: &str = "#/components/schemas/";

/// Names the schemas the overlay named, drops what nothing reaches and
/// sorts the components.
pub fn run(document: &mut Value) -> Result<()> {
    // What the overlay replaced goes first, so that its names are free.
    prune(document);
    rename_components(document)?;
    hoist_inline(document)?;
    prune(document);
    sort_components(document);
    Ok(())
}

/// Component schemas that carry a name move to it.
fn rename_components(document: &mut Value) -> Result<()> {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    let mut renames = BTreeMap::new();
    let mut renamed = Map::new();
    for (name, mut schema) in std::mem::take(schemas) {
        let new_name = match schema
            .as_object_mut()
            .and_then(|s| s.shift_remove(NAME_KEY))
        {
            Some(Value::String(new)) => {
                renames.insert(format!("{SCHEMA_REF}{name}"), format!("{SCHEMA_REF}{new}"));
                new
            }
            _ => name,
        };
        insert_named(&mut renamed, new_name, schema)?;
    }
    *schemas = renamed;
    rewrite_refs(document, &renames);
    Ok(())
}

/// Inline schemas that carry a name become components.
fn hoist_inline(document: &mut Value) -> Result<()> {
    while let Some(pointer) = find_named(document, "") {
        let node = document.pointer_mut(&pointer).expect("just found");
        let mut schema = std::mem::replace(node, Value::Null);
        let Some(Value::String(name)) = schema
            .as_object_mut()
            .and_then(|s| s.shift_remove(NAME_KEY))
        else {
            bail!("`{NAME_KEY}` at {pointer} must be a string");
        };
        *node = json!({ "$ref": format!("{SCHEMA_REF}{name}") });
        let components = document
            .as_object_mut()
            .expect("a document is an object")
            .entry("components")
            .or_insert_with(|| json!({}));
        let schemas = components
            .as_object_mut()
            .expect("components is an object")
            .entry("schemas")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("schemas is an object");
        insert_named(schemas, name, schema)?;
    }
    Ok(())
}

fn insert_named(schemas: &mut Map<String, Value>, name: String, schema: Value) -> Result<()> {
    match schemas.get(&name) {
        Some(existing) if *existing != schema => {
            bail!("two different schemas are both named `{name}` (`{NAME_KEY}`)")
        }
        Some(_) => {}
        None => {
            schemas.insert(name, schema);
        }
    }
    Ok(())
}

/// The JSON pointer of the first object, depth first, that carries a name.
fn find_named(node: &Value, at: &str) -> Option<String> {
    match node {
        Value::Object(map) => {
            if map.contains_key(NAME_KEY) {
                return Some(at.to_string());
            }
            map.iter().find_map(|(key, value)| {
                find_named(
                    value,
                    &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                )
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, value)| find_named(value, &format!("{at}/{i}"))),
        _ => None,
    }
}

/// Replaces every `$ref` (and discriminator mapping) found in `renames`.
fn rewrite_refs(node: &mut Value, renames: &BTreeMap<String, String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if let Value::String(reference) = value
                    && (key == "$ref" || reference.starts_with(SCHEMA_REF))
                {
                    if let Some(new) = renames.get(reference.as_str()) {
                        *reference = new.clone();
                    }
                } else {
                    rewrite_refs(value, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

/// Every `#/components/...` reference string under `node`.
fn references(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => map.values().for_each(|v| references(v, out)),
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        Value::String(s) if s.starts_with("#/components/") => {
            out.insert(s.clone());
        }
        _ => {}
    }
}

/// Drops every component (but security schemes) no path reaches.
fn prune(document: &mut Value) {
    let mut reached = BTreeSet::new();
    let mut todo = BTreeSet::new();
    references(&document["paths"], &mut todo);
    while let Some(reference) = todo.pop_first() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = document.pointer(&reference[1..]) {
            let mut more = BTreeSet::new();
            references(target, &mut more);
            todo.extend(more.into_iter().filter(|r| !reached.contains(r)));
        }
    }
    let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        if section == "securitySchemes" {
            continue;
        }
        if let Some(entries) = entries.as_object_mut() {
            entries.retain(|name, _| reached.contains(&format!("#/components/{section}/{name}")));
        }
    }
    components.retain(|_, entries| entries.as_object().is_none_or(|e| !e.is_empty()));
}

fn sort_components(document: &mut Value) {
    if let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    {
        for entries in components.values_mut() {
            if let Some(map) = entries.as_object_mut() {
                map.sort_keys();
            }
        }
    }
}
