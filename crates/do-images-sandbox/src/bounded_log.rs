//! A log that keeps the most recent entries and counts the ones it
//! dropped, so that a sandbox serving for days holds bounded memory: at
//! most so many entries, and at most so many bytes of their text (a
//! request's target can be as long as a client makes it).

use std::collections::VecDeque;

/// How many requests a sandbox's logs keep unless told otherwise.
pub(crate) const DEFAULT_LOG_CAPACITY: usize = 10_000;

/// How many bytes the entries of one log hold at most ([`LogEntry::bytes`]
/// summed): 16 MiB, some 1,600 bytes an entry at the default count.
pub(crate) const LOG_BYTES: usize = 16 * 1024 * 1024;

/// An entry whose size the log counts.
pub(crate) trait LogEntry {
    /// The bytes the entry holds: its size plus the text it owns.
    fn bytes(&self) -> usize;
}

/// The last `capacity` entries that fit in `max_bytes`, and how many older
/// ones were dropped.
#[derive(Debug)]
pub(crate) struct BoundedLog<T> {
    kept: VecDeque<T>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    dropped: u64,
}

impl<T: Clone + LogEntry> BoundedLog<T> {
    pub fn new(capacity: usize) -> Self {
        Self::with_bytes(capacity, LOG_BYTES)
    }

    fn with_bytes(capacity: usize, max_bytes: usize) -> Self {
        Self {
            kept: VecDeque::new(),
            capacity,
            max_bytes,
            bytes: 0,
            dropped: 0,
        }
    }

    /// Appends `entry`, dropping the oldest entries until it fits; an entry
    /// larger than the whole byte budget is dropped itself.
    pub fn push(&mut self, entry: T) {
        let size = entry.bytes();
        if self.capacity == 0 || size > self.max_bytes {
            self.dropped += 1;
            return;
        }
        while self.kept.len() >= self.capacity || self.bytes + size > self.max_bytes {
            let Some(oldest) = self.kept.pop_front() else {
                break;
            };
            self.bytes -= oldest.bytes();
            self.dropped += 1;
        }
        self.bytes += size;
        self.kept.push_back(entry);
    }

    /// The entries kept, oldest first.
    pub fn kept(&self) -> Vec<T> {
        self.kept.iter().cloned().collect()
    }

    /// How many entries were dropped to make room.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl LogEntry for i32 {
        fn bytes(&self) -> usize {
            4
        }
    }

    impl LogEntry for String {
        fn bytes(&self) -> usize {
            std::mem::size_of::<String>() + self.len()
        }
    }

    #[test]
    fn bytes_are_bounded_whatever_the_count() {
        let entry = |n: usize| "x".repeat(n);
        let overhead = std::mem::size_of::<String>();
        let budget = 3 * (overhead + 100);
        let mut log = BoundedLog::with_bytes(1_000, budget);
        for _ in 0..10 {
            log.push(entry(100));
        }
        assert_eq!(log.kept().len(), 3);
        assert_eq!(log.dropped(), 7);
        // One long entry makes room by dropping the oldest ones.
        log.push(entry(150));
        assert_eq!(log.kept().len(), 2);
        assert!(log.bytes <= budget);
        // One larger than everything is not kept at all.
        log.push(entry(budget));
        assert_eq!(log.kept().len(), 2);
        assert_eq!(log.dropped(), 10);
    }

    #[test]
    fn keeps_the_newest_and_counts_the_rest() {
        let mut log = BoundedLog::new(3);
        for n in 0..5 {
            log.push(n);
        }
        assert_eq!(log.kept(), [2, 3, 4]);
        assert_eq!(log.dropped(), 2);
        let mut none = BoundedLog::new(0);
        none.push(1);
        assert_eq!((none.kept(), none.dropped()), (vec![], 1));
    }
}
