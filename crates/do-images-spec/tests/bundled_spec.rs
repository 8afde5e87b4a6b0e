//! The spec that ships with the project is whole and its examples fit it.

use do_images_spec::{ResponseSchema, Spec, SpecError, Strictness};
use serde_json::json;

fn spec() -> Spec {
    Spec::bundled().expect("spec/images.yaml parses")
}

#[test]
fn has_the_twelve_operations() {
    // In upstream's order, which is not ours: compared as a set.
    let mut ids: Vec<_> = spec()
        .operations()
        .iter()
        .map(|op| op.id.to_string())
        .collect();
    ids.sort();
    let mut expected = [
        "images_list",
        "images_create_custom",
        "images_get",
        "images_update",
        "images_delete",
        "image_actions_list",
        "image_actions_post",
        "image_actions_get",
        "image_account_transfers_create",
        "image_account_transfers_accept",
        "image_account_transfers_cancel",
        "image_account_transfers_decline",
    ];
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn every_reference_resolves() {
    assert_eq!(spec().unresolved_references(), Vec::<String>::new());
}

#[test]
fn every_example_fits_its_schema() {
    assert_eq!(spec().example_problems(), Vec::<String>::new());
}

#[test]
fn a_wrong_value_is_reported_with_its_path() {
    let err = spec()
        .validate_schema(
            "image",
            &json!({"id": "seven", "regions": [3]}),
            Strictness::AsWritten,
        )
        .unwrap_err();
    let SpecError::Mismatch { problems, .. } = err else {
        panic!("expected a mismatch, got {err}");
    };
    assert!(problems.iter().any(|p| p.contains("/id")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("/regions/0")),
        "{problems:?}"
    );
}

#[test]
fn nullable_fields_accept_null_and_strictness_catches_extra_fields() {
    let spec = spec();
    let image = json!({
        "id": 1, "name": "n", "distribution": "Ubuntu", "regions": [],
        "created_at": "2024-01-01T00:00:00Z", "description": "", "tags": [],
        "status": "available", "error_message": "", "slug": null, "min_disk_size": null
    });
    spec.validate_schema("image", &image, Strictness::NoExtraProperties)
        .unwrap();
    let mut extra = image.clone();
    extra["colour"] = json!("blue");
    spec.validate_schema("image", &extra, Strictness::AsWritten)
        .unwrap();
    assert!(
        spec.validate_schema("image", &extra, Strictness::NoExtraProperties)
            .is_err()
    );
}

#[test]
fn responses_are_found_by_code_range_or_default() {
    let spec = spec();
    assert_eq!(
        spec.response_schema("images_delete", 204).unwrap(),
        ResponseSchema::NoContent
    );
    let error = json!({"id": "unprocessable_entity", "message": "name is required"});
    // 422 is not listed: it falls to `default`, which is the error schema.
    spec.validate_response(
        "images_create_custom",
        422,
        &error,
        Strictness::NoExtraProperties,
    )
    .unwrap();
    assert!(
        spec.validate_response("images_get", 200, &error, Strictness::AsWritten)
            .is_err()
    );
}

#[test]
fn a_broken_example_is_caught() {
    let text =
        do_images_spec::BUNDLED_YAML.replace("min_disk_size: 20\n", "min_disk_size: twenty\n");
    assert_ne!(
        text,
        do_images_spec::BUNDLED_YAML,
        "the edit must change the spec"
    );
    let problems = Spec::from_yaml(&text).unwrap().example_problems();
    assert!(
        problems.iter().any(|p| p.contains("min_disk_size")),
        "{problems:?}"
    );
}
