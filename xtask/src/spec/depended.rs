//! Which generated operations the hand-written crates call: an operation
//! upstream removes must not be one of them.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

/// The hand-written sources that call the generated client.
pub const CALLERS: &[&str] = &[
    "crates/do-images/src",
    "crates/do-images-cli/src",
    "crates/do-images-file-import/src",
];

/// The operations of `document` (`POST /v2/images`, operation id) whose
/// generated method (`.images_get(`) a hand-written source calls.
pub fn operations(root: &Path, document: &Value) -> Result<Vec<(String, String)>> {
    let mut text = String::new();
    for dir in CALLERS {
        read_rs(&root.join(dir), &mut text)?;
    }
    let model = super::model::read(document);
    Ok(model
        .operations
        .iter()
        .filter(|(_, o)| text.contains(&format!(".{}(", o.id)))
        .map(|(key, o)| (key.clone(), o.id.clone()))
        .collect())
}

fn read_rs(dir: &Path, text: &mut String) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_rs(&path, text)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}
