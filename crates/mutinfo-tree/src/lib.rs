//! mutinfo-tree: information-gain split search for decision trees.
//!
//! This first cut provides the reusable split-search layer of issue 6: entropy and Gini of
//! weighted class counts, and the best numeric threshold found by one sorted sweep with
//! incremental weighted class counts. The tree itself (linfa `Fit`, pruning, export) is not
//! built yet.

use thiserror::Error;

/// Errors from split search on user input.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum TreeError {
    /// Column, labels and weights have different lengths.
    #[error("length mismatch: {what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which input is mismatched.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The expected length.
        expected: usize,
    },
    /// A label is not below the declared number of classes.
    #[error("label {value} at row {row} is out of range for {n_classes} classes")]
    LabelOutOfRange {
        /// Row index.
        row: usize,
        /// The label.
        value: usize,
        /// Declared number of classes.
        n_classes: usize,
    },
    /// A weight is negative, NaN or infinite.
    #[error("weight {value} at row {row} is not a finite non-negative number")]
    BadWeight {
        /// Row index.
        row: usize,
        /// The weight.
        value: f64,
    },
    /// A feature value is infinite (NaN means missing and is skipped).
    #[error("feature value {value} at row {row} is infinite")]
    InfiniteValue {
        /// Row index.
        row: usize,
        /// The value.
        value: f64,
    },
}

/// Impurity / gain criterion for split search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Entropy decrease in nats (information gain).
    Entropy,
    /// Gini impurity decrease.
    Gini,
}

/// Shannon entropy (nats) of non-negative weighted class counts; 0 for an empty total.
pub fn entropy_of_weights(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    // H = ln T - (1/T) Σ w ln w
    let s: f64 = w.iter().filter(|&&x| x > 0.0).map(|&x| x * x.ln()).sum();
    (total.ln() - s / total).max(0.0)
}

/// Gini impurity of non-negative weighted class counts; 0 for an empty total.
pub fn gini_of_weights(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let s: f64 = w.iter().map(|&x| (x / total) * (x / total)).sum();
    (1.0 - s).max(0.0)
}

fn impurity(c: Criterion, w: &[f64]) -> f64 {
    match c {
        Criterion::Entropy => entropy_of_weights(w),
        Criterion::Gini => gini_of_weights(w),
    }
}

/// Best threshold split of one numeric column.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericSplit {
    /// Rows with `value <= threshold` go left (midpoint of two adjacent distinct values).
    pub threshold: f64,
    /// Weighted impurity decrease (parent impurity minus weighted child impurity).
    pub gain: f64,
    /// Weighted class counts of the left child.
    pub left: Vec<f64>,
    /// Weighted class counts of the right child.
    pub right: Vec<f64>,
}

/// Split finder for numeric columns: one sorted sweep with incremental weighted class counts.
#[derive(Debug, Clone)]
pub struct SplitFinder {
    criterion: Criterion,
    n_classes: usize,
    min_leaf_weight: f64,
}

impl SplitFinder {
    /// A finder for `n_classes` classes with the given criterion.
    pub fn new(criterion: Criterion, n_classes: usize) -> Self {
        Self {
            criterion,
            n_classes,
            min_leaf_weight: 0.0,
        }
    }

    /// Require each child to carry at least this total weight (default 0, i.e. non-empty).
    pub fn min_leaf_weight(mut self, w: f64) -> Self {
        self.min_leaf_weight = w;
        self
    }

    /// Best threshold on `column` for `labels` with optional `weights` (unit weights if `None`).
    ///
    /// NaN values are treated as missing and skipped (documented rule of this first cut).
    /// Returns `Ok(None)` when no valid split exists (fewer than two distinct values).
    /// Ties in gain keep the smallest threshold, so the result is deterministic.
    pub fn best_numeric(
        &self,
        column: &[f64],
        labels: &[usize],
        weights: Option<&[f64]>,
    ) -> Result<Option<NumericSplit>, TreeError> {
        let n = column.len();
        if labels.len() != n {
            return Err(TreeError::LengthMismatch {
                what: "labels",
                got: labels.len(),
                expected: n,
            });
        }
        if let Some(w) = weights {
            if w.len() != n {
                return Err(TreeError::LengthMismatch {
                    what: "weights",
                    got: w.len(),
                    expected: n,
                });
            }
        }
        let k = self.n_classes;
        let mut order = Vec::with_capacity(n);
        let mut total = vec![0.0; k];
        for i in 0..n {
            let y = labels[i];
            if y >= k {
                return Err(TreeError::LabelOutOfRange {
                    row: i,
                    value: y,
                    n_classes: k,
                });
            }
            let wi = weights.map_or(1.0, |w| w[i]);
            if !(wi.is_finite() && wi >= 0.0) {
                return Err(TreeError::BadWeight { row: i, value: wi });
            }
            let v = column[i];
            if v.is_infinite() {
                return Err(TreeError::InfiniteValue { row: i, value: v });
            }
            if v.is_nan() {
                continue;
            }
            total[y] += wi;
            order.push(i);
        }
        order.sort_by(|&a, &b| column[a].total_cmp(&column[b]).then(a.cmp(&b)));
        let t: f64 = total.iter().sum();
        if t <= 0.0 {
            return Ok(None);
        }
        let parent = impurity(self.criterion, &total);
        let mut left = vec![0.0; k];
        let mut right = total.clone();
        let mut wl = 0.0;
        let mut best: Option<NumericSplit> = None;
        for p in 0..order.len().saturating_sub(1) {
            let i = order[p];
            let wi = weights.map_or(1.0, |w| w[i]);
            left[labels[i]] += wi;
            right[labels[i]] -= wi;
            wl += wi;
            let (a, b) = (column[i], column[order[p + 1]]);
            if a == b {
                continue;
            }
            let wr = t - wl;
            if wl < self.min_leaf_weight || wr < self.min_leaf_weight || wl <= 0.0 || wr <= 0.0 {
                continue;
            }
            let child =
                (wl * impurity(self.criterion, &left) + wr * impurity(self.criterion, &right)) / t;
            let gain = parent - child;
            if best.as_ref().is_none_or(|bs| gain > bs.gain) {
                let mut thr = a / 2.0 + b / 2.0;
                if thr >= b {
                    thr = a;
                }
                best = Some(NumericSplit {
                    threshold: thr,
                    gain,
                    left: left.clone(),
                    right: right.iter().map(|&x| x.max(0.0)).collect(),
                });
            }
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(col: &[f64], y: &[usize], k: usize, c: Criterion) -> Option<(f64, f64)> {
        let mut vals: Vec<f64> = col.to_vec();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        let mut tot = vec![0.0; k];
        for &l in y {
            tot[l] += 1.0;
        }
        let parent = impurity(c, &tot);
        let mut best: Option<(f64, f64)> = None;
        for w in vals.windows(2) {
            let thr = w[0] / 2.0 + w[1] / 2.0;
            let (mut l, mut r) = (vec![0.0; k], vec![0.0; k]);
            for (i, &v) in col.iter().enumerate() {
                if v <= thr {
                    l[y[i]] += 1.0
                } else {
                    r[y[i]] += 1.0
                }
            }
            let (nl, nr): (f64, f64) = (l.iter().sum(), r.iter().sum());
            let g = parent - (nl * impurity(c, &l) + nr * impurity(c, &r)) / (nl + nr);
            if best.is_none_or(|b| g > b.1 + 1e-12) {
                best = Some((thr, g));
            }
        }
        best
    }

    #[test]
    fn entropy_of_weights_known_values() {
        assert!((entropy_of_weights(&[1.0, 1.0]) - 2f64.ln()).abs() < 1e-15);
        // play-tennis class counts 9 yes / 5 no: 0.940286 bits (Quinlan 1986)
        let h = entropy_of_weights(&[9.0, 5.0]) / 2f64.ln();
        assert!((h - 0.940_285_958_670_631).abs() < 1e-12);
        assert_eq!(entropy_of_weights(&[0.0, 0.0]), 0.0);
        assert!((gini_of_weights(&[1.0, 1.0]) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn sweep_matches_brute_force_on_random_columns() {
        // deterministic LCG so the test needs no RNG crate
        let mut s: u64 = 12345;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s >> 33
        };
        for trial in 0..200 {
            let n = 2 + (next() % 40) as usize;
            let k = 2 + (next() % 3) as usize;
            let col: Vec<f64> = (0..n).map(|_| (next() % 12) as f64).collect();
            let y: Vec<usize> = (0..n).map(|_| (next() % k as u64) as usize).collect();
            for c in [Criterion::Entropy, Criterion::Gini] {
                let fast = SplitFinder::new(c, k).best_numeric(&col, &y, None).unwrap();
                let slow = brute(&col, &y, k, c);
                match (fast, slow) {
                    (None, None) => {}
                    (Some(f), Some((_, g))) => {
                        assert!(
                            (f.gain - g).abs() < 1e-12,
                            "trial {trial}: {} vs {g}",
                            f.gain
                        )
                    }
                    (f, s) => panic!("trial {trial}: {f:?} vs {s:?}"),
                }
            }
        }
    }

    #[test]
    fn weights_equal_duplicated_rows() {
        let col = [1.0, 2.0, 3.0, 4.0];
        let y = [0, 0, 1, 1];
        let w = [2.0, 1.0, 1.0, 3.0];
        let dcol = [1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0];
        let dy = [0, 0, 0, 1, 1, 1, 1];
        let f = SplitFinder::new(Criterion::Entropy, 2);
        let a = f.best_numeric(&col, &y, Some(&w)).unwrap().unwrap();
        let b = f.best_numeric(&dcol, &dy, None).unwrap().unwrap();
        assert_eq!(a.threshold, 2.5);
        assert!((a.gain - b.gain).abs() < 1e-15);
        assert!((a.gain - entropy_of_weights(&[3.0, 4.0])).abs() < 1e-15);
    }

    #[test]
    fn bad_input_is_a_typed_error_and_nan_is_skipped() {
        let f = SplitFinder::new(Criterion::Gini, 2);
        assert!(matches!(
            f.best_numeric(&[1.0], &[0, 1], None),
            Err(TreeError::LengthMismatch { .. })
        ));
        assert!(matches!(
            f.best_numeric(&[1.0, 2.0], &[0, 2], None),
            Err(TreeError::LabelOutOfRange { row: 1, .. })
        ));
        assert!(matches!(
            f.best_numeric(&[1.0, 2.0], &[0, 1], Some(&[1.0, -1.0])),
            Err(TreeError::BadWeight { row: 1, .. })
        ));
        let s = f
            .best_numeric(&[1.0, f64::NAN, 3.0], &[0, 0, 1], None)
            .unwrap()
            .unwrap();
        assert_eq!(s.threshold, 2.0);
        assert!(f
            .best_numeric(&[5.0, 5.0], &[0, 1], None)
            .unwrap()
            .is_none());
    }
}
