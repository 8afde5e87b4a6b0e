//! `page` and `per_page`, and the `links.pages` that go with a page.

use serde_json::{Map, Value, json};
use url::Url;

use super::error::ApiError;

/// The most items a page may hold.
pub(crate) const MAX_PER_PAGE: u64 = 200;
const DEFAULT_PER_PAGE: u64 = 20;

/// Which page was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    /// Reads `page` and `per_page` from query pairs; a bad value is a 422
    /// that names the parameter and what is allowed.
    pub fn from_query(query: &[(String, String)]) -> Result<Self, ApiError> {
        let mut paging = Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        };
        for (name, value) in query {
            match name.as_str() {
                "page" => paging.page = parse_bounded("page", value, 1, u64::MAX)?,
                "per_page" => paging.per_page = parse_bounded("per_page", value, 1, MAX_PER_PAGE)?,
                _ => {}
            }
        }
        Ok(paging)
    }

    /// How many items to skip.
    pub fn offset(&self) -> usize {
        usize::try_from((self.page - 1).saturating_mul(self.per_page)).unwrap_or(usize::MAX)
    }

    /// The page's size as a `take` count.
    pub fn limit(&self) -> usize {
        self.per_page as usize
    }

    /// `links` for this page of `total` items at `endpoint` (absolute, with
    /// the filters of the request), holding only the links that make sense.
    pub fn links(&self, endpoint: &Url, total: u64) -> Value {
        let last = total.div_ceil(self.per_page).max(1);
        let link = |page: u64| {
            let mut url = endpoint.clone();
            url.query_pairs_mut()
                .append_pair("page", &page.to_string())
                .append_pair("per_page", &self.per_page.to_string());
            Value::String(url.into())
        };
        let mut pages = Map::new();
        if self.page > 1 {
            pages.insert("first".into(), link(1));
            pages.insert("prev".into(), link((self.page - 1).min(last)));
        }
        if self.page < last {
            pages.insert("next".into(), link(self.page + 1));
            pages.insert("last".into(), link(last));
        }
        json!({ "pages": pages })
    }
}

fn parse_bounded(name: &str, value: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    let allowed = if max == u64::MAX {
        format!("an integer of at least {min}")
    } else {
        format!("an integer from {min} to {max}")
    };
    match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::unprocessable(format!(
            "`{name}` must be {allowed}; got `{value}`."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paging(page: u64, per_page: u64) -> Paging {
        Paging { page, per_page }
    }

    fn keys(links: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = links["pages"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn only_relevant_links() {
        let endpoint = Url::parse("http://127.0.0.1:9/v2/images?private=true").unwrap();
        assert!(keys(&paging(1, 20).links(&endpoint, 20)).is_empty());
        assert_eq!(keys(&paging(1, 20).links(&endpoint, 21)), ["last", "next"]);
        assert_eq!(
            keys(&paging(2, 20).links(&endpoint, 60)),
            ["first", "last", "next", "prev"]
        );
        assert_eq!(keys(&paging(3, 20).links(&endpoint, 60)), ["first", "prev"]);
        let next = &paging(1, 20).links(&endpoint, 60)["pages"]["next"];
        assert_eq!(
            next,
            "http://127.0.0.1:9/v2/images?private=true&page=2&per_page=20"
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let query = |n: &str, v: &str| vec![(n.to_string(), v.to_string())];
        let error = Paging::from_query(&query("per_page", "201")).unwrap_err();
        assert!(
            error
                .message
                .contains("`per_page` must be an integer from 1 to 200"),
            "{error:?}"
        );
        let error = Paging::from_query(&query("page", "0")).unwrap_err();
        assert!(error.message.contains("`page`"), "{error:?}");
        assert_eq!(
            Paging::from_query(&query("per_page", "200")).unwrap(),
            paging(1, 200)
        );
    }
}
