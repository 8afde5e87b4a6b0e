//! What the store holds, read from its directory: the objects of the bucket
//! and the multipart uploads neither completed nor aborted.
//!
//! `s3s-fs` keeps an object at `{root}/{bucket}/{key}`, an upload's
//! marker at `{root}/.upload-{id}.json`, its key in
//! `{root}/.bucket-{b64(bucket)}.object-{b64(key)}.upload-{id}.metadata.json`
//! and its parts at `{root}/.upload_id-{id}.part-{n}`.

use std::path::Path;

/// An object in the bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredObject {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A multipart upload that was started and neither completed nor aborted:
/// its parts still take up storage.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUpload {
    /// The upload id the store gave it.
    pub upload_id: String,
    /// The key it uploads to (empty if the store lost track of it).
    pub key: String,
    /// How many parts it holds.
    pub parts: usize,
}

/// Every object under `bucket_dir`, sorted by key.
pub(crate) fn objects(bucket_dir: &Path) -> Vec<StoredObject> {
    let mut found = Vec::new();
    collect_objects(bucket_dir, "", &mut found);
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}

fn collect_objects(dir: &Path, prefix: &str, found: &mut Vec<StoredObject>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = format!("{prefix}{name}");
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_objects(&entry.path(), &format!("{key}/"), found);
        } else if let Ok(metadata) = entry.metadata() {
            found.push(StoredObject {
                key,
                size: metadata.len(),
            });
        }
    }
}

/// Every multipart upload in progress in the store rooted at `root`.
pub(crate) fn multipart_uploads(root: &Path) -> Vec<MultipartUpload> {
    let names: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut uploads: Vec<MultipartUpload> = names
        .iter()
        .filter_map(|name| name.strip_prefix(".upload-")?.strip_suffix(".json"))
        .map(|id| MultipartUpload {
            upload_id: id.to_string(),
            key: key_of_upload(&names, id).unwrap_or_default(),
            parts: names
                .iter()
                .filter(|n| n.starts_with(&format!(".upload_id-{id}.part-")))
                .count(),
        })
        .collect();
    uploads.sort_by(|a, b| a.key.cmp(&b.key).then(a.upload_id.cmp(&b.upload_id)));
    uploads
}

fn key_of_upload(names: &[String], id: &str) -> Option<String> {
    let suffix = format!(".upload-{id}.metadata.json");
    names.iter().find_map(|name| {
        let encoded = name.strip_suffix(&suffix)?.split_once(".object-")?.1;
        let bytes = base64_simd::URL_SAFE_NO_PAD.decode_to_vec(encoded).ok()?;
        String::from_utf8(bytes).ok()
    })
}
