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
    /// doctl's columns in doctl's order, then doimg's Status.
    const DEFAULT: &'static [&'static str] = &[
        "ID",
        "Name",
        "Type",
        "Distribution",
        "Slug",
        "Public",
        "MinDisk",
        "Created",
        "Status",
    ];

    /// doctl's header texts.
    fn header(column: &str) -> String {
        match column {
            "MinDisk" => "Min Disk".into(),
            other => other.into(),
        }
    }

    fn cell(&self, column: &str) -> String {
        match column {
            "ID" => self.id.to_string(),
            "Name" => self.name.clone(),
            "Type" => text(self.type_.as_ref()),
            "Distribution" => self.distribution.to_string(),
            "Slug" => text(self.slug.as_ref()),
            // doctl prints what its Go struct holds: false and 0 when the
            // API sent nothing.
            "Public" => self.public.unwrap_or(false).to_string(),
            "Regions" => self
                .regions
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            "MinDisk" => self.min_disk_size.unwrap_or(0).to_string(),
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
    /// doctl's columns, in doctl's order; every one is shown by default.
    const COLUMNS: &'static [&'static str] = &[
        "ID",
        "Status",
        "Type",
        "StartedAt",
        "CompletedAt",
        "ResourceID",
        "ResourceType",
        "Region",
    ];
    const DEFAULT: &'static [&'static str] = Self::COLUMNS;
    const ALIASES: &'static [(&'static str, &'static str)] =
        &[("Started", "StartedAt"), ("Completed", "CompletedAt")];

    /// doctl's header texts.
    fn header(column: &str) -> String {
        match column {
            "StartedAt" => "Started At".into(),
            "CompletedAt" => "Completed At".into(),
            "ResourceID" => "Resource ID".into(),
            "ResourceType" => "Resource Type".into(),
            other => other.into(),
        }
    }

    fn cell(&self, column: &str) -> String {
        match column {
            "ID" => self.id.to_string(),
            "Status" => self.status.to_string(),
            "Type" => self.type_.clone(),
            "StartedAt" => time(&self.started_at),
            "CompletedAt" => self.completed_at.as_ref().map(time).unwrap_or_default(),
            "Region" => self
                .region_slug
                .clone()
                .unwrap_or_else(|| self.region.slug.clone()),
            "ResourceID" => self.resource_id.unwrap_or(0).to_string(),
            "ResourceType" => self.resource_type.clone(),
            _ => String::new(),
        }
    }
}
