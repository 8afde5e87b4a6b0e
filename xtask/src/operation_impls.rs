//! Every builder of the generated client implements `do_images_api::Operation`
//! (crates/do-images-api/src/operation.rs): `build()` checks the builder's
//! values and builds the request exactly as `send()` does, without sending it.
//!
//! do-images sends each call through its executor, which returns the answer
//! with what it learnt (status, request id, attempts, a body over the limit)
//! as values, and decodes the body once, into whatever type its caller asked
//! for; `send()` would decode the model itself and lose those facts on the
//! way. `build`'s body is `send`'s up to the hooks: the statements from
//! `client.pre(...)` on (hooks, sending, reading the answer) are replaced by
//! the request and the operation id. `Operation::Success` is the type
//! `send()` answers (`ResponseValue<S>` gives `S`).

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{
    GenericArgument, ImplItem, ImplItemFn, Item, ItemImpl, PathArguments, ReturnType, Stmt, Type,
    parse_quote,
};

/// `tokens` (progenitor's client) with an `impl crate::Operation` for every
/// builder of the `builder` module that has a `send`.
pub fn add(tokens: TokenStream) -> Result<TokenStream> {
    let mut file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    for item in &mut file.items {
        if let Item::Mod(module) = item
            && module.ident == "builder"
            && let Some((_, items)) = &mut module.content
        {
            let mut out = Vec::with_capacity(items.len());
            for item in std::mem::take(items) {
                let operation = match &item {
                    Item::Impl(block) => operation_impl(block)?,
                    _ => None,
                };
                out.push(item);
                out.extend(operation.map(Item::Impl));
            }
            *items = out;
        }
    }
    Ok(file.into_token_stream())
}

/// The `Operation` impl for the builder `block` implements, when it has a
/// `send`.
fn operation_impl(block: &ItemImpl) -> Result<Option<ItemImpl>> {
    if block.trait_.is_some() {
        return Ok(None);
    }
    let Some(send) = block.items.iter().find_map(|item| match item {
        ImplItem::Fn(send) if send.sig.ident == "send" => Some(send),
        _ => None,
    }) else {
        return Ok(None);
    };
    let builder = block.self_ty.to_token_stream().to_string();
    let (success, error) = send_types(send).with_context(|| {
        format!("`{builder}::send` does not answer `Result<ResponseValue<S>, E>`")
    })?;
    let mut body = send.block.clone();
    let Some(hooks) = body.stmts.iter().position(|stmt| {
        stmt.to_token_stream()
            .to_string()
            .starts_with("client . pre (")
    }) else {
        bail!("`{builder}::send` does not call progenitor's `client.pre` hook");
    };
    if !body.stmts[..hooks].iter().any(|stmt| {
        stmt.to_token_stream()
            .to_string()
            .starts_with("let info = OperationInfo")
    }) {
        bail!("`{builder}::send` does not name its `OperationInfo` before `client.pre`");
    }
    body.stmts.truncate(hooks);
    body.stmts.push(Stmt::Expr(
        parse_quote!(Ok(crate::BuiltRequest {
            request,
            operation_id: info.operation_id,
        })),
        None,
    ));
    let generics = &block.generics;
    let self_ty = &block.self_ty;
    Ok(Some(parse_quote! {
        impl #generics crate::Operation for #self_ty {
            type Success = #success;
            fn build(self) -> Result<crate::BuiltRequest, #error> #body
        }
    }))
}

/// `S` and `E` of `send`'s `Result<ResponseValue<S>, E>`.
fn send_types(send: &ImplItemFn) -> Option<(Type, Type)> {
    let ReturnType::Type(_, returned) = &send.sig.output else {
        return None;
    };
    let [ok, error] = last_segment_args(returned, "Result")?;
    let [success] = last_segment_args(&ok, "ResponseValue")?;
    Some((success, error))
}

/// The type arguments of `ty` when its last path segment is `name`.
fn last_segment_args<const N: usize>(ty: &Type, name: &str) -> Option<[Type; N]> {
    let Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if segment.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let types: Vec<Type> = args
        .args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        })
        .collect();
    types.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// The end of a progenitor `send`: hooks, sending, reading the answer.
    fn sending() -> TokenStream {
        quote! {
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    #[test]
    fn a_json_success_and_an_empty_one_each_get_an_operation() {
        let sending = sending();
        let tokens = quote! {
            pub mod builder {
                impl<'a> ImagesGet<'a> {
                    pub fn image_id(self) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<types::ImageEnvelope>, Error<types::Error>> {
                        let request = client.client.get(url).build()?;
                        let info = OperationInfo { operation_id: "images_get" };
                        #sending
                    }
                }
                impl<'a> ImagesDelete<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Error>> {
                        let request = client.client.delete(url).build()?;
                        let info = OperationInfo { operation_id: "images_delete" };
                        #sending
                    }
                }
            }
        };
        let out = add(tokens).unwrap().to_string();
        let get = "impl < 'a > crate :: Operation for ImagesGet < 'a > { type Success = types :: ImageEnvelope ; \
                   fn build (self) -> Result < crate :: BuiltRequest , Error < types :: Error > > \
                   { let request = client . client . get (url) . build () ? ; \
                   let info = OperationInfo { operation_id : \"images_get\" } ; \
                   Ok (crate :: BuiltRequest { request , operation_id : info . operation_id , }) } }";
        assert!(out.contains(get), "{out}");
        let delete = "impl < 'a > crate :: Operation for ImagesDelete < 'a > { type Success = () ;";
        assert!(out.contains(delete), "{out}");
        // `send` itself keeps its hooks and status match; `build` has neither.
        assert_eq!(out.matches("client . pre").count(), 2, "{out}");
        assert_eq!(
            out.matches("match response . status ()").count(),
            2,
            "{out}"
        );
        assert_eq!(out.matches("fn build").count(), 2, "{out}");
    }

    #[test]
    fn what_is_not_a_builder_send_is_left_alone() {
        let tokens = quote! {
            pub mod types {
                impl Image {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> { Ok(()) }
                }
            }
            pub mod builder {
                impl<'a> ImagesGet<'a> {
                    pub fn new(client: &'a super::Client) -> Self { Self { client } }
                }
                impl<'a> ::std::fmt::Debug for ImagesGet<'a> {
                    fn send(self) -> Result<ResponseValue<()>, Error<()>> { Ok(()) }
                }
                pub struct ImagesGet<'a> { client: &'a super::Client }
            }
        };
        let before = syn::parse2::<syn::File>(tokens.clone()).unwrap();
        let after = add(tokens).unwrap().to_string();
        assert_eq!(before.into_token_stream().to_string(), after);
    }

    #[test]
    fn a_send_without_the_hooks_or_the_operation_info_is_refused() {
        let without_hooks = quote! {
            pub mod builder {
                impl<'a> ImagesGet<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Error>> {
                        Ok(ResponseValue::empty(response))
                    }
                }
            }
        };
        let error = format!("{:#}", add(without_hooks).unwrap_err());
        assert!(error.contains("ImagesGet < 'a >::send"), "{error}");
        assert!(error.contains("client.pre"), "{error}");
        let sending = sending();
        let without_info = quote! {
            pub mod builder {
                impl<'a> ImagesGet<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::Error>> {
                        #sending
                    }
                }
            }
        };
        let error = format!("{:#}", add(without_info).unwrap_err());
        assert!(error.contains("OperationInfo"), "{error}");
    }
}
