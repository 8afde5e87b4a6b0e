//! Serving in the foreground until Ctrl-C: the `do-images-sandbox` binary
//! and `doimg sandbox` share this.

use std::io::Write;
use std::time::Duration;

use crate::config::{ImportTiming, SandboxConfig};
use crate::faults::Faults;
use crate::sandbox::{Sandbox, SandboxError};
use crate::spaces::SpacesAccess;

/// Command-line settings of a sandbox served in the foreground.
#[derive(Clone, Debug, clap::Args)]
#[non_exhaustive]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed for the generated images.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many images exist at start.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub images: usize,
    /// How long an import takes to settle (it is `NEW` for the first fifth).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    pub import_time: Duration,
    /// How long a transfer or convert takes.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = humantime::parse_duration)]
    pub action_time: Duration,
    /// Latency added to every response.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = humantime::parse_duration)]
    pub latency: Duration,
}

impl ServeArgs {
    /// The sandbox these settings describe.
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig::default()
            .with_port(self.port)
            .with_seed(self.seed)
            .with_images(self.images)
            .with_import_timing(ImportTiming::new(self.import_time / 5, self.import_time))
            .with_action_duration(self.action_time)
            .with_faults(Faults::none().with_latency(self.latency))
    }
}

/// Starts a sandbox, writes its URL, every account (email, team uuid and
/// token) and how to use them to `out`, and serves until Ctrl-C.
pub async fn serve_until_ctrl_c(
    args: &ServeArgs,
    out: &mut impl Write,
) -> Result<(), SandboxError> {
    let sandbox = Sandbox::start(args.config()).await?;
    let _ = writeln!(
        out,
        "Sandbox serving {images} simulated images at {url}\n\
         Accounts (tokens accepted only by this sandbox; the first owns the seeded images):",
        images = args.images,
        url = sandbox.base_url(),
    );
    for account in sandbox.accounts() {
        let _ = writeln!(
            out,
            "  {email}  team {team}  token {token}",
            email = account.email,
            team = account.team_uuid,
            token = account.token,
        );
    }
    let _ = writeln!(
        out,
        "\nTry, in another terminal:\n  \
         export DIGITALOCEAN_API_URL={url} DIGITALOCEAN_ACCESS_TOKEN={token}\n  \
         doimg images list --private\n",
        url = sandbox.base_url(),
        token = sandbox.token(),
    );
    if let Some(spaces) = sandbox.spaces() {
        let _ = writeln!(out, "{}", spaces_instructions(spaces.access()));
    }
    let _ = writeln!(out, "Press Ctrl-C to stop.");
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(())
}

/// Where the sandbox's Spaces store is and the keys it accepts (sandbox
/// keys, which open nothing else), and how to import a file through it.
fn spaces_instructions(access: &SpacesAccess) -> String {
    format!(
        "Spaces-compatible store (S3, path-style, signing region {region}):\n  \
         Endpoint: {endpoint}\n  \
         Bucket: {bucket}\n  \
         Access key: {key}\n  \
         Secret key: {secret}\n\n\
         Import a local disk image through it:\n  \
         export SPACES_ACCESS_KEY_ID={key} SPACES_SECRET_ACCESS_KEY={secret}\n  \
         doimg images create --file disk.qcow2 --name my-image --region nyc3 \\\n    \
         --spaces-endpoint {endpoint} --spaces-bucket {bucket} --spaces-region {region}\n",
        region = access.region,
        endpoint = access.endpoint_url,
        bucket = access.bucket,
        key = access.access_key_id,
        secret = access.secret_access_key,
    )
}
