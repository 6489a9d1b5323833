//! Reading Parquet, Arrow IPC (file and stream) and CSV into Arrow [`RecordBatch`]es.
//!
//! [`open_batches`] streams a file batch by batch (bounded memory: one batch at a time), so a
//! file larger than memory can be counted in one pass; [`read_table`] collects every batch.
//! Both project to the requested columns, in the order asked, before decoding where the
//! format allows it (Parquet, IPC, CSV).
//!
//! The format is taken from [`ReadOptions::format`] or else the extension:
//! `.parquet`/`.pq` → Parquet, `.arrow`/`.ipc`/`.feather` → Arrow IPC file,
//! `.arrows` → Arrow IPC stream, `.csv` → CSV (`,`), `.tsv` → CSV (tab).
//! CSV has a header row by default and its column types are inferred from the whole file
//! (integers → Int64, decimals → Float64, `true`/`false` → Boolean, anything else → Utf8;
//! empty fields are nulls).

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, RecordBatch, StringArray};
use arrow::compute::kernels::cast_utils::Parser;
use arrow::csv::reader::Format;
use arrow::csv::ReaderBuilder;
use arrow::datatypes::Float64Type;
use arrow::ipc::reader::{FileReader, StreamReader};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;

use crate::error::{DataError, Result};

/// A file format [`open_batches`] can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file format (Feather v2).
    ArrowFile,
    /// Arrow IPC streaming format.
    ArrowStream,
    /// Delimited text with an optional header row.
    Csv,
}

impl FileFormat {
    /// The format an extension implies (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "parquet" | "pq" => FileFormat::Parquet,
            "arrow" | "ipc" | "feather" => FileFormat::ArrowFile,
            "arrows" => FileFormat::ArrowStream,
            "csv" | "tsv" | "txt" => FileFormat::Csv,
            _ => return None,
        })
    }

    /// Parses `parquet`, `arrow` (`ipc`, `feather`), `arrows` (`stream`) or `csv`.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for another name.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "parquet" | "pq" => Ok(FileFormat::Parquet),
            "arrow" | "ipc" | "feather" => Ok(FileFormat::ArrowFile),
            "arrows" | "stream" | "arrow-stream" => Ok(FileFormat::ArrowStream),
            "csv" | "tsv" => Ok(FileFormat::Csv),
            _ => Err(DataError::InvalidParameter {
                name: "format",
                value: name.to_string(),
                reason: "expected parquet, arrow, arrows or csv".into(),
            }),
        }
    }
}

/// How to read a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format; `None` infers it from the extension.
    pub format: Option<FileFormat>,
    /// Columns to read, in this order; `None` reads all.
    pub columns: Option<Vec<String>>,
    /// CSV delimiter; `None` is `,` (tab for `.tsv`).
    pub delimiter: Option<u8>,
    /// CSV: whether the first row is a header (default `true`). Without one, columns are
    /// named `column_1`, `column_2`, ….
    pub has_header: bool,
    /// Rows per batch (default 8192).
    pub batch_size: usize,
    /// CSV: rows read to infer column types; `None` (default) reads the whole file first.
    pub infer_rows: Option<usize>,
    /// CSV: accept a column mixing numbers and other text as a text (categorical) column.
    /// By default (`false`) such a column is [`DataError::MixedTypes`] naming the odd value:
    /// it is usually a typo or an unmarked missing value (`NA`, `?`) in a numeric column.
    pub allow_mixed_types: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            columns: None,
            delimiter: None,
            has_header: true,
            batch_size: 8192,
            infer_rows: None,
            allow_mixed_types: false,
        }
    }
}

impl ReadOptions {
    /// Reads only these columns, in this order.
    #[must_use]
    pub fn with_columns<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Forces a format.
    #[must_use]
    pub fn with_format(mut self, format: FileFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the CSV delimiter.
    #[must_use]
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }
}

/// A whole file in memory: its (projected) schema and batches.
#[derive(Clone, Debug)]
pub struct Table {
    /// The schema of every batch.
    pub schema: SchemaRef,
    /// The batches, in file order.
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// Total rows over all batches.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Column names, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// All batches concatenated into one.
    ///
    /// # Errors
    /// [`DataError::Arrow`] if Arrow cannot concatenate (it always can for batches read here).
    pub fn concat(&self) -> Result<RecordBatch> {
        arrow::compute::concat_batches(&self.schema, &self.batches).map_err(|source| {
            DataError::Arrow {
                path: "<table>".into(),
                source,
            }
        })
    }
}

/// A stream of record batches from one file; see [`open_batches`].
pub struct Batches {
    path: String,
    schema: SchemaRef,
    rows_hint: Option<usize>,
    parquet: Option<ParquetColumns>,
    inner: BatchIter,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("path", &self.path)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Batches {
    /// The schema of every batch (after projection).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The number of rows the file declares, where its format does so up front (Parquet's
    /// footer); `None` for CSV and Arrow IPC. For sizing buffers
    /// ([`DatasetBuilder::expected_rows`](crate::DatasetBuilder::expected_rows)), not a
    /// promise: the rows are counted as they are read.
    pub fn rows_hint(&self) -> Option<usize> {
        self.rows_hint
    }

    /// The file being read.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The columns of a Parquet file, to be read again in groups (see [`ParquetColumns`]).
    pub(crate) fn parquet_columns(&self) -> Option<&ParquetColumns> {
        self.parquet.as_ref()
    }
}

/// Parquet files of more used columns than this are wide: [`crate::DatasetBuilder`] reads
/// them column group by column group (see [`group_size`]), and their full-width reader (one
/// column reader per column, about 12 KB each in arrow-rs) is built only if the batches are
/// iterated.
pub(crate) const GROUPED_MIN_COLUMNS: usize = 512;

/// Tall Parquet files of at least this many cells (rows × used columns, three columns or more)
/// are read in column groups too, so that decoding runs on every thread.
pub(crate) const GROUPED_MIN_CELLS: usize = 1 << 22;

/// Whether a Parquet file of `rows` rows (when known) is read in column groups when `columns`
/// of its columns are used.
pub(crate) fn read_in_groups(columns: usize, rows: Option<usize>) -> bool {
    columns > GROUPED_MIN_COLUMNS
        || (columns >= 3 && rows.unwrap_or(0).saturating_mul(columns) >= GROUPED_MIN_CELLS)
}

/// Columns per group when `columns` columns are read in groups: about an eighth of them (so
/// that two threads share the work evenly), at most 2048. It depends on the column count only,
/// never on the threads, so that results and errors do not either.
pub(crate) fn group_size(columns: usize) -> usize {
    (columns / 8).clamp(1, 2048)
}

/// Where a Parquet file's bytes are: read into memory once, on disk, or on disk and read
/// into memory each time a reader is built (the small files of a set: not all held at once).
#[derive(Clone)]
enum ParquetData {
    Bytes(bytes::Bytes),
    File(std::path::PathBuf),
    Load(std::path::PathBuf),
}

/// A Parquet file opened once (footer parsed), whose columns can be read in any number of
/// independent column groups, in parallel: each group's reader holds only its own columns,
/// so a 100 000-column file is never decoded through 100 000 live column readers at once.
#[derive(Clone)]
pub(crate) struct ParquetColumns {
    path: String,
    data: ParquetData,
    meta: ArrowReaderMetadata,
    /// Position in [`Batches::schema`] -> root field index in the file.
    file_column: Vec<usize>,
    batch_size: usize,
    /// The other files of a set of Parquet files with the same columns (names and types, in
    /// order), read after this one.
    more: Vec<ParquetColumns>,
}

/// A stream of batches whose errors already name the file.
pub(crate) type BatchIter = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

impl ParquetColumns {
    /// Batches of every column of [`Batches::schema`], in its order.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    fn open_all(&self) -> Result<BatchIter> {
        let all: Vec<usize> = (0..self.file_column.len()).collect();
        let (at, batches) = self.open(&all)?;
        // `open` gives the columns in file order; put them back in the order asked.
        if at.windows(2).all(|w| w[0] < w[1]) {
            return Ok(batches);
        }
        let path = self.path.clone();
        Ok(Box::new(batches.map(move |b| {
            b.and_then(|b| {
                b.project(&at).map_err(|source| DataError::Arrow {
                    path: path.clone(),
                    source,
                })
            })
        })))
    }

    /// The file.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Batches (all rows, file after file for a set) of the columns at `positions` of
    /// [`Batches::schema`], and for each position the index of its column in those batches.
    /// The readers of a set's other files are built when the previous file is done.
    ///
    /// # Errors
    /// [`DataError::Io`] / [`DataError::Parquet`] when the reader cannot be built; the
    /// batches carry decoding errors (a panic of the parquet crate on a corrupt file
    /// becomes an error), each naming its file.
    pub(crate) fn open(&self, positions: &[usize]) -> Result<(Vec<usize>, BatchIter)> {
        let (at, first) = self.open_file(positions)?;
        if self.more.is_empty() {
            return Ok((at, first));
        }
        let positions = positions.to_vec();
        let tail = self.more.clone().into_iter().flat_map(move |file| {
            let batches: BatchIter = match file.open_file(&positions) {
                Ok((_, b)) => b,
                Err(e) => Box::new(std::iter::once(Err(e))),
            };
            batches
        });
        Ok((at, Box::new(first.chain(tail))))
    }

    /// [`open`](Self::open) on this file alone.
    fn open_file(&self, positions: &[usize]) -> Result<(Vec<usize>, BatchIter)> {
        let mut cols: Vec<usize> = positions.iter().map(|&p| self.file_column[p]).collect();
        cols.sort_unstable();
        cols.dedup();
        let at = positions
            .iter()
            .map(|&p| cols.binary_search(&self.file_column[p]).unwrap_or(0))
            .collect();
        let pq_err = |source| DataError::Parquet {
            path: self.path.clone(),
            source,
        };
        let rows = wide_batch_rows(self.batch_size, cols.len());
        let io_err = |source| DataError::Io {
            path: self.path.clone(),
            source,
        };
        let build = || -> Result<Box<dyn Iterator<Item = _> + Send>> {
            // The bytes in memory, or the path of a file read through its handle.
            let in_memory = match &self.data {
                ParquetData::Bytes(b) => Ok(b.clone()),
                ParquetData::Load(path) => {
                    Ok(bytes::Bytes::from(std::fs::read(path).map_err(io_err)?))
                }
                ParquetData::File(path) => Err(path),
            };
            Ok(match in_memory {
                Ok(bytes) => {
                    let b = ParquetRecordBatchReaderBuilder::new_with_metadata(
                        bytes,
                        self.meta.clone(),
                    );
                    Box::new(parquet_reader(b, Some(&cols), rows).map_err(pq_err)?)
                }
                Err(path) => {
                    let file = File::open(path).map_err(io_err)?;
                    let b =
                        ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.meta.clone());
                    Box::new(parquet_reader(b, Some(&cols), rows).map_err(pq_err)?)
                }
            })
        };
        let reader =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).map_err(|e| {
                pq_err(parquet::errors::ParquetError::General(format!(
                    "corrupt file: {}",
                    panic_message(e.as_ref())
                )))
            })??;
        let path = self.path.clone();
        let guarded = PanicGuard {
            inner: Some(reader),
        }
        .map(move |r| {
            r.map_err(|source| DataError::Arrow {
                path: path.clone(),
                source,
            })
        });
        Ok((at, Box::new(guarded)))
    }
}

/// The full-width reader of a wide Parquet file, built on the first call to `next`.
struct LazyParquet {
    columns: Option<ParquetColumns>,
    inner: Option<BatchIter>,
}

impl Iterator for LazyParquet {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(columns) = self.columns.take() {
            match columns.open_all() {
                Ok(batches) => self.inner = Some(batches),
                Err(e) => return Some(Err(e)),
            }
        }
        self.inner.as_mut()?.next()
    }
}

impl Iterator for Batches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

fn check_names(path: &str, schema: &Schema) -> Result<()> {
    if schema.fields().is_empty() {
        return Err(DataError::EmptyFile {
            path: path.into(),
            reason: "no columns",
        });
    }
    let mut seen = std::collections::HashSet::new();
    for f in schema.fields() {
        if !seen.insert(f.name().as_str()) {
            return Err(DataError::DuplicateColumn {
                path: path.into(),
                column: f.name().clone(),
            });
        }
    }
    Ok(())
}

/// Indices of the requested columns in `schema`, in the order asked.
fn projection(
    path: &str,
    schema: &Schema,
    columns: Option<&[String]>,
) -> Result<Option<Vec<usize>>> {
    let Some(cols) = columns else { return Ok(None) };
    let by_name: std::collections::HashMap<&str, usize> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name().as_str(), i))
        .collect();
    let mut seen = std::collections::HashSet::new();
    cols.iter()
        .map(|c| {
            if !seen.insert(c.as_str()) {
                return Err(DataError::DuplicateColumn {
                    path: path.into(),
                    column: c.clone(),
                });
            }
            by_name
                .get(c.as_str())
                .copied()
                .ok_or_else(|| DataError::UnknownColumn {
                    path: path.into(),
                    column: c.clone(),
                    available: schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Reorders the columns of each batch from sorted-projection order to the order asked.
/// The message of a caught panic.
fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".into())
}

/// Batches from a decoder that may panic on corrupt input (parquet 60 does on some corrupt
/// metadata, found by fuzzing): a panic becomes an error naming the file as corrupt, and the
/// stream ends there.
struct PanicGuard<I> {
    inner: Option<I>,
}

impl<I: Iterator<Item = std::result::Result<RecordBatch, ArrowError>>> Iterator for PanicGuard<I> {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let inner = self.inner.as_mut()?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.next())) {
            Ok(item) => item,
            Err(e) => {
                self.inner = None;
                Some(Err(ArrowError::ParquetError(format!(
                    "corrupt file: {}",
                    panic_message(e.as_ref())
                ))))
            }
        }
    }
}

fn reorder(
    inner: Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>,
    order: Option<Vec<usize>>,
) -> Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send> {
    match order {
        None => inner,
        Some(order) => Box::new(inner.map(move |b| b.and_then(|b| b.project(&order)))),
    }
}

/// Opens a file for streaming: batches are decoded one at a time as the iterator advances.
///
/// # Errors
/// [`DataError::Io`] if the file cannot be opened, [`DataError::UnknownFormat`],
/// [`DataError::Parquet`]/[`DataError::Arrow`] for a corrupt file or header,
/// [`DataError::EmptyFile`] for a file without columns, [`DataError::DuplicateColumn`],
/// [`DataError::UnknownColumn`] for a projected column the file lacks. Errors in later
/// batches (a ragged CSV row, a corrupt page) come out of the iterator, naming the file.
pub fn open_batches(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Batches> {
    let path = path.as_ref();
    if let Some(files) = parquet_set(path)? {
        return open_set(path, &files, opts);
    }
    let p = path.display().to_string();
    let format = match opts.format.or_else(|| FileFormat::from_path(path)) {
        Some(f) => f,
        None => return Err(DataError::UnknownFormat { path: p }),
    };
    let io = |source| DataError::Io {
        path: p.clone(),
        source,
    };
    let arrow_err = |source| DataError::Arrow {
        path: p.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.len() == 0 {
        return Err(DataError::EmptyFile {
            path: p,
            reason: "the file is empty",
        });
    }
    let batch_size = opts.batch_size.max(1);
    let cols = opts.columns.as_deref();
    // Sorted projection (what the readers take) plus the permutation back to the order asked.
    let split = |idx: Option<Vec<usize>>| -> (Option<Vec<usize>>, Option<Vec<usize>>) {
        match idx {
            None => (None, None),
            Some(idx) => {
                let mut sorted = idx.clone();
                sorted.sort_unstable();
                let order = idx
                    .iter()
                    .map(|i| sorted.binary_search(i).unwrap_or(0))
                    .collect();
                (Some(sorted), Some(order))
            }
        }
    };
    let mut rows_hint = None;
    let mut parquet = None;
    let named = |inner: Box<
        dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send,
    >|
     -> BatchIter {
        let path = p.clone();
        Box::new(inner.map(move |r| {
            r.map_err(|source| DataError::Arrow {
                path: path.clone(),
                source,
            })
        }))
    };
    let (schema, inner): (Schema, BatchIter) = match format {
        FileFormat::Parquet => {
            let corrupt = |e: Box<dyn std::any::Any + Send>| DataError::Parquet {
                path: p.clone(),
                source: parquet::errors::ParquetError::General(format!(
                    "corrupt file: {}",
                    panic_message(e.as_ref())
                )),
            };
            let pq_err = |source| DataError::Parquet {
                path: p.clone(),
                source,
            };
            let meta = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
            }))
            .map_err(corrupt)?
            .map_err(pq_err)?;
            let full = meta.schema().clone();
            check_names(&p, &full)?;
            rows_hint = usize::try_from(meta.metadata().file_metadata().num_rows()).ok();
            let asked = projection(&p, &full, cols)?;
            let n_read = asked
                .as_ref()
                .map_or(meta.parquet_schema().num_columns(), Vec::len);
            // Read from a file, the reader keeps an 8 KiB buffer (and a file handle) per column
            // chunk: 800 MB for 100 000 columns. When that is more than the file itself, the
            // file is read into memory once and the columns are slices of it.
            let file_len = file.metadata().map_err(io)?.len();
            let data = if file_len <= FILE_BUFFER * n_read as u64 {
                ParquetData::Bytes(bytes::Bytes::from(std::fs::read(path).map_err(io)?))
            } else {
                ParquetData::File(path.to_path_buf())
            };
            let schema = match &asked {
                Some(i) => full.project(i),
                None => Ok(full.as_ref().clone()),
            }
            .map_err(arrow_err)?;
            let columns = ParquetColumns {
                path: p.clone(),
                data,
                meta,
                file_column: asked.unwrap_or_else(|| (0..full.fields().len()).collect()),
                batch_size,
                more: Vec::new(),
            };
            let inner: BatchIter = if n_read > GROUPED_MIN_COLUMNS {
                Box::new(LazyParquet {
                    columns: Some(columns.clone()),
                    inner: None,
                })
            } else {
                columns.open_all()?
            };
            parquet = Some(columns);
            (schema, inner)
        }
        FileFormat::ArrowFile | FileFormat::ArrowStream => {
            let stream = matches!(format, FileFormat::ArrowStream);
            let full = if stream {
                StreamReader::try_new(BufReader::new(file), None)
                    .map_err(arrow_err)?
                    .schema()
            } else {
                FileReader::try_new(BufReader::new(file), None)
                    .map_err(arrow_err)?
                    .schema()
            };
            check_names(&p, &full)?;
            let idx = projection(&p, &full, cols)?;
            let schema = match &idx {
                Some(i) => full.project(i).map_err(arrow_err)?,
                None => full.as_ref().clone(),
            };
            let (sorted, order) = split(idx);
            let file = BufReader::new(File::open(path).map_err(io)?);
            let reader: Box<dyn Iterator<Item = _> + Send> = if stream {
                Box::new(StreamReader::try_new(file, sorted).map_err(arrow_err)?)
            } else {
                Box::new(FileReader::try_new(file, sorted).map_err(arrow_err)?)
            };
            (schema, named(reorder(reader, order)))
        }
        FileFormat::Csv => {
            let is_tsv = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
            let delimiter = opts.delimiter.unwrap_or(if is_tsv { b'\t' } else { b',' });
            let format = Format::default()
                .with_header(opts.has_header)
                .with_delimiter(delimiter);
            let mut file = file;
            let (full, _) = format
                .infer_schema(BufReader::new(&mut file), opts.infer_rows)
                .map_err(arrow_err)?;
            check_names(&p, &full)?;
            let idx = projection(&p, &full, cols)?;
            let (sorted, order) = split(idx.clone());
            // Arrow infers a column holding `NaN` or `inf` as text: scan the text columns once
            // to retype the all-numeric ones as Float64 and to catch columns mixing both.
            let text: Vec<usize> = idx
                .clone()
                .unwrap_or_else(|| (0..full.fields().len()).collect())
                .into_iter()
                .filter(|&i| full.field(i).data_type() == &DataType::Utf8)
                .collect();
            let full = if text.is_empty() {
                full
            } else {
                file.seek(SeekFrom::Start(0)).map_err(io)?;
                let numeric = scan_text_columns(&p, &full, &text, format.clone(), &mut file, opts)?;
                let fields: Vec<_> = full
                    .fields()
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        if numeric.contains(&i) {
                            Arc::new(f.as_ref().clone().with_data_type(DataType::Float64))
                        } else {
                            f.clone()
                        }
                    })
                    .collect();
                Schema::new_with_metadata(fields, full.metadata().clone())
            };
            let schema = match &idx {
                Some(i) => full.project(i).map_err(arrow_err)?,
                None => full.clone(),
            };
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            let rows = wide_batch_rows(batch_size, full.fields().len());
            let mut builder = ReaderBuilder::new(Arc::new(full))
                .with_format(format)
                .with_batch_size(rows);
            if let Some(s) = sorted {
                builder = builder.with_projection(s);
            }
            let reader = builder.build(BufReader::new(file)).map_err(arrow_err)?;
            (schema, named(reorder(Box::new(reader), order)))
        }
    };
    Ok(Batches {
        path: p,
        schema: Arc::new(schema),
        rows_hint,
        parquet,
        inner,
    })
}

/// The Parquet files of a directory (`*.parquet`, any case) or of a glob on file names
/// (`data/part-*.parquet`), sorted by path; `None` for a plain file (or a path that does not
/// exist and holds no glob character).
///
/// # Errors
/// [`DataError::FileSet`] when the directory or glob names no Parquet file, the glob has
/// glob characters in a directory name or does not parse; [`DataError::Io`] for an unreadable
/// directory.
pub fn parquet_set(path: &Path) -> Result<Option<Vec<std::path::PathBuf>>> {
    let p = path.display().to_string();
    let set_err = |reason: String| DataError::FileSet {
        path: p.clone(),
        reason,
    };
    let io = |source| DataError::Io {
        path: p.clone(),
        source,
    };
    let (dir, matcher) = if path.is_dir() {
        (path.to_path_buf(), None)
    } else {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let globby = |s: &str| s.contains(['*', '?', '[', '{']);
        match name {
            Some(n) if !path.exists() && globby(&n) => {
                let parent = path.parent().filter(|d| !d.as_os_str().is_empty());
                let dir = parent.unwrap_or(Path::new(".")).to_path_buf();
                if globby(&dir.display().to_string()) {
                    return Err(set_err(
                        "glob characters only in the file name, not in directories".into(),
                    ));
                }
                let g = globset::Glob::new(&n)
                    .map_err(|e| set_err(format!("not a glob: {e}")))?
                    .compile_matcher();
                (dir, Some(g))
            }
            _ => return Ok(None),
        }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = match &matcher {
            Some(g) => g.is_match(&name),
            None => name.to_ascii_lowercase().ends_with(".parquet"),
        };
        if wanted && entry.path().is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(set_err(match matcher {
            Some(_) => "the glob matches no file".into(),
            None => "the directory holds no .parquet file".into(),
        }));
    }
    Ok(Some(files))
}

/// The batches of several Parquet files with one schema, file after file (each opened when
/// the previous one is done).
fn open_set(path: &Path, files: &[std::path::PathBuf], opts: &ReadOptions) -> Result<Batches> {
    let p = path.display().to_string();
    let single = ReadOptions {
        format: Some(FileFormat::Parquet),
        ..opts.clone()
    };
    let mut first = open_batches(&files[0], &single)?;
    let schema = first.schema();
    let mut rows_hint = first.rows_hint();
    let mut rest = Vec::with_capacity(files.len() - 1);
    // Every file's columns, so that the set can be read in column groups like one file.
    let mut parts = Some(Vec::with_capacity(files.len() - 1));
    for f in &files[1..] {
        // Footers only: the schema and row count of every file before any data.
        let b = open_batches(f, &single)?;
        let (a, o) = (schema.fields(), b.schema());
        let same = a.len() == o.fields().len()
            && a.iter()
                .zip(o.fields())
                .all(|(x, y)| x.name() == y.name() && x.data_type() == y.data_type());
        if !same {
            return Err(DataError::FileSet {
                path: p,
                reason: format!(
                    "{} has another schema than {} (column names and types must match)",
                    f.display(),
                    files[0].display()
                ),
            });
        }
        rows_hint = rows_hint.zip(b.rows_hint()).map(|(a, b)| a + b);
        parts = parts.zip(b.parquet).map(|(mut v, mut c)| {
            if let ParquetData::Bytes(_) = c.data {
                c.data = ParquetData::Load(f.clone());
            }
            v.push(c);
            v
        });
        rest.push(f.clone());
    }
    let parquet = first.parquet.take().zip(parts).map(|(mut c, more)| {
        c.more = more;
        c
    });
    let tail = rest.into_iter().flat_map(move |f| {
        let batches: BatchIter = match open_batches(&f, &single) {
            Ok(b) => Box::new(b),
            Err(e) => Box::new(std::iter::once(Err(e))),
        };
        batches
    });
    Ok(Batches {
        path: p,
        schema,
        rows_hint,
        parquet,
        inner: Box::new(first.chain(tail)),
    })
}

/// The buffer a Parquet reader keeps per column chunk read from a file (`BufReader`'s).
const FILE_BUFFER: u64 = 8 * 1024;

/// A Parquet reader over the columns `sorted` (all when `None`), in batches of `batch_size`
/// rows but never longer than the largest row group (the column readers reserve a batch's
/// worth of values each).
fn parquet_reader<T: parquet::file::reader::ChunkReader + 'static>(
    builder: ParquetRecordBatchReaderBuilder<T>,
    sorted: Option<&[usize]>,
    batch_size: usize,
) -> std::result::Result<
    parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    parquet::errors::ParquetError,
> {
    let builder = match sorted {
        Some(s) => {
            let mask = ProjectionMask::roots(builder.parquet_schema(), s.iter().copied());
            builder.with_projection(mask)
        }
        None => builder,
    };
    let largest_group = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows().max(0) as usize)
        .max()
        .unwrap_or(0);
    builder
        .with_batch_size(batch_size.min(largest_group.max(1)))
        .build()
}

/// Cells (rows × columns of the file) in one batch of a wide file at most.
const WIDE_BATCH_CELLS: usize = 1 << 22;

/// Rows per batch: `rows`, fewer for wide files. The readers reserve room per cell of a batch
/// (arrow-csv one field offset per cell of every column of the file, projected or not; the
/// Parquet column readers a batch of values and levels each), so 8192 rows of a 100 000-column
/// file would hold gigabytes before a value is decoded; capping the cells keeps that to tens of
/// megabytes whatever the width.
fn wide_batch_rows(rows: usize, columns: usize) -> usize {
    rows.min(WIDE_BATCH_CELLS / columns.max(1)).max(1)
}

/// Scans the text columns `text` (indices in `full`) of a CSV file: returns those whose
/// non-empty values are all numbers (`NaN`, `inf` included), and unless
/// [`ReadOptions::allow_mixed_types`] fails on the first column that mixes numbers with other
/// values, naming the minority's first value and its row.
fn scan_text_columns(
    path: &str,
    full: &Schema,
    text: &[usize],
    format: Format,
    file: &mut File,
    opts: &ReadOptions,
) -> Result<Vec<usize>> {
    // Per column: (count, first row and value) of numeric and of other non-empty values.
    type Seen = (usize, Option<(usize, String)>);
    let mut stats: Vec<(Seen, Seen)> = vec![((0, None), (0, None)); text.len()];
    let reader = ReaderBuilder::new(Arc::new(full.clone()))
        .with_format(format)
        .with_batch_size(wide_batch_rows(opts.batch_size.max(1), full.fields().len()))
        .with_projection(text.to_vec())
        .build(BufReader::new(file))
        .map_err(|source| DataError::Arrow {
            path: path.into(),
            source,
        })?;
    let mut offset = 0;
    for batch in reader {
        let batch = batch.map_err(|source| DataError::Arrow {
            path: path.into(),
            source,
        })?;
        for (j, st) in stats.iter_mut().enumerate() {
            let Some(col) = batch.column(j).as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            for i in 0..col.len() {
                if col.is_null(i) {
                    continue;
                }
                let v = col.value(i);
                let seen = if Float64Type::parse(v).is_some() {
                    &mut st.0
                } else {
                    &mut st.1
                };
                seen.0 += 1;
                if seen.1.is_none() {
                    seen.1 = Some((offset + i, v.to_string()));
                }
            }
        }
        offset += batch.num_rows();
    }
    let mut numeric = Vec::new();
    for (j, (num, other)) in stats.into_iter().enumerate() {
        if num.0 > 0 && other.0 == 0 {
            numeric.push(text[j]);
        }
        if num.0 > 0 && other.0 > 0 && !opts.allow_mixed_types {
            let (numbers, others) = (num.0, other.0);
            let odd_is_number = numbers < others;
            let odd = if odd_is_number { num } else { other };
            let (row, value) = odd.1.unwrap_or_default();
            return Err(DataError::MixedTypes {
                path: path.into(),
                column: full.field(text[j]).name().clone(),
                numbers,
                others,
                row,
                line: row + 1 + usize::from(opts.has_header),
                value,
                odd_is_number,
            });
        }
    }
    Ok(numeric)
}

/// Reads a whole file into memory.
///
/// # Errors
/// As [`open_batches`], plus [`DataError::EmptyFile`] when the file has no data rows (e.g. a
/// CSV with a header only).
pub fn read_table(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Table> {
    let batches = open_batches(path, opts)?;
    let schema = batches.schema();
    let p = batches.path().to_string();
    let batches = batches.collect::<Result<Vec<_>>>()?;
    let table = Table { schema, batches };
    if table.num_rows() == 0 {
        return Err(DataError::EmptyFile {
            path: p,
            reason: "no data rows",
        });
    }
    Ok(table)
}
