//! [`Selected`]: a feature selector chained with any linfa model as one fitted step.
//!
//! `fit` selects features on the training data, then fits the model on the kept columns;
//! `predict` keeps the same columns of new data, then predicts with the model. Both accept
//! owned arrays and views, so linfa's `cross_validate` evaluates the whole chain (selection
//! included) on every fold.
//!
//! ```
//! use linfa::prelude::*;
//! use linfa_logistic::LogisticRegression;
//! use mutinfo_select::InfoSelector;
//! use ndarray::{Array1, Array2};
//! // Column 1 carries the class, columns 0 and 2 are noise.
//! let y: Array1<usize> = (0..60).map(|i| i % 2).collect();
//! let x = Array2::from_shape_fn((60, 3), |(i, j)| {
//!     if j == 1 { y[i] as f64 } else { ((i * (7 + j)) % 5) as f64 }
//! });
//! let data = Dataset::new(x, y);
//! let chain = InfoSelector::params().k(1).chain(LogisticRegression::default());
//! let fitted = chain.fit(&data)?;
//! assert_eq!(fitted.selector().selected(), &[1]);
//! let predicted = fitted.predict(data.records());
//! assert_eq!(predicted, data.targets);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::fitted::InfoSelector;
use super::hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
use crate::error::SelectError;
use linfa::dataset::{AsTargets, DatasetBase};
use linfa::traits::{Fit, PredictInplace};
use linfa::{Float, ParamGuard};
use ndarray::{Array2, ArrayBase, Axis, Data, Ix2};

/// The error of [`SelectedParams`]: the selector's or the model's.
#[derive(Debug, thiserror::Error)]
pub enum SelectedError<E> {
    /// Selecting the features failed.
    #[error("selecting features: {0}")]
    Select(#[from] SelectError),
    /// Fitting the model on the selected columns failed.
    #[error("fitting the model on the selected features: {0}")]
    Model(E),
}

impl<E> From<linfa::Error> for SelectedError<E> {
    fn from(e: linfa::Error) -> Self {
        SelectedError::Select(SelectError::Linfa(e))
    }
}

/// A selector's parameters chained with a linfa model's parameters; create with
/// [`InfoSelectorParams::chain`], fit to get a [`Selected`].
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedParams<P> {
    selector: InfoSelectorParams,
    model: P,
}

impl<P> SelectedParams<P> {
    /// The selector's parameters.
    pub fn selector(&self) -> &InfoSelectorParams {
        &self.selector
    }

    /// The model's parameters.
    pub fn model(&self) -> &P {
        &self.model
    }
}

impl InfoSelectorParams {
    /// Chains this selector with a linfa model: fitting selects features, then fits `model`
    /// on the kept columns.
    pub fn chain<P>(self, model: P) -> SelectedParams<P> {
        SelectedParams {
            selector: self,
            model,
        }
    }
}

impl InfoSelectorValidParams {
    /// As [`InfoSelectorParams::chain`], for checked parameters.
    pub fn chain<P>(self, model: P) -> SelectedParams<P> {
        InfoSelectorParams(self).chain(model)
    }
}

/// A fitted selector and the model fitted on its selected columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected<M> {
    selector: InfoSelector,
    model: M,
}

impl<M> Selected<M> {
    /// The fitted selector.
    pub fn selector(&self) -> &InfoSelector {
        &self.selector
    }

    /// The model fitted on the selected columns.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The two parts.
    pub fn into_parts(self) -> (InfoSelector, M) {
        (self.selector, self.model)
    }
}

impl<F, D, T, P, E> Fit<ArrayBase<D, Ix2>, T, SelectedError<E>> for SelectedParams<P>
where
    F: Float,
    D: Data<Elem = F>,
    T: AsTargets + Clone,
    T::Elem: Ord,
    P: Fit<Array2<F>, T, E>,
    E: std::error::Error + From<linfa::Error>,
{
    type Object = Selected<P::Object>;

    /// Selects features of `dataset`, then fits the model on the selected columns (same
    /// targets, weights and target names; the selected feature names).
    ///
    /// # Errors
    /// [`SelectedError::Select`] as the selector's `fit`, [`SelectedError::Model`] as the
    /// model's.
    fn fit(
        &self,
        dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
    ) -> Result<Self::Object, SelectedError<E>> {
        let selector = self.selector.check_ref()?.fit(dataset)?;
        let records = dataset.records().select(Axis(1), selector.selected());
        let reduced = DatasetBase::new(records, dataset.targets.clone())
            .with_feature_names(selector.selected_names())
            .with_weights(dataset.weights.clone())
            .with_target_names(dataset.target_names().to_vec());
        let model = self.model.fit(&reduced).map_err(SelectedError::Model)?;
        Ok(Selected { selector, model })
    }
}

impl<F, D, T, M> PredictInplace<ArrayBase<D, Ix2>, T> for Selected<M>
where
    F: Clone,
    D: Data<Elem = F>,
    M: PredictInplace<Array2<F>, T>,
{
    /// Keeps the selected columns of `x`, then predicts with the model.
    ///
    /// # Panics
    /// When `x` has fewer columns than the data fitted on (as the model's own predict does
    /// for a wrong width).
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut T) {
        let kept = x.select(Axis(1), self.selector.selected());
        self.model.predict_inplace(&kept, y);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> T {
        let kept = x.select(Axis(1), self.selector.selected());
        self.model.default_target(&kept)
    }
}
