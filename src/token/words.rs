//! Tests of a byte property over a text eight bytes at a time, for the fast paths of claim
//! writing (JSON's escapes, T1's percent-encoding).

/// Whether `holds` is true of every word of `text`: its eight-byte words, then its last eight
/// bytes (overlapping bytes already tested) when its length is not a multiple of eight. Text of
/// fewer than eight bytes is one word of loads of fixed size, with no loop, so that for a text
/// known when compiling (a claim name) the whole test folds away: two loads of four bytes that
/// together cover it (overlapping when it has fewer than eight), or for under four bytes its
/// first, middle and last byte, padded with `a`.
///
/// `holds` must be a property of each byte of the word, true of `a`: then repeating bytes, or
/// padding, does not change the answer.
#[inline(always)]
pub(crate) fn every_word(text: &[u8], holds: impl Fn(u64) -> bool) -> bool {
    let len = text.len();
    if len < 8 {
        let word = if len >= 4 {
            let first = u32::from_le_bytes(text[..4].try_into().expect("four bytes"));
            let last = u32::from_le_bytes(text[len - 4..].try_into().expect("four bytes"));
            u64::from(first) | (u64::from(last) << 32)
        } else if len > 0 {
            u64::from_le_bytes([
                text[0],
                text[len / 2],
                text[len - 1],
                b'a',
                b'a',
                b'a',
                b'a',
                b'a',
            ])
        } else {
            return true;
        };
        return holds(word);
    }
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        if !holds(u64::from_le_bytes(chunk.try_into().expect("a chunk of 8"))) {
            return false;
        }
    }
    words.remainder().is_empty()
        || holds(u64::from_le_bytes(
            text[len - 8..].try_into().expect("eight bytes"),
        ))
}
