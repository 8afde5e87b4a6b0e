//! Finding operations, responses and examples in the document.

use serde_json::Value;

use super::{Spec, SpecError, Strictness};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// What the spec says a response carries.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseSchema {
    /// A JSON body with this (OpenAPI) schema.
    Json(Value),
    /// No body at all, as for a 204.
    NoContent,
}

/// One operation of the document.
#[derive(Clone, Debug)]
pub struct Operation<'a> {
    /// `operationId`.
    pub id: &'a str,
    /// The path template, such as `/v2/images/{image_id}`.
    pub path: &'a str,
    /// The method in lower case.
    pub method: &'a str,
    /// The operation object.
    pub body: &'a Value,
}

impl Spec {
    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let Some(paths) = self.document.get("paths").and_then(Value::as_object) else {
            return Vec::new();
        };
        paths
            .iter()
            .flat_map(|(path, item)| {
                METHODS.iter().filter_map(move |method| {
                    let body = item.get(*method)?;
                    Some(Operation {
                        id: body.get("operationId")?.as_str()?,
                        path,
                        method,
                        body,
                    })
                })
            })
            .collect()
    }

    /// Follows a local `$ref` (`#/...`) if `value` is one.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> Result<&'a Value, SpecError> {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix('#')
                .and_then(|pointer| self.document.pointer(pointer))
                .ok_or_else(|| SpecError::Missing(format!("target of `{reference}`"))),
            None => Ok(value),
        }
    }

    /// The schema of the response of `operation_id` for `status`.
    pub fn response_schema(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Result<ResponseSchema, SpecError> {
        let operation = self
            .operations()
            .into_iter()
            .find(|op| op.id == operation_id)
            .ok_or_else(|| SpecError::Missing(format!("operation `{operation_id}`")))?;
        let responses = &operation.body["responses"];
        let range = format!("{}XX", status / 100);
        let response = [status.to_string(), range, "default".to_string()]
            .iter()
            .find_map(|key| responses.get(key))
            .ok_or_else(|| SpecError::Missing(format!("response {status} of `{operation_id}`")))?;
        let response = self.resolve(response)?;
        Ok(
            match response.pointer("/content/application~1json/schema") {
                Some(schema) => ResponseSchema::Json(schema.clone()),
                None => ResponseSchema::NoContent,
            },
        )
    }

    /// Every `$ref` in the document whose target does not exist.
    pub fn unresolved_references(&self) -> Vec<String> {
        let mut missing = Vec::new();
        collect_references(&self.document, &mut |reference| {
            let found = reference
                .strip_prefix('#')
                .is_some_and(|pointer| self.document.pointer(pointer).is_some());
            if !found {
                missing.push(reference.to_string());
            }
        });
        missing
    }

    /// Checks every example of a request body or response against its
    /// schema, and returns one line per example that does not fit.
    pub fn example_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for operation in self.operations() {
            let mut media = Vec::new();
            if let Some(body) = operation.body.get("requestBody") {
                media.push(("request body".to_string(), body));
            }
            if let Some(responses) = operation.body["responses"].as_object() {
                media.extend(
                    responses
                        .iter()
                        .map(|(code, r)| (format!("response {code}"), r)),
                );
            }
            for (label, item) in media {
                let where_ = format!("{} {label}", operation.id);
                if let Err(e) = self.check_media_examples(item, &where_) {
                    problems.push(e.to_string());
                }
            }
        }
        problems
    }

    fn check_media_examples(&self, item: &Value, where_: &str) -> Result<(), SpecError> {
        let item = self.resolve(item)?;
        let Some(json) = item.pointer("/content/application~1json") else {
            return Ok(());
        };
        let Some(schema) = json.get("schema") else {
            return Ok(());
        };
        let mut examples = Vec::new();
        if let Some(example) = json.get("example") {
            examples.push(("example".to_string(), example.clone()));
        }
        if let Some(named) = json.get("examples").and_then(Value::as_object) {
            for (name, example) in named {
                let value = self
                    .resolve(example)?
                    .get("value")
                    .cloned()
                    .ok_or_else(|| {
                        SpecError::Missing(format!("value of example `{name}` in {where_}"))
                    })?;
                examples.push((name.clone(), value));
            }
        }
        for (name, example) in examples {
            let root = serde_json::json!({ "allOf": [schema] });
            self.validate_value(
                &root,
                &example,
                Strictness::NoExtraProperties,
                &format!("{where_} example `{name}`"),
            )?;
        }
        Ok(())
    }
}

fn collect_references(value: &Value, found: &mut dyn FnMut(&str)) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found(reference);
            }
            map.values().for_each(|v| collect_references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, found)),
        _ => {}
    }
}
