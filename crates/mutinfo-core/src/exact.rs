//! Order-independent summation of `n ln n` terms.
//!
//! Two contingency tables that are equal up to a relabeling of their cells have the same
//! multiset of counts, so in exact arithmetic they have the same entropy. A floating-point sum
//! taken in cell order can still differ in the last bit, which breaks "ties go to the lowest
//! index" in feature selection. Here each term `n ln n` is rounded to `f64` once and then added
//! in 128-bit fixed point with 80 fractional bits. Every such term (`n ≥ 2` gives a value of at
//! least `2 ln 2`, whose last mantissa bit is worth far more than `2^-80`) converts exactly, so
//! the sum is exact and independent of the order of the terms, of chunking and of threads.
//!
//! The range covers counts up to `2^40` (a total of `n ln n` below `2^46`), far beyond any table
//! that fits in memory.

/// Fractional bits of the fixed-point representation.
const FRAC_BITS: i32 = 80;
/// `2^80` as `f64` (exact).
const SCALE: f64 = (1u128 << FRAC_BITS) as f64;

/// `n ln n` rounded once to `f64` (`0 ln 0 = 1 ln 1 = 0`).
#[inline]
pub fn nlogn(n: u64) -> f64 {
    if n < 2 {
        0.0
    } else {
        let x = n as f64;
        x * x.ln()
    }
}

/// Converts a non-negative finite `f64` below `2^46` to fixed point, exactly when its last
/// mantissa bit is worth at least `2^-80` (truncating otherwise).
#[inline]
fn to_fixed(x: f64) -> i128 {
    debug_assert!(x.is_finite() && x.abs() < (1u64 << 46) as f64);
    // Multiplying by a power of two is exact; the cast truncates toward zero.
    (x * SCALE) as i128
}

/// An exact sum of `n ln n` terms (and of other values rounded to `f64` first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NLogNSum(i128);

impl NLogNSum {
    /// The empty sum.
    pub const ZERO: NLogNSum = NLogNSum(0);

    /// The sum holding the single term `n ln n`.
    #[inline]
    pub fn of(n: u64) -> Self {
        NLogNSum(to_fixed(nlogn(n)))
    }

    /// Adds the term `n ln n`.
    #[inline]
    pub fn add_count(&mut self, n: u64) {
        if n >= 2 {
            self.0 += to_fixed(nlogn(n));
        }
    }

    /// Sums `n ln n` over counts (zeros are skipped).
    pub fn from_counts<I: IntoIterator<Item = u64>>(counts: I) -> Self {
        let mut s = NLogNSum::ZERO;
        for n in counts {
            s.add_count(n);
        }
        s
    }

    /// Sums `n ln n` over counts using a precomputed table of `n ln n` values.
    pub fn from_counts_with(counts: &[u32], table: &NLogNTable) -> Self {
        let mut s = 0i128;
        for &n in counts {
            s += table.fixed(n as u64);
        }
        NLogNSum(s)
    }

    /// The value as `f64` (correctly rounded).
    #[inline]
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE
    }

    /// Plug-in entropy in nats of a sample of `total` items whose cell counts summed to this:
    /// `H = (N ln N − Σ n ln n) / N`, computed exactly before the single final rounding, so a
    /// table with a single non-empty cell has entropy exactly 0.
    #[inline]
    pub fn entropy(self, total: u64) -> f64 {
        if total == 0 {
            return 0.0;
        }
        let d = NLogNSum::of(total).0 - self.0;
        (d as f64 / SCALE) / total as f64
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

/// A lookup table of `n ln n` in fixed point for `n ≤ max`, for hot loops that turn many small
/// tables into entropies. Values past the table are computed on the fly, with the same result.
#[derive(Debug, Clone)]
pub struct NLogNTable {
    values: Vec<i128>,
}

impl NLogNTable {
    /// A table for counts up to `max` (capped at 2^22 entries to bound memory).
    pub fn new(max: u64) -> Self {
        let m = max.min(1 << 22) as usize;
        NLogNTable {
            values: (0..=m as u64).map(|n| to_fixed(nlogn(n))).collect(),
        }
    }

    /// `n ln n` in fixed point.
    #[inline]
    pub fn fixed(&self, n: u64) -> i128 {
        match self.values.get(n as usize) {
            Some(&v) => v,
            None => to_fixed(nlogn(n)),
        }
    }

    /// Adds `n ln n` to a sum.
    #[inline]
    pub fn add(&self, sum: &mut NLogNSum, n: u64) {
        sum.0 += self.fixed(n);
    }
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
        assert!((a.to_f64() - naive).abs() <= 1e-12 * naive);
    }

    #[test]
    fn terms_are_exact() {
        for n in [2u64, 3, 17, 1 << 20, (1 << 40) - 3] {
            assert_eq!(NLogNSum::of(n).to_f64(), nlogn(n));
        }
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
        assert!((h - 8f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn table_matches_direct() {
        let t = NLogNTable::new(100);
        for n in [0u64, 1, 2, 50, 100, 101, 5000] {
            assert_eq!(t.fixed(n), NLogNSum::of(n).0);
        }
    }
}
