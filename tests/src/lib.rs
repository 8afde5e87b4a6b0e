//! Helpers shared by the end-to-end tests in `tests/tests/`: they drive the
//! do-images library against a sandbox over real HTTP on 127.0.0.1.

use do_images::Client;
use do_images_sandbox::RunningSandbox;

/// A client for `sandbox`.
pub fn client_for(sandbox: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()
        .expect("a client for a sandbox on 127.0.0.1")
}
