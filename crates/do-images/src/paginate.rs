//! DigitalOcean's pagination, as lazy streams of pages ([`PageStream`]) and
//! of items ([`ItemStream`]).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use do_images_api::types::PageLinksPages;
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, Stream, StreamExt};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::redact::redact_patterns;

/// The page size used when iterating everything: the API's maximum.
pub(crate) const DEFAULT_PER_PAGE: u64 = 200;

/// How many pages are fetched ahead by default. With `n` requests in
/// flight, a listing whose time goes to latency runs at most `n` times
/// faster than page after page (the first page is always alone). 6, the
/// number of connections a browser opens to one host, makes a listing at
/// 50 ms a request about 5 times faster than page after page (see
/// crates/do-images-bench/RESULTS.md); when the rate limit runs low, fetching ahead pauses
/// (see [`PageStream`]).
pub const DEFAULT_FETCH_AHEAD: usize = 6;

/// Below this many remaining requests (the last `ratelimit-remaining` seen),
/// no page is fetched ahead.
const PREFETCH_MIN_REMAINING: u64 = 20;

/// The largest page number a link may name: the API's integers are signed
/// 64-bit. A larger one can only come from a broken or hostile server, and
/// refusing it keeps every page number the stream computes from overflowing.
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
    ready: VecDeque<Result<Page<T>>>,
    next_to_request: u64,
    request_up_to: u64,
    first_seen: bool,
    expected_total: u64,
    seen: u64,
    failure: Option<Error>,
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
            ready: VecDeque::new(),
            next_to_request: 1,
            request_up_to: 1,
            first_seen: false,
            expected_total: 0,
            seen: 0,
            failure: invalid,
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

    /// Starts the requests the window allows and moves finished ones to
    /// `ready`. `wanted` is true when the caller is waiting for a page.
    fn drive(&mut self, cx: &mut Context<'_>, wanted: bool) {
        let failed = matches!(self.ready.back(), Some(Err(_)));
        let rate_low = self
            .client
            .rate_limit()
            .is_some_and(|limit| limit.remaining < PREFETCH_MIN_REMAINING);
        // Before the first page only page 1 can be requested (nothing else
        // is planned), so the window needs no special case for it.
        let allowed = if rate_low {
            usize::from(wanted)
        } else {
            self.window.max(usize::from(wanted))
        };
        // At most `room` requests start here: the loop is bounded by the
        // window whatever the page numbers say.
        let held = self.in_flight.len() + self.ready.len();
        let room = if failed {
            0
        } else {
            allowed.saturating_sub(held)
        };
        for _ in 0..room {
            if self.next_to_request > self.request_up_to {
                break;
            }
            let page = self.next_to_request;
            self.in_flight.push_back((self.fetch)(page, self.per_page));
            self.next_to_request += 1;
        }
        while let Poll::Ready(Some(result)) = self.in_flight.poll_next_unpin(cx) {
            self.ready.push_back(result);
        }
    }

    /// Stops the listing: pending requests are dropped (cancelled).
    fn stop(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.ready.clear();
        self.request_up_to = 0;
    }

    /// Checks a page's `next` link and plans the following requests.
    fn accept(&mut self, page: &Page<T>) -> Result<()> {
        if !self.first_seen {
            self.first_seen = true;
            self.expected_total = page.total;
        }
        let seen_before = self.seen;
        self.seen += page.items.len() as u64;
        let Some(link) = page.links.next.as_deref() else {
            self.stop();
            return Ok(());
        };
        if page.number > 1 && seen_before >= self.expected_total {
            // This page began past the total and still links further: a
            // server that keeps linking would make the listing endless.
            return Err(Error::BadPageLink {
                link: redact_patterns(link).into_owned(),
                reason: format!(
                    "page {} began past the {} item(s) the listing announced ({} yielded) \
                     and links further; the listing stops here, list again",
                    page.number, self.expected_total, self.seen
                ),
            });
        }
        let target = parse_link(link)?;
        if target.page <= page.number {
            return Err(Error::BadPageLink {
                link: redact_patterns(link).into_owned(),
                reason: format!(
                    "it points to page {} from page {}; a next link must advance",
                    target.page, page.number
                ),
            });
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
        let planned_last = if self.window == 0 {
            target.page
        } else {
            let from_total = self.expected_total.div_ceil(self.per_page.max(1));
            let from_link = page
                .links
                .last
                .as_deref()
                .and_then(|last| parse_link(last).ok())
                .map_or(0, |last| last.page);
            target.page.max(from_total).max(from_link)
        };
        self.request_up_to = self.request_up_to.max(planned_last).max(target.page);
        Ok(())
    }

    fn finish(&mut self) -> Option<Error> {
        self.done = true;
        self.stop();
        (self.first_seen && self.seen != self.expected_total).then_some(Error::TotalMismatch {
            expected: self.expected_total,
            seen: self.seen,
        })
    }
}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(error) = this.failure.take() {
            this.done = true;
            this.stop();
            return Poll::Ready(Some(Err(error)));
        }
        if this.done {
            return Poll::Ready(None);
        }
        this.drive(cx, true);
        match this.ready.pop_front() {
            Some(Ok(page)) => match this.accept(&page) {
                Ok(()) => Poll::Ready(Some(Ok(page))),
                Err(error) => {
                    // The page itself is fine; the error follows it.
                    this.failure = Some(error);
                    Poll::Ready(Some(Ok(page)))
                }
            },
            Some(Err(error)) => {
                this.done = true;
                this.stop();
                Poll::Ready(Some(Err(error)))
            }
            None if this.in_flight.is_empty() => Poll::Ready(this.finish().map(Err)),
            None => Poll::Pending,
        }
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
        if let Some(item) = this.current.next() {
            // Keep the requests ahead moving while items are handed out.
            if !this.pages.done {
                this.pages.drive(cx, false);
            }
            return Poll::Ready(Some(Ok(item)));
        }
        loop {
            match this.pages.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(page))) => {
                    this.current = page.items.into_iter();
                    if let Some(item) = this.current.next() {
                        return Poll::Ready(Some(Ok(item)));
                    }
                }
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// What a `next` link asks for.
struct LinkTarget {
    page: u64,
    per_page: Option<u64>,
}

fn parse_link(link: &str) -> Result<LinkTarget> {
    let bad = |reason: &str| Error::BadPageLink {
        link: redact_patterns(link).into_owned(),
        reason: reason.to_string(),
    };
    let url = url::Url::parse(link).map_err(|_| bad("it is not an absolute URL"))?;
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
        Some(page) if page > MAX_PAGE => Err(bad(
            "its page number is larger than any the API can serve (2^63 - 1)",
        )),
        _ => Err(bad("it has no positive `page` query parameter")),
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
        assert_eq!(target.page, 3);
        assert_eq!(target.per_page, Some(200));
        assert!(parse_link("/v2/images?page=2").is_err());
        let zero = parse_link("https://x.test/v2/images?page=0").err().unwrap();
        assert!(zero.to_string().contains("no positive"), "{zero}");
        assert!(parse_link("https://x.test/v2/images").is_err());
        let max = format!("https://x.test/v2/images?page={MAX_PAGE}");
        assert_eq!(parse_link(&max).unwrap().page, MAX_PAGE);
        for absurd in [MAX_PAGE + 1, u64::MAX] {
            let link = format!("https://x.test/v2/images?page={absurd}");
            let error = parse_link(&link).err().unwrap().to_string();
            assert!(error.contains("larger than any"), "{error}");
        }
        assert!(check_per_page(0).is_err());
        assert!(
            check_per_page(201)
                .unwrap_err()
                .to_string()
                .contains("1 to 200")
        );
        assert_eq!(check_per_page(200).unwrap(), 200);
    }
}
