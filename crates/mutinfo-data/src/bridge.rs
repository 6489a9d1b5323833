//! From an Arrow [`RecordBatch`] to a linfa [`DatasetBase`].
//!
//! The records are an `n × p` `Array2<f64>` of the feature columns (every column but the
//! target unless [`LinfaBuilder::features`] names them), in column order, with the column names
//! kept as linfa feature names. The targets are class indices `Array1<usize>`
//! ([`LinfaBuilder::classification`], with the class names returned beside) or numbers
//! `Array1<f64>` ([`LinfaBuilder::regression`]).
//!
//! Features must be numeric (every int and float width; `Boolean` reads as 0/1). A null or NaN
//! anywhere is [`DataError::MissingValue`] and ±Inf is [`DataError::NonFinite`], both naming
//! the column and the row (0-based in the batch): linfa's algorithms have no notion of a missing
//! value, so the caller decides (drop rows, impute) before building the dataset.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{Float64Array, RecordBatch, StringArray};
//! use mutinfo_data::linfa_classification;
//!
//! let batch = RecordBatch::try_from_iter([
//!     ("height", Arc::new(Float64Array::from(vec![1.5, 1.8, 1.6])) as _),
//!     ("species", Arc::new(StringArray::from(vec!["b", "a", "b"])) as _),
//! ])?;
//! let (ds, classes) = linfa_classification(&batch, "species")?;
//! assert_eq!(ds.records.shape(), &[3, 1]);
//! assert_eq!(ds.feature_names(), vec!["height".to_string()]);
//! assert_eq!(classes, vec!["a", "b"]);
//! assert_eq!(ds.targets.to_vec(), vec![1, 0, 1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow_schema::DataType;
use linfa::DatasetBase;
use ndarray::{Array1, Array2};

use crate::error::{DataError, Result};

/// Which columns of a batch become a linfa dataset; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct LinfaBuilder {
    target: String,
    features: Option<Vec<String>>,
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| DataError::UnknownColumn {
            path: "record batch".into(),
            column: name.into(),
            available: batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn arrow_err(column: &str, source: arrow_schema::ArrowError) -> DataError {
    DataError::Arrow {
        path: format!("column {column}"),
        source,
    }
}

/// A numeric (or Boolean) column as finite `f64`s.
fn numbers(array: &ArrayRef, name: &str) -> Result<Vec<f64>> {
    let dt = array.data_type();
    if !(dt.is_integer() || dt.is_floating() || *dt == DataType::Boolean) {
        return Err(DataError::UnsupportedType {
            column: name.into(),
            data_type: format!("{dt} (linfa records must be numeric)"),
        });
    }
    let f = cast(array, &DataType::Float64).map_err(|e| arrow_err(name, e))?;
    let f =
        f.as_any()
            .downcast_ref::<Float64Array>()
            .ok_or_else(|| DataError::UnsupportedType {
                column: name.into(),
                data_type: dt.to_string(),
            })?;
    (0..f.len())
        .map(|row| {
            let v = f.value(row);
            if f.is_null(row) || v.is_nan() {
                Err(DataError::MissingValue {
                    column: name.into(),
                    row,
                })
            } else if v.is_infinite() {
                Err(DataError::NonFinite {
                    column: name.into(),
                    row,
                    value: v,
                })
            } else {
                Ok(v)
            }
        })
        .collect()
}

impl LinfaBuilder {
    /// Targets from the column `target`; features default to every other column.
    pub fn new(target: impl Into<String>) -> Self {
        LinfaBuilder {
            target: target.into(),
            features: None,
        }
    }

    /// The feature columns, in this order.
    #[must_use]
    pub fn features<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.features = Some(names.into_iter().map(Into::into).collect());
        self
    }

    fn records(&self, batch: &RecordBatch) -> Result<(Array2<f64>, Vec<String>)> {
        column(batch, &self.target)?;
        let names: Vec<String> = match &self.features {
            Some(f) => f.clone(),
            None => batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|n| *n != self.target)
                .collect(),
        };
        if names.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "features",
                value: "[]".into(),
                reason: "no feature columns besides the target".into(),
            });
        }
        if let Some((_, dup)) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n) || **n == self.target)
        {
            return Err(DataError::DuplicateColumn {
                path: "features".into(),
                column: dup.clone(),
            });
        }
        let n = batch.num_rows();
        let mut records = Array2::<f64>::zeros((n, names.len()));
        for (j, name) in names.iter().enumerate() {
            let v = numbers(column(batch, name)?, name)?;
            records.column_mut(j).assign(&Array1::from(v));
        }
        Ok((records, names))
    }

    /// A classification dataset: targets are class indices into the returned class names,
    /// which are sorted (numerically for a numeric target column, as text otherwise).
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`] for a target or feature the batch lacks,
    /// [`DataError::UnsupportedType`] for a non-numeric feature or a target of another type
    /// than integer, string, dictionary or Boolean, [`DataError::MissingValue`] /
    /// [`DataError::NonFinite`] naming column and row, [`DataError::DuplicateColumn`].
    #[allow(clippy::type_complexity)]
    pub fn classification(
        &self,
        batch: &RecordBatch,
    ) -> Result<(DatasetBase<Array2<f64>, Array1<usize>>, Vec<String>)> {
        let (records, names) = self.records(batch)?;
        let t = column(batch, &self.target)?;
        let dt = t.data_type().clone();
        let (codes, classes) = if dt.is_integer() {
            let v = numbers(t, &self.target)?;
            let mut levels = v.clone();
            levels.sort_by(f64::total_cmp);
            levels.dedup();
            let codes = v
                .iter()
                .map(|x| levels.partition_point(|l| l < x))
                .collect::<Vec<_>>();
            (codes, levels.iter().map(|l| l.to_string()).collect())
        } else if dt.is_floating() {
            return Err(DataError::UnsupportedType {
                column: self.target.clone(),
                data_type: format!("{dt} (a float target: use regression)"),
            });
        } else {
            let s = cast(t, &DataType::Utf8).map_err(|_| DataError::UnsupportedType {
                column: self.target.clone(),
                data_type: dt.to_string(),
            })?;
            let s = s.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
                DataError::UnsupportedType {
                    column: self.target.clone(),
                    data_type: dt.to_string(),
                }
            })?;
            let values = (0..s.len())
                .map(|row| {
                    if s.is_null(row) {
                        Err(DataError::MissingValue {
                            column: self.target.clone(),
                            row,
                        })
                    } else {
                        Ok(s.value(row))
                    }
                })
                .collect::<Result<Vec<&str>>>()?;
            let mut levels = values.clone();
            levels.sort_unstable();
            levels.dedup();
            let codes = values
                .iter()
                .map(|x| levels.partition_point(|l| l < x))
                .collect();
            (codes, levels.iter().map(|l| l.to_string()).collect())
        };
        let ds = DatasetBase::new(records, Array1::from(codes)).with_feature_names(names);
        Ok((ds, classes))
    }

    /// A regression dataset: targets are the target column's numbers.
    ///
    /// # Errors
    /// As [`LinfaBuilder::classification`]; [`DataError::UnsupportedType`] for a non-numeric
    /// target.
    pub fn regression(&self, batch: &RecordBatch) -> Result<DatasetBase<Array2<f64>, Array1<f64>>> {
        let (records, names) = self.records(batch)?;
        let y = numbers(column(batch, &self.target)?, &self.target)?;
        Ok(DatasetBase::new(records, Array1::from(y)).with_feature_names(names))
    }
}

/// A classification dataset from every column of `batch` but `target`; see
/// [`LinfaBuilder::classification`].
///
/// # Errors
/// As [`LinfaBuilder::classification`].
#[allow(clippy::type_complexity)]
pub fn linfa_classification(
    batch: &RecordBatch,
    target: &str,
) -> Result<(DatasetBase<Array2<f64>, Array1<usize>>, Vec<String>)> {
    LinfaBuilder::new(target).classification(batch)
}

/// A regression dataset from every column of `batch` but `target`; see
/// [`LinfaBuilder::regression`].
///
/// # Errors
/// As [`LinfaBuilder::regression`].
pub fn linfa_regression(
    batch: &RecordBatch,
    target: &str,
) -> Result<DatasetBase<Array2<f64>, Array1<f64>>> {
    LinfaBuilder::new(target).regression(batch)
}
