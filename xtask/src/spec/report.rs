//! The drift report: a pull request body in Markdown.

use std::fmt::Write as _;

use super::build::Built;
use super::drift::{self, Change, Class};
use super::model;
use super::source::Source;

/// The report of an update from `old` (vendored from `old_source`) to
/// `new`.
pub fn render(
    old_source: &Source,
    old: &Built,
    new_source: &Source,
    new: &Built,
    unchanged: bool,
) -> String {
    let ours_now = model::read(&new.document);
    let mut upstream = drift::diff(&model::read(&old.upstream), &model::read(&new.upstream));
    // Upstream's operation ids, with the generated method where the overlay
    // renames it.
    for change in &mut upstream {
        if let Some((key, id)) = change.operation.rsplit_once(" (")
            && let Some(op) = ours_now.operations.get(key)
            && format!("{})", op.id) != id
        {
            change.operation = format!("{key} ({}; method `{}`)", id.trim_end_matches(')'), op.id);
        }
    }
    let ours = drift::diff(&model::read(&old.document), &ours_now);
    let mut out = String::new();
    let _ = writeln!(out, "# DigitalOcean API drift: Images\n");
    let _ = writeln!(
        out,
        "Upstream `{}` ({}), was `{}` ({}).\n",
        short(&new_source.commit),
        new_source.date,
        short(&old_source.commit),
        old_source.date
    );
    if unchanged {
        let _ = writeln!(
            out,
            "The files the Images operations reach are byte for byte the vendored ones; spec/upstream/ stays at `{}`.\n",
            short(&old_source.commit)
        );
    }
    let _ = writeln!(out, "## What upstream changed\n");
    if upstream.is_empty() {
        let _ = writeln!(out, "No change in the Images operations.\n");
    } else {
        write_changes(&mut out, &upstream);
    }
    let _ = writeln!(out, "## Overlay actions that change nothing any more\n");
    if new.idle.is_empty() {
        let _ = writeln!(
            out,
            "None: every correction still changes upstream's document.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "Upstream now says what these say; propose dropping them from spec/overlay.yaml:\n"
        );
        for number in &new.idle {
            let action = &new.overlay.actions[number - 1];
            let _ = writeln!(
                out,
                "- {}: {}",
                action.label(),
                first_line(&action.description)
            );
        }
        out.push('\n');
    }
    let class = drift::class_of(&ours);
    let _ = writeln!(out, "## Semver\n");
    let reason = reason(&ours, class);
    let _ = writeln!(out, "- `do-images-api`: **{}**. {reason}", class.word());
    let _ = writeln!(
        out,
        "- `do-images`: **{}**. It re-exports the generated models and client (`do_images::api`, `Client::api()`), so it moves with `do-images-api`.\n",
        class.word()
    );
    let _ = writeln!(out, "## CHANGELOG\n");
    let _ = writeln!(out, "{}", changelog_line(&ours, &new_source.commit, class));
    out
}

fn write_changes(out: &mut String, changes: &[Change]) {
    let mut current = "";
    for change in changes {
        if change.operation != current {
            if !current.is_empty() {
                out.push('\n');
            }
            current = &change.operation;
            let _ = writeln!(out, "### `{current}`\n");
        }
        let _ = writeln!(out, "- {}", change.what);
    }
    out.push('\n');
}

fn reason(changes: &[Change], class: Class) -> String {
    let deciding: Vec<&Change> = changes.iter().filter(|c| c.class == class).collect();
    match class {
        Class::None => "The generated types and methods are unchanged.".into(),
        Class::Additive => format!(
            "Only additions: {} (new enum values are new variants of open, `#[non_exhaustive]` enums).",
            listing(&deciding)
        ),
        Class::Breaking => format!(
            "{} (a new field breaks struct literals of the exhaustive models, do_images_api::models).",
            listing(&deciding)
        ),
    }
}

fn listing(changes: &[&Change]) -> String {
    let shown: Vec<String> = changes
        .iter()
        .take(3)
        .map(|c| format!("{}: {}", c.operation, c.what))
        .collect();
    let more = changes.len().saturating_sub(shown.len());
    let mut text = shown.join("; ");
    if more > 0 {
        let _ = write!(text, "; and {more} more");
    }
    text
}

fn changelog_line(changes: &[Change], commit: &str, class: Class) -> String {
    if changes.is_empty() {
        return "Nothing to add.".into();
    }
    let (section, mark) = match class {
        Class::Breaking => ("Changed", "**Breaking**: "),
        _ => ("Added", ""),
    };
    let mut what: Vec<String> = Vec::new();
    for change in changes {
        let item = format!("{} ({})", change.what, change.operation);
        if !what.contains(&item) {
            what.push(item);
        }
    }
    format!(
        "Under \"{section}\":\n\n```markdown\n- {mark}`do-images-api`, `do-images`: the API description follows \
         DigitalOcean's at `{}`: {}.\n```",
        short(commit),
        what.join("; ")
    )
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
