//! Turning the spec into the source files of `do-images-api` and of its
//! httpmock helpers, `do-images-api-mock`.
//!
//! Both come from one fixed-up spec (`progenitor_fixes::prepare`) and the same
//! generation settings, so the mock's `When`/`Then` wrappers take exactly the
//! types the client sends and receives. progenitor's `Generator::httpmock`
//! emits `use <crate>::*;` and the type names it knows; replaced types come
//! out as the absolute paths set in `progenitor_fixes.rs`, which is why those
//! are `::do_images_api::...` rather than `crate::...` (see there).

use std::path::Path;

use anyhow::{Context, Result, bail};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;

use crate::SPEC_PATH;
use crate::generic_items;
use crate::model_derives;
use crate::open_enums;
use crate::operation_impls;
use crate::path_segments;
use crate::progenitor_fixes;

/// The generated files, relative to the workspace root.
pub const GENERATED_CLIENT: &str = "crates/do-images-api/src/generated.rs";
/// The generated open enums, relative to the workspace root.
pub const GENERATED_ENUMS: &str = "crates/do-images-api/src/open_enums.rs";
/// The generated httpmock helpers, relative to the workspace root.
pub const GENERATED_MOCK: &str = "crates/do-images-api-mock/src/generated.rs";
/// The spec's enum values as plain lists, for the sandbox (which does not
/// depend on the client), relative to the workspace root.
pub const GENERATED_SANDBOX_VALUES: &str = "crates/do-images-sandbox/src/spec_values.rs";

/// One file the generator writes.
pub struct GeneratedFile {
    /// Relative to the workspace root.
    pub path: &'static str,
    /// The whole text.
    pub contents: String,
}

/// Reads the spec under `root` and writes every generated file there.
pub fn write_all(root: &Path) -> Result<()> {
    for file in generate_from(root)? {
        let target = root.join(file.path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&target, &file.contents)
            .with_context(|| format!("cannot write {}", target.display()))?;
        println!("wrote {}", file.path);
    }
    Ok(())
}

/// Builds the spec from `spec/upstream/` and the overlay under `root`, and
/// returns it with the files generated from it.
pub fn generate_from(root: &Path) -> Result<Vec<GeneratedFile>> {
    let built = crate::spec::build::build_in(root)?;
    let mut files = vec![GeneratedFile {
        path: SPEC_PATH,
        contents: built.text.clone(),
    }];
    files.extend(generate(&built.text)?);
    Ok(files)
}

/// Validates the spec text and generates the files from it.
pub fn generate(spec_text: &str) -> Result<Vec<GeneratedFile>> {
    let spec = validate(spec_text)?;
    let generic_items = generic_items::marked(spec.document())?;
    let openapi: openapiv3::OpenAPI = serde_json::from_value(spec.document().clone())
        .context("the spec is not an OpenAPI 3.0 document")?;
    let prepared = progenitor_fixes::prepare(openapi)?;
    let settings = settings(&prepared);

    let client = run_progenitor("the client", || {
        Generator::new(&settings).generate_tokens(&prepared.spec)
    })?;
    let client = model_derives::rewrite_models(client)?;
    let client = generic_items::make_generic(client, &generic_items)?;
    let client = path_segments::encode_fully(client);
    let client = operation_impls::add(client)
        .context("cannot add the `Operation` impls to the generated client")?;
    // A fresh generator: `httpmock` loads the spec's schemas into its type
    // space itself, which a generator that already made the client has done.
    let mock = run_progenitor("the httpmock helpers", || {
        Generator::new(&settings).httpmock(&prepared.spec, progenitor_fixes::API_CRATE)
    })?;

    Ok(vec![
        GeneratedFile {
            path: GENERATED_CLIENT,
            contents: render(client, "the client, with progenitor")?,
        },
        GeneratedFile {
            path: GENERATED_ENUMS,
            contents: render(
                open_enums::module_tokens(&prepared.open_enums),
                "the open enums (see xtask/src/open_enums.rs)",
            )?,
        },
        GeneratedFile {
            path: GENERATED_MOCK,
            contents: render(mock, "typed httpmock helpers, with progenitor")?,
        },
        GeneratedFile {
            path: GENERATED_SANDBOX_VALUES,
            contents: render(
                open_enums::value_lists_tokens(&prepared.open_enums),
                "the values of the spec's enums, for the sandbox",
            )?,
        },
    ])
}

/// The settings for both generators: builder interface, one merged client,
/// and the replacements of `progenitor_fixes`.
fn settings(prepared: &progenitor_fixes::Prepared) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::Transport));
    for (schema, rust_path) in &prepared.replacements {
        let impls = [TypeImpl::Display, TypeImpl::FromStr].into_iter();
        settings.with_replacement(schema, rust_path, impls);
    }
    settings
}

/// Runs one progenitor generation. progenitor reports some spec problems by
/// panicking; those become errors too.
fn run_progenitor(
    what: &str,
    generate: impl FnOnce() -> Result<proc_macro2::TokenStream, progenitor::Error>,
) -> Result<proc_macro2::TokenStream> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(generate))
        .map_err(|_| {
            anyhow::anyhow!("progenitor panicked on the spec making {what} (see the message above)")
        })?
        .with_context(|| format!("progenitor could not generate {what}"))
}

/// Checks the spec the way `cargo xtask check` promises: it parses, every
/// reference resolves and every example fits its schema.
pub fn validate(spec_text: &str) -> Result<crate::do_images_spec::Spec> {
    let spec = crate::do_images_spec::Spec::from_yaml(spec_text)?;
    let version = spec.document()["openapi"].as_str().unwrap_or_default();
    if !version.starts_with("3.0.") {
        bail!("the spec must be OpenAPI 3.0.x, but says `openapi: {version}`");
    }
    let mut problems: Vec<String> = spec
        .unresolved_references()
        .into_iter()
        .map(|r| format!("`$ref: {r}` points nowhere"))
        .collect();
    problems.extend(spec.example_problems());
    if !problems.is_empty() {
        bail!("the spec does not validate:\n- {}", problems.join("\n- "));
    }
    Ok(spec)
}

fn render(tokens: proc_macro2::TokenStream, what: &str) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).context("generated code does not parse")?;
    Ok(format!(
        "// @generated by `cargo xtask generate` from {SPEC_PATH}: {what}.\n\
         // Do not edit: change the spec and regenerate. `cargo xtask check` fails when they differ.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> &'static str {
        crate::do_images_spec::BUNDLED_YAML
    }

    fn client_text(files: &[GeneratedFile]) -> &str {
        &files
            .iter()
            .find(|f| f.path == GENERATED_CLIENT)
            .unwrap()
            .contents
    }

    fn mock_text(files: &[GeneratedFile]) -> &str {
        &files
            .iter()
            .find(|f| f.path == GENERATED_MOCK)
            .unwrap()
            .contents
    }

    #[test]
    fn client_enums_and_mock_are_generated() {
        let paths: Vec<_> = generate(bundled())
            .unwrap()
            .iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            [
                GENERATED_CLIENT,
                GENERATED_ENUMS,
                GENERATED_MOCK,
                GENERATED_SANDBOX_VALUES
            ]
        );
    }

    #[test]
    fn the_sandbox_gets_the_spec_lists_as_plain_constants() {
        let files = generate(bundled()).unwrap();
        let values = &files
            .iter()
            .find(|f| f.path == GENERATED_SANDBOX_VALUES)
            .unwrap()
            .contents;
        assert!(
            values.contains("pub const DISTRIBUTION: &[&str] = &["),
            "{values}"
        );
        assert!(values.contains("\"Rocky Linux\""), "{values}");
        assert!(values.contains("pub const REGION_SLUG"), "{values}");
        assert!(!values.contains("do_images_api"), "{values}");
    }

    #[test]
    fn the_mock_has_a_helper_per_operation_over_the_client_crate() {
        let files = generate(bundled()).unwrap();
        let mock = mock_text(&files);
        assert!(mock.contains("use ::do_images_api::*;"), "{mock}");
        for operation in [
            "images_list",
            "images_create_custom",
            "images_get",
            "images_update",
            "images_delete",
            "image_actions_list",
            "image_actions_post",
            "image_actions_get",
            "image_account_transfers_create",
            "image_account_transfers_accept",
            "image_account_transfers_cancel",
            "image_account_transfers_decline",
        ] {
            assert!(
                mock.contains(&format!("fn {operation}<F>(&self, config_fn: F)")),
                "no helper for {operation}"
            );
            assert!(
                // Long names wrap `(&self)` onto its own line.
                client_text(&files).contains(&format!("pub fn {operation}(")),
                "the client has no {operation}"
            );
        }
    }

    #[test]
    fn replaced_types_are_named_by_absolute_paths_in_both_crates() {
        // `crate::...` would resolve in the client but not in the mock crate
        // (see progenitor_fixes.rs).
        let files = generate(bundled()).unwrap();
        for text in [client_text(&files), mock_text(&files)] {
            assert!(!text.contains("crate::open_enums"));
            assert!(!text.contains("crate::ImageRef"));
        }
        assert!(mock_text(&files).contains("value: &::do_images_api::ImageRef"));
        assert!(client_text(&files).contains("::do_images_api::open_enums::RegionSlug"));
    }

    #[test]
    fn generation_is_deterministic() {
        let first = generate(bundled()).unwrap();
        let second = generate(bundled()).unwrap();
        for (a, b) in first.iter().zip(&second) {
            assert!(
                a.contents == b.contents,
                "{} differs between two runs",
                a.path
            );
        }
    }

    #[test]
    fn first_line_says_generated_from_what_by_which_command() {
        for file in generate(bundled()).unwrap() {
            let first = file.contents.lines().next().unwrap();
            assert!(first.contains("@generated"), "{first}");
            assert!(first.contains("cargo xtask generate"), "{first}");
            assert!(first.contains(SPEC_PATH), "{first}");
        }
    }

    #[test]
    fn a_new_optional_field_on_image_shows_up_in_the_client() {
        let before = generate(bundled()).unwrap();
        assert!(!client_text(&before).contains("pub licence_key"));
        let changed = bundled().replacen(
            "        error_message:\n",
            "        licence_key:\n          description: A key.\n          type: string\n        error_message:\n",
            1,
        );
        assert_ne!(changed, bundled(), "the edit must apply");
        let after = generate(&changed).unwrap();
        assert!(
            client_text(&after)
                .contains("pub licence_key: ::std::option::Option<::std::string::String>")
        );
    }

    #[test]
    fn the_marked_wrappers_are_generic_and_a_mark_on_no_model_stops_generation() {
        let files = generate(bundled()).unwrap();
        for wrapper in [
            "pub struct ImageEnvelope<T = Image> {",
            "pub struct ActionEnvelope<T = Action> {",
            "pub struct ImagesPage<T = Image> {",
            "pub struct ActionsPage<T = Action> {",
        ] {
            assert!(client_text(&files).contains(wrapper), "no `{wrapper}`");
        }
        let marked = bundled().replacen(
            "        total:\n          description: How many items the whole result holds.\n",
            "        total:\n          x-do-images-item: true\n          description: How many items the whole result holds.\n",
            1,
        );
        assert_ne!(marked, bundled(), "the edit must apply");
        let error = format!("{:#}", generate(&marked).err().unwrap());
        assert!(
            error.contains("cannot make `Meta` generic over `total`")
                && error.contains("neither a model `M` nor `Vec<M>`"),
            "{error}"
        );
    }

    #[test]
    fn an_invalid_spec_is_refused_with_the_reason() {
        let broken = bundled().replacen(
            "$ref: '#/components/schemas/meta'",
            "$ref: '#/components/schemas/nope'",
            1,
        );
        let error = generate(&broken).err().unwrap().to_string();
        assert!(error.contains("#/components/schemas/nope"), "{error}");
        let swagger = bundled().replacen("openapi: 3.0.0", "openapi: 3.1.0", 1);
        let error = generate(&swagger).err().unwrap().to_string();
        assert!(error.contains("3.0.x"), "{error}");
    }
}
