//! Open enums: a Rust enum per string enum of the spec that also keeps the
//! values the spec does not list.
//!
//! Each generated type has a variant per listed value and `Other(String)`;
//! it parses from any string, prints and serializes back to the exact value,
//! and compares by that value, so `Other("nyc3".into())` equals `NycThree`'s
//! variant. Known values still come out as typed variants. With
//! `do-images-api`'s `schemars` feature each also describes itself as a JSON
//! Schema: any string, with the listed values as `examples` (an `enum` would
//! reject exactly the values the type exists to keep).

use anyhow::{Result, bail};
use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The name of the catch-all variant.
const OTHER: &str = "Other";

/// One string enum of the spec.
pub struct OpenEnum {
    /// The Rust type name (the schema name in PascalCase, as typify names it).
    pub rust_name: String,
    description: String,
    /// (variant name, value as sent on the wire), in spec order.
    variants: Vec<(String, String)>,
}

impl OpenEnum {
    /// Builds an enum from a schema's name, description and listed values;
    /// fails when two values would get the same variant name.
    pub fn new(schema_name: &str, description: &str, values: Vec<String>) -> Result<Self> {
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            let mut variant = value.to_upper_camel_case();
            if variant.is_empty() || variant.starts_with(|c: char| c.is_ascii_digit()) {
                variant.insert(0, 'V');
            }
            if variant == OTHER {
                bail!(
                    "`{schema_name}` lists `{value}`, whose variant name `{OTHER}` is the catch-all"
                );
            }
            if let Some((_, earlier)) = variants.iter().find(|(v, _)| *v == variant) {
                bail!(
                    "`{schema_name}` lists `{earlier}` and `{value}`, which both become variant `{variant}`"
                );
            }
            variants.push((variant, value));
        }
        Ok(Self {
            rust_name: schema_name.to_upper_camel_case(),
            description: description.trim().to_string(),
            variants,
        })
    }

    /// The Rust items for this enum.
    pub fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.rust_name);
        let idents: Vec<_> = self
            .variants
            .iter()
            .map(|(v, _)| format_ident!("{v}"))
            .collect();
        let values: Vec<_> = self
            .variants
            .iter()
            .map(|(_, value)| value.as_str())
            .collect();
        let variant_docs = values.iter().map(|v| format!("`{v}`"));
        let doc = format!(
            "{}\n\nOpen: a value the spec does not list parses into [`{}::Other`] instead of failing.",
            self.description, self.rust_name
        );
        let type_name = &self.rust_name;
        let schema_description = format!(
            "{} Known values: {}; the API may send others.",
            self.description,
            values.join(", ")
        );
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug)]
            #[non_exhaustive]
            pub enum #name {
                #( #[doc = #variant_docs] #idents, )*
                /// A value the spec does not list, kept exactly as sent.
                Other(String),
            }

            impl #name {
                /// Every value the spec lists, in its order.
                pub const KNOWN: &'static [&'static str] = &[#(#values),*];

                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#idents => #values, )*
                        Self::Other(value) => value,
                    }
                }

                /// Whether the value is one the spec lists.
                pub fn is_known(&self) -> bool {
                    Self::KNOWN.contains(&self.as_str())
                }
            }

            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #( #values => Self::#idents, )*
                        other => Self::Other(other.to_string()),
                    }
                }
            }

            impl From<String> for #name {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        #( #values => Self::#idents, )*
                        _ => Self::Other(value),
                    }
                }
            }

            impl From<&String> for #name {
                fn from(value: &String) -> Self {
                    Self::from(value.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = std::convert::Infallible;
                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Ok(Self::from(value))
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl PartialEq for #name {
                fn eq(&self, other: &Self) -> bool {
                    self.as_str() == other.as_str()
                }
            }

            impl Eq for #name {}

            impl std::hash::Hash for #name {
                fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                    self.as_str().hash(state)
                }
            }

            impl PartialOrd for #name {
                fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                    Some(self.cmp(other))
                }
            }

            impl Ord for #name {
                fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                    self.as_str().cmp(other.as_str())
                }
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    String::deserialize(deserializer).map(Self::from)
                }
            }

            #[cfg(feature = "schemars")]
            impl schemars::JsonSchema for #name {
                fn schema_name() -> std::borrow::Cow<'static, str> {
                    std::borrow::Cow::Borrowed(#type_name)
                }

                fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    schemars::json_schema!({
                        "type": "string",
                        "description": #schema_description,
                        "examples": [#(#values),*],
                    })
                }
            }
        }
    }
}

/// The whole `open_enums.rs` module body.
pub fn module_tokens(enums: &[OpenEnum]) -> TokenStream {
    let items = enums.iter().map(OpenEnum::tokens);
    quote! { #(#items)* }
}

/// The listed values of every enum as plain string constants, such as
/// `pub const DISTRIBUTION: &[&str] = &["Arch Linux", ...];`: for the
/// sandbox, which needs the spec's lists but not the client's types.
pub fn value_lists_tokens(enums: &[OpenEnum]) -> TokenStream {
    let items = enums.iter().map(|e| {
        let name = format_ident!("{}", e.rust_name.to_shouty_snake_case());
        let doc = format!(
            "The values the spec lists for `{}`, in its order.",
            e.rust_name
        );
        let values = e.variants.iter().map(|(_, value)| value);
        quote! {
            #[doc = #doc]
            pub const #name: &[&str] = &[#(#values),*];
        }
    });
    quote! { #(#items)* }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn variant_names_follow_the_values() {
        let e = OpenEnum::new(
            "action_status",
            "",
            values(&["in-progress", "NEW", "Arch Linux", "1x"]),
        )
        .unwrap();
        assert_eq!(e.rust_name, "ActionStatus");
        let names: Vec<_> = e.variants.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(names, ["InProgress", "New", "ArchLinux", "V1x"]);
    }

    #[test]
    fn colliding_values_are_refused() {
        let error = OpenEnum::new("s", "", values(&["in-progress", "in_progress"]))
            .err()
            .unwrap();
        assert!(error.to_string().contains("InProgress"), "{error}");
        let error = OpenEnum::new("s", "", values(&["other"])).err().unwrap();
        assert!(error.to_string().contains("catch-all"), "{error}");
    }
}
