//! A sandbox and a plain HTTP client for it, shared by the tests.

use do_images_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A running sandbox and a raw HTTP client that sends its token.
pub struct Harness {
    pub sandbox: RunningSandbox,
    http: reqwest::Client,
}

/// One answer: status, headers and the body parsed as JSON (`Null` when
/// empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Harness {
    pub async fn start(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        Self {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    /// Sends `method path` with the sandbox's token and an optional JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let token = self.sandbox.token().to_string();
        self.send_as(Some(&token), method, path, body).await
    }

    /// Like [`Harness::send`], with `token` (or none) instead.
    pub async fn send_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let url = format!("{}{path}", self.sandbox.base_url());
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a whole body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    #[allow(dead_code, reason = "the conformance test does not walk pages")]
    /// Follows `links.pages.next` from `path`, returning every item under
    /// `key` and the number of pages.
    pub async fn get_all(&self, path: &str, key: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        let mut next = Some(format!("{}{path}", self.sandbox.base_url()));
        while let Some(url) = next {
            let relative = url
                .strip_prefix(self.sandbox.base_url())
                .expect("absolute link to the sandbox");
            let answer = self.get(relative).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
            items.extend(
                answer.json[key]
                    .as_array()
                    .expect("an item array")
                    .iter()
                    .cloned(),
            );
            next = answer.json["links"]["pages"]["next"]
                .as_str()
                .map(str::to_string);
            pages += 1;
        }
        (items, pages)
    }
}
