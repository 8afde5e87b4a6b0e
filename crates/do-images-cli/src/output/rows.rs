//! Images and actions as table rows.

use do_images::{Action, Image};

use super::Row;

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn time(value: &chrono::DateTime<chrono::Utc>) -> String {
    value.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
            "ID" => self.id.to_string(),
            "Name" => self.name.clone(),
            "Type" => text(self.type_.as_ref()),
            "Distribution" => self.distribution.to_string(),
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
            "Status" => self.status.to_string(),
            "Created" => time(&self.created_at),
            "Error" => self.error_message.clone(),
            "Tags" => self.tags.join(","),
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
            "ID" => self.id.to_string(),
            "Status" => self.status.to_string(),
            "Type" => self.type_.clone(),
            "Started" => time(&self.started_at),
            "Completed" => self.completed_at.as_ref().map(time).unwrap_or_default(),
            "Region" => self
                .region_slug
                .clone()
                .unwrap_or_else(|| self.region.slug.clone()),
            "ResourceID" => text(self.resource_id),
            "ResourceType" => self.resource_type.clone(),
            _ => String::new(),
        }
    }
}
