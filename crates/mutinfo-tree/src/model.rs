//! The fitted tree: its data and what can be read off it (importances, depth, consistency).
//! Fitting is in `fit.rs`, prediction in `predict.rs`, JSON in `io.rs`, text and DOT in
//! `export.rs`.

use serde::{Deserialize, Serialize};

use crate::node::Node;
use crate::settings::{FeatureKind, TreeSettings};
use crate::TreeError;

/// A fitted decision tree over class labels `L`.
///
/// Serialized (by [`DecisionTree::to_json`] or inside a larger document such as the CLI's model
/// file) through the versioned layout of `io.rs`: `format` and `format_version` first, and every
/// deserialization checks the version and runs [`DecisionTree::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "crate::io::TreeFile<L>",
    into = "crate::io::TreeFile<L>",
    bound(
        serialize = "L: Serialize + Clone",
        deserialize = "L: Deserialize<'de>"
    )
)]
pub struct DecisionTree<L> {
    pub(crate) classes: Vec<L>,
    pub(crate) feature_names: Vec<String>,
    pub(crate) kinds: Vec<FeatureKind>,
    /// Per feature, names of the category codes (empty for numeric features or when unknown).
    #[serde(default)]
    pub(crate) category_names: Vec<Vec<String>>,
    /// Per feature, the decimals its training values are written with (`None`: more than
    /// [`MAX_DECIMALS`](crate::export::MAX_DECIMALS), or unknown); thresholds print with one more.
    #[serde(default)]
    pub(crate) decimals: Vec<Option<u8>>,
    pub(crate) settings: TreeSettings,
    pub(crate) nodes: Vec<Node>,
}

impl<L> DecisionTree<L> {
    /// Class labels in the order of probability columns (ascending).
    pub fn classes(&self) -> &[L] {
        &self.classes
    }

    /// Feature names (given by the dataset, or `f0`, `f1`, … ).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Kind of every feature.
    pub fn feature_kinds(&self) -> &[FeatureKind] {
        &self.kinds
    }

    /// The settings the tree was grown with.
    pub fn settings(&self) -> &TreeSettings {
        &self.settings
    }

    /// The nodes; node 0 is the root and every child id is larger than its parent's.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }

    /// Depth of the deepest leaf (the root alone has depth 0).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            max = max.max(depth[i]);
            if let Some(s) = &node.split {
                for &c in &s.children {
                    depth[c] = depth[i] + 1;
                }
            }
        }
        max
    }

    /// Names for the codes of categorical features, used by text and DOT export and by
    /// callers that map strings to codes (the CLI). One entry per feature; empty for numeric.
    pub fn with_category_names(mut self, names: Vec<Vec<String>>) -> Self {
        if names.len() == self.kinds.len() {
            self.category_names = names;
        }
        self
    }

    /// Names of the codes of categorical features (empty when not given).
    pub fn category_names(&self) -> &[Vec<String>] {
        &self.category_names
    }

    /// Changes the Laplace smoothing α of leaf probabilities.
    pub fn with_laplace(mut self, alpha: f64) -> Self {
        if alpha.is_finite() && alpha >= 0.0 {
            self.settings.laplace = alpha;
        }
        self
    }

    /// Feature importances: total weighted gain `Σ (W_t / W) · gain_t` over the splits on each
    /// feature, normalized to sum to 1 (all 0 for a single leaf), as sklearn's
    /// `feature_importances_`.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.kinds.len()];
        let root = self.nodes[0].weight;
        for node in &self.nodes {
            if let Some(s) = &node.split {
                imp[s.feature] += node.weight / root * s.gain;
            }
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }

    /// Checks that the tree is consistent: node and class counts, features in range, children
    /// after their parents, distinct non-empty feature names, finite non-negative weights,
    /// smoothing, finite impurities, thresholds and gains, and branch fractions in `[0, 1]` (so a
    /// hand-edited or corrupted model file is refused rather than run). Every deserialization
    /// calls it.
    ///
    /// # Errors
    /// [`TreeError::InvalidModel`] saying what is inconsistent.
    pub fn validate(&self) -> Result<(), TreeError> {
        let bad = |reason: String| Err(TreeError::InvalidModel { reason });
        let (d, k) = (self.kinds.len(), self.classes.len());
        if self.nodes.is_empty() || k == 0 {
            return bad("no nodes or no classes".into());
        }
        if self.feature_names.len() != d {
            return bad(format!(
                "{} feature names for {d} features",
                self.feature_names.len()
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity(d);
        for name in &self.feature_names {
            if name.is_empty() || !seen.insert(name.as_str()) {
                return bad(format!("feature name {name:?} is empty or repeated"));
            }
        }
        if !self.decimals.is_empty() && self.decimals.len() != d {
            return bad(format!(
                "{} decimal counts for {d} features",
                self.decimals.len()
            ));
        }
        if let Some(&Some(dec)) = self
            .decimals
            .iter()
            .find(|x| x.is_some_and(|v| v > crate::export::MAX_DECIMALS))
        {
            return bad(format!(
                "{dec} decimals, more than {}",
                crate::export::MAX_DECIMALS
            ));
        }
        if !self.category_names.is_empty() && self.category_names.len() != d {
            return bad(format!(
                "{} category-name lists for {d} features",
                self.category_names.len()
            ));
        }
        let laplace = self.settings.laplace;
        if !(laplace.is_finite() && laplace >= 0.0) {
            return bad(format!(
                "laplace smoothing {laplace} is not a finite value >= 0"
            ));
        }
        let non_negative = |v: f64| v.is_finite() && v >= 0.0;
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.class_weights.iter().all(|&w| non_negative(w)) || !non_negative(n.weight) {
                return bad(format!("node {i} has a negative or non-finite weight"));
            }
            // Gini impurity 1 − Σp² can round to a hair below zero: only finiteness is checked.
            if !n.impurity.is_finite() {
                return bad(format!("node {i} has impurity {}", n.impurity));
            }
            if let Some(s) = &n.split {
                if let crate::node::Test::Threshold(t) = s.test {
                    if !t.is_finite() {
                        return bad(format!("node {i} has threshold {t}"));
                    }
                }
                if !s.gain.is_finite() || !s.fractions.iter().all(|&f| (0.0..=1.0).contains(&f)) {
                    return bad(format!(
                        "node {i} has a non-finite gain or a branch fraction outside [0, 1]"
                    ));
                }
            }
            if n.class_weights.len() != k {
                return bad(format!(
                    "node {i} has {} class weights, expected {k}",
                    n.class_weights.len()
                ));
            }
            if let Some(s) = &n.split {
                let nb = s.test.n_branches();
                if s.feature >= d
                    || s.children.len() != nb
                    || s.fractions.len() != nb
                    || s.children.iter().any(|&c| c <= i || c >= self.nodes.len())
                {
                    return bad(format!("node {i} has an inconsistent split"));
                }
            }
        }
        Ok(())
    }
}
