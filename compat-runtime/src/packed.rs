//! Releases packed into one integer that orders like the release, so that the send guard
//! decides with one integer compare: the tables hold their releases packed, and a session
//! holds its peer's.

use crate::version::Version;

/// Packs a release into one integer that orders like the release: 24 bits of major, 20 of
/// minor, 20 of patch (larger numbers saturate).
///
/// ```
/// use compat_runtime::guard::pack;
/// assert!(pack(0, 9, 3) < pack(0, 10, 0));
/// assert!(pack(1, 0, 0) > pack(0, 999, 999));
/// ```
#[inline]
pub const fn pack(major: u64, minor: u64, patch: u64) -> u64 {
    const fn cap(v: u64, bits: u32) -> u64 {
        let max = (1 << bits) - 1;
        if v > max { max } else { v }
    }
    (cap(major, 24) << 40) | (cap(minor, 20) << 20) | cap(patch, 20)
}

/// A release as the tables write it (`"0.9.3"`; what follows `-` or `+` is ignored, and so
/// is anything malformed after the last number), packed with [`pack`]; `""` packs to 0.
///
/// ```
/// use compat_runtime::guard::{pack, pack_release};
/// assert_eq!(pack_release("0.9.3"), pack(0, 9, 3));
/// assert_eq!(pack_release("1.2.0-rc.1"), pack(1, 2, 0));
/// assert_eq!(pack_release(""), 0);
/// ```
#[inline]
pub const fn pack_release(text: &str) -> u64 {
    // The common form `d.d.d` (one digit each) at once: the guard's slow path reads
    // release texts at run time (`proto/walk.rs`).
    match *text.as_bytes() {
        [
            major @ b'0'..=b'9',
            b'.',
            minor @ b'0'..=b'9',
            b'.',
            patch @ b'0'..=b'9',
        ] => pack(
            (major - b'0') as u64,
            (minor - b'0') as u64,
            (patch - b'0') as u64,
        ),
        _ => parse_release(text),
    }
}

/// [`pack_release`]'s general reading, digit by digit.
const fn parse_release(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut parts = [0u64; 3];
    let (mut part, mut i) = (0, 0);
    while i < bytes.len() && part < 3 {
        match bytes[i] {
            b'0'..=b'9' => {
                parts[part] = parts[part]
                    .saturating_mul(10)
                    .saturating_add((bytes[i] - b'0') as u64);
            }
            b'.' => part += 1,
            _ => break,
        }
        i += 1;
    }
    pack(parts[0], parts[1], parts[2])
}

/// A peer's version packed for comparing with [`Guard::NEWEST`](crate::Guard::NEWEST). A pre-release of `x.y.z`
/// counts as just below `x.y.z`: it is not assumed to know what `x.y.z` introduced.
///
/// ```
/// use compat_runtime::guard::{pack, pack_peer};
/// use compat_runtime::Version;
/// assert_eq!(pack_peer(&Version::new(0, 9, 3)), pack(0, 9, 3));
/// assert!(pack_peer(&Version::parse("0.9.0-rc.1").unwrap()) < pack(0, 9, 0));
/// ```
pub fn pack_peer(v: &Version) -> u64 {
    let packed = pack(v.major, v.minor, v.patch);
    if v.pre.is_empty() {
        packed
    } else {
        packed.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::{pack_release, parse_release};

    #[test]
    fn releases_read_at_once_read_as_the_general_reading_reads_them() {
        for text in [
            "0.9.0",
            "1.2.3",
            "9.9.9",
            "0.10.0",
            "10.0.1",
            "1.2.0-rc.1",
            "",
            "0.0.0",
            "1.2",
            "a.b.c",
        ] {
            assert_eq!(pack_release(text), parse_release(text), "{text}");
        }
    }
}
