//! The objects the sandbox stores and sends, shaped as the API's JSON.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// Which public list an image belongs to (`type=` of the list call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    Distribution,
    Application,
}

/// An image as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Image {
    pub id: u64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub distribution: String,
    pub slug: Option<String>,
    pub public: bool,
    pub regions: Vec<String>,
    #[serde(serialize_with = "api_time")]
    pub created_at: DateTime<Utc>,
    pub min_disk_size: Option<u64>,
    pub size_gigabytes: Option<f64>,
    pub description: String,
    pub tags: Vec<String>,
    pub status: String,
    pub error_message: String,
    #[serde(skip)]
    pub category: Option<Category>,
    /// The uuid of the team that owns a private image; `None` for a public
    /// one, which every account sees.
    #[serde(skip)]
    pub owner: Option<Arc<str>>,
}

impl Image {
    /// Whether an account working in `team` can see the image.
    pub fn is_visible_to(&self, team: &str) -> bool {
        self.public || self.owner.as_deref() == Some(team)
    }
}

/// An image action as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Action {
    pub id: u64,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(serialize_with = "api_time")]
    pub started_at: DateTime<Utc>,
    #[serde(serialize_with = "optional_api_time")]
    pub completed_at: Option<DateTime<Utc>>,
    pub resource_id: Option<u64>,
    pub resource_type: &'static str,
    pub region: Region,
    pub region_slug: Option<String>,
}

/// A region as embedded in an action.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Region {
    pub name: String,
    pub slug: String,
    pub features: Vec<&'static str>,
    pub available: bool,
    pub sizes: Vec<&'static str>,
}

impl Region {
    /// The region with `slug`, named as DigitalOcean names it, or after its
    /// slug when the sandbox does not know it.
    pub fn from_slug(slug: &str) -> Self {
        let name = super::regions::display_name(slug);
        Self {
            name,
            slug: slug.to_string(),
            features: vec!["backups", "ipv6", "metadata", "install_agent", "storage"],
            available: true,
            sizes: vec!["s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-4gb"],
        }
    }
}

/// Timestamps as the API writes them: `2024-01-31T12:00:00Z`.
fn api_time<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn optional_api_time<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => api_time(time, serializer),
        None => serializer.serialize_none(),
    }
}
