//! `doimg images distribute`: copy an image to many regions, one transfer
//! after another, and print the image as it ends.

use std::io::Write;
use std::time::Duration;

use clap::Args;
use do_images::distribution::{DistributeReport, RegionResult};
use do_images::{Error, Image};

use crate::app::App;
use crate::args::{parse_duration, positive_id};
use crate::error::CliError;
use crate::exit_code;
use crate::output::{OutputOptions, Shown};
use crate::progress::{DistributeDisplay, WaitSettings, until_ctrl_c};
use crate::validate;

/// `doimg images distribute`
#[derive(Debug, Args)]
pub struct DistributeImageArgs {
    /// Image id.
    #[arg(value_name = "ID", value_parser = positive_id())]
    pub id: u64,
    /// Regions to copy the image to, comma-separated, e.g. nyc3,sfo3,ams3;
    /// regions that hold it already are skipped.
    #[arg(long, value_name = "R1,R2", value_delimiter = ',', required = true)]
    pub regions: Vec<String>,
    /// Give up waiting for the image to be available, and for each
    /// transfer, after this long, e.g. 90s, 15m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m")]
    pub timeout: Duration,
}

/// Transfers the image to every region that lacks it, waiting for each,
/// then prints the image. Failed regions are listed and make the command
/// fail: exit 5 when one of them timed out, else 1.
pub async fn distribute<S: Shown<Image>>(
    app: &App,
    output: &OutputOptions,
    out: &mut impl Write,
    args: DistributeImageArgs,
    poll_interval: Duration,
) -> Result<(), CliError> {
    let mut warnings = Vec::new();
    for region in &args.regions {
        warnings.extend(validate::region(region).map_err(CliError::Usage)?);
    }
    let settings = WaitSettings {
        timeout: args.timeout,
        poll_interval,
    };
    let display = DistributeDisplay::new(args.id);
    let shown = display.clone();
    let request = app
        .client
        .images()
        .distribute(args.id, &args.regions)
        .wait_options(settings.options())
        .on_progress(move |step| shown.show(step));
    request
        .check()
        .map_err(|error| CliError::Usage(CliError::from(error).message()))?;
    for warning in &warnings {
        crate::output::stderr::warning(warning);
    }
    let id = args.id;
    let report = until_ctrl_c(request.send_as::<S>(), || {
        format!(
            "stopped distributing image {id}; a transfer already started goes on server-side \
             (run the command again to finish: it waits for it instead of starting another)"
        )
    })
    .await;
    display.clear();
    // The flags were checked above: what fails from here on may come after
    // a transfer was started.
    let DistributeReport { image, regions } = report.map_err(CliError::after_changes)?;
    image.print(output, out).map_err(CliError::after_changes)?;
    let total = regions.len();
    let mut failed = Vec::new();
    let mut timed_out = false;
    for outcome in regions {
        if let RegionResult::Failed { action_id, error } = outcome.result {
            timed_out |= matches!(error, Error::WaitTimedOut { .. });
            let action = action_id
                .map(|id| format!(" (action {id})"))
                .unwrap_or_default();
            let message = CliError::from(error).message();
            let region = outcome.region.to_string();
            crate::output::stderr::error(&format!("transfer to {region}{action}: {message}"));
            failed.push(region);
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(CliError::Several {
        message: format!(
            "{} of {total} regions failed: {}",
            failed.len(),
            failed.join(", ")
        ),
        exit_code: if timed_out {
            exit_code::WAIT_FAILED
        } else {
            exit_code::API_ERROR
        },
    })
}
