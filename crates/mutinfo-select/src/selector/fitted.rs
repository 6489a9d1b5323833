//! The fitted selector: a linfa `Transformer` that keeps the selected columns.

use super::hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
use crate::continuous::{select_continuous, ContinuousTarget};
use crate::engine::{select, Selection, Step};
use crate::error::{Result, SelectError};
use arrow::record_batch::RecordBatch;
use linfa::dataset::{AsTargets, DatasetBase};
use linfa::traits::{Fit, Transformer};
use linfa::Float;
use mutinfo_continuous::{ContinuousMi, Estimator};
use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_data::FittedDiscretizer;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A fitted mutual-information feature selector: which columns were taken, in which order,
/// and why.
///
/// Fit it from [`InfoSelector::params`] on a linfa dataset with class targets; it then
/// projects arrays, datasets and Arrow record batches onto the selected columns (in selection
/// order), and saves to / loads from JSON.
///
/// # Examples
/// ```
/// use linfa::prelude::*;
/// use mutinfo_select::{Criterion, InfoSelector};
/// use ndarray::{array, Array1};
/// // Column 2 is the class, column 0 a noisy copy of it, column 1 noise.
/// let x = array![[0., 5., 0.], [1., 5., 0.], [1., 6., 1.], [1., 6., 1.], [0., 5., 0.], [1., 5., 1.]];
/// let y: Array1<usize> = array![0, 0, 1, 1, 0, 1];
/// let data = Dataset::new(x, y).with_feature_names(vec!["a", "b", "c"]);
/// let selector = InfoSelector::params().criterion(Criterion::Mrmr).k(2).fit(&data)?;
/// assert_eq!(selector.selected(), &[2, 0]);
/// assert_eq!(selector.selected_names(), vec!["c", "a"]);
/// let reduced = selector.transform(data);
/// assert_eq!(reduced.records().ncols(), 2);
/// assert_eq!(reduced.feature_names(), &["c", "a"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoSelector {
    params: InfoSelectorValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    selected: Vec<usize>,
    selection: Selection,
    discretizer: Option<FittedDiscretizer>,
}

impl InfoSelector {
    /// Hyperparameters with their defaults: criterion [`Criterion::Jmi`](crate::Criterion::Jmi),
    /// `k = 10`, no significance test (`alpha`), no threshold, no fixed features. Features
    /// are binned into 10 quantile bins (one bin per value for a column with at most 10
    /// distinct values), as the CLI does; see [`binning`](InfoSelectorParams::binning), or
    /// use a continuous [`estimator`](InfoSelectorParams::estimator) (kNN / Gaussian / copula,
    /// no binning).
    pub fn params() -> InfoSelectorParams {
        InfoSelectorParams::new()
    }

    /// Fits on discrete codes directly (the engine's input); `names` may be empty.
    ///
    /// # Errors
    /// As [`select`].
    pub fn fit_codes(
        params: &InfoSelectorValidParams,
        features: &CodeMatrix,
        target: &Codes,
        names: Vec<String>,
    ) -> Result<Self> {
        let selection = select(features, target, &params.options)?;
        Ok(Self::from_selection(
            params,
            selection,
            features.n_cols(),
            names,
        ))
    }

    /// Fits on continuous features for a continuous target (regression) with
    /// [`select_continuous`], using the estimator of `params` (`Auto` when none is set);
    /// `names` may be empty. Class targets go through linfa's `Fit` (with
    /// [`InfoSelectorParams::estimator`] set) or [`select_continuous`].
    ///
    /// # Errors
    /// As [`select_continuous`].
    pub fn fit_values(
        params: &InfoSelectorValidParams,
        features: ArrayView2<'_, f64>,
        target: ArrayView1<'_, f64>,
        names: Vec<String>,
    ) -> Result<Self> {
        let mi = params.continuous_mi().unwrap_or_else(|| {
            ContinuousMi::new()
                .estimator(Estimator::Auto)
                .neighbors(params.neighbors)
        });
        let selection = select_continuous(
            features,
            ContinuousTarget::Values(target),
            &params.options,
            &mi,
        )?;
        let mut params = params.clone();
        params.estimator = Some(mi.get_estimator());
        Ok(Self::from_selection(
            &params,
            selection,
            features.ncols(),
            names,
        ))
    }

    fn from_selection(
        params: &InfoSelectorValidParams,
        selection: Selection,
        n: usize,
        names: Vec<String>,
    ) -> Self {
        let feature_names = if names.len() == n {
            names
        } else {
            (0..n).map(|j| format!("f{j}")).collect()
        };
        InfoSelector {
            params: params.clone(),
            n_features: n,
            feature_names,
            selected: selection.selected(),
            selection,
            discretizer: None,
        }
    }

    /// The discretizer fitted on the training features (`None` after
    /// [`InfoSelector::fit_codes`] and for a continuous estimator); apply it to new data to get the codes the selection saw.
    pub fn discretizer(&self) -> Option<&FittedDiscretizer> {
        self.discretizer.as_ref()
    }

    /// The hyperparameters it was fitted with.
    pub fn params_used(&self) -> &InfoSelectorValidParams {
        &self.params
    }

    /// Number of features of the data it was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Whether each feature was selected.
    pub fn support(&self) -> Array1<bool> {
        let mut s = Array1::from_elem(self.n_features, false);
        for &j in &self.selected {
            s[j] = true;
        }
        s
    }

    /// The selected column indices, in selection order.
    pub fn selected(&self) -> &[usize] {
        &self.selected
    }

    /// The relevance `I(X_j;Y)` (nats) of every feature `j` (the MIM score); the criterion
    /// value of each selected feature is in [`InfoSelector::steps`].
    pub fn scores(&self) -> Array1<f64> {
        Array1::from_vec(self.selection.relevance.clone())
    }

    /// The step trace: for each selected feature its criterion value, relevance and
    /// redundancy terms.
    pub fn steps(&self) -> &[Step] {
        &self.selection.steps
    }

    /// The whole selection record (steps, relevance, stop reason).
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Names of all features (`f0`, `f1`, ... when the dataset had none).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Names of the selected features, in selection order.
    pub fn selected_names(&self) -> Vec<String> {
        self.selected
            .iter()
            .map(|&j| self.feature_names[j].clone())
            .collect()
    }

    /// The selected columns of `x`, in selection order.
    ///
    /// # Errors
    /// [`SelectError::FeatureCount`] when `x` has another number of columns than the data
    /// fitted on.
    pub fn try_transform<F: Clone>(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>> {
        if x.ncols() != self.n_features {
            return Err(SelectError::FeatureCount {
                expected: self.n_features,
                found: x.ncols(),
            });
        }
        Ok(x.select(Axis(1), &self.selected))
    }

    /// The selected columns of an Arrow record batch, in selection order, found by name.
    ///
    /// # Errors
    /// [`SelectError::MissingColumn`] naming the first selected column the batch lacks.
    pub fn transform_batch(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let schema = batch.schema();
        let indices = self
            .selected
            .iter()
            .map(|&j| {
                let name = &self.feature_names[j];
                schema
                    .index_of(name)
                    .map_err(|_| SelectError::MissingColumn { name: name.clone() })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(batch.project(&indices)?)
    }

    /// The selector as JSON.
    ///
    /// # Errors
    /// [`SelectError::Json`] (not expected for a fitted selector).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// A selector from JSON written by [`InfoSelector::to_json`].
    ///
    /// # Errors
    /// [`SelectError::Json`] when the text is not such a selector; [`SelectError::InvalidParameter`]
    /// when its content is inconsistent.
    pub fn from_json(json: &str) -> Result<Self> {
        let s: InfoSelector = serde_json::from_str(json)?;
        s.params.options.validate(Some(s.n_features))?;
        if s.feature_names.len() != s.n_features
            || s.selected.iter().any(|&j| j >= s.n_features)
            || s.selected != s.selection.selected()
        {
            return Err(SelectError::InvalidParameter {
                name: "model",
                value: "json".into(),
                reason: "selected features do not match the feature count or the step trace",
            });
        }
        Ok(s)
    }

    /// Saves [`InfoSelector::to_json`] to a file.
    ///
    /// # Errors
    /// [`SelectError::Io`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()?).map_err(|source| SelectError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Loads a selector saved by [`InfoSelector::save`].
    ///
    /// # Errors
    /// [`SelectError::Io`] when the file cannot be read, and as [`InfoSelector::from_json`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SelectError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }
}

/// The records as `f64`, checked finite.
pub(crate) fn finite_records<F: Float>(x: ArrayView2<'_, F>) -> Result<Array2<f64>> {
    let mut out = Array2::zeros(x.raw_dim());
    for ((row, column), &v) in x.indexed_iter() {
        let v = v.to_f64().unwrap_or(f64::NAN);
        if !v.is_finite() {
            return Err(SelectError::NonFinite {
                column,
                row,
                value: v,
            });
        }
        out[[row, column]] = v;
    }
    Ok(out)
}

/// Class labels as codes: one column of any ordered label type.
pub(crate) fn encode_targets<T: AsTargets>(t: &T) -> Result<Codes>
where
    T::Elem: Ord,
{
    let view = t.as_targets();
    let shape = view.shape();
    if !(shape.len() == 1 || (shape.len() == 2 && shape[1] == 1)) {
        return Err(SelectError::InvalidTarget {
            reason: format!("expected one column of class labels, found shape {shape:?}"),
        });
    }
    let labels: Vec<&T::Elem> = view.iter().collect();
    Ok(Codes::from_values(&labels)?)
}

impl<F: Float, T: AsTargets> Fit<Array2<F>, T, SelectError> for InfoSelectorValidParams
where
    T::Elem: Ord,
{
    type Object = InfoSelector;

    /// Selects features of `dataset` for its class targets (an `Array1` of labels, or an
    /// `Array2` with one column): discretized and by [`select`], or, with a continuous
    /// [`estimator`](InfoSelectorParams::estimator), on the raw values by
    /// [`select_continuous`] (no discretizer is kept then).
    ///
    /// # Errors
    /// [`SelectError::NonFinite`] naming a NaN or infinite feature value,
    /// [`SelectError::InvalidTarget`] for several target columns, and as [`select`].
    fn fit(&self, dataset: &DatasetBase<Array2<F>, T>) -> Result<InfoSelector> {
        let records = dataset.records();
        let target = encode_targets(&dataset.targets)?;
        if target.len() != records.nrows() {
            return Err(SelectError::TargetLength {
                expected: records.nrows(),
                found: target.len(),
            });
        }
        if records.ncols() == 0 {
            return Err(SelectError::Empty { unit: "features" });
        }
        if records.nrows() == 0 {
            return Err(SelectError::Empty { unit: "rows" });
        }
        let values = finite_records(records.view())?;
        let names = dataset.feature_names().to_vec();
        if let Some(mi) = self.continuous_mi() {
            let selection = select_continuous(
                values.view(),
                ContinuousTarget::Classes(&target),
                &self.options,
                &mi,
            )?;
            return Ok(InfoSelector::from_selection(
                self,
                selection,
                values.ncols(),
                names,
            ));
        }
        let discretizer = if names.len() == values.ncols() {
            FittedDiscretizer::fit_named(values.view(), &names, &self.binning, Some(&target))?
        } else {
            FittedDiscretizer::fit(values.view(), &self.binning, Some(&target))?
        };
        let codes = discretizer.transform(values.view())?;
        let mut fitted = InfoSelector::fit_codes(self, &codes, &target, names)?;
        fitted.discretizer = Some(discretizer);
        Ok(fitted)
    }
}

impl<F: Clone> Transformer<Array2<F>, Array2<F>> for InfoSelector {
    /// The selected columns, in selection order.
    ///
    /// # Panics
    /// When `x` has fewer columns than the data fitted on; use [`InfoSelector::try_transform`]
    /// to get an error instead.
    fn transform(&self, x: Array2<F>) -> Array2<F> {
        x.select(Axis(1), &self.selected)
    }
}

impl<F: Clone, T> Transformer<DatasetBase<Array2<F>, T>, DatasetBase<Array2<F>, T>>
    for InfoSelector
{
    /// The dataset with only the selected columns (in selection order) and their feature
    /// names; targets, weights and target names are kept.
    ///
    /// # Panics
    /// When the records have fewer columns than the data fitted on.
    fn transform(&self, data: DatasetBase<Array2<F>, T>) -> DatasetBase<Array2<F>, T> {
        let names: Vec<String> = if data.feature_names().len() == data.records.ncols() {
            self.selected
                .iter()
                .map(|&j| data.feature_names()[j].clone())
                .collect()
        } else {
            Vec::new()
        };
        let mut data = data;
        data.records = data.records.select(Axis(1), &self.selected);
        data.with_feature_names(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Criterion;
    use linfa::Dataset;
    use mutinfo_data::Binning;
    use ndarray::array;

    fn data() -> Dataset<f64, usize, ndarray::Ix1> {
        let x = array![
            [0., 5., 0., 1.],
            [1., 5., 0., 1.],
            [1., 6., 1., 2.],
            [1., 6., 1., 2.],
            [0., 5., 0., 1.],
            [1., 5., 1., 3.]
        ];
        Dataset::new(x, array![0usize, 0, 1, 1, 0, 1])
            .with_feature_names(vec!["a", "b", "c", "d"])
            .with_weights(array![1.0f32, 2.0, 1.0, 1.0, 1.0, 3.0])
    }

    #[test]
    fn transforms_keep_names_targets_weights() {
        let d = data();
        let s = InfoSelector::params()
            .criterion(Criterion::Jmi)
            .k(2)
            .fit(&d)
            .unwrap();
        assert_eq!(s.support().iter().filter(|&&b| b).count(), 2);
        assert_eq!(s.scores().len(), 4);
        let sel = s.selected().to_vec();
        let out = s.transform(d.clone());
        assert_eq!(out.records().column(0), d.records().column(sel[0]));
        assert_eq!(out.targets(), d.targets());
        assert_eq!(out.weights(), d.weights());
        assert_eq!(out.feature_names(), s.selected_names().as_slice());
        let arr: Array2<f64> = s.transform(d.records().clone());
        assert_eq!(arr, out.records);
        assert!(matches!(
            s.try_transform(array![[1.0, 2.0]].view()),
            Err(SelectError::FeatureCount { .. })
        ));
    }

    #[test]
    fn rejects_bad_input() {
        let x = array![[0.0, f64::NAN], [1.0, 2.0]];
        let d = Dataset::new(x, array![0usize, 1]);
        let e = InfoSelector::params().fit(&d).unwrap_err();
        assert!(
            matches!(
                e,
                SelectError::NonFinite {
                    column: 1,
                    row: 0,
                    ..
                }
            ),
            "{e}"
        );
        let two = Dataset::new(array![[0.0], [1.0]], array![[0usize, 1], [1, 0]]);
        assert!(matches!(
            InfoSelector::params().fit(&two),
            Err(SelectError::InvalidTarget { .. })
        ));
        let one_col = Dataset::new(array![[0.0], [1.0]], array![[0usize], [1]]);
        assert_eq!(
            InfoSelector::params().fit(&one_col).unwrap().selected(),
            &[0]
        );
    }

    #[test]
    fn binning_feeds_the_engine_and_is_saved() {
        // Continuous column 0 follows the class (low/high), column 1 is a decoy with the
        // same values in another order: with 2 equal-width bins column 0 is a perfect split.
        let x = array![
            [0.1, 0.9],
            [0.2, 0.1],
            [0.3, 0.8],
            [0.8, 0.2],
            [0.9, 0.3],
            [0.7, 0.7]
        ];
        let d = Dataset::new(x, array![0usize, 0, 0, 1, 1, 1]);
        let s = InfoSelector::params()
            .binning(Binning::Uniform { bins: 2 })
            .k(1)
            .fit(&d)
            .unwrap();
        assert_eq!(s.selected(), &[0]);
        assert!((s.scores()[0] - std::f64::consts::LN_2).abs() < 1e-15);
        let disc = s.discretizer().unwrap();
        let back = InfoSelector::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back.discretizer(), Some(disc));
    }

    /// 200 rows: column 1 carries the class (a shift by class), column 0 is noise.
    fn continuous_data() -> Dataset<f64, usize, ndarray::Ix1> {
        let n = 200;
        let y: Array1<usize> = Array1::from_shape_fn(n, |i| i % 2);
        let x = Array2::from_shape_fn((n, 2), |(i, j)| {
            let u = ((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0;
            if j == 1 {
                u + 1.5 * y[i] as f64
            } else {
                u
            }
        });
        Dataset::new(x, y).with_feature_names(vec!["noise", "signal"])
    }

    #[test]
    fn continuous_fit_skips_the_discretizer_and_saves_the_estimator() {
        use mutinfo_continuous::Estimator;
        let d = continuous_data();
        let s = InfoSelector::params()
            .estimator(Some(Estimator::Ksg1))
            .neighbors(4)
            .criterion(Criterion::Mrmr)
            .k(1)
            .fit(&d)
            .unwrap();
        assert_eq!(s.selected_names(), vec!["signal"]);
        assert!(s.discretizer().is_none());
        assert!(s.scores()[1] > 0.4, "{}", s.scores()[1]);
        let json = s.to_json().unwrap();
        assert!(json.contains("\"estimator\": \"ksg\""), "{json}");
        assert!(json.contains("\"neighbors\": 4"), "{json}");
        let back = InfoSelector::from_json(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.params_used().estimator(), Some(Estimator::Ksg1));
        // A model saved before the estimator existed still loads (discrete).
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let p = v["params"].as_object_mut().unwrap();
        p.remove("estimator");
        p.remove("neighbors");
        let old = InfoSelector::from_json(&v.to_string()).unwrap();
        assert_eq!(old.params_used().estimator(), None);
        assert_eq!(old.params_used().neighbors(), 3);
        // A continuous target through fit_values.
        let yv = d.records().column(1).mapv(|v| 2.0 * v);
        let r = InfoSelector::fit_values(s.params_used(), d.records().view(), yv.view(), vec![])
            .unwrap();
        assert_eq!(r.selected(), &[1]);
        assert_eq!(r.feature_names(), &["f0", "f1"]);
    }

    #[test]
    fn json_round_trip() {
        let s = InfoSelector::params().k(3).fit(&data()).unwrap();
        let back = InfoSelector::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back, s);
        let dir = std::env::temp_dir().join(format!("mutinfo-select-{}.json", std::process::id()));
        s.save(&dir).unwrap();
        assert_eq!(InfoSelector::load(&dir).unwrap(), s);
        std::fs::remove_file(&dir).ok();
        assert!(InfoSelector::from_json("{}").is_err());
    }
}
