//! JSON's special bytes in a string (control characters, `"` and `\`), found eight bytes
//! at a time: the reader stops at them, the writer escapes them.

/// Eight copies of byte `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The high bit of each byte of `w` below `n` (for `n` at most 0x80): `(x - splat(n)) & !x`
/// has it set for every byte below `n`, and possibly for bytes above the lowest such byte
/// (a borrow), but for none when no byte is below `n`.
fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(splat(n)) & !w & splat(0x80)
}

/// The high bit of each of the eight bytes of `w` that is a control character (below
/// 0x20), `"` or `\`: non-zero exactly when one is. Read little-endian, the lowest byte
/// flagged is a true one (bytes above it may be flagged by a borrow). A byte equals `c`
/// exactly where `w ^ splat(c)` has a byte below 1.
pub fn special(w: u64) -> u64 {
    below(w, 0x20) | below(w ^ splat(b'"'), 1) | below(w ^ splat(b'\\'), 1)
}
