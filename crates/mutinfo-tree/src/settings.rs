//! Every setting of a tree (plain data, stored in the fitted model) and the kinds of features.

use serde::{Deserialize, Serialize};

use crate::split::Criterion;

/// How a feature's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureKind {
    /// Ordered values split by a threshold.
    Numeric,
    /// Category codes (whole numbers ≥ 0 stored as floats) split by category.
    Categorical,
}

/// How categorical features are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CategoricalSplit {
    /// One branch per category present at the node (ID3, C4.5).
    #[default]
    Multiway,
    /// Two branches by the best subset of categories (CART).
    Binary,
}

/// How many features are searched at each node (sampled without replacement with the seed).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature (default).
    #[default]
    All,
    /// ⌊√d⌋ (at least 1).
    Sqrt,
    /// ⌊log₂ d⌋ (at least 1).
    Log2,
    /// A fixed number.
    Count(usize),
    /// A fraction of d in (0, 1].
    Fraction(f64),
}

/// Post-pruning of the grown tree.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Pruning {
    /// Keep the grown tree (default).
    #[default]
    None,
    /// Minimal cost-complexity pruning (Breiman et al. 1984) at this α, with the cost measured
    /// by the criterion's impurity (entropy in nats): sklearn's `ccp_alpha` in bits is this α
    /// divided by ln 2.
    CostComplexity {
        /// The complexity parameter α ≥ 0.
        alpha: f64,
    },
    /// C4.5's pessimistic error-based pruning by subtree replacement at a confidence factor
    /// (C4.5's default 0.25), with the normal upper confidence limit of the binomial error.
    Pessimistic {
        /// The confidence factor in (0, 0.5].
        confidence: f64,
    },
}

/// Every setting of a tree; stored in the fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeSettings {
    /// Split criterion.
    pub criterion: Criterion,
    /// Maximum depth (root is depth 0); `None` grows until leaves are pure.
    pub max_depth: Option<usize>,
    /// A node splits only if its weight is at least this (sklearn's `min_samples_split`).
    pub min_samples_split: f64,
    /// Every child of a split carries at least this weight (sklearn's `min_samples_leaf`).
    pub min_samples_leaf: f64,
    /// A split is kept only if its gain is at least this (nats for entropy).
    pub min_gain: f64,
    /// Features searched per node.
    pub max_features: MaxFeatures,
    /// Seed of the feature sampling.
    pub seed: u64,
    /// Indices of categorical features.
    pub categorical: Vec<usize>,
    /// How categorical features split.
    pub categorical_split: CategoricalSplit,
    /// Post-pruning.
    pub pruning: Pruning,
    /// Laplace (additive) smoothing of leaf class probabilities: `(w_c + α) / (W + α·C)`.
    pub laplace: f64,
}

impl Default for TreeSettings {
    fn default() -> Self {
        Self {
            criterion: Criterion::InformationGain,
            max_depth: None,
            min_samples_split: 2.0,
            min_samples_leaf: 1.0,
            min_gain: 0.0,
            max_features: MaxFeatures::All,
            seed: 0,
            categorical: Vec::new(),
            categorical_split: CategoricalSplit::Multiway,
            pruning: Pruning::None,
            laplace: 0.0,
        }
    }
}
