//! Fitting: input checks, column layout, growing and pruning.

use std::collections::BTreeSet;

use linfa::dataset::Label;
use ndarray::{ArrayView2, Axis};

use crate::grow::{grow, Data as GrowData};
use crate::model::DecisionTree;
use crate::node::MAX_CATEGORY;
use crate::prune;
use crate::settings::{FeatureKind, Pruning, TreeSettings};
use crate::TreeError;

impl<L: Label> DecisionTree<L> {
    pub(crate) fn fit_arrays(
        s: &TreeSettings,
        x: ArrayView2<'_, f64>,
        labels: &[L],
        weights: Option<&[f64]>,
        feature_names: Vec<String>,
    ) -> Result<Self, TreeError> {
        let (n, d) = x.dim();
        if n == 0 {
            return Err(TreeError::Empty { what: "rows" });
        }
        if d == 0 {
            return Err(TreeError::Empty { what: "features" });
        }
        if labels.len() != n {
            return Err(TreeError::LengthMismatch {
                what: "targets",
                got: labels.len(),
                expected: n,
            });
        }
        let classes: Vec<L> = labels
            .iter()
            .cloned()
            .collect::<BTreeSet<L>>()
            .into_iter()
            .collect();
        let y: Vec<u32> = labels
            .iter()
            .map(|l| classes.binary_search(l).map_or(0, |i| i as u32))
            .collect();
        let w: Vec<f64> = match weights {
            Some(w) => {
                if w.len() != n {
                    return Err(TreeError::LengthMismatch {
                        what: "weights",
                        got: w.len(),
                        expected: n,
                    });
                }
                if let Some((row, &value)) = w
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
                {
                    return Err(TreeError::BadWeight { row, value });
                }
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        if w.iter().sum::<f64>() <= 0.0 {
            return Err(TreeError::Empty {
                what: "total weight",
            });
        }
        let mut kinds = vec![FeatureKind::Numeric; d];
        for &c in &s.categorical {
            if c >= d {
                return Err(TreeError::InvalidParameter {
                    name: "categorical",
                    reason: format!("feature index {c} is out of range for {d} features"),
                });
            }
            kinds[c] = FeatureKind::Categorical;
        }
        let mut n_categories = vec![0usize; d];
        let mut decimals = vec![None; d];
        let mut cols = Vec::with_capacity(d);
        for (j, col) in x.axis_iter(Axis(1)).enumerate() {
            let v: Vec<f64> = col.to_vec();
            for (row, &value) in v.iter().enumerate() {
                if value.is_infinite() {
                    return Err(TreeError::InfiniteValue {
                        row,
                        column: j,
                        value,
                    });
                }
                if kinds[j] == FeatureKind::Categorical && !value.is_nan() {
                    if !(value >= 0.0 && value.fract() == 0.0 && value <= MAX_CATEGORY as f64) {
                        return Err(TreeError::InvalidCategory {
                            row,
                            column: j,
                            value,
                        });
                    }
                    n_categories[j] = n_categories[j].max(value as usize + 1);
                }
            }
            if kinds[j] == FeatureKind::Numeric {
                decimals[j] = crate::export::decimals(&v);
            }
            cols.push(v);
        }
        let feature_names = if feature_names.len() == d {
            feature_names
        } else {
            (0..d).map(|j| format!("f{j}")).collect()
        };
        let data = GrowData {
            cols: &cols,
            kinds: &kinds,
            n_categories: &n_categories,
            y: &y,
            n_classes: classes.len(),
        };
        let mut nodes = grow(&data, &w, s);
        match s.pruning {
            Pruning::None => {}
            Pruning::CostComplexity { alpha } => prune::cost_complexity(&mut nodes, alpha),
            Pruning::Pessimistic { confidence } => prune::pessimistic(&mut nodes, confidence),
        }
        prune::compact(&mut nodes);
        Ok(DecisionTree {
            classes,
            feature_names,
            kinds,
            category_names: vec![Vec::new(); d],
            decimals,
            settings: s.clone(),
            nodes,
        })
    }
}
