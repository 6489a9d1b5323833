//! Hyperparameters in linfa's `ParamGuard` pattern, and `Fit` on a linfa `DatasetBase`.

use linfa::dataset::{AsSingleTargets, DatasetBase, Label};
use linfa::{Float, ParamGuard};
use ndarray::{ArrayBase, ArrayView2, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::model::DecisionTree;
use crate::settings::{CategoricalSplit, MaxFeatures, Pruning, TreeSettings};
use crate::split::Criterion;
use crate::TreeError;

/// Checked hyperparameters: `Fit` is implemented here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct DecisionTreeValidParams {
    settings: TreeSettings,
}

/// Unchecked hyperparameters, built with [`DecisionTree::params`].
///
/// ```
/// use linfa::prelude::*;
/// use mutinfo_tree::{Criterion, DecisionTree};
/// use ndarray::{array, Array1};
///
/// let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]];
/// let y: Array1<usize> = array![0, 0, 1, 1];
/// let data = Dataset::new(x.clone(), y);
/// let tree = DecisionTree::params()
///     .criterion(Criterion::GainRatio)
///     .max_depth(Some(3))
///     .fit(&data)
///     .unwrap();
/// assert_eq!(tree.predict(&x), array![0, 0, 1, 1]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct DecisionTreeParams {
    checked: DecisionTreeValidParams,
}

impl DecisionTree<usize> {
    /// Hyperparameters with their defaults. The fitted tree's label type comes from the
    /// dataset's targets (any linfa `Label`), not from this call.
    pub fn params() -> DecisionTreeParams {
        DecisionTreeParams::default()
    }
}

impl DecisionTreeParams {
    /// The split criterion (default information gain).
    pub fn criterion(mut self, c: Criterion) -> Self {
        self.checked.settings.criterion = c;
        self
    }
    /// Maximum depth (default `None`, grow until pure).
    pub fn max_depth(mut self, d: Option<usize>) -> Self {
        self.checked.settings.max_depth = d;
        self
    }
    /// Minimum node weight to split (default 2).
    pub fn min_samples_split(mut self, w: f64) -> Self {
        self.checked.settings.min_samples_split = w;
        self
    }
    /// Minimum weight of every child (default 1).
    pub fn min_samples_leaf(mut self, w: f64) -> Self {
        self.checked.settings.min_samples_leaf = w;
        self
    }
    /// Minimum gain of a split (default 0).
    pub fn min_gain(mut self, g: f64) -> Self {
        self.checked.settings.min_gain = g;
        self
    }
    /// Features searched per node (default all).
    pub fn max_features(mut self, m: MaxFeatures) -> Self {
        self.checked.settings.max_features = m;
        self
    }
    /// Seed for feature sampling (default 0).
    pub fn seed(mut self, s: u64) -> Self {
        self.checked.settings.seed = s;
        self
    }
    /// Indices of the categorical features (default none).
    pub fn categorical(mut self, features: Vec<usize>) -> Self {
        self.checked.settings.categorical = features;
        self
    }
    /// Multiway or binary categorical splits (default multiway).
    pub fn categorical_split(mut self, c: CategoricalSplit) -> Self {
        self.checked.settings.categorical_split = c;
        self
    }
    /// Post-pruning (default none).
    pub fn pruning(mut self, p: Pruning) -> Self {
        self.checked.settings.pruning = p;
        self
    }
    /// Laplace smoothing α of leaf probabilities (default 0).
    pub fn laplace(mut self, a: f64) -> Self {
        self.checked.settings.laplace = a;
        self
    }
}

impl ParamGuard for DecisionTreeParams {
    type Checked = DecisionTreeValidParams;
    type Error = TreeError;

    fn check_ref(&self) -> Result<&Self::Checked, TreeError> {
        let s = &self.checked.settings;
        let bad =
            |name: &'static str, reason: String| Err(TreeError::InvalidParameter { name, reason });
        if s.max_depth == Some(0) {
            return bad("max_depth", "must be at least 1 (or None)".into());
        }
        if !(s.min_samples_split.is_finite() && s.min_samples_split >= 0.0) {
            return bad(
                "min_samples_split",
                format!("{} is not a finite number ≥ 0", s.min_samples_split),
            );
        }
        if !(s.min_samples_leaf.is_finite() && s.min_samples_leaf > 0.0) {
            return bad(
                "min_samples_leaf",
                format!("{} is not a finite number > 0", s.min_samples_leaf),
            );
        }
        if !(s.min_gain.is_finite() && s.min_gain >= 0.0) {
            return bad(
                "min_gain",
                format!("{} is not a finite number ≥ 0", s.min_gain),
            );
        }
        match s.max_features {
            MaxFeatures::Count(0) => return bad("max_features", "count must be ≥ 1".into()),
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                return bad("max_features", format!("fraction {f} is not in (0, 1]"))
            }
            _ => {}
        }
        match s.pruning {
            Pruning::CostComplexity { alpha } if !(alpha.is_finite() && alpha >= 0.0) => {
                return bad(
                    "pruning",
                    format!("alpha {alpha} is not a finite number ≥ 0"),
                )
            }
            Pruning::Pessimistic { confidence } if !(confidence > 0.0 && confidence <= 0.5) => {
                return bad(
                    "pruning",
                    format!("confidence {confidence} is not in (0, 0.5]"),
                )
            }
            _ => {}
        }
        if !(s.laplace.is_finite() && s.laplace >= 0.0) {
            return bad(
                "laplace",
                format!("{} is not a finite number ≥ 0", s.laplace),
            );
        }
        Ok(&self.checked)
    }

    fn check(self) -> Result<Self::Checked, TreeError> {
        self.check_ref()?;
        Ok(self.checked)
    }
}

impl DecisionTreeValidParams {
    /// The settings.
    pub fn settings(&self) -> &TreeSettings {
        &self.settings
    }

    /// Fits on a record matrix, class labels and optional weights; the core of `Fit`.
    ///
    /// NaN is a missing value (C4.5 fractional instances); ±∞ is an error naming row and column.
    ///
    /// # Errors
    /// Empty data, length mismatches, infinite values, invalid category codes, bad weights,
    /// categorical indices out of range.
    pub fn fit_arrays<L: Label>(
        &self,
        x: ArrayView2<'_, f64>,
        labels: &[L],
        weights: Option<&[f64]>,
        feature_names: Vec<String>,
    ) -> Result<DecisionTree<L>, TreeError> {
        DecisionTree::fit_arrays(&self.settings, x, labels, weights, feature_names)
    }
}

impl<F, L, D, T> linfa::traits::Fit<ArrayBase<D, Ix2>, T, TreeError> for DecisionTreeValidParams
where
    F: Float,
    L: Label,
    D: Data<Elem = F>,
    T: AsSingleTargets<Elem = L>,
{
    type Object = DecisionTree<L>;

    /// Grows (and prunes) a tree on the dataset's records, targets, weights and feature names.
    fn fit(
        &self,
        dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
    ) -> Result<DecisionTree<L>, TreeError> {
        let x = dataset.records().mapv(|v| v.to_f64().unwrap_or(f64::NAN));
        let labels: Vec<L> = dataset.as_single_targets().iter().cloned().collect();
        let weights: Option<Vec<f64>> = dataset
            .weights()
            .map(|w| w.iter().map(|&v| f64::from(v)).collect());
        self.fit_arrays(
            x.view(),
            &labels,
            weights.as_deref(),
            dataset.feature_names().to_vec(),
        )
    }
}
