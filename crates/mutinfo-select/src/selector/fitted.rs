//! The fitted selector: a linfa `Transformer` that keeps the selected columns.

use super::format::{invalid, SelectorFile};
use super::hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
use crate::continuous::{select_continuous, ContinuousTarget};
use crate::discrete::select;
use crate::error::{Result, SelectError};
use crate::result::{Selection, Step, StopReason};
use arrow::record_batch::RecordBatch;
use linfa::dataset::{AsTargets, DatasetBase};
use linfa::traits::{Fit, Transformer};
use linfa::{Float, ParamGuard};
use mutinfo_continuous::{ContinuousMi, Estimator};
use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_data::{
    ColumnEncoding, DatasetBuilder, Encoding, FittedDiscretizer, Missing, Table, Unseen,
};
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Axis, Data, Ix2};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One selected feature as a fitted selector keeps it: its name, its step of the trace and
/// (for a discrete selection) the encoder that turned its values into codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectedFeature {
    /// Column name (`f{j}` when the data had no names).
    pub name: String,
    /// The step that took it (its column index is `step.feature`).
    pub step: Step,
    /// How its values became codes (`None` for a continuous estimator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<ColumnEncoding>,
}

/// A fitted mutual-information feature selector: which columns were taken, in which order,
/// and why.
///
/// Fit it from [`InfoSelector::params`] on a linfa dataset with class targets (owned arrays
/// or views), or on Arrow data with [`InfoSelector::fit_table`] / [`InfoSelector::fit_batch`];
/// it then projects arrays, datasets and Arrow record batches onto the selected columns (in
/// selection order), and saves to / loads from the one selector file format
/// ([`SELECTOR_FORMAT`](crate::SELECTOR_FORMAT), version
/// [`SELECTOR_FORMAT_VERSION`](crate::SELECTOR_FORMAT_VERSION)) that `mutinfo select
/// --save-model` and `mutinfo transform` use too. The file keeps only what transform needs:
/// the selected columns, their encoders, their scores and the step trace.
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
#[derive(Debug, Clone, PartialEq)]
pub struct InfoSelector {
    params: InfoSelectorValidParams,
    target: Option<String>,
    n_features: usize,
    selected: Vec<usize>,
    features: Vec<SelectedFeature>,
    stop: StopReason,
    missing: Missing,
    unseen: Unseen,
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
        Self::from_selection(params.clone(), &selection, &names, None)
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
        let names = default_names(names, features.ncols());
        Self::from_selection(params, &selection, &names, None)
    }

    /// Fits on an Arrow table with the data crate's encoders: `builder` names the target
    /// and the features and says how columns become codes (its binning, missing-value and
    /// unseen-value policies; the `binning` of `params` is not used), then [`select`] runs on
    /// the codes. The selector keeps the encoders of the selected columns and the target's
    /// name. This is what `mutinfo select` does.
    ///
    /// # Errors
    /// As [`DatasetBuilder::fit`] and [`select`].
    pub fn fit_table(
        params: &InfoSelectorValidParams,
        table: &Table,
        builder: &DatasetBuilder,
    ) -> Result<Self> {
        let (encoding, encoded) = builder.fit(table)?;
        let selection = select(&encoded.features, &encoded.target, &params.options)?;
        Self::from_selection(params.clone(), &selection, &encoded.names, Some(&encoding))
    }

    /// [`InfoSelector::fit_table`] on one record batch.
    ///
    /// # Errors
    /// As [`InfoSelector::fit_table`].
    pub fn fit_batch(
        params: &InfoSelectorValidParams,
        batch: &RecordBatch,
        builder: &DatasetBuilder,
    ) -> Result<Self> {
        let table = Table {
            schema: batch.schema(),
            batches: vec![batch.clone()],
        };
        Self::fit_table(params, &table, builder)
    }

    /// A selector from a selection the engine made: `names` are the names of all
    /// `names.len()` features the selection saw (in column order), `encoding` the data
    /// crate's encoding of those features and the target (`None` for a selection on raw
    /// values). Only the encoders of the selected columns are kept.
    ///
    /// # Errors
    /// [`SelectError::InvalidModel`] when the parts do not fit together (a step outside
    /// `names`, an encoding of other columns, parameters the selection breaks).
    pub fn from_selection(
        params: InfoSelectorValidParams,
        selection: &Selection,
        names: &[String],
        encoding: Option<&Encoding>,
    ) -> Result<Self> {
        let names = default_names(names.to_vec(), names.len());
        let mut features = Vec::with_capacity(selection.steps.len());
        for step in &selection.steps {
            let name = names.get(step.feature).cloned().ok_or_else(|| {
                invalid(
                    "fitted selector",
                    "selected",
                    format!("feature {} of {}", step.feature, names.len()),
                )
            })?;
            let encoder = match encoding {
                Some(e) => Some(e.features.get(step.feature).cloned().ok_or_else(|| {
                    invalid(
                        "fitted selector",
                        "encoding",
                        format!("no encoder for feature {}", step.feature),
                    )
                })?),
                None => None,
            };
            features.push(SelectedFeature {
                name,
                step: step.clone(),
                encoder,
            });
        }
        let selector = InfoSelector {
            params,
            target: encoding.map(|e| e.target.name().to_string()),
            n_features: names.len(),
            selected: selection.selected(),
            features,
            stop: selection.stop,
            missing: encoding.map_or(Missing::default(), |e| e.missing),
            unseen: encoding.map_or(Unseen::default(), |e| e.unseen),
        };
        selector.check("fitted selector")?;
        Ok(selector)
    }

    /// The parts, unchecked (the format module checks them).
    pub(super) fn from_parts(
        params: InfoSelectorValidParams,
        target: Option<String>,
        n_features: usize,
        features: Vec<SelectedFeature>,
        stop: StopReason,
        missing: Missing,
        unseen: Unseen,
    ) -> Self {
        InfoSelector {
            params,
            target,
            n_features,
            selected: features.iter().map(|f| f.step.feature).collect(),
            features,
            stop,
            missing,
            unseen,
        }
    }

    /// The missing-value policy of the encoders.
    pub fn missing(&self) -> Missing {
        self.missing
    }

    /// The unseen-category policy of the encoders.
    pub fn unseen(&self) -> Unseen {
        self.unseen
    }

    /// The same selector, recording the name of the target column it was fitted for (used by
    /// `mutinfo transform --keep-target`).
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The target column it was fitted for, when known.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
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

    /// The selected features: names, steps and encoders, in selection order.
    pub fn selected_features(&self) -> &[SelectedFeature] {
        &self.features
    }

    /// The criterion value of each selected feature when it was taken, in selection order;
    /// relevance and redundancy terms are in [`InfoSelector::steps`].
    pub fn scores(&self) -> Array1<f64> {
        self.features.iter().map(|f| f.step.score).collect()
    }

    /// The step trace: for each selected feature its criterion value, relevance and
    /// redundancy terms.
    pub fn steps(&self) -> Vec<Step> {
        self.features.iter().map(|f| f.step.clone()).collect()
    }

    /// Why the selection stopped.
    pub fn stop(&self) -> StopReason {
        self.stop
    }

    /// The encoders of the selected columns, in selection order (`None` after a selection
    /// on raw values or on codes given directly): apply them to new data to get the codes
    /// the selection saw.
    pub fn encoders(&self) -> Option<Vec<&ColumnEncoding>> {
        self.features.iter().map(|f| f.encoder.as_ref()).collect()
    }

    /// Names of the selected features, in selection order.
    pub fn selected_names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }

    /// The selected columns of `x`, in selection order.
    ///
    /// # Errors
    /// [`SelectError::FeatureCount`] when `x` has another number of columns than the data
    /// fitted on.
    pub fn try_transform<F: Clone, D: Data<Elem = F>>(
        &self,
        x: &ArrayBase<D, Ix2>,
    ) -> Result<Array2<F>> {
        self.check_width(x.ncols())?;
        Ok(x.select(Axis(1), &self.selected))
    }

    /// Undoes [`InfoSelector::try_transform`] as scikit-learn does: an array of the
    /// original width with the kept columns back in their places and zeros in the dropped
    /// ones.
    ///
    /// # Errors
    /// [`SelectError::FeatureCount`] when `x` does not have one column per selected feature.
    pub fn inverse_transform<F: Float, D: Data<Elem = F>>(
        &self,
        x: &ArrayBase<D, Ix2>,
    ) -> Result<Array2<F>> {
        if x.ncols() != self.selected.len() {
            return Err(SelectError::FeatureCount {
                expected: self.selected.len(),
                found: x.ncols(),
            });
        }
        let mut out = Array2::zeros((x.nrows(), self.n_features));
        for (i, &j) in self.selected.iter().enumerate() {
            out.column_mut(j).assign(&x.column(i));
        }
        Ok(out)
    }

    fn check_width(&self, found: usize) -> Result<()> {
        if found != self.n_features {
            return Err(SelectError::FeatureCount {
                expected: self.n_features,
                found,
            });
        }
        Ok(())
    }

    /// The selected columns of an Arrow record batch, in selection order, found by name
    /// (other columns may be anywhere, or absent).
    ///
    /// # Errors
    /// [`SelectError::MissingColumn`] naming the first selected column the batch lacks.
    pub fn transform_batch(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let schema = batch.schema();
        let indices = self
            .features
            .iter()
            .map(|f| {
                schema
                    .index_of(&f.name)
                    .map_err(|_| SelectError::MissingColumn {
                        name: f.name.clone(),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(batch.project(&indices)?)
    }

    /// [`InfoSelector::transform_batch`] on every batch of a table.
    ///
    /// # Errors
    /// As [`InfoSelector::transform_batch`].
    pub fn transform_table(&self, table: &Table) -> Result<Table> {
        let batches = table
            .batches
            .iter()
            .map(|b| self.transform_batch(b))
            .collect::<Result<Vec<_>>>()?;
        let schema = match batches.first() {
            Some(b) => b.schema(),
            None => {
                let empty = RecordBatch::new_empty(table.schema.clone());
                self.transform_batch(&empty)?.schema()
            }
        };
        Ok(Table { schema, batches })
    }

    /// The selector in its file format (one line of JSON, see [`format`](super::format)).
    ///
    /// # Errors
    /// [`SelectError::Json`] (not expected for a fitted selector).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(&SelectorFile::from(self))? + "\n")
    }

    /// A selector from JSON in the file format, checked field by field.
    ///
    /// # Errors
    /// [`SelectError::InvalidModel`] naming the field that is missing, malformed, of another
    /// format or version, or out of range.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::parse(json, "selector JSON")
    }

    fn parse(json: &str, file: &str) -> Result<Self> {
        let file_struct: SelectorFile =
            serde_json::from_str(json).map_err(|e| invalid(file, "json", e.to_string()))?;
        let s = file_struct.into_selector(file)?;
        s.check(file)?;
        Ok(s)
    }

    /// Saves [`InfoSelector::to_json`] to a file with the crash-safe writer
    /// ([`mutinfo_core::save`]): a failed write never leaves half a model, a symlink is
    /// written through.
    ///
    /// # Errors
    /// [`SelectError::Io`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |source| SelectError::Io {
            path: path.display().to_string(),
            source,
        };
        mutinfo_core::save::write_atomic(path, self.to_json()?.as_bytes()).map_err(io)
    }

    /// Loads a selector saved by [`InfoSelector::save`] or `mutinfo select --save-model`.
    ///
    /// # Errors
    /// [`SelectError::Io`] when the file cannot be read, [`SelectError::InvalidModel`]
    /// naming the file and the field as [`InfoSelector::from_json`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SelectError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }
}

fn default_names(names: Vec<String>, n: usize) -> Vec<String> {
    if names.len() == n {
        names
    } else {
        (0..n).map(|j| format!("f{j}")).collect()
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

impl<F: Float, D: Data<Elem = F>, T: AsTargets> Fit<ArrayBase<D, Ix2>, T, SelectError>
    for InfoSelectorValidParams
where
    T::Elem: Ord,
{
    type Object = InfoSelector;

    /// Selects features of `dataset` (owned records or a view, so linfa's `fold` and
    /// `cross_validate` work) for its class targets (an `Array1` of labels, or an `Array2`
    /// with one column): discretized and by [`select`], or, with a continuous
    /// [`estimator`](InfoSelectorParams::estimator), on the raw values by
    /// [`select_continuous`] (no encoders are kept then).
    ///
    /// # Errors
    /// [`SelectError::NonFinite`] naming a NaN or infinite feature value,
    /// [`SelectError::InvalidTarget`] for several target columns, and as [`select`].
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<InfoSelector> {
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
        let names = default_names(dataset.feature_names().to_vec(), values.ncols());
        if let Some(mi) = self.continuous_mi() {
            let selection = select_continuous(
                values.view(),
                ContinuousTarget::Classes(&target),
                &self.options,
                &mi,
            )?;
            return InfoSelector::from_selection(self.clone(), &selection, &names, None);
        }
        let discretizer =
            FittedDiscretizer::fit_named(values.view(), &names, &self.binning, Some(&target))?;
        let codes = discretizer.transform(values.view())?;
        let selection = select(&codes, &target, &self.options)?;
        let mut fitted = InfoSelector::from_selection(self.clone(), &selection, &names, None)?;
        for f in &mut fitted.features {
            f.encoder = Some(ColumnEncoding::Numeric {
                name: f.name.clone(),
                bins: discretizer.columns()[f.step.feature].clone(),
            });
        }
        Ok(fitted)
    }
}

impl InfoSelectorValidParams {
    /// Fits a selector on `dataset` and returns it with the dataset reduced to the selected
    /// columns (scikit-learn's `fit_transform`).
    ///
    /// # Errors
    /// As `fit`.
    pub fn fit_transform<F: Float, D: Data<Elem = F>, T: AsTargets>(
        &self,
        dataset: DatasetBase<ArrayBase<D, Ix2>, T>,
    ) -> Result<(InfoSelector, DatasetBase<Array2<F>, T>)>
    where
        T::Elem: Ord,
    {
        let selector = self.fit(&dataset)?;
        let reduced = selector.transform(dataset);
        Ok((selector, reduced))
    }
}

impl InfoSelectorParams {
    /// Checks the parameters, then [`InfoSelectorValidParams::fit_transform`].
    ///
    /// # Errors
    /// As [`ParamGuard::check_ref`] and `fit`.
    pub fn fit_transform<F: Float, D: Data<Elem = F>, T: AsTargets>(
        &self,
        dataset: DatasetBase<ArrayBase<D, Ix2>, T>,
    ) -> Result<(InfoSelector, DatasetBase<Array2<F>, T>)>
    where
        T::Elem: Ord,
    {
        self.check_ref()?.fit_transform(dataset)
    }
}

impl<F: Clone, D: Data<Elem = F>> Transformer<ArrayBase<D, Ix2>, Array2<F>> for InfoSelector {
    /// The selected columns, in selection order.
    ///
    /// # Panics
    /// When `x` has fewer columns than the data fitted on; use [`InfoSelector::try_transform`]
    /// to get an error instead.
    fn transform(&self, x: ArrayBase<D, Ix2>) -> Array2<F> {
        x.select(Axis(1), &self.selected)
    }
}

impl<F: Clone, D: Data<Elem = F>, T: AsTargets>
    Transformer<DatasetBase<ArrayBase<D, Ix2>, T>, DatasetBase<Array2<F>, T>> for InfoSelector
{
    /// The dataset with only the selected columns (in selection order) and their feature
    /// names; targets, weights and target names are kept.
    ///
    /// # Panics
    /// When the records have fewer columns than the data fitted on.
    fn transform(&self, data: DatasetBase<ArrayBase<D, Ix2>, T>) -> DatasetBase<Array2<F>, T> {
        let names: Vec<String> = if data.feature_names().len() == data.records.ncols() {
            self.selected
                .iter()
                .map(|&j| data.feature_names()[j].clone())
                .collect()
        } else {
            Vec::new()
        };
        let records = data.records.select(Axis(1), &self.selected);
        let target_names = data.target_names().to_vec();
        DatasetBase::new(records, data.targets)
            .with_feature_names(names)
            .with_weights(data.weights)
            .with_target_names(target_names)
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
        assert_eq!(s.scores().len(), 2);
        let sel = s.selected().to_vec();
        let out = s.transform(d.clone());
        assert_eq!(out.records().column(0), d.records().column(sel[0]));
        assert_eq!(out.targets(), d.targets());
        assert_eq!(out.weights(), d.weights());
        assert_eq!(out.feature_names(), s.selected_names().as_slice());
        let arr: Array2<f64> = s.transform(d.records().clone());
        assert_eq!(arr, out.records);
        assert!(matches!(
            s.try_transform(&array![[1.0, 2.0]].view()),
            Err(SelectError::FeatureCount { .. })
        ));
        // Views fit like owned arrays; inverse_transform puts zeros in the dropped columns.
        let view = DatasetBase::new(d.records().view(), d.targets().view());
        let from_view = InfoSelector::params().k(2).fit(&view).unwrap();
        assert_eq!(from_view.selected(), s.selected());
        let back = s.inverse_transform(&arr).unwrap();
        for j in 0..4 {
            if sel.contains(&j) {
                assert_eq!(back.column(j), d.records().column(j));
            } else {
                assert!(back.column(j).iter().all(|&v| v == 0.0));
            }
        }
        assert!(s.inverse_transform(&d.records().view()).is_err());
        let (fitted, reduced) = InfoSelector::params()
            .k(2)
            .fit_transform(d.clone())
            .unwrap();
        assert_eq!(fitted, s);
        assert_eq!(reduced.records(), &arr);
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
        assert!(
            (s.steps()[0].relevance - std::f64::consts::LN_2).abs() < mutinfo_core::prec::ROUNDOFF
        );
        let enc = s.encoders().unwrap();
        assert_eq!(enc.len(), 1);
        let back = InfoSelector::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back.encoders(), Some(enc));
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
        assert!(s.encoders().is_none());
        assert!(s.steps()[0].relevance > 0.4, "{:?}", s.steps());
        let json = s.to_json().unwrap();
        assert!(json.contains("\"estimator\":\"ksg\""), "{json}");
        assert!(json.contains("\"neighbors\":4"), "{json}");
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
        assert_eq!(r.selected_names(), vec!["f1"]);
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
