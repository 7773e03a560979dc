//! MACs over inputs that share their start from one token to the next.

use hmac::Mac;
use hmac::digest::Output;

/// The MAC state after the key and the first `len` bytes of the last input, `len` a whole number
/// of 64-byte blocks (SHA-1's and SHA-256's). Tokens of a bulk run share most of their signed
/// bytes (a header, then every claim before the first that changes: a `{n}` field, a nonce), so
/// the blocks they share are hashed once rather than once a token: the same MAC, for a fraction
/// of the work.
pub(crate) struct HashedPrefix<M> {
    len: usize,
    /// `None` until the first input; then the key state with `len` bytes hashed.
    mac: Option<M>,
}

impl<M> Default for HashedPrefix<M> {
    fn default() -> Self {
        HashedPrefix { len: 0, mac: None }
    }
}

impl<M: Mac + Clone> HashedPrefix<M> {
    const BLOCK: usize = 64;

    /// The MAC of `input`, whose first `unchanged` bytes are those of the last input; `prepared`
    /// is the state after the key alone.
    #[inline]
    pub(crate) fn mac(&mut self, prepared: &M, input: &[u8], unchanged: usize) -> Output<M> {
        let reusable = unchanged - unchanged % Self::BLOCK;
        let state = match &mut self.mac {
            Some(state) if self.len <= reusable => state,
            stale => {
                self.len = 0;
                stale.insert(prepared.clone())
            }
        };
        // Hashing on to the next block boundary costs nothing more than hashing these bytes in
        // the input's own MAC, and the next input starts from there.
        state.update(&input[self.len..reusable]);
        self.len = reusable;
        let mut mac = state.clone();
        mac.update(&input[reusable..]);
        mac.finalize().into_bytes()
    }
}

/// How many bytes `a` and `b` share at their start, compared eight at a time.
pub(crate) fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let mut shared = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let difference = u64::from_le_bytes(x.try_into().expect("a chunk of 8"))
            ^ u64::from_le_bytes(y.try_into().expect("a chunk of 8"));
        if difference != 0 {
            return shared + (difference.trailing_zeros() / 8) as usize;
        }
        shared += 8;
    }
    shared
        + a[shared..]
            .iter()
            .zip(&b[shared..])
            .take_while(|(x, y)| x == y)
            .count()
}
