//! Lists the account's own images, then every distribution image, as a
//! stream (pages are fetched ahead while rows are printed).
//!
//! ```text
//! DIGITALOCEAN_ACCESS_TOKEN=dop_v1_... cargo run -p do-images --example list_images
//! ```
//!
//! Set `DO_IMAGES_BASE_URL` (for example to the sandbox on 127.0.0.1) to
//! talk to another server.

use do_images::{Client, ImageListType};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder();
    if let Ok(url) = std::env::var("DO_IMAGES_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    println!("Your images:");
    let mut own = client.images().list().private(true).stream();
    while let Some(image) = own.try_next().await? {
        println!(
            "  {:>12}  {:<30}  {:<10}  {}",
            image.id, image.name, image.status, image.error_message,
        );
    }

    let distributions = client
        .images()
        .list()
        .kind(ImageListType::Distribution)
        .collect_all()
        .await?;
    println!("{} distribution images, for example:", distributions.len());
    for image in distributions.iter().take(5) {
        println!(
            "  {:<25} {}",
            image.slug.as_deref().unwrap_or("-"),
            image.name
        );
    }
    if let Some(limit) = client.rate_limit() {
        println!(
            "{} of {} requests left this hour",
            limit.remaining, limit.limit
        );
    }
    Ok(())
}
