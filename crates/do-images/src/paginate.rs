//! DigitalOcean's pagination, as lazy streams of pages ([`PageStream`]) and
//! of items ([`ItemStream`]).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use do_images_api::types::PageLinksPages;
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, Stream, StreamExt};

use crate::client::Client;
use crate::error::{Error, Result};
use do_images_redact::redact_patterns;

/// The page size used when iterating everything: the API's maximum.
pub(crate) const DEFAULT_PER_PAGE: u64 = 200;

/// How many pages are fetched ahead by default: 6, the number of
/// connections a browser opens to one host, makes a listing at 50 ms a
/// request about 5 times faster than page after page (see
/// crates/do-images-bench/RESULTS.md).
pub const DEFAULT_FETCH_AHEAD: usize = 6;

/// Below this many remaining requests (the last `ratelimit-remaining` seen),
/// no page is fetched ahead.
const PREFETCH_MIN_REMAINING: u64 = 20;

/// The largest page number a link may name (the API's integers are signed
/// 64-bit): no page number the stream computes can overflow.
const MAX_PAGE: u64 = i64::MAX as u64;

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// Which page this is, counting from 1.
    pub number: u64,
    /// The page's items.
    pub items: Vec<T>,
    /// `meta.total`: how many items the whole listing holds.
    pub total: u64,
    /// The page's links (absolute URLs, as the API sent them).
    pub links: PageLinksPages,
}

type Fetch<T> = Arc<dyn Fn(u64, u64) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// A lazy stream of pages, from [`List::pages`](crate::List::pages). It
/// follows links, fetches pages ahead and checks the total as told below.
///
/// # How pages are followed
///
/// Each page's `links.pages.next` is an absolute URL. The client does **not**
/// send a request (and the token) to whatever host a link names: it reads the
/// `page` (and, on the first page, `per_page`) query parameters from the link
/// and requests that page through its own base URL, with the original
/// filters. A link whose page number does not advance, or is larger than
/// 2^63 - 1 (the API's integers are signed 64-bit), is refused with
/// [`Error::BadPageLink`]; the listing stops where a page has no `next`,
/// and with [`Error::BadPageLink`] where a page that began past the first
/// page's `meta.total` still has one (a server that keeps linking cannot
/// make a listing endless).
///
/// # Fetch-ahead
///
/// With [`fetch_ahead(n)`](crate::List::fetch_ahead) (default
/// [`DEFAULT_FETCH_AHEAD`]), once the first page has told the total, up to
/// `n` following pages are requested while the caller works on the current
/// one. Pages are handed out strictly in order, each page is requested
/// once, and memory holds at most the current page plus `n` pages.
/// `fetch_ahead(0)` fetches page after page. When the last seen
/// `ratelimit-remaining` is below 20 the stream stops fetching ahead and
/// only requests a page when the caller needs it.
/// No task is spawned: the requests run inside the stream, and dropping the
/// stream cancels them.
///
/// # Errors and the total check
///
/// A failed page is yielded as an `Err` after every item of the pages before
/// it, and the stream ends after it: a listing never ends short silently.
/// When the last page has been yielded, the number of items is compared with
/// the first page's `meta.total`; if they differ, a final
/// [`Error::TotalMismatch`] is yielded. This happens when images are created
/// or deleted while the listing runs: pagination is by offset, so an item
/// may then be missed or seen twice. The items yielded are real; list again
/// for a consistent view.
pub struct PageStream<T> {
    client: Client,
    fetch: Fetch<T>,
    per_page: u64,
    window: usize,
    in_flight: FuturesOrdered<BoxFuture<'static, Result<Page<T>>>>,
    /// Finished requests, in page order; an `Err` here is the last item.
    ready: VecDeque<Result<Page<T>>>,
    next_to_request: u64,
    request_up_to: u64,
    /// The first page's `meta.total`, once it has arrived.
    total: Option<u64>,
    seen: u64,
    done: bool,
}

// Nothing in the streams is pinned structurally: the futures are boxed and
// items only move in and out of `Vec`s.
impl<T> Unpin for PageStream<T> {}
impl<T> Unpin for ItemStream<T> {}

impl<T> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("per_page", &self.per_page)
            .field("fetch_ahead", &self.window)
            .field("in_flight", &self.in_flight.len())
            .field("ready", &self.ready.len())
            .field("seen", &self.seen)
            .field("done", &self.done)
            .finish()
    }
}

impl<T: Send + 'static> PageStream<T> {
    /// A stream that fetches pages with `fetch(page, per_page)`, or yields
    /// `invalid` alone when the listing's arguments were refused.
    pub(crate) fn new(
        client: Client,
        fetch: Fetch<T>,
        per_page: u64,
        window: usize,
        invalid: Option<Error>,
    ) -> Self {
        Self {
            client,
            fetch,
            per_page,
            window,
            in_flight: FuturesOrdered::new(),
            ready: invalid.map(Err).into_iter().collect(),
            next_to_request: 1,
            request_up_to: 1,
            total: None,
            seen: 0,
            done: false,
        }
    }

    /// A stream of the items of these pages, in order.
    pub fn items(self) -> ItemStream<T> {
        ItemStream {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    /// Starts the requests the window allows (one more when the caller is
    /// `waiting` for a page) and moves finished ones to `ready`.
    fn drive(&mut self, cx: &mut Context<'_>, waiting: bool) {
        let rate_low = self
            .client
            .rate_limit()
            .is_some_and(|limit| limit.remaining < PREFETCH_MIN_REMAINING);
        let ahead = if rate_low { 0 } else { self.window };
        let allowed = ahead.max(usize::from(waiting));
        let failed = matches!(self.ready.back(), Some(Err(_)));
        while !failed
            && self.in_flight.len() + self.ready.len() < allowed
            && self.next_to_request <= self.request_up_to
        {
            self.in_flight
                .push_back((self.fetch)(self.next_to_request, self.per_page));
            self.next_to_request += 1;
        }
        while let Poll::Ready(Some(result)) = self.in_flight.poll_next_unpin(cx) {
            self.ready.push_back(result);
        }
    }

    /// Drops the pending requests (which cancels them) and plans no more.
    fn stop(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.ready.clear();
        self.request_up_to = 0;
    }

    /// Checks a page's `next` link and plans the following requests.
    fn accept(&mut self, page: &Page<T>) -> Result<()> {
        let total = *self.total.get_or_insert(page.total);
        let seen_before = self.seen;
        self.seen += page.items.len() as u64;
        let Some(link) = page.links.next.as_deref() else {
            self.stop();
            return Ok(());
        };
        if page.number > 1 && seen_before >= total {
            return Err(bad_link(
                link,
                format!(
                    "page {} began past the {total} item(s) the listing announced ({} yielded) \
                     and links further; the listing stops here, list again",
                    page.number, self.seen
                ),
            ));
        }
        let target = parse_link(link)?;
        if target.page <= page.number {
            return Err(bad_link(
                link,
                format!(
                    "it points to page {} from page {}; a next link must advance",
                    target.page, page.number
                ),
            ));
        }
        if page.number == 1
            && let Some(per_page) = target.per_page.filter(|n| (1..=200).contains(n))
        {
            self.per_page = per_page;
        }
        if target.page != page.number + 1 {
            // The pages requested ahead are not the ones the API points to.
            self.stop();
            self.next_to_request = target.page;
        }
        // A `last` link that does not parse only plans fewer pages ahead.
        let last = page.links.last.as_deref().map(parse_link);
        self.request_up_to = self
            .request_up_to
            .max(target.page)
            .max(total.div_ceil(self.per_page.max(1)))
            .max(last.and_then(Result::ok).map_or(0, |last| last.page));
        Ok(())
    }
}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        this.drive(cx, true);
        let Some(result) = this.ready.pop_front() else {
            if !this.in_flight.is_empty() {
                return Poll::Pending;
            }
            this.done = true;
            let (expected, seen) = (this.total.unwrap_or(this.seen), this.seen);
            let mismatch = Error::TotalMismatch { expected, seen };
            return Poll::Ready((expected != seen).then_some(Err(mismatch)));
        };
        if let Ok(page) = &result
            && let Err(error) = this.accept(page)
        {
            // The page itself is fine; the error follows it.
            this.stop();
            this.ready.push_back(Err(error));
        } else if result.is_err() {
            this.done = true;
            this.stop();
        }
        Poll::Ready(Some(result))
    }
}

/// A lazy stream of items, page after page, from
/// [`List::stream`](crate::List::stream) or [`PageStream::items`]: its pages
/// are followed, fetched ahead and checked as told at [`PageStream`].
pub struct ItemStream<T> {
    pages: PageStream<T>,
    current: std::vec::IntoIter<T>,
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemStream")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<T: Send + 'static> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.current.next() {
                // Keep the requests ahead moving while items are handed out.
                this.pages.drive(cx, false);
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(this.pages.poll_next_unpin(cx)) {
                Some(Ok(page)) => this.current = page.items.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// What a `next` link asks for.
struct LinkTarget {
    page: u64,
    per_page: Option<u64>,
}

fn bad_link(link: &str, reason: impl Into<String>) -> Error {
    Error::BadPageLink {
        link: redact_patterns(link).into_owned(),
        reason: reason.into(),
    }
}

fn parse_link(link: &str) -> Result<LinkTarget> {
    let url = url::Url::parse(link).map_err(|_| bad_link(link, "it is not an absolute URL"))?;
    let mut page = None;
    let mut per_page = None;
    for (name, value) in url.query_pairs() {
        match &*name {
            "page" => page = value.parse::<u64>().ok(),
            "per_page" => per_page = value.parse::<u64>().ok(),
            _ => {}
        }
    }
    match page {
        Some(page) if (1..=MAX_PAGE).contains(&page) => Ok(LinkTarget { page, per_page }),
        Some(page) if page > MAX_PAGE => Err(bad_link(
            link,
            "its page number is larger than any the API can serve (2^63 - 1)",
        )),
        _ => Err(bad_link(link, "it has no positive `page` query parameter")),
    }
}

/// Checks a caller's page size.
pub(crate) fn check_per_page(per_page: u64) -> Result<u64> {
    if (1..=200).contains(&per_page) {
        Ok(per_page)
    } else {
        Err(Error::invalid(
            "per_page",
            format!("{per_page} is out of range"),
            "1 to 200",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_give_page_and_per_page() {
        let target =
            parse_link("https://api.digitalocean.com/v2/images?page=3&per_page=200&private=true")
                .unwrap();
        assert_eq!((target.page, target.per_page), (3, Some(200)));
        for (link, expected) in [
            ("/v2/images?page=2".to_string(), "not an absolute URL"),
            ("https://x.test/v2/images?page=0".into(), "no positive"),
            ("https://x.test/v2/images".into(), "no positive"),
            (
                format!("https://x.test/v2/images?page={}", MAX_PAGE + 1),
                "larger than any",
            ),
        ] {
            let error = parse_link(&link).err().unwrap().to_string();
            assert!(error.contains(expected), "{link}: {error}");
        }
    }
}
