//! The generated client's inner value: how a built request is sent.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::Client;

/// The future an [`Execute`] returns.
pub type ExecuteFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends a request that the generated client has built, and returns the
/// response it will decode. Implement it to add retries, logging or rate
/// limiting under every operation at once.
pub trait Execute: Send + Sync + 'static {
    /// Sends `request` with `client`; `operation_id` is the spec's
    /// `operationId`, such as `images_list`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ExecuteFuture<'a>;
}

/// The [`Client`]'s inner value. [`Transport::default`] sends each request
/// once, as built; [`Transport::new`] sends it through an [`Execute`].
#[derive(Clone, Default)]
pub struct Transport {
    executor: Option<Arc<dyn Execute>>,
}

impl Transport {
    /// Sends every request through `executor`.
    pub fn new(executor: Arc<dyn Execute>) -> Self {
        Self {
            executor: Some(executor),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.executor.is_some() {
            "custom"
        } else {
            "plain"
        };
        f.debug_struct("Transport")
            .field("executor", &kind)
            .finish()
    }
}

impl ClientHooks<Transport> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner().executor {
            Some(executor) => {
                executor
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
            None => self.client().execute(request).await,
        }
    }
}
