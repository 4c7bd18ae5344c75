//! The Python-level algorithms of CPython 3.11's `random.py`, on top of [`Random`]: integer
//! ranges through `_randbelow` (getrandbits-based rejection), sequence helpers that return
//! indices, and the real-valued distributions.
//!
//! Invariant: each method draws from the generator exactly as random.py does — same calls,
//! same order, same rejection loops — and raises CPython's exception at the same point
//! (after the same draws). Arguments arrive already converted by the VM (random.py's
//! `_index`/`int` coercions and type errors stay with the caller).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};

use super::{Random, RandomError, RandomErrorKind};

/// random.py's `NV_MAGICCONST`, `4 * exp(-0.5) / sqrt(2.0)`, as CPython computes it.
/// Spelled out so that no compile-time folding with another libm can change it.
pub const NV_MAGICCONST: f64 = 1.7155277699214135;
/// random.py's `LOG4`, `log(4.0)`.
pub const LOG4: f64 = 1.3862943611198906;
/// random.py's `SG_MAGICCONST`, `1.0 + log(4.5)`.
pub const SG_MAGICCONST: f64 = 2.504077396776274;

fn error(kind: RandomErrorKind, message: &'static str) -> RandomError {
    RandomError::new(kind, message)
}

fn float_division_by_zero() -> RandomError {
    error(RandomErrorKind::ZeroDivisionError, "float division by zero")
}

fn math_domain_error() -> RandomError {
    error(RandomErrorKind::ValueError, "math domain error")
}

/// Python's `x ** y` for floats, where random.py's arguments can reach it: a zero base with a
/// negative exponent and an overflowing finite result raise as in CPython. (A negative base
/// with a fractional exponent, which Python answers with a complex, cannot arise here.)
fn float_pow(x: f64, y: f64) -> Result<f64, RandomError> {
    if x == 0.0 && y < 0.0 {
        return Err(error(
            RandomErrorKind::ZeroDivisionError,
            "0.0 cannot be raised to a negative power",
        ));
    }
    // Opaque operands keep the optimiser from rewriting pow(x, 0.5) as sqrt(x) (or
    // pow(x, 2.0) as x * x) when an exponent is known: the C library's pow, which CPython
    // calls, can differ from those in the last bit.
    let r = std::hint::black_box(x).powf(std::hint::black_box(y));
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(error(
            RandomErrorKind::OverflowError,
            "(34, 'Numerical result out of range')",
        ));
    }
    Ok(r)
}

/// `math.exp`, which raises on overflow.
fn math_exp(x: f64) -> Result<f64, RandomError> {
    let r = x.exp();
    if r.is_infinite() && x.is_finite() {
        return Err(error(RandomErrorKind::OverflowError, "math range error"));
    }
    Ok(r)
}

/// `math.acos`, which raises outside [-1, 1].
fn math_acos(x: f64) -> Result<f64, RandomError> {
    if x.abs() > 1.0 {
        return Err(math_domain_error());
    }
    Ok(x.acos())
}

/// Python's float `%`: the result takes the divisor's sign.
fn float_mod(x: f64, y: f64) -> f64 {
    let m = x % y;
    if m == 0.0 {
        0.0f64.copysign(y)
    } else if (y < 0.0) != (m < 0.0) {
        m + y
    } else {
        m
    }
}

/// `bisect.bisect_right(a, x)` with Python's exact probe sequence (which matters when `a`
/// is not sorted, e.g. with negative weights).
pub fn bisect_right<T: PartialOrd>(a: &[T], x: &T) -> usize {
    let (mut lo, mut hi) = (0, a.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if x < &a[mid] {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// `itertools.accumulate` of float weights, left to right.
pub fn accumulate(weights: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    let mut out = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        // The first item is taken as is (accumulate never adds it to a start value).
        total = if i == 0 { w } else { total + w };
        out.push(total);
    }
    out
}

/// `math.log(x, 4)` as random.sample computes it: `log(x) / log(4)`.
fn log4(x: f64) -> f64 {
    x.ln() / LOG4
}

/// `math.floor` of a Python int quotient: floor division for i128.
fn floor_div(a: i128, b: i128) -> i128 {
    Integer::div_floor(&a, &b)
}

impl Random {
    /// `_randbelow(n)` for `0 < n`: `getrandbits(n.bit_length())` until below `n`.
    pub fn randbelow(&mut self, n: u64) -> u64 {
        assert!(n > 0, "_randbelow is only defined for n > 0");
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.mt.getrandbits_u64(k);
            if r < n {
                return r;
            }
        }
    }

    /// `_randbelow(n)` for an int of any size, `0 < n`.
    pub fn randbelow_big(&mut self, n: &BigInt) -> BigInt {
        assert!(n.is_positive(), "_randbelow is only defined for n > 0");
        if let Some(small) = n.to_u64() {
            return BigInt::from(self.randbelow(small));
        }
        let k = n.bits();
        loop {
            let r = self.mt.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    /// `randrange(start, stop, step)` for ints of any size; `stop` is `None` for the
    /// one-argument form. The VM passes `step = 1` when it was not given (an explicit step
    /// other than 1 without a stop is "Missing a non-None stop argument").
    pub fn randrange(
        &mut self,
        start: &BigInt,
        stop: Option<&BigInt>,
        step: &BigInt,
    ) -> Result<BigInt, RandomError> {
        let Some(stop) = stop else {
            if !step.is_one() {
                return Err(error(
                    RandomErrorKind::TypeError,
                    "Missing a non-None stop argument",
                ));
            }
            if start.is_positive() {
                return Ok(self.randbelow_big(start));
            }
            return Err(error(
                RandomErrorKind::ValueError,
                "empty range for randrange()",
            ));
        };
        let width = stop - start;
        if step.is_one() {
            if width.is_positive() {
                return Ok(start + self.randbelow_big(&width));
            }
            return Err(RandomError::value(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        let n = if step.is_positive() {
            (width + step - 1u8).div_floor(step)
        } else if step.is_negative() {
            (width + step + 1u8).div_floor(step)
        } else {
            return Err(error(
                RandomErrorKind::ValueError,
                "zero step for randrange()",
            ));
        };
        if !n.is_positive() {
            return Err(error(
                RandomErrorKind::ValueError,
                "empty range for randrange()",
            ));
        }
        Ok(start + step * self.randbelow_big(&n))
    }

    /// [`randrange`](Self::randrange) for arguments that fit in an i64 (the result does too).
    pub fn randrange_i64(
        &mut self,
        start: i64,
        stop: Option<i64>,
        step: i64,
    ) -> Result<i64, RandomError> {
        let Some(stop) = stop else {
            if step != 1 {
                return Err(error(
                    RandomErrorKind::TypeError,
                    "Missing a non-None stop argument",
                ));
            }
            if start > 0 {
                return Ok(self.randbelow(start as u64) as i64);
            }
            return Err(error(
                RandomErrorKind::ValueError,
                "empty range for randrange()",
            ));
        };
        let width = i128::from(stop) - i128::from(start);
        if step == 1 {
            if width > 0 {
                return Ok((i128::from(start) + i128::from(self.randbelow(width as u64))) as i64);
            }
            return Err(RandomError::value(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        let step = i128::from(step);
        let n = match step {
            0 => {
                return Err(error(
                    RandomErrorKind::ValueError,
                    "zero step for randrange()",
                ))
            }
            s if s > 0 => floor_div(width + s - 1, s),
            s => floor_div(width + s + 1, s),
        };
        if n <= 0 {
            return Err(error(
                RandomErrorKind::ValueError,
                "empty range for randrange()",
            ));
        }
        // n <= |width| < 2**64, and the result lies between start and stop.
        Ok((i128::from(start) + step * i128::from(self.randbelow(n as u64))) as i64)
    }

    /// `randint(a, b)`: `randrange(a, b + 1)`, with that call's error message.
    pub fn randint(&mut self, a: &BigInt, b: &BigInt) -> Result<BigInt, RandomError> {
        self.randrange(a, Some(&(b + 1u8)), &BigInt::one())
    }

    /// [`randint`](Self::randint) for i64 bounds.
    pub fn randint_i64(&mut self, a: i64, b: i64) -> Result<i64, RandomError> {
        match b.checked_add(1) {
            Some(stop) => self.randrange_i64(a, Some(stop), 1),
            None => {
                let r = self.randint(&BigInt::from(a), &BigInt::from(b))?;
                Ok(r.to_i64().expect("randint result lies within [a, b]"))
            }
        }
    }

    /// `choice(seq)` for a sequence of length `len`: the index to take.
    pub fn choice(&mut self, len: usize) -> Result<usize, RandomError> {
        if len == 0 {
            return Err(error(
                RandomErrorKind::IndexError,
                "Cannot choose from an empty sequence",
            ));
        }
        Ok(self.randbelow(len as u64) as usize)
    }

    /// `shuffle(x)` in place: for i from len-1 down to 1, swap `x[i]` with `x[_randbelow(i+1)]`.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.randbelow(i as u64 + 1) as usize;
            x.swap(i, j);
        }
    }

    /// `sample(population, k)` for a population of length `n`: indices into it, in
    /// selection order.
    ///
    /// Like random.py, a pool of indices is used when `n` is at most
    /// `21 + 4 ** ceil(log(3k, 4))` (just 21 for `k <= 5`), and rejection against a set of
    /// chosen indices otherwise; the two consume different draws.
    pub fn sample(&mut self, n: usize, k: i64) -> Result<Vec<usize>, RandomError> {
        let k = usize::try_from(k)
            .ok()
            .filter(|&k| k <= n)
            .ok_or_else(|| RandomError::value("Sample larger than population or is negative"))?;
        let mut setsize: u128 = 21;
        if k > 5 {
            let exponent = log4((k * 3) as f64).ceil() as u32;
            setsize += 4u128.pow(exponent);
        }
        let mut result = Vec::with_capacity(k);
        if n as u128 <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow((n - i) as u64) as usize;
                result.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n as u64) as usize;
                while selected.contains(&j) {
                    j = self.randbelow(n as u64) as usize;
                }
                selected.insert(j);
                result.push(j);
            }
        }
        Ok(result)
    }

    /// `sample(population, k, counts=counts)` for a population of length `n`: indices into
    /// the population (each element repeated `counts[i]` times, as random.py expands it
    /// through `sample(range(total), k)` and `bisect`).
    pub fn sample_counts(
        &mut self,
        n: usize,
        counts: &[i64],
        k: i64,
    ) -> Result<Vec<usize>, RandomError> {
        let mut cum: Vec<i128> = Vec::with_capacity(counts.len());
        let mut total: i128 = 0;
        for &c in counts {
            total += i128::from(c);
            cum.push(total);
        }
        if cum.len() != n {
            return Err(RandomError::value(
                "The number of counts does not match the population",
            ));
        }
        let Some(total) = cum.pop() else {
            return Err(error(RandomErrorKind::IndexError, "pop from empty list"));
        };
        if total <= 0 {
            return Err(RandomError::value(
                "Total of counts must be greater than zero",
            ));
        }
        let total = usize::try_from(total).map_err(|_| {
            error(
                RandomErrorKind::OverflowError,
                "Python int too large to convert to C ssize_t",
            )
        })?;
        let selections = self.sample(total, k)?;
        Ok(selections
            .into_iter()
            .map(|s| bisect_right(&cum, &(s as i128)))
            .collect())
    }

    /// `choices(population, k=k)` without weights, for a population of length `n`: indices
    /// `floor(random() * n)`. (For `n == 0` that is index 0, and indexing the empty
    /// population raises IndexError in the VM, as in CPython.)
    pub fn choices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let n = n as f64;
        (0..k)
            .map(|_| (self.random() * n).floor() as usize)
            .collect()
    }

    /// `choices(population, cum_weights=cum_weights, k=k)` for a population of length `n`
    /// (with `weights=`, pass [`accumulate`] of them): indices found by bisecting
    /// `random() * total` in all but the last cumulative weight.
    pub fn choices_cum_weights(
        &mut self,
        n: usize,
        cum_weights: &[f64],
        k: usize,
    ) -> Result<Vec<usize>, RandomError> {
        if cum_weights.len() != n {
            return Err(RandomError::value(
                "The number of weights does not match the population",
            ));
        }
        let Some(&last) = cum_weights.last() else {
            return Err(error(
                RandomErrorKind::IndexError,
                "list index out of range",
            ));
        };
        let total = last + 0.0;
        if total <= 0.0 {
            return Err(RandomError::value(
                "Total of weights must be greater than zero",
            ));
        }
        if !total.is_finite() {
            return Err(RandomError::value("Total of weights must be finite"));
        }
        let searched = &cum_weights[..n - 1];
        Ok((0..k)
            .map(|_| bisect_right(searched, &(self.random() * total)))
            .collect())
    }

    /// `randbytes(n)`: `getrandbits(n * 8).to_bytes(n, 'little')`.
    pub fn randbytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 3);
        let mut remaining = n * 8;
        while remaining > 0 {
            let mut r = self.mt.next_u32();
            if remaining < 32 {
                r >>= 32 - remaining;
            }
            out.extend_from_slice(&r.to_le_bytes());
            remaining = remaining.saturating_sub(32);
        }
        out.truncate(n);
        out
    }
}

/// The real-valued distributions.
impl Random {
    /// `uniform(a, b)`: `a + (b - a) * random()`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `triangular(low, high, mode)`. `None` stands for random.py's ZeroDivisionError path
    /// (a mode given with `high == low`), which returns `low` itself, unconverted.
    pub fn triangular(&mut self, low: f64, high: f64, mode: Option<f64>) -> Option<f64> {
        let mut u = self.random();
        let mut c = match mode {
            None => 0.5,
            Some(_) if high - low == 0.0 => return None,
            Some(m) => (m - low) / (high - low),
        };
        let (mut low, mut high) = (low, high);
        if u > c {
            u = 1.0 - u;
            c = 1.0 - c;
            std::mem::swap(&mut low, &mut high);
        }
        Some(low + (high - low) * (u * c).sqrt())
    }

    /// `normalvariate(mu, sigma)`: Kinderman and Monahan's ratio method.
    pub fn normalvariate(&mut self, mu: f64, sigma: f64) -> f64 {
        loop {
            let u1 = self.random();
            let u2 = 1.0 - self.random();
            let z = NV_MAGICCONST * (u1 - 0.5) / u2;
            let zz = z * z / 4.0;
            if zz <= -u2.ln() {
                return mu + z * sigma;
            }
        }
    }

    /// `gauss(mu, sigma)`: Box–Muller, returning the cached second value on every other call.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.gauss_next = Some(x2pi.sin() * g2rad);
                x2pi.cos() * g2rad
            }
        };
        mu + z * sigma
    }

    /// `lognormvariate(mu, sigma)`: `exp(normalvariate(mu, sigma))`.
    pub fn lognormvariate(&mut self, mu: f64, sigma: f64) -> Result<f64, RandomError> {
        let n = self.normalvariate(mu, sigma);
        math_exp(n)
    }

    /// `expovariate(lambd)`: `-log(1 - random()) / lambd` (the draw happens before a zero
    /// rate raises).
    pub fn expovariate(&mut self, lambd: f64) -> Result<f64, RandomError> {
        let x = -(1.0 - self.random()).ln();
        if lambd == 0.0 {
            return Err(float_division_by_zero());
        }
        Ok(x / lambd)
    }

    /// `vonmisesvariate(mu, kappa)`: Fisher's algorithm; uniform on the circle for tiny kappa.
    pub fn vonmisesvariate(&mut self, mu: f64, kappa: f64) -> Result<f64, RandomError> {
        const TWOPI: f64 = std::f64::consts::TAU;
        if kappa <= 1e-6 {
            return Ok(TWOPI * self.random());
        }
        let s = 0.5 / kappa;
        let r = s + (1.0 + s * s).sqrt();
        let z = loop {
            let u1 = self.random();
            let z = (std::f64::consts::PI * u1).cos();
            let d = z / (r + z);
            let u2 = self.random();
            if u2 < 1.0 - d * d || u2 <= (1.0 - d) * d.exp() {
                break z;
            }
        };
        let q = 1.0 / r;
        let f = (q + z) / (1.0 + q * z);
        let u3 = self.random();
        let theta = if u3 > 0.5 {
            float_mod(mu + math_acos(f)?, TWOPI)
        } else {
            float_mod(mu - math_acos(f)?, TWOPI)
        };
        Ok(theta)
    }

    /// `gammavariate(alpha, beta)`: Cheng's method for alpha > 1, the exponential for
    /// alpha == 1, and algorithm GS below 1.
    pub fn gammavariate(&mut self, alpha: f64, beta: f64) -> Result<f64, RandomError> {
        // Written so that NaN parameters pass the check, as in random.py.
        if alpha <= 0.0 || beta <= 0.0 {
            return Err(RandomError::value(
                "gammavariate: alpha and beta must be > 0.0",
            ));
        }
        if alpha > 1.0 {
            return Ok(self.gamma_cheng(alpha) * beta);
        }
        if alpha == 1.0 {
            return Ok(-(1.0 - self.random()).ln() * beta);
        }
        let e = std::f64::consts::E;
        loop {
            let u = self.random();
            let b = (e + alpha) / e;
            let p = b * u;
            let x = if p <= 1.0 {
                float_pow(p, 1.0 / alpha)?
            } else {
                -((b - p) / alpha).ln()
            };
            let u1 = self.random();
            let accept = if p > 1.0 {
                u1 <= float_pow(x, alpha - 1.0)?
            } else {
                u1 <= (-x).exp()
            };
            if accept {
                return Ok(x * beta);
            }
        }
    }

    /// R.C.H. Cheng's rejection loop for alpha > 1 (before scaling by beta).
    fn gamma_cheng(&mut self, alpha: f64) -> f64 {
        let ainv = (2.0 * alpha - 1.0).sqrt();
        let bbb = alpha - LOG4;
        let ccc = alpha + ainv;
        loop {
            let u1 = self.random();
            if !(1e-7 < u1 && u1 < 0.9999999) {
                continue;
            }
            let u2 = 1.0 - self.random();
            let v = (u1 / (1.0 - u1)).ln() / ainv;
            let x = alpha * v.exp();
            let z = u1 * u1 * u2;
            let r = bbb + ccc * v - x;
            if r + SG_MAGICCONST - 4.5 * z >= 0.0 || r >= z.ln() {
                return x;
            }
        }
    }

    /// `betavariate(alpha, beta)`: from two gamma variates (the second only if the first is
    /// non-zero).
    pub fn betavariate(&mut self, alpha: f64, beta: f64) -> Result<f64, RandomError> {
        let y = self.gammavariate(alpha, 1.0)?;
        if y != 0.0 {
            return Ok(y / (y + self.gammavariate(beta, 1.0)?));
        }
        Ok(0.0)
    }

    /// `paretovariate(alpha)`: `(1 - random()) ** (-1 / alpha)`.
    pub fn paretovariate(&mut self, alpha: f64) -> Result<f64, RandomError> {
        let u = 1.0 - self.random();
        if alpha == 0.0 {
            return Err(float_division_by_zero());
        }
        float_pow(u, -1.0 / alpha)
    }

    /// `weibullvariate(alpha, beta)`: `alpha * (-log(1 - random())) ** (1 / beta)`.
    pub fn weibullvariate(&mut self, alpha: f64, beta: f64) -> Result<f64, RandomError> {
        let u = 1.0 - self.random();
        if beta == 0.0 {
            return Err(float_division_by_zero());
        }
        Ok(alpha * float_pow(-u.ln(), 1.0 / beta)?)
    }
}
