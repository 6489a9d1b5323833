//! # mutinfo-data
//!
//! User data in, discrete codes out. [`discretize`] fits and applies discretizations of
//! numeric columns (uniform, quantile, Sturges, Freedman–Diaconis, Fayyad–Irani MDLP, given
//! edges, or raw values as categories) with the semantics of scikit-learn's
//! `KBinsDiscretizer`, serializable to JSON and re-applicable to new data with identical codes.
//! [`io`] reads Parquet, Arrow IPC and CSV files into Arrow record batches, whole
//! ([`read_table`]) or streamed batch by batch ([`open_batches`]). [`bridge`] turns a record
//! batch into a linfa `DatasetBase` with the feature names kept.
//!
//! ## Example
//! ```
//! use mutinfo_data::{Binning, FittedBins};
//! let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
//! let fitted = FittedBins::fit(&x, &Binning::Uniform { bins: 2 }, None)?;
//! let codes = fitted.transform(&[-1.0, 2.4, 2.5, 9.0])?;
//! assert_eq!(codes.to_u32_vec(), vec![0, 0, 1, 1]);
//! # Ok::<(), mutinfo_data::DataError>(())
//! ```

pub mod bridge;
pub mod columns;
pub mod discretize;
pub mod error;
pub mod format;
mod gather;
pub mod io;
pub mod mixed;
pub mod small_ints;

pub use bridge::{linfa_classification, linfa_regression, LinfaBuilder};
pub use columns::{
    column_kinds, numeric_matrix, ColumnEncoding, DatasetBuilder, Encoded, EncodedColumns,
    Encoding, FitProgress, Missing, NoProgress, TableTally,
};
pub use discretize::{Binning, FittedBins, FittedDiscretizer, Unseen};
pub use error::{DataError, Result};
pub use io::{open_batches, read_table, Batches, FileFormat, ReadOptions, Table};
pub use mixed::{mixed_matrix, MixedColumn};
pub use small_ints::{small_int_codes, small_int_column, SmallInt};
