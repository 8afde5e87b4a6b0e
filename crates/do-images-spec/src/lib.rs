//! The Images API description, `spec/images.yaml`, as data.
//!
//! This crate loads the OpenAPI document and validates JSON values against
//! its schemas. The xtask uses it to check that every example in the spec
//! fits its schema; the sandbox's conformance tests use it to prove that what
//! the sandbox answers is what the spec promises.
//!
//! OpenAPI 3.0 schemas are almost JSON Schema: [`Spec`] converts them
//! (`nullable` becomes a `null` alternative, OpenAPI-only keywords are
//! dropped) and hands them to the `jsonschema` crate.
#![deny(missing_docs)]

mod convert;
mod lookup;

use serde_json::Value;

pub use lookup::{Operation, ResponseSchema};

/// The text of `spec/images.yaml` as it was when this crate was built.
pub const BUNDLED_YAML: &str = include_str!("../../../spec/images.yaml");

/// Why a spec could not be used or a value does not fit it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The text is not YAML (or JSON).
    #[error("the spec is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// A schema or operation the caller named is not in the spec.
    #[error("the spec has no {0}")]
    Missing(String),
    /// A schema in the spec cannot be compiled.
    #[error("schema `{name}` cannot be compiled: {message}")]
    BadSchema {
        /// The schema's name or location.
        name: String,
        /// What the compiler said.
        message: String,
    },
    /// A value does not fit its schema; each entry names a path and a reason.
    #[error("{what} does not fit the spec:\n  {}", .problems.join("\n  "))]
    Mismatch {
        /// What was validated, such as `images_get 200`.
        what: String,
        /// One line per problem: the JSON path and what is wrong there.
        problems: Vec<String>,
    },
}

/// How strictly objects are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// As the spec says: properties it does not name are allowed.
    AsWritten,
    /// Properties the spec does not name are errors. Used on the sandbox, so
    /// that it cannot invent fields the spec does not have.
    NoExtraProperties,
}

/// A loaded OpenAPI document.
#[derive(Clone, Debug)]
pub struct Spec {
    document: Value,
}

impl Spec {
    /// Loads the copy of `spec/images.yaml` built into this crate.
    pub fn bundled() -> Result<Self, SpecError> {
        Self::from_yaml(BUNDLED_YAML)
    }

    /// Loads a document from YAML (or JSON) text.
    pub fn from_yaml(text: &str) -> Result<Self, SpecError> {
        let document: Value = serde_yaml_ng::from_str(text)?;
        Ok(Self { document })
    }

    /// The document as a JSON value.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Validates `value` against the component schema `name`
    /// (`#/components/schemas/<name>`).
    pub fn validate_schema(
        &self,
        name: &str,
        value: &Value,
        strictness: Strictness,
    ) -> Result<(), SpecError> {
        let pointer = format!("#/components/schemas/{name}");
        if self
            .document
            .pointer(&format!("/components/schemas/{name}"))
            .is_none()
        {
            return Err(SpecError::Missing(format!("schema `{name}`")));
        }
        let schema = serde_json::json!({ "$ref": pointer });
        self.validate_value(&schema, value, strictness, name)
    }

    /// Validates a response body of operation `operation_id` with HTTP
    /// `status` against the schema the spec gives for that status (the exact
    /// code, else its range such as `4XX`, else `default`).
    pub fn validate_response(
        &self,
        operation_id: &str,
        status: u16,
        body: &Value,
        strictness: Strictness,
    ) -> Result<(), SpecError> {
        let what = format!("{operation_id} {status}");
        match self.response_schema(operation_id, status)? {
            ResponseSchema::Json(schema) => self.validate_value(&schema, body, strictness, &what),
            ResponseSchema::NoContent => Err(SpecError::Mismatch {
                what,
                problems: vec!["the spec says this response has no body".into()],
            }),
        }
    }

    /// Validates `value` against an OpenAPI schema object (which may refer
    /// to the document's component schemas); `what` names it in errors.
    pub fn validate_value(
        &self,
        schema: &Value,
        value: &Value,
        strictness: Strictness,
        what: &str,
    ) -> Result<(), SpecError> {
        let root = convert::json_schema_root(&self.document, schema, strictness);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| SpecError::BadSchema {
                name: what.to_string(),
                message: e.to_string(),
            })?;
        let problems: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("at `{}`: {e}", e.instance_path()))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SpecError::Mismatch {
                what: what.to_string(),
                problems,
            })
        }
    }
}
