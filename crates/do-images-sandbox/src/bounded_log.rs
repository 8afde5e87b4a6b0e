//! A log that keeps the most recent entries and counts the ones it
//! dropped, so that a sandbox serving for days holds bounded memory.

use std::collections::VecDeque;

/// How many requests a sandbox's logs keep unless told otherwise.
pub(crate) const DEFAULT_LOG_CAPACITY: usize = 10_000;

/// The last `capacity` entries, and how many older ones were dropped.
#[derive(Debug)]
pub(crate) struct BoundedLog<T> {
    kept: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

impl<T: Clone> BoundedLog<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            kept: VecDeque::new(),
            capacity,
            dropped: 0,
        }
    }

    /// Appends `entry`, dropping the oldest when the log is full.
    pub fn push(&mut self, entry: T) {
        if self.kept.len() >= self.capacity {
            if self.kept.pop_front().is_none() {
                // A capacity of 0 keeps nothing.
                self.dropped += 1;
                return;
            }
            self.dropped += 1;
        }
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
