//! `spec update` against fixtures: the vendored upstream with one deliberate
//! change each, applied at test time to a scratch copy. What a fixture adds
//! is named `fixture...`, so that the tests still hold after upstream adds
//! something of its own with a plain name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::build::UPSTREAM_DIR;
use super::update::{self, Options};
use crate::generate::{GENERATED_CLIENT, GENERATED_ENUMS};
use crate::test_support::copy_dir;

const IMAGE: &str = "specification/resources/images/models/image.yml";
const ROOT_DOC: &str = "specification/DigitalOcean-public.v2.yaml";

fn workspace() -> PathBuf {
    crate::workspace_root()
}

/// A scratch workspace (the spec, and the hand-written sources that call
/// the client) and a checkout made from the vendored upstream with `edits`
/// (file, text, replacement) applied.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    checkout: PathBuf,
}

impl Fixture {
    fn new(edits: &[(&str, &str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        copy_dir(&workspace().join("spec"), &root.join("spec"));
        for caller in super::depended::CALLERS {
            copy_dir(&workspace().join(caller), &root.join(caller));
        }
        for file in crate::generate::generate_from(&workspace()).unwrap() {
            let path = root.join(file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file.contents).unwrap();
        }
        let checkout = dir.path().join("openapi");
        copy_dir(&workspace().join(UPSTREAM_DIR), &checkout);
        for (file, from, to) in edits {
            let path = checkout.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let edited = text.replacen(from, to, 1);
            assert_ne!(edited, text, "the edit of {file} must apply");
            std::fs::write(path, edited).unwrap();
        }
        Self {
            _dir: dir,
            root,
            checkout,
        }
    }

    fn options(&self, from: PathBuf) -> Options {
        Options {
            from,
            report: self.root.join("target/report.md"),
            commit: Some("f1x7e5f1x7e5f1x7e5".into()),
            date: Some("2026-12-01".into()),
        }
    }

    /// Every file of the scratch workspace, for "nothing changed".
    fn tree(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                if entry.path().is_dir() {
                    walk(&entry.path(), out);
                } else {
                    out.insert(entry.path(), std::fs::read(entry.path()).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.root, &mut out);
        out
    }

    /// Runs the update; the report on success.
    fn update(&self) -> anyhow::Result<String> {
        let args: Vec<String> = [
            "--from",
            self.checkout.to_str().unwrap(),
            "--commit",
            "f1x7e5",
            "--date",
            "2026-12-01",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            "--report".into(),
            self.root.join("target/report.md").display().to_string(),
        ])
        .collect();
        update::run(&self.root, &args)?;
        Ok(std::fs::read_to_string(self.root.join("target/report.md")).unwrap())
    }

    fn generated(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// Runs an update that must fail; its message, after checking that
    /// nothing changed.
    fn refused(&self) -> String {
        let before = self.tree();
        let error = format!(
            "{:#}",
            self.update().expect_err("the update must be refused")
        );
        assert!(before == self.tree(), "a refused update changed the tree");
        error
    }
}

#[test]
fn the_vendored_commit_changes_nothing_and_reports_no_drift() {
    let fixture = Fixture::new(&[]);
    let before = fixture.tree();
    let report = fixture.update().unwrap();
    let mut after = fixture.tree();
    after.remove(&fixture.root.join("target/report.md"));
    // SOURCE too: a newer commit whose Images files are the same leaves
    // spec/upstream/ alone, so the scheduled update opens no pull request.
    assert!(before == after, "files changed");
    assert!(
        report.contains("byte for byte the vendored ones"),
        "{report}"
    );
    assert!(
        report.contains("No change in the Images operations."),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **none**"), "{report}");
    assert!(
        report.contains("None: every correction still changes"),
        "{report}"
    );
}

#[test]
fn a_new_optional_field_on_image_is_reported_breaking_and_generated() {
    let fixture = Fixture::new(&[(
        IMAGE,
        "  error_message:\n",
        "  fixture_licence_key:\n    type: string\n    description: A key.\n\n  error_message:\n",
    )]);
    let report = fixture.update().unwrap();
    assert!(
        report.contains("### `GET /v2/images (images_list)`"),
        "{report}"
    );
    assert!(
        report.contains(
            "- field `response 200: images[].fixture_licence_key` added: string, optional"
        ),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **breaking**"), "{report}");
    assert!(
        report.contains(
            "Under \"Changed\":\n\n```markdown\n- **Breaking**: `do-images-api`, `do-images`"
        ),
        "{report}"
    );
    assert!(
        fixture
            .generated(GENERATED_CLIENT)
            .contains("pub fixture_licence_key: ::std::option::Option<::std::string::String>")
    );
    let source = std::fs::read_to_string(fixture.root.join("spec/upstream/SOURCE")).unwrap();
    assert!(source.contains("commit: f1x7e5\n"), "{source}");
}

#[test]
fn a_new_required_field_is_reported() {
    let cancel = "specification/resources/images/models/images_post_account_transfer_cancel.yml";
    let decline = "specification/resources/images/models/images_post_account_transfer_decline.yml";
    let field = "    fixture_reason:\n      type: string\n\nrequired:\n  - fixture_reason\n";
    // Upstream's cancel and decline bodies are one type to us: both change.
    let fixture = Fixture::new(&[
        (cancel, "required:\n", field),
        (decline, "required:\n", field),
    ]);
    let report = fixture.update().unwrap();
    assert!(report.contains("### `POST /v2/images/{image_id}/account_transfer/cancel (images_post_account_transfer_cancel; method `image_account_transfers_cancel`)`"), "{report}");
    assert!(
        report.contains("field `request: fixture_reason` added: string, required"),
        "{report}"
    );
    assert!(report.contains("**breaking**"), "{report}");
}

#[test]
fn a_removed_field_is_reported_breaking() {
    let error = "specification/shared/models/error.yml";
    let example = "specification/shared/responses/bad_request.yml";
    let fixture = Fixture::new(&[
        (error, "  request_id:\n", "  unused_id:\n"),
        (
            example,
            "      request_id: 4851a473-1621-42ea-b2f9-5071c0ea8414\n",
            "",
        ),
    ]);
    let report = fixture.update().unwrap();
    assert!(
        report.contains("field `response 404: request_id` removed (was string, optional)"),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **breaking**"), "{report}");
}

#[test]
fn a_new_enum_value_is_additive_and_a_named_variant() {
    let fixture = Fixture::new(&[(
        IMAGE,
        "      - retired\n",
        "      - retired\n      - fixture-archived\n",
    )]);
    let report = fixture.update().unwrap();
    assert!(
        report
            .contains("field `response 200: image.status`: enum value(s) `fixture-archived` added"),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **additive**"), "{report}");
    assert!(
        fixture
            .generated(GENERATED_ENUMS)
            .contains("    FixtureArchived,")
    );
}

#[test]
fn a_new_operation_is_additive_and_callable() {
    let path = "  /v2/images/{image_id}/actions:\n";
    let added = "  /v2/images/{image_id}/fixture-export:\n    post:\n      operationId: fixture_images_export\n      \
                 parameters:\n        - $ref: 'resources/images/parameters.yml#/image_id'\n      \
                 responses:\n        '204':\n          $ref: 'shared/responses/no_content.yml'\n\n";
    let fixture = Fixture::new(&[(ROOT_DOC, path, &format!("{added}{path}"))]);
    let report = fixture.update().unwrap();
    assert!(
        report.contains(
            "### `POST /v2/images/{image_id}/fixture-export (fixture_images_export)`\n\n- operation added"
        ),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **additive**"), "{report}");
    assert!(
        fixture
            .generated(GENERATED_CLIENT)
            .contains("pub fn fixture_images_export(")
    );
}

#[test]
fn an_operation_the_crates_call_cannot_be_removed() {
    let fixture = Fixture::new(&[(
        ROOT_DOC,
        "  /v2/images/{image_id}/account_transfer/decline:\n    post:\n      $ref: \"resources/images/images_post_account_transfer_decline.yml\"\n",
        "",
    )]);
    let error = fixture.refused();
    assert!(
        error.contains("upstream removed `image_account_transfers_decline` (POST /v2/images/{image_id}/account_transfer/decline)"),
        "{error}"
    );
}

#[test]
fn a_renamed_parameter_is_a_removal_and_an_addition() {
    let fixture = Fixture::new(&[(
        "specification/resources/images/parameters.yml",
        "name: tag_name",
        "name: tag",
    )]);
    let report = fixture.update().unwrap();
    assert!(
        report.contains("parameter `query tag` added: string, optional"),
        "{report}"
    );
    assert!(
        report.contains("parameter `query tag_name` removed"),
        "{report}"
    );
    assert!(report.contains("**breaking**"), "{report}");
}

#[test]
fn a_reference_that_does_not_resolve_is_refused() {
    let fixture = Fixture::new(&[(
        "specification/resources/images/images_get.yml",
        "responses/existing_image.yml",
        "responses/gone.yml",
    )]);
    let error = fixture.refused();
    assert!(error.contains("`$ref: responses/gone.yml` in specification/resources/images/images_get.yml does not resolve"), "{error}");
}

#[test]
fn an_overlay_action_whose_target_is_gone_is_refused() {
    let fixture = Fixture::new(&[(IMAGE, "  size_gigabytes:\n", "  size_in_gigabytes:\n")]);
    let error = fixture.refused();
    assert!(
        error.contains("(`$.components.schemas.image.properties.size_gigabytes`) selects nothing"),
        "{error}"
    );
}

#[test]
fn a_document_that_does_not_validate_is_refused() {
    let examples = "specification/resources/images/responses/examples.yml";
    let fixture = Fixture::new(&[(examples, "min_disk_size: 20\n", "min_disk_size: twenty\n")]);
    let error = fixture.refused();
    assert!(error.contains("does not validate"), "{error}");
}

#[test]
fn an_overlay_action_upstream_made_unnecessary_is_proposed_for_dropping() {
    let fixture = Fixture::new(&[(IMAGE, "    format: float\n", "    format: double\n")]);
    let report = fixture.update().unwrap();
    assert!(report.contains("propose dropping them"), "{report}");
    assert!(
        report.contains("(`$.components.schemas.image.properties.size_gigabytes`): A double"),
        "{report}"
    );
    assert!(report.contains("`do-images-api`: **none**"), "{report}");
}

#[test]
fn a_single_bundled_document_is_accepted() {
    let fixture = Fixture::new(&[]);
    let bundled = super::bundle::bundle(&fixture.checkout, Path::new(ROOT_DOC)).unwrap();
    let file = fixture.checkout.join("DigitalOcean-public.v2.yaml");
    std::fs::write(&file, super::yaml::render(&bundled.document).unwrap()).unwrap();
    let plan = update::plan(&fixture.root, &fixture.options(file)).unwrap();
    assert!(
        plan.report.contains("No change in the Images operations."),
        "{}",
        plan.report
    );
}
