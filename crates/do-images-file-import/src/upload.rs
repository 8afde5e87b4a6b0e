//! The multipart upload, streamed from disk: a few parts in flight, each
//! read just before it is sent and retried on its own, so memory stays at
//! [`PARTS_IN_FLIGHT`] parts whatever the file's size.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use object_store::MultipartId;
use object_store::aws::AmazonS3;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use tokio::io::AsyncReadExt;
use tokio::task::JoinSet;

use crate::error::{ImportError, ImportErrorKind};
use crate::progress::{ImportProgress, ProgressFn};

const MIB: u64 = 1024 * 1024;

/// The smallest part: S3 allows 5 MiB; 8 MiB is what the AWS CLI uses.
pub const MIN_PART_SIZE: u64 = 8 * MIB;

/// S3's limit on the number of parts of one upload.
pub const MAX_PARTS: u64 = 10_000;

/// Parts sent at the same time. Memory holds at most this many parts.
pub const PARTS_IN_FLIGHT: usize = 4;

/// Attempts per part, on top of the S3 client's own retries of each
/// request (which cover 5xx, 429 and refused connections).
pub const PART_ATTEMPTS: u32 = 4;

/// The part size for a file of `size` bytes: [`MIN_PART_SIZE`], or the
/// whole MiBs needed to fit the file in [`MAX_PARTS`] parts (11 MiB for
/// 100 GiB).
pub fn part_size(size: u64) -> u64 {
    (size.div_ceil(MAX_PARTS).div_ceil(MIB) * MIB).max(MIN_PART_SIZE)
}

/// What one upload needs.
pub(crate) struct PartUpload {
    pub store: Arc<AmazonS3>,
    pub path: ObjectPath,
    pub upload_id: MultipartId,
    /// The file's path, for messages.
    pub file: PathBuf,
    pub size: u64,
    pub part_size: u64,
    pub progress: Option<ProgressFn>,
}

impl PartUpload {
    /// Sends every part of `file` (the handle the check read, at its
    /// start) and returns their ids in order, ready to complete the upload.
    /// Dropping the future stops the parts in flight.
    pub async fn send_parts(&self, file: &mut tokio::fs::File) -> Result<Vec<PartId>, ImportError> {
        let count = usize::try_from(self.size.div_ceil(self.part_size)).unwrap_or(usize::MAX);
        let mut parts: Vec<Option<PartId>> = vec![None; count];
        let mut in_flight = JoinSet::new();
        let (mut next, mut sent) = (0usize, 0u64);
        while next < count || !in_flight.is_empty() {
            if next < count && in_flight.len() < PARTS_IN_FLIGHT {
                let offset = next as u64 * self.part_size;
                let len = self.part_size.min(self.size - offset);
                let bytes = read_part(file, &self.file, len).await?;
                in_flight.spawn(self.send_part(next, bytes));
                next += 1;
                continue;
            }
            let Some(done) = in_flight.join_next().await else {
                break;
            };
            let (index, len, part) = done.map_err(|e| {
                ImportError::new(ImportErrorKind::Storage {
                    operation: "part upload".into(),
                    source: object_store::Error::JoinError { source: e },
                })
            })??;
            parts[index] = Some(part);
            sent += len;
            if let Some(progress) = &self.progress {
                progress(&ImportProgress::Uploaded {
                    sent,
                    total: self.size,
                });
            }
        }
        ensure_at_end(file, &self.file).await?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// The task that stores part `index` (from 0), retried on its own.
    fn send_part(
        &self,
        index: usize,
        bytes: Bytes,
    ) -> impl Future<Output = Result<(usize, u64, PartId), ImportError>> + Send + 'static {
        let store = self.store.clone();
        let path = self.path.clone();
        let upload_id = self.upload_id.clone();
        let progress = self.progress.clone();
        async move {
            let len = bytes.len() as u64;
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let mut attempt = 1;
            loop {
                match store
                    .put_part(&path, &upload_id, index, bytes.clone().into())
                    .await
                {
                    Ok(part) => return Ok((index, len, part)),
                    Err(error) if attempt < PART_ATTEMPTS => {
                        attempt += 1;
                        tracing::debug!(part = number, attempt, %error, "retrying a part");
                        if let Some(progress) = &progress {
                            progress(&ImportProgress::PartRetried {
                                part: number,
                                attempt,
                                error: error.to_string(),
                            });
                        }
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                    Err(source) => {
                        return Err(ImportError::new(ImportErrorKind::Storage {
                            operation: format!("upload of part {number} after {attempt} attempts"),
                            source,
                        }));
                    }
                }
            }
        }
    }
}

/// 0.5 s, 1 s, 2 s ... before attempt 2, 3, 4, each up to half again
/// longer at random so parts do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 500u64 << attempt.saturating_sub(2).min(6);
    Duration::from_millis(base + fastrand::u64(0..=base / 2))
}

fn read_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::new(ImportErrorKind::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the next `len` bytes; a file that got shorter is an error.
async fn read_part(
    file: &mut tokio::fs::File,
    path: &Path,
    len: u64,
) -> Result<Bytes, ImportError> {
    let mut buffer = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
    file.read_exact(&mut buffer).await.map_err(|e| {
        let e = if e.kind() == std::io::ErrorKind::UnexpectedEof {
            std::io::Error::new(e.kind(), "the file got shorter while it was uploaded")
        } else {
            e
        };
        read_error(path, e)
    })?;
    Ok(Bytes::from(buffer))
}

/// A file that grew while it was uploaded would be imported cut short.
async fn ensure_at_end(file: &mut tokio::fs::File, path: &Path) -> Result<(), ImportError> {
    let mut probe = [0u8; 1];
    match file.read(&mut probe).await {
        Ok(0) => Ok(()),
        Ok(_) => Err(read_error(
            path,
            std::io::Error::other("the file grew while it was uploaded"),
        )),
        Err(e) => Err(read_error(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_fit_100_gib_in_10000() {
        assert_eq!(part_size(1), MIN_PART_SIZE);
        assert_eq!(part_size(2 * 1024 * MIB), MIN_PART_SIZE);
        let limit = crate::check::MAX_FILE_SIZE;
        assert_eq!(part_size(limit), 11 * MIB);
        assert!(limit.div_ceil(part_size(limit)) <= MAX_PARTS);
        let odd = 80_000 * MIB + 1;
        assert!(odd.div_ceil(part_size(odd)) <= MAX_PARTS);
    }

    #[test]
    fn retries_back_off() {
        assert!(
            backoff(2) >= Duration::from_millis(500) && backoff(2) <= Duration::from_millis(750)
        );
        assert!(backoff(4) >= Duration::from_secs(2));
    }
}
