//! CPython 3.11's `hash()` for the builtin value types: ints and floats reduced modulo the
//! Mersenne prime 2**61 - 1 (so numbers that compare equal hash equal), str and bytes through
//! SipHash-1-3 keyed by a per-interpreter [`HashSecret`], and the tuple and frozenset combiners.
//!
//! Invariant: no function here ever returns -1 (CPython reserves it as its error marker and
//! maps it to -2), so every result is a valid stored hash for a set or dict table.

use num_bigint::{BigInt, Sign};

/// Number of bits in the hash modulus (`sys.hash_info.modulus == 2**61 - 1`).
pub const HASH_BITS: u32 = 61;
/// The modulus of the numeric hash, the Mersenne prime 2**61 - 1.
pub const HASH_MODULUS: u64 = (1 << HASH_BITS) - 1;
/// `hash(float('inf'))`; `-inf` hashes to its negation.
pub const HASH_INF: i64 = 314_159;

/// CPython never returns -1 from a hash function: -1 signals an error there.
#[inline]
fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Applies the sign to a residue in `[0, 2**61 - 1)`; the result is never -1.
#[inline]
fn signed_residue(residue: u64, negative: bool) -> i64 {
    // residue < 2**61, so the conversion and the negation cannot overflow.
    let r = residue as i64;
    fix_minus_one(if negative { -r } else { r })
}

/// `hash(n)` for an int that fits in an i64.
#[inline]
pub fn hash_i64(n: i64) -> i64 {
    signed_residue(n.unsigned_abs() % HASH_MODULUS, n < 0)
}

/// `hash(n)` for an int of any size: `sign(n) * (|n| mod (2**61 - 1))`, with -1 mapped to -2.
pub fn hash_bigint(n: &BigInt) -> i64 {
    // 2**64 = 8 * 2**61 ≡ 8 (mod 2**61 - 1), but a u128 remainder keeps this obviously right.
    let mut residue: u64 = 0;
    for digit in n.magnitude().iter_u64_digits().rev() {
        let wide = (u128::from(residue) << 64) | u128::from(digit);
        residue = (wide % u128::from(HASH_MODULUS)) as u64;
    }
    signed_residue(residue, n.sign() == Sign::Minus)
}

/// Multiplies a residue by 2**k modulo 2**61 - 1, which is a rotation within 61 bits.
#[inline]
fn rotate61(x: u64, k: u32) -> u64 {
    debug_assert!(x < HASH_MODULUS && k < HASH_BITS);
    if k == 0 {
        return x;
    }
    ((x << k) & HASH_MODULUS) | (x >> (HASH_BITS - k))
}

/// `hash(x)` for a float, or `None` for a NaN.
///
/// Since 3.10 a NaN hashes by identity (`_Py_HashPointer` of the float object), which only
/// the VM can supply. Finite values hash like the rational number they equal, so
/// `hash(2.0) == hash(2)` and `hash(0.5) == hash(Fraction(1, 2))`.
pub fn hash_float(x: f64) -> Option<i64> {
    if x.is_nan() {
        return None;
    }
    if x.is_infinite() {
        return Some(if x > 0.0 { HASH_INF } else { -HASH_INF });
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // x = mantissa * 2**exponent exactly, with mantissa < 2**53 < 2**61 - 1.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // CPython reaches the same canonical residue by folding 28-bit chunks of frexp's
    // mantissa and then rotating by the exponent; 2**-k is 2**(61-k) modulo the prime.
    let k = exponent.rem_euclid(HASH_BITS as i32) as u32;
    Some(signed_residue(rotate61(mantissa, k), negative))
}

/// The 128-bit key of the str/bytes hash, derived once per interpreter.
///
/// CPython keeps it in `_Py_HashSecret`: 24 bytes filled from the OS, from an LCG seeded by
/// `PYTHONHASHSEED`, or zeroed when `PYTHONHASHSEED=0`; SipHash reads its first 16 bytes as
/// two little-endian words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashSecret {
    k0: u64,
    k1: u64,
}

/// `PYTHONHASHSEED` held something other than `random` or an integer in `[0; 4294967295]`.
///
/// CPython refuses to start in that case; its message is [`HashSeedError::MESSAGE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashSeedError;

impl HashSeedError {
    /// CPython's wording (it prints it as a fatal error from `config_init_hash_seed`).
    pub const MESSAGE: &'static str =
        "PYTHONHASHSEED must be \"random\" or an integer in range [0; 4294967295]";
}

impl std::fmt::Display for HashSeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for HashSeedError {}

impl HashSecret {
    /// Size of CPython's `_Py_HashSecret_t` union, all of which the LCG or the OS fills.
    const SECRET_SIZE: usize = 24;

    /// Reads `PYTHONHASHSEED` from the process environment as CPython does at start-up.
    pub fn from_env() -> Result<HashSecret, HashSeedError> {
        let text = std::env::var_os("PYTHONHASHSEED");
        let text = text.as_ref().map(|t| t.to_str().ok_or(HashSeedError));
        let seed = match text {
            None => None,
            Some(t) => Self::parse_seed(t?)?,
        };
        Ok(Self::from_seed(seed))
    }

    /// Interprets the text of `PYTHONHASHSEED`: `None` means a random key.
    ///
    /// Like CPython: an empty value or `random` asks for randomness; otherwise the text must be
    /// what C's `strtoul` reads completely in base 10 (leading blanks and a sign allowed, a
    /// negated value wrapping modulo 2**64) and be at most 4294967295.
    pub fn parse_seed(text: &str) -> Result<Option<u32>, HashSeedError> {
        if text.is_empty() || text == "random" {
            return Ok(None);
        }
        let trimmed = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
        let (negative, digits) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HashSeedError);
        }
        // Overflowing u64 is strtoul's ERANGE, which CPython rejects.
        let magnitude: u64 = digits.parse().map_err(|_| HashSeedError)?;
        let value = if negative {
            magnitude.wrapping_neg()
        } else {
            magnitude
        };
        u32::try_from(value).map(Some).map_err(|_| HashSeedError)
    }

    /// The key CPython derives from a hash seed: `None` → random bytes from the OS,
    /// `Some(0)` → randomization disabled (an all-zero key), `Some(n)` → CPython's LCG
    /// (`x = x * 214013 + 2531011`, one byte from bits 16..23 per step) seeded with `n`.
    pub fn from_seed(seed: Option<u32>) -> HashSecret {
        let mut secret = [0u8; Self::SECRET_SIZE];
        match seed {
            Some(0) => {}
            Some(n) => {
                let mut x = n;
                for byte in secret.iter_mut() {
                    x = x.wrapping_mul(214_013).wrapping_add(2_531_011);
                    *byte = (x >> 16) as u8;
                }
            }
            None => os_random_bytes(&mut secret),
        }
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&secret[i..i + 8]);
            u64::from_le_bytes(w)
        };
        HashSecret {
            k0: word(0),
            k1: word(8),
        }
    }

    /// A secret with explicit SipHash keys.
    pub const fn from_keys(k0: u64, k1: u64) -> HashSecret {
        HashSecret { k0, k1 }
    }

    /// The two SipHash keys `(k0, k1)`.
    pub fn keys(&self) -> (u64, u64) {
        (self.k0, self.k1)
    }
}

/// Fills `buf` from the OS; if the OS refuses, falls back to clock and process entropy
/// (CPython would abort, but a weak key only weakens hash-flooding resistance).
pub(crate) fn os_random_bytes(buf: &mut [u8]) {
    if getrandom::fill(buf).is_ok() {
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos ^ (u64::from(std::process::id()) << 32);
    for (i, byte) in buf.iter_mut().enumerate() {
        x = siphash13(x, i as u64, &x.to_le_bytes());
        *byte = x as u8;
    }
}

/// Streaming SipHash-1-3 state; only whole 8-byte words are compressed, the tail waits.
struct SipHasher13 {
    v: [u64; 4],
    tail: u64,
    ntail: u32,
    length: u64,
}

impl SipHasher13 {
    fn new(k0: u64, k1: u64) -> Self {
        SipHasher13 {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    #[inline]
    fn round(&mut self) {
        let [mut v0, mut v1, mut v2, mut v3] = self.v;
        v0 = v0.wrapping_add(v1);
        v2 = v2.wrapping_add(v3);
        v1 = v1.rotate_left(13) ^ v0;
        v3 = v3.rotate_left(16) ^ v2;
        v0 = v0.rotate_left(32);
        v2 = v2.wrapping_add(v1);
        v0 = v0.wrapping_add(v3);
        v1 = v1.rotate_left(17) ^ v2;
        v3 = v3.rotate_left(21) ^ v0;
        v2 = v2.rotate_left(32);
        self.v = [v0, v1, v2, v3];
    }

    #[inline]
    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.v[0] ^= m;
    }

    /// Appends `width` bytes (1, 2 or 4) holding `unit` little-endian. Widths never straddle
    /// a word because a string is fed with a single width throughout.
    #[inline]
    fn write_unit(&mut self, unit: u32, width: u32) {
        self.tail |= u64::from(unit) << (8 * self.ntail);
        self.ntail += width;
        self.length += u64::from(width);
        if self.ntail == 8 {
            let m = self.tail;
            self.compress(m);
            self.tail = 0;
            self.ntail = 0;
        }
    }

    fn write_bytes(&mut self, bytes: &[u8]) {
        debug_assert_eq!(self.ntail, 0);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            self.compress(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
        }
        self.length += bytes.len() as u64;
    }

    fn finish(mut self) -> u64 {
        // Only the low byte of the length survives the shift, as in the reference code.
        let b = (self.length << 56) | self.tail;
        self.compress(b);
        self.v[2] ^= 0xff;
        self.round();
        self.round();
        self.round();
        (self.v[0] ^ self.v[1]) ^ (self.v[2] ^ self.v[3])
    }
}

fn siphash13(k0: u64, k1: u64, bytes: &[u8]) -> u64 {
    let mut h = SipHasher13::new(k0, k1);
    h.write_bytes(bytes);
    h.finish()
}

/// `_Py_HashBytes`: the empty input hashes to 0, everything else through SipHash-1-3.
pub fn hash_bytes(secret: &HashSecret, bytes: &[u8]) -> i64 {
    if bytes.is_empty() {
        return 0;
    }
    fix_minus_one(siphash13(secret.k0, secret.k1, bytes) as i64)
}

/// `hash(s)` for a str.
///
/// CPython hashes the string's compact storage: one byte per code point if all are below
/// 256, two (UTF-16 units, no surrogate pairs) if all are below 65536, four otherwise, in
/// native (here little-endian) order. The width is read off the UTF-8 lead bytes, so no
/// buffer is built.
pub fn hash_str(secret: &HashSecret, s: &str) -> i64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0;
    }
    let max_byte = bytes.iter().copied().max().unwrap_or(0);
    if max_byte < 0x80 {
        return hash_bytes(secret, bytes);
    }
    // UTF-8 lead bytes C2/C3 encode U+0080..U+00FF, C4..EF the rest of the BMP, F0.. astral;
    // continuation bytes (80..BF) never exceed a lead byte of their own sequence's width.
    let width = if max_byte >= 0xf0 {
        4
    } else if max_byte >= 0xc4 {
        2
    } else {
        1
    };
    let mut h = SipHasher13::new(secret.k0, secret.k1);
    for c in s.chars() {
        h.write_unit(c as u32, width);
    }
    fix_minus_one(h.finish() as i64)
}

/// `hash(s)` for a str given as code points, for strings a Rust `str` cannot hold (lone
/// surrogates). Equals [`hash_str`] on the same text.
pub fn hash_code_points<I>(secret: &HashSecret, code_points: I) -> i64
where
    I: Iterator<Item = u32> + Clone,
{
    let width = match code_points.clone().max() {
        None => return 0,
        Some(m) if m < 0x100 => 1,
        Some(m) if m < 0x1_0000 => 2,
        Some(_) => 4,
    };
    let mut h = SipHasher13::new(secret.k0, secret.k1);
    for c in code_points {
        h.write_unit(c, width);
    }
    fix_minus_one(h.finish() as i64)
}

/// Incremental form of [`tuple_hash`], for callers that hash items one at a time.
#[derive(Clone, Copy, Debug)]
pub struct TupleHasher {
    acc: u64,
    len: u64,
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

impl TupleHasher {
    /// A hasher for an empty tuple.
    pub fn new() -> Self {
        TupleHasher {
            acc: XXPRIME_5,
            len: 0,
        }
    }

    /// Folds in the hash of the next item (one xxHash lane).
    #[inline]
    pub fn push(&mut self, item_hash: i64) {
        let lane = item_hash as u64;
        self.acc = self.acc.wrapping_add(lane.wrapping_mul(XXPRIME_2));
        self.acc = self.acc.rotate_left(31);
        self.acc = self.acc.wrapping_mul(XXPRIME_1);
        self.len += 1;
    }

    /// The tuple's hash.
    pub fn finish(&self) -> i64 {
        // The length term is mangled so that hash(()) keeps its pre-3.8 value.
        let acc = self.acc.wrapping_add(self.len ^ (XXPRIME_5 ^ 3_527_539));
        if acc == u64::MAX {
            return 1_546_275_796;
        }
        acc as i64
    }
}

impl Default for TupleHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// `hash(t)` for a tuple whose items hash to `item_hashes` (CPython 3.8+'s xxHash variant).
pub fn tuple_hash(item_hashes: &[i64]) -> i64 {
    let mut h = TupleHasher::new();
    for &item in item_hashes {
        h.push(item);
    }
    h.finish()
}

/// Incremental form of [`frozenset_hash`]; items may come in any order.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrozensetHasher {
    acc: u64,
    len: u64,
}

impl FrozensetHasher {
    /// A hasher for an empty frozenset.
    pub fn new() -> Self {
        FrozensetHasher::default()
    }

    /// Folds in one element's hash.
    #[inline]
    pub fn push(&mut self, item_hash: i64) {
        self.acc ^= shuffle_bits(item_hash as u64);
        self.len += 1;
    }

    /// The frozenset's hash.
    pub fn finish(&self) -> i64 {
        // CPython xors over every slot and then cancels empty and dummy slots; what remains
        // is exactly the xor over the active entries accumulated here.
        let mut hash = self.acc;
        hash ^= (self.len + 1).wrapping_mul(1_927_868_237);
        hash ^= (hash >> 11) ^ (hash >> 25);
        hash = hash.wrapping_mul(69_069).wrapping_add(907_133_923);
        if hash == u64::MAX {
            return 590_923_713;
        }
        hash as i64
    }
}

#[inline]
fn shuffle_bits(h: u64) -> u64 {
    ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167)
}

/// `hash(frozenset(...))` (also `set`'s value hash) from the hashes of its distinct elements.
pub fn frozenset_hash(item_hashes: &[i64]) -> i64 {
    let mut h = FrozensetHasher::new();
    for &item in item_hashes {
        h.push(item);
    }
    h.finish()
}

#[cfg(test)]
mod tests;

/// CPython's default `hash()` of an object from its address (`_Py_HashPointer`): the address
/// rotated right by 4 bits (the low bits are always zero for aligned objects); -1 becomes -2.
pub fn hash_pointer(addr: usize) -> i64 {
    let h = addr.rotate_right(4) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}
