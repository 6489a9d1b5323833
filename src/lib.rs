//! # mutinfo
//!
//! The mutual-information engine for Rust machine learning: entropy and mutual-information
//! estimators, feature selectors that plug into [linfa](https://github.com/rust-ml/linfa),
//! information-gain decision trees, and BALD acquisition for active learning.
//!
//! This facade re-exports the workspace crates:
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`core`] | `mutinfo-core` | discrete codes, counting kernels, entropy/MI measures and estimators, significance |
//! | `continuous` | `mutinfo-continuous` | kNN (KSG, Kozachenko–Leonenko), Gaussian and copula estimators |
//! | `data` | `mutinfo-data` | Arrow / Parquet / CSV ingestion and fitted discretizers |
//! | `select` | `mutinfo-select` | MI feature selectors as linfa `Fit` / `Transformer` |
//! | `tree` | `mutinfo-tree` | information-gain split search and a decision tree |
//! | `active` | `mutinfo-active` | BALD, BatchBALD and stochastic batch acquisition |
//!
//! Each optional part has a cargo feature of the same name (all on by default).
//!
//! The facade also re-exports the [`arrow`], [`ndarray`] and [`linfa`] it speaks, so a user
//! builds record batches, arrays and datasets with the very versions the workspace uses
//! (`mutinfo::linfa::prelude::*`, `mutinfo::arrow::record_batch::RecordBatch`).

pub use arrow;
pub use linfa;
pub use ndarray;

#[cfg(feature = "active")]
pub use mutinfo_active as active;
#[cfg(feature = "continuous")]
pub use mutinfo_continuous as continuous;
pub use mutinfo_core as core;
#[cfg(feature = "data")]
pub use mutinfo_data as data;
#[cfg(feature = "select")]
pub use mutinfo_select as select;
#[cfg(feature = "tree")]
pub use mutinfo_tree as tree;
