//! Images and actions as table rows.

use do_images::{Action, Image};

use super::Row;

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn time(value: Option<&chrono::DateTime<chrono::Utc>>) -> String {
    value
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

impl Row for Image {
    const COLUMNS: &'static [&'static str] = &[
        "ID",
        "Name",
        "Type",
        "Distribution",
        "Slug",
        "Public",
        "Regions",
        "MinDisk",
        "Size",
        "Status",
        "Created",
        "Error",
        "Tags",
    ];
    const DEFAULT: &'static [&'static str] = &[
        "ID",
        "Name",
        "Type",
        "Distribution",
        "Slug",
        "Public",
        "MinDisk",
        "Status",
    ];

    fn cell(&self, column: &str) -> String {
        match column {
            "ID" => text(self.id),
            "Name" => text(self.name.as_ref()),
            "Type" => text(self.type_.as_ref()),
            "Distribution" => text(self.distribution.as_ref()),
            "Slug" => text(self.slug.as_ref()),
            "Public" => text(self.public),
            "Regions" => self
                .regions
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            "MinDisk" => text(self.min_disk_size),
            "Size" => self
                .size_gigabytes
                .map(|gb| format!("{gb:.2} GB"))
                .unwrap_or_default(),
            "Status" => text(self.status.as_ref()),
            "Created" => time(self.created_at.as_ref()),
            "Error" => text(self.error_message.as_ref()),
            "Tags" => self.tags.as_deref().unwrap_or_default().join(","),
            _ => String::new(),
        }
    }
}

impl Row for Action {
    const COLUMNS: &'static [&'static str] = &[
        "ID",
        "Status",
        "Type",
        "Started",
        "Completed",
        "Region",
        "ResourceID",
        "ResourceType",
    ];
    const DEFAULT: &'static [&'static str] =
        &["ID", "Status", "Type", "Started", "Completed", "Region"];
    const ALIASES: &'static [(&'static str, &'static str)] =
        &[("StartedAt", "Started"), ("CompletedAt", "Completed")];

    fn cell(&self, column: &str) -> String {
        match column {
            "ID" => text(self.id),
            "Status" => text(self.status.as_ref()),
            "Type" => text(self.type_.as_ref()),
            "Started" => time(self.started_at.as_ref()),
            "Completed" => time(self.completed_at.as_ref()),
            "Region" => self
                .region_slug
                .clone()
                .or_else(|| self.region.as_ref().and_then(|r| r.slug.clone()))
                .unwrap_or_default(),
            "ResourceID" => text(self.resource_id),
            "ResourceType" => text(self.resource_type.as_ref()),
            _ => String::new(),
        }
    }
}
