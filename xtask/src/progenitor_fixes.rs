//! What the spec needs before progenitor sees it, and why.
//!
//! The spec in `spec/images.yaml` describes the API as it is. progenitor
//! 0.15 cannot take some of that as written; each fix here changes only the
//! copy handed to the generator, never the file.
//!
//! They stay here rather than in `spec/overlay.yaml`: they are about one
//! generator, not the API, and in the overlay they would make the built spec
//! (which the sandbox's conformance tests and the example checks also read)
//! say false things about the API, such as that no error is a `default`.
//!
//! 1. **`default` responses.** Every operation lists a typed `default` error
//!    beside its typed success. progenitor counts `default` as a possible
//!    success too, finds two success types and panics. We replace `default`
//!    with the ranges `4XX` and `5XX` (same schema), which progenitor treats
//!    as errors only. Any error status, 422 included, then decodes into the
//!    typed `Error`, instead of only the codes listed one by one.
//! 2. **Closed enums.** typify turns a string `enum` into a closed Rust enum,
//!    and one unlisted value (a new region such as `atl1`) would fail the
//!    whole response. The live API sends such values. We keep the enum lists
//!    in the spec, generate open enums from them ourselves (see
//!    `open_enums.rs`: a variant per listed value plus `Other(String)`), and
//!    tell progenitor to use those types in place of its own.
//! 3. **`image_id` is an id or a slug.** GET takes `anyOf: [integer,
//!    string]`, for which typify makes an awkward struct. We replace the
//!    schema with the hand-written `do_images_api::ImageRef`, which converts
//!    from integers and strings and prints itself into the path.
//!
//! Response headers (`ratelimit-*`, `retry-after`) are not typed by
//! progenitor; callers read them from `ResponseValue::headers()`.
//! DigitalOcean's pagination (absolute `links.pages.next`) is not progenitor's
//! convention either; do-images follows the links by hand.

use anyhow::{Context, Result, bail};
use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, StatusCode, StringType, Type};

use crate::open_enums::OpenEnum;

// Replacement paths are absolute (`::do_images_api::...`), not `crate::...`.
//
// typify prints a replacement path verbatim wherever the type is used, and
// the same type space is printed into two crates: the client
// (`do-images-api`) and its httpmock helpers (`do-images-api-mock`, see
// `generate.rs`). `crate::open_enums::RegionSlug` would resolve inside the
// client but name a module the mock crate does not have. An absolute path
// names the same item from both: the mock crate depends on `do_images_api`,
// and `do-images-api`'s lib.rs declares `extern crate self as do_images_api;`
// so that the path also resolves from inside the crate itself (the usual
// trick of crates whose macros emit `::their_name::...`).
//
// Rejected ways out: a second set of replacements for the mock (two type
// spaces that must be kept in step by hand, and a drift the check would not
// see), rewriting `crate::` in the mock's text after the fact (string
// surgery on generated code), and re-exporting `open_enums` and `ImageRef`
// from the mock crate under the same names (every new hand-written type
// would silently need another re-export there, and the mock's public API
// would grow copies of the client's).

/// The client crate's name as a Rust path, absolute so that it resolves from
/// the client itself (through `extern crate self as do_images_api;`) and from
/// any crate that depends on it, such as the mock crate.
pub const API_CRATE: &str = "::do_images_api";

/// Component schemas replaced by a hand-written type: (schema name, Rust path).
pub const HAND_WRITTEN: &[(&str, &str)] = &[("image_id_or_slug", "::do_images_api::ImageRef")];

/// Where the generated open enums live, as an absolute path (see above).
pub const OPEN_ENUM_MODULE: &str = "::do_images_api::open_enums";

/// The result of preparing a spec for progenitor.
pub struct Prepared {
    /// The document to hand to the generator.
    pub spec: OpenAPI,
    /// The string enums taken out of typify's hands.
    pub open_enums: Vec<OpenEnum>,
    /// Schema names (PascalCase, as typify names them) and their replacements.
    pub replacements: Vec<(String, String)>,
}

/// Applies every fix described in the module docs.
pub fn prepare(mut spec: OpenAPI) -> Result<Prepared> {
    split_default_responses(&mut spec);
    let open_enums = collect_string_enums(&spec)?;
    let mut replacements: Vec<(String, String)> = open_enums
        .iter()
        .map(|e| {
            let path = format!("{OPEN_ENUM_MODULE}::{}", e.rust_name);
            (e.rust_name.clone(), path)
        })
        .collect();
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    for (schema, rust_path) in HAND_WRITTEN {
        if !schemas.is_some_and(|s| s.contains_key(*schema)) {
            bail!("the spec has no component schema `{schema}`, which {rust_path} replaces");
        }
        replacements.push((schema.to_upper_camel_case(), rust_path.to_string()));
    }
    Ok(Prepared {
        spec,
        open_enums,
        replacements,
    })
}

/// Fix 1: `default` becomes `4XX` and `5XX` (unless the operation lists those).
pub fn split_default_responses(spec: &mut OpenAPI) {
    for (_, _, operation) in spec.operations_mut() {
        let responses = &mut operation.responses;
        if let Some(default) = responses.default.take() {
            for range in [4, 5] {
                responses
                    .responses
                    .entry(StatusCode::Range(range))
                    .or_insert_with(|| default.clone());
            }
        }
    }
}

/// Fix 2: every component schema that is a plain string enum.
fn collect_string_enums(spec: &OpenAPI) -> Result<Vec<OpenEnum>> {
    let Some(components) = &spec.components else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::String(StringType { enumeration, .. })) = &schema.schema_kind
        else {
            continue;
        };
        if enumeration.is_empty() {
            continue;
        }
        let values = enumeration
            .iter()
            .map(|v| {
                v.clone()
                    .with_context(|| format!("schema `{name}` lists null as an enum value"))
            })
            .collect::<Result<Vec<_>>>()?;
        found.push(OpenEnum::new(
            name,
            schema
                .schema_data
                .description
                .as_deref()
                .unwrap_or_default(),
            values,
        )?);
    }
    // Sorted by name, so that the output does not depend on how a JSON map
    // orders keys (serde_json's `preserve_order` feature changes it).
    found.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    Ok(found)
}

/// Extension used only to reach operations mutably.
trait OperationsMut {
    fn operations_mut(&mut self) -> Vec<(&str, &str, &mut openapiv3::Operation)>;
}

impl OperationsMut for OpenAPI {
    fn operations_mut(&mut self) -> Vec<(&str, &str, &mut openapiv3::Operation)> {
        self.paths
            .paths
            .iter_mut()
            .filter_map(|(path, item)| match item {
                ReferenceOr::Item(item) => Some((path.as_str(), item)),
                ReferenceOr::Reference { .. } => None,
            })
            .flat_map(|(path, item)| {
                [
                    ("get", item.get.as_mut()),
                    ("put", item.put.as_mut()),
                    ("post", item.post.as_mut()),
                    ("delete", item.delete.as_mut()),
                    ("patch", item.patch.as_mut()),
                ]
                .into_iter()
                .filter_map(move |(method, op)| op.map(|op| (path, method, op)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> OpenAPI {
        let value = crate::do_images_spec::Spec::bundled()
            .unwrap()
            .document()
            .clone();
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn default_responses_become_error_ranges() {
        let mut spec = bundled();
        assert!(
            spec.operations()
                .all(|(_, _, op)| op.responses.default.is_some())
        );
        split_default_responses(&mut spec);
        for (path, method, op) in spec.operations() {
            assert!(
                op.responses.default.is_none(),
                "{method} {path} still has default"
            );
            for range in [4, 5] {
                assert!(
                    op.responses
                        .responses
                        .contains_key(&StatusCode::Range(range)),
                    "{method} {path} lacks {range}XX"
                );
            }
        }
    }

    #[test]
    fn string_enums_are_replaced_and_id_or_slug_is_hand_written() {
        let prepared = prepare(bundled()).unwrap();
        let names: Vec<_> = prepared
            .replacements
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        for expected in [
            "RegionSlug",
            "Distribution",
            "ImageStatus",
            "ImageType",
            "ActionStatus",
            "ImageIdOrSlug",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
    }

    #[test]
    fn every_replacement_is_an_absolute_path_into_the_client_crate() {
        // So that it names the same type from the client and the mock crate.
        let prepared = prepare(bundled()).unwrap();
        for (schema, path) in &prepared.replacements {
            assert!(
                path.starts_with(&format!("{API_CRATE}::")),
                "{schema} is replaced by {path}"
            );
        }
    }

    #[test]
    fn a_missing_hand_written_schema_is_an_error() {
        let mut spec = bundled();
        spec.components
            .as_mut()
            .unwrap()
            .schemas
            .shift_remove("image_id_or_slug");
        let error = prepare(spec).err().expect("must fail").to_string();
        assert!(error.contains("image_id_or_slug"), "{error}");
    }
}
