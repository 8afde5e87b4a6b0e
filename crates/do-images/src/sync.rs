//! Locking a mutex that a panicked holder may have poisoned.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`; a poisoned one is used as it is: every value kept behind
/// these mutexes stays valid whatever step panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
