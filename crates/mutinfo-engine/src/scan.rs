//! Passes over a Parquet input on DataFusion (see the crate docs).

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use mutinfo_core::{joint_keys, Codes, TripleCounts};
use mutinfo_data::{DatasetBuilder, Encoding, TableTally};
use mutinfo_select::{RoundCounts, SelectError};

use crate::error::{EngineError, Result};

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
    path: String,
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
        let partitions = opts.partitions.max(1);
        let err = |e: &dyn std::fmt::Display| EngineError::Engine {
            path: path.to_string(),
            message: e.to_string(),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(partitions)
            .thread_name("mutinfo-scan")
            .build()
            .map_err(|e| err(&e))?;
        let mut env = RuntimeEnvBuilder::new();
        if let Some(limit) = opts.memory_limit {
            env = env.with_memory_limit(limit, 1.0);
        }
        let env = env.build_arc().map_err(|e| err(&e))?;
        let config = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_batch_size(opts.batch_size.max(1));
        let ctx = SessionContext::new_with_config_rt(config, env);
        let schema = runtime
            .block_on(async {
                let df = ctx
                    .read_parquet(path, ParquetReadOptions::default())
                    .await?;
                Ok::<_, datafusion::error::DataFusionError>(Arc::new(
                    df.schema().as_arrow().clone(),
                ))
            })
            .map_err(|e| err(&e))?;
        Ok(Scan {
            path: path.to_string(),
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

    /// Folds the record batches of `columns` into one state per partition, partitions in
    /// parallel; the states in partition order.
    fn fold<S, I, F>(&self, columns: &[&str], init: I, step: F) -> Result<Vec<S>>
    where
        S: Send + 'static,
        I: Fn() -> S + Send + Sync + 'static,
        F: Fn(&mut S, &RecordBatch) -> Result<()> + Send + Sync + 'static,
    {
        let err = |e: &dyn std::fmt::Display| EngineError::Engine {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let (init, step) = (Arc::new(init), Arc::new(step));
        self.runtime.block_on(async {
            let df = self
                .ctx
                .read_parquet(self.path.as_str(), ParquetReadOptions::default())
                .await
                .map_err(|e| err(&e))?
                .select_columns(columns)
                .map_err(|e| err(&e))?;
            let streams = df.execute_stream_partitioned().await.map_err(|e| err(&e))?;
            let tasks: Vec<_> = streams
                .into_iter()
                .map(|mut stream| {
                    let (init, step) = (init.clone(), step.clone());
                    let path = self.path.clone();
                    tokio::spawn(async move {
                        let mut state = init();
                        while let Some(batch) = stream.next().await {
                            let batch = batch.map_err(|e| EngineError::Engine {
                                path: path.clone(),
                                message: e.to_string(),
                            })?;
                            step(&mut state, &batch)?;
                        }
                        Ok::<S, EngineError>(state)
                    })
                })
                .collect();
            let mut states = Vec::with_capacity(tasks.len());
            for t in tasks {
                states.push(t.await.map_err(|e| err(&e))??);
            }
            Ok(states)
        })
    }

    /// The first pass: the tally of the columns `builder` uses, over every row.
    ///
    /// # Errors
    /// As [`DatasetBuilder::tally`] and [`TableTally::add_batch`]; the scan's errors.
    pub fn tally(&self, builder: &DatasetBuilder) -> Result<TableTally> {
        let empty = builder.tally(&self.schema)?;
        let names: Vec<String> = empty.column_names().iter().map(|s| s.to_string()).collect();
        let cols: Vec<&str> = names.iter().map(String::as_str).collect();
        let seed = empty.clone();
        let parts = self.fold(
            &cols,
            move || seed.clone(),
            |t: &mut TableTally, b| Ok(t.add_batch(b, None)?),
        )?;
        let mut all = empty;
        for p in parts {
            all.merge(p)?;
        }
        Ok(all)
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
        let enc = Arc::new(self.encoding.clone());
        let names: Vec<String> = std::iter::once(enc.target.name().to_string())
            .chain(enc.features.iter().map(|f| f.name().to_string()))
            .collect();
        let cols: Vec<&str> = names.iter().map(String::as_str).collect();
        let cy = enc.cardinality(&enc.target);
        let empty = enc
            .features
            .iter()
            .map(|f| TripleCounts::new(enc.cardinality(f), cy))
            .collect::<mutinfo_core::Result<Vec<_>>>()?;
        let given = given.to_vec();
        let step_enc = enc.clone();
        let parts = self.scan.fold(
            &cols,
            move || empty.clone(),
            move |tables: &mut Vec<TripleCounts>, batch| {
                let (features, target, _) = step_enc.transform_batch(batch, 0)?;
                let z = if given.is_empty() {
                    None
                } else {
                    let cols: Vec<&Codes> = given.iter().map(|&g| &features[g]).collect();
                    Some(joint_keys(&cols)?)
                };
                for (t, x) in tables.iter_mut().zip(&features) {
                    t.add(x, z.as_deref(), &target)?;
                }
                Ok(())
            },
        )?;
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for p in parts {
            for (a, b) in all.iter_mut().zip(&p) {
                a.merge(b)?;
            }
        }
        if all.is_empty() {
            // No partition: no rows, but one (empty) table per feature.
            all = enc
                .features
                .iter()
                .map(|f| TripleCounts::new(enc.cardinality(f), cy))
                .collect::<mutinfo_core::Result<Vec<_>>>()?;
        }
        Ok(all)
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
