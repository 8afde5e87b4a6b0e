//! What an OpenAPI document says about each operation, flattened so that
//! two versions can be compared line by line: parameters, and every field
//! of the request and response bodies with its type, whether it is
//! required, and its enum values.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The operations of a document, by `METHOD /path`.
#[derive(Default, Debug)]
pub struct Api {
    /// `GET /v2/images` and so on.
    pub operations: BTreeMap<String, Operation>,
}

/// One operation.
#[derive(Default, Debug)]
pub struct Operation {
    /// Its `operationId`.
    pub id: String,
    /// Parameters by `in name` (`query type`).
    pub parameters: BTreeMap<String, Field>,
    /// Body fields by where they are (`request: name`,
    /// `response 200: image.status`).
    pub fields: BTreeMap<String, Field>,
    /// The response status codes.
    pub statuses: BTreeSet<String>,
}

/// A parameter or a body field.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its type in words (`integer (int64)`, `array of string`).
    pub ty: String,
    /// Whether it must be present.
    pub required: bool,
    /// The values of its enum, if it has one.
    pub values: Vec<String>,
}

/// How deep references are followed, against cycles.
const MAX_DEPTH: usize = 12;

/// The model of `document`.
pub fn read(document: &Value) -> Api {
    let mut api = Api::default();
    let Some(paths) = document["paths"].as_object() else {
        return api;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let mut operation = Operation {
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                ..Default::default()
            };
            for param in op["parameters"].as_array().into_iter().flatten() {
                let param = deref(document, param);
                let name = format!(
                    "{} {}",
                    param["in"].as_str().unwrap_or_default(),
                    param["name"].as_str().unwrap_or_default()
                );
                let mut field = describe(document, &param["schema"]);
                field.required = param["required"].as_bool().unwrap_or(false);
                operation.parameters.insert(name, field);
            }
            let body = deref(document, &op["requestBody"]);
            if let Some(schema) = json_schema(document, body) {
                let required = body["required"].as_bool().unwrap_or(false);
                flatten(
                    document,
                    schema,
                    "request: ",
                    "",
                    required,
                    &mut operation.fields,
                    0,
                );
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                operation.statuses.insert(status.clone());
                let response = deref(document, response);
                if let Some(schema) = json_schema(document, response) {
                    let prefix = format!("response {status}: ");
                    flatten(
                        document,
                        schema,
                        &prefix,
                        "",
                        true,
                        &mut operation.fields,
                        0,
                    );
                }
            }
            api.operations
                .insert(format!("{} {path}", method.to_uppercase()), operation);
        }
    }
    api
}

/// The node a `$ref` points to (followed repeatedly), or the node itself.
fn deref<'a>(document: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..MAX_DEPTH {
        match node["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => node = document.pointer(pointer).unwrap_or(&Value::Null),
            None => break,
        }
    }
    node
}

fn json_schema<'a>(document: &'a Value, holder: &'a Value) -> Option<&'a Value> {
    let schema = holder["content"]["application/json"].get("schema")?;
    Some(deref(document, schema))
}

/// The type of `schema` in words, and its enum values.
fn describe(document: &Value, schema: &Value) -> Field {
    let schema = deref(document, schema);
    let mut ty = match schema["type"].as_str() {
        Some("array") => format!("array of {}", describe(document, &schema["items"]).ty),
        Some(t) => t.to_string(),
        None if schema.get("properties").is_some() || schema.get("allOf").is_some() => {
            "object".to_string()
        }
        None => {
            let variants: Vec<String> = ["oneOf", "anyOf"]
                .iter()
                .filter_map(|k| schema[*k].as_array())
                .flatten()
                .map(|v| describe(document, v).ty)
                .collect();
            if variants.is_empty() {
                "any".to_string()
            } else {
                format!("one of {}", variants.join(" | "))
            }
        }
    };
    if let Some(format) = schema["format"].as_str() {
        ty.push_str(&format!(" ({format})"));
    }
    if schema["nullable"].as_bool() == Some(true) {
        ty.push_str(", nullable");
    }
    let values = schema["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .collect();
    Field {
        ty,
        required: false,
        values,
    }
}

/// Records `schema` at `at` and every field under it.
fn flatten(
    document: &Value,
    schema: &Value,
    prefix: &str,
    at: &str,
    required: bool,
    out: &mut BTreeMap<String, Field>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = deref(document, schema);
    if !at.is_empty() {
        let mut field = describe(document, schema);
        field.required = required;
        out.insert(format!("{prefix}{at}"), field);
    }
    let (properties, required_names) = object_parts(document, schema, 0);
    for (name, property) in properties {
        let path = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        let required = required_names.contains(&name);
        flatten(document, property, prefix, &path, required, out, depth + 1);
    }
    if schema["type"].as_str() == Some("array") {
        flatten(
            document,
            &schema["items"],
            prefix,
            &format!("{at}[]"),
            true,
            out,
            depth + 1,
        );
    }
    for key in ["oneOf", "anyOf"] {
        for (index, variant) in schema[key].as_array().into_iter().flatten().enumerate() {
            let name = variant_name(document, variant, index);
            let path = format!("{at}<{name}>");
            let (properties, required_names) = object_parts(document, variant, 0);
            for (field, property) in properties {
                let required = required_names.contains(&field);
                let path = if at.is_empty() && path.starts_with('<') {
                    format!("{path}{field}")
                } else {
                    format!("{path}.{field}")
                };
                flatten(document, property, prefix, &path, required, out, depth + 1);
            }
        }
    }
}

/// A oneOf/anyOf variant's name: its component name, title, or position.
fn variant_name(document: &Value, variant: &Value, index: usize) -> String {
    if let Some(reference) = variant["$ref"].as_str() {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    deref(document, variant)["title"]
        .as_str()
        .map_or_else(|| format!("variant {}", index + 1), str::to_string)
}

/// The properties and required names of an object schema, `allOf` parts
/// merged.
fn object_parts<'a>(
    document: &'a Value,
    schema: &'a Value,
    depth: usize,
) -> (Vec<(String, &'a Value)>, BTreeSet<String>) {
    let schema = deref(document, schema);
    let mut properties: Vec<(String, &Value)> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v))
        .collect();
    let mut required: BTreeSet<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if depth < MAX_DEPTH {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            let (more, more_required) = object_parts(document, part, depth + 1);
            for (name, property) in more {
                if !properties.iter().any(|(n, _)| *n == name) {
                    properties.push((name, property));
                }
            }
            required.extend(more_required);
        }
    }
    (properties, required)
}
