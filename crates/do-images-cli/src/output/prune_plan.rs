//! A prune's plan as the user sees it: a table (ACTION, ID, NAME, CREATED,
//! AGE, REASON by default) or a JSON [`PlanDocument`].

use std::io::Write;
use std::time::Duration;

use do_images::retention::{PlannedImage, PruneAction, PrunePlan};
use serde::Serialize;

use super::json::write_object;
use super::{OutputOptions, Row};
use crate::args::OutputFormat;
use crate::error::CliError;

/// One image of a plan: what the table and the JSON show of it.
#[derive(Debug, Serialize)]
pub struct PlannedRow {
    /// `delete` or `keep`.
    pub action: &'static str,
    /// The image's id.
    pub id: u64,
    /// The image's name, as the API sent it.
    pub name: String,
    /// `snapshot` or `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The image's status when the plan was made.
    pub status: String,
    /// When the image was created (RFC 3339, UTC).
    pub created_at: String,
    /// How old the image was when the plan was made, in whole seconds.
    pub age_seconds: u64,
    /// Why the plan deletes or keeps it.
    pub reason: String,
}

/// The plan as `-o json` shows it.
#[derive(Debug, Serialize)]
pub struct PlanDocument {
    /// How many images the plan selects (kept or deleted).
    pub selected: usize,
    /// How many images it selected them from: your own images of the types
    /// the prune considers.
    pub considered: usize,
    /// Each selected image, newest first.
    pub images: Vec<PlannedRow>,
}

impl From<&PlannedImage> for PlannedRow {
    fn from(planned: &PlannedImage) -> Self {
        let image = &planned.image;
        Self {
            action: match planned.action {
                PruneAction::Delete => "delete",
                PruneAction::Keep => "keep",
            },
            id: image.id,
            name: image.name.clone(),
            kind: image
                .type_
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            status: image.status.to_string(),
            created_at: image
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            age_seconds: planned.age.as_secs(),
            reason: planned.reason.to_string(),
        }
    }
}

impl Row for PlannedRow {
    const COLUMNS: &'static [&'static str] = &[
        "Action", "ID", "Name", "Type", "Status", "Created", "Age", "Reason",
    ];
    const DEFAULT: &'static [&'static str] = &["Action", "ID", "Name", "Created", "Age", "Reason"];

    fn cell(&self, column: &str) -> String {
        match column {
            "Action" => self.action.to_string(),
            "ID" => self.id.to_string(),
            "Name" => self.name.clone(),
            "Type" => self.kind.clone(),
            "Status" => self.status.clone(),
            "Created" => self.created_at.clone(),
            "Age" => short_age(Duration::from_secs(self.age_seconds)),
            "Reason" => self.reason.clone(),
            _ => String::new(),
        }
    }
}

/// Prints the plan: a table (cells escaped by [`super::Table`]) or a JSON
/// [`PlanDocument`] (hidden characters escaped by the JSON writer).
pub fn write_plan(
    output: &OutputOptions,
    out: &mut impl Write,
    plan: &PrunePlan,
) -> Result<(), CliError> {
    let rows = plan.images().iter().map(PlannedRow::from);
    match output.format {
        OutputFormat::Json => {
            let document = PlanDocument {
                selected: plan.images().len(),
                considered: plan.considered(),
                images: rows.collect(),
            };
            write_object(out, &document)?;
        }
        OutputFormat::Text => {
            let (columns, mut table) = output.table::<PlannedRow>()?;
            for row in rows {
                table.push(columns.cells(&row));
            }
            table.write(out)?;
        }
    }
    Ok(())
}

/// An age in its two largest units: `812d4h`, `5h12m`, `3m20s`, `42s`.
fn short_age(age: Duration) -> String {
    let seconds = age.as_secs();
    let (days, hours) = (seconds / 86_400, seconds % 86_400 / 3_600);
    let (minutes, rest) = (seconds % 3_600 / 60, seconds % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{rest}s"),
        (0, 0, _) => format!("{minutes}m{rest}s"),
        (0, _, _) => format!("{hours}h{minutes}m"),
        _ => format!("{days}d{hours}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_show_their_two_largest_units() {
        let age = |s| short_age(Duration::from_secs(s));
        assert_eq!(age(42), "42s");
        assert_eq!(age(200), "3m20s");
        assert_eq!(age(5 * 3_600 + 12 * 60 + 7), "5h12m");
        assert_eq!(age(812 * 86_400 + 4 * 3_600 + 59), "812d4h");
        assert_eq!(age(30 * 86_400), "30d0h");
    }
}
