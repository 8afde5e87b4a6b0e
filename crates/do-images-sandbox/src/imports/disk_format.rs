//! Telling a disk image's format from its first bytes, as the import does.

/// How many leading bytes decide the format (the VDI signature sits at
/// offset 64).
pub(crate) const HEAD_LEN: usize = 512;

/// The formats the import accepts that carry a signature (raw has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DiskFormat {
    Qcow2,
    Vhdx,
    Vdi,
    Vmdk,
    Gzip,
    Bzip2,
}

/// The format whose signature `head` (the first bytes of the file, up to
/// [`HEAD_LEN`]) carries, if any.
pub(crate) fn sniff(head: &[u8]) -> Option<DiskFormat> {
    let starts = |signature: &[u8]| head.starts_with(signature);
    if starts(b"QFI\xfb") {
        Some(DiskFormat::Qcow2)
    } else if starts(b"vhdxfile") {
        Some(DiskFormat::Vhdx)
    } else if starts(b"KDMV") || starts(b"# Disk DescriptorFile") {
        Some(DiskFormat::Vmdk)
    } else if head.get(64..68) == Some(b"\x7f\x10\xda\xbe") {
        Some(DiskFormat::Vdi)
    } else if starts(b"\x1f\x8b") {
        Some(DiskFormat::Gzip)
    } else if starts(b"BZh") {
        Some(DiskFormat::Bzip2)
    } else {
        None
    }
}

/// Whether a file called `name` (the last URL path segment) is taken as a
/// raw image: it ends in `.img` or `.raw`.
pub(crate) fn is_raw_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".img") || name.ends_with(".raw")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_recognised() {
        let mut vdi = vec![0u8; 72];
        vdi[64..68].copy_from_slice(b"\x7f\x10\xda\xbe");
        let cases: [(&[u8], Option<DiskFormat>); 9] = [
            (b"QFI\xfb\0\0\0\x03", Some(DiskFormat::Qcow2)),
            (b"vhdxfile....", Some(DiskFormat::Vhdx)),
            (b"KDMV\x01", Some(DiskFormat::Vmdk)),
            (b"# Disk DescriptorFile\nversion=1", Some(DiskFormat::Vmdk)),
            (&vdi, Some(DiskFormat::Vdi)),
            (b"\x1f\x8b\x08", Some(DiskFormat::Gzip)),
            (b"BZh91AY", Some(DiskFormat::Bzip2)),
            (b"hello, this is text", None),
            (b"QFI", None),
        ];
        for (head, expected) in cases {
            assert_eq!(sniff(head), expected, "{head:?}");
        }
    }

    #[test]
    fn raw_is_told_by_the_name() {
        assert!(is_raw_name("disk.IMG"));
        assert!(is_raw_name("disk.raw"));
        assert!(!is_raw_name("disk.qcow2"));
        assert!(!is_raw_name("img"));
    }
}
