//! The core of Python's `random` module: CPython 3.11's Mersenne Twister (`_random.Random`)
//! with its seeding, `random()`, `getrandbits()` and state, plus (in [`dist`]) the
//! algorithms of `random.py` whose results depend on the exact sequence of draws.
//!
//! Invariant: every value produced is the one CPython produces for the same seed and the same
//! sequence of calls — each function consumes exactly the 32-bit words CPython's consumes,
//! in the same order. Sequence-valued operations work on indices or slices so that the VM can
//! apply them to its own values.

pub mod dist;

use std::borrow::Cow;

use num_bigint::{BigInt, BigUint};
use sha2::{Digest, Sha512};

/// Words of Mersenne Twister state.
pub const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The exception a `random` function raises, with CPython's type and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomError {
    /// The Python exception class.
    pub kind: RandomErrorKind,
    /// The exception's message, word for word.
    pub message: Cow<'static, str>,
}

/// Python exception classes raised by this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RandomErrorKind {
    /// `ValueError`
    ValueError,
    /// `TypeError`
    TypeError,
    /// `IndexError`
    IndexError,
    /// `ZeroDivisionError`
    ZeroDivisionError,
    /// `OverflowError`
    OverflowError,
}

impl RandomError {
    pub(crate) fn new(kind: RandomErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        RandomError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn value(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(RandomErrorKind::ValueError, message)
    }
}

impl std::fmt::Display for RandomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for RandomError {}

/// The raw generator: 624 words of state and the index of the next word to temper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mt19937 {
    state: [u32; N],
    /// In `0..=N`; `N` means the state must be regenerated before the next draw.
    index: usize,
}

impl Mt19937 {
    /// `init_genrand`: the reference initialisation from one 32-bit seed.
    pub fn from_u32(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: N }
    }

    /// `init_by_array`: initialisation from a key of 32-bit words (CPython's `seed()` passes
    /// the seed's magnitude split into words, least significant first). An empty key is
    /// treated as `[0]`, as CPython always passes at least one word.
    pub fn from_key(key: &[u32]) -> Self {
        let key = if key.is_empty() { &[0][..] } else { key };
        let mut mt = Self::from_u32(19_650_218);
        let s = &mut mt.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = s[i - 1];
            s[i] = (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = s[i - 1];
            s[i] =
                (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
        }
        // The most significant bit is set so that the state is never all zero.
        s[0] = 0x8000_0000;
        mt
    }

    /// CPython's seeding from an int: the key is `|n|` in 32-bit words.
    pub fn from_bigint(n: &BigInt) -> Self {
        Self::from_key(&n.magnitude().to_u32_digits())
    }

    /// Seeding from OS randomness (`seed(None)`): 624 random words as the key, or, if the OS
    /// cannot provide them, the clock and process id as CPython's fallback does.
    pub fn from_os() -> Self {
        let mut bytes = [0u8; N * 4];
        if getrandom::fill(&mut bytes).is_ok() {
            let key: Vec<u32> = bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            return Self::from_key(&key);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let key = [now as u32, (now >> 32) as u32, std::process::id()];
        Self::from_key(&key)
    }

    /// Regenerates all 624 words (the twist).
    fn twist(&mut self) {
        let s = &mut self.state;
        let mix = |a: u32, b: u32, far: u32| {
            let y = (a & UPPER_MASK) | (b & LOWER_MASK);
            far ^ (y >> 1) ^ if y & 1 == 1 { MATRIX_A } else { 0 }
        };
        for k in 0..N - M {
            s[k] = mix(s[k], s[k + 1], s[k + M]);
        }
        for k in N - M..N - 1 {
            s[k] = mix(s[k], s[k + 1], s[k + M - N]);
        }
        s[N - 1] = mix(s[N - 1], s[0], s[M - 1]);
        self.index = 0;
    }

    /// `genrand_uint32`: the next tempered 32-bit word.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: a float in [0, 1) with 53 random bits, from two words (27 + 26 bits).
    #[inline]
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 64`, without allocating. Words fill the result from the
    /// least significant end; the last word keeps only its top bits.
    #[inline]
    pub fn getrandbits_u64(&mut self, k: u32) -> u64 {
        assert!(k <= 64, "getrandbits_u64 takes at most 64 bits");
        match k {
            0 => 0,
            1..=32 => u64::from(self.next_u32() >> (32 - k)),
            _ => {
                let low = u64::from(self.next_u32());
                let high = u64::from(self.next_u32() >> (64 - k));
                low | (high << 32)
            }
        }
    }

    /// `getrandbits(k)` for any `k`: a non-negative int below `2**k`.
    pub fn getrandbits(&mut self, k: u64) -> BigInt {
        if k <= 64 {
            return BigInt::from(self.getrandbits_u64(k as u32));
        }
        let words = (k - 1) / 32 + 1;
        let mut digits = Vec::with_capacity(words as usize);
        let mut remaining = k;
        for _ in 0..words {
            let mut r = self.next_u32();
            if remaining < 32 {
                r >>= 32 - remaining;
            }
            digits.push(r);
            remaining = remaining.saturating_sub(32);
        }
        BigInt::from(BigUint::from_slice(&digits))
    }

    /// `getstate()` of `_random.Random`: the 624 words and the index.
    pub fn getstate(&self) -> ([u32; N], usize) {
        (self.state, self.index)
    }

    /// `setstate()` of `_random.Random`. The VM checks that the tuple has 625 items
    /// ("state vector is the wrong size") and converts the words (truncated to 32 bits).
    pub fn setstate(&mut self, words: &[u32; N], index: i64) -> Result<(), RandomError> {
        if !(0..=N as i64).contains(&index) {
            return Err(RandomError::value("invalid state"));
        }
        self.state = *words;
        self.index = index as usize;
        Ok(())
    }
}

/// What `random.seed(a)` was given, as `Random.seed` (version 2) distinguishes it.
#[derive(Clone, Copy, Debug)]
pub enum Seed<'a> {
    /// `None`: OS randomness.
    None,
    /// An int (or bool): its absolute value is the key.
    Int(&'a BigInt),
    /// A float or any other hashable that reaches `_random.Random.seed`: the VM passes
    /// `hash(a)`, which is reinterpreted as an unsigned 64-bit number.
    Hash(i64),
    /// A str: its UTF-8 bytes followed by their SHA-512 digest, read as a big-endian int.
    Str(&'a str),
    /// bytes or bytearray: the same as a str's UTF-8 bytes.
    Bytes(&'a [u8]),
}

/// `random.Random`: the generator plus the cached second value of `gauss()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Random {
    mt: Mt19937,
    gauss_next: Option<f64>,
}

/// `Random.getstate()` as plain data: `(3, (*words, index), gauss_next)` in Python.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomState {
    /// The 624 state words.
    pub words: [u32; N],
    /// Index of the next word, `0..=624`.
    pub index: usize,
    /// The value `gauss()` will return next, if cached.
    pub gauss_next: Option<f64>,
}

impl Random {
    /// `random.Random(a)`.
    pub fn new(seed: Seed<'_>) -> Self {
        Random {
            mt: Self::generator(seed),
            gauss_next: None,
        }
    }

    fn generator(seed: Seed<'_>) -> Mt19937 {
        match seed {
            Seed::None => Mt19937::from_os(),
            Seed::Int(n) => Mt19937::from_bigint(n),
            // The C code converts the hash to an unsigned int before splitting it, so a
            // small hash gives a one-word key.
            Seed::Hash(h) => Mt19937::from_bigint(&BigInt::from(h as u64)),
            Seed::Str(s) => Self::from_text(s.as_bytes()),
            Seed::Bytes(b) => Self::from_text(b),
        }
    }

    /// Version 2 seeding of str and bytes: `int.from_bytes(a + sha512(a).digest())`.
    fn from_text(bytes: &[u8]) -> Mt19937 {
        let digest = Sha512::digest(bytes);
        let mut all = Vec::with_capacity(bytes.len() + digest.len());
        all.extend_from_slice(bytes);
        all.extend_from_slice(&digest);
        Mt19937::from_key(&BigUint::from_bytes_be(&all).to_u32_digits())
    }

    /// `seed(a)` (version 2); also forgets the cached gauss value.
    pub fn seed(&mut self, seed: Seed<'_>) {
        self.mt = Self::generator(seed);
        self.gauss_next = None;
    }

    /// `seed(a, version=1)` for a str or bytes (bytes are decoded as latin-1, so pass their
    /// values as code points): the old 64-bit string hash of Python 2 era `random`.
    pub fn seed_version1(&mut self, code_points: &[u32]) {
        let mut x: u64 = code_points.first().map_or(0, |&c| u64::from(c) << 7);
        for &c in code_points {
            x = 1_000_003u64.wrapping_mul(x) ^ u64::from(c);
        }
        x ^= code_points.len() as u64;
        // `a = -2 if x == -1 else x`: x is unsigned here, so it is never -1.
        self.seed(Seed::Int(&BigInt::from(x)));
    }

    /// The underlying generator.
    pub fn generator_mut(&mut self) -> &mut Mt19937 {
        &mut self.mt
    }

    /// `random()`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        self.mt.random()
    }

    /// `getrandbits(k)`; a negative `k` is "number of bits must be non-negative".
    pub fn getrandbits(&mut self, k: i64) -> Result<BigInt, RandomError> {
        let k = u64::try_from(k)
            .map_err(|_| RandomError::value("number of bits must be non-negative"))?;
        Ok(self.mt.getrandbits(k))
    }

    /// `getstate()`.
    pub fn getstate(&self) -> RandomState {
        let (words, index) = self.mt.getstate();
        RandomState {
            words,
            index,
            gauss_next: self.gauss_next,
        }
    }

    /// `setstate(state)` for a version 3 state; `version` is the state's first item. A
    /// version 2 state holds signed words: the VM reduces them modulo 2**32 first.
    pub fn setstate(
        &mut self,
        version: i64,
        words: &[u32; N],
        index: i64,
        gauss_next: Option<f64>,
    ) -> Result<(), RandomError> {
        if version != 3 && version != 2 {
            return Err(RandomError::value(format!(
                "state with version {version} passed to Random.setstate() of version 3"
            )));
        }
        self.gauss_next = gauss_next;
        self.mt.setstate(words, index)
    }
}

#[cfg(test)]
mod tests;
