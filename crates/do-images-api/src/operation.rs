//! [`Operation`]: every builder of the generated client, sent without
//! reading the answer.

use crate::{Error, types};

/// One request of the generated client, built by its builder, sent without
/// reading the answer.
///
/// The xtask implements it for every builder of [`builder`](crate::builder)
/// (`cargo xtask generate`): `send_raw` is the builder's `send()` up to the
/// answer, so the request, the client's hooks and its [`Execute`](crate::Execute)
/// are the same; only the reading of the answer (its status and body) is
/// left to the caller, who can decode the body once, into whatever type it
/// wants.
///
/// ```no_run
/// use do_images_api::Operation;
/// # async fn example(client: &do_images_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let response = client.images_get().image_id(7555620).send_raw().await?;
/// println!("{}", response.status());
/// let body = response.bytes().await?;
/// let envelope: do_images_api::types::ImageEnvelope = serde_json::from_slice(&body)?;
/// println!("{}", envelope.image.name);
/// # Ok(()) }
/// ```
pub trait Operation: Send {
    /// What a successful answer's body decodes to (`()` when it has none),
    /// e.g. [`types::ImageEnvelope`].
    type Success;

    /// Sends the request through the client's hooks and
    /// [`Execute`](crate::Execute) like `send()`, and returns the answer
    /// whatever its status, its body unread.
    ///
    /// Fails only where `send()` fails before an answer: a builder value that
    /// was refused ([`Error::InvalidRequest`]), a request that could not be
    /// built or sent ([`Error::CommunicationError`]), or a hook's error.
    fn send_raw(
        self,
    ) -> impl std::future::Future<Output = Result<reqwest::Response, Error<types::Error>>> + Send;
}
