//! The error type of `mutinfo-core`.

use thiserror::Error;

/// Everything that can go wrong in `mutinfo-core`.
///
/// Messages are lowercase, name the offending argument or value, and carry no trailing period.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An input had no rows (or no columns where at least one is needed).
    #[error("empty input: {what} has no {unit}")]
    Empty {
        /// Which argument was empty.
        what: &'static str,
        /// "rows", "columns", "values", ...
        unit: &'static str,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what} has {found} rows, expected {expected}")]
    LengthMismatch {
        /// Which argument has the wrong length.
        what: String,
        /// The length it should have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A code is not below the declared cardinality.
    #[error("code {code} at row {row} is not below the cardinality {cardinality}")]
    CodeOutOfRange {
        /// Row of the offending code.
        row: usize,
        /// The code.
        code: u64,
        /// The declared cardinality.
        cardinality: u64,
    },
    /// More distinct categories than the code type can hold.
    #[error("too many categories: {found} distinct values, at most {max} are supported")]
    TooManyCategories {
        /// Distinct values found (or product of cardinalities).
        found: u128,
        /// The largest number supported.
        max: u128,
    },
    /// A floating-point input was NaN or infinite.
    #[error("non-finite value {value} in {what} at index {index}")]
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// Flat index of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A probability vector or table is not a distribution.
    #[error("invalid distribution in {what}: {reason}")]
    InvalidDistribution {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
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
}

/// Result alias for `mutinfo-core`.
pub type Result<T> = std::result::Result<T, CoreError>;
