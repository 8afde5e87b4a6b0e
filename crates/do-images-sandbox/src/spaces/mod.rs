//! A Spaces-compatible object store on 127.0.0.1: the `s3s` S3 protocol
//! layer (SigV4 header and presigned-URL authentication, path-style
//! addressing) over `s3s-fs`, which keeps the objects in a temporary
//! directory. It runs beside the sandbox on its own port, with one bucket
//! created at start.

mod faults;
mod inventory;
mod log;
mod service;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

pub use faults::SpacesFaults;
pub use inventory::{MultipartUpload, StoredObject};
pub use log::{StoreOperation, StoreOutcome, StoreRequest};

use service::{StoreService, StoreState};

use crate::bounded_log::DEFAULT_LOG_CAPACITY;

/// The access key id a sandbox's store accepts unless told otherwise. Like
/// the sandbox token, it opens only a simulation on 127.0.0.1.
pub const DEFAULT_SPACES_ACCESS_KEY_ID: &str = "DO00SANDBOX0ACCESS00";
/// The secret that goes with [`DEFAULT_SPACES_ACCESS_KEY_ID`].
pub const DEFAULT_SPACES_SECRET_ACCESS_KEY: &str = "sandbox-spaces-secret-0000000000000000000000";

/// How the sandbox's Spaces store is set up.
///
/// ```
/// use do_images_sandbox::SpacesConfig;
///
/// let config = SpacesConfig::default().with_bucket("my-images");
/// assert_eq!(config.bucket, "my-images");
/// assert_eq!(config.region, "nyc3");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpacesConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The Spaces region, used as the SigV4 signing region.
    pub region: String,
    /// The bucket that exists at start.
    pub bucket: String,
    /// The access key id it accepts.
    pub access_key_id: String,
    /// The secret of that key.
    pub secret_access_key: String,
    /// How many of the most recent requests the store's log keeps.
    pub log_capacity: usize,
}

/// Shows everything but the secret.
impl std::fmt::Debug for SpacesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpacesConfig")
            .field("port", &self.port)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("log_capacity", &self.log_capacity)
            .finish()
    }
}

impl Default for SpacesConfig {
    /// Bucket `sandbox-images` in `nyc3`, with the default key pair.
    fn default() -> Self {
        Self {
            port: 0,
            region: "nyc3".into(),
            bucket: "sandbox-images".into(),
            access_key_id: DEFAULT_SPACES_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SPACES_SECRET_ACCESS_KEY.into(),
            log_capacity: DEFAULT_LOG_CAPACITY,
        }
    }
}

impl SpacesConfig {
    /// Listens on `port` (0: any free port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Creates `bucket` at start instead of `sandbox-images`.
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = bucket.into();
        self
    }

    /// Keeps the `capacity` most recent requests in the store's log
    /// (10,000 unless told otherwise); [`SpacesStore::dropped_requests`]
    /// counts the older ones dropped.
    pub fn with_log_capacity(mut self, capacity: usize) -> Self {
        self.log_capacity = capacity;
        self
    }

    /// Accepts this key pair instead of the default one.
    pub fn with_keys(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.access_key_id = access_key_id.into();
        self.secret_access_key = secret_access_key.into();
        self
    }
}

/// Everything an S3 client needs to use a running store: what `doimg
/// sandbox` prints and what `--sandbox` mode hands to the file import.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpacesAccess {
    /// Such as `http://127.0.0.1:40124` (no trailing slash); address it
    /// path-style: `{endpoint_url}/{bucket}/{key}`.
    pub endpoint_url: String,
    /// The SigV4 signing region.
    pub region: String,
    /// The bucket that exists.
    pub bucket: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl std::fmt::Debug for SpacesAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpacesAccess")
            .field("endpoint_url", &self.endpoint_url)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Why the store did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpacesError {
    /// The port could not be bound.
    #[error("the Spaces store could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the system said.
        source: std::io::Error,
    },
    /// The bucket name is not one S3 allows.
    #[error(
        "the Spaces bucket name `{0}` is not allowed: use 3 to 63 lowercase letters, digits and \
         hyphens, starting and ending with a letter or digit"
    )]
    InvalidBucket(String),
    /// The temporary directory or the bucket could not be created.
    #[error("the Spaces store could not create its directory: {0}")]
    Directory(std::io::Error),
    /// `s3s-fs` refused the directory.
    #[error("the Spaces store could not open its directory: {0}")]
    Store(String),
}

/// A running Spaces store. Dropping it stops it and deletes its directory.
pub struct SpacesStore {
    access: SpacesAccess,
    state: Arc<StoreState>,
    bucket_dir: PathBuf,
    directory: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for SpacesStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpacesStore")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl SpacesStore {
    /// Starts a store on 127.0.0.1 in the current tokio runtime.
    pub(crate) async fn start(config: &SpacesConfig) -> Result<Self, SpacesError> {
        if !is_valid_bucket(&config.bucket) {
            return Err(SpacesError::InvalidBucket(
                config.bucket.escape_debug().to_string(),
            ));
        }
        let directory = tempfile::Builder::new()
            .prefix("do-images-sandbox-spaces-")
            .tempdir()
            .map_err(SpacesError::Directory)?;
        let bucket_dir = directory.path().join(&config.bucket);
        std::fs::create_dir(&bucket_dir).map_err(SpacesError::Directory)?;
        let fs = s3s_fs::FileSystem::new(directory.path())
            .map_err(|error| SpacesError::Store(format!("{error:?}")))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(
            config.access_key_id.clone(),
            config.secret_access_key.clone(),
        ));
        let state = Arc::new(StoreState::new(config.log_capacity));
        let service = StoreService {
            s3: builder.build(),
            state: state.clone(),
        };
        let port = config.port;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|source| SpacesError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| SpacesError::Bind { port, source })?;
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, service, stopped));
        Ok(Self {
            access: SpacesAccess {
                endpoint_url: format!("http://{address}"),
                region: config.region.clone(),
                bucket: config.bucket.clone(),
                access_key_id: config.access_key_id.clone(),
                secret_access_key: config.secret_access_key.clone(),
            },
            state,
            bucket_dir,
            directory,
            stop: Some(stop),
        })
    }

    /// Endpoint, region, bucket and keys, together.
    pub fn access(&self) -> &SpacesAccess {
        &self.access
    }

    /// Such as `http://127.0.0.1:40124` (no trailing slash).
    pub fn endpoint_url(&self) -> &str {
        &self.access.endpoint_url
    }

    /// The SigV4 signing region.
    pub fn region(&self) -> &str {
        &self.access.region
    }

    /// The bucket that exists.
    pub fn bucket(&self) -> &str {
        &self.access.bucket
    }

    /// The access key id it accepts.
    pub fn access_key_id(&self) -> &str {
        &self.access.access_key_id
    }

    /// The secret of that key.
    pub fn secret_access_key(&self) -> &str {
        &self.access.secret_access_key
    }

    /// The objects in the bucket now, sorted by key.
    pub fn objects(&self) -> Vec<StoredObject> {
        inventory::objects(&self.bucket_dir)
    }

    /// The multipart uploads neither completed nor aborted now.
    pub fn multipart_uploads(&self) -> Vec<MultipartUpload> {
        inventory::multipart_uploads(self.directory.path())
    }

    /// The most recent requests (up to [`SpacesConfig::log_capacity`]), in
    /// the order they were answered or cut.
    pub fn requests(&self) -> Vec<StoreRequest> {
        self.state.log()
    }

    /// How many older requests the log dropped to keep its capacity.
    pub fn dropped_requests(&self) -> u64 {
        self.state.dropped_from_log()
    }

    /// Replaces the injected faults (and restarts their counts) from the
    /// next request on.
    pub fn set_faults(&self, faults: SpacesFaults) {
        self.state.set_faults(faults);
    }

    /// Stops accepting connections and closes the open ones.
    pub(crate) fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for SpacesStore {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether `name` is a bucket name S3 accepts (the rules that matter here:
/// it is also a single safe directory name).
fn is_valid_bucket(name: &str) -> bool {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && edge_ok(name.chars().next())
        && edge_ok(name.chars().last())
}

/// Accepts connections until `stopped`, then drops the open ones.
async fn serve(listener: TcpListener, service: StoreService, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                let service = service.clone();
                connections.spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(socket), service);
                    let _ = connection.await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
