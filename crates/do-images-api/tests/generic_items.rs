//! The answer wrappers are generic over the object(s) they carry, the model
//! by default: one page body, decoded once, reads as the models, as
//! `serde_json::Value`s or as the JSON text of each item exactly as sent, and
//! `serde_path_to_error` names the failing field's path in all three.

use do_images_api::types::{ActionEnvelope, Image, ImageEnvelope, ImagesPage};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Value, json};

fn image(id: u64) -> Value {
    json!({"id": id, "name": format!("image-{id}"), "status": "available", "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z", "distribution": "Ubuntu", "description": "",
        "error_message": "", "tags": []})
}

/// A page of three images, the third with `status` replaced by `third_status`.
fn page_body(third_status: Value) -> Vec<u8> {
    let mut third = image(3);
    third["status"] = third_status;
    serde_json::to_vec(&json!({
        "images": [image(1), image(2), third],
        "links": {"pages": {"next": "https://api.digitalocean.com/v2/images?page=2"}},
        "meta": {"total": 5},
    }))
    .unwrap()
}

/// How do-images reads an answer: one pass over the bytes, the path kept.
fn read<T: DeserializeOwned>(
    body: &[u8],
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(body))
}

#[test]
fn one_page_body_reads_as_models_values_and_json_text() {
    let body = page_body(json!("available"));

    let models: ImagesPage = read(&body).unwrap();
    let ids: Vec<u64> = models.images.iter().map(|image| image.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(models.meta.total, 5);

    let values: ImagesPage<Value> = read(&body).unwrap();
    assert_eq!(values.images[2], image(3));
    assert_eq!(values.meta.total, 5);
    assert!(values.links.unwrap().pages.unwrap().next.is_some());

    let texts: ImagesPage<Box<RawValue>> = read(&body).unwrap();
    assert_eq!(texts.images.len(), 3);
    assert_eq!(
        texts.images[0].get(),
        serde_json::to_string(&image(1)).unwrap()
    );
    assert_eq!(texts.meta.total, 5);
}

#[test]
fn a_wrong_field_in_the_third_item_is_named_by_its_path() {
    let body = page_body(json!(7));

    let error = read::<ImagesPage>(&body).unwrap_err();
    assert_eq!(error.path().to_string(), "images[2].status");

    // Read as values or as text, the items are not checked: the same body is
    // fine, and the third item is exactly what was sent.
    let values: ImagesPage<Value> = read(&body).unwrap();
    assert_eq!(values.images[2]["status"], 7);
    let texts: ImagesPage<Box<RawValue>> = read(&body).unwrap();
    assert!(
        texts.images[2].get().contains(r#""status":7"#),
        "{}",
        texts.images[2]
    );
}

#[test]
fn the_page_fields_are_checked_and_named_whatever_the_items_are_read_as() {
    let mut page: Value = serde_json::from_slice(&page_body(json!("available"))).unwrap();
    page["meta"]["total"] = json!("five");
    let body = serde_json::to_vec(&page).unwrap();
    let error = read::<ImagesPage<Box<RawValue>>>(&body).unwrap_err();
    assert_eq!(error.path().to_string(), "meta.total");
    let error = read::<ImagesPage<Value>>(&body).unwrap_err();
    assert_eq!(error.path().to_string(), "meta.total");

    // A `null` list is still an empty one, however the items are read.
    let empty = br#"{"images": null, "meta": {"total": 0}}"#;
    assert!(
        read::<ImagesPage<Box<RawValue>>>(empty)
            .unwrap()
            .images
            .is_empty()
    );
    assert!(read::<ImagesPage>(empty).unwrap().images.is_empty());
}

#[test]
fn written_bare_a_wrapper_is_over_its_model() {
    let body = serde_json::to_vec(&json!({"image": image(9)})).unwrap();
    let envelope: ImageEnvelope = read(&body).unwrap();
    let model: &Image = &envelope.image;
    assert_eq!(model.id, 9);
    let text: ImageEnvelope<Box<RawValue>> = read(&body).unwrap();
    assert_eq!(text.image.get(), serde_json::to_string(&image(9)).unwrap());

    let error = read::<ActionEnvelope>(br#"{"action": {"id": "x"}}"#).unwrap_err();
    assert_eq!(error.path().to_string(), "action.id");
    let value: ActionEnvelope<Value> = read(br#"{"action": {"id": "x"}}"#).unwrap();
    assert_eq!(value.action["id"], "x");
}
