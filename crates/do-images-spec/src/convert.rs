//! OpenAPI 3.0 schema objects to JSON Schema 2020-12.

use serde_json::{Map, Value, json};

use super::Strictness;

/// Keywords OpenAPI adds to schema objects that JSON Schema does not know.
const OPENAPI_ONLY: &[&str] = &[
    "example",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "deprecated",
    "nullable",
];

/// A JSON Schema document that checks `schema` and can resolve every
/// `#/components/schemas/...` reference of `document`.
pub(crate) fn json_schema_root(document: &Value, schema: &Value, strictness: Strictness) -> Value {
    let components: Map<String, Value> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, s)| (name.clone(), convert(s, strictness)))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": { "schemas": components },
        "allOf": [convert(schema, strictness)],
    })
}

fn convert(schema: &Value, strictness: Strictness) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(reference) = object.get("$ref") {
        // OpenAPI 3.0 ignores the siblings of `$ref`.
        return json!({ "$ref": reference });
    }
    let mut out: Map<String, Value> = object
        .iter()
        .filter(|(key, _)| !OPENAPI_ONLY.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if let Some(Value::Object(properties)) = out.get_mut("properties") {
        for value in properties.values_mut() {
            *value = convert(value, strictness);
        }
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(value) = out.get_mut(key).filter(|v| v.is_object()) {
            *value = convert(value, strictness);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = out.get_mut(key) {
            for member in members.iter_mut() {
                *member = convert(member, strictness);
            }
        }
    }
    let is_object = out.get("type") == Some(&json!("object")) || out.contains_key("properties");
    if strictness == Strictness::NoExtraProperties
        && is_object
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), json!(false));
    }
    if object.get("nullable") == Some(&json!(true)) {
        return make_nullable(out);
    }
    Value::Object(out)
}

fn make_nullable(mut schema: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.push(Value::Null);
    }
    match schema.get("type").cloned() {
        Some(Value::String(kind)) => {
            schema.insert("type".into(), json!([kind, "null"]));
            Value::Object(schema)
        }
        _ => json!({ "anyOf": [Value::Object(schema), { "type": "null" }] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_type_admits_null() {
        let out = convert(
            &json!({"type": "string", "nullable": true, "example": "x"}),
            Strictness::AsWritten,
        );
        assert_eq!(out, json!({"type": ["string", "null"]}));
    }

    #[test]
    fn strict_objects_refuse_unknown_properties() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let strict = convert(&schema, Strictness::NoExtraProperties);
        assert_eq!(strict["additionalProperties"], json!(false));
        let loose = convert(&schema, Strictness::AsWritten);
        assert!(loose.get("additionalProperties").is_none());
    }

    #[test]
    fn reference_siblings_are_dropped() {
        let out = convert(
            &json!({"$ref": "#/components/schemas/x", "description": "d"}),
            Strictness::AsWritten,
        );
        assert_eq!(out, json!({"$ref": "#/components/schemas/x"}));
    }
}
