//! The error type of mutinfo-active.

use std::path::PathBuf;

/// Everything that can go wrong in acquisition, committees and the labeling loop.
///
/// Messages are lowercase and name the offending pool point, member, class or value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActiveError {
    /// An input that must not be empty is.
    #[error("{what} is empty")]
    Empty {
        /// Which input (e.g. "pool", "committee").
        what: &'static str,
    },
    /// An array has the wrong shape.
    #[error("{what} has shape {found:?}, expected {expected}")]
    Shape {
        /// Which array.
        what: &'static str,
        /// The shape found.
        found: Vec<usize>,
        /// The shape expected, in words.
        expected: String,
    },
    /// A probability is NaN or infinite.
    #[error("probability at point {point}, member {member}, class {class} is {value}")]
    NonFinite {
        /// Pool index.
        point: usize,
        /// Committee member.
        member: usize,
        /// Class.
        class: usize,
        /// The offending value.
        value: f64,
    },
    /// A probability is negative or above one.
    #[error(
        "probability at point {point}, member {member}, class {class} is {value}, outside [0, 1]"
    )]
    OutOfRange {
        /// Pool index.
        point: usize,
        /// Committee member.
        member: usize,
        /// Class.
        class: usize,
        /// The offending value.
        value: f64,
    },
    /// A member's class probabilities do not sum to one within the tolerance.
    #[error(
        "probabilities of point {point}, member {member} sum to {sum}, not 1 within {tolerance}"
    )]
    NotNormalized {
        /// Pool index.
        point: usize,
        /// Committee member.
        member: usize,
        /// The sum found.
        sum: f64,
        /// The tolerance allowed.
        tolerance: f64,
    },
    /// The batch asks for more points than the pool holds.
    #[error("batch size {batch} exceeds the pool of {pool} points")]
    BatchTooLarge {
        /// Requested batch size.
        batch: usize,
        /// Pool size.
        pool: usize,
    },
    /// A parameter is out of its domain.
    #[error("parameter {name} = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value, printed.
        value: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A name that does not denote a known method.
    #[error("unknown {what} {name:?}; expected one of {expected}")]
    UnknownMethod {
        /// Kind of name ("score", "acquisition").
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        expected: &'static str,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} at row {row} is not below the class count {n_classes}")]
    LabelOutOfRange {
        /// Row (pool index or training row).
        row: usize,
        /// The label.
        label: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// A pool index is out of range or repeated.
    #[error("pool index {index} is out of range for a pool of {pool} points or already labeled")]
    BadIndex {
        /// The index.
        index: usize,
        /// Pool size.
        pool: usize,
    },
    /// The oracle has not answered yet (file-based oracle waiting for a human).
    #[error("{missing} requested labels are not in {path} yet")]
    LabelsPending {
        /// Number of labels still missing.
        missing: usize,
        /// The answers file.
        path: PathBuf,
    },
    /// A malformed `.npy` file or answers file.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error, with the file involved.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A linfa model failed to fit.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    /// A decision-tree committee member failed to fit or predict.
    #[error("tree member: {0}")]
    Tree(#[from] mutinfo_tree::TreeError),
    /// A logistic-regression committee member failed to fit.
    #[error("logistic member: {0}")]
    Logistic(#[from] linfa_logistic::error::Error),
    /// An error from mutinfo-core.
    #[error(transparent)]
    Core(#[from] mutinfo_core::CoreError),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, ActiveError>;
