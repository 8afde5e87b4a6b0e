//! [`Operation`]: every builder of the generated client, as a request that
//! can be built without being sent.

use crate::{Error, types};

/// One operation of the generated client, as its builder sets it up.
///
/// The xtask implements it for every builder of [`builder`](crate::builder)
/// (`cargo xtask generate`): [`build`](Self::build) checks the builder's
/// values and builds exactly the request its `send()` would send, stopping
/// before the client's hooks. A caller with its own way of sending (do-images
/// sends it through its executor and decodes the body once, into whatever
/// type its caller asked for) starts from there; [`Success`](Self::Success)
/// says what a successful answer's body is.
///
/// ```
/// use do_images_api::Operation;
/// let client = do_images_api::Client::new(
///     "https://api.digitalocean.com",
///     do_images_api::Transport::default(),
/// );
/// let built = client.images_get().image_id(7555620).build()?;
/// assert_eq!(built.operation_id, "images_get");
/// assert_eq!(built.request.url().path(), "/v2/images/7555620");
/// # Ok::<(), do_images_api::Error<do_images_api::types::Error>>(())
/// ```
pub trait Operation: Send {
    /// What a successful answer's body decodes to (`()` when it has none),
    /// e.g. [`types::ImageEnvelope`].
    type Success;

    /// The request `send()` would send, not sent. Fails where `send()` fails
    /// before sending: a builder value that was refused
    /// ([`Error::InvalidRequest`]) or a request that cannot be built.
    // The error type of the builder's own `send()`, so that `?` works the
    // same in both; it is built once per call, never kept.
    #[allow(clippy::result_large_err)]
    fn build(self) -> Result<BuiltRequest, Error<types::Error>>;
}

/// A request built by an [`Operation`], ready to send.
#[derive(Debug)]
pub struct BuiltRequest {
    /// The request, with the headers the generated client sets (`Accept`,
    /// `api-version`); the default headers of the client's
    /// `reqwest::Client` (such as the token of [`Client::with_token`](crate::Client::with_token))
    /// are added when it is sent with that client.
    pub request: reqwest::Request,
    /// The spec's `operationId`, such as `images_get`.
    pub operation_id: &'static str,
}
