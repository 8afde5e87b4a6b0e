//! Spaces access keys: from the caller or the environment, never printed.

use std::fmt;

/// The environment variable pairs read for Spaces keys, in order: the
/// names DigitalOcean's Terraform provider uses, then Packer's.
pub const SPACES_KEY_ENV_VARS: [(&str, &str); 2] = [
    ("SPACES_ACCESS_KEY_ID", "SPACES_SECRET_ACCESS_KEY"),
    (
        "DIGITALOCEAN_SPACES_ACCESS_KEY",
        "DIGITALOCEAN_SPACES_SECRET_KEY",
    ),
];

/// A Spaces access key id and its secret. Its `Debug` shows neither.
#[derive(Clone)]
pub struct SpacesCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
}

impl fmt::Debug for SpacesCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpacesCredentials(<redacted>)")
    }
}

impl SpacesCredentials {
    /// What removes both keys from text (see [`do_images::Redactor`]).
    pub fn redactor(&self) -> do_images::Redactor {
        do_images::Redactor::new()
            .with_secret(&self.access_key_id)
            .with_secret(&self.secret_access_key)
    }

    /// Keys given by the caller.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        }
    }

    /// The first complete pair of [`SPACES_KEY_ENV_VARS`] in the process
    /// environment.
    pub fn from_env() -> Result<Self, do_images::Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables with `lookup`.
    /// Half a pair is an error naming the missing variable, so a typo is not
    /// silently replaced by the other pair.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, do_images::Error> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        for (id_var, secret_var) in SPACES_KEY_ENV_VARS {
            match (get(id_var), get(secret_var)) {
                (Some(id), Some(secret)) => return Ok(Self::new(id, secret)),
                (Some(_), None) => return Err(half_pair(id_var, secret_var)),
                (None, Some(_)) => return Err(half_pair(secret_var, id_var)),
                (None, None) => {}
            }
        }
        Err(do_images::Error::InvalidInput {
            what: "Spaces keys",
            problem: "none given and none in the environment".into(),
            allowed: "keys passed to the builder, or SPACES_ACCESS_KEY_ID and \
                SPACES_SECRET_ACCESS_KEY, or DIGITALOCEAN_SPACES_ACCESS_KEY and \
                DIGITALOCEAN_SPACES_SECRET_KEY",
        })
    }

    pub(crate) fn check(&self) -> Result<(), do_images::Error> {
        if self.access_key_id.trim().is_empty() || self.secret_access_key.trim().is_empty() {
            return Err(do_images::Error::InvalidInput {
                what: "Spaces keys",
                problem: "the access key id or the secret is empty".into(),
                allowed: "a non-empty access key id and secret",
            });
        }
        Ok(())
    }
}

fn half_pair(set: &str, missing: &str) -> do_images::Error {
    do_images::Error::InvalidInput {
        what: "Spaces keys",
        problem: format!("{set} is set but {missing} is not"),
        allowed: "both variables of a pair set",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn both_pairs_of_names_are_read_in_order() {
        let terraform = SpacesCredentials::from_lookup(env(&[
            ("SPACES_ACCESS_KEY_ID", "id1"),
            ("SPACES_SECRET_ACCESS_KEY", "s1"),
            ("DIGITALOCEAN_SPACES_ACCESS_KEY", "id2"),
            ("DIGITALOCEAN_SPACES_SECRET_KEY", "s2"),
        ]))
        .unwrap();
        assert_eq!(terraform.access_key_id, "id1");
        let packer = SpacesCredentials::from_lookup(env(&[
            ("DIGITALOCEAN_SPACES_ACCESS_KEY", "id2"),
            ("DIGITALOCEAN_SPACES_SECRET_KEY", "s2"),
        ]))
        .unwrap();
        assert_eq!(packer.secret_access_key, "s2");
    }

    #[test]
    fn half_a_pair_or_none_says_which_names_to_set() {
        let half = SpacesCredentials::from_lookup(env(&[("SPACES_ACCESS_KEY_ID", "id1")]))
            .unwrap_err()
            .to_string();
        assert!(half.contains("SPACES_SECRET_ACCESS_KEY is not"), "{half}");
        let none = SpacesCredentials::from_lookup(env(&[]))
            .unwrap_err()
            .to_string();
        assert!(none.contains("DIGITALOCEAN_SPACES_SECRET_KEY"), "{none}");
    }

    #[test]
    fn debug_shows_no_key() {
        let shown = format!("{:?}", SpacesCredentials::new("AKIDVISIBLE", "TOPSECRET"));
        assert!(!shown.contains("AKIDVISIBLE") && !shown.contains("TOPSECRET"));
    }
}
