//! The error type of `mutinfo-data`.

use mutinfo_core::CoreError;
use thiserror::Error;

/// Everything that can go wrong turning user data into codes.
///
/// Every variant that concerns a value names its column and row (0-based) and the value.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DataError {
    /// An error from the discrete engine.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A numeric value was NaN or infinite where a finite number is required.
    #[error("column {column}: non-finite value {value} at row {row}")]
    NonFinite {
        /// Column name (or `#index`).
        column: String,
        /// Row, 0-based.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A value not seen when fitting, under [`crate::Unseen::Error`].
    #[error("column {column}: value {value} at row {row} was not seen when fitting")]
    UnseenValue {
        /// Column name (or `#index`).
        column: String,
        /// Row, 0-based.
        row: usize,
        /// The value, formatted.
        value: String,
    },
    /// A parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A binning needs a target (MDLP) and none was given.
    #[error("column {column}: binning {binning} needs a target column")]
    TargetRequired {
        /// Column name (or `#index`).
        column: String,
        /// The binning's name.
        binning: &'static str,
    },
    /// A column had no values to fit on.
    #[error("column {column}: no values to fit on")]
    EmptyColumn {
        /// Column name (or `#index`).
        column: String,
    },
    /// Two inputs that must have the same number of rows or columns do not.
    #[error("length mismatch: {what} has {found}, expected {expected}")]
    LengthMismatch {
        /// What has the wrong length.
        what: String,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Arrow rejected a file (malformed CSV row, corrupt IPC, ...).
    #[error("{path}: {source}")]
    Arrow {
        /// The file.
        path: String,
        /// The Arrow error.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// The Parquet reader rejected a file (corrupt footer, bad page, ...).
    #[error("{path}: {source}")]
    Parquet {
        /// The file.
        path: String,
        /// The Parquet error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The file format could not be told from the extension and none was given.
    #[error("{path}: unknown file format (use .parquet/.pq, .arrow/.ipc/.feather, .arrows, .csv/.tsv or set the format)")]
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// A directory or glob input that names no Parquet file, or files whose schemas differ.
    #[error("{path}: {reason}")]
    FileSet {
        /// The input as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file holds no columns or no rows.
    #[error("{path}: {reason}")]
    EmptyFile {
        /// The file.
        path: String,
        /// "no columns", "no data rows", ...
        reason: &'static str,
    },
    /// A requested column is not in the file.
    #[error("{path}: no column named {column:?} (columns: {available})")]
    UnknownColumn {
        /// The file.
        path: String,
        /// The name asked for.
        column: String,
        /// The columns the file has, comma-separated.
        available: String,
    },
    /// Two columns share a name.
    #[error("{path}: duplicate column name {column:?}")]
    DuplicateColumn {
        /// The file.
        path: String,
        /// The repeated name.
        column: String,
    },
    /// A column's Arrow type cannot be used.
    #[error("column {column}: unsupported type {data_type}")]
    UnsupportedType {
        /// Column name.
        column: String,
        /// The Arrow type.
        data_type: String,
    },
    /// A null or NaN under [`crate::Missing::Error`].
    #[error("column {column}: missing value (null or NaN) at row {row}; choose a missing-value policy to keep going")]
    MissingValue {
        /// Column name.
        column: String,
        /// Row, 0-based.
        row: usize,
    },
    /// Missing values under [`crate::Missing::Error`] in a fit in parts whose rows were not
    /// numbered ([`crate::TableTally`]).
    #[error("column {column}: {count} missing values (null or NaN); choose a missing-value policy to keep going")]
    MissingValues {
        /// Column name.
        column: String,
        /// How many.
        count: u64,
    },
    /// A ±∞ in a fit in parts whose rows were not numbered ([`crate::TableTally`]).
    #[error("column {column}: value {value} is not finite")]
    NonFiniteSomewhere {
        /// Column name.
        column: String,
        /// The value.
        value: f64,
    },
    /// Every value of a column is missing.
    #[error("column {column}: every value is missing")]
    AllMissing {
        /// Column name.
        column: String,
    },
    /// A CSV column mixes numbers with other text (a typo or an unmarked missing value).
    #[error("{path}: column {column} mixes types: {numbers} numbers and {others} other values; row {row} (line {line}) holds {value:?}, {}; fix it, leave missing values empty, or read the column as text (allow mixed types)", odd_kind(*.odd_is_number))]
    MixedTypes {
        /// The file.
        path: String,
        /// The column.
        column: String,
        /// Values that parse as numbers.
        numbers: usize,
        /// Other non-empty values.
        others: usize,
        /// Data row (0-based) of the first value of the minority kind.
        row: usize,
        /// Its line in the file (1-based, counting the header).
        line: usize,
        /// That value.
        value: String,
        /// Whether the odd value is a number (in a mostly-text column) or text (in a mostly
        /// numeric column).
        odd_is_number: bool,
    },
    /// A column has more categories than allowed.
    #[error("column {column}: {found} categories, at most {max} allowed")]
    TooManyCategories {
        /// Column name.
        column: String,
        /// Categories found.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// A value a column cannot hold as it is read (text where numbers are read, an infinite
    /// number), or a column that cannot be read the way it was declared.
    #[error("column {column}: {message}")]
    BadValue {
        /// Column name.
        column: String,
        /// What is wrong, naming row and value where there is one.
        message: String,
    },
}

fn odd_kind(odd_is_number: bool) -> &'static str {
    if odd_is_number {
        "a number"
    } else {
        "not a number"
    }
}

/// Result alias for `mutinfo-data`.
pub type Result<T> = std::result::Result<T, DataError>;
