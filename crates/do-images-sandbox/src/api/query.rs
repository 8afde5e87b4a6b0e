//! Query strings, read without rejections of their own, and the absolute
//! URL that `links` are built on.

use url::Url;

use super::shared::Shared;

/// The query's name-value pairs, decoded.
pub(super) fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The absolute URL of `path` with the query pairs named in `keep`, as
/// given: the base of every link of a page.
pub(super) fn endpoint(
    shared: &Shared,
    path: &str,
    query: &[(String, String)],
    keep: &[&str],
) -> Url {
    let mut url = shared
        .base_url
        .join(path)
        .unwrap_or_else(|_| shared.base_url.clone());
    let kept: Vec<_> = query
        .iter()
        .filter(|(name, _)| keep.contains(&name.as_str()))
        .collect();
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    url
}
