//! Exact sums of `n ln n` terms, and the wide integers that compare them.
//!
//! # The fixed point
//! Every count `n ≥ 1` factors into primes, `n = Π p^{e_p(n)}`, so `n ln n = n Σ e_p(n) ln p`.
//! We fix one integer per prime, `ℓ_p = round(ln p · 2^64)` (computed to 120 bits first, see
//! below), and define the fixed-point value of `n ln n` as the integer
//!
//! ```text
//!     fixed(n ln n) = n · Σ_p e_p(n) · ℓ_p          (0 for n ≤ 1)
//! ```
//!
//! A sum `Σ c ln c` over cell counts is then `Σ_p A_p ℓ_p` with integer `A_p = Σ_c c·e_p(c)`
//! (the exponent of `p` in `Π c^c`): a *linear* function of the prime-exponent vector. Since the
//! logarithms of primes are linearly independent over ℚ, two such sums (or any integer
//! combination of them with one common row count, as every plug-in entropy, mutual information
//! or conditional mutual information is) are mathematically equal exactly when their exponent
//! vectors are equal, and then their fixed-point values are equal integers. Tables equal up to
//! relabeling, and tables such as counts `{4,1,1,1,1}` and `{2,2,2,2}` (`4 ln 4 = 8 ln 2`), give
//! identical integers. Sums are exact and independent of order, chunking and threads.
//!
//! # Error bound
//! Each `ℓ_p` is within `0.5 + 2^-50` units (of `2^-64`) of `ln p · 2^64`; `n ln n` has at most `n log₂ n` prime factors counted with
//! multiplicity, so `|fixed(Σ c ln c) − 2^64 Σ c ln c| ≤ 0.51 · N log₂ N` units for cells
//! summing to `N`: below `2^-22` nats for `N = 2^32`, and `N·I` values of a criterion that are
//! not mathematically equal differ by far more in any data set of that size.
//!
//! # Range
//! Values are `i128` in units of `2^-64`. `N ln N < 2^46` for `N ≤ 2^40`, i.e. below `2^110`
//! units, leaving 17 bits of headroom for sums of criterion terms.
//!
//! # Prime logarithms
//! `ln 2 = 2 atanh(1/3)` and `ln p = ln(p − 1) + 2 atanh(1/(2p − 1))` for odd primes, with
//! `ln(p − 1)` from the already known smaller primes; the series is summed in 120-bit
//! fixed point by integer division, so every machine computes the same `ℓ_p`.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock, RwLock};

/// Fractional bits of the fixed-point representation.
pub const FRAC_BITS: i32 = 64;
/// `2^64` as `f64` (exact).
const SCALE: f64 = 18_446_744_073_709_551_616.0;
/// Fractional bits of the high-precision prime logarithms.
const HI_BITS: u32 = 120;
/// Largest count whose `ln n` is kept in the cached table (larger counts are factored).
const TABLE_CAP: u64 = 1 << 22;

/// `n ln n` in `f64` (`0 ln 0 = 1 ln 1 = 0`), for callers that want a float.
#[inline]
pub fn nlogn(n: u64) -> f64 {
    if n < 2 {
        0.0
    } else {
        let x = n as f64;
        x * x.ln()
    }
}

/// `atanh(1/q)` in `HI_BITS` fixed point (`q ≥ 3`), by the series `Σ 1/((2k+1) q^{2k+1})`.
fn atanh_inv_hi(q: u128) -> u128 {
    let q2 = q * q;
    let mut t = (1u128 << HI_BITS) / q;
    let mut sum = t;
    let mut k = 1u128;
    loop {
        t /= q2;
        if t == 0 {
            return sum;
        }
        sum += t / (2 * k + 1);
        k += 1;
    }
}

/// `ln p · 2^120` of a prime `p`, given `ln(p − 1) · 2^120` as `Σ e_q ℓhi_q`.
fn ln_prime_hi(p: u64, ln_pred_hi: u128) -> u128 {
    ln_pred_hi + 2 * atanh_inv_hi(2 * p as u128 - 1)
}

/// Rounds a 120-bit prime logarithm to the 64-bit `ℓ_p`.
fn round_hi(v: u128) -> i128 {
    let shift = HI_BITS - FRAC_BITS as u32;
    ((v + (1u128 << (shift - 1))) >> shift) as i128
}

/// Per `n ≤ max`: the smallest prime factor and `Σ e_p ℓ_p`; per prime `ℓhi_p`.
#[derive(Debug)]
struct LogTable {
    /// Smallest prime factor of each `n` (`spf[0] = spf[1] = 0`).
    spf: Vec<u32>,
    /// `Σ_p e_p(n) ℓ_p` of each `n`: the fixed-point `ln n`.
    ln: Vec<i128>,
    /// The primes up to `max`, ascending, and their `ℓhi_p`.
    primes: Vec<u64>,
    prime_hi: Vec<u128>,
    /// `n · ln[n]` for the first [`NLOGN_CACHED`] counts: what the counting loops add up,
    /// read instead of multiplied (the same integers).
    nlogn: Vec<i128>,
}

/// Counts whose `n ln n` the shared table keeps ready (1 MiB of `i128`).
const NLOGN_CACHED: usize = 1 << 16;

impl LogTable {
    fn new(max: u64) -> Self {
        let m = max.max(2) as usize;
        let mut spf = vec![0u32; m + 1];
        for i in 2..=m {
            if spf[i] == 0 {
                let mut j = i;
                while j <= m {
                    if spf[j] == 0 {
                        spf[j] = i as u32;
                    }
                    j += i;
                }
            }
        }
        let mut t = LogTable {
            spf,
            ln: vec![0i128; m + 1],
            primes: Vec::new(),
            prime_hi: Vec::new(),
            nlogn: Vec::new(),
        };
        for n in 2..=m {
            let p = t.spf[n] as usize;
            if p == n {
                let hi = ln_prime_hi(n as u64, t.ln_hi(n as u64 - 1));
                t.primes.push(n as u64);
                t.prime_hi.push(hi);
                t.ln[n] = round_hi(hi);
            } else {
                t.ln[n] = t.ln[n / p] + t.ln[p];
            }
        }
        t.nlogn = t.ln[..(m + 1).min(NLOGN_CACHED)]
            .iter()
            .enumerate()
            .map(|(n, &l)| if n < 2 { 0 } else { n as i128 * l })
            .collect();
        t
    }

    fn max(&self) -> u64 {
        self.ln.len() as u64 - 1
    }

    /// `Σ e_p ℓhi_p` of any `n ≥ 1` whose prime factors are known or past the table.
    fn ln_hi(&self, n: u64) -> u128 {
        self.factor(n)
            .iter()
            .map(|&(p, e)| e * self.prime_hi(p))
            .sum()
    }

    /// `ℓhi_p` of a prime.
    fn prime_hi(&self, p: u64) -> u128 {
        match self.primes.binary_search(&p) {
            Ok(i) => self.prime_hi[i],
            Err(_) => ln_prime_hi(p, self.ln_hi(p - 1)),
        }
    }

    /// The prime factorization `(p, e_p)` of `n ≥ 1`.
    fn factor(&self, mut n: u64) -> Vec<(u64, u128)> {
        let mut out: Vec<(u64, u128)> = Vec::new();
        let mut push = |p: u64| match out.last_mut() {
            Some((q, e)) if *q == p => *e += 1,
            _ => out.push((p, 1)),
        };
        let mut d = 2u64;
        while n > self.max() && d * d <= n {
            while n % d == 0 {
                push(d);
                n /= d;
            }
            d += if d == 2 { 1 } else { 2 };
        }
        if n > self.max() {
            push(n);
            return out;
        }
        while n > 1 {
            let p = self.spf[n as usize] as u64;
            push(p);
            n /= p;
        }
        out
    }

    /// The fixed-point `ln n` (`n ≥ 1`).
    fn ln_fixed(&self, n: u64) -> i128 {
        match self.ln.get(n as usize) {
            Some(&v) => v,
            None => self
                .factor(n)
                .iter()
                .map(|&(p, e)| e as i128 * round_hi(self.prime_hi(p)))
                .sum(),
        }
    }
}

/// The process-wide table, grown (never shrunk) to the largest row count asked for.
fn shared_table(max: u64) -> Arc<LogTable> {
    static CACHE: OnceLock<RwLock<Arc<LogTable>>> = OnceLock::new();
    let want = max.clamp(1 << 12, TABLE_CAP);
    let cache = CACHE.get_or_init(|| RwLock::new(Arc::new(LogTable::new(1 << 12))));
    {
        let t = cache.read().unwrap_or_else(|e| e.into_inner());
        if t.max() >= want {
            return Arc::clone(&t);
        }
    }
    let mut t = cache.write().unwrap_or_else(|e| e.into_inner());
    if t.max() < want {
        *t = Arc::new(LogTable::new(want.max(2 * t.max()).min(TABLE_CAP)));
    }
    Arc::clone(&t)
}

/// The fixed-point value of `n ln n`: `n · Σ e_p(n) ℓ_p` (0 for `n ≤ 1`).
fn nlogn_fixed(n: u64, table: &LogTable) -> i128 {
    if n < 2 {
        0
    } else {
        n as i128 * table.ln_fixed(n)
    }
}

/// An exact sum of `n ln n` terms in units of `2^-64` (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NLogNSum(i128);

impl NLogNSum {
    /// The empty sum.
    pub const ZERO: NLogNSum = NLogNSum(0);

    /// The sum holding the single term `n ln n`.
    pub fn of(n: u64) -> Self {
        // The cached table as it is: larger counts are factored rather than grow it.
        NLogNSum(nlogn_fixed(n, &shared_table(0)))
    }

    /// Adds the term `n ln n`.
    pub fn add_count(&mut self, n: u64) {
        if n >= 2 {
            self.0 += NLogNSum::of(n).0;
        }
    }

    /// Sums `n ln n` over counts (zeros are skipped).
    pub fn from_counts<I: IntoIterator<Item = u64>>(counts: I) -> Self {
        let counts: Vec<u64> = counts.into_iter().collect();
        let table = NLogNTable::new(counts.iter().copied().max().unwrap_or(0));
        let mut s = NLogNSum::ZERO;
        for n in counts {
            table.add(&mut s, n);
        }
        s
    }

    /// Sums `n ln n` over counts using a precomputed table.
    pub fn from_counts_with(counts: &[u32], table: &NLogNTable) -> Self {
        let mut s = 0i128;
        for &n in counts {
            s += table.fixed(n as u64);
        }
        NLogNSum(s)
    }

    /// The fixed-point integer (units of `2^-64`).
    #[inline]
    pub fn raw(self) -> i128 {
        self.0
    }

    /// The value as `f64`.
    #[inline]
    pub fn to_f64(self) -> f64 {
        fixed_to_f64(self.0)
    }

    /// `N · H` in units of `2^-64` for a sample of `total` items whose cell counts summed to
    /// this: `N ln N − Σ n ln n`, exact (see the module docs). Integer combinations of these
    /// with one common `N` (mutual information, conditional mutual information, criterion
    /// sums) are mathematically equal exactly when they are equal integers.
    #[inline]
    pub fn scaled_entropy(self, total: u64) -> i128 {
        NLogNSum::of(total).0 - self.0
    }

    /// Plug-in entropy in nats of a sample of `total` items whose cell counts summed to this:
    /// `H = (N ln N − Σ n ln n) / N`, computed exactly before the single final rounding, so a
    /// table with a single non-empty cell has entropy exactly 0.
    #[inline]
    pub fn entropy(self, total: u64) -> f64 {
        if total == 0 {
            return 0.0;
        }
        fixed_to_f64(self.scaled_entropy(total)) / total as f64
    }
}

/// A fixed-point integer (units of `2^-64`) as `f64`; 0 is `+0.0`.
#[inline]
pub fn fixed_to_f64(v: i128) -> f64 {
    if v == 0 {
        0.0
    } else {
        v as f64 / SCALE
    }
}

impl std::ops::Add for NLogNSum {
    type Output = NLogNSum;
    fn add(self, rhs: Self) -> Self {
        NLogNSum(self.0 + rhs.0)
    }
}

impl std::ops::Sub for NLogNSum {
    type Output = NLogNSum;
    fn sub(self, rhs: Self) -> Self {
        NLogNSum(self.0 - rhs.0)
    }
}

impl std::ops::AddAssign for NLogNSum {
    fn add_assign(&mut self, rhs: Self) {
        self.0 += rhs.0;
    }
}

impl std::iter::Sum for NLogNSum {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(NLogNSum::ZERO, |a, b| a + b)
    }
}

/// A lookup table of fixed-point `n ln n` for the counts of hot loops: one shared, cached
/// table of prime-exponent logarithms (built once per process up to the largest row count
/// asked for, at most 2^22), so creating one is cheap. Counts past the table are factored, with
/// the same result.
#[derive(Debug, Clone)]
pub struct NLogNTable {
    table: Arc<LogTable>,
}

impl NLogNTable {
    /// A table for counts up to `max`.
    pub fn new(max: u64) -> Self {
        NLogNTable {
            table: shared_table(max),
        }
    }

    /// `n ln n` in fixed point.
    #[inline]
    pub fn fixed(&self, n: u64) -> i128 {
        if let Some(&v) = self.table.nlogn.get(n as usize) {
            return v;
        }
        match self.table.ln.get(n as usize) {
            Some(&l) => n as i128 * l,
            None => nlogn_fixed(n, &self.table),
        }
    }

    /// Adds `n ln n` to a sum.
    #[inline]
    pub fn add(&self, sum: &mut NLogNSum, n: u64) {
        sum.0 += self.fixed(n);
    }

    /// [`NLogNSum::scaled_entropy`] through this table (the same integer, without reaching
    /// the process-wide cache: for hot loops).
    #[inline]
    pub fn scaled_entropy(&self, sum: NLogNSum, total: u64) -> i128 {
        self.fixed(total) - sum.0
    }
}

/// A signed 256-bit integer: enough for exact products of two fixed-point values and for
/// criterion scores with dyadic weights. Two's complement in a high signed and a low unsigned
/// half, so the derived order (high half first) is the numeric order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct I256 {
    hi: i128,
    lo: u128,
}

impl I256 {
    /// Zero.
    pub const ZERO: I256 = I256 { hi: 0, lo: 0 };

    /// `v` widened.
    pub fn from_i128(v: i128) -> Self {
        I256 {
            hi: if v < 0 { -1 } else { 0 },
            lo: v as u128,
        }
    }

    /// The exact product `a · b`.
    pub fn product(a: i128, b: i128) -> Self {
        let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
        let (a1, a0) = (ua >> 64, ua & u64::MAX as u128);
        let (b1, b0) = (ub >> 64, ub & u64::MAX as u128);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let mid = (p00 >> 64) + (p01 & u64::MAX as u128) + (p10 & u64::MAX as u128);
        let lo = (p00 & u64::MAX as u128) | (mid << 64);
        let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
        let r = I256 { hi: hi as i128, lo };
        if (a < 0) != (b < 0) {
            -r
        } else {
            r
        }
    }

    /// `self + o`, `None` on overflow.
    pub fn checked_add(self, o: Self) -> Option<Self> {
        let (lo, carry) = self.lo.overflowing_add(o.lo);
        let hi = self.hi.checked_add(o.hi)?.checked_add(carry as i128)?;
        Some(I256 { hi, lo })
    }

    /// `self · 2^k`, `None` on overflow.
    pub fn checked_shl(self, k: u32) -> Option<Self> {
        if k == 0 {
            return Some(self);
        }
        if k >= 255 {
            return (self == I256::ZERO).then_some(I256::ZERO);
        }
        // Overflow unless the top k+1 bits are all equal to the sign.
        let back = |v: I256| v.shift_right(k);
        let r = if k >= 128 {
            I256 {
                hi: (self.lo << (k - 128)) as i128,
                lo: 0,
            }
        } else {
            I256 {
                hi: (self.hi << k) | (self.lo >> (128 - k)) as i128,
                lo: self.lo << k,
            }
        };
        (back(r) == self).then_some(r)
    }

    /// Arithmetic shift right by `k < 256`.
    fn shift_right(self, k: u32) -> Self {
        if k == 0 {
            self
        } else if k >= 128 {
            I256 {
                hi: if self.hi < 0 { -1 } else { 0 },
                lo: (self.hi >> (k - 128).min(127)) as u128,
            }
        } else {
            I256 {
                hi: self.hi >> k,
                lo: (self.lo >> k) | ((self.hi as u128) << (128 - k)),
            }
        }
    }

    /// The value as `f64` (within a few ulp); 0 is `+0.0`.
    pub fn to_f64(self) -> f64 {
        if self == I256::ZERO {
            0.0
        } else if self.hi < 0 {
            // Negate first: the two halves of a small negative value would cancel.
            -(-self).to_f64()
        } else {
            self.hi as f64 * 2f64.powi(128) + self.lo as f64
        }
    }
}

impl std::ops::Neg for I256 {
    type Output = I256;
    /// `−self` (wrapping at the most negative value, which products never reach).
    fn neg(self) -> Self {
        let (lo, carry) = (!self.lo).overflowing_add(1);
        I256 {
            hi: (!self.hi).wrapping_add(carry as i128),
            lo,
        }
    }
}

/// Compares `a · b` with `c · d` exactly.
pub fn cmp_products(a: i128, b: i128, c: i128, d: i128) -> Ordering {
    I256::product(a, b).cmp(&I256::product(c, d))
}

/// `⌊num · 2^bits / den⌋` for `0 ≤ num ≤ den`, `den > 0`, `bits ≤ 120`, by long division: equal
/// ratios give equal integers, and the result is within one unit (`2^-bits`) of the ratio.
pub fn fixed_ratio(num: i128, den: i128, bits: u32) -> i128 {
    debug_assert!(0 <= num && num <= den && den > 0 && bits <= 120);
    let d = den as u128;
    let (mut q, mut r) = ((num / den) as u128, (num % den) as u128);
    for _ in 0..bits {
        r <<= 1;
        q <<= 1;
        if r >= d {
            r -= d;
            q |= 1;
        }
    }
    q as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_independent() {
        let counts: Vec<u64> = (0..1000u64).map(|i| (i * 7919) % 1013 + 1).collect();
        let a = NLogNSum::from_counts(counts.iter().copied());
        let b = NLogNSum::from_counts(counts.iter().rev().copied());
        let mut c = NLogNSum::ZERO;
        for chunk in counts.chunks(37) {
            c += NLogNSum::from_counts(chunk.iter().copied());
        }
        assert_eq!(a, b);
        assert_eq!(a, c);
        let naive: f64 = counts.iter().map(|&n| nlogn(n)).sum();
        assert!(crate::prec::close(a.to_f64(), naive, crate::prec::GOLDEN));
    }

    #[test]
    fn log_identities_are_exact() {
        // 4 ln 4 = 8 ln 2 = 4 · (2 ln 2): {4,1,1,1,1} and {2,2,2,2} have equal Σ c ln c.
        assert_eq!(
            NLogNSum::from_counts([4, 1, 1, 1, 1]),
            NLogNSum::from_counts([2, 2, 2, 2])
        );
        // 6 ln 6 = 6 ln 2 + 6 ln 3 vs 2·(3 ln 3) + 3·(2 ln 2): {6} vs {3,3,2,2,2}.
        assert_eq!(
            NLogNSum::from_counts([6]),
            NLogNSum::from_counts([3, 3, 2, 2, 2])
        );
        // Past the table: the factored path gives the same integers.
        let big = (1u64 << 23) * 3;
        let t = NLogNTable::new(10);
        assert_eq!(t.fixed(big), NLogNSum::of(big).raw());
        assert_eq!(
            NLogNSum::of(big).raw(),
            big as i128 * (23 * (NLogNSum::of(2).raw() / 2) + NLogNSum::of(3).raw() / 3)
        );
        assert_ne!(
            NLogNSum::from_counts([3, 3]),
            NLogNSum::from_counts([2, 2, 2])
        );
    }

    #[test]
    fn terms_are_close_to_float() {
        for n in [2u64, 3, 17, 1 << 20, 1_000_003, (1 << 40) - 3] {
            let v = NLogNSum::of(n).to_f64();
            assert!(
                crate::prec::close(v, nlogn(n), crate::prec::ROUNDOFF),
                "{n}: {v} vs {}",
                nlogn(n)
            );
        }
        // ln 2 to 64 bits: 0xB17217F7D1CF79AB.C9E3B398...
        assert_eq!(NLogNSum::of(2).raw() / 2, 0xB172_17F7_D1CF_79AC);
    }

    #[test]
    fn single_cell_entropy_is_zero() {
        for n in [1u64, 2, 3, 1000, 123_456_789] {
            assert_eq!(NLogNSum::from_counts([n]).entropy(n), 0.0);
        }
    }

    #[test]
    fn uniform_entropy() {
        let h = NLogNSum::from_counts([5u64; 8]).entropy(40);
        assert!(crate::prec::close(h, 8f64.ln(), crate::prec::GOLDEN));
    }

    #[test]
    fn wide_products_and_ratios() {
        let a = i128::MAX / 3;
        assert_eq!(cmp_products(a, 6, 2 * a, 3), Ordering::Equal);
        assert_eq!(cmp_products(a, -6, 2 * a, 3), Ordering::Less);
        assert_eq!(I256::product(-7, 9), I256::from_i128(-63));
        assert_eq!(
            I256::from_i128(-5).checked_shl(3),
            Some(I256::from_i128(-40))
        );
        assert_eq!(I256::product(a, a).checked_shl(100), None);
        assert_eq!(fixed_ratio(1, 3, 4), 5);
        assert_eq!(fixed_ratio(2, 6, 60), fixed_ratio(1, 3, 60));
        assert_eq!(fixed_ratio(5, 5, 10), 1 << 10);
        assert_eq!(I256::from_i128(-3).to_f64(), -3.0);
        assert_eq!(
            I256::product(-(1 << 100), 1 << 100).to_f64(),
            -(2f64.powi(200))
        );
    }
}
