//! Derives the generated models get beyond progenitor's own.
//!
//! The models (`do_images_api::types`) derive `schemars::JsonSchema` when
//! `do-images-api`'s `schemars` feature is on, so users can describe images
//! and actions in their own JSON Schemas. progenitor 0.15 adds extra derives
//! only unconditionally (`GenerationSettings::with_derive`), which would make
//! schemars a dependency of every user; typify has `with_attr` for the
//! conditional form, but progenitor does not pass it through. So the derive
//! is added here, as a `cfg_attr`, to every struct and enum of the `types`
//! module that serde derives for: exactly the set `with_derive` would reach.
//! The builders (`types::builder`) and `types::error` are left alone.

use anyhow::{Context, Result};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, Item, parse_quote};

/// The attribute every model gets.
fn json_schema_attribute() -> Attribute {
    parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))])
}

/// `tokens` (progenitor's client) with the `JsonSchema` derive on the models.
pub fn add_json_schema(tokens: TokenStream) -> Result<TokenStream> {
    let mut file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
            _ => None,
        })
        .context("progenitor's output has no `types` module")?;
    for item in &mut types.1 {
        let attrs = match item {
            Item::Struct(item) => &mut item.attrs,
            Item::Enum(item) => &mut item.attrs,
            _ => continue,
        };
        if let Some(derive) = attrs.iter().position(derives_serde) {
            // Right after the derive, so serde's helper attributes below it
            // are still introduced before use.
            attrs.insert(derive + 1, json_schema_attribute());
        }
    }
    Ok(file.into_token_stream())
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
        let out = add_json_schema(tokens).unwrap().to_string();
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
    fn output_without_a_types_module_is_refused() {
        let error = add_json_schema(quote! { pub struct Client; }).unwrap_err();
        assert!(error.to_string().contains("`types`"), "{error}");
    }
}
