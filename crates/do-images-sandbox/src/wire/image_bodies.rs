//! Request bodies, read by hand so that a bad one gets a 422 naming the
//! field and what it must be.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::json_body::object;
use super::regions;
use crate::spec_values::DISTRIBUTION;

/// The body of a custom image import.
#[derive(Debug, PartialEq)]
pub(crate) struct NewImage {
    pub name: String,
    pub url: String,
    pub region: String,
    pub distribution: String,
    pub description: String,
    pub tags: Vec<String>,
}

/// The body of an image update.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ImageUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub distribution: Option<String>,
}

/// The body of an image action.
#[derive(Debug, PartialEq)]
pub(crate) enum ActionRequest {
    Transfer { region: String },
    Convert,
}

impl NewImage {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let fields = object(body, ApiError::unprocessable)?;
        let region = required_string(&fields, "region")?;
        check_region(&region)?;
        Ok(Self {
            name: non_empty(&fields, "name")?,
            url: non_empty(&fields, "url")?,
            region,
            distribution: optional_string(&fields, "distribution")?
                .map_or_else(|| "Unknown".to_string(), |d| stored_distribution(&d)),
            description: optional_string(&fields, "description")?.unwrap_or_default(),
            tags: tags(&fields)?,
        })
    }
}

impl ImageUpdate {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let fields = object(body, ApiError::unprocessable)?;
        let name = optional_string(&fields, "name")?;
        if name.as_deref() == Some("") {
            return Err(ApiError::unprocessable("`name` must not be empty."));
        }
        Ok(Self {
            name,
            description: optional_string(&fields, "description")?,
            distribution: optional_string(&fields, "distribution")?
                .map(|d| stored_distribution(&d)),
        })
    }
}

impl ActionRequest {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let fields = object(body, ApiError::unprocessable)?;
        match required_string(&fields, "type")?.as_str() {
            "convert" => Ok(Self::Convert),
            "transfer" => {
                let region = fields.get("region").ok_or_else(|| {
                    ApiError::unprocessable("`region` is required for a transfer.")
                })?;
                let region = region
                    .as_str()
                    .ok_or_else(|| ApiError::unprocessable("`region` must be a string."))?;
                check_region(region)?;
                Ok(Self::Transfer {
                    region: region.to_string(),
                })
            }
            other => Err(ApiError::unprocessable(format!(
                "`type` must be `transfer` or `convert`; got `{other}`."
            ))),
        }
    }
}

fn optional_string(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::unprocessable(format!(
            "`{name}` must be a string."
        ))),
    }
}

fn required_string(fields: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    optional_string(fields, name)?
        .ok_or_else(|| ApiError::unprocessable(format!("`{name}` is required.")))
}

fn non_empty(fields: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    let text = required_string(fields, name)?;
    if text.trim().is_empty() {
        return Err(ApiError::unprocessable(format!(
            "`{name}` must not be empty."
        )));
    }
    Ok(text)
}

fn check_region(region: &str) -> Result<(), ApiError> {
    if regions::is_slug_shaped(region) {
        return Ok(());
    }
    Err(ApiError::unprocessable(format!(
        "`region` must be a region slug such as `nyc3`; got `{region}`."
    )))
}

fn tags(fields: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let error = || ApiError::unprocessable("`tags` must be an array of strings.");
    match fields.get("tags") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string).ok_or_else(error))
            .collect(),
        Some(_) => Err(error()),
    }
}

/// The distribution as the API stores it: a value the spec lists is kept,
/// any other becomes `Unknown`.
fn stored_distribution(value: &str) -> String {
    if DISTRIBUTION.contains(&value) {
        value.to_string()
    } else {
        "Unknown".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        result.unwrap_err().message
    }

    #[test]
    fn import_names_the_missing_field() {
        let body = br#"{"url":"https://x.test/a.qcow2","region":"nyc3"}"#;
        assert_eq!(message(NewImage::parse(body)), "`name` is required.");
        let body = br#"{"name":"a","region":"nyc3"}"#;
        assert_eq!(message(NewImage::parse(body)), "`url` is required.");
        let body = br#"{"name":"a","url":"https://x.test/a.qcow2"}"#;
        assert_eq!(message(NewImage::parse(body)), "`region` is required.");
        let body = br#"{"name":"a","url":"https://x.test/a.qcow2","region":"New York"}"#;
        assert!(message(NewImage::parse(body)).contains("region slug"));
        assert!(message(NewImage::parse(b"[]")).contains("JSON object"));
        assert!(message(NewImage::parse(b"{")).contains("not valid JSON"));
    }

    #[test]
    fn import_keeps_known_distributions_only() {
        let body =
            br#"{"name":"a","url":"u","region":"atl1","distribution":"Plan 9","tags":["x"]}"#;
        let image = NewImage::parse(body).unwrap();
        assert_eq!(image.distribution, "Unknown");
        assert_eq!(image.tags, ["x"]);
        assert_eq!(image.region, "atl1");
    }

    #[test]
    fn actions() {
        assert_eq!(
            ActionRequest::parse(br#"{"type":"convert"}"#).unwrap(),
            ActionRequest::Convert
        );
        assert_eq!(
            message(ActionRequest::parse(br#"{"type":"transfer"}"#)),
            "`region` is required for a transfer."
        );
        assert!(message(ActionRequest::parse(br#"{"type":"resize"}"#)).contains("`type` must be"));
        assert_eq!(message(ActionRequest::parse(b"{}")), "`type` is required.");
    }
}
