//! The error type of `mutinfo-select`.

use mutinfo_core::CoreError;
use thiserror::Error;

/// Everything that can go wrong while selecting features.
///
/// Messages are lowercase, name the offending column, row or value, and carry no trailing
/// period.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SelectError {
    /// A counting pass of [`crate::RoundCounts`] failed (the engine's own message).
    #[error("counting pass: {0}")]
    Counting(String),
    /// A parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// The valid range.
        reason: &'static str,
    },
    /// A criterion name that is not known.
    #[error("unknown criterion {name:?}: expected one of mim, mifs, mrmr, mrmr-quotient, jmi, cmim, cmim-uncapped, disr, icap, cife, condmi, jmim, njmim, beta-gamma")]
    UnknownCriterion {
        /// The name given.
        name: String,
    },
    /// A fixed (warm-start) feature index is out of range or repeated.
    #[error("fixed feature {index} is {reason} (the data has {n_features} features)")]
    InvalidFixedFeature {
        /// The index given.
        index: usize,
        /// "out of range" or "repeated".
        reason: &'static str,
        /// Number of features.
        n_features: usize,
    },
    /// The data has no features or no rows.
    #[error("empty input: the data has no {unit}")]
    Empty {
        /// "rows" or "features".
        unit: &'static str,
    },
    /// The target has another number of rows than the features.
    #[error("length mismatch: the target has {found} rows, the features have {expected}")]
    TargetLength {
        /// Rows of the features.
        expected: usize,
        /// Rows of the target.
        found: usize,
    },
    /// A feature value that cannot be used as a category (NaN or infinite).
    #[error("non-finite value {value} in feature column {column} at row {row}")]
    NonFinite {
        /// Column index.
        column: usize,
        /// Row index.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A continuous target value that is NaN or infinite.
    #[error("non-finite value {value} in the target at row {row}")]
    NonFiniteTarget {
        /// Row index.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A criterion that cannot be computed with the continuous estimators.
    #[error("criterion {criterion} is not available with continuous estimators: {reason}")]
    UnsupportedCriterion {
        /// The criterion's name.
        criterion: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A continuous estimator failed on one term of the selection.
    #[error("estimating {term}: {source}")]
    Estimate {
        /// The term, e.g. `I(X3;X0)` or `I(X3,X0;Y)` (features by column index).
        term: String,
        /// The estimator's error.
        source: mutinfo_continuous::ContinuousError,
    },
    /// A target (class label) that cannot be used.
    #[error("invalid target: {reason}")]
    InvalidTarget {
        /// What is wrong.
        reason: String,
    },
    /// The data to transform has another number of columns than the data fitted on.
    #[error("feature count mismatch: the selector was fitted on {expected} features, the data has {found}")]
    FeatureCount {
        /// Features at fit time.
        expected: usize,
        /// Features given.
        found: usize,
    },
    /// A column the selector needs is missing from a record batch.
    #[error("missing column {name:?} in the record batch")]
    MissingColumn {
        /// The column name.
        name: String,
    },
    /// A model file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A saved selector that cannot be used: a field is missing, malformed, of another
    /// format or version, or out of range.
    #[error("{file}: invalid selector model: field {field}: {reason}")]
    InvalidModel {
        /// The file (or "selector JSON" for text).
        file: String,
        /// The field, e.g. `format_version` or `selected[3].encoder`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An error of the counting engine.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// An error of the discretizer.
    #[error(transparent)]
    Data(#[from] mutinfo_data::DataError),
    /// An Arrow error while projecting a record batch.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// A linfa error (required by linfa's `Fit`).
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    /// A JSON error while saving or loading a fitted selector.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Result alias for `mutinfo-select`.
pub type Result<T> = std::result::Result<T, SelectError>;
