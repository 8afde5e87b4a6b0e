//! Path parameters become exactly one path segment with every character
//! outside RFC 3986's unreserved set percent-encoded.
//!
//! progenitor's `encode_path` leaves the sub-delimiters (`;`, `=`, `,`, `!`,
//! `$`, `&`, `'`, `(`, `)`, `*`, `+`), `:`, `@`, `[`, `]` and others as they
//! are. Servers and proxies give some of them meaning inside a segment (a
//! `;` starts path parameters, which some drop, so that `..;` becomes the
//! dot segment `..`). Every call to `encode_path(..)` in the generated
//! client is therefore turned into a call to the client crate's own
//! `crate::encode_path_segment(..)`, which encodes them too.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// `tokens` with every `encode_path(..)` call made a call to
/// `crate::encode_path_segment(..)`; everything else as it was.
pub fn encode_fully(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident) if ident == "encode_path" => {
                let is_call = matches!(
                    trees.peek(),
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis
                );
                if is_call {
                    out.extend(own_encoder(ident.span()));
                } else {
                    out.push(TokenTree::Ident(ident));
                }
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), encode_fully(group.stream()));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The tokens of `crate::encode_path_segment`.
fn own_encoder(span: Span) -> Vec<TokenTree> {
    vec![
        TokenTree::Ident(Ident::new("crate", span)),
        TokenTree::Punct(Punct::new(':', Spacing::Joint)),
        TokenTree::Punct(Punct::new(':', Spacing::Alone)),
        TokenTree::Ident(Ident::new("encode_path_segment", span)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn calls_are_replaced_and_imports_left_alone() {
        let tokens = quote! {
            use progenitor_client::{encode_path, ClientHooks};
            fn url(id: &str) -> String {
                format!("{}/v2/images/{}", base, encode_path(&id.to_string()))
            }
        };
        let out = encode_fully(tokens).to_string();
        assert!(
            out.contains("use progenitor_client :: { encode_path , ClientHooks }"),
            "{out}"
        );
        assert!(
            out.contains("crate :: encode_path_segment (& id . to_string ())"),
            "{out}"
        );
        assert_eq!(out.matches("encode_path (").count(), 0, "{out}");
    }
}
