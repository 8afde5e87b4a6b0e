//! Decoding an answer's body into the result type the caller chose.
//!
//! Every call of this crate reads its answer's body once, here, into any
//! `T: DeserializeOwned`: a model such as [`Image`](crate::Image),
//! [`serde_json::Value`] for the object exactly as the API sent it (every
//! field, `null`s, fields the spec does not know), or
//! `Box<`[`RawValue`]`>` for its bytes, untouched. The envelope (`{"image":
//! ...}`, a page's `meta` and `links`) is walked without building a tree:
//! its members are borrowed as raw JSON and only the object the caller wants
//! is decoded.

use std::any::{Any, TypeId};
use std::fmt;

use do_images_api::types::PageLinksPages;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Why a body could not be decoded into what the caller asked for.
pub(crate) struct Undecodable {
    /// What was wrong, and where.
    pub(crate) reason: String,
    /// The item of a listing that failed, shown in the error instead of the
    /// start of the page.
    pub(crate) item: Option<String>,
}

impl From<String> for Undecodable {
    fn from(reason: String) -> Self {
        Self { reason, item: None }
    }
}

/// The object under `key` of an envelope such as `{"image": {...}}`, as raw
/// JSON borrowed from `body`; it must be an object.
pub(crate) fn member<'a>(body: &'a [u8], key: &'static str) -> Result<&'a RawValue, String> {
    let mut members: Members<'a> = Members::new(&[key]);
    deserialize_map(body, &mut members)?;
    let value = members
        .take(key)
        .ok_or_else(|| format!("missing field `{key}`"))?;
    if !value.get().starts_with('{') {
        return Err(format!("`{key}` is not an object"));
    }
    Ok(value)
}

/// One page of a listing, its items still raw JSON borrowed from the body.
pub(crate) struct RawPage<'a> {
    /// The elements of the items array, each exactly as sent.
    pub(crate) items: Vec<&'a RawValue>,
    /// `meta.total`.
    pub(crate) total: u64,
    /// `links.pages`, empty when absent or `null`.
    pub(crate) links: PageLinksPages,
}

/// A page envelope: the array `items_key`, `meta.total` and `links.pages`.
/// The error says what is missing or malformed.
pub(crate) fn page<'a>(body: &'a [u8], items_key: &'static str) -> Result<RawPage<'a>, String> {
    let mut members: Members<'a> = Members::new(&["meta", "links"]);
    members.list = Some((items_key, None));
    let read = deserialize_map(body, &mut members);
    if members.reading == Some(items_key) {
        return Err(format!("`{items_key}` is not an array"));
    }
    read?;
    let items = members
        .list
        .take()
        .and_then(|(_, items)| items)
        .ok_or_else(|| format!("missing field `{items_key}`"))?;
    let meta = members.take("meta").ok_or("missing field `meta`")?;
    let total = match serde_json::from_str::<Meta>(meta.get()) {
        Ok(Meta { total: Some(total) }) => total,
        Ok(Meta { total: None }) => return Err("missing field `meta.total`".into()),
        Err(_) => return Err("`meta.total` is not an integer".into()),
    };
    let links = match members.take("links") {
        None => PageLinksPages::default(),
        Some(links) => serde_json::from_str::<Links>(links.get())
            .map_err(|e| format!("`links` is not the documented object: {e}"))?
            .map(|links| links.pages.unwrap_or_default())
            .unwrap_or_default(),
    };
    Ok(RawPage {
        items,
        total: u64::try_from(total).unwrap_or(0),
        links,
    })
}

#[derive(Deserialize)]
struct Meta {
    total: Option<i64>,
}

type Links = Option<LinksBody>;

#[derive(Deserialize)]
struct LinksBody {
    pages: Option<PageLinksPages>,
}

/// How many `null`s one object may have dropped (see [`object`]).
const MAX_REPAIRS: usize = 64;

/// Decodes one object into `T`. When that fails on a `null` member, the
/// member is dropped and decoding is tried again: an array field then
/// decodes as empty, an optional one as `None` (and a required one fails
/// as missing). Only the failing members are touched. (Timestamps need no
/// such help: the models read every RFC 3339 form, `t`, `z`, a space,
/// leap seconds and any number of decimals included.) Otherwise the reason
/// names the field (`regions`, `tags[2]`, ...) and what was wrong.
pub(crate) fn object<T: DeserializeOwned + 'static>(raw: &RawValue) -> Result<T, String> {
    if let Some(copy) = raw_copy(raw) {
        return Ok(copy);
    }
    let plain = match serde_json::from_str(raw.get()) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(raw.get()) else {
        return Err(plain.to_string());
    };
    for _ in 0..MAX_REPAIRS {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(decoded) => return Ok(decoded),
            Err(error) => error,
        };
        if !repair(&mut value, error.path()) {
            return Err(match error.path().iter().next() {
                None => plain.to_string(),
                Some(_) => format!("field `{}`: {}", error.path(), error.inner()),
            });
        }
    }
    Err(format!("more than {MAX_REPAIRS} odd values"))
}

/// When `T` is `Box<RawValue>`, the object's bytes copied: they were
/// checked when the body was read, and need no second pass.
fn raw_copy<T: 'static>(raw: &RawValue) -> Option<T> {
    if TypeId::of::<T>() != TypeId::of::<Box<RawValue>>() {
        return None;
    }
    let copy: Box<dyn Any> = Box::new(raw.to_owned());
    copy.downcast::<T>().ok().map(|copy| *copy)
}

/// Drops the member at `path` if it is `null` (see [`object`]); false when
/// it is not.
fn repair(root: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_json::Value;
    let segments: Vec<_> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut parent = &mut *root;
    for segment in parents {
        let Some(next) = step(parent, segment) else {
            return false;
        };
        parent = next;
    }
    let (Value::Object(members), serde_path_to_error::Segment::Map { key }) = (parent, last) else {
        return false;
    };
    let is_null = matches!(members.get(key), Some(Value::Null));
    if is_null {
        members.remove(key);
    }
    is_null
}

/// The member or element `segment` names.
fn step<'v>(
    value: &'v mut serde_json::Value,
    segment: &serde_path_to_error::Segment,
) -> Option<&'v mut serde_json::Value> {
    use serde_path_to_error::Segment;
    match segment {
        Segment::Map { key } => value.get_mut(key.as_str()),
        Segment::Seq { index } => value.get_mut(*index),
        _ => None,
    }
}

/// The item at `position` (counting from 1) of a listing, decoded into `T`;
/// the error names the position, the item's `id` when it can be read, and
/// the field.
pub(crate) fn listed_item<T: DeserializeOwned + 'static>(
    raw: &RawValue,
    position: u64,
) -> Result<T, Undecodable> {
    object(raw).map_err(|reason| {
        let id = serde_json::from_str::<IdProbe>(raw.get())
            .ok()
            .and_then(|probe| probe.id)
            .filter(|id| !matches!(id, IdValue::Other(_)))
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        Undecodable {
            reason: format!("item {position} of the listing{id} cannot be decoded: {reason}"),
            item: Some(raw.get().to_string()),
        }
    })
}

/// The `id` of an object, when it is a number or a string, whatever the
/// result type: for error messages, and for the id of a created image or
/// action.
#[derive(Deserialize)]
pub(crate) struct IdProbe {
    #[serde(default)]
    id: Option<IdValue>,
}

impl IdProbe {
    /// The id, when it is a positive integer.
    pub(crate) fn positive(&self) -> Option<u64> {
        match &self.id {
            Some(IdValue::Number(number)) => number.as_u64().filter(|id| *id > 0),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Number(serde_json::Number),
    Text(String),
    Other(IgnoredAny),
}

impl fmt::Display for IdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(number) => write!(f, "{number}"),
            Self::Text(text) => write!(f, "{text:?}"),
            Self::Other(_) => f.write_str("(unreadable)"),
        }
    }
}

/// Deserializes `body`, which must be a JSON object, into `members`.
fn deserialize_map<'a>(body: &'a [u8], members: &mut Members<'a>) -> Result<(), String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    de::Deserializer::deserialize_map(&mut deserializer, &mut *members).map_err(|e| {
        if e.is_data() {
            "the answer is not a JSON object".to_string()
        } else {
            format!("the answer is not JSON: {e}")
        }
    })?;
    deserializer.end().map_err(|e| e.to_string())
}

/// The members of an object that a caller wants, borrowed raw; the others
/// are skipped without being decoded.
struct Members<'a> {
    wanted: Vec<&'static str>,
    found: Vec<(&'static str, &'a RawValue)>,
    /// A member read as an array of raw elements (a page's items) in the
    /// same pass, and the elements once read.
    list: Option<(&'static str, Option<Vec<&'a RawValue>>)>,
    /// The member being read when the pass stopped, if it failed there.
    reading: Option<&'static str>,
}

impl<'a> Members<'a> {
    fn new(wanted: &[&'static str]) -> Self {
        Self {
            wanted: wanted.to_vec(),
            found: Vec::with_capacity(wanted.len()),
            list: None,
            reading: None,
        }
    }

    fn take(&mut self, key: &str) -> Option<&'a RawValue> {
        let index = self.found.iter().position(|(name, _)| *name == key)?;
        Some(self.found.swap_remove(index).1)
    }
}

impl<'de> Visitor<'de> for &mut Members<'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let list_key = self.list.as_ref().map(|(key, _)| *key);
        let mut keys = self.wanted.clone();
        keys.extend(list_key);
        while let Some(wanted) = map.next_key_seed(KeySeed(&keys))? {
            match wanted {
                Some(name) if Some(name) == list_key => {
                    if let Some((_, items @ None)) = &mut self.list {
                        self.reading = Some(name);
                        *items = Some(map.next_value()?);
                        self.reading = None;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                // The first occurrence counts, as for a typed decoding.
                Some(name) if !self.found.iter().any(|(seen, _)| *seen == name) => {
                    let value: &'de RawValue = map.next_value()?;
                    self.found.push((name, value));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads a key and says which of the wanted names it is, if any, without
/// allocating.
struct KeySeed<'w>(&'w [&'static str]);

impl<'de> de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<&'static str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().copied().find(|name| *name == key))
    }
}
