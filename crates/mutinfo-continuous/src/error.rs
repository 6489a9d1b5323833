//! The error type of `mutinfo-continuous`.

use mutinfo_core::CoreError;

/// Everything that can go wrong in a continuous or mixed estimate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ContinuousError {
    /// An error from the discrete engine (codes, cardinalities).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The estimate for one column of a many-feature call failed; `index` is the column's
    /// position, for callers to name it.
    #[error("feature column {index}: {source}")]
    Feature {
        /// Position of the feature among the columns given.
        index: usize,
        /// What went wrong.
        source: Box<ContinuousError>,
    },
    /// An input had no rows or no columns.
    #[error("empty input: {what} has no {unit}")]
    Empty {
        /// Which argument was empty.
        what: &'static str,
        /// "rows" or "columns".
        unit: &'static str,
    },
    /// Two inputs that must have the same number of rows do not.
    #[error("length mismatch: {what} has {found} rows, expected {expected}")]
    LengthMismatch {
        /// Which argument has the wrong length.
        what: &'static str,
        /// The number of rows it should have.
        expected: usize,
        /// The number of rows it has.
        found: usize,
    },
    /// A value is NaN or infinite.
    #[error("non-finite value {value} in {what} column {column} at row {row}")]
    NonFinite {
        /// Which argument ("x", "y", "z", "features", ...).
        what: &'static str,
        /// Column of the value inside that argument.
        column: usize,
        /// Row of the value.
        row: usize,
        /// The value.
        value: f64,
    },
    /// Too few rows for the requested number of neighbours.
    #[error("too few rows: {rows} rows cannot give {neighbors} neighbours per point (need at least {needed})")]
    TooFewRows {
        /// Rows available.
        rows: usize,
        /// The neighbour count `k`.
        neighbors: usize,
        /// Rows needed.
        needed: usize,
    },
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
    /// An estimator name that `FromStr` does not know.
    #[error("unknown estimator {name:?}: expected one of ksg, ksg2, ross, mixed, gaussian, copula, ksg-copula, elliptical, auto")]
    UnknownEstimator {
        /// The name given.
        name: String,
    },
    /// A covariance matrix is singular: a column is an exact linear combination of others,
    /// so the Gaussian (or copula) mutual information is infinite.
    #[error(
        "singular covariance of {what}: column {column} is a linear combination of the others"
    )]
    SingularCovariance {
        /// Which block ("x", "y", "x,y", ...).
        what: &'static str,
        /// First column (in the block) where the Cholesky factorisation broke down.
        column: usize,
    },
    /// The k-th neighbour of a point is at distance zero, so a differential entropy is −∞.
    #[error("repeated points in {what}: the {neighbors}-th neighbour of row {row} is at distance 0, so the differential entropy is -inf")]
    ZeroDistance {
        /// Which argument.
        what: &'static str,
        /// The row.
        row: usize,
        /// The neighbour count `k`.
        neighbors: usize,
    },
    /// The estimator cannot be used with this kind of data.
    #[error("estimator {estimator} does not apply here: {reason}")]
    Unsupported {
        /// The estimator's name.
        estimator: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Result alias for `mutinfo-continuous`.
pub type Result<T> = std::result::Result<T, ContinuousError>;
