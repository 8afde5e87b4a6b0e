//! `cargo xtask check`: the committed spec/images.yaml matches what
//! spec/upstream/ and the overlay build, and the generated files match it.

use std::path::Path;

use anyhow::{Result, bail};
use similar::TextDiff;

use crate::generate::generate_from;

/// How many diff lines to print per file before cutting.
const MAX_DIFF_LINES: usize = 80;

/// Regenerates in memory and compares with the files under `root`.
pub fn run(root: &Path) -> Result<()> {
    let stale = stale_files(root)?;
    if stale.is_empty() {
        println!(
            "spec/images.yaml and the generated code match spec/upstream/ and spec/overlay.yaml"
        );
        return Ok(());
    }
    for (path, diff) in &stale {
        eprintln!("{path} differs from what the spec generates:\n{diff}");
    }
    bail!(
        "{} generated file(s) are stale or were edited by hand; run `cargo xtask generate` and commit",
        stale.len()
    )
}

/// Every generated file that differs from the disk, with a unified diff.
pub fn stale_files(root: &Path) -> Result<Vec<(&'static str, String)>> {
    let mut stale = Vec::new();
    for file in generate_from(root)? {
        let on_disk = std::fs::read_to_string(root.join(file.path)).unwrap_or_default();
        if on_disk != file.contents {
            stale.push((file.path, diff(&on_disk, &file.contents, file.path)));
        }
    }
    Ok(stale)
}

fn diff(on_disk: &str, expected: &str, path: &str) -> String {
    let text = TextDiff::from_lines(on_disk, expected)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{path} (committed)"),
            &format!("{path} (from the spec)"),
        )
        .to_string();
    let total = text.lines().count();
    let mut shown: String = text
        .lines()
        .take(MAX_DIFF_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    if total > MAX_DIFF_LINES {
        shown.push_str(&format!("\n... {} more diff lines", total - MAX_DIFF_LINES));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SPEC_PATH;
    use crate::generate::{GENERATED_CLIENT, GENERATED_ENUMS, GENERATED_MOCK, write_all};
    use crate::spec::build::OVERLAY_PATH;
    use crate::test_support::copy_dir;

    /// A throw-away copy of the parts of the workspace the check reads.
    fn scratch_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &crate::workspace_root().join("spec"),
            &dir.path().join("spec"),
        );
        write_all(dir.path()).unwrap();
        dir
    }

    fn edit(path: &Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(path).unwrap();
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "the edit must apply");
        std::fs::write(path, edited).unwrap();
    }

    #[test]
    fn fresh_files_pass() {
        let dir = scratch_copy();
        assert!(stale_files(dir.path()).unwrap().is_empty());
        run(dir.path()).unwrap();
    }

    #[test]
    fn a_hand_edit_is_caught_with_a_diff() {
        let dir = scratch_copy();
        let target = dir.path().join(GENERATED_ENUMS);
        let text = std::fs::read_to_string(&target).unwrap();
        std::fs::write(&target, text.replacen("Ams1", "Amsterdam1", 1)).unwrap();
        let stale = stale_files(dir.path()).unwrap();
        assert_eq!(stale.len(), 1);
        assert!(stale[0].1.contains("-    Amsterdam1"), "{}", stale[0].1);
        assert!(run(dir.path()).is_err());
    }

    #[test]
    fn a_hand_edit_of_the_mock_is_caught_with_a_diff() {
        let dir = scratch_copy();
        let target = dir.path().join(GENERATED_MOCK);
        let text = std::fs::read_to_string(&target).unwrap();
        let edited = text.replacen("pub fn not_found(", "pub fn gone(", 1);
        assert_ne!(edited, text, "the edit must apply");
        std::fs::write(&target, edited).unwrap();
        let stale = stale_files(dir.path()).unwrap();
        let paths: Vec<_> = stale.iter().map(|(p, _)| *p).collect();
        assert_eq!(paths, [GENERATED_MOCK]);
        assert!(
            stale[0].1.contains("-        pub fn gone("),
            "{}",
            stale[0].1
        );
        assert!(
            stale[0].1.contains("+        pub fn not_found("),
            "{}",
            stale[0].1
        );
        assert!(run(dir.path()).is_err());
    }

    #[test]
    fn a_missing_mock_file_is_caught() {
        let dir = scratch_copy();
        std::fs::remove_file(dir.path().join(GENERATED_MOCK)).unwrap();
        let stale = stale_files(dir.path()).unwrap();
        let paths: Vec<_> = stale.iter().map(|(p, _)| *p).collect();
        assert_eq!(paths, [GENERATED_MOCK]);
    }

    #[test]
    fn a_new_response_in_the_overlay_makes_spec_client_and_mock_stale() {
        let dir = scratch_copy();
        // A documented 410 on DELETE: a new match arm in the client, a new
        // `gone` answer in the mock.
        std::fs::write(
            dir.path().join(OVERLAY_PATH),
            format!(
                "{}  - target: $.paths['/v2/images/{{image_id}}'].delete.responses\n    \
                 description: test\n    update: {{'410': {{$ref: '#/components/responses/not_found'}}}}\n",
                std::fs::read_to_string(dir.path().join(OVERLAY_PATH)).unwrap()
            ),
        )
        .unwrap();
        let stale = stale_files(dir.path()).unwrap();
        let paths: Vec<_> = stale.iter().map(|(p, _)| *p).collect();
        assert!(paths.contains(&SPEC_PATH), "{paths:?}");
        assert!(paths.contains(&GENERATED_CLIENT), "{paths:?}");
        assert!(paths.contains(&GENERATED_MOCK), "{paths:?}");
        let mock_diff = &stale.iter().find(|(p, _)| *p == GENERATED_MOCK).unwrap().1;
        assert!(mock_diff.contains("+        pub fn gone("), "{mock_diff}");
    }

    #[test]
    fn an_upstream_change_without_regeneration_is_caught() {
        let dir = scratch_copy();
        let image = "spec/upstream/specification/resources/images/models/image.yml";
        edit(
            &dir.path().join(image),
            "      - retired\n",
            "      - retired\n      - fixture-archived\n",
        );
        let stale = stale_files(dir.path()).unwrap();
        let paths: Vec<_> = stale.iter().map(|(p, _)| *p).collect();
        assert!(paths.contains(&SPEC_PATH), "{paths:?}");
        assert!(paths.contains(&GENERATED_ENUMS), "{paths:?}");
        assert!(
            stale
                .iter()
                .any(|(_, d)| d.contains("+    FixtureArchived"))
        );
    }

    #[test]
    fn a_hand_edit_of_the_built_spec_is_caught() {
        let dir = scratch_copy();
        edit(&dir.path().join(SPEC_PATH), "- NEW\n", "- NEWER\n");
        let stale = stale_files(dir.path()).unwrap();
        let paths: Vec<_> = stale.iter().map(|(p, _)| *p).collect();
        assert_eq!(paths, [SPEC_PATH]);
    }
}
