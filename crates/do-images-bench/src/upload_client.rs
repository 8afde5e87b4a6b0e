//! `do-images-bench upload-client`: one upload of the upload benchmark,
//! run as its own process so that its peak memory is its own. Prints
//! `upload_seconds=<s>`: the time from the first byte sent to the last
//! byte stored.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use do_images_file_import::{ImportFileExt, ImportProgress, SpacesCredentials};
use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::signer::{Method, Signer};
use tokio::io::AsyncReadExt;

use crate::cli::{UploadClientArgs, UploadMode};

/// Runs the upload `args` asks for and prints how long it took.
pub fn run(args: &UploadClientArgs) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let took = runtime.block_on(async {
        match args.mode {
            UploadMode::Import => through_import(args).await,
            UploadMode::Put => single_put(args).await,
        }
    })?;
    println!("upload_seconds={}", took.as_secs_f64());
    Ok(())
}

/// The whole file import; the upload is timed from its progress steps.
async fn through_import(args: &UploadClientArgs) -> Result<Duration> {
    let client = do_images::Client::builder()
        .base_url(&args.api_url)
        .token(args.token.as_str())
        .build()?;
    let marks: Arc<Mutex<(Option<Instant>, Option<Instant>)>> = Arc::default();
    let seen = marks.clone();
    client
        .import_file(&args.file)
        .name("bench-upload")
        .region("nyc3")
        .bucket(&args.bucket)
        .spaces_region(&args.region)
        .spaces_endpoint(&args.endpoint)
        .credentials(SpacesCredentials::new(&args.key_id, &args.secret))
        .wait_options(do_images::WaitOptions::default().min_delay(Duration::from_millis(100)))
        .on_progress(move |step| {
            let Ok(mut marks) = seen.lock() else { return };
            match step {
                ImportProgress::UploadStarted { .. } => marks.0 = Some(Instant::now()),
                ImportProgress::Uploaded { sent, total } if sent == total => {
                    marks.1 = Some(Instant::now());
                }
                _ => {}
            }
        })
        .send()
        .await?;
    let marks = *marks
        .lock()
        .map_err(|_| anyhow::anyhow!("a poisoned lock"))?;
    match marks {
        (Some(start), Some(end)) => Ok(end - start),
        _ => anyhow::bail!("the import reported no upload"),
    }
}

/// One presigned PUT of the whole file, streamed from disk in 1 MiB reads,
/// then the object deleted.
async fn single_put(args: &UploadClientArgs) -> Result<Duration> {
    let store = AmazonS3Builder::new()
        .with_endpoint(&args.endpoint)
        .with_region(&args.region)
        .with_bucket_name(&args.bucket)
        .with_access_key_id(&args.key_id)
        .with_secret_access_key(&args.secret)
        .with_allow_http(true)
        .build()?;
    let path = ObjectPath::from("bench/plain-put");
    let url = store
        .signed_url(Method::PUT, &path, Duration::from_secs(3600))
        .await?;
    let file = tokio::fs::File::open(&args.file)
        .await
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = file.metadata().await?.len();
    let chunks = futures::stream::try_unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 1024 * 1024];
        let read = file.read(&mut buffer).await?;
        buffer.truncate(read);
        Ok::<_, std::io::Error>((read > 0).then(|| (Bytes::from(buffer), file)))
    });
    let start = Instant::now();
    let answer = reqwest::Client::new()
        .put(url)
        .header(reqwest::header::CONTENT_LENGTH, size)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await?;
    let took = start.elapsed();
    ensure!(
        answer.status().is_success(),
        "the PUT answered {}",
        answer.status()
    );
    store.delete(&path).await?;
    Ok(took)
}
