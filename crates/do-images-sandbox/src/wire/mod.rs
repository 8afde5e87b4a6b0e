//! The API's JSON, in and out: the objects it sends, the bodies and paging
//! it reads, and its error answers. The HTTP side (`api`) and the state
//! (`state`) both speak it; it depends on neither.

pub(crate) mod error;
pub(crate) mod image_bodies;
mod json_body;
pub(crate) mod model;
pub(crate) mod paging;
pub(crate) mod regions;
pub(crate) mod transfer_bodies;
