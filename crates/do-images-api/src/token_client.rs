//! A client that authenticates with a bearer token.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};

use crate::{Client, Transport};

/// Why [`Client::with_token`] could not build a client.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientBuildError {
    /// The token has characters an HTTP header cannot carry.
    InvalidToken,
    /// reqwest could not build its client (for example, no TLS roots).
    Http(reqwest::Error),
}

impl std::fmt::Display for ClientBuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidToken => f.write_str(
                "the access token has characters that cannot be sent in an HTTP header \
                 (only visible ASCII is allowed)",
            ),
            Self::Http(error) => write!(f, "cannot build the HTTP client: {error}"),
        }
    }
}

impl std::error::Error for ClientBuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidToken => None,
            Self::Http(error) => Some(error),
        }
    }
}

/// The `Authorization: Bearer` value for `token`, marked sensitive so that
/// `Debug` output of headers never shows it.
pub fn bearer_header(token: &str) -> Result<HeaderValue, ClientBuildError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
        .map_err(|_| ClientBuildError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

impl Client {
    /// A client for `baseurl` (such as `https://api.digitalocean.com`) that
    /// sends `token` as a bearer token on every request, over TLS (the
    /// `rustls` or `native-tls` feature), with a 10 s connect and 60 s
    /// request timeout. Each request is sent once; the `do-images` crate adds
    /// retries and rate-limit handling.
    pub fn with_token(baseurl: &str, token: &str) -> Result<Self, ClientBuildError> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, bearer_header(token)?);
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("do-images-api/", env!("CARGO_PKG_VERSION"))),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(ClientBuildError::Http)?;
        Ok(Self::new_with_client(baseurl, http, Transport::default()))
    }
}
