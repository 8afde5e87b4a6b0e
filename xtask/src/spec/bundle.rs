//! One self-contained OpenAPI document from upstream's many files: the
//! Images paths of the root document, every `$ref` they reach resolved.
//!
//! Operations and path items are inlined where they are referenced; a
//! referenced schema, parameter, response, header or example becomes a
//! component, named after the last segment of its JSON pointer, else its
//! file's name (`models/image.yml` is `image`, `parameters.yml#/image_id` is
//! `image_id`). A name already taken by something else gets its folder's
//! name in front (`shared_page`). Components come out sorted by name, so
//! upstream reordering its files changes nothing. The same code reads a
//! single bundled document, whose references are all `#/components/...`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// Paths that belong to the Images API.
pub const IMAGES_PATH_PREFIX: &str = "/v2/images";

/// What a node is, which decides how its `$ref`s are bundled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    Media,
    Schema,
    Example,
    Discriminator,
    /// Anything else: references are inlined.
    Other,
}

impl Kind {
    /// The `components` section for a referenced node of this kind, if it
    /// becomes a component.
    fn section(self) -> Option<&'static str> {
        match self {
            Kind::Parameter => Some("parameters"),
            Kind::Response => Some("responses"),
            Kind::Header => Some("headers"),
            Kind::Schema => Some("schemas"),
            Kind::Example => Some("examples"),
            Kind::RequestBody => Some("requestBodies"),
            _ => None,
        }
    }
}

/// A bundled document and the upstream files it was made from.
pub struct Bundle {
    /// The document.
    pub document: Value,
    /// Every file read, relative to the source root, in sorted order.
    pub files: Vec<PathBuf>,
}

/// A place a `$ref` points to: a file (relative to the source root) and a
/// JSON pointer inside it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Target {
    file: PathBuf,
    pointer: String,
}

struct Bundler<'a> {
    root: &'a Path,
    files: BTreeMap<PathBuf, Value>,
    /// section -> name -> (target, bundled value; None while being bundled).
    components: BTreeMap<&'static str, BTreeMap<String, (Target, Option<Value>)>>,
}

/// Bundles the Images part of the document `entry` (relative to `root`).
pub fn bundle(root: &Path, entry: &Path) -> Result<Bundle> {
    let mut bundler = Bundler {
        root,
        files: BTreeMap::new(),
        components: BTreeMap::new(),
    };
    let entry = normalize(entry);
    let document = bundler.file(&entry)?.clone();
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .with_context(|| format!("{} has no `paths`", entry.display()))?;
    let mut out_paths = Map::new();
    for (path, item) in paths {
        if path == IMAGES_PATH_PREFIX || path.starts_with(&format!("{IMAGES_PATH_PREFIX}/")) {
            let item = bundler.walk(item, &entry, Kind::PathItem, &format!("paths.{path}"))?;
            out_paths.insert(path.clone(), item);
        }
    }
    if out_paths.is_empty() {
        bail!(
            "{} has no path under {IMAGES_PATH_PREFIX}: not DigitalOcean's API description",
            entry.display()
        );
    }

    let used_tags: Vec<String> = out_paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("tags").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let tags: Vec<Value> = match document.get("tags").and_then(Value::as_array) {
        Some(tags) => tags
            .iter()
            .filter(|t| {
                t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| used_tags.iter().any(|u| u == n))
            })
            .map(|t| bundler.walk(t, &entry, Kind::Other, "tags"))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };

    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(value) = document.get(key) {
            out.insert(key.into(), bundler.walk(value, &entry, Kind::Other, key)?);
        }
    }
    out.insert("tags".into(), Value::Array(tags));
    out.insert("paths".into(), Value::Object(out_paths));

    let mut components = Map::new();
    if let Some(schemes) = document
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        // Only the schemes the Images part uses.
        let mut requirements = Vec::new();
        collect_security(&out, &mut requirements);
        let mut used = Map::new();
        for (name, scheme) in schemes {
            if requirements.contains(name) {
                used.insert(
                    name.clone(),
                    bundler.walk(scheme, &entry, Kind::Other, name)?,
                );
            }
        }
        components.insert("securitySchemes".into(), Value::Object(used));
    }
    for (section, entries) in std::mem::take(&mut bundler.components) {
        let mut map = Map::new();
        for (name, (_, value)) in entries {
            map.insert(name, value.unwrap_or(Value::Null));
        }
        components.insert(section.into(), Value::Object(map));
    }
    out.insert("components".into(), Value::Object(components));
    Ok(Bundle {
        document: Value::Object(out),
        files: bundler.files.into_keys().collect(),
    })
}

impl Bundler<'_> {
    /// The parsed file at `path` (relative to the root), read once.
    fn file(&mut self, path: &Path) -> Result<&Value> {
        if !self.files.contains_key(path) {
            let full = self.root.join(path);
            let text = std::fs::read_to_string(&full)
                .with_context(|| format!("cannot read {}", full.display()))?;
            let value = super::yaml::parse(&text, &path.display().to_string())?;
            self.files.insert(path.to_path_buf(), value);
        }
        Ok(&self.files[path])
    }

    /// Where `reference`, written in `base`, points.
    fn target(&self, reference: &str, base: &Path) -> Target {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if file.is_empty() {
            base.to_path_buf()
        } else {
            normalize(&base.parent().unwrap_or(Path::new("")).join(file))
        };
        Target {
            file,
            pointer: pointer.to_string(),
        }
    }

    /// The value at `target`, or why there is none.
    fn resolve(&mut self, target: &Target, reference: &str, base: &Path) -> Result<Value> {
        let unresolved = || format!("`$ref: {reference}` in {} does not resolve", base.display());
        let document = self.file(&target.file).with_context(unresolved)?;
        let pointer = target.pointer.as_str();
        document.pointer(pointer).cloned().with_context(|| {
            format!(
                "{}: {} has nothing at `{pointer}`",
                unresolved(),
                target.file.display()
            )
        })
    }

    /// `node` (read from `file`) with every reference bundled.
    fn walk(&mut self, node: &Value, file: &Path, kind: Kind, at: &str) -> Result<Value> {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    return self.reference(reference, file, kind, at);
                }
                let mut out = Map::new();
                for (key, value) in map {
                    let child = child_kind(kind, key);
                    let walked = match child {
                        Child::Literal => value.clone(),
                        Child::One(k) => self.walk(value, file, k, &format!("{at}.{key}"))?,
                        Child::Each(k) => self.walk_each(value, file, k, &format!("{at}.{key}"))?,
                        Child::Mapping => self.mapping(value, file)?,
                    };
                    out.insert(key.clone(), walked);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .map(|item| self.walk(item, file, kind, at))
                    .collect::<Result<_>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    /// Each value of a map or each item of a list, as `kind`.
    fn walk_each(&mut self, node: &Value, file: &Path, kind: Kind, at: &str) -> Result<Value> {
        match node {
            Value::Object(map) if !map.contains_key("$ref") => {
                let mut out = Map::new();
                for (key, value) in map {
                    out.insert(
                        key.clone(),
                        self.walk(value, file, kind, &format!("{at}.{key}"))?,
                    );
                }
                Ok(Value::Object(out))
            }
            _ => self.walk(node, file, kind, at),
        }
    }

    /// A discriminator's mapping: each value is a reference to a schema.
    fn mapping(&mut self, node: &Value, file: &Path) -> Result<Value> {
        let Some(map) = node.as_object() else {
            return Ok(node.clone());
        };
        let mut out = Map::new();
        for (key, value) in map {
            let bundled = match value.as_str() {
                Some(reference) => {
                    self.reference(reference, file, Kind::Schema, "mapping")?["$ref"].clone()
                }
                None => value.clone(),
            };
            out.insert(key.clone(), bundled);
        }
        Ok(Value::Object(out))
    }

    /// A `$ref` of a node of `kind`: a reference to a component, or the
    /// referenced value inlined.
    fn reference(&mut self, reference: &str, file: &Path, kind: Kind, at: &str) -> Result<Value> {
        let target = self.target(reference, file);
        let value = self.resolve(&target, reference, file)?;
        let section = match kind.section() {
            // Plain strings, numbers and lists (`image_name`, `tags_array`)
            // are inlined: as components the generator would make each a
            // newtype, where a `String` or a `Vec` is what is meant.
            Some("schemas") if !worth_naming(&value) => None,
            other => other,
        };
        let Some(section) = section else {
            return self.walk(&value, &target.file.clone(), kind, at);
        };
        let name = self.component_name(section, &target);
        let entries = self.components.entry(section).or_default();
        if !entries.contains_key(&name) {
            entries.insert(name.clone(), (target.clone(), None));
            let bundled = self.walk(&value, &target.file.clone(), kind, at)?;
            self.components
                .get_mut(section)
                .unwrap()
                .get_mut(&name)
                .unwrap()
                .1 = Some(bundled);
        }
        Ok(json!({ "$ref": format!("#/components/{section}/{name}") }))
    }

    /// The component name for `target` in `section`: the same one each
    /// time, and never one taken by another target.
    fn component_name(&self, section: &str, target: &Target) -> String {
        let taken = self.components.get(section);
        let free = |name: &str| match taken.and_then(|t| t.get(name)) {
            None => true,
            Some((other, _)) => other == target,
        };
        let last = target
            .pointer
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"));
        let stem = target
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = last.unwrap_or(stem);
        let base = sanitize(&base);
        if free(&base) {
            return base;
        }
        let folder = target
            .file
            .parent()
            .and_then(Path::file_name)
            .map(|s| sanitize(&s.to_string_lossy()))
            .unwrap_or_default();
        let prefixed = format!("{folder}_{base}");
        if free(&prefixed) {
            return prefixed;
        }
        (2..)
            .map(|n| format!("{prefixed}_{n}"))
            .find(|name| free(name))
            .expect("some number is free")
    }
}

/// The scheme names of every `security` requirement under `node`.
fn collect_security(node: &Map<String, Value>, out: &mut Vec<String>) {
    let mut lists = vec![node.get("security")];
    if let Some(paths) = node.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            lists.extend(item.values().map(|op| op.get("security")));
        }
    }
    for list in lists.into_iter().flatten().filter_map(Value::as_array) {
        for requirement in list.iter().filter_map(Value::as_object) {
            out.extend(requirement.keys().cloned());
        }
    }
}

/// Whether a referenced schema becomes a component: objects, compositions
/// and enums do.
fn worth_naming(schema: &Value) -> bool {
    ["properties", "allOf", "anyOf", "oneOf", "enum"]
        .iter()
        .any(|k| schema.get(*k).is_some())
        || schema.get("type").and_then(Value::as_str) == Some("object")
}

/// A component name: letters, digits, `.`, `-` and `_` only.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// How the value under a key of a node of `parent` kind is bundled.
enum Child {
    /// Data, not description: left as it is (`example`, `enum`, `default`).
    Literal,
    /// One node of this kind.
    One(Kind),
    /// A map or list of nodes of this kind.
    Each(Kind),
    /// A discriminator mapping.
    Mapping,
}

fn child_kind(parent: Kind, key: &str) -> Child {
    use Child::*;
    match (parent, key) {
        (_, "example" | "enum" | "default" | "const") if parent != Kind::PathItem => Literal,
        (Kind::Example, "value") => Literal,
        (Kind::PathItem, "parameters") => Each(Kind::Parameter),
        (
            Kind::PathItem,
            "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace",
        ) => One(Kind::Operation),
        (Kind::Operation, "parameters") => Each(Kind::Parameter),
        (Kind::Operation, "requestBody") => One(Kind::RequestBody),
        (Kind::Operation, "responses") => Each(Kind::Response),
        (Kind::Parameter | Kind::Header | Kind::Media, "schema") => One(Kind::Schema),
        (Kind::Parameter | Kind::Header | Kind::Media, "examples") => Each(Kind::Example),
        (Kind::Parameter | Kind::Header | Kind::RequestBody | Kind::Response, "content") => {
            Each(Kind::Media)
        }
        (Kind::Response, "headers") => Each(Kind::Header),
        (Kind::Schema, "properties") => Each(Kind::Schema),
        (Kind::Schema, "items" | "additionalProperties" | "not") => One(Kind::Schema),
        (Kind::Schema, "allOf" | "anyOf" | "oneOf") => Each(Kind::Schema),
        (Kind::Schema, "discriminator") => One(Kind::Discriminator),
        (Kind::Discriminator, "mapping") => Mapping,
        _ => One(Kind::Other),
    }
}

/// `path` with `.` and `..` segments resolved (without touching the disk).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
