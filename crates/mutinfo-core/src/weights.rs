//! Entropy of float weights and probability vectors: the one copy in the workspace, used by
//! the tree's split search (weighted class counts) and the acquisition functions.
//!
//! Integer counts have exact entropies ([`crate::exact`]); these are for weights that need not
//! be whole numbers (instance weights, C4.5's fractional rows, predicted probabilities).

/// `x ln x` with `0 ln 0 = 0` exactly (and 0 for negative `x`).
#[inline]
pub fn xlnx(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}

/// Entropy in nats of one probability vector, `H = −Σ p ln p` with `0 ln 0 = 0`. The vector
/// is taken as given (no normalization).
#[inline]
pub fn entropy_of_probabilities(p: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = 0.0;
    for x in p {
        s -= xlnx(x);
    }
    s
}

/// Entropy in nats of non-negative weights `w` taken as a distribution `w / W`:
/// `H = ln W − (1/W) Σ w ln w`, clamped at 0; 0 for an empty total.
pub fn entropy_of_weights(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let s: f64 = w.iter().map(|&x| xlnx(x)).sum();
    (total.ln() - s / total).max(0.0)
}

/// `x ln x` by lookup for whole `x` up to a bound (the sweep of a tree split over class
/// counts), by [`xlnx`] otherwise; the values are the same either way.
#[derive(Debug, Clone)]
pub struct XLnXTable(Vec<f64>);

impl XLnXTable {
    /// A table for whole numbers `0..=max`.
    pub fn new(max: usize) -> Self {
        XLnXTable((0..=max).map(|i| xlnx(i as f64)).collect())
    }

    /// The table `[0 ln 0, 1 ln 1, …, max ln max]`, for loops over whole counts.
    #[inline]
    pub fn values(&self) -> &[f64] {
        &self.0
    }

    /// `x ln x`.
    #[inline]
    pub fn get(&self, x: f64) -> f64 {
        let i = x as usize;
        if i as f64 == x && i < self.0.len() {
            self.0[i]
        } else {
            xlnx(x)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Play-tennis class counts 9 yes / 5 no: 0.940286 bits (Quinlan 1986).
        let h = entropy_of_weights(&[9.0, 5.0]) / 2f64.ln();
        assert!(crate::prec::close(
            h,
            0.940_285_958_670_631,
            crate::prec::GOLDEN
        ));
        assert_eq!(entropy_of_weights(&[0.0, 0.0]), 0.0);
        assert_eq!(entropy_of_weights(&[3.0]), 0.0);
        let p = entropy_of_probabilities([0.5, 0.5, 0.0]);
        assert!(crate::prec::close(p, 2f64.ln(), crate::prec::GOLDEN));
        let t = XLnXTable::new(10);
        for x in [0.0, 1.0, 7.0, 10.0, 11.0, 2.5] {
            assert_eq!(t.get(x), xlnx(x));
        }
    }
}
