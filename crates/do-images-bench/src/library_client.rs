//! The library's side of the benchmark: list every image and print how many
//! there were. It runs as its own process so that its memory is measured
//! alone.

use anyhow::Result;
use futures::TryStreamExt;

use crate::cli::ListArgs;

/// Lists every image as `args` say, on a runtime like `doimg`'s, and prints
/// the count.
pub fn run(args: &ListArgs) -> Result<()> {
    let count = tokio::runtime::Runtime::new()?.block_on(list_all(args))?;
    println!("{count}");
    Ok(())
}

/// Streams every image, `fetch_ahead` pages ahead, and counts them.
async fn list_all(args: &ListArgs) -> Result<u64> {
    // The benchmark's sandboxes have no rate limit, and pydo has no
    // limiter: this measures the listing, not the API's limits (see
    // `rate-limited` for those).
    let client = do_images::Client::builder()
        .base_url(&args.url)
        .token(args.token.as_str())
        .request_limits(do_images::RequestLimits::none())
        .build()?;
    let mut images = client
        .images()
        .list()
        .fetch_ahead(args.fetch_ahead)
        .stream();
    let mut count = 0;
    while images.try_next().await?.is_some() {
        count += 1;
    }
    Ok(count)
}
