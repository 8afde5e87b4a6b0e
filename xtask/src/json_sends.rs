//! Every operation whose success has a JSON body also gets `send_json()`,
//! the same request as `send()` with the success body kept as its JSON text
//! (`Box<serde_json::value::RawValue>`: checked to be JSON, not parsed into
//! anything) instead of the model.
//!
//! The raw path of do-images (the object exactly as the API sent it) uses
//! it, so that a page is never decoded into the model, and a caller that
//! only copies the items (doimg's `-o json`) never builds a map per item. `send_json` is `send` with one type changed: the
//! request, the hooks, the status arms and the typed error answers are
//! progenitor's own, and `ResponseValue::from_response` parses into
//! whatever type the signature names.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Ident, ImplItem, ImplItemFn, Item, ReturnType};

/// `tokens` with a `send_json` beside every `send` of the `builder`
/// module whose success is not empty (`ResponseValue<()>`).
pub fn add(tokens: TokenStream) -> syn::Result<TokenStream> {
    let mut file: syn::File = syn::parse2(tokens)?;
    for item in &mut file.items {
        if let Item::Mod(module) = item
            && module.ident == "builder"
            && let Some((_, items)) = &mut module.content
        {
            for item in items {
                if let Item::Impl(block) = item {
                    let twins: Vec<ImplItem> = block
                        .items
                        .iter()
                        .filter_map(json_twin)
                        .map(ImplItem::Fn)
                        .collect();
                    block.items.extend(twins);
                }
            }
        }
    }
    Ok(file.into_token_stream())
}

/// `send_json` for `item` when it is a `send` with a JSON success.
fn json_twin(item: &ImplItem) -> Option<ImplItemFn> {
    let ImplItem::Fn(send) = item else {
        return None;
    };
    if send.sig.ident != "send" {
        return None;
    }
    let ReturnType::Type(_, returned) = &send.sig.output else {
        return None;
    };
    let returned = returned.to_token_stream().to_string();
    if returned.contains("ResponseValue < () >") || !returned.contains("ResponseValue <") {
        return None;
    }
    let mut twin = send.clone();
    twin.sig.ident = Ident::new("send_json", send.sig.ident.span());
    twin.sig.output = syn::parse_quote! {
        -> Result<ResponseValue<Box<::serde_json::value::RawValue>>, Error<types::Error>>
    };
    twin.attrs = vec![syn::parse_quote! {
        #[doc = "Like `send`, with the successful answer kept as its JSON text, exactly as sent."]
    }];
    Some(twin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn a_json_success_gets_a_twin_and_an_empty_one_does_not() {
        let tokens = quote! {
            pub mod builder {
                impl<'a> ImagesGet<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::ImageEnvelope>, Error<types::Error>> {
                        ResponseValue::from_response(response).await
                    }
                }
                impl<'a> ImagesDelete<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Error>> {
                        Ok(ResponseValue::empty(response))
                    }
                }
            }
        };
        let out = add(tokens).unwrap().to_string();
        assert_eq!(out.matches("fn send_json").count(), 1, "{out}");
        assert!(
            out.contains(
                "fn send_json (self) -> Result < ResponseValue < Box < :: serde_json :: value :: RawValue > > , Error < types :: Error > > { ResponseValue :: from_response (response) . await }"
            ),
            "{out}"
        );
    }
}
