//! The answer wrappers of the generated client, generic over the object(s)
//! they carry.
//!
//! The spec marks a wrapper's property with `x-do-images-item: true`
//! (spec/overlay.yaml): `image` of `image_envelope`, `images` of
//! `images_page`, and so on. Its generated struct gets a type parameter `T`
//! whose default is the model progenitor put there, and the property's type
//! becomes `T` (or `Vec<T>`): `pub struct ImagesPage<T = Image> { pub images:
//! Vec<T>, .. }`. Written bare, `ImagesPage` is the struct progenitor made,
//! so its builders, conversions and the httpmock helpers are unchanged, while
//! `ImagesPage<serde_json::Value>` reads the same answer with each image as
//! the API sent it, in one decode, without hand-kept copies of the field
//! names. progenitor has no setting for this, hence a rewrite of its output.

use anyhow::{Context, Result, bail};
use heck::ToPascalCase;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident};
use serde_json::Value;
use syn::{Fields, Ident, Item, ItemStruct, Type, parse_quote};

/// The extension that marks a property as the object(s) a wrapper carries.
pub const ITEM_KEY: &str = "x-do-images-item";

/// A property marked with [`ITEM_KEY`].
#[derive(Debug, PartialEq)]
pub struct MarkedItem {
    /// The component schema's name (`images_page`).
    pub schema: String,
    /// The property's name (`images`).
    pub property: String,
}

/// Every property of the built spec marked with [`ITEM_KEY`]. A mark
/// anywhere but on a property of a component schema, or with a value other
/// than `true`, is an error.
pub fn marked(document: &Value) -> Result<Vec<MarkedItem>> {
    let mut found = Vec::new();
    collect_marks(document, &mut Vec::new(), &mut found)?;
    Ok(found)
}

fn collect_marks(node: &Value, at: &mut Vec<String>, found: &mut Vec<MarkedItem>) -> Result<()> {
    match node {
        Value::Object(map) => {
            if let Some(mark) = map.get(ITEM_KEY) {
                let pointer = format!("/{}", at.join("/"));
                if mark != &Value::Bool(true) {
                    bail!("`{ITEM_KEY}` at {pointer} must be `true`, not `{mark}`");
                }
                match at.as_slice() {
                    [components, schemas, schema, properties, property]
                        if components == "components"
                            && schemas == "schemas"
                            && properties == "properties" =>
                    {
                        found.push(MarkedItem {
                            schema: schema.clone(),
                            property: property.clone(),
                        });
                    }
                    _ => bail!(
                        "`{ITEM_KEY}` at {pointer} is not on a property of a component schema \
                         (`/components/schemas/NAME/properties/FIELD`)"
                    ),
                }
            }
            for (key, value) in map {
                at.push(key.replace('~', "~0").replace('/', "~1"));
                collect_marks(value, at, found)?;
                at.pop();
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                at.push(index.to_string());
                collect_marks(value, at, found)?;
                at.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// `tokens` (progenitor's client) with each marked wrapper generic over its
/// item, the model as default.
pub fn make_generic(tokens: TokenStream, marked: &[MarkedItem]) -> Result<TokenStream> {
    let mut file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    let types = crate::model_derives::types_items(&mut file)?;
    let models: Vec<Ident> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(model) => Some(model.ident.clone()),
            Item::Enum(model) => Some(model.ident.clone()),
            _ => None,
        })
        .collect();
    for mark in marked {
        let name = format_ident!("{}", mark.schema.to_pascal_case());
        let wrapper = types
            .iter_mut()
            .find_map(|item| match item {
                Item::Struct(wrapper) if wrapper.ident == name => Some(wrapper),
                _ => None,
            })
            .with_context(|| {
                format!(
                    "`{}.{}` is marked `{ITEM_KEY}`, but the generated client has no struct `{name}`",
                    mark.schema, mark.property
                )
            })?;
        make_field_generic(wrapper, &mark.property, &models).with_context(|| {
            format!(
                "cannot make `{name}` generic over `{}` (marked `{ITEM_KEY}`)",
                mark.property
            )
        })?;
    }
    Ok(file.into_token_stream())
}

/// Gives `wrapper` the parameter `T = M` and its field `property` the type
/// `T` or `Vec<T>` in place of `M` or `Vec<M>`, `M` one of `models`.
fn make_field_generic(wrapper: &mut ItemStruct, property: &str, models: &[Ident]) -> Result<()> {
    if !wrapper.generics.params.is_empty() {
        bail!("it already has generic parameters");
    }
    let Fields::Named(fields) = &mut wrapper.fields else {
        bail!("it has no named fields");
    };
    let field = fields
        .named
        .iter_mut()
        .find(|field| field.ident.as_ref().is_some_and(|ident| ident == property))
        .with_context(|| format!("it has no field `{property}`"))?;
    let (model, generic): (Type, Type) = match model_of(&field.ty, models) {
        Some((model, false)) => (model, parse_quote!(T)),
        Some((model, true)) => (model, parse_quote!(::std::vec::Vec<T>)),
        None => bail!(
            "its type is `{}`, neither a model `M` nor `Vec<M>`",
            field.ty.to_token_stream()
        ),
    };
    field.ty = generic;
    // serde infers no `T: Deserialize` bound from a field read with
    // `deserialize_with` (the null tolerance of model_derives.rs), so the
    // field states it.
    field
        .attrs
        .push(parse_quote!(#[serde(bound(deserialize = "T: ::serde::Deserialize<'de>"))]));
    wrapper.generics.params.push(parse_quote!(T = #model));
    Ok(())
}

/// `(M, false)` for a model `M` (one of `models`, the structs and enums of
/// the `types` module), `(M, true)` for `::std::vec::Vec<M>`.
fn model_of(ty: &Type, models: &[Ident]) -> Option<(Type, bool)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let is_model = |path: &syn::TypePath| {
        path.qself.is_none()
            && path
                .path
                .get_ident()
                .is_some_and(|name| models.contains(name))
    };
    if is_model(path) {
        return Some((ty.clone(), false));
    }
    let text = ty.to_token_stream().to_string().replace(' ', "");
    let inner = text.strip_prefix("::std::vec::Vec<")?.strip_suffix('>')?;
    let inner: Type = syn::parse_str(inner).ok()?;
    match &inner {
        Type::Path(path) if is_model(path) => Some((inner, true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use serde_json::json;

    fn mark(schema: &str, property: &str) -> MarkedItem {
        MarkedItem {
            schema: schema.into(),
            property: property.into(),
        }
    }

    fn wrappers() -> TokenStream {
        quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct ImageEnvelope {
                    pub image: Image,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct ImagesPage {
                    #[serde(deserialize_with = "::do_images_api::null_as_default")]
                    pub images: ::std::vec::Vec<Image>,
                    pub links: ::std::option::Option<PageLinks>,
                    pub meta: Meta,
                }
                pub struct Image;
                pub struct Meta {
                    pub total: u64,
                }
                pub mod builder {
                    pub struct ImageEnvelope {
                        image: ::std::result::Result<super::Image, ::std::string::String>,
                    }
                }
            }
        }
    }

    #[test]
    fn marked_properties_are_found_in_the_components() {
        let document = json!({
            "components": {"schemas": {
                "images_page": {"properties": {
                    "images": {"type": "array", "x-do-images-item": true},
                    "meta": {"$ref": "#/components/schemas/meta"},
                }},
                "image_envelope": {"properties": {"image": {"x-do-images-item": true}}},
            }},
        });
        assert_eq!(
            marked(&document).unwrap(),
            [
                mark("images_page", "images"),
                mark("image_envelope", "image")
            ]
        );
    }

    #[test]
    fn a_mark_elsewhere_or_not_true_is_refused() {
        let elsewhere = json!({"paths": {"/v2/images": {"x-do-images-item": true}}});
        let error = marked(&elsewhere).unwrap_err().to_string();
        assert!(
            error.contains("at /paths/~1v2~1images is not on a property"),
            "{error}"
        );
        let not_true = json!({"components": {"schemas": {"a": {"properties": {"b": {"x-do-images-item": "yes"}}}}}});
        let error = marked(&not_true).unwrap_err().to_string();
        assert!(error.contains("must be `true`"), "{error}");
    }

    #[test]
    fn a_model_and_a_list_of_models_become_the_parameter() {
        let marks = [
            mark("image_envelope", "image"),
            mark("images_page", "images"),
        ];
        let out = make_generic(wrappers(), &marks).unwrap().to_string();
        let bound = "# [serde (bound (deserialize = \"T: ::serde::Deserialize<'de>\"))]";
        assert!(
            out.contains(&format!(
                "pub struct ImageEnvelope < T = Image > {{ {bound} pub image : T , }}"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "pub struct ImagesPage < T = Image > {{ # [serde (deserialize_with = \"::do_images_api::null_as_default\")] {bound} pub images : :: std :: vec :: Vec < T > , pub links"
            )),
            "{out}"
        );
        // The builder of the same name is not a wrapper.
        assert!(
            out.contains(
                "pub struct ImageEnvelope { image : :: std :: result :: Result < super :: Image"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_missing_struct_field_or_an_unfit_type_stops_generation() {
        let error =
            |marks: &[MarkedItem]| format!("{:#}", make_generic(wrappers(), marks).unwrap_err());
        let missing = error(&[mark("action_envelope", "action")]);
        assert!(missing.contains("no struct `ActionEnvelope`"), "{missing}");
        let no_field = error(&[mark("image_envelope", "images")]);
        assert!(no_field.contains("no field `images`"), "{no_field}");
        let unfit = error(&[mark("images_page", "links")]);
        assert!(
            unfit.contains("cannot make `ImagesPage` generic over `links`")
                && unfit.contains("neither a model `M` nor `Vec<M>`"),
            "{unfit}"
        );
        // A number is not a model, though its type is a single name too.
        let number = error(&[mark("meta", "total")]);
        assert!(number.contains("its type is `u64`"), "{number}");
    }
}
