//! The Spaces client's HTTP connections, under the API client's network
//! rules: plain http only to loopback (checked with the endpoint) and then
//! never through a proxy, so that no proxy sees the signed requests or the
//! file's bytes; https through `HTTPS_PROXY` / `ALL_PROXY` by `CONNECT`,
//! honouring `NO_PROXY`; no redirect followed, so that no request (or its
//! body) goes anywhere but the endpoint, nor from https to http.

use std::time::Duration;

use object_store::ClientOptions;
use object_store::client::{HttpClient, HttpConnector};

/// Builds the S3 client's `reqwest::Client` by these rules (object_store's
/// own connector takes every proxy variable, whatever the endpoint).
#[derive(Debug)]
pub(crate) struct SpacesConnector {
    /// The endpoint is plain http (to loopback: checked before).
    pub plain_http: bool,
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl HttpConnector for SpacesConnector {
    fn connect(&self, _options: &ClientOptions) -> object_store::Result<HttpClient> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // Content-Length must stay the object's size.
            .no_gzip()
            .user_agent(concat!("do-images-file-import/", env!("CARGO_PKG_VERSION")));
        builder = if self.plain_http {
            builder.no_proxy()
        } else {
            builder.https_only(true)
        };
        let client = builder
            .build()
            .map_err(|error| object_store::Error::Generic {
                store: "S3",
                source: Box::new(error),
            })?;
        Ok(HttpClient::new(client))
    }
}
