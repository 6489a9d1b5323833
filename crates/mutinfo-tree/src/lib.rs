//! mutinfo-tree: information-gain tree splits and a decision tree that uses them.
//!
//! - [`SplitFinder`]: the best split of one column for class labels and weights — numeric
//!   thresholds by one sorted sweep with incremental class counts, categorical multiway (ID3,
//!   C4.5) and subset (CART) splits — under information gain, C4.5's gain ratio or Gini, with
//!   C4.5's rule for missing values. Usable by any tree, not only ours.
//! - [`DecisionTree`]: a linfa `Fit` (params in linfa's `ParamGuard` pattern) whose fitted form
//!   implements `PredictInplace` for labels and gives class probabilities (optionally Laplace
//!   smoothed), feature importances, cost-complexity or C4.5 pessimistic pruning, text and
//!   Graphviz DOT export, and JSON save/load.
//!
//! Numeric features are presorted once; each split partitions the sorted row lists stably, so
//! a level of the tree costs O(rows × features) and nothing is re-sorted. Missing values (NaN)
//! follow C4.5: gains are measured on the known rows and scaled by their weight share, and a
//! row with a missing value goes down every branch with a fraction of its weight, in training
//! and in prediction alike.
//!
//! ```
//! use linfa::prelude::*;
//! use mutinfo_tree::{Criterion, DecisionTree};
//! use ndarray::array;
//!
//! let x = array![[0.0, 1.0], [1.0, 1.0], [2.0, 0.0], [3.0, 0.0]];
//! let data = Dataset::new(x.clone(), array![0usize, 0, 1, 1]);
//! let tree = DecisionTree::params().criterion(Criterion::InformationGain).fit(&data).unwrap();
//! let p = tree.predict_proba(x.view()).unwrap();
//! assert_eq!(p.row(0).to_vec(), vec![1.0, 0.0]);
//! assert_eq!(tree.feature_importances(), vec![1.0, 0.0]);
//! ```

pub mod export;
mod fit;
mod grow;
mod io;
mod model;
mod node;
mod params;
mod predict;
pub mod prune;
mod settings;
pub mod split;

use thiserror::Error;

pub use model::DecisionTree;
pub use node::{Node, NodeSplit, Test, MAX_CATEGORY};
pub use params::{DecisionTreeParams, DecisionTreeValidParams};
pub use settings::{CategoricalSplit, FeatureKind, MaxFeatures, Pruning, TreeSettings};
pub use split::{
    entropy_of_weights, gini_of_weights, CategoricalSplit as CategoricalSplitResult,
    CategoricalTest, Criterion, NumericSplit, SplitFinder,
};

/// Errors from split search, fitting, prediction and model files.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum TreeError {
    /// Inputs have different lengths.
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
    /// A feature value is infinite (NaN means missing).
    #[error("feature value {value} at row {row}, column {column} is infinite")]
    InfiniteValue {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// The value.
        value: f64,
    },
    /// A categorical feature holds something other than a whole number in 0..=2^20.
    #[error("value {value} at row {row}, column {column} is not a category code (a whole number from 0 to 1048576)")]
    InvalidCategory {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// The value.
        value: f64,
    },
    /// Nothing to fit on.
    #[error("no {what} to fit on")]
    Empty {
        /// What is empty.
        what: &'static str,
    },
    /// A hyperparameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// A saved model is inconsistent.
    #[error("invalid tree model: {reason}")]
    InvalidModel {
        /// Why.
        reason: String,
    },
    /// Reading or writing a model failed.
    #[error("{0}")]
    Io(String),
    /// An error from linfa.
    #[error("linfa: {0}")]
    Linfa(String),
}

impl TreeError {
    /// The message with the feature named by `names` instead of its column index (a column
    /// without a name keeps `#index`): what the command line and the Python bindings print.
    pub fn with_feature_names(&self, names: &[String]) -> String {
        let col = |c: usize| names.get(c).cloned().unwrap_or_else(|| format!("#{c}"));
        match self {
            TreeError::InfiniteValue { row, column, value } => {
                format!(
                    "column {}: infinite value {value} at row {row}",
                    col(*column)
                )
            }
            TreeError::InvalidCategory { row, column, value } => {
                format!(
                    "column {}: {value} at row {row} is not a category",
                    col(*column)
                )
            }
            TreeError::InvalidParameter { name, reason } => format!("{name}: {reason}"),
            other => other.to_string(),
        }
    }
}

impl From<linfa::Error> for TreeError {
    fn from(e: linfa::Error) -> Self {
        TreeError::Linfa(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::gini_of_weights;

    fn impurity(c: Criterion, w: &[f64]) -> f64 {
        c.impurity(w)
    }

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
            if best.is_none_or(|b| g > b.1 + mutinfo_core::prec::GOLDEN) {
                best = Some((thr, g));
            }
        }
        best
    }

    #[test]
    fn entropy_of_weights_known_values() {
        assert!((entropy_of_weights(&[1.0, 1.0]) - 2f64.ln()).abs() < mutinfo_core::prec::ROUNDOFF);
        // play-tennis class counts 9 yes / 5 no: 0.940286 bits (Quinlan 1986)
        let h = entropy_of_weights(&[9.0, 5.0]) / 2f64.ln();
        assert!((h - 0.940_285_958_670_631).abs() < mutinfo_core::prec::GOLDEN);
        assert_eq!(entropy_of_weights(&[0.0, 0.0]), 0.0);
        assert!((gini_of_weights(&[1.0, 1.0]) - 0.5).abs() < mutinfo_core::prec::ROUNDOFF);
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
            for c in [Criterion::InformationGain, Criterion::Gini] {
                let fast = SplitFinder::new(c, k).best_numeric(&col, &y, None).unwrap();
                let slow = brute(&col, &y, k, c);
                match (fast, slow) {
                    (None, None) => {}
                    (Some(f), Some((_, g))) => {
                        assert!(
                            (f.gain - g).abs() < mutinfo_core::prec::GOLDEN,
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
        let f = SplitFinder::new(Criterion::InformationGain, 2);
        let a = f.best_numeric(&col, &y, Some(&w)).unwrap().unwrap();
        let b = f.best_numeric(&dcol, &dy, None).unwrap().unwrap();
        assert_eq!(a.threshold, 2.5);
        assert!((a.gain - b.gain).abs() < mutinfo_core::prec::ROUNDOFF);
        assert!((a.gain - entropy_of_weights(&[3.0, 4.0])).abs() < mutinfo_core::prec::ROUNDOFF);
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
