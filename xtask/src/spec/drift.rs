//! The differences between two versions of the API, in words, and what
//! they mean for our crates' versions.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::model::{Api, Field};

/// One difference, under the operation it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `GET /v2/images (images_list)`.
    pub operation: String,
    /// What changed, in words.
    pub what: String,
    /// How it affects the generated crate.
    pub class: Class,
}

/// A semver class, ordered from nothing to breaking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Nothing a user's code sees changes.
    None,
    /// New things only: existing code keeps compiling.
    Additive,
    /// Existing code may stop compiling or behave differently.
    Breaking,
}

impl Class {
    /// The word for it.
    pub fn word(self) -> &'static str {
        match self {
            Class::None => "none",
            Class::Additive => "additive",
            Class::Breaking => "breaking",
        }
    }
}

/// Every difference from `old` to `new`.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut changes = Vec::new();
    let keys: BTreeSet<&String> = old.operations.keys().chain(new.operations.keys()).collect();
    for key in keys {
        let label = |id: &str| format!("{key} ({id})");
        match (old.operations.get(key), new.operations.get(key)) {
            (None, Some(op)) => changes.push(Change {
                operation: label(&op.id),
                what: "operation added".into(),
                class: Class::Additive,
            }),
            (Some(op), None) => changes.push(Change {
                operation: label(&op.id),
                what: "operation removed".into(),
                class: Class::Breaking,
            }),
            (Some(before), Some(after)) => {
                let operation = label(&after.id);
                let mut push = |what: String, class: Class| {
                    changes.push(Change {
                        operation: operation.clone(),
                        what,
                        class,
                    })
                };
                if before.id != after.id {
                    push(
                        format!("operationId `{}` became `{}`", before.id, after.id),
                        Class::Breaking,
                    );
                }
                for status in after.statuses.difference(&before.statuses) {
                    push(format!("response {status} added"), status_class(status));
                }
                for status in before.statuses.difference(&after.statuses) {
                    push(format!("response {status} removed"), status_class(status));
                }
                compare(
                    &before.parameters,
                    &after.parameters,
                    "parameter",
                    true,
                    &mut push,
                );
                compare(&before.fields, &after.fields, "field", false, &mut push);
            }
            (None, None) => unreachable!("the key came from one of them"),
        }
    }
    changes
}

/// A success status changes the answer's type; an error one does not.
fn status_class(status: &str) -> Class {
    if status.starts_with('2') {
        Class::Breaking
    } else {
        Class::None
    }
}

fn compare(
    before: &std::collections::BTreeMap<String, Field>,
    after: &std::collections::BTreeMap<String, Field>,
    noun: &str,
    parameters: bool,
    push: &mut impl FnMut(String, Class),
) {
    for (name, field) in after {
        match before.get(name) {
            None => {
                // A new optional parameter is a new builder method; a new
                // field is a new struct field, which breaks struct literals
                // (the models are exhaustive: crates/do-images-api/MODELS.md).
                let class = if parameters && !field.required {
                    Class::Additive
                } else {
                    Class::Breaking
                };
                push(format!("{noun} `{name}` added: {}", summary(field)), class);
            }
            Some(old) if old != field => {
                if old.ty != field.ty {
                    push(
                        format!("{noun} `{name}`: type `{}` became `{}`", old.ty, field.ty),
                        Class::Breaking,
                    );
                }
                if old.required != field.required {
                    let word = if field.required {
                        "now required"
                    } else {
                        "now optional"
                    };
                    push(format!("{noun} `{name}` {word}"), Class::Breaking);
                }
                let added: Vec<_> = field
                    .values
                    .iter()
                    .filter(|v| !old.values.contains(v))
                    .collect();
                let removed: Vec<_> = old
                    .values
                    .iter()
                    .filter(|v| !field.values.contains(v))
                    .collect();
                if !added.is_empty() {
                    // The enums are open and #[non_exhaustive]: a new
                    // variant breaks no match.
                    push(
                        format!("{noun} `{name}`: enum value(s) {} added", quoted(&added)),
                        Class::Additive,
                    );
                }
                if !removed.is_empty() {
                    push(
                        format!(
                            "{noun} `{name}`: enum value(s) {} removed",
                            quoted(&removed)
                        ),
                        Class::Breaking,
                    );
                }
            }
            Some(_) => {}
        }
    }
    for (name, field) in before {
        if !after.contains_key(name) {
            push(
                format!("{noun} `{name}` removed (was {})", summary(field)),
                Class::Breaking,
            );
        }
    }
}

fn quoted(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary(field: &Field) -> String {
    let mut text = format!(
        "{}, {}",
        field.ty,
        if field.required {
            "required"
        } else {
            "optional"
        }
    );
    if !field.values.is_empty() {
        let values: Vec<&String> = field.values.iter().collect();
        let _ = write!(text, ", one of {}", quoted(&values));
    }
    text
}

/// The strongest class among `changes`.
pub fn class_of(changes: &[Change]) -> Class {
    changes.iter().map(|c| c.class).max().unwrap_or(Class::None)
}
