//! Prediction: class probabilities (C4.5 fractional descent for missing values) and labels.

use linfa::dataset::Label;
use linfa::traits::PredictInplace;
use linfa::Float;
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Axis, Data, Ix2};
use rayon::prelude::*;

use crate::model::DecisionTree;
use crate::node::{Node, MAX_CATEGORY};
use crate::settings::FeatureKind;
use crate::TreeError;

impl<L: Label> DecisionTree<L> {
    fn check_records<F: Float>(&self, x: ArrayView2<'_, F>) -> Result<(), TreeError> {
        if x.ncols() != self.kinds.len() {
            return Err(TreeError::LengthMismatch {
                what: "features",
                got: x.ncols(),
                expected: self.kinds.len(),
            });
        }
        for ((row, column), value) in x.indexed_iter() {
            let value = value.to_f64().unwrap_or(f64::NAN);
            if value.is_infinite() {
                return Err(TreeError::InfiniteValue { row, column, value });
            }
            if self.kinds[column] == FeatureKind::Categorical
                && !value.is_nan()
                && !(value >= 0.0 && value.fract() == 0.0 && value <= MAX_CATEGORY as f64)
            {
                return Err(TreeError::InvalidCategory { row, column, value });
            }
        }
        Ok(())
    }

    /// Probabilities in f64 (an f32 record converts to f64 exactly, so f32 and f64 records of
    /// the same values go down the same branches).
    fn proba_unchecked<F: Float>(&self, x: ArrayView2<'_, F>) -> Array2<f64> {
        let k = self.classes.len();
        let (nodes, laplace) = (&self.nodes[..], self.settings.laplace);
        let mut out = Array2::zeros((x.nrows(), k));
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(x.axis_iter(Axis(0)))
            .for_each_init(Vec::new, |stack, (mut o, row)| {
                let o = o.as_slice_mut().expect("row of a standard-layout array");
                let value = |f: usize| row[f].to_f64().unwrap_or(f64::NAN);
                row_proba(nodes, laplace, value, o, stack);
            });
        out
    }

    /// Class probabilities, one row per record, columns in [`DecisionTree::classes`] order;
    /// each row sums to 1. Records and probabilities are f32 or f64 (any linfa `Float`); the
    /// sums are computed in f64 either way. NaN is missing: the row is sent down every branch in
    /// proportion to the training weight (C4.5), as is a category the node never saw.
    ///
    /// # Errors
    /// A wrong number of columns, an infinite value, or an invalid category code, naming row
    /// and column.
    pub fn predict_proba<F: Float>(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>, TreeError> {
        self.check_records(x)?;
        let p = self.proba_unchecked(x);
        Ok(p.mapv(F::cast))
    }

    /// Predicted labels (the most probable class, ties to the first in [`classes`] order).
    ///
    /// [`classes`]: DecisionTree::classes
    ///
    /// # Errors
    /// As [`DecisionTree::predict_proba`].
    pub fn try_predict<F: Float>(&self, x: ArrayView2<'_, F>) -> Result<Array1<L>, TreeError> {
        self.check_records(x)?;
        Ok(self.argmax(&self.proba_unchecked(x)))
    }

    fn argmax(&self, p: &Array2<f64>) -> Array1<L> {
        p.axis_iter(Axis(0))
            .map(|r| {
                let mut best = 0;
                for (i, &v) in r.iter().enumerate() {
                    if v > r[best] {
                        best = i;
                    }
                }
                self.classes[best].clone()
            })
            .collect()
    }
}

fn leaf_probs(node: &Node, laplace: f64, weight: f64, out: &mut [f64]) {
    let c = out.len() as f64;
    let denom = node.weight + laplace * c;
    if denom > 0.0 {
        for (o, &cw) in out.iter_mut().zip(&node.class_weights) {
            *o += weight * (cw + laplace) / denom;
        }
    } else {
        out.iter_mut().for_each(|o| *o += weight / c);
    }
}

/// Probabilities of one row given by `value(feature)`; NaN is missing.
fn row_proba(
    nodes: &[Node],
    laplace: f64,
    value: impl Fn(usize) -> f64,
    out: &mut [f64],
    stack: &mut Vec<(usize, f64)>,
) {
    out.iter_mut().for_each(|v| *v = 0.0);
    stack.clear();
    stack.push((0, 1.0));
    while let Some((id, w)) = stack.pop() {
        let node = &nodes[id];
        match &node.split {
            None => leaf_probs(node, laplace, w, out),
            Some(s) => {
                let v = value(s.feature);
                let b = if v.is_nan() { None } else { s.test.branch(v) };
                match b {
                    Some(b) => stack.push((s.children[b], w)),
                    None => {
                        for (&c, &f) in s.children.iter().zip(&s.fractions) {
                            if f > 0.0 {
                                stack.push((c, w * f));
                            }
                        }
                    }
                }
            }
        }
    }
    let total: f64 = out.iter().sum();
    if total > 0.0 {
        out.iter_mut().for_each(|v| *v /= total);
    }
}

impl<F, L, D> PredictInplace<ArrayBase<D, Ix2>, Array1<L>> for DecisionTree<L>
where
    F: Float,
    L: Label,
    D: Data<Elem = F>,
{
    /// Predicted labels. NaN is missing; an invalid category code is treated as an unseen
    /// category (use [`DecisionTree::try_predict`] to reject it instead).
    ///
    /// # Panics
    /// When `x` has a different number of columns than the training data, like linfa's models.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<L>) {
        assert_eq!(
            x.ncols(),
            self.kinds.len(),
            "the records have {} features, the tree was fitted on {}",
            x.ncols(),
            self.kinds.len()
        );
        assert_eq!(x.nrows(), y.len(), "one target per record");
        *y = self.argmax(&self.proba_unchecked(x.view()));
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<L> {
        Array1::from_elem(x.nrows(), L::default())
    }
}
