//! Passes over a Parquet input on DataFusion (see the crate docs).

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use datafusion::error::DataFusionError;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{ident, Expr, ParquetReadOptions, SessionConfig, SessionContext};
use mutinfo_core::TripleCounts;
use mutinfo_data::{DatasetBuilder, Encoding, TableTally};
use mutinfo_select::{RoundCounts, SelectError};

use crate::aggregate::{result_bytes, Pass, PassFunction};
use crate::error::{EngineError, Result};

/// The engine's message, without DataFusion's wrapping of it.
pub(crate) fn message(e: DataFusionError) -> String {
    match e.find_root() {
        DataFusionError::External(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// How a [`Scan`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// Parallel partitions (and worker threads); at least 1.
    pub partitions: usize,
    /// Rows per record batch.
    pub batch_size: usize,
    /// Bytes DataFusion's memory pool may hold (`None`: unbounded). The scan itself keeps
    /// little in the pool; operators that need more fail or spill rather than grow past it.
    pub memory_limit: Option<usize>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            partitions: 1,
            batch_size: 8192,
            memory_limit: None,
        }
    }
}

/// A Parquet input (one file, a directory of `.parquet` files, or a glob such as
/// `data/part-*.parquet`) opened on DataFusion, and the passes made over it.
pub struct Scan {
    /// The input as given.
    path: String,
    /// The input as the engine reads it.
    read_path: String,
    /// The cluster's scheduler, if the passes run on one.
    scheduler: Option<String>,
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    schema: SchemaRef,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan").field("path", &self.path).finish()
    }
}

impl Scan {
    /// Opens `path` (the files' footers are read to learn the schema; no data yet).
    ///
    /// # Errors
    /// [`EngineError::Engine`] naming the input when it cannot be listed or read, holds no
    /// Parquet file, or its files' schemas differ.
    pub fn open(path: &str, opts: &ScanOptions) -> Result<Self> {
        Self::start(path, opts, |_, config, memory_limit| {
            let mut env = RuntimeEnvBuilder::new();
            if let Some(limit) = memory_limit {
                env = env.with_memory_limit(limit, 1.0);
            }
            Ok(SessionContext::new_with_config_rt(config, env.build_arc()?))
        })
    }

    /// Opens `path` on the Ballista cluster whose scheduler is at `scheduler` (`HOST:PORT`):
    /// passes run as jobs on its executors, which must see `path` (made absolute here) as
    /// this process does. `opts.partitions` is the number of partitions the input is read
    /// in; `opts.memory_limit` is left to the executors (`mutinfo cluster executor
    /// --memory-limit`).
    ///
    /// # Errors
    /// As [`Scan::open`]; [`EngineError::Engine`] when the scheduler cannot be reached.
    #[cfg(feature = "ballista")]
    pub fn connect(scheduler: &str, path: &str, opts: &ScanOptions) -> Result<Self> {
        let absolute = std::path::absolute(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.to_string());
        let mut scan = Self::start(&absolute, opts, |runtime, config, _| {
            runtime.block_on(crate::cluster::client(scheduler, config))
        })?;
        scan.path = path.to_string();
        scan.read_path = absolute;
        scan.scheduler = Some(scheduler.to_string());
        Ok(scan)
    }

    /// A scan of `path` on the session `context` makes.
    fn start<F>(path: &str, opts: &ScanOptions, context: F) -> Result<Self>
    where
        F: FnOnce(
            &tokio::runtime::Runtime,
            SessionConfig,
            Option<usize>,
        ) -> std::result::Result<SessionContext, DataFusionError>,
    {
        let partitions = opts.partitions.max(1);
        let err = |e: &dyn std::fmt::Display| EngineError::Engine {
            path: path.to_string(),
            message: e.to_string(),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(partitions)
            // Local file reads run on blocking threads, each with its own allocator heap that
            // keeps what it freed: as many as partitions keeps the peak down (8 files, one
            // partition: 290 -> 226 MB) at no cost in time.
            .max_blocking_threads(partitions)
            .thread_name("mutinfo-scan")
            .enable_all()
            .build()
            .map_err(|e| err(&e))?;
        let config = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_batch_size(opts.batch_size.max(1));
        let ctx = context(&runtime, config, opts.memory_limit).map_err(|e| err(&e))?;
        let schema = runtime
            .block_on(async {
                let df = ctx
                    .read_parquet(path, ParquetReadOptions::default())
                    .await?;
                Ok::<_, DataFusionError>(Arc::new(df.schema().as_arrow().clone()))
            })
            .map_err(|e| err(&e))?;
        Ok(Scan {
            path: path.to_string(),
            read_path: path.to_string(),
            scheduler: None,
            runtime,
            ctx,
            schema,
        })
    }

    /// The input as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The input's schema.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Runs one pass: the aggregate of `pass` over every row, its JSON result.
    fn run(&self, pass: Pass) -> Result<Vec<u8>> {
        let err = |e: DataFusionError| {
            let mut message = message(e);
            if let Some(s) = self.scheduler.as_deref() {
                if message.contains("tcp connect error") {
                    message = format!(
                        "the scheduler at {s} does not answer (start one with `mutinfo \
                         cluster scheduler --bind {s}`): {message}"
                    );
                }
            }
            EngineError::Engine {
                path: self.path.clone(),
                message,
            }
        };
        let args: Vec<Expr> = pass.columns().iter().map(ident).collect();
        let f = PassFunction::new(pass).map_err(err)?.udaf();
        self.runtime
            .block_on(async {
                let batches = self
                    .ctx
                    .read_parquet(self.read_path.as_str(), ParquetReadOptions::default())
                    .await?
                    .aggregate(vec![], vec![f.call(args).alias("counts")])?
                    .collect()
                    .await?;
                result_bytes(&batches)
            })
            .map_err(err)
    }

    /// The first pass: the tally of the columns `builder` uses, over every row.
    ///
    /// # Errors
    /// As [`DatasetBuilder::tally`] and [`TableTally::add_batch`]; the scan's errors.
    pub fn tally(&self, builder: &DatasetBuilder) -> Result<TableTally> {
        let empty = builder.tally(&self.schema)?;
        let bytes = self.run(Pass::Tally(empty))?;
        self.decode(&bytes)
    }

    /// A pass's result read back.
    fn decode<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        serde_json::from_slice(bytes).map_err(|e| EngineError::Engine {
            path: self.path.clone(),
            message: format!("a pass's result does not read back: {e}"),
        })
    }

    /// The encoding [`DatasetBuilder::fit`] would make of the whole input (one pass).
    ///
    /// # Errors
    /// As [`Scan::tally`] and [`TableTally::fit`].
    pub fn fit(&self, builder: &DatasetBuilder) -> Result<Encoding> {
        Ok(self.tally(builder)?.fit()?)
    }

    /// The counting passes of a selection under `encoding` (from [`Scan::fit`]).
    pub fn counter<'a>(&'a self, encoding: &'a Encoding) -> RoundCounter<'a> {
        RoundCounter {
            scan: self,
            encoding,
        }
    }
}

/// The [`RoundCounts`] of a [`Scan`]: each pass reads the target and every feature, encodes
/// each batch and counts every feature against the class and the given features.
#[derive(Debug)]
pub struct RoundCounter<'a> {
    scan: &'a Scan,
    encoding: &'a Encoding,
}

impl RoundCounter<'_> {
    fn pass(&self, given: &[usize]) -> Result<Vec<TripleCounts>> {
        let bytes = self.scan.run(Pass::Count {
            encoding: self.encoding.clone(),
            given: given.to_vec(),
        })?;
        self.scan.decode(&bytes)
    }
}

impl RoundCounts for RoundCounter<'_> {
    fn n_features(&self) -> usize {
        self.encoding.features.len()
    }

    fn count(&self, given: &[usize]) -> std::result::Result<Vec<TripleCounts>, SelectError> {
        self.pass(given)
            .map_err(|e| SelectError::Counting(e.to_string()))
    }
}
