//! Imports a custom image from a URL and waits until it is available,
//! printing progress; a failed import prints DigitalOcean's error message.
//!
//! ```text
//! DIGITALOCEAN_ACCESS_TOKEN=dop_v1_... cargo run -p do-images --example import_and_wait -- \
//!     my-image https://example.com/disk.qcow2 nyc3
//! ```
//!
//! Set `DO_IMAGES_BASE_URL` to talk to another server, such as the sandbox.

use std::time::Duration;

use do_images::{Client, Error, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, url, region] = args.as_slice() else {
        eprintln!("usage: import_and_wait NAME URL REGION");
        std::process::exit(2);
    };
    let mut builder = Client::builder();
    if let Ok(base) = std::env::var("DO_IMAGES_BASE_URL") {
        builder = builder.base_url(base);
    }
    let client = builder.build()?;

    let created = client
        .images()
        .create_custom(name.as_str(), url.as_str(), region.as_str())
        .description("imported by the do-images example")
        .send()
        .await?;
    println!("import started: image {:?}", created.id);

    let options = WaitOptions::default()
        .max_wait(Duration::from_secs(60 * 60))
        .on_progress(|progress| {
            eprintln!(
                "  {} after {}s{}",
                progress.status.as_deref().unwrap_or("?"),
                progress.elapsed.as_secs(),
                progress
                    .transient_error
                    .as_deref()
                    .map(|e| format!(" (retrying: {e})"))
                    .unwrap_or_default()
            )
        });
    match created.wait(options).await {
        Ok(image) => {
            println!("image {:?} is available in {:?}", image.id, image.regions);
            Ok(())
        }
        Err(Error::WaitFailed { error_message, .. }) => {
            eprintln!(
                "the import failed: {}",
                error_message
                    .as_deref()
                    .unwrap_or("no message from the API")
            );
            std::process::exit(1);
        }
        Err(other) => Err(other.into()),
    }
}
