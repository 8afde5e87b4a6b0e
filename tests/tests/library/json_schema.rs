//! `do-images`'s `schemars` feature: the JSON Schema derived for `Image`
//! accepts every image the spec shows as an example and every image the
//! sandbox serves (seeded ones and a fresh import), and still rejects what
//! is not an image.

use do_images::Image;
use do_images_e2e::{GOOD_URL, client_for, quick_config, start};
use serde_json::{Value, json};

fn image_validator() -> jsonschema::Validator {
    let schema = serde_json::to_value(schemars::schema_for!(Image)).expect("a schema is JSON");
    jsonschema::validator_for(&schema).expect("the derived schema compiles")
}

fn assert_accepted(validator: &jsonschema::Validator, image: &Value, what: &str) {
    let problems: Vec<String> = validator
        .iter_errors(image)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "the schema of Image rejects {what} {image}:\n{}",
        problems.join("\n")
    );
}

/// Image objects in the spec's examples: `image` members and `images` items.
fn example_images(value: &Value, in_example: bool, found: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let in_example = in_example || key == "example" || key == "value";
                match (in_example, key.as_str(), child) {
                    (true, "image", Value::Object(_)) => found.push(child.clone()),
                    (true, "images", Value::Array(items)) => found.extend(items.iter().cloned()),
                    _ => example_images(child, in_example, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| example_images(item, in_example, found)),
        _ => {}
    }
}

#[test]
fn the_image_schema_accepts_the_specs_examples() {
    let validator = image_validator();
    let spec = do_images_spec::Spec::bundled().expect("the bundled spec loads");
    let mut images = Vec::new();
    example_images(spec.document(), false, &mut images);
    assert!(
        images.len() >= 8,
        "expected the spec's image examples, found {}",
        images.len()
    );
    for image in &images {
        assert_accepted(&validator, image, "the spec's example");
    }
}

#[tokio::test]
async fn the_image_schema_accepts_the_sandboxs_images() {
    let validator = image_validator();
    let sandbox = start(quick_config(300)).await;
    let client = client_for(&sandbox);
    let listed = client
        .images()
        .list()
        .collect_all_json()
        .await
        .expect("the listing");
    assert_eq!(listed.len(), 300);
    for image in &listed {
        assert_accepted(&validator, image, "the sandbox's image");
    }
    let created = client
        .images()
        .create_custom("schema-check", GOOD_URL, "nyc3")
        .send_json()
        .await
        .expect("the import is accepted")
        .into_inner();
    assert_accepted(&validator, &created, "the sandbox's new import");
}

#[test]
fn the_image_schema_rejects_what_is_not_an_image() {
    let validator = image_validator();
    for not_an_image in [
        json!({"id": "7555620"}),
        json!({"regions": "nyc3"}),
        json!({"created_at": 1}),
        json!({"status": 3}),
        json!([]),
    ] {
        assert!(
            !validator.is_valid(&not_an_image),
            "the schema of Image accepts {not_an_image}"
        );
    }
}
