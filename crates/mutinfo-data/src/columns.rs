//! From Arrow batches to discrete codes: column kinds, missing values, a saved encoding.
//!
//! [`DatasetBuilder`] fits an [`Encoding`] on a table (target column, feature columns,
//! [`Binning`], [`Missing`] policy) and returns the codes; the encoding serializes to JSON and
//! [`Encoding::transform`] re-applies it to another table or file with identical codes.
//! [`Encoding::count`] counts a stream of batches against the target in one pass with bounded
//! memory (one [`ContingencyTable`] per feature).
//!
//! ## Column kinds: the default rule
//! - **numeric** (every integer and float width, unless declared categorical): discretized with
//!   the [`Binning`], by default quantile with [`DEFAULT_BINS`] (10) bins. Integers and floats
//!   are treated alike: a count, a measurement or a rating is a number whatever its storage
//!   type, and mixing the two treatments in one table (some columns as raw categories, others
//!   as bins) makes their mutual informations incomparable — a column with 30 levels has a
//!   much larger plug-in MI than one with 10 bins. A column with at most as many distinct
//!   values as bins keeps one bin per value (quantile binning never merges them), so 0/1 or
//!   {−1, 0, 1} columns keep their values; floats are never raw categories unless asked for;
//! - **categorical**: `Utf8`, `LargeUtf8`, `Utf8View`, `Dictionary`, `Boolean`, and any column
//!   named by [`DatasetBuilder::categorical`] (or every integer feature with
//!   [`DatasetBuilder::integers_as_categories`]). Levels are the distinct values seen when
//!   fitting, as text, sorted, so dictionary codes are re-interned into one global table
//!   whatever the per-batch dictionaries were. Integers are interned as integers: only the
//!   distinct levels are ever formatted.
//! - The target, if integer or text, is categorical; a float target gets 10 quantile bins.
//!
//! ## Streaming
//! [`DatasetBuilder::fit_stream`] reads batches one at a time: each used column is resolved
//! once, each batch is appended to one compact store per column (in parallel by column) and
//! dropped, and the columns are then fitted and encoded in parallel. Peak memory is about one
//! `f64` per numeric value (a `u32` per categorical value) plus one batch and the codes.
//!
//! ## Missing values
//! Nulls and NaN are both *missing*. [`Missing::Error`] (default) fails naming the column and
//! row, [`Missing::OwnCategory`] gives them one extra code per column (the last),
//! [`Missing::DropRow`] removes every row where a used column is missing. ±Inf is always an
//! error naming the column and row. Rows are 0-based data rows across all batches.

use std::collections::HashSet;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow_schema::{DataType, Schema, SchemaRef};
use mutinfo_core::{CodeMatrix, Codes, ContingencyTable};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::discretize::{Binning, FittedBins, Unseen, DEFAULT_BINS};
use crate::error::{DataError, Result};
use crate::gather::{
    gather, gather_group, gather_parquet, reserve_rows, same_rows, Gathered, Kind, Resolver, Store,
    MISSING,
};
use crate::io::{group_size, read_in_groups, Batches, ParquetColumns, Table};

/// Runs `$body` with `$v` bound to the values of `$array` (nulls ignored) when its type is one
/// of the listed Arrow types, and `$f` converting one value `as $to`; `$none` for any other.
macro_rules! with_primitive {
    ($array:expr, [$($dt:ident: $ty:ident),*], |$v:ident, $f:ident: $to:ty| $body:expr, $none:expr) => {
        match $array.data_type() {
            $(arrow_schema::DataType::$dt => {
                let $v = arrow::array::AsArray::as_primitive::<arrow::datatypes::$ty>($array)
                    .values()
                    .as_ref();
                #[allow(clippy::unnecessary_cast, clippy::cast_lossless)]
                let $f = |x| x as $to;
                $body
            })*
            _ => $none,
        }
    };
}

/// Runs `$body` with `$v` bound to the values of `$array` (a primitive array of a numeric
/// type, any nulls ignored) and `$f` converting one to `f64` as Arrow's cast does; `$none`
/// for any other type.
macro_rules! with_native {
    ($array:expr, |$v:ident, $f:ident| $body:expr, $none:expr) => {
        with_primitive!(
            $array,
            [
                Int8: Int8Type, Int16: Int16Type, Int32: Int32Type, Int64: Int64Type,
                UInt8: UInt8Type, UInt16: UInt16Type, UInt32: UInt32Type, UInt64: UInt64Type,
                Float32: Float32Type, Float64: Float64Type
            ],
            |$v, $f: f64| $body,
            $none
        )
    };
}

/// Runs `$body` with `$v` bound to the values of `$array` when it holds integers that are
/// exact in `i64` (every integer type but `UInt64`), and `$i` converting one; `$none` else.
macro_rules! with_ints {
    ($array:expr, |$v:ident, $i:ident| $body:expr, $none:expr) => {
        with_primitive!(
            $array,
            [
                Int8: Int8Type, Int16: Int16Type, Int32: Int32Type, Int64: Int64Type,
                UInt8: UInt8Type, UInt16: UInt16Type, UInt32: UInt32Type
            ],
            |$v, $i: i64| $body,
            $none
        )
    };
}

/// The least and the greatest of `values` (`None` when empty), in one loop of `min`/`max`
/// that vectorizes (`Iterator::min` and `max` did not).
fn min_max<T: Copy + Ord>(values: &[T]) -> Option<(T, T)> {
    let (&first, _) = values.split_first()?;
    let (mut lo, mut hi) = (first, first);
    for &x in values {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    Some((lo, hi))
}

mod batch;
mod tally;
pub use tally::TableTally;

/// Default largest number of categories of one column.
pub const DEFAULT_MAX_CATEGORIES: usize = 1 << 20;

/// What to do with nulls and NaN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    /// Fail, naming the column and row (default).
    #[default]
    Error,
    /// One extra code per column for missing values.
    OwnCategory,
    /// Drop every row where a used column is missing.
    DropRow,
}

impl Missing {
    /// Parses `error`, `own-category` (`category`) or `drop-row` (`drop`).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for another name.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "error" => Ok(Missing::Error),
            "own-category" | "category" => Ok(Missing::OwnCategory),
            "drop-row" | "drop" => Ok(Missing::DropRow),
            _ => Err(DataError::InvalidParameter {
                name: "missing",
                value: name.to_string(),
                reason: "expected error, own-category or drop-row".into(),
            }),
        }
    }
}

/// One column's values as read: numbers or strings, `None` = missing.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Num(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
}

fn is_integer(dt: &DataType) -> bool {
    dt.is_integer()
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_integer() || dt.is_floating()
}

pub(crate) fn is_categorical(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => true,
        DataType::Dictionary(_, v) => is_categorical(v) || is_numeric(v),
        _ => false,
    }
}

fn arrow_err(column: &str, source: arrow_schema::ArrowError) -> DataError {
    DataError::Arrow {
        path: format!("column {column}"),
        source,
    }
}

/// Reads one array as numbers (NaN → missing) or strings.
fn raw_of(array: &ArrayRef, column: &str, as_string: bool) -> Result<Raw> {
    let dt = array.data_type();
    // A column with no values at all (a CSV column of empty fields) is all missing.
    if *dt == DataType::Null {
        return Ok(if as_string {
            Raw::Str(vec![None; array.len()])
        } else {
            Raw::Num(vec![None; array.len()])
        });
    }
    if !as_string && is_numeric(dt) {
        let f = cast(array, &DataType::Float64).map_err(|e| arrow_err(column, e))?;
        let f = f.as_any().downcast_ref::<Float64Array>().ok_or_else(|| {
            DataError::UnsupportedType {
                column: column.into(),
                data_type: dt.to_string(),
            }
        })?;
        return Ok(Raw::Num(
            (0..f.len())
                .map(|i| {
                    if f.is_null(i) || f.value(i).is_nan() {
                        None
                    } else {
                        Some(f.value(i))
                    }
                })
                .collect(),
        ));
    }
    if !(is_categorical(dt) || is_integer(dt)) {
        return Err(DataError::UnsupportedType {
            column: column.into(),
            data_type: dt.to_string(),
        });
    }
    let s = cast(array, &DataType::Utf8).map_err(|e| arrow_err(column, e))?;
    let s = s
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| DataError::UnsupportedType {
            column: column.into(),
            data_type: dt.to_string(),
        })?;
    Ok(Raw::Str(
        (0..s.len())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect(),
    ))
}

/// How one column becomes codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ColumnEncoding {
    /// A numeric column and its fitted bins.
    Numeric {
        /// Column name.
        name: String,
        /// Fitted bins.
        bins: FittedBins,
    },
    /// A categorical column and its levels (code = position).
    Categorical {
        /// Column name.
        name: String,
        /// Levels, sorted.
        levels: Vec<String>,
    },
}

impl ColumnEncoding {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnEncoding::Numeric { name, .. } | ColumnEncoding::Categorical { name, .. } => name,
        }
    }

    /// Checks an encoding read back from a file: a non-empty name, valid bins
    /// ([`FittedBins::validate`]) or levels that are sorted and distinct.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] naming the field and the bad value.
    pub fn validate(&self) -> Result<()> {
        if self.name().is_empty() {
            return Err(DataError::InvalidParameter {
                name: "name",
                value: "\"\"".into(),
                reason: "a column name cannot be empty".into(),
            });
        }
        match self {
            ColumnEncoding::Numeric { bins, .. } => bins.validate(),
            ColumnEncoding::Categorical { levels, .. } => {
                match levels.windows(2).find(|w| w[0] >= w[1]) {
                    Some(w) => Err(DataError::InvalidParameter {
                        name: "levels",
                        value: format!("{:?} then {:?}", w[0], w[1]),
                        reason: "levels must be sorted and distinct".into(),
                    }),
                    None => Ok(()),
                }
            }
        }
    }

    fn base_cardinality(&self) -> u32 {
        match self {
            ColumnEncoding::Numeric { bins, .. } => bins.cardinality(),
            ColumnEncoding::Categorical { levels, .. } => levels.len() as u32,
        }
    }
}

/// A fitted encoding of a target and features: save it as JSON (the versioned layout of
/// [`crate::format`], `mutinfo-encoding` version 1, validated when read), re-apply it anywhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "crate::format::EncodingFile",
    into = "crate::format::EncodingFile"
)]
pub struct Encoding {
    /// The target column.
    pub target: ColumnEncoding,
    /// The feature columns, in order.
    pub features: Vec<ColumnEncoding>,
    /// Missing-value policy.
    pub missing: Missing,
    /// Unseen categories at transform time.
    pub unseen: Unseen,
}

/// Codes ready for the estimators.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// One column of codes per feature.
    pub features: CodeMatrix,
    /// The target codes.
    pub target: Codes,
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// Rows dropped by [`Missing::DropRow`] (0-based, ascending).
    pub dropped_rows: Vec<usize>,
}

/// Columns encoded without a target by [`DatasetBuilder::fit_columns`].
#[derive(Clone, Debug)]
pub struct EncodedColumns {
    /// How each column became codes, in the order asked.
    pub encodings: Vec<ColumnEncoding>,
    /// The codes of each column, in the order asked.
    pub codes: Vec<Codes>,
    /// The missing-value policy used.
    pub missing: Missing,
    /// Rows dropped by [`Missing::DropRow`] (0-based, ascending).
    pub dropped_rows: Vec<usize>,
}

/// Fits an [`Encoding`]: target, features, binning, missing policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetBuilder {
    target: String,
    features: Option<Vec<String>>,
    binning: Binning,
    missing: Missing,
    unseen: Unseen,
    integers_as_categories: Option<bool>,
    categorical: Vec<String>,
    max_categories: usize,
    expected_rows: Option<usize>,
}

/// Column `idx` (named `name`) of every batch, concatenated.
fn column_values(table: &Table, idx: usize, name: &str, as_string: bool) -> Result<Raw> {
    let mut out: Option<Raw> = None;
    for b in &table.batches {
        let r = raw_of(b.column(idx), name, as_string)?;
        out = Some(match (out, r) {
            (None, r) => r,
            (Some(Raw::Num(mut a)), Raw::Num(b)) => {
                a.extend(b);
                Raw::Num(a)
            }
            (Some(Raw::Str(mut a)), Raw::Str(b)) => {
                a.extend(b);
                Raw::Str(a)
            }
            _ => unreachable!("one column has one type"),
        });
    }
    Ok(out.unwrap_or(if as_string {
        Raw::Str(Vec::new())
    } else {
        Raw::Num(Vec::new())
    }))
}

/// A fit needs data rows.
fn check_rows(n_rows: usize) -> Result<()> {
    if n_rows == 0 {
        return Err(DataError::EmptyFile {
            path: "table".into(),
            reason: "no data rows",
        });
    }
    Ok(())
}

impl DatasetBuilder {
    /// A builder for `target`; features default to every other column.
    pub fn new(target: impl Into<String>) -> Self {
        DatasetBuilder {
            target: target.into(),
            features: None,
            binning: Binning::Quantile { bins: DEFAULT_BINS },
            missing: Missing::Error,
            unseen: Unseen::Error,
            integers_as_categories: None,
            categorical: Vec::new(),
            max_categories: DEFAULT_MAX_CATEGORIES,
            expected_rows: None,
        }
    }

    /// The target column.
    #[must_use]
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }

    /// The feature columns, in order.
    #[must_use]
    pub fn features<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.features = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Binning of numeric features (default quantile, 10 bins).
    #[must_use]
    pub fn binning(mut self, binning: Binning) -> Self {
        self.binning = binning;
        self
    }

    /// Missing-value policy (default [`Missing::Error`]).
    #[must_use]
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Policy for categories unseen at fit time when the encoding is re-applied.
    #[must_use]
    pub fn unseen(mut self, unseen: Unseen) -> Self {
        self.unseen = unseen;
        self
    }

    /// `Some(true)`: every integer feature is categorical; `Some(false)` or `None` (default):
    /// integer features are numbers, binned like floats (see the module docs for why).
    #[must_use]
    pub fn integers_as_categories(mut self, yes: Option<bool>) -> Self {
        self.integers_as_categories = yes;
        self
    }

    /// Features declared categorical: their raw values are the levels, whatever their type
    /// (a numeric column not named here is binned).
    #[must_use]
    pub fn categorical<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.categorical = names.into_iter().map(Into::into).collect();
        self
    }

    /// Largest number of categories one column may have (default 2^20).
    #[must_use]
    pub fn max_categories(mut self, max: usize) -> Self {
        self.max_categories = max;
        self
    }

    /// How many rows the stream of [`fit_stream`](Self::fit_stream) will give, when known
    /// ([`Batches::rows_hint`](crate::Batches::rows_hint)): each column's store is then
    /// allocated once at its final size instead of growing batch by batch (on a wide file,
    /// growth copies and over-allocates a store per column). A capacity hint only: a wrong
    /// value changes memory use, never a result.
    #[must_use]
    pub fn expected_rows(mut self, rows: Option<usize>) -> Self {
        self.expected_rows = rows;
        self
    }

    /// Fits the encoding on `table` and encodes it; see [`DatasetBuilder::fit_stream`].
    ///
    /// # Errors
    /// As [`DatasetBuilder::fit_stream`].
    pub fn fit(&self, table: &Table) -> Result<(Encoding, Encoded)> {
        self.fit_stream(
            &table.schema,
            table.batches.iter().cloned().map(Ok),
            &NoProgress,
        )
    }

    /// Fits the encoding on a stream of batches and encodes it, holding one batch at a time
    /// beside one compact store per used column (numbers as `f64`, categories as dictionary
    /// indices in their native type); columns are gathered and encoded in parallel, with
    /// results independent of the number of threads.
    ///
    /// Numeric features of every type follow [`DatasetBuilder::binning`]; text, booleans,
    /// dictionaries and the columns named by [`DatasetBuilder::categorical`] are categories.
    /// The target is categorical unless it holds floats (then 10 quantile bins).
    ///
    /// # Errors
    /// [`DataError::EmptyFile`] without data rows, [`DataError::UnknownColumn`],
    /// [`DataError::DuplicateColumn`], [`DataError::UnsupportedType`],
    /// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row,
    /// [`DataError::AllMissing`], [`DataError::TooManyCategories`], binning errors, and any
    /// error of the stream. With several faulty columns, the first (target, then features in
    /// order) is reported.
    pub fn fit_stream(
        &self,
        schema: &Schema,
        batches: impl IntoIterator<Item = Result<RecordBatch>>,
        progress: &dyn FitProgress,
    ) -> Result<(Encoding, Encoded)> {
        let names = self.feature_names(schema)?;
        let columns = self.used_columns(schema, &names)?;
        let (gathered, n_rows) = gather(&columns, batches, self.expected_rows, &|r| {
            progress.rows_read(r)
        })?;
        self.encode_gathered(names, gathered, n_rows, progress)
    }

    /// As [`fit_stream`](Self::fit_stream) on an opened file, with the same encoding and
    /// codes. A Parquet file of more than 512 used columns, or of three or more and 2^22
    /// cells, is read column group by column group, the groups decoded and encoded in parallel,
    /// so that decoding runs on every thread and only the column readers and stores of the
    /// groups in flight are alive (arrow-rs keeps one reader per column: about 1.2 GB for
    /// 100 000 columns); stores are sized from the file's row count unless
    /// [`expected_rows`](Self::expected_rows) says otherwise.
    ///
    /// # Errors
    /// As [`fit_stream`](Self::fit_stream). With several faulty columns of a Parquet file
    /// read in groups, the target's error comes first, then that of the first faulty column group (within
    /// it, unreadable values, then missing or infinite values, then encoding).
    pub fn fit_batches(
        &self,
        batches: Batches,
        progress: &dyn FitProgress,
    ) -> Result<(Encoding, Encoded)> {
        let schema = batches.schema();
        let rows = self.expected_rows.or(batches.rows_hint());
        let names = self.feature_names(&schema)?;
        let columns = self.used_columns(&schema, &names)?;
        match batches.parquet_columns() {
            // Dropping rows needs every column's missing rows before any is encoded.
            Some(source)
                if read_in_groups(columns.len(), rows) && self.missing != Missing::DropRow =>
            {
                self.fit_groups(source, &columns, rows, progress)
            }
            Some(source) if read_in_groups(columns.len(), rows) => {
                let (gathered, n_rows) =
                    gather_parquet(&columns, source, rows, &|r| progress.rows_read(r))?;
                self.encode_gathered(names, gathered, n_rows, progress)
            }
            _ => {
                let (gathered, n_rows) =
                    gather(&columns, batches, rows, &|r| progress.rows_read(r))?;
                self.encode_gathered(names, gathered, n_rows, progress)
            }
        }
    }

    /// The feature names: those given, or every column but the target.
    fn feature_names(&self, schema: &Schema) -> Result<Vec<String>> {
        let names: Vec<String> = match &self.features {
            Some(f) => f.clone(),
            None => schema
                .fields()
                .iter()
                .map(|f| f.name())
                .filter(|c| **c != self.target)
                .cloned()
                .collect(),
        };
        if names.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "features",
                value: "[]".into(),
                reason: "no feature columns".into(),
            });
        }
        check_distinct(&names, Some(self.target.as_str()), "features")?;
        Ok(names)
    }

    /// `(position, name, kind)` of the target, then of the features `names`.
    fn used_columns<'a>(
        &'a self,
        schema: &Schema,
        names: &'a [String],
    ) -> Result<Vec<(usize, &'a str, Kind)>> {
        let resolver = Resolver::new(schema);
        let mut columns = Vec::with_capacity(names.len() + 1);
        let t = resolver.index(&self.target, "table")?;
        let tdt = schema.field(t).data_type();
        columns.push((
            t,
            self.target.as_str(),
            Kind::of(&self.target, tdt, !tdt.is_floating())?,
        ));
        for n in names {
            columns.push(self.resolve(&resolver, schema, n)?);
        }
        Ok(columns)
    }

    /// Reads and encodes the target, then the features of a wide Parquet file group by group
    /// (in parallel), each group's stores dropped as soon as it is encoded. Every row is kept
    /// (not for [`Missing::DropRow`]).
    fn fit_groups(
        &self,
        source: &ParquetColumns,
        columns: &[(usize, &str, Kind)],
        expected_rows: Option<usize>,
        progress: &dyn FitProgress,
    ) -> Result<(Encoding, Encoded)> {
        let (target, n_rows) = gather_group(&columns[..1], source, reserve_rows(expected_rows, 1))?;
        progress.rows_read(n_rows);
        check_rows(n_rows)?;
        self.rows_to_drop(n_rows, &target)?;
        let keep: Vec<usize> = (0..n_rows).collect();
        let (tenc, tcodes) = self.encode_target(target.into_iter().next(), &keep)?;
        let features = &columns[1..];
        let size = group_size(features.len());
        let rows = reserve_rows(Some(n_rows), size);
        let groups: Vec<Result<Vec<(ColumnEncoding, Codes)>>> = features
            .par_chunks(size)
            .map(|group| {
                let (stores, n) = gather_group(group, source, rows)?;
                same_rows(source, Some(n_rows), n)?;
                self.rows_to_drop(n, &stores)?;
                stores
                    .into_iter()
                    .map(|g| {
                        let r = self.encode(g, &keep, &self.binning, Some(&tcodes));
                        progress.column_encoded();
                        r
                    })
                    .collect()
            })
            .collect();
        let mut encoded = Vec::with_capacity(features.len());
        for group in groups {
            encoded.extend(group?.into_iter().map(Ok));
        }
        let names = features.iter().map(|c| c.1.to_string()).collect();
        self.finish((tenc, tcodes), encoded, names, Vec::new())
    }

    /// The target's encoding and codes (10 quantile bins if it holds floats).
    fn encode_target(
        &self,
        target: Option<Gathered>,
        keep: &[usize],
    ) -> Result<(ColumnEncoding, Codes)> {
        let tg = target.ok_or(DataError::EmptyColumn {
            column: self.target.clone(),
        })?;
        self.encode(tg, keep, &Binning::Quantile { bins: 10 }, None)
    }

    /// The encoding and codes of the target and of the features, in order; the first
    /// feature error is reported.
    fn finish(
        &self,
        (tenc, tcodes): (ColumnEncoding, Codes),
        encoded: Vec<Result<(ColumnEncoding, Codes)>>,
        names: Vec<String>,
        dropped_rows: Vec<usize>,
    ) -> Result<(Encoding, Encoded)> {
        let mut features = Vec::with_capacity(encoded.len());
        let mut cols = Vec::with_capacity(encoded.len());
        for r in encoded {
            let (enc, codes) = r?;
            features.push(enc);
            cols.push(codes);
        }
        let encoding = Encoding {
            target: tenc,
            features,
            missing: self.missing,
            unseen: self.unseen,
        };
        Ok((
            encoding,
            Encoded {
                features: CodeMatrix::from_columns(cols)?,
                target: tcodes,
                names,
                dropped_rows,
            },
        ))
    }

    /// Checks the gathered columns (target first), drops rows under [`Missing::DropRow`],
    /// and fits and encodes every column, features in parallel.
    fn encode_gathered(
        &self,
        names: Vec<String>,
        gathered: Vec<Gathered>,
        n_rows: usize,
        progress: &dyn FitProgress,
    ) -> Result<(Encoding, Encoded)> {
        check_rows(n_rows)?;
        let drop = self.rows_to_drop(n_rows, &gathered)?;
        let keep: Vec<usize> = (0..n_rows).filter(|&i| !drop[i]).collect();
        let dropped_rows: Vec<usize> = (0..n_rows).filter(|&i| drop[i]).collect();
        let mut gathered = gathered.into_iter();
        let (tenc, tcodes) = self.encode_target(gathered.next(), &keep)?;
        let encoded: Vec<Result<(ColumnEncoding, Codes)>> = gathered
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|g| {
                let r = self.encode(g, &keep, &self.binning, Some(&tcodes));
                progress.column_encoded();
                r
            })
            .collect();
        self.finish((tenc, tcodes), encoded, names, dropped_rows)
    }

    /// `(position, name, kind)` of the feature `name`.
    fn resolve<'a>(
        &self,
        resolver: &Resolver,
        schema: &Schema,
        name: &'a str,
    ) -> Result<(usize, &'a str, Kind)> {
        let i = resolver.index(name, "table")?;
        let dt = schema.field(i).data_type();
        let declared = self.categorical.iter().any(|c| c == name)
            || (dt.is_integer() && self.integers_as_categories == Some(true));
        Ok((i, name, Kind::of(name, dt, declared)?))
    }

    /// Rows to drop for missing values in the used columns (`Missing::DropRow`), after
    /// checking each column, in order, for infinities, for being all missing and, under
    /// `Missing::Error`, for any missing value.
    fn rows_to_drop(&self, n_rows: usize, columns: &[Gathered]) -> Result<Vec<bool>> {
        let mut drop = vec![false; n_rows];
        for g in columns {
            if let Some((row, value)) = g.first_inf {
                return Err(DataError::NonFinite {
                    column: g.name.clone(),
                    row,
                    value,
                });
            }
            if n_rows > 0 && g.missing.len() == n_rows {
                return Err(DataError::AllMissing {
                    column: g.name.clone(),
                });
            }
            match (self.missing, g.missing.first()) {
                (Missing::Error, Some(&row)) => {
                    return Err(DataError::MissingValue {
                        column: g.name.clone(),
                        row,
                    })
                }
                (Missing::DropRow, _) => {
                    for &row in &g.missing {
                        drop[row] = true;
                    }
                }
                _ => {}
            }
        }
        Ok(drop)
    }

    /// Fits and encodes the columns `names` alone, without a target (for entropies and MI
    /// between column groups): every column follows the builder's binning, categorical
    /// columns and missing policy; the target and feature list of the builder are ignored.
    ///
    /// # Errors
    /// As [`DatasetBuilder::fit_columns_stream`].
    pub fn fit_columns(&self, table: &Table, names: &[String]) -> Result<EncodedColumns> {
        self.fit_columns_stream(
            &table.schema,
            table.batches.iter().cloned().map(Ok),
            names,
            &NoProgress,
        )
    }

    /// As [`DatasetBuilder::fit_columns`], on a stream of batches held one at a time.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for no columns, [`DataError::DuplicateColumn`],
    /// [`DataError::UnknownColumn`], [`DataError::UnsupportedType`],
    /// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row,
    /// [`DataError::AllMissing`], [`DataError::TooManyCategories`],
    /// [`DataError::TargetRequired`] for a supervised binning (MDLP),
    /// [`DataError::EmptyFile`] when no row is left, and any error of the stream.
    pub fn fit_columns_stream(
        &self,
        schema: &Schema,
        batches: impl IntoIterator<Item = Result<RecordBatch>>,
        names: &[String],
        progress: &dyn FitProgress,
    ) -> Result<EncodedColumns> {
        if names.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "columns",
                value: "[]".into(),
                reason: "no columns".into(),
            });
        }
        check_distinct(names, None, "columns")?;
        if self.binning == Binning::Mdlp {
            return Err(DataError::TargetRequired {
                column: names[0].clone(),
                binning: self.binning.name(),
            });
        }
        let resolver = Resolver::new(schema);
        let columns = names
            .iter()
            .map(|n| self.resolve(&resolver, schema, n))
            .collect::<Result<Vec<_>>>()?;
        let (gathered, n_rows) = gather(&columns, batches, self.expected_rows, &|r| {
            progress.rows_read(r)
        })?;
        let drop = self.rows_to_drop(n_rows, &gathered)?;
        let keep: Vec<usize> = (0..n_rows).filter(|&i| !drop[i]).collect();
        if keep.is_empty() {
            return Err(DataError::EmptyFile {
                path: "table".into(),
                reason: "every row has a missing value in a used column",
            });
        }
        let encoded: Vec<Result<(ColumnEncoding, Codes)>> = gathered
            .into_par_iter()
            .map(|g| {
                let r = self.encode(g, &keep, &self.binning, None);
                progress.column_encoded();
                r
            })
            .collect();
        let mut encodings = Vec::with_capacity(names.len());
        let mut codes = Vec::with_capacity(names.len());
        for r in encoded {
            let (enc, c) = r?;
            encodings.push(enc);
            codes.push(c);
        }
        Ok(EncodedColumns {
            encodings,
            codes,
            missing: self.missing,
            dropped_rows: (0..n_rows).filter(|&i| drop[i]).collect(),
        })
    }

    /// Fits one gathered column on the rows `keep` and encodes those rows (consuming the
    /// store). `target` (codes of the kept rows) is what MDLP splits against.
    fn encode(
        &self,
        g: Gathered,
        keep: &[usize],
        binning: &Binning,
        target: Option<&Codes>,
    ) -> Result<(ColumnEncoding, Codes)> {
        let all = keep.len() == g.len();
        let name = g.name;
        let complete = g.missing.is_empty();
        match g.store {
            Store::Num(v) => {
                // Complete columns of small integers: fit and codes from their counts.
                if let (true, true, &Binning::Quantile { bins }) = (all, complete, binning) {
                    if let Some((bins, codes)) = FittedBins::quantile_small_ints(&v, bins, &name) {
                        self.check_cardinality(&bins, &name)?;
                        let bins = bins.with_unseen(self.unseen);
                        let enc = ColumnEncoding::Numeric { name, bins };
                        let card = cardinality(&enc, self.missing, self.unseen);
                        let codes = match card {
                            0..=256 => Codes::from_u8(codes, card)?,
                            _ => {
                                Codes::from_codes(codes.into_iter().map(u32::from).collect(), card)?
                            }
                        };
                        return Ok((enc, codes));
                    }
                }
                let kept = |i: usize| if all { v[i] } else { v[keep[i]] };
                // A complete column of kept rows is fitted in place.
                let copied: Vec<f64>;
                let present: &[f64] = if all && complete {
                    &v
                } else {
                    copied = (0..keep.len()).map(kept).filter(|x| !x.is_nan()).collect();
                    &copied
                };
                if present.is_empty() {
                    return Err(DataError::AllMissing { column: name });
                }
                // MDLP needs the target on the rows where the feature is present.
                let sub_target;
                let target = match target {
                    Some(t) if present.len() != keep.len() => {
                        let idx: Vec<usize> =
                            (0..keep.len()).filter(|&i| !kept(i).is_nan()).collect();
                        sub_target = t.take(&idx);
                        Some(&sub_target)
                    }
                    t => t,
                };
                let bins = FittedBins::fit_named(present, binning, target, &name)?
                    .with_unseen(self.unseen);
                self.check_cardinality(&bins, &name)?;
                let enc = ColumnEncoding::Numeric { name, bins };
                let card = cardinality(&enc, self.missing, self.unseen);
                let ColumnEncoding::Numeric { bins, name } = &enc else {
                    unreachable!("built above")
                };
                let coder = crate::discretize::EdgeCoder::new(bins, keep.len());
                let mut out = Vec::with_capacity(keep.len());
                for (i, &row) in keep.iter().enumerate() {
                    let x = kept(i);
                    out.push(if x.is_nan() {
                        card - 1
                    } else {
                        coder.code(x).ok_or_else(|| DataError::UnseenValue {
                            column: name.clone(),
                            row,
                            value: x.to_string(),
                        })?
                    });
                }
                let codes = Codes::from_codes(out, card)?;
                Ok((enc, codes))
            }
            Store::Int(d) => {
                let levels: Vec<String> = d.levels.iter().map(i64::to_string).collect();
                self.encode_dict(name, levels, d.codes, keep, all)
            }
            Store::Text(d) => self.encode_dict(name, d.levels, d.codes, keep, all),
        }
    }

    /// A fitted numeric column's bins within `max_categories`, else the error naming it.
    fn check_cardinality(&self, bins: &FittedBins, name: &str) -> Result<()> {
        match bins.cardinality() as usize {
            found if found > self.max_categories => Err(DataError::TooManyCategories {
                column: name.to_string(),
                found,
                max: self.max_categories,
            }),
            _ => Ok(()),
        }
    }

    /// Categories: the levels seen on the kept rows, sorted as text (code = position).
    fn encode_dict(
        &self,
        name: String,
        levels: Vec<String>,
        codes: Vec<u32>,
        keep: &[usize],
        all: bool,
    ) -> Result<(ColumnEncoding, Codes)> {
        let kept = |i: usize| if all { codes[i] } else { codes[keep[i]] };
        let mut used = vec![false; levels.len()];
        for i in 0..keep.len() {
            let c = kept(i);
            if c != MISSING {
                used[c as usize] = true;
            }
        }
        let mut order: Vec<usize> = (0..levels.len()).filter(|&l| used[l]).collect();
        if order.is_empty() {
            return Err(DataError::AllMissing { column: name });
        }
        order.sort_unstable_by(|&a, &b| levels[a].cmp(&levels[b]));
        if order.len() > self.max_categories {
            return Err(DataError::TooManyCategories {
                column: name,
                found: order.len(),
                max: self.max_categories,
            });
        }
        let mut remap = vec![MISSING; levels.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        let mut levels = levels;
        let sorted: Vec<String> = order
            .iter()
            .map(|&l| std::mem::take(&mut levels[l]))
            .collect();
        let enc = ColumnEncoding::Categorical {
            name,
            levels: sorted,
        };
        let card = cardinality(&enc, self.missing, self.unseen);
        let out: Vec<u32> = (0..keep.len())
            .map(|i| match kept(i) {
                MISSING => card - 1,
                c => remap[c as usize],
            })
            .collect();
        let codes = Codes::from_codes(out, card)?;
        Ok((enc, codes))
    }
}

/// Fails on the first name repeated (or equal to `target`).
fn check_distinct(names: &[String], target: Option<&str>, what: &str) -> Result<()> {
    let mut seen: HashSet<&str> = target.into_iter().collect();
    match names.iter().find(|n| !seen.insert(n.as_str())) {
        Some(dup) => Err(DataError::DuplicateColumn {
            path: what.into(),
            column: dup.clone(),
        }),
        None => Ok(()),
    }
}

/// Number of codes of a column under a missing and unseen policy; see
/// [`Encoding::cardinality`].
fn cardinality(column: &ColumnEncoding, missing: Missing, unseen: Unseen) -> u32 {
    let other = matches!(column, ColumnEncoding::Categorical { .. }) && unseen == Unseen::Other;
    column.base_cardinality() + u32::from(other) + u32::from(missing == Missing::OwnCategory)
}

/// What a long fit reports as it goes (the CLI draws bars from it); every method defaults
/// to doing nothing.
pub trait FitProgress: Sync {
    /// `rows` data rows have been read so far.
    fn rows_read(&self, rows: usize) {
        let _ = rows;
    }
    /// One more column has been fitted and encoded (called from worker threads).
    fn column_encoded(&self) {}
}

/// A [`FitProgress`] that reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl FitProgress for NoProgress {}

impl Encoding {
    /// Number of codes of a column: its bins or levels, plus one for unseen categories under
    /// [`Unseen::Other`] (categorical columns), plus one for missing under
    /// [`Missing::OwnCategory`].
    pub fn cardinality(&self, column: &ColumnEncoding) -> u32 {
        cardinality(column, self.missing, self.unseen)
    }

    /// Feature names, in order.
    pub fn feature_names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name().to_string()).collect()
    }

    /// Re-applies the encoding to another table: same values, same codes.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`], [`DataError::MissingValue`], [`DataError::NonFinite`],
    /// [`DataError::UnseenValue`] naming column and row.
    pub fn transform(&self, table: &Table) -> Result<Encoded> {
        let mut feats: Vec<Vec<u32>> = vec![Vec::new(); self.features.len()];
        let mut target = Vec::new();
        let mut dropped_rows = Vec::new();
        let mut offset = 0;
        for b in &table.batches {
            let (f, t, d) = self.transform_batch(b, offset)?;
            for (acc, c) in feats.iter_mut().zip(&f) {
                acc.extend(c.to_u32_vec());
            }
            target.extend(t.to_u32_vec());
            dropped_rows.extend(d);
            offset += b.num_rows();
        }
        let cols = feats
            .into_iter()
            .zip(&self.features)
            .map(|(v, e)| Codes::from_codes(v, self.cardinality(e)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Encoded {
            features: CodeMatrix::from_columns(cols)?,
            target: Codes::from_codes(target, self.cardinality(&self.target))?,
            names: self.feature_names(),
            dropped_rows,
        })
    }

    /// Counts a stream of batches in one pass: one feature × target contingency table per
    /// feature, memory bounded by one batch plus the tables.
    ///
    /// # Errors
    /// As [`Encoding::transform`], and any error the stream yields.
    pub fn count(
        &self,
        batches: impl IntoIterator<Item = Result<RecordBatch>>,
    ) -> Result<Vec<ContingencyTable>> {
        let tc = self.cardinality(&self.target);
        let mut tables = self
            .features
            .iter()
            .map(|f| ContingencyTable::zeros(self.cardinality(f), tc))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut offset = 0;
        for b in batches {
            let b = b?;
            let (f, t, _) = self.transform_batch(&b, offset)?;
            for (table, c) in tables.iter_mut().zip(&f) {
                table.add(c, &t)?;
            }
            offset += b.num_rows();
        }
        Ok(tables)
    }
}

/// The numeric columns `names` of a table as an `n × p` matrix (for continuous estimators).
///
/// # Errors
/// [`DataError::UnknownColumn`], [`DataError::UnsupportedType`] for a non-numeric column,
/// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row.
pub fn numeric_matrix(table: &Table, names: &[String]) -> Result<ndarray::Array2<f64>> {
    let n = table.num_rows();
    let mut out = ndarray::Array2::<f64>::zeros((n, names.len()));
    let resolver = Resolver::new(&table.schema);
    for (j, name) in names.iter().enumerate() {
        let idx = resolver.index(name, "table")?;
        let field = table.schema.field(idx);
        if !is_numeric(field.data_type()) {
            return Err(DataError::UnsupportedType {
                column: name.clone(),
                data_type: field.data_type().to_string(),
            });
        }
        let Raw::Num(v) = column_values(table, idx, name, false)? else {
            unreachable!()
        };
        for (i, x) in v.iter().enumerate() {
            match x {
                None => {
                    return Err(DataError::MissingValue {
                        column: name.clone(),
                        row: i,
                    })
                }
                Some(x) if !x.is_finite() => {
                    return Err(DataError::NonFinite {
                        column: name.clone(),
                        row: i,
                        value: *x,
                    })
                }
                Some(x) => out[[i, j]] = *x,
            }
        }
    }
    Ok(out)
}

/// The schema helper the CLI uses to list columns: `(name, kind)` with kind `numeric`,
/// `integer`, `categorical` or `unsupported`.
pub fn column_kinds(schema: &SchemaRef) -> Vec<(String, &'static str)> {
    schema
        .fields()
        .iter()
        .map(|f| {
            let dt = f.data_type();
            let k = if is_integer(dt) {
                "integer"
            } else if is_numeric(dt) {
                "numeric"
            } else if is_categorical(dt) {
                "categorical"
            } else {
                "unsupported"
            };
            (f.name().clone(), k)
        })
        .collect()
}
