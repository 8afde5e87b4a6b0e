//! What the generated models get beyond progenitor's own output.
//!
//! - **`JsonSchema`.** The models (`do_images_api::types`) derive
//!   `schemars::JsonSchema` when `do-images-api`'s `schemars` feature is on,
//!   so users can describe images and actions in their own JSON Schemas.
//!   progenitor 0.15 adds extra derives only unconditionally
//!   (`GenerationSettings::with_derive`), which would make schemars a
//!   dependency of every user; typify has `with_attr` for the conditional
//!   form, but progenitor does not pass it through. So the derive is added
//!   here, as a `cfg_attr`, to every struct and enum of the `types` module
//!   that serde derives for: exactly the set `with_derive` would reach. The
//!   builders (`types::builder`) and `types::error` are left alone.
//! - **Null tolerance.** The live API sometimes sends `null` where the spec
//!   promises a list or a string (an image's `tags`). Every `Vec` and
//!   `String` field of those models reads a `null` as empty
//!   (`do_images_api::null_as_default`), while a missing required field still
//!   fails. typify has no setting for this, so it is one attribute per field,
//!   added here beside the derive.

use anyhow::{Context, Result};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, Fields, Item, ItemStruct, parse_quote};

/// The attribute every model gets.
fn json_schema_attribute() -> Attribute {
    parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))])
}

/// The attribute a `Vec` or `String` field of a model gets.
fn null_as_default_attribute() -> Attribute {
    parse_quote!(#[serde(deserialize_with = "::do_images_api::null_as_default")])
}

/// `tokens` (progenitor's client) with the `JsonSchema` derive and the null
/// tolerance on the models.
pub fn rewrite_models(tokens: TokenStream) -> Result<TokenStream> {
    let mut file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    for item in types_items(&mut file)? {
        let attrs = match item {
            Item::Struct(item) => &mut item.attrs,
            Item::Enum(item) => &mut item.attrs,
            _ => continue,
        };
        if let Some(derive) = attrs.iter().position(derives_serde) {
            // Right after the derive, so serde's helper attributes below it
            // are still introduced before use.
            attrs.insert(derive + 1, json_schema_attribute());
            if let Item::Struct(item) = item {
                tolerate_nulls(item);
            }
        }
    }
    Ok(file.into_token_stream())
}

/// The items of the `types` module of `file` (progenitor's client): the
/// models and their builders.
pub fn types_items(file: &mut syn::File) -> Result<&mut Vec<Item>> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
            _ => None,
        })
        .map(|(_, items)| items)
        .context("progenitor's output has no `types` module")
}

/// Adds the null tolerance to every `Vec` and `String` field of `model`.
fn tolerate_nulls(model: &mut ItemStruct) {
    let Fields::Named(fields) = &mut model.fields else {
        return;
    };
    for field in &mut fields.named {
        let ty = field.ty.to_token_stream().to_string().replace(' ', "");
        if ty.starts_with("::std::vec::Vec<") || ty == "::std::string::String" {
            field.attrs.push(null_as_default_attribute());
        }
    }
}

/// Whether `attr` is a `#[derive(..)]` naming serde's `Serialize` or
/// `Deserialize`.
fn derives_serde(attr: &Attribute) -> bool {
    attr.path().is_ident("derive") && {
        let list = attr.meta.to_token_stream().to_string();
        list.contains("Serialize") || list.contains("Deserialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn models_get_the_derive_and_builders_do_not() {
        let tokens = quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Request { A(String) }
                #[derive(Clone, Debug)]
                pub struct NotAModel;
                pub mod builder {
                    #[derive(Clone, Debug, ::serde::Serialize)]
                    pub struct Image;
                }
            }
        };
        let out = rewrite_models(tokens).unwrap().to_string();
        let derive = "# [cfg_attr (feature = \"schemars\" , derive (:: schemars :: JsonSchema))]";
        assert_eq!(out.matches(derive).count(), 1, "{out}");
        let model = out.find("pub enum Request").unwrap();
        let at = out.find(derive).unwrap();
        assert!(
            out.find("# [derive").unwrap() < at && at < out.find("# [serde").unwrap() && at < model,
            "the derive goes between serde's derive and its helper attribute: {out}"
        );
    }

    #[test]
    fn lists_and_strings_of_models_read_null_as_empty() {
        let tokens = quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Image {
                    pub id: u64,
                    pub name: ::std::string::String,
                    #[serde(default)]
                    pub regions: ::std::vec::Vec<::std::string::String>,
                    pub slug: ::std::option::Option<::std::string::String>,
                }
                pub mod builder {
                    #[derive(Clone, Debug)]
                    pub struct Image { name: ::std::string::String }
                }
            }
        };
        let out = rewrite_models(tokens).unwrap().to_string();
        let attr = "# [serde (deserialize_with = \"::do_images_api::null_as_default\")]";
        assert_eq!(out.matches(attr).count(), 2, "{out}");
        // Each attribute sits between the previous field and its own.
        let id = out.find("pub id").unwrap();
        let name = out.find("pub name").unwrap();
        let regions = out.find("pub regions").unwrap();
        let slug = out.find("pub slug").unwrap();
        assert!(out[id..name].contains(attr), "{out}");
        assert!(out[name..regions].contains(attr), "{out}");
        assert!(!out[regions..slug].contains(attr), "{out}");
        assert!(!out[..id].contains(attr), "{out}");
    }

    #[test]
    fn output_without_a_types_module_is_refused() {
        let error = rewrite_models(quote! { pub struct Client; }).unwrap_err();
        assert!(error.to_string().contains("`types`"), "{error}");
    }
}
