//! # mutinfo-engine
//!
//! Exact counting passes over data that need not fit in memory, for the same selections and
//! scores as the in-memory engine.
//!
//! With the `datafusion` feature, `Scan` reads a Parquet file, a directory of Parquet files
//! or a glob through Apache DataFusion's Parquet scan (partitions in parallel, memory bounded
//! by its memory pool) and makes two kinds of pass over it. Each pass is one query with an
//! aggregate function of ours (a DataFusion UDAF, `mutinfo_tally` or `mutinfo_count`) whose
//! partial states are integer tables, one per partition, merged exactly by addition:
//!
//! 1. the fit: a [`mutinfo_data::TableTally`] per partition (value histograms, category
//!    levels), merged and fitted into the [`mutinfo_data::Encoding`] that
//!    [`mutinfo_data::DatasetBuilder::fit`] would make of the whole table in memory;
//! 2. one pass per greedy round: every record batch is encoded with that encoding and every
//!    feature is counted against the class and the newest selected feature at once
//!    ([`mutinfo_core::TripleCounts`]), which [`mutinfo_select::select_counted`] turns into the
//!    selection of [`mutinfo_select::select`] — bit for bit, ties included.
//!
//! Passes read only the columns used; peak memory is the scan's buffers (partitions × batch
//! size × columns) plus the count tables, never the table or its codes.
//!
//! With the `ballista` feature, the same queries run as jobs on an Apache Ballista cluster
//! (`Scan::connect`): the aggregate functions travel inside the plans through extension
//! codecs (`codec`) that the scheduler and the executors of `cluster` register, the partial
//! states come back from the executors, and the merge is the same. A lost executor's tasks
//! run again on the others (Ballista's retry), so the answer does not change.

#![forbid(unsafe_code)]

mod error;
pub use error::{EngineError, Result};

#[cfg(feature = "datafusion")]
mod aggregate;
#[cfg(feature = "datafusion")]
mod scan;
#[cfg(feature = "datafusion")]
pub use scan::{RoundCounter, Scan, ScanOptions};

#[cfg(feature = "ballista")]
pub mod cluster;
#[cfg(feature = "ballista")]
pub mod codec;
