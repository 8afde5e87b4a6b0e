//! `doimg images create --file`: import a local disk image through a
//! private Spaces object (see the do-images-file-import crate).

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use do_images::Image;
use do_images_file_import::{ImportFileExt, ImportProgress};

use super::images_create::CreateImageArgs;
use crate::app::App;
use crate::error::CliError;
use crate::output::escape::for_terminal;
use crate::output::stderr;
use crate::output::{OutputOptions, Shown};
use crate::progress::ImportDisplay;
use crate::progress::WaitSettings;
use crate::signals::{Signal, Signals};
use crate::validate;

/// Checks every flag, then uploads, imports, waits, transfers and cleans
/// up. Ctrl-C, SIGTERM and SIGHUP cancel (the upload is aborted, or, once
/// the import was sent, the object is kept and the message says where) and
/// exit with 130, 143 or 129; a second signal stops waiting for that
/// cleanup, and the message says what may be left where.
pub async fn create<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: CreateImageArgs,
    poll_interval: std::time::Duration,
) -> Result<(), CliError> {
    // Before anything is sent: no signal may end doimg without cleanup.
    let mut signals = Signals::install()
        .map_err(|e| CliError::Usage(format!("cannot install the signal handlers: {e}")))?;
    validate::non_empty("--name", args.image_name()).map_err(CliError::Usage)?;
    for region in std::iter::once(&args.region).chain(&args.file_import.regions) {
        if let Some(warning) = validate::region(region).map_err(CliError::Usage)? {
            stderr::warning(&warning);
        }
    }
    for tag in &args.tags {
        validate::non_empty("--tag", tag).map_err(CliError::Usage)?;
    }
    let flags = &args.file_import;
    let file = args.file.clone().unwrap_or_default();
    let settings = WaitSettings {
        timeout: args.wait.timeout,
        poll_interval,
    };
    let display = ImportDisplay::new();
    let shown = display.clone();
    let bucket = StoredSoFar::default();
    let stored = bucket.clone();
    let mut import = app
        .client
        .import_file(&file)
        .name(args.image_name())
        .region(args.region.as_str())
        .extra_regions(flags.regions.iter().cloned())
        .keep_upload(flags.keep_upload)
        .replace_existing_object(flags.replace_existing_object)
        .raw(flags.raw)
        .wait_options(settings.options())
        .on_progress(move |step| {
            stored.follow(step);
            shown.show(step);
        });
    let sandbox_spaces = app.sandbox_spaces();
    let in_sandbox = sandbox_spaces.is_some();
    if let Some(spaces) = sandbox_spaces {
        import = import
            .spaces_endpoint(spaces.endpoint)
            .spaces_region(spaces.region)
            .bucket(spaces.bucket)
            .credentials(spaces.credentials);
    }
    if let Some(bucket) = &flags.spaces_bucket {
        import = import.bucket(bucket.as_str());
    } else if !in_sandbox {
        return Err(CliError::Usage(
            "--file needs --spaces-bucket: the bucket to upload the file to".into(),
        ));
    }
    if let Some(region) = &flags.spaces_region {
        import = import.spaces_region(region.as_str());
    }
    if let Some(endpoint) = &flags.spaces_endpoint {
        import = import.spaces_endpoint(endpoint.as_str());
    }
    if let Some(key) = &flags.object_key {
        import = import.object_key(key.as_str());
    }
    if let Some(distribution) = &args.distribution {
        import = import.distribution(distribution.as_str());
    }
    if let Some(description) = &args.description {
        import = import.description(description.as_str());
    }
    if !args.tags.is_empty() {
        import = import.tags(args.tags.iter().cloned());
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = import.send_until_as::<S>(async move {
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    let mut running = std::pin::pin!(running);
    let mut stop = Some(stop);
    let mut first = None;
    let result = loop {
        tokio::select! {
            result = &mut running => break result,
            signal = signals.next() => match first {
                None => {
                    first = Some(signal);
                    if let Some(stop) = stop.take() {
                        let _ = stop.send(());
                    }
                }
                Some(first) => {
                    display.clear();
                    let message = format!(
                        "interrupted again ({}): stopped waiting for the cleanup; {}",
                        signal.name(),
                        bucket.what_may_be_left()
                    );
                    return Err(CliError::Signalled {
                        error: Box::new(CliError::Interrupted(message)),
                        exit_code: Signal::exit_code(first),
                    });
                }
            },
        }
    };
    display.clear();
    let imported = match (result, first) {
        (Ok(imported), _) => imported,
        (Err(error), Some(signal)) => {
            return Err(CliError::Signalled {
                error: Box::new(CliError::FileImport(error)),
                exit_code: signal.exit_code(),
            });
        }
        (Err(error), None) => return Err(CliError::FileImport(error)),
    };
    if let Some(left) = &imported.left_behind {
        stderr::warning(&left.to_string());
    } else if imported.upload_kept {
        eprintln!(
            "Kept the uploaded object {} (--keep-upload).",
            for_terminal(&imported.upload.to_string())
        );
    }
    // The image the import ended with, read as the output shows it: the
    // model for text, the object as the API sent it for JSON.
    imported.image.print(output, out)
}

/// What the import has put in the bucket so far, as its progress tells,
/// for the message when a second signal stops the wait for its cleanup.
#[derive(Clone, Default)]
struct StoredSoFar(Arc<Mutex<Option<String>>>);

impl StoredSoFar {
    fn follow(&self, step: &ImportProgress) {
        let mut stored = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match step {
            ImportProgress::UploadStarted { location, .. } => {
                *stored = Some(format!(
                    "a multipart upload or the object {} may be left: abort the upload or delete the object",
                    location
                ));
            }
            ImportProgress::ObjectDeleted(_) => *stored = None,
            _ => {}
        }
    }

    fn what_may_be_left(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| "nothing was uploaded yet".to_string())
    }
}
