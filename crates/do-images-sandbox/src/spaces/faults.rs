//! Faults injected on the Spaces store: connections cut in the middle of an
//! `UploadPart` request, so that an uploader's per-part retries can be
//! proved, and the answer to a `CompleteMultipartUpload` cut after the
//! store acted on it, so that an uploader's handling of a lost answer can;
//! and aborts held unanswered, so that a cleanup that stalls can be.

use std::collections::{BTreeMap, BTreeSet};

/// Which `UploadPart` requests the store cuts off half-way through their
/// body (the connection is closed without an answer, as when a network or
/// a proxy fails mid-transfer), and whether the answer to a
/// `CompleteMultipartUpload` is lost, and whether aborts are held. Build it
/// with the `cut_*` and `hold_*` methods.
///
/// ```
/// use do_images_sandbox::SpacesFaults;
///
/// // Cut the 2nd UploadPart request received, and the first two attempts
/// // at part 3.
/// let faults = SpacesFaults::none()
///     .cut_upload_part_request(2)
///     .cut_part_attempts(3, 2);
/// assert!(!faults.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpacesFaults {
    /// 1-based positions, among all `UploadPart` requests received since the
    /// faults were set, of the requests to cut.
    requests: BTreeSet<u64>,
    /// Part number to how many of its first attempts are cut.
    parts: BTreeMap<u32, u32>,
    /// Whether the first `CompleteMultipartUpload` is acted on and its
    /// answer cut.
    completion_answer: bool,
    /// Whether `AbortMultipartUpload` requests are held unanswered.
    hold_aborts: bool,
}

impl SpacesFaults {
    /// No faults: every request is answered.
    pub fn none() -> Self {
        Self::default()
    }

    /// Cuts the `nth` `UploadPart` request received (1 is the first),
    /// whatever its part number; retries count as requests.
    pub fn cut_upload_part_request(mut self, nth: u64) -> Self {
        self.requests.insert(nth);
        self
    }

    /// Cuts the first `times` attempts at part number `part_number`
    /// (`u32::MAX`: every attempt, so the part can never be stored).
    pub fn cut_part_attempts(mut self, part_number: u32, times: u32) -> Self {
        self.parts.insert(part_number, times);
        self
    }

    /// Completes the first `CompleteMultipartUpload` received (the object
    /// is stored, the upload is gone) and then closes the connection
    /// without sending the answer, as when a network fails after the
    /// store acted: the client cannot tell from the answer whether the
    /// object exists.
    pub fn cut_completion_answer(mut self) -> Self {
        self.completion_answer = true;
        self
    }

    /// Holds every `AbortMultipartUpload` request without ever answering it
    /// (until the store stops), as a store that stalls: the upload stays.
    pub fn hold_aborts(mut self) -> Self {
        self.hold_aborts = true;
        self
    }

    /// Whether no request is ever cut or held.
    pub fn is_none(&self) -> bool {
        self.requests.is_empty()
            && self.parts.values().all(|&times| times == 0)
            && !self.completion_answer
            && !self.hold_aborts
    }
}

/// The faults in force and what they have counted so far.
#[derive(Debug, Default)]
pub(crate) struct FaultCounter {
    faults: SpacesFaults,
    upload_part_requests: u64,
    attempts_per_part: BTreeMap<u32, u32>,
    completions: u64,
}

impl FaultCounter {
    /// Replaces the faults and restarts the counts.
    pub fn set(&mut self, faults: SpacesFaults) {
        *self = Self {
            faults,
            ..Self::default()
        };
    }

    /// Counts one `UploadPart` request for `part_number`; true when it is to
    /// be cut.
    pub fn cut_upload_part(&mut self, part_number: Option<u32>) -> bool {
        self.upload_part_requests += 1;
        let by_position = self.faults.requests.contains(&self.upload_part_requests);
        let by_part = part_number.is_some_and(|part| {
            let attempts = self.attempts_per_part.entry(part).or_default();
            *attempts += 1;
            self.faults
                .parts
                .get(&part)
                .is_some_and(|&times| *attempts <= times)
        });
        by_position || by_part
    }

    /// Whether an `AbortMultipartUpload` is to be held unanswered.
    pub fn hold_abort(&self) -> bool {
        self.faults.hold_aborts
    }

    /// Counts one `CompleteMultipartUpload`; true when its answer is to be
    /// cut after the store acted on it.
    pub fn cut_completion_answer(&mut self) -> bool {
        self.completions += 1;
        self.faults.completion_answer && self.completions == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_nth_request_and_the_first_attempts_at_a_part() {
        let mut counter = FaultCounter::default();
        counter.set(
            SpacesFaults::none()
                .cut_upload_part_request(2)
                .cut_part_attempts(3, 2),
        );
        let cuts: Vec<bool> = [1, 2, 3, 3, 3, 4]
            .into_iter()
            .map(|part| counter.cut_upload_part(Some(part)))
            .collect();
        assert_eq!(cuts, [false, true, true, true, false, false]);
    }

    #[test]
    fn setting_faults_restarts_the_count() {
        let mut counter = FaultCounter::default();
        counter.set(SpacesFaults::none().cut_upload_part_request(1));
        assert!(counter.cut_upload_part(Some(1)));
        assert!(!counter.cut_upload_part(Some(2)));
        counter.set(SpacesFaults::none().cut_upload_part_request(1));
        assert!(counter.cut_upload_part(Some(2)));
        assert!(SpacesFaults::none().is_none());
    }

    #[test]
    fn only_the_first_completion_loses_its_answer() {
        let mut counter = FaultCounter::default();
        assert!(!counter.cut_completion_answer());
        counter.set(SpacesFaults::none().cut_completion_answer());
        assert!(!SpacesFaults::none().cut_completion_answer().is_none());
        assert!(counter.cut_completion_answer());
        assert!(!counter.cut_completion_answer());
    }

    #[test]
    fn aborts_are_held_when_asked() {
        let mut counter = FaultCounter::default();
        assert!(!counter.hold_abort());
        counter.set(SpacesFaults::none().hold_aborts());
        assert!(counter.hold_abort());
        assert!(!SpacesFaults::none().hold_aborts().is_none());
    }
}
