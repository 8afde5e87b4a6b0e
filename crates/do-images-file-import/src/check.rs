//! The local check of a file before anything is uploaded: it exists, it is
//! a readable regular file, its first bytes name a format the import
//! accepts, and its size is possible. The file is opened once: the check
//! and the upload read the same handle, so a path swapped for another file
//! in between cannot get unchecked content uploaded.

use std::fmt;
use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// The largest file the import can take: the API refuses images larger than
/// 100 GB once decompressed, and a compressed file is smaller than what it
/// decompresses to.
pub const MAX_FILE_SIZE: u64 = 100 * 1024 * 1024 * 1024;

/// How many leading bytes identify every accepted format (vdi's signature
/// is at offset 64).
const SNIFF_LEN: usize = 72;

const ALLOWED: &str = "a readable qcow2, vhdx, vdi or vmdk file, optionally gzip or bzip2 \
    compressed, or a raw disk image (name ending in .img or .raw, or raw asked for), \
    of 1 byte to 100 GiB";

/// A disk image format the import accepts, as recognised from the file's
/// first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiskFormat {
    /// QEMU copy-on-write v2/v3 (`QFI\xfb`).
    Qcow2,
    /// Hyper-V (`vhdxfile`).
    Vhdx,
    /// VirtualBox (`\x7f\x10\xda\xbe` at offset 64).
    Vdi,
    /// VMware, sparse extent (`KDMV`) or text descriptor.
    Vmdk,
    /// A gzip-compressed image.
    Gzip,
    /// A bzip2-compressed image.
    Bzip2,
    /// A raw disk image (no signature; taken on the caller's word or the
    /// file's `.img`/`.raw` name).
    Raw,
}

impl fmt::Display for DiskFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Qcow2 => "qcow2",
            Self::Vhdx => "vhdx",
            Self::Vdi => "vdi",
            Self::Vmdk => "vmdk",
            Self::Gzip => "gzip",
            Self::Bzip2 => "bzip2",
            Self::Raw => "raw",
        })
    }
}

/// What the check found out about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedFile {
    /// Its size in bytes.
    pub size: u64,
    /// Its format.
    pub format: DiskFormat,
}

/// The format named by a file's first bytes, if any.
pub fn sniff(head: &[u8]) -> Option<DiskFormat> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    [
        (0, &b"QFI\xfb"[..], DiskFormat::Qcow2),
        (0, b"vhdxfile", DiskFormat::Vhdx),
        (0, b"KDMV", DiskFormat::Vmdk),
        (0, b"# Disk DescriptorFile", DiskFormat::Vmdk),
        (64, b"\x7f\x10\xda\xbe", DiskFormat::Vdi),
        (0, b"\x1f\x8b", DiskFormat::Gzip),
        (0, b"BZh", DiskFormat::Bzip2),
    ]
    .into_iter()
    .find(|(offset, magic, _)| at(*offset, magic))
    .map(|(_, _, format)| format)
}

/// Whether the file's name says it is a raw image (`.img` or `.raw`, any
/// case).
fn named_raw(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("img") || e.eq_ignore_ascii_case("raw"))
}

fn refused(problem: String) -> do_images::Error {
    do_images::Error::InvalidInput {
        what: "file",
        problem,
        allowed: ALLOWED,
    }
}

/// Opens `path` for reading without waiting for a writer: opening a FIFO
/// blocks until one comes, so on Unix the file is opened non-blocking (no
/// effect on the reads of a regular file) and the caller refuses anything
/// that is not a regular file from its metadata.
async fn open_without_blocking(path: &Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NONBLOCK);
    options.open(path).await
}

/// Opens and checks `path`; `raw` takes a file without a signature as a
/// raw image. Returns the open file, rewound, for the upload to read what
/// was checked. Every refusal is [`do_images::Error::InvalidInput`] naming
/// the file and what is wrong.
pub async fn check_file(
    path: &Path,
    raw: bool,
) -> Result<(tokio::fs::File, CheckedFile), do_images::Error> {
    let shown = path.display().to_string();
    let mut file = open_without_blocking(path)
        .await
        .map_err(|e| refused(format!("cannot read {shown:?}: {e}")))?;
    let metadata = file
        .metadata()
        .await
        .map_err(|e| refused(format!("cannot read {shown:?}: {e}")))?;
    if !metadata.is_file() {
        return Err(refused(format!("{shown:?} is not a regular file")));
    }
    let size = metadata.len();
    if size == 0 {
        return Err(refused(format!("{shown:?} is empty")));
    }
    if size > MAX_FILE_SIZE {
        return Err(refused(format!(
            "{shown:?} is {size} bytes, larger than the import's limit of {MAX_FILE_SIZE}"
        )));
    }
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .await
        .map_err(|e| refused(format!("cannot read {shown:?}: {e}")))?;
    let format = match sniff(&head) {
        Some(format) => format,
        None if raw || named_raw(path) => DiskFormat::Raw,
        None => {
            return Err(refused(format!(
                "{shown:?} does not start like a disk image the import accepts (its first bytes are {:?})",
                String::from_utf8_lossy(&head[..head.len().min(16)])
            )));
        }
    };
    file.rewind()
        .await
        .map_err(|e| refused(format!("cannot read {shown:?}: {e}")))?;
    Ok((file, CheckedFile { size, format }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_is_recognised() {
        let mut vdi = vec![0u8; 72];
        vdi[64..68].copy_from_slice(b"\x7f\x10\xda\xbe");
        let cases: [(&[u8], DiskFormat); 7] = [
            (b"QFI\xfb\0\0\0\x03", DiskFormat::Qcow2),
            (b"vhdxfile", DiskFormat::Vhdx),
            (b"KDMV\x01", DiskFormat::Vmdk),
            (b"# Disk DescriptorFile\n", DiskFormat::Vmdk),
            (&vdi, DiskFormat::Vdi),
            (b"\x1f\x8b\x08", DiskFormat::Gzip),
            (b"BZh91AY", DiskFormat::Bzip2),
        ];
        for (head, format) in cases {
            assert_eq!(sniff(head), Some(format), "{head:?}");
        }
        assert_eq!(sniff(b"hello, world"), None);
        assert_eq!(sniff(b"QFI"), None, "a truncated signature is no signature");
    }

    #[tokio::test]
    async fn files_are_refused_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.qcow2");
        std::fs::write(&text, "not a disk\n").unwrap();
        let error = check_file(&text, false).await.unwrap_err().to_string();
        assert!(error.contains("notes.qcow2") && error.contains("does not start like"));
        assert!(
            error.contains("raw disk image"),
            "says what is allowed: {error}"
        );

        let empty = dir.path().join("empty.img");
        std::fs::write(&empty, "").unwrap();
        assert!(
            check_file(&empty, true)
                .await
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );

        let huge = dir.path().join("huge.qcow2");
        let file = std::fs::File::create(&huge).unwrap();
        std::io::Write::write_all(&mut &file, b"QFI\xfb").unwrap();
        file.set_len(MAX_FILE_SIZE + 1).unwrap(); // sparse: no disk used
        let too_big = check_file(&huge, false).await.unwrap_err().to_string();
        assert!(
            too_big.contains("larger than the import's limit"),
            "{too_big}"
        );

        let missing = dir.path().join("missing.qcow2");
        assert!(
            check_file(&missing, false)
                .await
                .unwrap_err()
                .to_string()
                .contains("cannot read")
        );
        let not_file = check_file(dir.path(), false).await.unwrap_err();
        assert!(not_file.to_string().contains("not a regular file"));
    }

    #[tokio::test]
    async fn raw_images_need_a_name_or_the_callers_word() {
        let dir = tempfile::tempdir().unwrap();
        let unnamed = dir.path().join("disk.bin");
        std::fs::write(&unnamed, [0u8; 4096]).unwrap();
        assert!(check_file(&unnamed, false).await.is_err());
        assert_eq!(
            check_file(&unnamed, true).await.unwrap().1.format,
            DiskFormat::Raw
        );
        let named = dir.path().join("disk.IMG");
        std::fs::write(&named, [0u8; 4096]).unwrap();
        let (_, checked) = check_file(&named, false).await.unwrap();
        assert_eq!((checked.size, checked.format), (4096, DiskFormat::Raw));
    }
}
