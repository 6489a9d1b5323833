//! Tree nodes: the test at an inner node, its split and the node itself.

use serde::{Deserialize, Serialize};

use crate::split::CategoricalTest;

/// Largest category code accepted in a categorical feature.
pub const MAX_CATEGORY: u32 = 1 << 20;

/// The test at an inner node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Test {
    /// `value <= threshold` goes to the first child, the rest to the second.
    Threshold(f64),
    /// A categorical test (multiway or subset).
    Categorical(CategoricalTest),
}

impl Test {
    /// Number of children.
    pub fn n_branches(&self) -> usize {
        match self {
            Test::Threshold(_) => 2,
            Test::Categorical(CategoricalTest::Multiway { categories }) => categories.len(),
            Test::Categorical(CategoricalTest::Subset { .. }) => 2,
        }
    }

    /// The branch of a known value; `None` for a category the test does not know (treated like
    /// a missing value).
    pub fn branch(&self, v: f64) -> Option<usize> {
        match self {
            Test::Threshold(t) => Some(usize::from(v > *t)),
            Test::Categorical(ct) => {
                if !(v >= 0.0 && v.fract() == 0.0 && v <= MAX_CATEGORY as f64) {
                    return None;
                }
                let c = v as u32;
                match ct {
                    CategoricalTest::Multiway { categories } => categories.binary_search(&c).ok(),
                    CategoricalTest::Subset { left, right } => {
                        if left.binary_search(&c).is_ok() {
                            Some(0)
                        } else if right.binary_search(&c).is_ok() {
                            Some(1)
                        } else {
                            None
                        }
                    }
                }
            }
        }
    }
}

/// The split of an inner node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSplit {
    /// Feature index.
    pub feature: usize,
    /// The test.
    pub test: Test,
    /// Information gain (Gini decrease for Gini) of the split at this node, C4.5-scaled by the
    /// known fraction when values are missing.
    pub gain: f64,
    /// Child node ids, one per branch.
    pub children: Vec<usize>,
    /// Share of the node's known training weight in each branch: where a row with a missing
    /// (or unknown) value is sent, split fractionally.
    pub fractions: Vec<f64>,
}

/// A node: its weighted training class counts, and a split unless it is a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Weighted class counts of the training rows at the node (fractional rows included).
    pub class_weights: Vec<f64>,
    /// Their sum.
    pub weight: f64,
    /// The criterion's impurity at the node (entropy in nats, or Gini).
    pub impurity: f64,
    /// The split, or `None` for a leaf.
    pub split: Option<NodeSplit>,
}

impl Node {
    pub(crate) fn placeholder() -> Self {
        Node {
            class_weights: Vec::new(),
            weight: 0.0,
            impurity: 0.0,
            split: None,
        }
    }
}
